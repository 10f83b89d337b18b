"""What the supervisor dashboard shows, read from the rollups only (UnitPeriodStats for the
rankings, DailyStats and DistrictDailyStats for the day's figures): a fixed, small number of
queries per page whatever the number of appeals. The page, its exports and the API all read a
`Dashboard`, so they show the same numbers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.knowledge import selectors as knowledge
from appeals.models import Appeal
from dispatch.dashboard.filters import DashboardFilter
from dispatch.metrics.periods import Period, period_containing, period_for_label
from dispatch.metrics.ranking import RankingRow, ranking
from dispatch.models import DailyStats, DistrictDailyStats, UnitPeriodStats
from streets.models import Unit

SERIES_DAYS = 30
KINDS = (Unit.Kind.STREET, Unit.Kind.DEPARTMENT)


@dataclass(frozen=True)
class Filters:
    period: Period
    district: Unit | None
    kinds: tuple[str, ...]
    today: date

    @classmethod
    def from_filterset(cls, filterset, *, now: datetime | None = None) -> Filters:
        """From a valid DashboardFilter: the month asked for (else the running one), the district and
        the kinds of unit to rank (else both)."""
        now = now or timezone.now()
        data = filterset.form.cleaned_data
        period = period_for_label(data["period"]) if data.get("period") else period_containing(now)
        kinds = (data["kind"],) if data.get("kind") else KINDS
        return cls(period=period, district=data.get("district"), kinds=kinds, today=timezone.localdate(now))


def filters_from(params, *, now: datetime | None = None) -> tuple[DashboardFilter, Filters | None]:
    """The filter set for a query string, and its Filters (None when the query string is invalid)."""
    filterset = DashboardFilter(params, queryset=Unit.objects.none())
    return filterset, Filters.from_filterset(filterset, now=now) if filterset.is_valid() else None


@dataclass(frozen=True)
class DistrictFigures:
    """A district's tickets at the last refresh, and its responses of the day (code "": the units
    outside any district; the city's row is the total)."""

    code: str
    name: str
    open: int | None
    overdue: int | None
    responded: int
    median_response_seconds: int | None
    p90_response_seconds: int | None

    @classmethod
    def of(cls, code: str, name: str, row) -> DistrictFigures:
        if row is None:
            return cls(code, name, None, None, 0, None, None)
        return cls(code, name, row.open, row.overdue, row.responded, row.median_response_seconds,
                   row.p90_response_seconds)


@dataclass(frozen=True)
class DayPoint:
    day: date
    responded: int
    median_response_seconds: int | None
    p90_response_seconds: int | None


class Dashboard:
    """The figures for one set of filters; each is read once, when first asked for."""

    def __init__(self, filters: Filters):
        self.filters = filters

    @cached_property
    def today(self) -> DailyStats | None:
        return DailyStats.objects.filter(day=self.filters.today).first()

    @property
    def as_of(self) -> datetime | None:
        return self.today.as_of if self.today else None

    def intake(self) -> dict[str, int]:
        """Today's appeals by channel value."""
        return {channel: getattr(self.today, f"received_{channel}", 0) if self.today else 0
                for channel in Appeal.Channel.values}

    @cached_property
    def districts(self) -> list[DistrictFigures]:
        """Every district (or the one filtered on), then the departments, then the city."""
        district = self.filters.district
        rows = DistrictDailyStats.objects.filter(day=self.filters.today)
        districts = Unit.objects.filter(kind=Unit.Kind.DISTRICT, active=True).order_by("code")
        if district is not None:
            rows, districts = rows.filter(district=district), [district]
        by_district = {row.district_id: row for row in rows}
        figures = [DistrictFigures.of(unit.code, unit.display_name, by_district.get(unit.pk)) for unit in districts]
        if district is None:
            figures.append(DistrictFigures.of("", _("Departments (no district)"), by_district.get(None)))
            figures.append(DistrictFigures.of("*", _("Whole city"), self.today))
        return figures

    @cached_property
    def series(self) -> list[DayPoint]:
        """Response times per day for the last SERIES_DAYS days (the city's, or the district's)."""
        first = self.filters.today - timedelta(days=SERIES_DAYS - 1)
        if self.filters.district is None:
            rows = DailyStats.objects.filter(day__gte=first, day__lte=self.filters.today)
        else:
            rows = DistrictDailyStats.objects.filter(day__gte=first, day__lte=self.filters.today,
                                                     district=self.filters.district)
        by_day = {row.day: row for row in rows.only("day", "responded", "median_response_seconds",
                                                    "p90_response_seconds")}
        points = []
        for offset in range(SERIES_DAYS):
            day = first + timedelta(days=offset)
            row = by_day.get(day)
            points.append(DayPoint(day, row.responded, row.median_response_seconds, row.p90_response_seconds)
                          if row else DayPoint(day, 0, None, None))
        return points

    @cached_property
    def rankings(self) -> dict[str, list[RankingRow]]:
        """Kind -> the ranked table of the period (ranks are the city-wide ones; a district filter
        only keeps its own units)."""
        keep = None
        if self.filters.district is not None:
            keep = set(Unit.objects.filter(parent=self.filters.district).values_list("pk", flat=True))
        tables = {}
        for kind in self.filters.kinds:
            rows = ranking(self.filters.period, kind=kind)
            tables[kind] = rows if keep is None else [row for row in rows if row.unit_id in keep]
        return tables

    @cached_property
    def first_contact(self) -> knowledge.FirstContactFigures:
        """The period's consultations and those answered at first contact from the knowledge base
        (the rollup appeals/knowledge/stats.py keeps with the daily figures)."""
        period = self.filters.period
        return knowledge.first_contact(timezone.localdate(period.start), timezone.localdate(period.end))

    @cached_property
    def knowledge_stale(self) -> dict[int, int]:
        """Unit id -> its knowledge entries past their review date (shown beside the rankings)."""
        return knowledge.staleness_by_unit()

    @cached_property
    def rankings_as_of(self) -> datetime | None:
        return UnitPeriodStats.objects.filter(period=self.filters.period.label).aggregate(at=Max("as_of"))["at"]
