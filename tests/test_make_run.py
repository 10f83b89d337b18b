"""`make run` ends with bin/run-services: the worker, beat and the web server side by side. One
Ctrl-C stops them all once and quietly, and the redis-server that `make run` started as well.

The script is started as a terminal would run it (its own session, the foreground process group)
against a throw-away SQLite database, a free port and a private redis-server; Ctrl-C is SIGINT to
that foreground group, as the terminal sends it."""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .processes import REDIS_SERVER, ROOT, free_port
from .scenarios import wait_for

pytestmark = [
    pytest.mark.run,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server"),
]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def session_members(sid: int) -> set[int]:
    members = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    members.add(int(entry.name))
            except (ProcessLookupError, PermissionError):
                pass
    return members


def answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_one_ctrl_c_stops_web_worker_beat_and_the_redis_it_started_once_and_quietly(tmp_path):
    redis_port, web_port = free_port(), free_port()
    pidfile = tmp_path / "redis.pid"
    subprocess.run(
        [REDIS_SERVER, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--pidfile", str(pidfile)],
        check=True, stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), timeout=10)
    redis_pid = int(pidfile.read_text())
    env = {
        **os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "PORT": str(web_port), "REDIS_PIDFILE": str(pidfile),
        "PY": sys.executable, "CELERY": str(Path(sys.executable).parent / "celery"),
    }
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        script = subprocess.Popen([str(ROOT / "bin" / "run-services")], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        output = lambda: log_path.read_text(errors="replace")  # noqa: E731
        wait_for(lambda: "ready." in output() and "beat: Starting" in output() and answers(web_port), timeout=60)
        started = session_members(script.pid) - {script.pid}
        assert len(started) >= 4  # worker and its pool, beat, runserver and its reloaded child

        os.killpg(script.pid, signal.SIGINT)  # the terminal's Ctrl-C: the foreground group
        assert script.wait(timeout=30) == 0
        wait_for(lambda: not any(alive(pid) for pid in started | {redis_pid}), timeout=15)
    finally:
        for pid in session_members(script.pid) | {redis_pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    text = output()
    assert text.count("Warm shutdown") <= 1
    assert "Segmentation fault" not in text and "Stopped." in text
    assert not answers(web_port)
