"""Reads for the Open311 server; each owns its joins so a page of requests is three queries."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from ..handling import with_primary_dispatch
from ..models import Appeal, AppealEvent, Category, CategoryAttribute
from .representation import CLOSED_STATUSES


def services() -> QuerySet[Category]:
    """Every leaf category residents can choose: one GeoReport service each."""
    return (
        Category.objects.filter(is_leaf=True, active=True)
        .select_related("parent__parent")
        .prefetch_related("attributes")
        .order_by("code")
    )


def service(code: str) -> Category | None:
    return services().filter(code=code).first()


def known_service_codes(codes: list[str]) -> set[str]:
    """Which of `codes` name a leaf category (inactive ones too: old requests keep their code)."""
    return set(Category.objects.filter(code__in=codes, is_leaf=True).values_list("code", flat=True))


def changeset() -> datetime | None:
    """When the service list or a service definition last changed (clients refresh caches then)."""
    stamps = [
        Category.objects.aggregate(at=Max("updated_at"))["at"],
        CategoryAttribute.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    return max((stamp for stamp in stamps if stamp), default=None)


# What a public request shows, and nothing else (no contact, answers, fingerprint or long fields).
PUBLIC_FIELDS = (
    "public_id", "status", "rejection_reason", "text", "created_at", "latitude", "longitude", "media_url",
    "category__code", "category__name", "category__name_en",
)
PUBLIC_DISPATCH_FIELDS = ("resolve_due", "answer", "unit__name", "unit__name_en")


def _requests() -> QuerySet[Appeal]:
    """Published appeals with a category (an appeal without one belongs to no service until an
    operator classifies it), with only what a GeoReport request shows. The last public event is a
    correlated subquery (on the appeal/time index), computed only for the rows returned."""
    last_event = AppealEvent.objects.filter(appeal=OuterRef("pk"), public=True).order_by("-created_at", "-id")
    return with_primary_dispatch(
        Appeal.objects.filter(published=True, category__isnull=False)
        .select_related("category")
        .only(*PUBLIC_FIELDS)
        .annotate(last_event_at=Subquery(last_event.values("created_at")[:1])),
        only=PUBLIC_DISPATCH_FIELDS,
    )


def service_requests(
    *,
    ids: list[str] | None = None,
    codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    offset: int = 0,
    limit: int,
) -> list[Appeal]:
    """Newest first. `ids` (public ids, service_request_id) overrides every other filter, as the
    standard says."""
    appeals = _requests()
    if ids:
        appeals = appeals.filter(public_id__in=ids)
    else:
        if codes:
            appeals = appeals.filter(category__code__in=codes)
        if start is not None:
            appeals = appeals.filter(created_at__gte=start)
        if end is not None:
            appeals = appeals.filter(created_at__lte=end)
        if statuses and set(statuses) != {"open", "closed"}:
            closed = Q(status__in=CLOSED_STATUSES)
            appeals = appeals.filter(closed if "closed" in statuses else ~closed)
    return list(appeals.order_by("-created_at", "-id")[offset:offset + limit])


def service_request(public_id: str) -> Appeal | None:
    return _requests().filter(public_id=public_id).first()


def filed_through_open311(public_id: str) -> bool:
    """Whether `public_id` names a request filed through Open311 (the only ones a token can name)."""
    return Appeal.objects.filter(public_id=public_id, api_key__isnull=False, category__isnull=False).exists()
