"""How well automatic dispatch works, for supervisors: the share of appeals dispatched without an
operator, the share of those an operator later had to fix (a return approved as misrouted, or the
category corrected), and accuracy per model version and per category (held-out, as trained; and
live, as the dispatches turned out). A fixed handful of queries whatever the volume.

An automatic dispatch is a unit's first primary dispatch made by no one (routing); the version
that decided it is read from its event (the routing decision's note, `MODEL_VERSION_PATH`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.catalogue import active_leaf
from appeals.models import Appeal, AppealEvent
from dispatch.models import Dispatch, LabelledExample, ModelVersion, ReturnRequest

SOURCES = {"shipped": _("shipped set"), **dict(LabelledExample.Source.choices)}
MODEL_VERSION_PATH = "data__message__params__model__version"


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.total, 1) if self.total else None


@dataclass(frozen=True)
class VersionRow:
    version: ModelVersion
    sources: list[tuple[str, int]]  # what it was trained on: (source, count)
    fixed: Share  # of the automatic dispatches this version's suggestion went into, those later fixed

    @property
    def may_roll_back(self) -> bool:
        """The page offers to put back in service any version that is not serving now."""
        return self.version.status != ModelVersion.Status.IN_SERVICE


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    heldout: Share  # right / held-out examples, with the version in service
    fixed: Share  # automatic dispatches of the category later fixed / all of them


class ClassifierFigures:
    def __init__(self, *, days: int, now: datetime | None = None):
        self.days = days
        self.until = now or timezone.now()
        self.since = self.until - timedelta(days=days)

    def _automatic(self):
        approved = ReturnRequest.objects.filter(dispatch=OuterRef("pk"), state=ReturnRequest.Decision.APPROVED)
        corrected = LabelledExample.objects.filter(
            appeal=OuterRef("appeal"), source=LabelledExample.Source.CORRECTION,
            created_at__gte=OuterRef("dispatched_at"),
        )
        return Dispatch.objects.filter(
            role=Dispatch.Role.PRIMARY, dispatched_by__isnull=True, reopened_from__isnull=True,
            dispatched_at__gte=self.since, dispatched_at__lt=self.until,
        ).annotate(misrouted=Exists(approved), corrected=Exists(corrected))

    @staticmethod
    def _counts(rows, *group):
        return rows.values(*group).annotate(
            total=Count("id"), misrouted_count=Count("id", filter=Q(misrouted=True)),
            fixed_count=Count("id", filter=Q(misrouted=True) | Q(corrected=True)),
        ).order_by(*group)

    @cached_property
    def totals(self) -> dict:
        routed = Appeal.objects.filter(routed_at__gte=self.since, routed_at__lt=self.until).count()
        counts = self._automatic().aggregate(
            total=Count("id"), misrouted_count=Count("id", filter=Q(misrouted=True)),
            fixed_count=Count("id", filter=Q(misrouted=True) | Q(corrected=True)),
        )
        return {
            "automatic": Share(counts["total"], routed),
            "fixed": Share(counts["fixed_count"], counts["total"]),
            "misrouted": Share(counts["misrouted_count"], counts["total"]),
        }

    @cached_property
    def versions(self) -> list[VersionRow]:
        decided_by = AppealEvent.objects.filter(dispatch=OuterRef("pk"), kind=AppealEvent.Kind.DISPATCHED)
        live = {
            row["model_version"]: row for row in self._counts(
                self._automatic().annotate(model_version=Subquery(decided_by.values(MODEL_VERSION_PATH)[:1])),
                "model_version",
            )
        }
        rows = []
        for version in ModelVersion.objects.defer("artifact", "per_category").select_related("promoted_by"):
            counts = live.get(version.pk, {"total": 0, "fixed_count": 0})
            sources = [(SOURCES.get(source, source), count) for source, count in version.training_counts.items()]
            rows.append(VersionRow(version, sources, Share(counts["fixed_count"], counts["total"])))
        return rows

    @cached_property
    def categories(self) -> list[CategoryRow]:
        serving = ModelVersion.objects.filter(status=ModelVersion.Status.IN_SERVICE).values_list(
            "per_category", flat=True).first() or {}
        live = {row["appeal__category__code"]: row for row in self._counts(self._automatic(), "appeal__category__code")}
        rows = []
        for code in sorted(set(serving) | {code for code in live if code}):
            right, total = serving.get(code, (0, 0))
            counts = live.get(code, {"total": 0, "fixed_count": 0})
            category = active_leaf(code)
            rows.append(CategoryRow(code, category.display_name if category else code, Share(right, total),
                                    Share(counts["fixed_count"], counts["total"])))
        return rows
