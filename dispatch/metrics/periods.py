"""Assessment periods and the scoring rule in force for each."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from appeals.validation import EARLIEST_MOMENT, LATEST_MOMENT
from dispatch.models import ScoringRule

# The label months a period can be asked for: the years any moment may have (so the months around
# them, and their local midnights, stay within what dates and the database can hold).
FIRST_LABEL = date(EARLIEST_MOMENT.year, 1, 1)
LAST_LABEL = date(LATEST_MOMENT.year, 12, 1)

DEFAULT_RULE = ScoringRule(
    effective_from=date(2000, 1, 1), w_response=Decimal("0.1"), w_resolution=Decimal("0.5"),
    w_satisfaction=Decimal("0.4"), w_basic=Decimal("0.9"), period_start_day=1, bottom_share=Decimal("0.1"),
)


@dataclass(frozen=True)
class Period:
    label: date  # the first day of the label month ("2026-11")
    start: datetime
    end: datetime  # exclusive
    rule: ScoringRule

    @property
    def key(self) -> str:
        return f"{self.label:%Y-%m}"

    def as_of(self, now: datetime | None = None) -> datetime:
        """Counting stops at the period's end, or now for the running period."""
        return min(now or timezone.now(), self.end)

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def scoring_rule_for(label: date) -> ScoringRule:
    """The rule in force for a label month: the latest whose first month is not after it."""
    return ScoringRule.objects.filter(effective_from__lte=label).order_by("-effective_from").first() or DEFAULT_RULE


def _month(label: date, delta: int) -> date:
    index = label.year * 12 + label.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def period_for_label(label: date) -> Period:
    """Label month M with start day d: [M-1 / d, M / d) for d > 1, the calendar month for d = 1."""
    label = label.replace(day=1)
    rule = scoring_rule_for(label)
    day = rule.period_start_day
    first = label if day == 1 else _month(label, -1).replace(day=day)
    last = _month(label, 1) if day == 1 else label.replace(day=day)
    return Period(label=label, start=_local_midnight(first), end=_local_midnight(last), rule=rule)


def period_containing(moment: datetime) -> Period:
    """The period a moment is counted in (the label month whose days include it)."""
    local = timezone.localtime(moment).date()
    for delta in (1, 0):  # a later label first: with months starting on the 19th, 20 October is "November"
        period = period_for_label(_month(local.replace(day=1), delta))
        if period.contains(moment):
            return period
    return period_for_label(local.replace(day=1))


def parse_label(text: str) -> date:
    """'2026-11' -> date(2026, 11, 1); ValueError with a readable message otherwise."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except (AttributeError, ValueError):
        raise ValueError(f"not a month: {text!r} (use YYYY-MM)") from None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def previous(period: Period) -> Period:
    return period_for_label(_month(period.label, -1))
