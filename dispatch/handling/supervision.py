"""Supervision orders: escalations on a unit's ticket, answered by the unit's head.

The deadline sweep opens one for every missed deadline (at most one per deadline, whatever runs
concurrently); a supervisor may open one by hand on any dispatched appeal. Each has its own reply
deadline, counted in working days, and closes when the unit's head replies.
"""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.events import record_transition
from appeals.models import AppealEvent
from dispatch.deadlines.workdays import get_calendar
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling.rules import heads, lock_dispatch, may_reply_to_order, may_supervise, require_role
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import Dispatch, SupervisionOrder
from streets.models import Officer


def reply_due_from(now: datetime) -> datetime:
    return get_calendar().add_working_days(now, settings.SUPERVISION_REPLY_WORKING_DAYS).at


def open_order(
    *, dispatch: Dispatch, reason: str, now: datetime, actor=None, note: str = ""
) -> SupervisionOrder | None:
    """Open an order on a locked dispatch and write its event; None if the sweep already opened it.

    Must run inside the caller's transaction (the sweep's or open_manual_order's)."""
    try:
        with transaction.atomic():  # a savepoint: a duplicate from a racing sweep leaves the caller intact
            order = SupervisionOrder.objects.create(
                dispatch=dispatch, unit=dispatch.unit, reason=reason, note=note, opened_by=actor,
                opened_at=now, reply_due=reply_due_from(now),
            )
    except IntegrityError:
        return None
    record_transition(
        appeal=dispatch.appeal, kind=AppealEvent.Kind.SUPERVISION_OPENED, actor=actor, unit=dispatch.unit,
        dispatch=dispatch, public=False, note=note or order.get_reason_display(),
    )
    return order


def open_manual_order(*, dispatch_id: int, supervisor: Officer, note: str) -> SupervisionOrder:
    """A supervisor escalates a ticket by hand (a repeated complaint, a slow unit, a press report)."""
    require_role(supervisor, Officer.Role.SUPERVISOR)
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if not note:
        raise ActionNotAllowed(_("Write what the unit must do."))
    with transaction.atomic():
        dispatch = lock_dispatch(dispatch_id)
        if not may_supervise(supervisor, dispatch):
            raise ActionNotAllowed(_("This ticket was returned; supervise the unit that holds the appeal now."))
        return open_order(
            dispatch=dispatch, reason=SupervisionOrder.Reason.MANUAL, now=timezone.now(), actor=supervisor.user,
            note=note,
        )


def reply_to_order(*, order_id: int, officer: Officer, reply: str) -> SupervisionOrder:
    """The unit's head answers the order: what was done and what comes next."""
    reply = (reply or "").strip()[:NOTE_MAX_LENGTH]
    if not reply:
        raise ActionNotAllowed(_("Write the reply first."))
    with transaction.atomic():
        order = (
            SupervisionOrder.objects.select_for_update(of=("self",))
            .select_related("dispatch", "dispatch__appeal", "unit")
            .filter(pk=order_id).first()
        )
        if order is None or not heads(officer, order.unit_id):
            raise NotYourTicket(_("No such supervision order for your unit."))
        if not may_reply_to_order(officer, order):
            raise ActionNotAllowed(_("This order has already been answered."))
        updated = SupervisionOrder.objects.filter(pk=order.pk, state=SupervisionOrder.State.OPEN).update(
            state=SupervisionOrder.State.REPLIED, reply=reply, replied_by=officer.user, replied_at=timezone.now(),
        )
        if updated != 1:
            raise ActionNotAllowed(_("This order has already been answered."))
        record_transition(
            appeal=order.dispatch.appeal, kind=AppealEvent.Kind.SUPERVISION_REPLIED, actor=officer.user,
            unit=order.unit, dispatch=order.dispatch, public=False, note=reply,
        )
        order.refresh_from_db()
        return order
