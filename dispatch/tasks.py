"""Celery tasks: thin wrappers over services, taking ids, safe to run twice (acks_late)."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
def route_appeal_task(appeal_id: int) -> int:
    """Route what waits, this appeal among it, in one batch (see services.route_waiting); returns
    how many appeals this task routed.

    Should the batch fail (an appeal the code cannot route), this appeal is routed alone so the
    others still go out; if it is itself the one that fails, it goes to the operators' queue."""
    try:
        return services.route_waiting()
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("route_appeal: a batch with appeal %s failed; routing it alone", appeal_id)
    try:
        with transaction.atomic():
            routed = Appeal.objects.filter(pk=appeal_id, routed_at__isnull=True).exists()
            services.route_appeal(appeal_id=appeal_id)
        return int(routed)
    except Appeal.DoesNotExist:
        logger.error("route_appeal: appeal %s does not exist", appeal_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("route_appeal: appeal %s cannot be routed; handed to the operators", appeal_id)
        return int(services.hand_to_operators(appeal_id=appeal_id, reason=_("Automatic routing failed")))
    return 0


# Not acks_late: beat sends a fresh sweep every interval, so a sweep lost with its worker needs no
# redelivery, and a long sweep must not be handed to a second worker when the visibility timeout ends.
@shared_task(name="dispatch.tasks.sweep_unrouted", acks_late=False)
def sweep_unrouted(batch_size: int = 500) -> int:
    """Route appeals still unrouted after the grace period (broker was down, worker died).

    Walks the whole backlog in id order, batch by batch, so a long outage drains in one sweep.
    Reads the partial index on unrouted appeals; routing is idempotent, so overlapping sweeps on
    several workers, or a late original task, do no harm. One appeal that fails to route is logged
    and skipped, never blocking the ones behind it; a lost database aborts the sweep (the next
    one starts over).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.ROUTING_GRACE_SECONDS)
    unrouted = Appeal.objects.filter(routed_at__isnull=True, created_at__lte=cutoff).order_by("id")
    routed = failed = last_id = 0
    while ids := list(unrouted.filter(id__gt=last_id).values_list("id", flat=True)[:batch_size]):
        for appeal_id in ids:
            try:
                services.route_appeal(appeal_id=appeal_id)
            except (OperationalError, InterfaceError):
                raise
            except Exception:
                failed += 1
                logger.exception("sweep_unrouted: appeal %s could not be routed; skipped", appeal_id)
            else:
                routed += 1
        last_id = ids[-1]
    if routed or failed:
        logger.info("sweep_unrouted routed %d appeals (%d failed)", routed, failed)
    return routed


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
