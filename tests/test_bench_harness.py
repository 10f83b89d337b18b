"""The benchmark harness end to end, with tiny settings: `python -m bench load` builds its own
stack (database, gunicorn, Celery workers), prints every figure, and every appeal intake accepted
gets routed. Nothing is timed here; the figures only have to be there.

It runs on the PostgreSQL server of the test database, in a database of its own (the test
database's name + "_bench"), and on a private redis-server, so no other checkout's worker can
take its messages.
"""
import os
import re
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from .processes import REDIS_SERVER, ROOT, PrivateRedis, database_url

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the benchmark stack needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs a redis-server binary for a private broker"),
    pytest.mark.timeout(600),
]

TINY = ["--duration", "2", "--warmup", "0.5", "--concurrency", "4", "--gunicorn-workers", "2",
        "--rate", "20", "--latency-duration", "2", "--routing-appeals", "200"]


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.close()


def run_bench(args: list[str], env: dict, timeout: float = 400) -> str:
    """Run the bench; on a timeout, stop it with SIGTERM so it stops its own stack."""
    process = subprocess.Popen([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"bench did not finish within {timeout:.0f} s:\n{output}")
    assert process.returncode == 0, output
    return output


def test_bench_load_prints_its_figures_and_routes_every_accepted_appeal(private_redis):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": database_url({**database, "NAME": f"{database['NAME']}_bench"}),
        "BENCH_REDIS_URL": private_redis.url.rsplit("/", 1)[0] + "/13",
    }
    output = run_bench(["load", *TINY], env)
    for figure in (r"intake POST /api/v1/appeals/ \(201s\)\s+[\d.]+/s\s+\d+ ms\s+\d+ ms\s+\d+ ms\s+0",
                   r"ceiling: bare view, one insert\s+[\d.]+/s",
                   r"intake / ceiling\s+\d+%",
                   r"201 -> dispatched at 20/s \(40\)\s+-?\d+ ms\s+-?\d+ ms",
                   r"routing, one worker process \(200\)\s+\d+/s"):
        assert re.search(figure, output), f"{figure!r} not in:\n{output}"
    assert re.search(r"routed: all \d+ appeals accepted by intake", output), output
