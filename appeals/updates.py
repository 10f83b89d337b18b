"""The resident hears about their appeal: the receipt (number, code, link) at intake, and a short
message at each step they chose (appeals.models.NOTIFY_STEPS), by SMS to the callback phone and by
e-mail when they left one, in the language they filed in.

Events are the truth: a step is an AppealEvent (`step_of`), announced by appeals.signals.
events_recorded and queued after commit by dispatch/feedback/updates.py; `sweep` finds steps whose
task was lost. Never twice: `deliver` claims a Notification row per (event, channel) under its
unique constraint before it sends; a task delivered again, or run beside a retry, finds the row
claimed or sent and sends nothing. A failed send releases the claim (FAILED) and raises, so the
task retries; a worker killed in the middle of a send leaves its claim, and that message is not
sent again (at most once).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import validation
from .models import Appeal, AppealEvent, Notification
from .notifications import channel_backend, channel_enabled, channel_message

logger = logging.getLogger(__name__)

RECEIVED = "received"
# The event that makes each step; a co-handling department's response is not the appeal's.
STEP_KINDS = {
    AppealEvent.Kind.RECEIVED: RECEIVED,
    AppealEvent.Kind.DISPATCHED: "dispatched",
    AppealEvent.Kind.RESPONDED: "responded",
    AppealEvent.Kind.EXTENSION_APPROVED: "extended",
    AppealEvent.Kind.RESOLVED: "resolved",
    AppealEvent.Kind.REOPENED: "reopened",
}
SWEEP_WINDOW = timedelta(hours=1)  # steps older than this are news no more


def step_of(event: AppealEvent) -> str | None:
    """The step an event is for the resident, or None (internal events, a co-handler's part, the
    new dispatch of a reopen)."""
    step = STEP_KINDS.get(event.kind)
    if step is None or not event.public:
        return None
    moved_to_responded = event.to_status == Appeal.Status.RESPONDED != event.from_status
    if event.kind == AppealEvent.Kind.RESPONDED and not moved_to_responded:
        return None  # a co-handling department's response leaves the appeal's status where it was
    if event.kind == AppealEvent.Kind.DISPATCHED and event.from_status == Appeal.Status.RESOLVED:
        return None  # the dispatch of a reopen: the REOPENED message tells it
    return step


def channels(appeal: Appeal) -> list[tuple[str, str]]:
    """(channel, address) pairs that reach the resident: the callback phone, the e-mail if given,
    on the channels this installation sends on."""
    if appeal.anonymous:
        return []
    pairs = [("sms", appeal.contact_phone), ("email", appeal.contact_email)]
    return [(channel, address) for channel, address in pairs if address and channel_enabled(channel)]


def wanted(event: AppealEvent) -> bool:
    """Whether the event is a step this appeal's resident asked to hear about, on a channel they gave."""
    step = step_of(event)
    appeal = event.appeal
    if step is None or not channels(appeal):
        return False
    return step == RECEIVED or step in (appeal.notify_steps or [])


def tracking_link(appeal: Appeal) -> str:
    return f"{settings.SITE_URL}{reverse('appeals:track')}?number={appeal.number}"


def compose(event: AppealEvent, *, access_code: str = "") -> tuple[str, str]:
    """(subject, body) of the step's message, in the active language."""
    appeal = event.appeal
    facts = {"number": appeal.number, "link": tracking_link(appeal),
             "unit": event.unit.display_name if event.unit_id else ""}
    subject = _("12345: your appeal %(number)s") % facts
    step = step_of(event)
    if step == RECEIVED and access_code:
        body = _("We received your appeal %(number)s. Your private code is %(code)s. Follow it here: %(link)s")
        facts["code"] = access_code
    elif step == RECEIVED:
        body = _("We received your appeal %(number)s. Follow it here with the code shown when you filed it: "
                 "%(link)s")
    elif step == "dispatched":
        body = _("Your appeal %(number)s has been sent to %(unit)s, which will handle it. %(link)s")
    elif step == "responded":
        body = _("%(unit)s has taken up your appeal %(number)s. %(link)s")
    elif step == "extended":
        body = _("%(unit)s was given more time for your appeal %(number)s; the new deadline is on its page: "
                 "%(link)s")
    elif step == "resolved":
        body = _("%(unit)s has answered your appeal %(number)s. Read the answer and tell us how it went: %(link)s")
    else:
        body = _("Your appeal %(number)s was sent back to %(unit)s to be handled again. %(link)s")
    return subject, body % facts


def claim(event: AppealEvent, *, step: str, channel: str) -> Notification | None:
    """Claim the (event, channel) message for this sender: a new row, or a failed one taken again;
    None when it is sent or being sent by someone else."""
    try:
        with transaction.atomic():
            return Notification.objects.create(appeal_id=event.appeal_id, event=event, step=step, channel=channel)
    except IntegrityError:
        pass
    taken = Notification.objects.filter(event=event, channel=channel, state=Notification.State.FAILED)
    row = taken.first()
    if row is None or not taken.filter(pk=row.pk, attempts=row.attempts).update(
        state=Notification.State.SENDING, attempts=row.attempts + 1, error=""
    ):
        return None
    return row


def deliver(*, event_id: int, access_code: str = "") -> int:
    """Send the event's message on every channel that reaches the resident and is not yet claimed;
    returns how many were sent. Raises after releasing a failed claim (the caller retries)."""
    event = AppealEvent.objects.select_related("appeal", "unit").filter(pk=event_id).first()
    if event is None or not wanted(event):
        return 0
    appeal, step, sent, failure = event.appeal, step_of(event), 0, None
    with translation.override(appeal.language or settings.LANGUAGE_CODE):
        subject, body = compose(event, access_code=access_code)
    for channel, address in channels(appeal):
        backend = channel_backend(channel)
        row = claim(event, step=step, channel=channel)
        if row is None:
            continue
        try:
            backend.send(channel_message(channel, address=address, subject=subject, body=body))
        except Exception as exc:  # the gateway's own errors: release the claim, retry later
            Notification.objects.filter(pk=row.pk).update(state=Notification.State.FAILED, error=repr(exc)[:255])
            logger.warning("%s of appeal %s by %s failed: %r", step, appeal.number, channel, exc)
            failure = failure or exc
            continue
        Notification.objects.filter(pk=row.pk).update(state=Notification.State.SENT, sent_at=timezone.now())
        sent += 1
    if failure is not None:
        raise DeliveryFailed(str(failure)) from failure
    return sent


class DeliveryFailed(Exception):
    """A backend could not send; the claim is released for the retry."""


def choose_steps(*, appeal: Appeal, steps) -> None:
    """The resident changes which steps they hear about (from "My appeals")."""
    chosen = validation.clean_notify_steps(list(steps))
    Appeal.objects.filter(pk=appeal.pk).update(notify_steps=chosen)
    appeal.notify_steps = chosen


def receipt_event_id(appeal_id: int) -> int | None:
    return (AppealEvent.objects.filter(appeal_id=appeal_id, kind=AppealEvent.Kind.RECEIVED)
            .values_list("id", flat=True).first())


def lost(*, older_than_seconds: int) -> list[int]:
    """Steps of the last hour, older than the grace period, with no message claimed on any channel:
    their task was lost (broker down, worker gone). A lost receipt is sent without its code."""
    now = timezone.now()
    events = (
        AppealEvent.objects.filter(
            kind__in=list(STEP_KINDS), public=True,
            created_at__gte=now - SWEEP_WINDOW, created_at__lte=now - timedelta(seconds=older_than_seconds),
        )
        .exclude(appeal__anonymous=True)
        .filter(~Exists(Notification.objects.filter(event=OuterRef("pk"))))
        .select_related("appeal")
        .order_by("id")
    )
    return [event.pk for event in events.iterator(chunk_size=500) if wanted(event)]
