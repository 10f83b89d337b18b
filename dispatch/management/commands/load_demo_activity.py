"""File and work a morning's demo appeals on the demo city (after load_demo_city); safe to run again."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dispatch.demo import load_demo_activity


class Command(BaseCommand):
    help = ("File demo appeals on the streets of the demo district and work them through the real services: "
            "some answered and rated, some still open; then count the rollups. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Pass --force if you really mean it.")
        done = load_demo_activity()
        if not done["appeals"]:
            self.stdout.write("The demo appeals are already there.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Filed {done['appeals']} demo appeals; {done['resolved']} answered, {done['rated']} rated."))
