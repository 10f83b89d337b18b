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
import time

from .payloads import appeal_bodies
from .stack import Stack


def file_unrouted(count: int, *, seed: int) -> int:
    """File `count` appeals through intake (their routing messages queue up); returns the first id."""
    from appeals.models import Appeal
    from appeals.services import submit_appeal

    first_id = None
    for body in itertools.islice(appeal_bodies(seed=seed), count):
        fields = json.loads(body)
        submitted = submit_appeal(
            text=fields["text"], channel=Appeal.Channel.API, category_code=fields["category"],
            latitude=fields["latitude"], longitude=fields["longitude"], address=fields["address"],
            contact_name=fields["contact_name"], contact_phone=fields["contact_phone"],
            attributes=fields["attributes"],
        )
        first_id = first_id or submitted.appeal.pk
    return first_id


def wait_routed(queryset, *, timeout: float) -> int:
    """Poll until no appeal of `queryset` is unrouted; returns how many still are at the timeout."""
    deadline = time.monotonic() + timeout
    while (left := queryset.filter(routed_at__isnull=True).count()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def routing_throughput(stack: Stack, *, count: int, timeout: float = 600) -> dict:
    from appeals.models import Appeal

    stack.stop_celery_workers()
    first_id = file_unrouted(count, seed=777)
    batch = Appeal.objects.filter(id__gte=first_id)
    stack.start_celery_worker(pool="solo", concurrency=1, name="solo")
    ready_at = time.monotonic()
    left = wait_routed(batch, timeout=timeout)
    seconds = time.monotonic() - ready_at
    routed = count - left
    return {"appeals": count, "routed": routed, "seconds": seconds, "per_second": routed / seconds}
