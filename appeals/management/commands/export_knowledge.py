"""Export the published knowledge entries as .csv, .xlsx or .jsonl (by the file's extension)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appeals.knowledge import io


class Command(BaseCommand):
    help = "Export the published knowledge entries to a .csv, .xlsx or .jsonl file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        fmt = file.suffix.lstrip(".").lower()
        if fmt not in ("csv", "xlsx", "jsonl"):
            raise CommandError("give a path ending in .csv, .xlsx or .jsonl")
        rows = io.export_rows()
        file.write_bytes(io.write(rows, fmt))
        self.stdout.write(f"{len(rows)} entries written to {file}")
