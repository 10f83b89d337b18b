"""What every action on a dispatch checks first: who may act, and the row lock.

Each action locks the dispatch it changes, then moves it with a conditional UPDATE on the state it
expects, so of two officers (or an officer and a sweep) racing on one ticket exactly one wins.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.models import Dispatch, ReturnRequest
from streets.models import Officer, Unit
from streets.selectors import is_dispatch_target


def lock_own_dispatch(dispatch_id: int, officer: Officer | None) -> Dispatch:
    """Lock a dispatch of the officer's own unit; another unit's is 'not found' (nothing leaks)."""
    if officer is None or officer.role != Officer.Role.OFFICER:
        raise NotYourTicket(_("No such ticket in your unit's queue."))
    dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("appeal", "appeal__category", "unit")
        .filter(pk=dispatch_id, unit_id=officer.unit_id)
        .first()
    )
    if dispatch is None:
        raise NotYourTicket(_("No such ticket in your unit's queue."))
    if dispatch.state == Dispatch.State.RETURNED:
        raise ActionNotAllowed(_("This ticket was returned to the center; it is no longer yours to handle."))
    return dispatch


def lock_dispatch(dispatch_id: int) -> Dispatch:
    dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("appeal", "appeal__category", "unit")
        .filter(pk=dispatch_id)
        .first()
    )
    if dispatch is None:
        raise NotYourTicket(_("No such ticket."))
    return dispatch


def advance(dispatch: Dispatch, *, allowed: tuple[str, ...], refusal: str, **changes) -> None:
    """Conditional UPDATE: only one of two racing actors finds the state it expects."""
    updated = Dispatch.objects.filter(pk=dispatch.pk, state__in=allowed).update(**changes)
    if updated != 1:
        raise ActionNotAllowed(refusal)
    for field, value in changes.items():
        setattr(dispatch, field, value)


def refuse_while_return_pending(dispatch: Dispatch) -> None:
    if ReturnRequest.objects.filter(dispatch=dispatch, state=ReturnRequest.Decision.PENDING).exists():
        raise ActionNotAllowed(_("You asked to return this ticket; wait for the operators' decision."))


def lock_pending_request(model, request_id: int, *, missing: str, decided: str):
    """Lock a return or extension request still waiting for a decision, and its dispatch."""
    request = model.objects.select_for_update(of=("self",)).filter(pk=request_id).first()
    if request is None:
        raise NotYourTicket(missing)
    if not request.is_pending:
        raise ActionNotAllowed(decided)
    return request, lock_dispatch(request.dispatch_id)


def require_role(officer: Officer | None, role: str) -> Officer:
    if officer is None or officer.role != role:
        raise NotYourTicket(
            {
                Officer.Role.OPERATOR: _("Only hotline operators can do this."),
                Officer.Role.SUPERVISOR: _("Only supervisors can do this."),
            }.get(role, _("You cannot do this."))
        )
    return officer


def check_dispatch_target(unit: Unit) -> None:
    if not is_dispatch_target(unit):
        raise ActionNotAllowed(_("Appeals are dispatched to an active street or department."))
