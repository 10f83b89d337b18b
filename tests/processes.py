"""Private services the fault tests may break: a redis-server on a free port and Celery worker and
beat subprocesses pointed at it and at the test database.

Never the shared Redis: every process here is started by a test, belongs to it alone, and is
killed by the fixture that made it, whatever the test did to it in between.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import redis

from .scenarios import wait_for

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The URL of the database pytest-django created, for subprocesses to share it."""
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class PrivateRedis:
    """A throw-away redis-server without persistence: stopping it loses every queued message,
    the harshest outage a broker can have."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for(self._answers, timeout=10, interval=0.05)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Stop the server (its queued messages are gone for good)."""
        self.resume()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def pause(self) -> None:
        """Freeze the server: connections stay open but nothing answers (a hung broker)."""
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused and self.process is not None:
            self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def close(self) -> None:
        if self.process is None:
            return
        self.resume()
        self.process.kill()
        self.process.wait(10)
        self.process = None


class CeleryProcess:
    """`celery -A config worker|beat ...` in its own process group, logging to a file."""

    READY = {"worker": "ready.", "beat": "beat: Starting"}

    def __init__(self, kind: str, env: dict, log_path: Path, *args: str):
        self.kind = kind
        self.env = env
        self.log_path = log_path
        self.args = args
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", self.kind, "--loglevel=INFO", *self.args],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_for(self._ready, timeout=60, interval=0.1)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"celery {self.kind} exited early:\n{self.log()[-3000:]}")
        return self.READY[self.kind] in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL, grace: float = 15) -> None:
        """Signal the whole process group (the worker and its pool children) and reap it.

        The leader is waited for without being reaped first: while it is a zombie its id cannot be
        reused, so the final SIGKILL to its group reaches only what this object started.
        """
        if self.process is None or self.process.returncode is not None:
            return
        pid = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and not os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG):
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # stragglers, or a leader that ignored `sig`
        self.process.wait(10)

    def close(self) -> None:
        self.kill(signal.SIGTERM)


@contextlib.contextmanager
def publishing_to(broker_url: str):
    """Make this process's Celery app publish to `broker_url`, so the real intake (on_commit ->
    task.delay) talks to a private broker; the app's own broker and pools come back afterwards."""
    from config.celery import app

    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url, app._pool, app.amqp._producer_pool = broker_url, None, None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def wait_until(predicate, timeout: float) -> bool:
    """Poll like wait_for, but answer False instead of failing, so a test can still count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return bool(predicate())
