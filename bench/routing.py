"""Routing throughput of one Celery worker process.

With the stack's workers stopped, appeals are filed through the intake service itself, so each
publishes its routing message exactly as intake does (dispatch.routing.outbox, after commit) and the
messages wait in the broker. Then one worker process starts and routes the backlog; the rate is
timed from the moment the worker says it is ready to the moment the database shows every appeal
routed (polled every 50 ms), so its start-up does not count, and routing one appeal per task or
a whole batch in one transaction (every routed_at the same) are timed alike.
"""
from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

from .payloads import appeal_bodies
from .stack import Stack


def form_appeals(seed: int):
    """The load's appeals as intake's keyword arguments: a category, a point, the questions answered."""
    for body in appeal_bodies(seed=seed):
        fields = json.loads(body)
        yield {"text": fields["text"], "category_code": fields["category"], "latitude": fields["latitude"],
               "longitude": fields["longitude"], "address": fields["address"],
               "contact_name": fields["contact_name"], "contact_phone": fields["contact_phone"],
               "attributes": fields["attributes"]}


def file_unrouted(count: int, *, appeals) -> int:
    """File `count` appeals (intake's keyword arguments) through intake (their routing messages
    queue up); returns the first id."""
    from appeals.models import Appeal
    from appeals.services import submit_appeal

    first_id = None
    for fields in itertools.islice(appeals, count):
        submitted = submit_appeal(channel=Appeal.Channel.API, **fields)
        first_id = first_id or submitted.appeal.pk
    return first_id


def wait_routed(queryset, *, timeout: float) -> int:
    """Poll until no appeal of `queryset` is unrouted; returns how many still are at the timeout."""
    deadline = time.monotonic() + timeout
    while (left := queryset.filter(routed_at__isnull=True).count()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def routing_throughput(stack: Stack, *, count: int, timeout: float = 600, appeals=None) -> dict:
    """`appeals`: intake's keyword arguments for each appeal (default: the load's, `form_appeals`)."""
    from appeals.models import Appeal

    stack.stop_celery_workers()
    first_id = file_unrouted(count, appeals=appeals or form_appeals(seed=777))
    batch = Appeal.objects.filter(id__gte=first_id)
    worker = stack.start_celery_worker(pool="solo", concurrency=1, name="solo")
    ready_at, cpu_at = time.monotonic(), cpu_seconds(worker.process.pid)
    left = wait_routed(batch, timeout=timeout)
    seconds, cpu = time.monotonic() - ready_at, cpu_seconds(worker.process.pid) - cpu_at
    routed = count - left
    return {"appeals": count, "routed": routed, "seconds": seconds, "per_second": routed / seconds,
            "cpu_seconds": cpu, "per_cpu_second": routed / cpu if cpu else float("nan")}


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far (Linux /proc): on a machine others
    share, appeals per CPU-second of the worker say what one core would route."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
