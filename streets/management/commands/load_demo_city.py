"""Load the Beijing-style demo city (see streets.demo); safe to run again."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from streets.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_POINT
from streets.demo.builder import load_demo_city


class Command(BaseCommand):
    help = (
        "Create or update the demo city: 16 districts, 340 streets with boundaries, departments, the "
        "category taxonomy and duty list, and demo accounts (password demo12345). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off. The demo creates a superuser with a published password.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo creates a superuser 'admin' with "
                "a published password. Pass --force if you really mean it."
            )
        counts = load_demo_city(stdout=self.stdout)
        for name, count in counts.items():
            self.stdout.write(f"  {name:<16} {count}")
        self.stdout.write(f"Demo point (lat, lng): {DEMO_POINT[0]}, {DEMO_POINT[1]}")
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            role = account.role or "superuser"
            self.stdout.write(f"  {account.username:<11} {role:<11} {account.unit_code or '-':<9} "
                              f"{account.description}")
        self.stdout.write(self.style.SUCCESS("Done."))
