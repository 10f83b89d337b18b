"""Reads for the consoles and the API; each owns its joins so pages run a fixed number of queries.

Visibility is decided here, once: officers see their own unit's dispatches (and a district sees
the copies of its streets' dispatches), supervisors see all, operators see the manual queue.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from appeals.models import Appeal
from dispatch.handling.rules import may_see_supervision_orders
from dispatch.models import Callback, Dispatch, ExtensionRequest, ReturnRequest, SupervisionOrder
from streets.models import Officer, Unit


def _with_joins(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("appeal", "appeal__category", "unit")


def dispatches_visible_to(officer: Officer | None) -> QuerySet[Dispatch]:
    if officer is None:
        return Dispatch.objects.none()
    if officer.is_supervisor:
        return _with_joins(Dispatch.objects.all())
    if officer.is_unit_officer:
        if officer.unit.kind == Unit.Kind.DISTRICT:
            return _with_joins(Dispatch.objects.filter(district_id=officer.unit_id))
        return _with_joins(Dispatch.objects.filter(unit_id=officer.unit_id))
    return Dispatch.objects.none()


def triage_queue() -> QuerySet[Appeal]:
    """Appeals routing could not place, oldest first."""
    return Appeal.objects.filter(status=Appeal.Status.TRIAGE).select_related("category").order_by("created_at")


def can_see_appeal(officer: Officer | None, appeal_id: int) -> bool:
    """Whether the officer may see an appeal's details (its photos): through a dispatch they can
    see, or, for operators, while it waits in their manual queue or, published, for them to review
    what its public page shows, exactly as the console pages."""
    if officer is None:
        return False
    if officer.is_operator:
        return (triage_queue().filter(pk=appeal_id).exists()
                or Appeal.objects.filter(pk=appeal_id, published=True).exists())
    return dispatches_visible_to(officer).filter(appeal_id=appeal_id).exists()


def sees_own_part_only(officer: Officer | None, dispatch: Dispatch) -> bool:
    """After an approved return the appeal is no longer the unit's: the unit (and its district) keeps
    its own part of the history, not the next unit's internal notes, response and answer. Operators
    and supervisors, who decide returns and audit tickets, see the whole appeal."""
    return dispatch.state == Dispatch.State.RETURNED and (officer is None or officer.is_unit_officer)


def dispatch_timeline(dispatch: Dispatch, *, viewer: Officer | None):
    """The events of the dispatch's appeal that `viewer` may read (public and internal): all of
    them, or for a returned unit (`sees_own_part_only`) its dispatch's own events and the appeal's
    events from before the return."""
    events = dispatch.appeal.events.select_related("actor", "unit").order_by("created_at", "id")
    if sees_own_part_only(viewer, dispatch):
        before_return = Q(dispatch__isnull=True, created_at__lte=dispatch.returned_at)
        events = events.filter(Q(dispatch_id=dispatch.pk) | before_return)
    return events


def _request_joins(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "dispatch", "dispatch__appeal", "dispatch__appeal__category", "dispatch__unit", "requested_by", "decided_by"
    )


def return_requests(*, state: str | None = ReturnRequest.Decision.PENDING) -> QuerySet[ReturnRequest]:
    """Return requests for the operators, oldest first; by default those waiting for a decision."""
    queryset = _request_joins(ReturnRequest.objects.select_related("suggested_unit"))
    return (queryset.filter(state=state) if state else queryset).order_by("requested_at", "id")


def extension_requests(*, state: str | None = ExtensionRequest.Decision.PENDING) -> QuerySet[ExtensionRequest]:
    """Extension requests for the supervisors, oldest first; by default those waiting for a decision."""
    queryset = _request_joins(ExtensionRequest.objects.all())
    return (queryset.filter(state=state) if state else queryset).order_by("requested_at", "id")


def supervision_orders_visible_to(officer: Officer | None) -> QuerySet[SupervisionOrder]:
    """Supervisors see every order; a unit's head sees the orders on the unit's tickets."""
    if not may_see_supervision_orders(officer):
        return SupervisionOrder.objects.none()
    orders = SupervisionOrder.objects.select_related(
        "dispatch", "dispatch__appeal", "unit", "opened_by", "replied_by"
    ).order_by("state", "reply_due", "id")
    if officer.is_supervisor:
        return orders
    return orders.filter(unit_id=officer.unit_id)


def dispatch_dossier(dispatch: Dispatch, *, viewer: Officer | None) -> dict:
    """What the detail page shows beside the ticket: co-handlers (for a returned unit only those it
    summoned itself), requests and orders on it."""
    cohandlers = Dispatch.objects.filter(appeal_id=dispatch.appeal_id, role=Dispatch.Role.COHANDLER)
    if sees_own_part_only(viewer, dispatch):
        cohandlers = cohandlers.filter(whistle__dispatch_id=dispatch.pk)
    return {
        "cohandlers": list(cohandlers.select_related("unit").order_by("dispatched_at", "id")),
        "returns": list(dispatch.returns.select_related("requested_by", "decided_by").order_by("requested_at")),
        "extensions": list(dispatch.extensions.select_related("requested_by", "decided_by").order_by("requested_at")),
        "orders": list(dispatch.supervision_orders.select_related("opened_by", "replied_by").order_by("opened_at")),
        "callback": Callback.objects.filter(dispatch=dispatch).first(),
    }


def phone_callbacks(*, open_only: bool = True) -> QuerySet[Callback]:
    """Surveys an operator can call the resident about (a phone on file, not anonymous), the first
    to close first; by default only those still open and not waiting to be called again."""
    callbacks = (
        Callback.objects.filter(dispatch__appeal__anonymous=False).exclude(dispatch__appeal__contact_phone="")
        .select_related("dispatch", "dispatch__appeal", "dispatch__appeal__category", "dispatch__unit")
        .order_by("closes_at", "id")
    )
    if open_only:
        now = timezone.now()
        callbacks = callbacks.filter(state=Callback.State.OPEN, closes_at__gt=now).exclude(call_again_at__gt=now)
    return callbacks
