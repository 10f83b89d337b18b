"""The working-day calendar: properties that hold for any start and limit, and the known cases
around the Spring Festival, National Day and the edge of the published years."""
from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest
import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from appeals.models import AppealEvent
from appeals.services import submit_appeal
from dispatch.deadlines.due import recount_provisional
from dispatch.deadlines.workdays import END_OF_DAY, WorkCalendar, get_calendar
from dispatch.models import CalendarDay, CalendarYear, Dispatch, TimeLimit
from dispatch.routing.route import route_appeal

from .scenarios import local

OFFICIAL = WorkCalendar(overrides={}, complete_years=frozenset())
LAST_PUBLISHED_YEAR = max(chinese_calendar.holidays).year
MAKE_UP_DAYS = sorted(day for day in chinese_calendar.workdays if day.weekday() >= 5)
WEEKDAY_HOLIDAYS = sorted(day for day in chinese_calendar.holidays if day.weekday() < 5)

starts = st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(LAST_PUBLISHED_YEAR + 2, 12, 31)).map(
    timezone.make_aware
)
day_counts = st.integers(min_value=1, max_value=40)
hour_counts = st.integers(min_value=1, max_value=24 * 12)
calendars = st.dictionaries(
    st.dates(min_value=date(2019, 1, 1), max_value=date(LAST_PUBLISHED_YEAR + 2, 12, 31)), st.booleans(), max_size=30
).map(lambda overrides: WorkCalendar(overrides=overrides, complete_years=frozenset()))


def working_time_between(calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """An independent oracle: clock time between start and end that falls on working days."""
    total = timedelta()
    day = timezone.localtime(start).date()
    while timezone.make_aware(datetime.combine(day, time.min)) < end:
        if calendar.is_workday(day):
            lo = max(start, timezone.make_aware(datetime.combine(day, time.min)))
            hi = min(end, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)))
            total += max(hi - lo, timedelta())
        day += timedelta(days=1)
    return total


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=starts, days=day_counts)
def test_a_working_day_deadline_is_after_the_start_on_a_working_day(calendar, start, days):
    due = calendar.add_working_days(start, days).at
    assert due > start
    assert calendar.is_workday(timezone.localtime(due).date())
    assert timezone.localtime(due).time() == END_OF_DAY


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=starts, hours=hour_counts)
def test_a_working_hours_deadline_is_after_the_start_on_a_working_day_and_counts_exactly(calendar, start, hours):
    due = calendar.add_working_hours(start, hours).at
    assert due > start
    assert calendar.is_workday(timezone.localtime(due).date())
    # Exactly `hours` of working time, but for the second given up to show 23:59:59 at a day's end.
    assert timedelta(hours=hours) - working_time_between(calendar, start, due) in (timedelta(), timedelta(seconds=1))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, start=starts, days=day_counts)
def test_adding_working_days_is_monotonic_in_the_count(calendar, start, days):
    assert calendar.add_working_days(start, days).at < calendar.add_working_days(start, days + 1).at


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, first=starts, second=starts, days=day_counts, hours=hour_counts)
def test_a_later_start_never_gives_an_earlier_deadline(calendar, first, second, days, hours):
    early, late = sorted((first, second))
    assert calendar.add_working_days(early, days).at <= calendar.add_working_days(late, days).at
    assert calendar.add_working_hours(early, hours).at <= calendar.add_working_hours(late, hours).at


@pytest.mark.parametrize("make_up_day", MAKE_UP_DAYS[-12:], ids=str)
def test_a_make_up_saturday_or_sunday_counts_as_a_working_day(make_up_day):
    eve = timezone.make_aware(datetime.combine(make_up_day - timedelta(days=1), time(12)))
    assert OFFICIAL.add_working_days(eve, 1).at == timezone.make_aware(datetime.combine(make_up_day, END_OF_DAY))


@pytest.mark.parametrize("holiday", WEEKDAY_HOLIDAYS[-12:], ids=str)
def test_a_weekday_public_holiday_is_never_a_deadline(holiday):
    eve = timezone.make_aware(datetime.combine(holiday - timedelta(days=1), time(12)))
    assert timezone.localtime(OFFICIAL.add_working_days(eve, 1).at).date() > holiday


# --- known cases -------------------------------------------------------------------------------


def test_spring_festival_2026_is_skipped_and_its_make_up_saturdays_count():
    # Off 15-23 February; Saturdays 14 and 28 February are working days.
    friday = local(2026, 2, 13, 10, 0)
    assert OFFICIAL.add_working_days(friday, 7).at == local(2026, 3, 2, 23, 59, 59)
    assert OFFICIAL.add_working_hours(friday, 24).at == local(2026, 2, 14, 10, 0)  # the make-up Saturday
    assert OFFICIAL.add_working_hours(local(2026, 2, 14, 20, 0), 24).at == local(2026, 2, 24, 20, 0)


def test_national_day_week_2026_is_skipped():
    eve = local(2026, 9, 30, 16, 0)
    assert OFFICIAL.add_working_hours(eve, 24).at == local(2026, 10, 8, 16, 0)
    assert OFFICIAL.add_working_days(eve, 7).at == local(2026, 10, 15, 23, 59, 59)  # Sat 10 Oct is worked


def test_the_boundaries_of_a_working_day():
    friday = date(2026, 11, 20)
    assert OFFICIAL.add_working_hours(local(2026, 11, 20, 23, 0), 1).at == local(2026, 11, 20, 23, 59, 59)
    assert OFFICIAL.add_working_hours(local(2026, 11, 20, 23, 30), 1).at == local(2026, 11, 23, 0, 30)
    assert OFFICIAL.add_working_hours(local(2026, 11, 22, 12, 0), 24).at == local(2026, 11, 23, 23, 59, 59)
    # Filed a minute before midnight or just after it: the start day never counts as a working day.
    assert OFFICIAL.add_working_days(local(2026, 11, 19, 23, 59), 1).at.date() == friday
    assert OFFICIAL.add_working_days(local(2026, 11, 20, 0, 0), 1).at == local(2026, 11, 23, 23, 59, 59)


def test_past_the_published_years_monday_to_friday_stands_in_and_marks_the_deadline_provisional():
    late_december = local(LAST_PUBLISHED_YEAR, 12, 28, 10, 0)
    inside = OFFICIAL.add_working_days(local(LAST_PUBLISHED_YEAR, 12, 1, 10, 0), 7)
    beyond = OFFICIAL.add_working_days(late_december, 7)
    assert not inside.provisional
    assert beyond.provisional
    assert OFFICIAL.is_workday(timezone.localtime(beyond.at).date())
    assert timezone.localtime(beyond.at).weekday() < 5


def test_urgent_limits_run_around_the_clock_even_on_holidays(db, city):
    appeal = submit_appeal(text="燃气泄漏", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           urgency="urgent", contact_phone="13800138000").appeal
    with time_machine.travel(local(2026, 10, 1, 9, 0), tick=False):  # National Day
        dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch.response_due == local(2026, 10, 1, 11, 0)
    assert dispatch.resolve_due == local(2026, 10, 2, 9, 0)
    assert (dispatch.respond_limit, dispatch.resolve_limit) == ("2h", "24h")


# --- admin overrides and the unpublished year --------------------------------------------------


def test_an_admin_entered_day_off_moves_deadlines(db):
    before = get_calendar().add_working_days(local(2026, 11, 16, 10, 0), 3).at
    CalendarDay.objects.create(date=date(2026, 11, 18), kind=CalendarDay.Kind.HOLIDAY, name="台风停工")
    after = get_calendar().add_working_days(local(2026, 11, 16, 10, 0), 3).at
    assert (before, after) == (local(2026, 11, 19, 23, 59, 59), local(2026, 11, 20, 23, 59, 59))


def test_an_appeal_filed_in_late_december_gets_provisional_deadlines_recounted_when_the_year_is_entered(db, city):
    year = LAST_PUBLISHED_YEAR + 1
    appeal = submit_appeal(text="楼道堆物", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13800138000").appeal
    with time_machine.travel(local(year - 1, 12, 28, 10, 0), tick=False):
        dispatch = route_appeal(appeal_id=appeal.pk)  # intake and routing never stall on an unknown year
    assert dispatch.deadlines_provisional
    assert dispatch.resolve_due == local(year, 1, 6, 23, 59, 59)  # 1 January counted as a Friday at work

    assert recount_provisional() == 0  # nothing is known yet: nothing changes
    CalendarDay.objects.create(date=date(year, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=year)
    with time_machine.travel(local(year - 1, 12, 29, 10, 0), tick=False):
        assert recount_provisional() == 1

    dispatch.refresh_from_db()
    assert not dispatch.deadlines_provisional
    assert dispatch.resolve_due == local(year, 1, 7, 23, 59, 59)
    assert dispatch.response_due == local(year - 1, 12, 29, 10, 0)  # inside the known year: unchanged
    event = AppealEvent.objects.get(dispatch=dispatch, kind=AppealEvent.Kind.DEADLINES_RECOUNTED)
    assert not event.public
    assert recount_provisional() == 0  # idempotent


def test_the_recount_keeps_an_extended_deadline(db, city):
    year = LAST_PUBLISHED_YEAR + 1
    appeal = submit_appeal(text="楼道堆物", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13800138000").appeal
    with time_machine.travel(local(year - 1, 12, 28, 10, 0), tick=False):
        dispatch = route_appeal(appeal_id=appeal.pk)
    Dispatch.objects.filter(pk=dispatch.pk).update(resolve_due=local(year, 2, 1, 23, 59, 59), resolve_extended=True)
    CalendarYear.objects.create(year=year)
    recount_provisional()
    dispatch.refresh_from_db()
    assert dispatch.resolve_due == local(year, 2, 1, 23, 59, 59)
    assert not dispatch.deadlines_provisional


# --- time limits set by the city ---------------------------------------------------------------


def test_a_category_rule_applies_from_the_moment_it_takes_effect_and_old_dispatches_keep_theirs(db, city):
    def dispatch_at(moment):
        appeal = submit_appeal(text=f"噪声扰民 {moment:%d日%H时}", category_code=city.noise.code, latitude=39.95,
                               longitude=116.05, contact_phone="13800138000").appeal
        with time_machine.travel(moment, tick=False):
            return route_appeal(appeal_id=appeal.pk)

    TimeLimit.objects.create(
        category=city.noise, respond_within=4, respond_unit="wh", resolve_within=3, resolve_unit="wd",
        effective_from=local(2026, 11, 18, 0, 0),
    )
    before = dispatch_at(local(2026, 11, 17, 10, 0))
    after = dispatch_at(local(2026, 11, 18, 10, 0))
    assert (before.respond_limit, before.resolve_limit, before.time_limit_id) == ("24wh", "7wd", None)
    assert (after.respond_limit, after.resolve_limit) == ("4wh", "3wd")
    assert after.response_due == local(2026, 11, 18, 14, 0)
    assert after.resolve_due == local(2026, 11, 23, 23, 59, 59)
    before.refresh_from_db()
    assert before.resolve_due == local(2026, 11, 26, 23, 59, 59)  # judged by the rule of its own day


def test_a_tier_rule_covers_every_category_of_the_tier_but_urgency_overrides_the_category(db, city):
    TimeLimit.objects.create(
        tier="complex", respond_within=8, respond_unit="wh", resolve_within=20, resolve_unit="wd",
        effective_from=local(2020, 1, 1),
    )
    TimeLimit.objects.create(
        category=city.title_dispute, respond_within=48, respond_unit="wh", resolve_within=30, resolve_unit="wd",
        effective_from=local(2026, 1, 1),
    )
    title = submit_appeal(text="产权", category_code=city.title_dispute.code, latitude=39.95, longitude=116.05,
                          contact_phone="13800138000").appeal
    urgent_title = submit_appeal(text="产权纠纷，急", category_code=city.title_dispute.code, latitude=39.95,
                                 longitude=116.05, contact_phone="13800138000", urgency="urgent").appeal
    assert route_appeal(appeal_id=title.pk).resolve_limit == "30wd"
    assert route_appeal(appeal_id=urgent_title.pk).resolve_limit == "24h"


def test_a_new_rule_cannot_be_backdated_in_the_admin(db, city):
    from django.core.exceptions import ValidationError

    rule = TimeLimit(tier="ordinary", respond_within=12, respond_unit="wh", resolve_within=5, resolve_unit="wd",
                     effective_from=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError):
        rule.full_clean()
