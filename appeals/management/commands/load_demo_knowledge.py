"""The demo city's knowledge base (appeals/knowledge/demo/entries.jsonl): run by `make run` after
load_demo_city; idempotent (entries already as in the file are left alone)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appeals.knowledge import io

from .import_knowledge import report

DEMO_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "demo" / "entries.jsonl"


class Command(BaseCommand):
    help = "Load the demo knowledge base (idempotent)."

    def handle(self, *args, **options):
        plan = io.apply_import(io.read_rows(DEMO_FILE.read_bytes(), DEMO_FILE.name), dry_run=False)
        report(self, plan, verbose=False)
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} bad rows in the demo knowledge base")
