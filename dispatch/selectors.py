"""Reads for the consoles and the API; each owns its joins so pages run a fixed number of queries.

Visibility is decided here, once: officers see their own unit's dispatches (and a district sees
the copies of its streets' dispatches), supervisors see all, operators see the manual queue.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from appeals.models import Appeal
from streets.models import Officer, Unit

from .models import Dispatch


def _with_joins(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("appeal", "appeal__category", "unit")


def dispatches_visible_to(officer: Officer | None) -> QuerySet[Dispatch]:
    if officer is None:
        return Dispatch.objects.none()
    if officer.role == Officer.Role.SUPERVISOR:
        return _with_joins(Dispatch.objects.all())
    if officer.role == Officer.Role.OFFICER:
        if officer.unit.kind == Unit.Kind.DISTRICT:
            return _with_joins(Dispatch.objects.filter(district_id=officer.unit_id))
        return _with_joins(Dispatch.objects.filter(unit_id=officer.unit_id))
    return Dispatch.objects.none()


def can_act_on(officer: Officer | None, dispatch: Dispatch) -> bool:
    return (
        officer is not None
        and officer.role == Officer.Role.OFFICER
        and dispatch.unit_id == officer.unit_id
        and dispatch.is_current
    )


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(responded_at__isnull=True, response_due__lt=now) | Q(resolved_at__isnull=True, resolve_due__lt=now)


def triage_queue() -> QuerySet[Appeal]:
    """Appeals routing could not place, oldest first."""
    return Appeal.objects.filter(status=Appeal.Status.TRIAGE).select_related("category").order_by("created_at")


def can_see_appeal(officer: Officer | None, appeal_id: int) -> bool:
    """Whether the officer may see an appeal's details (its photos): through a dispatch they can
    see, or, for operators, while it waits in their manual queue, exactly as the console pages."""
    if officer is None:
        return False
    if officer.role == Officer.Role.OPERATOR:
        return triage_queue().filter(pk=appeal_id).exists()
    return dispatches_visible_to(officer).filter(appeal_id=appeal_id).exists()


def dispatch_timeline(dispatch: Dispatch):
    """Every event of the dispatch's appeal, for staff (public and internal)."""
    return dispatch.appeal.events.select_related("actor", "unit").order_by("created_at", "id")
