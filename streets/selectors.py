"""Reads of the units that span relations, each owning its joins."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Unit

DISPATCH_TARGET_KINDS = (Unit.Kind.STREET, Unit.Kind.DEPARTMENT)


def dispatch_targets(*kinds: str) -> QuerySet[Unit]:
    """The units an appeal can be dispatched to (active streets and departments; `kinds` narrows
    them), with each one's district joined: the one list behind every unit picker, the API's unit
    fields and the check the dispatch services make."""
    return (
        Unit.objects.filter(kind__in=kinds or DISPATCH_TARGET_KINDS, active=True)
        .select_related("parent").order_by("code")
    )


def is_dispatch_target(unit: Unit) -> bool:
    """The same test as `dispatch_targets`, on a unit already loaded."""
    return unit.kind in DISPATCH_TARGET_KINDS and unit.active
