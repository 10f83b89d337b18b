"""Train the classifier on the shipped set and the operators' examples (`make run` calls it).

Idempotent: when a version was already trained on exactly this data nothing is done, so a second
`make run` starts at once."""
from django.core.management.base import BaseCommand

from dispatch.routing import learning


class Command(BaseCommand):
    help = "Train a classifier version (skipped when one was trained on the same data); promote it if not worse."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Train even if the data did not change.")

    def handle(self, *args, force=False, **options):
        version = learning.train_version(trigger="command", force=force)
        if version is None:
            serving = learning.in_service()
            self.stdout.write(f"Classifier: nothing new to learn; in service: {serving or 'none'}.")
        else:
            self.stdout.write(
                f"Classifier v{version.pk}: top-1 {version.top1:.3f}, top-3 {version.top3:.3f} on "
                f"{version.heldout_size} held-out examples ({version.train_size} trained on): "
                f"{version.get_status_display()}."
            )
