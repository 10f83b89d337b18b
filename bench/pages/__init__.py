"""Page probes: how fast the busy pages answer on the generated data (run `python -m bench.data` first).

    python -m bench.pages                 # 200 timed requests per page after 20 to warm up
    python -m bench.pages --requests 500 --warmup 50

Starts the benchmark stack (bench.stack: gunicorn, DEBUG off, static files collected, persistent
connections, rate limits lifted) on a free local port against the bench database as it is
(BENCH_DATA_DATABASE_URL, default `bench_data`; the same SECRET_KEY as the generator, so the
generated access code works), signs in through the login
form like a browser behind the HTTPS proxy, and times whole requests one after another: the
busiest street officer's queue (its pages, filters and orderings), the supervisors' queue of every
open ticket, the tracking lookup by number
and code (page and API, a different appeal each time), the supervisor dashboard, and the monthly
ranking (page and API, every month with rollups in turn). Prints p50/p95/p99/max per page against
the target (p95 under 200 ms); exits 1 when a page misses it or a request fails.
"""
from __future__ import annotations

import argparse

DEMO_PASSWORD = "demo12345"  # noqa: S105 (the published password of the demo accounts)


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page (default 200).")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests per page first (default 20).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument("--only", action="append", help="Run only the pages whose name contains this.")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    from bench.data.environment import database_url
    from bench.stack import running_stack

    with running_stack(url=database_url(), fresh=False, gunicorn_workers=args.workers, celery_workers=0) as stack:
        stack.setup_django()
        from bench.data.generate import ACCESS_CODE

        from .browser import Browser
        from .probes import TARGET_P95_MS, probes, run, table
        from .samples import draw

        samples = draw(lookups=max(args.requests + args.warmup, 50))
        if not samples.numbers:
            print("No appeals: run `python -m bench.data` first.")
            return 1
        chosen = [p for p in probes(samples, ACCESS_CODE) if not args.only or any(o in p.name for o in args.only)]
        print(f"{samples.appeals:,} appeals; officer {samples.officer} ({samples.officer_open:,} open tickets), "
              f"{len(samples.months)} months of rollups")
        browsers = {}
        for probe in chosen:
            if probe.who not in browsers:
                browser = Browser(stack.base_url)
                browsers[probe.who] = browser.log_in(probe.who, DEMO_PASSWORD) if probe.who else browser
            run(probe, browsers[probe.who], warmup=args.warmup, count=args.requests)
            f = probe.figures()
            print(f"  {probe.name}: p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms")
    print(table(chosen, appeals=samples.appeals,
                how=f"real HTTP through gunicorn ({args.workers} workers, DEBUG off), one request at a time"))
    missed = [p for p in chosen if p.failures or not p.timings or p.figures()["p95"] >= TARGET_P95_MS]
    return 1 if missed else 0
