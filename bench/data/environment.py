"""Which database the generator fills and the probes read, and the Django settings both run with.

The database is `bench_data` on the server of DATABASE_URL (or a local PostgreSQL), unless
BENCH_DATA_DATABASE_URL names another; it is created if missing. Access codes are keyed hashes of
SECRET_KEY, so the generator and the web server the probes start must share it: both default to
BENCH_SECRET_KEY.
"""
from __future__ import annotations

import os
from urllib.parse import urlparse, urlunparse

DEFAULT_NAME = "bench_data"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/"
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-in-production"  # noqa: S105 (benchmark data only)


def database_url() -> str:
    explicit = os.environ.get("BENCH_DATA_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = LOCAL_SERVER
    return urlunparse(urlparse(base)._replace(path=f"/{DEFAULT_NAME}"))


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when created."""
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def bench_env(url: str) -> dict[str, str]:
    """The environment the generator and the probed server run with."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or BENCH_SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }


def setup_django(url: str) -> None:
    os.environ.update(bench_env(url))
    import django

    django.setup()
