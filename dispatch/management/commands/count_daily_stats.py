"""Count the dashboard's daily figures now: today's (with the snapshot of open and overdue tickets)
and the intake and response times of the days before, e.g. after loading history or on a new
installation (the beat task then keeps today and yesterday current)."""
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dispatch.metrics.daily import store_day


class Command(BaseCommand):
    help = "Count today's dashboard figures and recount the flows of the --days days before (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="How many days before today to recount.")

    def handle(self, *args, days: int, **options):
        if not 0 <= days <= 3660:
            raise CommandError("--days must be between 0 and 3660")
        now = timezone.now()
        today = timezone.localdate(now)
        for offset in range(days, 0, -1):
            store_day(today - timedelta(days=offset), now=now, snapshot=False)
        store_day(today, now=now, snapshot=True)
        self.stdout.write(self.style.SUCCESS(f"Counted {days + 1} days up to {today:%Y-%m-%d}."))
