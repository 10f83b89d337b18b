"""Reads of the units that span relations, each owning its joins."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Unit


def dispatch_targets(*kinds: str) -> QuerySet[Unit]:
    """The units an appeal can be dispatched to (active streets and departments; `kinds` narrows
    them), with each one's district joined: the one list behind every unit picker, the API's unit
    fields and the check the dispatch services make."""
    return (
        Unit.objects.filter(kind__in=kinds or (Unit.Kind.STREET, Unit.Kind.DEPARTMENT), active=True)
        .select_related("parent").order_by("code")
    )


def is_dispatch_target(unit: Unit) -> bool:
    return unit.kind in (Unit.Kind.STREET, Unit.Kind.DEPARTMENT) and unit.active
