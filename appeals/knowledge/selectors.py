"""Reads of the knowledge base for the pages, the API and the statistics."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from streets.models import Unit

from .models import FirstContactDay, KnowledgeEntry, KnowledgeVersion, Topic
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


def first_contact(first_day: date, end_day: date) -> FirstContactFigures:
    """Consultations received on the days [first_day, end_day) and those answered at first contact
    from the knowledge base: overall, by category and by channel (from the rollup, stats.count_day)."""
    from ..models import Appeal

    rows = list(FirstContactDay.objects.filter(day__gte=first_day, day__lt=end_day).select_related("category"))
    channels = dict(Appeal.Channel.choices)

    def split(label) -> list[tuple[str, int, int]]:
        totals: dict[str, list[int]] = {}
        for row in rows:
            pair = totals.setdefault(label(row), [0, 0])
            pair[0] += row.consultations
            pair[1] += row.answered
        return sorted(((name, n, a) for name, (n, a) in totals.items()), key=lambda item: (-item[1], item[0]))

    return FirstContactFigures(
        consultations=sum(row.consultations for row in rows), answered=sum(row.answered for row in rows),
        by_category=split(lambda row: row.category.display_name if row.category else "—"),
        by_channel=split(lambda row: str(channels.get(row.channel, row.channel))),
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
