"""Reads of the knowledge base for the pages, the API and the statistics."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from streets.models import Unit

from .models import KnowledgeEntry, KnowledgeUse, KnowledgeVersion, Topic
from .search import Suggestion

OFTEN_DISPATCHED_MIN = 5  # uses before "often leads to a dispatch anyway" is judged


def published() -> QuerySet[KnowledgeEntry]:
    return KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED).select_related(
        "published_version", "owner", "place", "category")


def topics() -> list[tuple[str, str, int]]:
    """(code, label, published entries) for each topic that has any."""
    counts = dict(published().values_list("topic").annotate(n=Count("id")).values_list("topic", "n"))
    return [(code, label, counts[code]) for code, label in Topic.choices if counts.get(code)]


def entry_version(key: str, number: int | None = None) -> KnowledgeVersion | None:
    """The published version of a published entry, or (with `number`) any published-once version
    of it: the one a resident was given stays readable after later edits."""
    versions = KnowledgeVersion.objects.select_related("entry", "entry__owner", "entry__place").filter(entry__key=key)
    if number is None:
        return versions.filter(state=KnowledgeVersion.State.PUBLISHED,
                               entry__status=KnowledgeEntry.Status.PUBLISHED).first()
    return versions.filter(number=number).exclude(state=KnowledgeVersion.State.DRAFT).first()


def stale(today: date | None = None) -> Q:
    return Q(status=KnowledgeEntry.Status.PUBLISHED, review_due__lt=today or timezone.localdate())


def often_dispatched() -> Q:
    """Entries suggested often enough and filed for a unit anyway more often than they answered."""
    return Q(dispatched_count__gte=OFTEN_DISPATCHED_MIN, dispatched_count__gt=F("resolved_count"))


def entries_for_unit(unit: Unit | None) -> QuerySet[KnowledgeEntry]:
    """A unit's entries (None: all, for supervisors), with their flags."""
    entries = KnowledgeEntry.objects.select_related("published_version", "owner").annotate(
        drafts=Count("versions", filter=Q(versions__state=KnowledgeVersion.State.DRAFT)))
    if unit is not None:
        entries = entries.filter(owner=unit)
    today = timezone.localdate()
    return entries.annotate(
        is_stale=Count("id", filter=stale(today)), is_often_dispatched=Count("id", filter=often_dispatched()),
    ).order_by("-is_stale", "-drafts", "key")


def unit_answer(number: str, unit: Unit):
    """The RESOLVED event carrying `unit`'s answer to the consultation `number`, or None."""
    from ..models import Appeal, AppealEvent

    return (AppealEvent.objects.select_related("appeal")
            .filter(appeal__number=number, appeal__kind=Appeal.Kind.CONSULTATION, kind=AppealEvent.Kind.RESOLVED,
                    unit=unit).exclude(note="").order_by("-created_at").first())


def staleness_by_unit() -> dict[int, int]:
    """Published entries past their review date, per owning unit (only units that have any)."""
    return dict(KnowledgeEntry.objects.filter(stale()).values_list("owner").annotate(n=Count("id"))
                .values_list("owner", "n"))


@dataclass(frozen=True)
class FirstContactFigures:
    consultations: int
    answered: int
    by_category: list[tuple[str, int, int]]  # (category name, consultations, answered)
    by_channel: list[tuple[str, int, int]]

    @property
    def share(self) -> float | None:
        return self.answered / self.consultations if self.consultations else None


def first_contact(start, end) -> FirstContactFigures:
    """Consultations received in [start, end) and those answered at first contact from the
    knowledge base: overall, by category and by channel."""
    from ..models import Appeal

    consultations = Appeal.objects.filter(kind=Appeal.Kind.CONSULTATION, created_at__gte=start, created_at__lt=end)
    answered = Q(knowledge_uses__outcome=KnowledgeUse.Outcome.ANSWERED)
    totals = consultations.aggregate(n=Count("id", distinct=True), a=Count("id", filter=answered, distinct=True))

    def split(field: str, label) -> list[tuple[str, int, int]]:
        rows = (consultations.values(field).annotate(n=Count("id", distinct=True),
                                                     a=Count("id", filter=answered, distinct=True))
                .order_by("-n", field))
        return [(label(row[field]), row["n"], row["a"]) for row in rows]

    from ..models import Category

    names = {c.pk: c.display_name for c in Category.objects.filter(
        pk__in=consultations.values("category").distinct())}
    channels = dict(Appeal.Channel.choices)
    return FirstContactFigures(
        consultations=totals["n"], answered=totals["a"],
        by_category=split("category", lambda pk: names.get(pk, "—")),
        by_channel=split("channel", lambda code: str(channels.get(code, code))),
    )


def suggestion_data(suggestion: Suggestion, *, url: str = "") -> dict:
    """One suggestion as the API, Open311 and the forms' script show it."""
    version, entry = suggestion.version, suggestion.entry
    return {
        "key": entry.key,
        "entry_id": entry.pk,
        "version": version.number,
        "version_id": version.pk,
        "question": version.question,
        "answer": version.answer,
        "policy": version.policy,
        "topic": entry.topic,
        "owner": entry.owner.display_name,
        "place": entry.place.display_name if entry.place else None,
        "score": round(suggestion.score, 3),
        "confident": suggestion.confident,
        "url": url,
    }
