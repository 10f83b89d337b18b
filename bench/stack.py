"""A production-like stack for benchmarks: a fresh PostgreSQL database with the demo city (or an
existing database as it is), a Redis database of its own, gunicorn (sync workers, DEBUG off, static
files collected) and Celery workers, all stopped on exit.

Usage:
    with running_stack(database="bench_load", gunicorn_workers=4) as stack:
        stack.setup_django()          # this process talks to the same database and broker
        ... stack.base_url ...
    with running_stack(url=existing_url, fresh=False, celery_workers=0) as stack:
        ...                           # no recreate, no migrate, no demo city

The settings every bench process runs with (`stack_env`) are the same everywhere, so the data
generator (bench.data) and the server the page probes (bench.pages) start share BENCH_SECRET_KEY:
access codes are keyed hashes of SECRET_KEY.

The web server and the workers connect as the least-privilege role APP_ROLE (`manage.py app_role`),
created or brought up to date on every start; migrations and set-up run as the URL's owner.

Every child runs in its own process group and is stopped with its group on exit, on an
exception or on Ctrl-C (SIGTERM to the bench is turned into the same clean exit).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "bench_load"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/"  # trust auth
# 50 characters or more: with DEBUG off the settings refuse a shorter key (config/secret_key.py).
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-in-production-Q7wZ4rKp"  # noqa: S105 (benchmark data only)
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# gunicorn and the Celery workers connect as this role, which owns nothing (`manage.py app_role`), as
# production should: the stack's own set-up (migrate, the demo city, the data generator) is the owner's.
APP_ROLE = "bench_app"
FORBIDDEN_REDIS_DBS = {0, 15}  # the broker of `make run` and the test suite's default
# High enough that the throttles (which still run on every request) never refuse a benchmark.
UNLIMITED_RATE = "100000000/second"
RATE_LIMIT_VARIABLES = (
    "RATE_LIMIT_ANON", "RATE_LIMIT_USER", "RATE_LIMIT_INTAKE", "RATE_LIMIT_TRACKING",
    "RATE_LIMIT_TRACKING_FAILURES", "RATE_LIMIT_TRACKING_FAILURES_NUMBER", "RATE_LIMIT_INTAKE_OPERATOR",
    "RATE_LIMIT_INTAKE_INVALID",
)


def database_url(database: str, *, variable: str = "BENCH_DATABASE_URL", server: str = LOCAL_SERVER) -> str:
    """The URL in the environment variable `variable` if set, else this database on `server`
    (default: the local PostgreSQL)."""
    return os.environ.get(variable) or urlunparse(urlparse(server)._replace(path=f"/{database}"))


def redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    db = int(urlparse(url).path.lstrip("/") or 0)
    if db in FORBIDDEN_REDIS_DBS:
        raise SystemExit(f"BENCH_REDIS_URL must not use Redis database {db} (it belongs to others)")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_database(url: str, *, replace: bool) -> bool:
    """Create the database named in `url`; `replace`: drop it first (forcing out stale connections),
    else leave an existing one alone. True when created."""
    parts = urlparse(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        if replace:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        elif conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return True


def recreate_database(url: str) -> None:
    create_database(url, replace=True)


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when created."""
    return create_database(url, replace=False)


@dataclass
class Child:
    """One command in its own process group, output to a log file."""

    name: str
    args: list[str]
    env: dict
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> Child:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited early:\n{self.log()[-3000:]}")

    def stop(self, grace: float = 15) -> None:
        """SIGTERM the group (leader and its workers), then SIGKILL whatever is left."""
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


@dataclass
class Stack:
    database_url: str
    redis_url: str
    env: dict
    workdir: Path
    port: int
    children: list[Child] = field(default_factory=list)

    @property
    def app_env(self) -> dict:
        """The children's settings: the same, connected as the application's role."""
        parts = urlparse(self.database_url)
        netloc = f"{APP_ROLE}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return {**self.env, "DATABASE_URL": urlunparse(parts._replace(netloc=netloc))}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def setup_django(self) -> None:
        """Point this process's Django (and Celery app) at the stack, then set it up."""
        setup_django(self.env)

    def start_gunicorn(self, workers: int) -> Child:
        """Collect the static files first: with DEBUG off, pages need whitenoise's manifest."""
        self.manage("collectstatic", "--noinput", "-v0")
        child = self._start("gunicorn", [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048", "--timeout", "120", "--log-level", "warning",
        ])
        wait_until(lambda: child.check_alive() or self._answers(), timeout=60, what="gunicorn answering")
        return child

    def start_celery_worker(self, *, concurrency: int = 2, pool: str = "prefork", name: str = "") -> Child:
        """A worker on the stack's broker; returns once it is ready to take tasks (its own "ready":
        the log of an earlier worker of the same name is appended to, and its line does not count)."""
        name = name or f"worker{len(self.children)}"
        log_path = self.workdir / f"{name}.log"
        earlier = log_path.read_text(errors="replace").count(" ready.") if log_path.exists() else 0
        child = self._start(name, [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", f"--pool={pool}",
            f"--concurrency={concurrency}", "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ])
        wait_until(lambda: child.check_alive() or child.log().count(" ready.") > earlier, timeout=60,
                   what=f"{name} ready")
        return child

    def stop_celery_workers(self) -> None:
        for child in [c for c in self.children if c.name != "gunicorn"]:
            child.stop()
            self.children.remove(child)

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()

    def _start(self, name: str, args: list[str]) -> Child:
        child = Child(name, args, self.app_env, self.workdir / f"{name}.log").start()
        self.children.append(child)
        return child

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.base_url}/open311/discovery.json", timeout=2)  # noqa: S310 - our own URL
        except urllib.error.HTTPError:
            return True  # any HTTP answer means it is up
        except OSError:
            return False
        return True


def stack_env(*, database_url: str, redis_url: str, workdir: Path | None = None,
              extra_env: dict | None = None) -> dict:
    """Production settings (DEBUG off), persistent connections, throttles that never refuse.
    BENCH_SECRET_KEY (not SECRET_KEY: a test run's key is refused with DEBUG off) and LOG_LEVEL from
    the environment win; VAR_DIR is `workdir`/var when given."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "bench-" + urlparse(database_url).path.lstrip("/"),  # a cache for each database
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on localhost; HTTPS would end at a proxy
        "CLIENT_IP_HEADER": "X-Forwarded-For",  # behind the city's proxy: residents' own addresses
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL") or "WARNING",
        **({"VAR_DIR": str(workdir / "var")} if workdir else {}),
        **dict.fromkeys(RATE_LIMIT_VARIABLES, UNLIMITED_RATE),
        **(extra_env or {}),
    }
    env.pop("TEST_REDIS_DB", None)
    return env


def setup_django(env: dict) -> None:
    """Point this process's Django (and Celery app) at the settings in `env`, then set it up."""
    os.environ.update(env)
    import django

    django.setup()


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def running_stack(
    *,
    database: str = DEFAULT_DATABASE,
    url: str | None = None,
    fresh: bool = True,
    gunicorn_workers: int = 4,
    celery_workers: int = 1,
    celery_concurrency: int = 2,
    extra_env: dict | None = None,
) -> Iterator[Stack]:
    """Fresh database (migrated, demo city loaded), flushed Redis database, gunicorn with
    `gunicorn_workers` (0: none) and `celery_workers` worker processes of `celery_concurrency`.
    The database is `database` (see `database_url`) or the one at `url`; `fresh=False` uses it as
    it is: not recreated, migrated or given the demo city, and Redis is not flushed (a fresh stack
    elsewhere may be using it; the cache keys carry the database's name)."""
    previous_handler = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    url, broker = url or database_url(database), redis_url()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        stack = Stack(
            database_url=url, redis_url=broker, workdir=workdir, port=free_port(),
            env=stack_env(database_url=url, redis_url=broker, workdir=workdir, extra_env=extra_env),
        )
        try:
            if fresh:
                redis.Redis.from_url(broker).flushdb()
                recreate_database(url)
                stack.manage("migrate", "--noinput")
                stack.manage("load_demo_city", "--force")
                stack.manage("train_classifier")  # routing classifies: the demo model, as in `make run`
            stack.manage("app_role", APP_ROLE, "--execute")
            if gunicorn_workers:
                stack.start_gunicorn(gunicorn_workers)
            for _ in range(celery_workers):
                stack.start_celery_worker(concurrency=celery_concurrency)
            yield stack
        finally:
            stack.stop_all()
            signal.signal(signal.SIGTERM, previous_handler)
