"""A production-like web server for the probes: gunicorn on a free local port, DEBUG off, static
files collected as in production, persistent database connections, and rate limits lifted (the
probes send hundreds of lookups from one address; the limits are not what is measured)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

NO_LIMIT = "1000000/hour"
RATE_LIMITS = ("RATE_LIMIT_ANON", "RATE_LIMIT_USER", "RATE_LIMIT_TRACKING", "RATE_LIMIT_TRACKING_FAILURES",
               "RATE_LIMIT_TRACKING_FAILURES_NUMBER")


def project_root() -> Path:
    import config

    return Path(config.__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`with Server(env) as server:` … `server.url`; the process is stopped (by its own pid) on exit."""

    def __init__(self, env: dict[str, str], *, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.var = tempfile.TemporaryDirectory(prefix="bench-pages-")
        self.env = {**os.environ, **env, "VAR_DIR": self.var.name, "DB_CONN_MAX_AGE": "600",
                    "CACHE_KEY_PREFIX": "bench-pages", **dict.fromkeys(RATE_LIMITS, NO_LIMIT)}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        root = project_root()
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, env=self.env,
                       check=True)
        self.log = open(Path(self.var.name) / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--timeout", "120"],
            cwd=root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait()
        return self

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail()}")
            try:
                requests.get(f"{self.url}/accounts/login/", headers={"X-Forwarded-Proto": "https"}, timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return (Path(self.var.name) / "gunicorn.log").read_text()[-2000:]

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.var.cleanup()
