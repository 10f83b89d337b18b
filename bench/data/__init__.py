"""Benchmark data: a year of realistic appeals in PostgreSQL, written with COPY.

    python -m bench.data                    # 2,000,000 appeals over the 12 months before today
    python -m bench.data --appeals 25000000 # a full year of a large city
    python -m bench.data --small            # 20,000 appeals, a quick check

The database is `bench_data` (created if missing, then migrated, and given the demo city if it has
no streets); BENCH_DATA_DATABASE_URL names another. Appeals are added to what is there; `--fresh`
empties the generated tables first. Each appeal carries what the real services would have written:
its events, dispatches with deadlines, warnings, overdue marks and supervision orders, the
callback and rating, a reopen now and then, the close; returns (approved, refused, pending),
whistles (co-handling departments), extensions, folded repeats and photos (file names only) in the
shares named in lifecycle.py. Every appeal's access code is `BENCH234`, a folded repeat's further
code `REPEAT23` (hashed with SECRET_KEY, default `bench.stack.BENCH_SECRET_KEY`). Large loads set the
secondary indexes and foreign keys aside, generate in `--jobs` processes (default: one per CPU),
and rebuild the indexes and keys after the load (exactly as the migrations made them). Then the
monthly and daily rollups are counted as production would have, and the tables vacuumed and
analysed.
"""
from __future__ import annotations

import argparse
import os
import time

SMALL = 20_000
SET_ASIDE_FROM = 100_000  # below this, loading with the indexes in place is as fast


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.data", description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=2_000_000, help="How many appeals (default 2,000,000).")
    parser.add_argument("--small", action="store_true", help=f"{SMALL:,} appeals, a quick check.")
    parser.add_argument("--days", type=int, default=365, help="Over how many days before today (default 365).")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--fresh", action="store_true", help="Empty the generated tables first.")
    parser.add_argument("--keep-indexes", action="store_true", help="Load with every index in place.")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="Processes generating in parallel on a bulk load (default: one per CPU).")
    parser.add_argument("--no-rollups", action="store_true", help="Skip counting the rollups and ANALYZE.")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    from bench.stack import ensure_database

    from .environment import database_url, setup_django

    url = database_url()
    created = ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    from streets.models import Unit

    from .generate import generate
    from .rollups import count_rollups, vacuum_analyze
    from .wipe import wipe

    print(f"database {url.rsplit('/', 1)[-1]}{' (created)' if created else ''}: migrating")
    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(kind=Unit.Kind.STREET).exists():
        call_command("load_demo_city", force=True, verbosity=0)
        print("loaded the demo city")
    if args.fresh:
        wipe()
    appeals = SMALL if args.small else args.appeals
    started = time.monotonic()
    done = generate(appeals=appeals, days=args.days, seed=args.seed,
                    set_aside_indexes=appeals >= SET_ASIDE_FROM and not args.keep_indexes, jobs=args.jobs)
    loaded = time.monotonic() - started
    print(f"loaded {done['appeals']:,} appeals, {done['rows']:,} rows in {loaded:.0f} s "
          f"({done['rows'] / loaded:,.0f} rows/s, indexes included)")
    if not args.no_rollups:
        count_rollups(first_day=done["first_day"], now=done["now"])
        vacuum_analyze()
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0
