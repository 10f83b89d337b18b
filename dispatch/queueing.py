"""Queue routing after commit; the broker being away must never fail an intake.

If publishing fails, the appeal stays with routed_at empty and the beat sweep routes it later.
"""
import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def queue_routing(*, appeal_id: int) -> None:
    transaction.on_commit(lambda: _publish(appeal_id))


def _publish(appeal_id: int) -> None:
    from .tasks import route_appeal_task

    try:
        route_appeal_task.delay(appeal_id)
    except Exception:  # broker down: the sweep_unrouted task catches up
        logger.warning("could not queue routing for appeal %s; the sweep will route it", appeal_id, exc_info=True)
