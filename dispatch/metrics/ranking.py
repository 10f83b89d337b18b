"""From counts to rates, composite scores and the ranked table.

Rates are exact fractions of integer counts, rounded once, at the end, to four decimals (half up),
so a rate is the same whichever way the counts were obtained. A rate with nothing to count (no
dispatch due, no rating) is None, and a unit missing any of the three has no composite score: it
is listed, unranked, below the ranked units rather than compared on numbers it does not have.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from dispatch.metrics.counts import COUNT_FIELDS
from dispatch.metrics.periods import Period
from dispatch.models import ScoringRule, UnitPeriodStats
from streets.models import Unit

PLACES = Decimal("0.0001")


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class Rates:
    response: Decimal | None
    resolution: Decimal | None
    satisfaction: Decimal | None
    composite: Decimal | None


def rates_of(counts: dict, rule: ScoringRule) -> Rates:
    """The three rates and the composite score for one unit's counts under `rule`."""
    response = _ratio(counts["responded_on_time"], counts["due_for_response"])
    resolution = _ratio(counts["solved"], counts["rated"])
    satisfaction = None
    if counts["rated"]:
        satisfaction = (counts["satisfied"] + Fraction(rule.w_basic) * counts["basic"]) / counts["rated"]
    composite = None
    if None not in (response, resolution, satisfaction):
        composite = (Fraction(rule.w_response) * response + Fraction(rule.w_resolution) * resolution
                     + Fraction(rule.w_satisfaction) * satisfaction)
    return Rates(_decimal(response), _decimal(resolution), _decimal(satisfaction), _decimal(composite))


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    unit_id: int
    code: str
    name: str
    district: str
    counts: dict
    rates: Rates
    median_response_seconds: int | None
    bottom: bool  # in the flagged bottom share of the table


EMPTY = dict.fromkeys(COUNT_FIELDS, 0)


def ranking(period: Period, *, kind: str) -> list[RankingRow]:
    """Every active unit of `kind` (streets, or departments) for the period, best first, from the rollups."""
    units = (Unit.objects.filter(kind=kind, active=True).select_related("parent").order_by("code")
             .only("code", "name", "name_en", "parent__name", "parent__name_en"))  # not the boundaries
    stats = {row.unit_id: row for row in UnitPeriodStats.objects.filter(period=period.label, unit__kind=kind)}
    scored = []
    for unit in units:
        row = stats.get(unit.pk)
        counts = {name: getattr(row, name) for name in COUNT_FIELDS} if row else dict(EMPTY)
        scored.append((unit, counts, rates_of(counts, period.rule), row.median_response_seconds if row else None))
    scored.sort(key=lambda item: (item[2].composite is None, -(item[2].composite or 0),
                                  -(item[2].response or 0), item[0].code))
    ranked = sum(1 for item in scored if item[2].composite is not None)
    flagged = math.ceil(ranked * period.rule.bottom_share) if ranked else 0
    rows: list[RankingRow] = []
    for position, (unit, counts, rates, median) in enumerate(scored, start=1):
        if rates.composite is None:
            rank = None
        elif rows and rows[-1].rates.composite == rates.composite:
            rank = rows[-1].rank  # ties share a rank
        else:
            rank = position
        rows.append(RankingRow(
            rank=rank, unit_id=unit.pk, code=unit.code, name=unit.display_name,
            district=unit.parent.display_name if unit.parent_id else "", counts=counts, rates=rates,
            median_response_seconds=median, bottom=False,
        ))
    # The bottom share counts positions, but a tie is one place: units that share a rank with a
    # flagged unit are flagged too (never split by their codes).
    last_position = {row.rank: position for position, row in enumerate(rows, start=1) if row.rank is not None}
    return [replace(row, bottom=True) if row.rank is not None and last_position[row.rank] > ranked - flagged
            else row for row in rows]
