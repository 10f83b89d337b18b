"""Keep the per-unit counts of a period current from the dispatch and callback tables.

A handful of grouped queries per period, whatever the number of units: this is what Celery runs
every few minutes and what the dashboard and rankings read. The ledger recounts the same numbers
from the event log; the two must agree (tests and `manage.py recount_rankings --check`).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Aggregate, Count, ExpressionWrapper, F, FloatField, Func, Q
from django.db.models.fields import DurationField
from django.utils import timezone

from dispatch.metrics.counts import COUNT_FIELDS, UnitCounts
from dispatch.metrics.periods import Period, period_containing, previous
from dispatch.models import Callback, Dispatch, UnitPeriodStats

logger = logging.getLogger(__name__)


def count_period(period: Period, *, as_of: datetime | None = None) -> dict[int, UnitCounts]:
    """Unit id -> its counts for the period, from the cached columns."""
    as_of = period.as_of(as_of)
    counts: dict[int, UnitCounts] = defaultdict(UnitCounts)
    within = {"gte": period.start, "lt": period.end}
    not_returned = Dispatch.objects.exclude(state=Dispatch.State.RETURNED, returned_at__lte=as_of)

    def add(queryset, unit_field: str = "unit_id", **aggregates) -> None:
        for row in queryset.values(unit_field).annotate(**aggregates).order_by():
            unit = counts[row[unit_field]]
            for name in aggregates:
                setattr(unit, name, getattr(unit, name) + row[name])

    def in_period(field: str) -> Q:
        return Q(**{f"{field}__{op}": value for op, value in within.items()}) & Q(**{f"{field}__lte": as_of})

    add(not_returned.filter(in_period("dispatched_at")),
        dispatched=Count("id", filter=Q(role=Dispatch.Role.PRIMARY)),
        summoned=Count("id", filter=Q(role=Dispatch.Role.COHANDLER)))
    add(not_returned.filter(response_due__gte=period.start, response_due__lt=period.end)
        .filter(Q(response_due__lte=as_of) | Q(responded_at__lte=as_of)),
        due_for_response=Count("id"),
        responded_on_time=Count("id", filter=Q(responded_at__lte=F("response_due")) & Q(responded_at__lte=as_of)))
    add(not_returned.filter(in_period("response_overdue_at") | in_period("resolve_overdue_at")), overdue=Count("id"))
    add(Dispatch.objects.filter(in_period("returned_at"), state=Dispatch.State.RETURNED), returned=Count("id"))
    add(Dispatch.objects.filter(in_period("dispatched_at"), reopened_from__isnull=False), reopened=Count("id"))
    add(Callback.objects.filter(in_period("rated_at"), state=Callback.State.RATED,
                                dispatch__reopened_as__isnull=True),
        "dispatch__unit_id",
        rated=Count("id"), solved=Count("id", filter=Q(solved=True)),
        satisfied=Count("id", filter=Q(satisfaction=Callback.Satisfaction.SATISFIED)),
        basic=Count("id", filter=Q(satisfaction=Callback.Satisfaction.BASIC)),
        dissatisfied=Count("id", filter=Q(satisfaction=Callback.Satisfaction.DISSATISFIED)))
    responded = not_returned.filter(in_period("responded_at"))
    if connection.vendor == "postgresql":
        for row in responded.values("unit_id").annotate(median=MedianLow(_seconds_to_respond())).order_by():
            counts[row["unit_id"]].median_seconds = int(row["median"])
    else:
        took = ExpressionWrapper(F("responded_at") - F("dispatched_at"), output_field=DurationField())
        for unit_id, duration in responded.annotate(took=took).values_list("unit_id", "took").iterator():
            counts[unit_id].response_seconds.append(int(duration.total_seconds()))
    return {unit_id: unit for unit_id, unit in counts.items() if not unit.is_empty()}


class MedianLow(Aggregate):
    """PostgreSQL's percentile_disc(0.5): the lower middle value, as statistics.median_low."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds_to_respond() -> Func:
    return Func(
        Func(F("responded_at") - F("dispatched_at"), template="EXTRACT(EPOCH FROM %(expressions)s)",
             output_field=FloatField()),
        function="FLOOR", output_field=FloatField(),
    )


def store_period(period: Period, *, as_of: datetime | None = None) -> int:
    """Replace the period's rollup rows with fresh counts; returns how many units have any."""
    counts = count_period(period, as_of=as_of)
    as_of = period.as_of(as_of)
    rows = [
        UnitPeriodStats(unit_id=unit_id, period=period.label, as_of=as_of, **unit.as_row())
        for unit_id, unit in counts.items()
    ]
    with transaction.atomic():
        UnitPeriodStats.objects.filter(period=period.label).exclude(unit_id__in=counts).delete()
        UnitPeriodStats.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["period", "unit"],
            update_fields=[*COUNT_FIELDS, "median_response_seconds", "as_of"],
        )
    logger.info("rollup %s: %d units (%s)", period.key, len(rows), connection.vendor)
    return len(rows)


def refresh(*, now: datetime | None = None, grace_days: int = 10) -> list[str]:
    """Refresh the running period, and the previous one while late events may still touch it."""
    now = now or timezone.now()
    current = period_containing(now)
    periods = [current]
    last = previous(current)
    if (now - last.end).days < grace_days:
        periods.append(last)
    for period in periods:
        store_period(period, as_of=now)
    return [period.key for period in periods]
