"""After loading: what production would have counted by then, so the dashboard and the rankings
read real rollups. The monthly rollups of every month loaded (dispatch.metrics.rollup), the
dashboard's daily rows of every day loaded (the count_daily_stats command), then VACUUM ANALYZE
(what autovacuum does after a load: statistics for the planner, and the visibility map that lets
counts over the open tickets read their partial indexes alone)."""
from __future__ import annotations

from datetime import date, datetime

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dispatch.metrics.periods import period_containing, period_for_label
from dispatch.metrics.rollup import store_period

from .generate import TABLES


def months(first: date, last: date) -> list[date]:
    labels, label = [], first.replace(day=1)
    while label <= last:
        labels.append(label)
        label = date(label.year + label.month // 12, label.month % 12 + 1, 1)
    return labels


def count_rollups(*, first_day: date, now: datetime | None = None, report=print) -> None:
    now = now or timezone.now()
    last = period_containing(now).label
    for label in months(first_day, last):
        units = store_period(period_for_label(label), as_of=now)
        report(f"rollup {label:%Y-%m}: {units} units")
    days = (timezone.localdate(now) - first_day).days
    call_command("count_daily_stats", days=days, stdout=_Quiet())
    report(f"daily figures: {days + 1} days")


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        for table in (*TABLES, "dispatch_unitperiodstats", "dispatch_dailystats", "dispatch_districtdailystats"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


class _Quiet:
    def write(self, *args, **kwargs) -> None:
        pass
