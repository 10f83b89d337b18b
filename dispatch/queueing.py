"""Queue routing after commit; the broker being away must never fail an intake.

Intake does not send a message per appeal: routing takes everything waiting in batches, so one
queued routing task serves every appeal committed before it starts. A flag in the broker's Redis
(SET NX, with a lease) says "a routing task is queued and has not started"; intake publishes only
when it sets the flag, and the task clears it before it looks for appeals. So an appeal committed
while the flag stands is seen by that task, and one committed after the task started sets the flag
again and queues the next. If Redis is away, nothing is published, the appeal stays with routed_at
empty, and the beat sweep routes it later.
"""
import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Long enough to cover a routing task's usual wait in the queue; if it lapses (a long queue, a
# lost message), the next intake simply queues another task.
LEASE_MS = 5000


def queue_routing(*, appeal_id: int) -> None:
    transaction.on_commit(lambda: publish_routing(appeal_id=appeal_id))


def publish_routing(*, appeal_id: int) -> None:
    """Queue a routing task unless one is already queued and not yet started."""
    from config.celery import app

    from .tasks import route_waiting_task

    try:
        with app.producer_or_acquire() as producer:
            if not _raise_flag(producer):
                return
            route_waiting_task.apply_async(producer=producer)
    except Exception:  # broker down: the sweep_unrouted task catches up
        logger.warning("could not queue routing for appeal %s; the sweep will route it", appeal_id, exc_info=True)


def routing_started() -> None:
    """A routing task is about to look for appeals: whatever commits from now on queues another."""
    from config.celery import app

    with app.producer_or_acquire() as producer:
        client = _redis(producer)
        if client is not None:
            client.delete(_flag_key())


def _raise_flag(producer) -> bool:
    """True if this call set the flag (or there is no Redis to keep one in: publish every time)."""
    client = _redis(producer)
    return client is None or bool(client.set(_flag_key(), 1, nx=True, px=LEASE_MS))


def _redis(producer):
    return getattr(producer.channel, "client", None)  # kombu's Redis channel; other brokers: None


def _flag_key() -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:routing-queued"
