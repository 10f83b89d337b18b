"""Returns: a unit says "not ours"; the operators re-dispatch the appeal or refuse.

The clock never stops for a request: refused, the unit's original deadlines stand; approved, the
unit's dispatch is closed as returned (and not charged to it), and the new unit's clock starts at
its own dispatch.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import notes
from appeals.events import record_transition
from appeals.models import AppealEvent, Category
from dispatch.exceptions import ActionNotAllowed
from dispatch.handling.actions import set_category
from dispatch.handling.rules import (
    advance,
    check_dispatch_target,
    lock_own_dispatch,
    lock_pending_request,
    may_return,
    require_role,
)
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import Dispatch, LabelledExample, ReturnRequest
from dispatch.routing.learning import record_example
from dispatch.routing.route import create_dispatch
from streets.models import Officer, Unit


def request_return(
    *, dispatch_id: int, officer: Officer, reason: str, note: str, suggested_unit: Unit | None = None
) -> ReturnRequest:
    """Ask the center to take a misrouted ticket back; allowed before responding, within the window."""
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if reason not in ReturnRequest.Reason.values:
        raise ActionNotAllowed(_("Choose why the ticket is not yours."))
    if not note:
        raise ActionNotAllowed(_("Explain why the ticket is not yours, so the operators can send it on."))
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        if not may_return(officer, dispatch):
            raise ActionNotAllowed(
                _("A summoned department reports its part; it cannot return the appeal.") if dispatch.is_cohandling
                else _("A ticket cannot be returned once the resident has been contacted.")
            )
        window = timedelta(hours=settings.RETURN_WINDOW_HOURS)
        if timezone.now() > dispatch.dispatched_at + window:
            raise ActionNotAllowed(
                _("Returns must be asked for within %(hours)d hours of dispatch.")
                % {"hours": settings.RETURN_WINDOW_HOURS}
            )
        if dispatch.whistles.exists():
            raise ActionNotAllowed(_("You summoned departments onto this appeal; it cannot be returned."))
        if ReturnRequest.objects.filter(dispatch=dispatch, state=ReturnRequest.Decision.PENDING).exists():
            raise ActionNotAllowed(_("A return is already waiting for the operators."))
        request = ReturnRequest.objects.create(
            dispatch=dispatch, requested_by=officer.user, reason=reason, note=note, suggested_unit=suggested_unit,
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.RETURN_REQUESTED, actor=officer.user, unit=dispatch.unit,
            dispatch=dispatch, public=False, note=note, message=notes.message("return.requested", reason=reason),
        )
        return request


def _lock_pending(return_id: int) -> tuple[ReturnRequest, Dispatch]:
    return lock_pending_request(
        ReturnRequest, return_id, missing=_("No such return request."),
        decided=_("This return request has already been decided."),
    )


def approve_return(
    *, return_id: int, operator: Officer, unit: Unit, category: Category | None = None, note: str = ""
) -> Dispatch:
    """Close the returning unit's dispatch as returned and dispatch the appeal to `unit`.

    A return for the matter (not ours by duty) or with the category corrected teaches the
    classifier: the appeal's text under the category it was re-dispatched with."""
    require_role(operator, Officer.Role.OPERATOR)
    check_dispatch_target(unit)
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    with transaction.atomic():
        request, old = _lock_pending(return_id)
        if unit.pk == old.unit_id:
            raise ActionNotAllowed(_("Choose another unit: this one asked to return the appeal."))
        now = timezone.now()
        advance(
            old, allowed=Dispatch.UNRESPONDED_STATES,
            refusal=_("The unit has already contacted the resident; the ticket can no longer be returned."),
            state=Dispatch.State.RETURNED, is_current=False, returned_at=now,
        )
        record_transition(
            appeal=old.appeal, kind=AppealEvent.Kind.RETURN_APPROVED, actor=operator.user, unit=old.unit,
            dispatch=old, public=False, note=note, at=now,
        )
        appeal = old.appeal
        extra = set_category(appeal, category)
        new = create_dispatch(appeal=appeal, unit=unit, actor=operator.user, now=now, note=note, extra_fields=extra)
        if appeal.category is not None and (extra or request.reason == ReturnRequest.Reason.DUTY):
            # Misrouted by its matter: the category the operator sent it on under is the label.
            record_example(
                text=appeal.text, category_code=appeal.category.code, appeal_id=appeal.pk,
                source=LabelledExample.Source.APPROVED_RETURN,
            )
        ReturnRequest.objects.filter(pk=request.pk).update(
            state=ReturnRequest.Decision.APPROVED, decided_by=operator.user, decided_at=now,
            decision_note=note, new_dispatch=new,
        )
        return new


def refuse_return(*, return_id: int, operator: Officer, note: str = "") -> ReturnRequest:
    """Send the ticket back to the unit: it was theirs, and their clock never stopped."""
    require_role(operator, Officer.Role.OPERATOR)
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if not note:
        raise ActionNotAllowed(_("Tell the unit why the ticket is theirs."))
    with transaction.atomic():
        request, dispatch = _lock_pending(return_id)
        now = timezone.now()
        ReturnRequest.objects.filter(pk=request.pk).update(
            state=ReturnRequest.Decision.REFUSED, decided_by=operator.user, decided_at=now, decision_note=note,
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.RETURN_REFUSED, actor=operator.user, unit=dispatch.unit,
            dispatch=dispatch, public=False, note=note,
        )
        request.refresh_from_db()
        return request
