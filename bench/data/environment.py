"""Which database the generator fills and the probes read.

The database is `bench_data` on the server of DATABASE_URL (or a local PostgreSQL), unless
BENCH_DATA_DATABASE_URL names another. Everything else (creating it, the production-like settings,
setting Django up) is the stack's (bench.stack), so the generator and the web server the probes
start share SECRET_KEY (default `bench.stack.BENCH_SECRET_KEY`): access codes are keyed hashes of it.
"""
from __future__ import annotations

import os

from bench import stack

DEFAULT_NAME = "bench_data"
VARIABLE = "BENCH_DATA_DATABASE_URL"


def database_url() -> str:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = stack.LOCAL_SERVER
    return stack.database_url(DEFAULT_NAME, variable=VARIABLE, server=server)


def setup_django(url: str) -> None:
    """Point this process's Django at `url` with the stack's settings."""
    stack.setup_django(stack.stack_env(database_url=url, redis_url=stack.redis_url()))
