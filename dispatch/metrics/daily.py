"""Count the dashboard's daily figures into DailyStats and DistrictDailyStats (models/dashboard.py
says why they are rolled up).

Every query here is bounded by the day or by the open tickets: appeals by their indexed
`created_at`, responses by the indexed (kind, time) of their events, open tickets by a partial
index. The beat task that refreshes the rankings calls `refresh` every few minutes; `store_day`
recounts any past day's flows (intake, responses) after the fact.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Aggregate, Count, ExpressionWrapper, F, FloatField
from django.db.models.fields import DurationField
from django.utils import timezone

from appeals.knowledge import stats as first_contact
from appeals.models import Appeal, AppealEvent
from dispatch.metrics.rollup import _seconds_to_respond
from dispatch.models import DailyStats, Dispatch, DistrictDailyStats
from dispatch.models.dispatch import overdue_condition

logger = logging.getLogger(__name__)

CITY = "city"  # the key of the whole city's figures, beside district ids (None: outside any district)


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the smallest value with at least `fraction` of the values at or
    below it (0.5 is the lower middle value, as statistics.median_low)."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile_disc(values: list[int], fraction: float) -> int | None:
    """The same in Python, for databases without the aggregate (SQLite in development)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class ResponseTimes:
    responded: int = 0
    median: int | None = None
    p90: int | None = None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def intake(start: datetime, end: datetime) -> dict[str, int]:
    """Appeals received in [start, end) by channel."""
    rows = (Appeal.objects.filter(created_at__gte=start, created_at__lt=end)
            .values("channel").annotate(n=Count("id")).order_by())
    return {row["channel"]: row["n"] for row in rows}


def response_times(start: datetime, end: datetime) -> dict:
    """Seconds from dispatch to response of the responses made in [start, end): CITY and each
    district id (None: departments) -> ResponseTimes. Read through the response events' index."""
    responded = Dispatch.objects.filter(events__kind=AppealEvent.Kind.RESPONDED, events__created_at__gte=start,
                                        events__created_at__lt=end)
    if connection.vendor == "postgresql":
        seconds = _seconds_to_respond()
        figures = {"n": Count("id"), "median": PercentileDisc(seconds, fraction=0.5),
                   "p90": PercentileDisc(seconds, fraction=0.9)}
        result = {row["district_id"]: _times(row) for row in
                  responded.values("district_id").annotate(**figures).order_by()}
        result[CITY] = _times(responded.aggregate(**figures))
        return result
    took = ExpressionWrapper(F("responded_at") - F("dispatched_at"), output_field=DurationField())
    seconds: dict = defaultdict(list)
    for district_id, duration in responded.annotate(took=took).values_list("district_id", "took").iterator():
        seconds[district_id].append(int(duration.total_seconds()))
        seconds[CITY].append(int(duration.total_seconds()))
    return {key: ResponseTimes(len(values), percentile_disc(values, 0.5), percentile_disc(values, 0.9))
            for key, values in seconds.items()}


def _times(row: dict) -> ResponseTimes:
    return ResponseTimes(row["n"], _whole(row["median"]), _whole(row["p90"]))


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds)


def open_tickets(now: datetime) -> dict:
    """CITY and each district id (None: departments) -> (open, overdue) dispatches at `now`."""
    rows = (Dispatch.objects.filter(state__in=Dispatch.OPEN_STATES).values("district_id")
            .annotate(open=Count("id"), overdue=Count("id", filter=overdue_condition(now))).order_by())
    result = {row["district_id"]: (row["open"], row["overdue"]) for row in rows}
    result[CITY] = (sum(n for n, _ in result.values()), sum(n for _, n in result.values()))
    return result


def store_day(day: date, *, now: datetime, snapshot: bool) -> None:
    """Recount a day's flows; with `snapshot`, also record the open and overdue tickets at `now`."""
    start, end = day_bounds(day)
    received = intake(start, end)
    times = response_times(start, end)
    tickets = open_tickets(now) if snapshot else {}

    def figures(key) -> dict:
        took = times.get(key, ResponseTimes())
        values = {"responded": took.responded, "median_response_seconds": took.median,
                  "p90_response_seconds": took.p90, "as_of": now}
        if snapshot:
            values["open"], values["overdue"] = tickets.get(key, (0, 0))
        return values

    with transaction.atomic():
        first_contact.count_day(day, start, end)
        DailyStats.objects.update_or_create(day=day, defaults={
            **figures(CITY), **{f"received_{channel}": received.get(channel, 0) for channel in Appeal.Channel.values},
        })
        existing = {row.district_id: row for row in DistrictDailyStats.objects.select_for_update().filter(day=day)}
        for key in {*existing, *times, *tickets} - {CITY}:
            row = existing.get(key) or DistrictDailyStats(day=day, district_id=key)
            for name, value in figures(key).items():
                setattr(row, name, value)
            row.save()


def refresh(*, now: datetime | None = None) -> list[str]:
    """Today's flows and snapshot, and yesterday's flows (the responses of its last minutes)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    try:
        store_day(today - timedelta(days=1), now=now, snapshot=False)
        store_day(today, now=now, snapshot=True)
    except IntegrityError:  # a concurrent refresh created the same rows first: its figures stand
        logger.warning("daily statistics: a concurrent refresh won", exc_info=True)
        return []
    return [f"{today - timedelta(days=1):%Y-%m-%d}", f"{today:%Y-%m-%d}"]
