"""Reads for the Open311 server; each owns its joins so a page of requests is three queries."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from ..models import Appeal, Category, CategoryAttribute
from ..publication import CLOSED_STATUSES, published


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
    standard says. The same published appeals as the public pages (publication.published)."""
    appeals = published()
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
    return published().filter(public_id=public_id).first()


def filed_through_open311(public_id: str) -> bool:
    """Whether `public_id` names a request filed through Open311 (the only ones a token can name)."""
    return Appeal.objects.filter(public_id=public_id, api_key__isnull=False, category__isnull=False).exists()
