"""The ranking's bottom flag: units tied on score share their rank and share the flag; codes
never split a tie."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.metrics.periods import period_for_label
from dispatch.metrics.ranking import ranking
from dispatch.models import UnitPeriodStats
from streets.models import Unit

from .factories import UnitFactory

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def month_of(unit: Unit, *, on_time: int) -> None:
    """Ten dispatches due for a response, `on_time` of them answered in time; all else equal."""
    UnitPeriodStats.objects.create(
        unit=unit, period=OCTOBER, as_of=timezone.now(), dispatched=10, due_for_response=10,
        responded_on_time=on_time, rated=10, solved=8, satisfied=7, basic=2, dissatisfied=1,
    )


def test_four_streets_tied_at_the_bottom_are_all_flagged():
    district = UnitFactory(code="DX", kind=Unit.Kind.DISTRICT)
    for index in range(9):  # nine distinct scores above the tie
        month_of(UnitFactory(code=f"DX-S{index:02d}", kind=Unit.Kind.STREET, parent=district), on_time=10 - index)
    for code in ("DX-T1", "DX-T2", "DX-T3", "DX-T4"):
        month_of(UnitFactory(code=code, kind=Unit.Kind.STREET, parent=district), on_time=0)

    period = period_for_label(OCTOBER)
    assert period.rule.bottom_share == Decimal("0.1")  # 13 ranked units: the last two places are flagged
    rows = ranking(period, kind=Unit.Kind.STREET)

    tied = [row for row in rows if row.code.startswith("DX-T")]
    assert {row.rank for row in tied} == {10}
    assert [row.bottom for row in tied] == [True, True, True, True]
    assert [row.code for row in rows if row.bottom] == ["DX-T1", "DX-T2", "DX-T3", "DX-T4"]


def test_without_a_tie_the_flag_covers_exactly_the_bottom_share():
    district = UnitFactory(code="DY", kind=Unit.Kind.DISTRICT)
    for index in range(11):
        month_of(UnitFactory(code=f"DY-S{index:02d}", kind=Unit.Kind.STREET, parent=district), on_time=10 - index)
    rows = ranking(period_for_label(OCTOBER), kind=Unit.Kind.STREET)
    assert [row.code for row in rows if row.bottom] == ["DY-S09", "DY-S10"]  # ceil(11 x 0.1) = 2
