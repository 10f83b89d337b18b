"""Knowledge-base scenario helpers: the demo entries loaded into the test city, and single entries."""
from __future__ import annotations

import json
from pathlib import Path

from appeals.knowledge import io, services
from appeals.knowledge.models import KnowledgeEntry
from streets.models import Unit
from tests.factories import UnitFactory

DEMO_FILE = Path(__file__).resolve().parents[1] / "appeals" / "knowledge" / "demo" / "entries.jsonl"


def load_demo_entries() -> int:
    """The shipped demo entries, their owners created as departments and their districts as
    districts when the test city lacks them; categories dropped (the test city has other ones)."""
    rows = [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if not Unit.objects.filter(code=row["owner"]).exists():
            UnitFactory(code=row["owner"], kind=Unit.Kind.DEPARTMENT, name=row["owner"])
        if row["scope"] != "city" and not Unit.objects.filter(name=row["scope"]).exists():
            UnitFactory(code=f"D-{len(row['scope'])}-{row['scope']}", kind=Unit.Kind.DISTRICT, name=row["scope"])
        row["category"] = ""
    plan = io.apply_import(rows, dry_run=False)
    assert not plan.errors, [(row.line, row.errors) for row in plan.errors]
    return len(rows)


def published_entry(owner: Unit, key: str = "water-bill", *, question: str = "自来水费怎么交",
                    answer: str = "可在营业厅或网上缴纳水费。", review_due=None, **fields) -> KnowledgeEntry:
    entry = services.create_entry(
        key=key, owner=owner, topic="utilities", content=services.Content(
            question_zh=question, answer_zh=answer,
            question_en=fields.pop("question_en", "How do I pay the water bill?"),
            answer_en="Pay at a service hall or online.", phrasings_zh=fields.pop("phrasings_zh", ("水费在哪里交",)),
            review_due=review_due),
        **fields,
    )
    services.publish(version=entry.versions.get())
    entry.refresh_from_db()
    return entry
