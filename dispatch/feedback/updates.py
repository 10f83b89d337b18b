"""Queue the resident's receipt and step messages after commit (what they say and the claim that
keeps each from going twice: appeals/updates.py). Receivers of appeals.signals, connected by
DispatchConfig.ready; tasks are sent by name (dispatch.tasks is the entry point, nothing imports
it). If the broker is away nothing is queued and the beat sweep `sweep_updates` sends the steps
later (a receipt then without its code, which is never stored)."""
import logging

from django.db import transaction

from appeals import updates
from config.celery import app

logger = logging.getLogger(__name__)

SEND_RECEIPT_TASK = "dispatch.tasks.send_receipt"
SEND_UPDATES_TASK = "dispatch.tasks.send_updates"
SEND_FOLLOW_RECEIPT_TASK = "dispatch.tasks.send_follow_receipt"


def appeal_filed(sender, *, appeal_id: int, access_code: str = "", **kwargs) -> None:
    """Receiver of appeals.signals.appeal_filed: the receipt, with the code, once committed."""
    if access_code:
        transaction.on_commit(lambda: _publish(SEND_RECEIPT_TASK, [appeal_id, access_code]))


def appeal_followed(sender, *, event_id: int, access_code: str, **kwargs) -> None:
    """Receiver of appeals.signals.appeal_followed: the follower's receipt, with the code, once committed."""
    transaction.on_commit(lambda: _publish(SEND_FOLLOW_RECEIPT_TASK, [event_id, access_code]))


def events_recorded(sender, *, events, **kwargs) -> None:
    """Receiver of appeals.signals.events_recorded: one task for the steps its residents and
    followers are to hear of."""
    event_ids = updates.to_queue(events)
    if event_ids:
        transaction.on_commit(lambda: _publish(SEND_UPDATES_TASK, [event_ids]))


def _publish(task: str, args: list) -> None:
    try:
        app.send_task(task, args=args)
    except Exception:  # broker down: sweep_updates catches up
        logger.warning("could not queue %s; the sweep will send it", task, exc_info=True)
