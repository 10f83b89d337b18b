"""`python -m bench profile`: the intake request path under cProfile, in this process.

POSTs valid appeals to /api/v1/appeals/ through Django's test client (the whole middleware, DRF,
throttles, intake and the publish to the broker; no HTTP server) on a fresh stack database, then
prints the queries of one request and the top of the profile by own time and by cumulative time.
Times are this process's CPU time: on a loaded machine the cores are what runs out, while time
spent waiting for PostgreSQL or Redis is counted by the `load` figures.
"""
from __future__ import annotations

import cProfile
import io
import itertools
import pstats
import time

from .payloads import appeal_bodies
from .stack import running_stack

INTAKE_PATH = "/api/v1/appeals/"
WARMUP_REQUESTS = 20


def run(*, database: str, requests: int, top: int) -> int:
    with running_stack(database=database, gunicorn_workers=0, celery_workers=0) as stack:
        stack.setup_django()
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        http = Client()
        bodies = appeal_bodies(seed=99)

        def post():
            response = http.post(INTAKE_PATH, next(bodies), content_type="application/json")
            if response.status_code != 201:
                raise SystemExit(f"intake answered {response.status_code}: {response.content[:300]!r}")

        for _ in range(WARMUP_REQUESTS):
            post()
        with CaptureQueriesContext(connection) as queries:
            post()
        print(f"Queries of one intake POST: {len(queries)}")
        for number, query in enumerate(queries.captured_queries, 1):
            print(f"  {number:2}. {query['sql'][:160]}")

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in itertools.repeat(None, requests):
            post()
        profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        print(f"\n=== {requests} intake POSTs, CPU time, top {top} by {order} ===")
        print(out.getvalue())
    return 0
