"""Celery tasks: thin wrappers over services, taking ids, safe to run twice (acks_late)."""
import gc
import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from appeals import photos, updates
from appeals.models import Appeal
from dispatch.deadlines import due, sweeps
from dispatch.feedback import callbacks, invitations
from dispatch.metrics import daily, rollup
from dispatch.routing import classify, learning, outbox, route

logger = logging.getLogger(__name__)


ROUTING_TASK_OPTIONS = {
    "acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5,
}


@shared_task(name="dispatch.tasks.route_waiting", **ROUTING_TASK_OPTIONS)
def route_waiting_task() -> int:
    """Route everything waiting, batch after batch (see dispatch.routing.outbox); returns how many."""
    outbox.routing_started()
    return route.route_backlog()


@shared_task(name="dispatch.tasks.route_appeal", **ROUTING_TASK_OPTIONS)
def route_appeal_task(appeal_id: int) -> int:
    """The per-appeal message of earlier releases, still in queues at an upgrade: routes this
    appeal with everything else waiting."""
    return route.route_backlog()


@shared_task(name="dispatch.tasks.reencode_photos", **ROUTING_TASK_OPTIONS)
def reencode_photos_task(appeal_id: int) -> int:
    """Decode and re-encode the appeal's new photos (appeals/photos.py), off the request path."""
    return photos.reencode_pending(appeal_id=appeal_id)


@shared_task(name="dispatch.tasks.sweep_pending_photos", acks_late=False)
def sweep_pending_photos() -> int:
    """Photos whose task was lost (broker down, worker killed) are re-encoded here."""
    return photos.sweep_pending(older_than_seconds=settings.ROUTING_GRACE_SECONDS)


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
        failures = len(route.route_each(ids))  # each failure logged there, left for a later sweep
        routed += len(ids) - failures
        failed += failures
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
    return due.recount_provisional()


@shared_task(name="dispatch.tasks.send_callback_invitation", acks_late=True, autoretry_for=(OSError,),
             retry_backoff=True, max_retries=5)
def send_callback_invitation(callback_id: int, token: str) -> bool:
    """Send the resident the feedback link through the configured notification backend."""
    return invitations.send_callback_invitation(callback_id=callback_id, token=token)


# Retried with backoff (1 s, 2 s, 4 s, … up to 10 minutes, jittered) when a backend fails;
# appeals.updates.deliver's claim keeps a retry, or a task delivered twice, from sending twice.
UPDATE_TASK_OPTIONS = {
    "acks_late": True, "autoretry_for": (updates.DeliveryFailed, OperationalError), "retry_backoff": True,
    "retry_backoff_max": 600, "max_retries": 8,
}


@shared_task(name="dispatch.tasks.send_receipt", **UPDATE_TASK_OPTIONS)
def send_receipt(appeal_id: int, access_code: str) -> int:
    """The receipt of a new appeal (number, code, link) by SMS and e-mail."""
    event_id = updates.receipt_event_id(appeal_id)
    return updates.deliver(event_id=event_id, access_code=access_code) if event_id else 0


@shared_task(name="dispatch.tasks.send_follow_receipt", **UPDATE_TASK_OPTIONS)
def send_follow_receipt(event_id: int, access_code: str) -> int:
    """A follower's receipt (their own number, code, link) by SMS and e-mail."""
    return updates.deliver(event_id=event_id, access_code=access_code)


@shared_task(name="dispatch.tasks.send_updates", **UPDATE_TASK_OPTIONS)
def send_updates(event_ids: list[int]) -> int:
    """The step messages of these events, each once per channel; a failed one retries the task,
    and the ones already sent are skipped by their claim."""
    sent, failure = 0, None
    for event_id in event_ids:
        try:
            sent += updates.deliver(event_id=event_id)
        except updates.DeliveryFailed as exc:
            failure = exc
    if failure is not None:
        raise failure
    return sent


@shared_task(name="dispatch.tasks.sweep_updates", acks_late=False)
def sweep_updates() -> int:
    """Steps whose message was never queued (broker down, worker gone) are queued here."""
    event_ids = updates.lost(older_than_seconds=settings.ROUTING_GRACE_SECONDS)
    for start in range(0, len(event_ids), 100):
        send_updates.delay(event_ids[start:start + 100])
    return len(event_ids)


@shared_task(name="dispatch.tasks.refresh_rankings", acks_late=True)
def refresh_rankings() -> list[str]:
    """Every few minutes: recount the running period's rollups (and the last one's, for a while),
    and the dashboard's figures of today and yesterday."""
    now = timezone.now()
    periods = rollup.refresh(now=now)
    daily.refresh(now=now)
    return periods


# Not acks_late: a retrain lost with its worker is simply done at the next beat; redelivering a
# long training to a second worker after the visibility timeout would train twice.
@shared_task(name="dispatch.tasks.retrain_classifier", acks_late=False)
def retrain_classifier() -> int | None:
    """On a schedule: train a new classifier version when operators labelled new examples (nothing
    is trained otherwise); it goes into service only if not worse. Returns its id."""
    version = learning.train_version(trigger="schedule")
    return version.pk if version else None


@worker_process_init.connect
def load_classifier_in_pool_process(**kwargs) -> None:
    """Each prefork pool process classifies: it loads the model as it starts, not on its first batch."""
    _ready_to_route()


@worker_ready.connect
def load_classifier_in_solo_worker(sender=None, **kwargs) -> None:
    """A worker without a pool of processes (solo, threads) classifies in its own process."""
    if "prefork" not in type(getattr(sender, "pool", None)).__module__:
        _ready_to_route()


def _ready_to_route() -> None:
    """Load the model, then leave everything loaded so far (Django, the model, jieba's dictionary:
    it lives as long as the process) out of the garbage collector's full passes, which a routing
    batch's thousands of new objects trigger: walking it each time was a tenth of routing's CPU."""
    classify.warm_up()
    gc.freeze()
