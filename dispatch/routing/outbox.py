"""The outbox intake writes to: queue routing (and photo re-encoding) after commit; the broker
being away must never fail an intake.

Intake announces each new appeal with appeals.signals.appeal_filed (appeals imports no dispatch
code); `appeal_filed` below is its receiver, connected by DispatchConfig.ready. Tasks are sent by
name (dispatch.tasks is the Celery entry point and nothing imports it).

Intake does not send a message per appeal: routing takes everything waiting in batches, so one
queued routing task serves every appeal committed before it starts. A flag in the broker's Redis
(SET NX, with a lease) says "a routing task is queued and has not started"; intake publishes only
when it sets the flag, and the task clears it before it looks for appeals. So an appeal committed
while the flag stands is seen by that task, and one committed after the task started sets the flag
again and queues the next. If Redis is away, nothing is published, the appeal stays with routed_at
empty, and the beat sweep routes it later.
"""
import functools
import logging

import redis
from django.conf import settings
from django.db import transaction

from config.celery import app

logger = logging.getLogger(__name__)

# Long enough to cover a routing task's usual wait in the queue; if it lapses (a long queue, a
# lost message), the next intake simply queues another task.
LEASE_MS = 5000
ROUTE_WAITING_TASK = "dispatch.tasks.route_waiting"
REENCODE_PHOTOS_TASK = "dispatch.tasks.reencode_photos"


def appeal_filed(sender, *, appeal_id: int, has_photos: bool, **kwargs) -> None:
    """Receiver of appeals.signals.appeal_filed: queue the photos (if any) and the routing."""
    if has_photos:
        queue_photos(appeal_id=appeal_id)
    queue_routing(appeal_id=appeal_id)


def queue_routing(*, appeal_id: int) -> None:
    transaction.on_commit(lambda: publish_routing(appeal_id=appeal_id))


def publish_routing(*, appeal_id: int) -> None:
    """Queue a routing task unless one is already queued and not yet started."""
    try:
        if _raise_flag(app.conf.broker_url):
            app.send_task(ROUTE_WAITING_TASK)
    except Exception:  # broker down: the sweep_unrouted task catches up
        logger.warning("could not queue routing for appeal %s; the sweep will route it", appeal_id, exc_info=True)


def queue_photos(*, appeal_id: int) -> None:
    """Have a worker re-encode the appeal's photos once it is committed (appeals/photos.py)."""
    transaction.on_commit(lambda: publish_photos(appeal_id=appeal_id))


def publish_photos(*, appeal_id: int) -> None:
    try:
        app.send_task(REENCODE_PHOTOS_TASK, args=[appeal_id])
    except Exception:  # broker down: the photos stay pending and sweep_pending_photos catches up
        logger.warning("could not queue the photos of appeal %s; the sweep will", appeal_id, exc_info=True)


def routing_started() -> None:
    """A routing task is about to look for appeals: whatever commits from now on queues another."""
    client = _redis(app.conf.broker_url)
    if client is not None:
        client.delete(_flag_key())


def _raise_flag(broker_url: str) -> bool:
    """True if this call set the flag (or there is no Redis to keep one in: publish every time)."""
    client = _redis(broker_url)
    return client is None or bool(client.set(_flag_key(), 1, nx=True, px=LEASE_MS))


@functools.lru_cache(maxsize=4)
def _redis(broker_url: str):
    """The broker's Redis, one client per process (acquiring a Celery producer just to set the flag
    cost as much as setting it); None for another kind of broker."""
    if broker_url.split("://", 1)[0] not in ("redis", "rediss"):
        return None
    return redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)


def _flag_key() -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:routing-queued"
