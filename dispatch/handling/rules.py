"""Who may do what to a ticket now, asked alike by the console's pages, the API and the actions.

The `may_*` functions answer from the person and the ticket's state alone (no query), so a page can
ask them for every button it draws; `permitted_actions` and `console_sections` are what the
templates show. The actions ask the same functions after locking the row, then check what needs
the database (a pending return, the return window, the deadline) and move the dispatch with a
conditional UPDATE on the state it expects, so of two officers (or an officer and a sweep) racing
on one ticket exactly one wins.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from appeals.models import Appeal
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.models import Dispatch, ReturnRequest, SupervisionOrder
from streets.models import Officer, Unit
from streets.selectors import is_dispatch_target


def lock_own_dispatch(dispatch_id: int, officer: Officer | None) -> Dispatch:
    """Lock a dispatch of the officer's own unit; another unit's is 'not found' (nothing leaks)."""
    if officer is None or not officer.is_unit_officer:
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
    if officer is None or not officer.has_role(role):
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


# --- "may this person do this now?" ----------------------------------------------------------

State = Dispatch.State


def holds(officer: Officer | None, dispatch: Dispatch) -> bool:
    """The officer's own unit holds the ticket now: not returned, not handed on after a reopen."""
    return (
        officer is not None and officer.is_unit_officer and dispatch.unit_id == officer.unit_id
        and dispatch.is_current and dispatch.state != State.RETURNED
    )


def may_act(officer: Officer | None, dispatch: Dispatch) -> bool:
    """Add a progress note, ask for more time: the holder, while the ticket is open."""
    return holds(officer, dispatch) and dispatch.is_open


def may_sign(officer: Officer | None, dispatch: Dispatch) -> bool:
    return holds(officer, dispatch) and dispatch.state == State.PENDING


def may_respond(officer: Officer | None, dispatch: Dispatch) -> bool:
    return holds(officer, dispatch) and dispatch.state in Dispatch.UNRESPONDED_STATES


def may_resolve(officer: Officer | None, dispatch: Dispatch) -> bool:
    """The responsible unit answers the resident, once it has contacted them."""
    return holds(officer, dispatch) and not dispatch.is_cohandling and dispatch.state == State.RESPONDED


def may_report(officer: Officer | None, dispatch: Dispatch) -> bool:
    """A summoned department reports its part, once it has reported for duty."""
    return holds(officer, dispatch) and dispatch.is_cohandling and dispatch.state == State.RESPONDED


def may_return(officer: Officer | None, dispatch: Dispatch) -> bool:
    """The responsible unit says "not ours" before contacting the resident."""
    return holds(officer, dispatch) and not dispatch.is_cohandling and dispatch.state in Dispatch.UNRESPONDED_STATES


def may_whistle(officer: Officer | None, dispatch: Dispatch) -> bool:
    """Only the street responsible for an open appeal summons departments."""
    return may_act(officer, dispatch) and dispatch.unit.kind == Unit.Kind.STREET and not dispatch.is_cohandling


may_extend = may_act
may_note = may_act


def may_supervise(officer: Officer | None, dispatch: Dispatch) -> bool:
    """A supervisor escalates a ticket a unit still holds (not one it returned)."""
    return officer is not None and officer.is_supervisor and dispatch.state != State.RETURNED


def may_see_contact(officer: Officer | None, dispatch: Dispatch) -> bool:
    """Only the responsible unit calls the resident; summoned departments work through the street."""
    return holds(officer, dispatch) and not dispatch.is_cohandling


def may_see_supervision_orders(officer: Officer | None) -> bool:
    return officer is not None and (officer.is_supervisor or officer.is_head)


def heads(officer: Officer | None, unit_id: int) -> bool:
    return officer is not None and officer.is_head and officer.unit_id == unit_id


def may_reply_to_order(officer: Officer | None, order: SupervisionOrder) -> bool:
    """The head of the unit the order is about answers it, once."""
    return heads(officer, order.unit_id) and order.is_open


ACTION_RULES = {
    "sign": may_sign, "respond": may_respond, "note": may_note, "resolve": may_resolve, "report": may_report,
    "return": may_return, "whistle": may_whistle, "extension": may_extend, "supervise": may_supervise,
}


def may_propose_answer(officer: Officer | None, dispatch: Dispatch) -> bool:
    """Whether the officer may offer the unit's answer to a consultation as a draft knowledge entry
    (appeals/knowledge: the unit's head publishes it)."""
    return (
        officer is not None and bool(dispatch.answer) and not dispatch.is_cohandling
        and dispatch.appeal.kind == Appeal.Kind.CONSULTATION and officer.unit_id == dispatch.unit_id
    )


def permitted_actions(officer: Officer | None, dispatch: Dispatch) -> dict[str, bool]:
    """Each action of the ticket page -> whether `officer` may take it now (what the page draws)."""
    return {name: rule(officer, dispatch) for name, rule in ACTION_RULES.items()}


def console_sections(officer: Officer | None) -> dict[str, bool]:
    """Which parts of the console the officer uses (the navigation, the queue's title and columns)."""
    operator = officer is not None and officer.is_operator
    supervisor = officer is not None and officer.is_supervisor
    return {
        "center": operator,  # the manual queue, returns, phone intake, phone callbacks, published appeals
        "queue": officer is not None and not operator,
        "all_tickets": supervisor,  # the queue holds every unit's tickets
        "unit_column": officer is not None and (not officer.is_unit_officer or officer.unit.kind == Unit.Kind.DISTRICT),
        "dashboard": supervisor,
        "classifier": supervisor,  # how well automatic dispatch works, the model versions
        "extensions": supervisor,
        "lockouts": supervisor,
        "knowledge": officer is not None and not operator,  # the unit's knowledge entries (supervisors: all)
        "exports": supervisor,
        "supervision": may_see_supervision_orders(officer),
    }
