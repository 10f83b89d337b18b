"""The working-day calendar deadlines are counted on.

China's official schedule (public holidays and the make-up working days that replace them) comes
from the `chinesecalendar` library, which knows only the years published so far. A city corrects
or extends it with admin-entered CalendarDay rows, and marks a year whose schedule it has entered
in full with a CalendarYear row. For a year nobody knows yet, Monday to Friday (plus any
admin-entered days) stands in, and every deadline that counted such a day is *provisional*: it is
recomputed once the year becomes known (see dispatch.deadlines.due.recount_provisional).

All counting happens in the city's local time (settings.TIME_ZONE).
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.db.models import Count, Max
from django.utils import timezone

from config.process_cache import VersionedCache
from dispatch.models import CalendarDay, CalendarYear

# The latest moment of a day: a deadline "by the end of the day" is shown as 23:59:59.
END_OF_DAY = time(23, 59, 59)
# No limit counts further than this; a calendar that never reaches a working day is a bug.
MAX_DAYS_SCANNED = 3 * 366


@functools.lru_cache(maxsize=8192)
def official_workday(day: date) -> bool | None:
    """The official schedule's verdict on `day`, or None when its year is not published yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class Deadline:
    at: datetime
    provisional: bool  # counted a day of a year whose schedule is not known yet


@dataclass(frozen=True)
class WorkCalendar:
    overrides: Mapping[date, bool]  # admin-entered days: True = working day, False = day off
    complete_years: frozenset[int]  # years whose schedule the city has entered in full

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = official_workday(day)
        return official if official is not None else day.weekday() < 5

    def is_known(self, day: date) -> bool:
        return day.year in self.complete_years or official_workday(day) is not None

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """The end of the `days`-th working day after the start day (the start day never counts)."""
        day = timezone.localtime(start).date()
        provisional = False
        counted = 0
        for _ in range(MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            provisional = provisional or not self.is_known(day)
            if self.is_workday(day):
                counted += 1
                if counted >= days:
                    return Deadline(_local(day, END_OF_DAY), provisional)
        raise ValueError("no working day within the scanned range")

    def add_working_hours(self, start: datetime, hours: int) -> Deadline:
        """`hours` of clock time that run only on working days: a holiday or weekend is skipped."""
        local_start = timezone.localtime(start)
        day = local_start.date()
        cursor = local_start
        remaining = timedelta(hours=hours)
        provisional = False
        for _ in range(MAX_DAYS_SCANNED):
            provisional = provisional or not self.is_known(day)
            if self.is_workday(day):
                day_end = _local(day + timedelta(days=1), time.min)
                available = day_end - cursor
                if remaining < available:
                    return Deadline(cursor + remaining, provisional)
                if remaining == available:
                    return Deadline(_local(day, END_OF_DAY), provisional)
                remaining -= available
            day += timedelta(days=1)
            cursor = _local(day, time.min)
        raise ValueError("no working day within the scanned range")


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _calendar_version() -> tuple:
    days = CalendarDay.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (days["n"], days["latest"], years["n"], years["latest"])


def _build_calendar() -> WorkCalendar:
    overrides = {
        row["date"]: row["kind"] == CalendarDay.Kind.WORKDAY for row in CalendarDay.objects.values("date", "kind")
    }
    years = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    return WorkCalendar(overrides=overrides, complete_years=years)


_calendar = VersionedCache(version=_calendar_version, build=_build_calendar, recheck_seconds=30.0)


def get_calendar() -> WorkCalendar:
    return _calendar.get()


def reset_calendar() -> None:
    _calendar.reset()
