"""The resident hears about their appeal: the receipt (number, code, link) at intake, and a short
message at each step they chose (appeals.models.NOTIFY_STEPS), by SMS to the callback phone and by
e-mail when they left one, in the language they filed in. A resident who follows the appeal ("me
too", appeals/followers.py) gets a receipt of their own number and code when they join and a message
at every later step, under their own number and in their language (`readers`).

Events are the truth: a step is an AppealEvent (`step_of`), announced by appeals.signals.
events_recorded and queued after commit by dispatch/feedback/updates.py; `sweep` finds steps whose
task was lost. Never twice: `deliver` claims a Notification row per (event, channel, reader) under
its unique constraints before it sends; a task delivered again, or run beside a retry, finds the
row claimed or sent and sends nothing. A failed send releases the claim (FAILED) and raises, so the
task retries; a worker killed in the middle of a send leaves its claim, and that message is not
sent again (at most once).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import validation
from .followers import followers_to_notify
from .models import Appeal, AppealEvent, Follower, Notification
from .notifications import channel_backend, channel_enabled, channel_message
from .tracking import tracking_path

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


@dataclass(frozen=True)
class Reader:
    """Whom a step's message goes to: the appeal's resident (follower None) or one of its followers,
    under the tracking number they know, in their language, on the channels that reach them."""

    follower: Follower | None
    number: str
    language: str
    addresses: list[tuple[str, str]]


def _addresses(phone: str, email: str) -> list[tuple[str, str]]:
    pairs = [("sms", phone), ("email", email)]
    return [(channel, address) for channel, address in pairs if address and channel_enabled(channel)]


def channels(appeal: Appeal) -> list[tuple[str, str]]:
    """(channel, address) pairs that reach the resident: the callback phone, the e-mail if given,
    on the channels this installation sends on."""
    return [] if appeal.anonymous else _addresses(appeal.contact_phone, appeal.contact_email)


def _resident_wants(event: AppealEvent, step: str) -> bool:
    appeal = event.appeal
    return bool(channels(appeal)) and (step == RECEIVED or step in (appeal.notify_steps or []))


def readers(event: AppealEvent) -> tuple[str | None, list[Reader]]:
    """(step, readers) of an event. A step goes to the resident who chose it and to every follower
    with a contact who joined before it (followers hear of every step: they chose none); a FOLLOWED
    event is that follower's own receipt."""
    appeal = event.appeal
    if event.kind == AppealEvent.Kind.FOLLOWED:
        joined = Follower.objects.filter(pk=(event.data or {}).get("follower"), appeal_id=appeal.pk)
        return RECEIVED, [reader for reader in map(_follower_reader, joined) if reader.addresses]
    step = step_of(event)
    if step is None:
        return None, []
    found = []
    if _resident_wants(event, step):
        found.append(Reader(None, appeal.number, appeal.language, channels(appeal)))
    if step != RECEIVED:
        joined = followers_to_notify(appeal.pk).filter(created_at__lte=event.created_at)
        found += [reader for reader in map(_follower_reader, joined) if reader.addresses]
    return step, found


def _follower_reader(follower: Follower) -> Reader:
    return Reader(follower, follower.number, follower.language,
                  _addresses(follower.contact_phone, follower.contact_email))


def wanted_events(events) -> list[AppealEvent]:
    """The events whose message someone is to get, in one query at most: the resident's choice is on
    the appeal; the followers of all the events' appeals are read together."""
    chosen, maybe = [], []
    for event in events:
        if event.kind == AppealEvent.Kind.FOLLOWED:
            maybe.append(event)
            continue
        step = step_of(event)
        if step is not None and _resident_wants(event, step):
            chosen.append(event)
        elif step not in (None, RECEIVED):
            maybe.append(event)
    if maybe:
        joined: dict[int, list] = {}
        rows = followers_to_notify(*{event.appeal_id for event in maybe}).values_list(
            "pk", "appeal_id", "created_at", "contact_phone", "contact_email")
        for pk, appeal_id, created_at, phone, email in rows:
            if _addresses(phone, email):
                joined.setdefault(appeal_id, []).append((pk, created_at))
        chosen += [event for event in maybe if any(map(_joined_in_time(event), joined.get(event.appeal_id, [])))]
    return sorted(chosen, key=lambda event: event.pk)


def _joined_in_time(event: AppealEvent):
    """For a FOLLOWED event, whether the follower is the one who joined; else whether they had
    joined by the time of the step."""
    if event.kind == AppealEvent.Kind.FOLLOWED:
        return lambda follower: follower[0] == (event.data or {}).get("follower")
    return lambda follower: follower[1] <= event.created_at


def to_queue(events) -> list[int]:
    """The step events to queue as they are recorded; a follower's receipt is queued with its code
    by appeals.signals.appeal_followed instead (the sweep still finds one that was lost)."""
    return [event.pk for event in wanted_events(events) if event.kind != AppealEvent.Kind.FOLLOWED]


def wanted(event: AppealEvent) -> bool:
    """Whether anyone is to hear of this event."""
    return bool(wanted_events([event]))


def tracking_link(number: str) -> str:
    return settings.SITE_URL + tracking_path(number)


def compose(event: AppealEvent, *, reader: Reader, access_code: str = "") -> tuple[str, str]:
    """(subject, body) of the step's message to this reader, in the active language; a follower's
    messages name their own number, never the followed appeal's."""
    facts = {"number": reader.number, "link": tracking_link(reader.number),
             "unit": event.unit.display_name if event.unit_id else ""}
    subject = _("12345: your appeal %(number)s") % facts
    step = RECEIVED if event.kind == AppealEvent.Kind.FOLLOWED else step_of(event)
    if step == RECEIVED and reader.follower is not None and access_code:
        body = _("You now follow an appeal about the same problem. Your number is %(number)s and your private "
                 "code is %(code)s. Follow it here: %(link)s")
        facts["code"] = access_code
    elif step == RECEIVED and reader.follower is not None:
        body = _("You now follow an appeal about the same problem. Your number is %(number)s; follow it here "
                 "with the code shown when you joined: %(link)s")
    elif step == RECEIVED and access_code:
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


def claim(event: AppealEvent, *, step: str, channel: str, follower: Follower | None = None) -> Notification | None:
    """Claim the (event, channel, reader) message for this sender: a new row, or a failed one taken
    again; None when it is sent or being sent by someone else."""
    try:
        with transaction.atomic():
            return Notification.objects.create(appeal_id=event.appeal_id, event=event, step=step, channel=channel,
                                               follower=follower)
    except IntegrityError:
        pass
    taken = Notification.objects.filter(event=event, channel=channel, follower=follower,
                                        state=Notification.State.FAILED)
    row = taken.first()
    if row is None or not taken.filter(pk=row.pk, attempts=row.attempts).update(
        state=Notification.State.SENDING, attempts=row.attempts + 1, error=""
    ):
        return None
    return row


def deliver(*, event_id: int, access_code: str = "") -> int:
    """Send the event's message to every reader on every channel not yet claimed; returns how many
    were sent. Raises after releasing a failed claim (the caller retries)."""
    event = AppealEvent.objects.select_related("appeal", "unit").filter(pk=event_id).first()
    if event is None:
        return 0
    step, found = readers(event)
    sent, failure = 0, None
    for reader in found:
        with translation.override(reader.language or settings.LANGUAGE_CODE):
            subject, body = compose(event, reader=reader, access_code=access_code)
        for channel, address in reader.addresses:
            row = claim(event, step=step, channel=channel, follower=reader.follower)
            if row is None:
                continue
            try:
                channel_backend(channel).send(channel_message(channel, address=address, subject=subject, body=body))
            except Exception as exc:  # the gateway's own errors: release the claim, retry later
                Notification.objects.filter(pk=row.pk).update(state=Notification.State.FAILED,
                                                              error=repr(exc)[:255])
                logger.warning("%s of %s by %s failed: %r", step, reader.number, channel, exc)
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
            Q(kind__in=list(STEP_KINDS), public=True) | Q(kind=AppealEvent.Kind.FOLLOWED),
            created_at__gte=now - SWEEP_WINDOW, created_at__lte=now - timedelta(seconds=older_than_seconds),
        )
        .filter(~Exists(Notification.objects.filter(event=OuterRef("pk"))))
        .select_related("appeal")
        .order_by("id")
    )
    found: list[int] = []
    batch = []
    for event in events.iterator(chunk_size=500):
        batch.append(event)
        if len(batch) == 500:
            found += [event.pk for event in wanted_events(batch)]
            batch = []
    return found + [event.pk for event in wanted_events(batch)]
