"""Recount an assessment period from the event log alone and print its rankings; with --check,
compare the counts with the stored rollups and fail on any difference."""
from django.core.management.base import BaseCommand, CommandError

from dispatch.metrics import ledger
from dispatch.metrics.counts import COUNT_FIELDS, row_of
from dispatch.metrics.periods import parse_label, period_for_label
from dispatch.metrics.ranking import rates_of
from dispatch.models import UnitPeriodStats
from streets.models import Unit

COLUMNS = ["due_for_response", "responded_on_time", "rated", "solved", "satisfied", "basic", "dissatisfied",
           "overdue", "returned", "reopened"]


class Command(BaseCommand):
    help = "Recount a period (YYYY-MM) from the event log; --check compares it with the rollups."

    def add_arguments(self, parser):
        parser.add_argument("period", help="The assessment month, e.g. 2026-11.")
        parser.add_argument("--check", action="store_true", help="Fail unless the rollups agree exactly.")

    def handle(self, *args, period: str, check: bool, **options):
        try:
            the_period = period_for_label(parse_label(period))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        stored = {row.unit_id: row for row in UnitPeriodStats.objects.filter(period=the_period.label)}
        as_of = max((row.as_of for row in stored.values()), default=None) if check else None
        recounted = ledger.recount(the_period, as_of=as_of)
        units = {u.pk: u for u in Unit.objects.filter(pk__in={*recounted, *stored})}
        self.stdout.write(
            f"{the_period.key}: {the_period.start:%Y-%m-%d} to {the_period.end:%Y-%m-%d} (exclusive), "
            f"rule of {the_period.rule}, counted as of {the_period.as_of(as_of):%Y-%m-%d %H:%M:%S}"
        )
        self.stdout.write("unit\t" + "\t".join(COLUMNS) + "\tresponse\tresolution\tsatisfaction\tcomposite")
        for unit_id, counts in sorted(recounted.items(), key=lambda item: units[item[0]].code):
            row = counts.as_row()
            rates = rates_of(row, the_period.rule)
            self.stdout.write("\t".join([units[unit_id].code, *(str(row[c]) for c in COLUMNS),
                                         *(str(r) for r in (rates.response, rates.resolution, rates.satisfaction,
                                                            rates.composite))]))
        if not check:
            return
        differences = []
        for unit_id in sorted({*recounted, *stored}):
            ours = recounted[unit_id].as_row() if unit_id in recounted else None
            theirs = row_of(stored[unit_id]) if unit_id in stored else None
            if ours != theirs:
                fields = [f for f in (*COUNT_FIELDS, "median_response_seconds")
                          if (ours or {}).get(f) != (theirs or {}).get(f)]
                differences.append(f"{units[unit_id].code}: {', '.join(fields)} (ledger {ours}, rollup {theirs})")
        if differences:
            raise CommandError("the rollups disagree with the event log:\n" + "\n".join(differences))
        self.stdout.write(self.style.SUCCESS(f"{len(stored)} rollup rows agree with the event log."))
