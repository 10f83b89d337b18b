"""The deadline sweep, run by Celery beat every minute.

For each deadline (response, resolve) it warns the dispatches whose warning time has come and marks
overdue those past due, opening a supervision order for each miss. Every read goes through a small
partial index (see Dispatch.Meta.indexes); every write is a conditional UPDATE on the very marker
it sets, so a second run, or a run on another worker at the same moment, changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from appeals import notes
from appeals.events import record_transition
from appeals.models import AppealEvent
from dispatch.feedback.callbacks import open_callback
from dispatch.handling.supervision import open_order
from dispatch.models import Dispatch, SupervisionOrder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clock:
    """One of a dispatch's two deadlines and the columns the sweep keeps for it."""

    name: str
    due: str
    warn_at: str
    warned_at: str
    overdue_at: str
    states: tuple[str, ...]
    order_reason: str
    note: str  # "%(due)s" is the deadline, in the event note


RESPONSE = Clock(
    "response", "response_due", "response_warn_at", "response_warned_at", "response_overdue_at",
    Dispatch.UNRESPONDED_STATES, SupervisionOrder.Reason.RESPONSE_OVERDUE, gettext_lazy("Respond by %(due)s"),
)
RESOLVE = Clock(
    "resolve", "resolve_due", "resolve_warn_at", "resolve_warned_at", "resolve_overdue_at",
    Dispatch.OPEN_STATES, SupervisionOrder.Reason.RESOLVE_OVERDUE, gettext_lazy("Resolve by %(due)s"),
)


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    orders: int = 0
    by_clock: dict = field(default_factory=dict)


def sweep_deadlines(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    for clock in (RESPONSE, RESOLVE):
        warned = _warn(clock, now, batch)
        overdue, orders = _mark_overdue(clock, now, batch)
        result.warned += warned
        result.overdue += overdue
        result.orders += orders
        result.by_clock[clock.name] = {"warned": warned, "overdue": overdue}
    if result.warned or result.overdue:
        logger.info("deadline sweep: %s", result)
    return result


def _waiting(clock: Clock, marker: str, **conditions):
    return Dispatch.objects.filter(state__in=clock.states, **{f"{marker}__isnull": True}, **conditions)


def _warn(clock: Clock, now: datetime, batch: int) -> int:
    candidates = (
        _waiting(clock, clock.warned_at, **{f"{clock.warn_at}__lte": now, f"{clock.due}__gt": now})
        .select_related("appeal", "unit").order_by(clock.warn_at)[:batch]
    )
    count = 0
    for dispatch in candidates:
        with transaction.atomic():
            claimed = _waiting(clock, clock.warned_at, pk=dispatch.pk).update(**{clock.warned_at: now})
            if not claimed:
                continue  # another sweep, or the officer, got there first
            record_transition(
                appeal=dispatch.appeal, kind=AppealEvent.Kind.DEADLINE_WARNING, unit=dispatch.unit,
                dispatch=dispatch, public=False, message=_note(clock, dispatch),
            )
            count += 1
    return count


def _mark_overdue(clock: Clock, now: datetime, batch: int) -> tuple[int, int]:
    candidates = (
        _waiting(clock, clock.overdue_at, **{f"{clock.due}__lte": now})
        .select_related("appeal", "unit").order_by(clock.due)[:batch]
    )
    overdue = orders = 0
    for dispatch in candidates:
        with transaction.atomic():
            # Marking overdue also settles the warning, so the row leaves the warning index too.
            claimed = _waiting(clock, clock.overdue_at, pk=dispatch.pk).update(
                **{clock.overdue_at: now, clock.warned_at: Coalesce(F(clock.warned_at), now)}
            )
            if not claimed:
                continue
            record_transition(
                appeal=dispatch.appeal, kind=AppealEvent.Kind.OVERDUE, unit=dispatch.unit, dispatch=dispatch,
                public=False, message=_note(clock, dispatch), data={"clock": clock.name}, at=now,
            )
            overdue += 1
            if open_order(dispatch=dispatch, reason=clock.order_reason, now=now) is not None:
                orders += 1
            if clock is RESOLVE:  # no answer by the deadline: ask the resident anyway
                open_callback(dispatch=dispatch, now=now)
    return overdue, orders


def _note(clock: Clock, dispatch: Dispatch) -> dict:
    """The event's note: the clock's deadline, rendered in the reader's language (dispatch/notes.py)."""
    return notes.message(f"deadline.{clock.name}", due=getattr(dispatch, clock.due).isoformat())
