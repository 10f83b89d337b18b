"""Recount a period from the event log alone: the audit the rollups are checked against.

Each dispatch's story is folded from its events (dispatched with its deadlines, responded,
returned, marked overdue, rated, reopened); nothing is read from the cached columns of the
dispatch or callback tables. See counts.UnitCounts for what each number means.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime

from appeals.models import AppealEvent
from dispatch.metrics.counts import UnitCounts
from dispatch.metrics.periods import Period

Kind = AppealEvent.Kind
# A response deadline is never set further than this after its dispatch.
LOOKBACK = timedelta(days=180)
KINDS = (
    Kind.DISPATCHED, Kind.DEADLINES_RECOUNTED, Kind.RESPONDED, Kind.RETURN_APPROVED, Kind.OVERDUE, Kind.RATED,
    Kind.REOPENED,
)


@dataclass
class Story:
    """One dispatch as the event log tells it."""

    unit_id: int | None = None
    role: str = "primary"
    dispatched_at: datetime | None = None
    response_due: datetime | None = None
    responded_at: datetime | None = None
    returned_at: datetime | None = None
    reopened_at: datetime | None = None
    overdue_at: list[datetime] = field(default_factory=list)
    ratings: list[tuple[datetime, dict]] = field(default_factory=list)


def _when(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else value


def stories(period: Period, as_of: datetime) -> dict[int, Story]:
    """Every dispatch with an event in [period start - LOOKBACK, as_of], folded in log order."""
    events = (
        AppealEvent.objects.filter(kind__in=KINDS, dispatch__isnull=False,
                                   created_at__gte=period.start - LOOKBACK, created_at__lte=as_of)
        .order_by("created_at", "id")
        .values_list("dispatch_id", "kind", "unit_id", "created_at", "data")
        .iterator(chunk_size=5000)
    )
    folded: dict[int, Story] = defaultdict(Story)
    for dispatch_id, kind, unit_id, at, data in events:
        story = folded[dispatch_id]
        story.unit_id = story.unit_id or unit_id
        if kind == Kind.DISPATCHED:
            story.dispatched_at, story.role = at, data.get("role", "primary")
            story.response_due = _when(data.get("response_due"))
        elif kind == Kind.DEADLINES_RECOUNTED:
            story.response_due = _when(data.get("response_due")) or story.response_due
        elif kind == Kind.RESPONDED:
            story.responded_at = story.responded_at or at
        elif kind == Kind.RETURN_APPROVED:
            story.returned_at = at
        elif kind == Kind.OVERDUE:
            story.overdue_at.append(at)
        elif kind == Kind.RATED:
            story.ratings.append((at, data))
        elif kind == Kind.REOPENED:
            story.reopened_at = at
    return folded


def recount(period: Period, *, as_of: datetime | None = None) -> dict[int, UnitCounts]:
    """Unit id -> its counts for the period, from the event log."""
    as_of = period.as_of(as_of)
    counts: dict[int, UnitCounts] = defaultdict(UnitCounts)
    for story in stories(period, as_of).values():
        if story.unit_id is None:
            continue
        unit = counts[story.unit_id]
        if story.returned_at is not None:  # approved as misrouted: not charged to the unit
            unit.returned += period.contains(story.returned_at)
            continue
        if period.contains(story.dispatched_at):
            if story.role == "primary":
                unit.dispatched += 1
            else:
                unit.summoned += 1
        if period.contains(story.response_due) and (story.response_due <= as_of or story.responded_at):
            unit.due_for_response += 1
            unit.responded_on_time += bool(story.responded_at and story.responded_at <= story.response_due)
        if period.contains(story.responded_at) and story.dispatched_at is not None:
            unit.response_seconds.append(int((story.responded_at - story.dispatched_at).total_seconds()))
        unit.overdue += any(period.contains(at) for at in story.overdue_at)
        unit.reopened += period.contains(story.reopened_at)
        if story.reopened_at is None:  # a reopened dispatch's rating is superseded by the second outcome
            for at, answers in story.ratings:
                if period.contains(at):
                    _add_rating(unit, answers)
    return {unit_id: unit for unit_id, unit in counts.items() if not unit.is_empty()}


def _add_rating(unit: UnitCounts, answers: dict) -> None:
    unit.rated += 1
    unit.solved += bool(answers.get("solved"))
    satisfaction = answers.get("satisfaction")
    unit.satisfied += satisfaction == "satisfied"
    unit.basic += satisfaction == "basic"
    unit.dissatisfied += satisfaction == "dissatisfied"
