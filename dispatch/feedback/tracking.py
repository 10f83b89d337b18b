"""The dispatch facts the resident's tracking page, the tracking API and Open311 show, registered
with appeals.handling at start-up (appeals imports no dispatch code)."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from appeals.models import Appeal
from dispatch.models import Callback, Dispatch


def with_primary_dispatch(appeals: QuerySet[Appeal], *, only: tuple[str, ...] = ()) -> QuerySet[Appeal]:
    dispatches = Dispatch.objects.filter(role=Dispatch.Role.PRIMARY, is_current=True).select_related("unit")
    if only:
        dispatches = dispatches.only("appeal_id", "unit_id", *only)
    return appeals.prefetch_related(Prefetch("dispatches", queryset=dispatches, to_attr="current_primary_dispatches"))


def primary_dispatch(appeal: Appeal) -> Dispatch | None:
    dispatches = getattr(appeal, "current_primary_dispatches", None)
    if dispatches is None:
        dispatches = with_primary_dispatch(Appeal.objects.filter(pk=appeal.pk)).get().current_primary_dispatches
    return dispatches[0] if dispatches else None


def open_survey_until(appeal: Appeal) -> datetime | None:
    return (
        Callback.objects.filter(dispatch__appeal=appeal, state=Callback.State.OPEN, closes_at__gt=timezone.now())
        .values_list("closes_at", flat=True).first()
    )


def in_district(appeals: QuerySet[Appeal], district_code: str) -> QuerySet[Appeal]:
    current = Dispatch.objects.filter(appeal=OuterRef("pk"), role=Dispatch.Role.PRIMARY, is_current=True)
    return appeals.filter(Exists(current.filter(
        Q(district__code=district_code) | Q(unit__code=district_code) | Q(unit__parent__code=district_code)
    )))
