"""Parallel bulk loading: the days are split between processes, each generating its share and
writing it with COPY on its own connection (the generator is CPU-bound Python; the server is not).

Each job gets its own block of ids per table, sized by the most rows an appeal can produce, so no
two jobs can collide (the gaps between blocks are harmless; the sequences move past the highest id
afterwards). Jobs are spawned, not forked: each sets up Django and its database connection afresh.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
from dataclasses import dataclass
from datetime import datetime

# The most rows of each table one appeal can produce: five dispatches (the first, another unit's
# after a return, a reopen, two summoned departments), a callback per primary dispatch, two
# supervision orders per dispatch; at most 23 events per primary dispatch and 12 per co-handling
# one, a whistle, and the appeal's own four (received, triage or rejection, two folded repeats).
PER_APPEAL = {"appeals_appeal": 1, "appeals_accesscode": 2, "appeals_appealphoto": 3, "dispatch_dispatch": 5,
              "dispatch_whistle": 1, "dispatch_returnrequest": 1, "dispatch_extensionrequest": 1,
              "dispatch_callback": 3, "dispatch_supervisionorder": 10, "appeals_appealevent": 100}


@dataclass(frozen=True)
class Plan:
    """How many appeals each day gets; the same for every job of a load (defined here, free of
    Django imports, so a spawned job can unpickle it before setting Django up)."""

    now: datetime
    days: list
    counts: list
    seed: int


@dataclass(frozen=True)
class Job:
    index: int
    day_indexes: range
    ids: dict


def split(counts: list[int], jobs: int) -> list[range]:
    """Consecutive runs of days with about the same number of appeals each."""
    total, ranges, start, running = sum(counts), [], 0, 0
    for index, count in enumerate(counts):
        running += count
        if len(ranges) < jobs - 1 and running >= total * (len(ranges) + 1) / jobs:
            ranges.append(range(start, index + 1))
            start = index + 1
    ranges.append(range(start, len(counts)))
    return [days for days in ranges if len(days)]


def plan_jobs(counts: list[int], ids: dict, jobs: int) -> list[Job]:
    planned, bases = [], dict(ids)
    for index, days in enumerate(split(counts, jobs)):
        appeals = sum(counts[day] for day in days)
        planned.append(Job(index, days, dict(bases)))
        bases = {table: base + PER_APPEAL[table] * appeals for table, base in bases.items()}
    return planned


def run_jobs(plan, ids: dict, *, jobs: int, meter) -> int:
    """Run the jobs and report their progress together; returns the rows written."""
    context = multiprocessing.get_context("spawn")
    reports = context.Queue()
    processes = [context.Process(target=_job, args=(plan, job, reports), name=f"bench-data-{job.index}")
                 for job in plan_jobs(plan.counts, ids, max(jobs, 1))]
    for process in processes:
        process.start()
    progress = {process.name: (0, 0) for process in processes}
    finished = set()
    while len(finished) < len(processes):
        try:
            name, done, rows, last = reports.get(timeout=1)
        except queue.Empty:
            failed = [p for p in processes if p.exitcode not in (None, 0) or (p.exitcode == 0 and p.name not in
                                                                                 finished and not p.is_alive())]
            if failed:
                for process in processes:
                    if process.is_alive():
                        process.terminate()
                raise RuntimeError(f"{failed[0].name} failed (exit code {failed[0].exitcode})") from None
            continue
        progress[name] = (done, rows)
        if last:
            finished.add(name)
        meter.update(sum(d for d, _ in progress.values()), sum(r for _, r in progress.values()))
    for process in processes:
        process.join()
    return sum(rows for _, rows in progress.values())


def _job(plan, job: Job, reports) -> None:
    from .environment import setup_django

    setup_django(os.environ["DATABASE_URL"])
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    from .copying import BackgroundCopier
    from .generate import COLUMNS, Writer, lifecycle_for, load_days

    name = multiprocessing.current_process().name
    with translation.override(settings.LANGUAGE_CODE):
        city, lifecycle, rng = lifecycle_for(plan, job.index)
        writer = Writer(BackgroundCopier(connection.get_connection_params(), COLUMNS), dict(job.ids))
        done = load_days(writer, lifecycle, city, plan, job.day_indexes, rng,
                         lambda done, rows: reports.put((name, done, rows, False)))
    reports.put((name, done, writer.rows, True))
