"""Import knowledge entries from a .csv, .xlsx or .jsonl file (appeals/knowledge/io.py)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appeals.knowledge import io


def report(command: BaseCommand, plan: io.Plan, *, verbose: bool = True) -> None:
    for row in plan.rows:
        if row.action == "error":
            command.stderr.write(f"line {row.line} ({row.key or '?'}): " + "; ".join(row.errors))
        elif verbose and row.action in ("create", "update"):
            command.stdout.write(f"{row.action} {row.key}" + (f" ({', '.join(row.changed)})" if row.changed else ""))
    state = "applied" if plan.applied else "nothing written"
    command.stdout.write(" ".join(f"{k}={v}" for k, v in plan.summary().items()) + f" ({state})")


class Command(BaseCommand):
    help = "Import knowledge entries (validated; --dry-run shows what would change and writes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        try:
            plan = io.apply_import(io.read_rows(file.read_bytes(), file.name), dry_run=dry_run)
        except (OSError, io.ImportFileError) as exc:
            raise CommandError(str(exc)) from exc
        report(self, plan)
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} bad rows: nothing imported")
