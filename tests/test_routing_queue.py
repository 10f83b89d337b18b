"""Intake queues routing sparingly: one task stands for every appeal committed before it starts.

Observed on a private Redis (tests/processes.py), so no worker of the suite takes the messages."""
import itertools
import json

import pytest

from appeals.services import submit_appeal
from dispatch.routing import outbox
from dispatch.tasks import route_waiting_task

from .processes import REDIS_SERVER, PrivateRedis, publishing_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_receipts(settings):
    """These tests count the routing messages on the broker: no receipt tasks beside them."""
    settings.NOTIFICATION_SMS_BACKEND = settings.NOTIFICATION_EMAIL_BACKEND = ""


@pytest.fixture
def broker(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("needs a redis-server binary for a private broker")
    private = PrivateRedis(tmp_path)
    private.start()
    try:
        with publishing_to(private.url):
            yield private.client()
    finally:
        private.close()


def queued_tasks(client) -> list[str]:
    return [json.loads(message)["headers"]["task"] for message in client.lrange("celery", 0, -1)]


SERIAL = itertools.count()


def file(city, n: int, django_capture_on_commit_callbacks) -> None:
    for _ in range(n):
        with django_capture_on_commit_callbacks(execute=True):
            submit_appeal(text=f"排队 {next(SERIAL)}", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                          contact_phone="13800138000")


def test_appeals_filed_before_the_routing_task_starts_share_its_one_message(
    city, broker, django_capture_on_commit_callbacks
):
    file(city, 3, django_capture_on_commit_callbacks)
    assert queued_tasks(broker) == ["dispatch.tasks.route_waiting"]
    assert 0 < broker.pttl(outbox._flag_key()) <= outbox.LEASE_MS

    assert route_waiting_task() == 3  # the worker's part: it lowers the flag, then routes
    file(city, 2, django_capture_on_commit_callbacks)
    assert queued_tasks(broker) == ["dispatch.tasks.route_waiting"] * 2


def test_when_the_lease_lapses_the_next_appeal_queues_another_task(city, broker, django_capture_on_commit_callbacks):
    file(city, 1, django_capture_on_commit_callbacks)
    broker.delete(outbox._flag_key())  # as if the lease ran out: the message may have been lost
    file(city, 1, django_capture_on_commit_callbacks)
    assert len(queued_tasks(broker)) == 2
