"""Closing the loop: the callback survey after resolution, reopening, and closing the appeal.

A callback opens when the responsible unit resolves (or when its resolve deadline passes without
that). The resident answers on a tokenised link, on the tracking page with their code, or on the
phone to an operator: solved yes/no, and satisfied / basically satisfied / dissatisfied. Unsolved
and dissatisfied sends the appeal back to the same unit once, with a new deadline; the second
outcome stands. Rated or expired, a resolved appeal is closed.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.events import record_transition
from appeals.models import Appeal, AppealEvent
from config.celery import app
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling.rules import require_role
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import Callback, Dispatch
from dispatch.routing.route import create_dispatch
from streets.models import Officer

logger = logging.getLogger(__name__)

Satisfaction = Callback.Satisfaction


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Answers:
    solved: bool
    satisfaction: str
    comment: str = ""

    def cleaned(self) -> Answers:
        if self.satisfaction not in Satisfaction.values:
            raise ActionNotAllowed(_("Choose how satisfied you are."))
        if not isinstance(self.solved, bool):
            raise ActionNotAllowed(_("Say whether the problem was solved."))
        return Answers(self.solved, self.satisfaction, (self.comment or "").strip()[:NOTE_MAX_LENGTH])

    @property
    def sends_back(self) -> bool:
        return not self.solved and self.satisfaction == Satisfaction.DISSATISFIED


def open_callback(*, dispatch: Dispatch, now: datetime) -> Callback | None:
    """Open the survey for a primary dispatch (inside the caller's transaction); None if it has one.

    The invitation (a link with a fresh token) is sent after commit; only the token's hash is kept."""
    if dispatch.role != Dispatch.Role.PRIMARY or Callback.objects.filter(dispatch=dispatch).exists():
        return None
    token = secrets.token_urlsafe(24)
    callback = Callback.objects.create(
        dispatch=dispatch, token_hash=hash_token(token), opened_at=now,
        closes_at=now + timedelta(days=settings.CALLBACK_WINDOW_DAYS),
    )
    record_transition(
        appeal=dispatch.appeal, kind=AppealEvent.Kind.CALLBACK_OPENED, unit=dispatch.unit, dispatch=dispatch,
        public=True,
    )
    if not dispatch.appeal.anonymous:
        transaction.on_commit(lambda: _queue_invitation(callback.pk, token))
    return callback


def _queue_invitation(callback_id: int, token: str) -> None:
    try:
        app.send_task("dispatch.tasks.send_callback_invitation", args=[callback_id, token])
    except Exception:  # broker away: the resident can still rate on the tracking page, operators can call
        logger.warning("could not queue the callback invitation for %s", callback_id, exc_info=True)


def _lock_open(callback_filter: dict) -> Callback:
    """Lock the survey (the latest, when several match) and check it can still be answered."""
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("dispatch", "dispatch__appeal", "dispatch__unit", "dispatch__appeal__category")
        .filter(**callback_filter)
        .order_by("-opened_at", "-id")
        .first()
    )
    if callback is None:
        raise NotYourTicket(_("This feedback link is not valid."))
    if callback.state == Callback.State.RATED:
        raise ActionNotAllowed(_("Feedback has already been given. Thank you."))
    if callback.state == Callback.State.EXPIRED or callback.closes_at <= timezone.now():
        raise ActionNotAllowed(_("The time for feedback on this appeal has passed."))
    return callback


def callback_for_token(token: str) -> Callback | None:
    """The callback a link points to (any state), for showing the survey page."""
    return (
        Callback.objects.select_related("dispatch", "dispatch__appeal", "dispatch__unit")
        .filter(token_hash=hash_token(token or "")).first()
    )


def rate_by_token(*, token: str, answers: Answers) -> Callback:
    with transaction.atomic():
        return _rate(_lock_open({"token_hash": hash_token(token or "")}), answers, Callback.Channel.WEB, None)


def rate_by_tracking(*, appeal: Appeal, answers: Answers) -> Callback:
    """The resident, signed in by tracking number and code, answers the open survey."""
    with transaction.atomic():
        callback = _lock_open({"dispatch__appeal": appeal})
        return _rate(callback, answers, Callback.Channel.WEB, None)


def record_phone_callback(*, callback_id: int, operator: Officer, answers: Answers) -> Callback:
    """An operator calls the resident and records the answers."""
    require_role(operator, Officer.Role.OPERATOR)
    with transaction.atomic():
        return _rate(_lock_open({"pk": callback_id}), answers, Callback.Channel.PHONE, operator.user)


def record_unanswered_call(*, callback_id: int, operator: Officer) -> Callback:
    """An operator called and nobody answered: the survey is listed again after
    CALLBACK_RETRY_HOURS; the CALLBACK_CALL_TRIES-th unanswered call closes it unrated."""
    require_role(operator, Officer.Role.OPERATOR)
    with transaction.atomic():
        callback = _lock_open({"pk": callback_id})
        now = timezone.now()
        calls = callback.unanswered_calls + 1
        again = now + timedelta(hours=settings.CALLBACK_RETRY_HOURS)
        if not Callback.objects.filter(pk=callback.pk, state=Callback.State.OPEN).update(
            unanswered_calls=calls, call_again_at=again
        ):
            raise ActionNotAllowed(_("Feedback has already been given, or the time for it has passed."))
        callback.unanswered_calls, callback.call_again_at = calls, again
        dispatch = callback.dispatch
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.CALLBACK_UNANSWERED, actor=operator.user,
            unit=dispatch.unit, dispatch=dispatch, public=False, data={"calls": calls}, at=now,
        )
        if calls >= settings.CALLBACK_CALL_TRIES:
            _expire(callback.pk, now=now, data={"unanswered_calls": calls})
            callback.state = Callback.State.EXPIRED
        return callback


def _rate(callback: Callback, answers: Answers, channel: str, recorded_by) -> Callback:
    answers = answers.cleaned()
    now = timezone.now()
    changes = {
        "state": Callback.State.RATED, "solved": answers.solved, "satisfaction": answers.satisfaction,
        "comment": answers.comment, "channel": channel, "recorded_by": recorded_by, "rated_at": now,
    }
    # The caller holds the row lock, so this only fails when the survey left OPEN after it was read
    # (a stale row): then nothing is recorded, rather than an answer the table does not hold.
    if not Callback.objects.filter(pk=callback.pk, state=Callback.State.OPEN).update(**changes):
        raise ActionNotAllowed(_("Feedback has already been given, or the time for it has passed."))
    for field, value in changes.items():
        setattr(callback, field, value)
    dispatch = callback.dispatch
    record_transition(
        appeal=dispatch.appeal, kind=AppealEvent.Kind.RATED, actor=recorded_by, unit=dispatch.unit,
        dispatch=dispatch, public=True,
        data={"solved": answers.solved, "satisfaction": answers.satisfaction, "channel": channel}, at=now,
    )
    settle_appeal(dispatch=dispatch, now=now)
    return callback


def settle_appeal(*, dispatch: Dispatch, now: datetime) -> None:
    """After a resolution, a rating or an expiry: close the appeal, or send it back once."""
    callback = Callback.objects.filter(dispatch=dispatch).first()
    if dispatch.state != Dispatch.State.RESOLVED or callback is None or callback.state == Callback.State.OPEN:
        return
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=dispatch.appeal_id)
    if appeal.status == Appeal.Status.CLOSED:
        return
    rated_badly = callback.state == Callback.State.RATED and Answers(
        callback.solved, callback.satisfaction
    ).sends_back
    if rated_badly and dispatch.reopened_from_id is None:
        _reopen(dispatch=dispatch, appeal=appeal, now=now)
        return
    record_transition(appeal=appeal, kind=AppealEvent.Kind.CLOSED, to_status=Appeal.Status.CLOSED,
                      unit=dispatch.unit, dispatch=dispatch, public=True)


def _reopen(*, dispatch: Dispatch, appeal: Appeal, now: datetime) -> Dispatch:
    Dispatch.objects.filter(pk=dispatch.pk).update(is_current=False)
    dispatch.is_current = False
    new = create_dispatch(appeal=appeal, unit=dispatch.unit, actor=None, now=now, reopened_from=dispatch)
    record_transition(
        appeal=appeal, kind=AppealEvent.Kind.REOPENED, unit=dispatch.unit, dispatch=dispatch, public=True,
        data={"new_dispatch": new.pk}, at=now,
    )
    return new


def expire_callbacks(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close surveys nobody answered in time; a resolved appeal is then closed unrated."""
    now = now or timezone.now()
    ids = list(
        Callback.objects.filter(state=Callback.State.OPEN, closes_at__lte=now)
        .order_by("closes_at").values_list("id", flat=True)[:batch]
    )
    expired = 0
    for callback_id in ids:
        with transaction.atomic():
            expired += _expire(callback_id, now=now)
    return expired


def _expire(callback_id: int, *, now: datetime, data: dict | None = None) -> bool:
    """Close an open survey unrated (inside the caller's transaction) and settle the appeal; False
    when it was no longer open."""
    if not Callback.objects.filter(pk=callback_id, state=Callback.State.OPEN).update(state=Callback.State.EXPIRED):
        return False
    dispatch = Dispatch.objects.select_related("appeal", "unit").get(callback__pk=callback_id)
    record_transition(
        appeal=dispatch.appeal, kind=AppealEvent.Kind.CALLBACK_EXPIRED, unit=dispatch.unit,
        dispatch=dispatch, public=False, data=data, at=now,
    )
    settle_appeal(dispatch=dispatch, now=now)
    return True
