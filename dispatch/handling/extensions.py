"""Extensions: a unit asks for more time on a complex appeal; a supervisor decides.

Approved, the resolve deadline moves to the end of the proposed day and the resident's timeline
says so; refused, the deadline stands. Either way the request and decision stay on record.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import notes
from appeals.events import record_transition
from appeals.models import AppealEvent
from dispatch.deadlines.due import format_due, warn_at
from dispatch.deadlines.workdays import END_OF_DAY, get_calendar
from dispatch.exceptions import ActionNotAllowed
from dispatch.handling.rules import (
    lock_own_dispatch,
    lock_pending_request,
    may_extend,
    refuse_while_return_pending,
    require_role,
)
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import Dispatch, ExtensionRequest
from streets.models import Officer


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def request_extension(*, dispatch_id: int, officer: Officer, reason: str, proposed_day: date) -> ExtensionRequest:
    reason = (reason or "").strip()[:NOTE_MAX_LENGTH]
    if not reason:
        raise ActionNotAllowed(_("Explain why more time is needed."))
    if not get_calendar().is_workday(proposed_day):
        raise ActionNotAllowed(_("The proposed day is not a working day; choose a working day."))
    proposed_due = end_of(proposed_day)
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        if not may_extend(officer, dispatch):
            raise ActionNotAllowed(_("This ticket is closed."))
        refuse_while_return_pending(dispatch)
        now = timezone.now()
        if dispatch.resolve_due < now:
            raise ActionNotAllowed(_("The deadline has passed: more time must be asked for before it."))
        if proposed_due <= dispatch.resolve_due:
            raise ActionNotAllowed(_("The proposed day must be after the current deadline."))
        if proposed_due > dispatch.resolve_due + timedelta(days=settings.EXTENSION_MAX_DAYS):
            raise ActionNotAllowed(
                _("An extension can add at most %(days)d days.") % {"days": settings.EXTENSION_MAX_DAYS}
            )
        if ExtensionRequest.objects.filter(dispatch=dispatch, state=ExtensionRequest.Decision.PENDING).exists():
            raise ActionNotAllowed(_("An extension request is already waiting for a supervisor."))
        request = ExtensionRequest.objects.create(
            dispatch=dispatch, requested_by=officer.user, requested_at=now, reason=reason,
            proposed_due=proposed_due, previous_due=dispatch.resolve_due,
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.EXTENSION_REQUESTED, actor=officer.user,
            unit=dispatch.unit, dispatch=dispatch, public=False,
            note=reason, message=notes.message("extension.requested", due=proposed_due.isoformat()),
        )
        return request


def _lock_pending(extension_id: int) -> tuple[ExtensionRequest, Dispatch]:
    return lock_pending_request(
        ExtensionRequest, extension_id, missing=_("No such extension request."),
        decided=_("This extension request has already been decided."),
    )


def approve_extension(*, extension_id: int, supervisor: Officer, note: str = "") -> Dispatch:
    require_role(supervisor, Officer.Role.SUPERVISOR)
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    with transaction.atomic():
        request, dispatch = _lock_pending(extension_id)
        if not dispatch.is_open:
            raise ActionNotAllowed(_("The ticket is no longer open; there is nothing to extend."))
        now = timezone.now()
        new_due = request.proposed_due
        changes = {
            "resolve_due": new_due,
            "resolve_warn_at": warn_at(dispatch.dispatched_at, new_due),
            "resolve_warned_at": None,
            "resolve_extended": True,
        }
        Dispatch.objects.filter(pk=dispatch.pk).update(**changes)
        for field, value in changes.items():
            setattr(dispatch, field, value)
        ExtensionRequest.objects.filter(pk=request.pk).update(
            state=ExtensionRequest.Decision.APPROVED, decided_by=supervisor.user, decided_at=now, decision_note=note,
        )
        # Public: the resident sees the new deadline on the tracking page (the note is the date only).
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.EXTENSION_APPROVED, actor=supervisor.user,
            unit=dispatch.unit, dispatch=dispatch, public=True, note=format_due(new_due),
            data={"resolve_due": new_due},
        )
        return dispatch


def refuse_extension(*, extension_id: int, supervisor: Officer, note: str = "") -> ExtensionRequest:
    require_role(supervisor, Officer.Role.SUPERVISOR)
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if not note:
        raise ActionNotAllowed(_("Tell the unit why no more time is given."))
    with transaction.atomic():
        request, dispatch = _lock_pending(extension_id)
        ExtensionRequest.objects.filter(pk=request.pk).update(
            state=ExtensionRequest.Decision.REFUSED, decided_by=supervisor.user, decided_at=timezone.now(),
            decision_note=note,
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.EXTENSION_REFUSED, actor=supervisor.user,
            unit=dispatch.unit, dispatch=dispatch, public=False, note=note,
        )
        request.refresh_from_db()
        return request
