"""Celery tasks: thin wrappers over services, taking ids, safe to run twice (acks_late)."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from appeals import notifications
from appeals.models import Appeal

from . import callbacks, deadlines, services, sweeps
from .metrics import daily, rollup

logger = logging.getLogger(__name__)


@shared_task(
    name="dispatch.tasks.route_appeal",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def route_appeal_task(appeal_id: int) -> None:
    try:
        services.route_appeal(appeal_id=appeal_id)
    except Appeal.DoesNotExist:
        logger.error("route_appeal: appeal %s does not exist", appeal_id)


@shared_task(name="dispatch.tasks.sweep_unrouted", acks_late=True)
def sweep_unrouted(limit: int = 500) -> int:
    """Route appeals still unrouted after the grace period (broker was down, worker died).

    Reads the partial index on unrouted appeals; routing is idempotent, so overlapping sweeps on
    several workers, or a late original task, do no harm.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.ROUTING_GRACE_SECONDS)
    ids = list(
        Appeal.objects.filter(routed_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    for appeal_id in ids:
        services.route_appeal(appeal_id=appeal_id)
    if ids:
        logger.info("sweep_unrouted routed %d appeals", len(ids))
    return len(ids)


@shared_task(name="dispatch.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines_task() -> dict:
    """Every minute: warnings, overdue marks and supervision orders (idempotent, see sweeps)."""
    result = sweeps.sweep_deadlines()
    expired = callbacks.expire_callbacks()
    return {"warned": result.warned, "overdue": result.overdue, "orders": result.orders, "callbacks_expired": expired}


@shared_task(name="dispatch.tasks.recount_provisional_deadlines", acks_late=True)
def recount_provisional_deadlines() -> int:
    """Daily, and after the calendar is edited: recount deadlines counted on an unknown year."""
    return deadlines.recount_provisional()


@shared_task(name="dispatch.tasks.send_callback_invitation", acks_late=True, autoretry_for=(OSError,),
             retry_backoff=True, max_retries=5)
def send_callback_invitation(callback_id: int, token: str) -> bool:
    """Send the resident the feedback link through the configured notification backend."""
    return notifications.send_callback_invitation(callback_id=callback_id, token=token)


@shared_task(name="dispatch.tasks.refresh_rankings", acks_late=True)
def refresh_rankings() -> list[str]:
    """Every few minutes: recount the running period's rollups (and the last one's, for a while),
    and the dashboard's figures of today and yesterday."""
    now = timezone.now()
    periods = rollup.refresh(now=now)
    daily.refresh(now=now)
    return periods
