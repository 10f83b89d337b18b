"""Bulk import and export of entries: CSV, Excel (.xlsx) and JSON Lines.

Every row is checked before anything is written (owner, category, place, topic, the content's own
rules); a dry run answers with the plan alone: which keys would be created, which changed (and
which fields), which are unchanged, and every bad row with its line and the reason. Applying writes
the good rows as new published versions in one transaction, so an import run twice changes nothing
the second time, and the history keeps what each entry said before.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appeals.models import Category
from streets.models import Unit

from . import services
from .models import KnowledgeEntry, Topic

COLUMNS = (
    "key", "topic", "category", "owner", "scope", "question_zh", "phrasings_zh", "answer_zh",
    "question_en", "phrasings_en", "answer_en", "policy", "valid_from", "valid_until", "review_due",
)
LIST_COLUMNS = ("phrasings_zh", "phrasings_en")
DATE_COLUMNS = ("valid_from", "valid_until", "review_due")
CITY = ("", "city", "全市")
MAX_ROWS = 50_000
MAX_CELL = 20_000


class ImportFileError(ValueError):
    """The file itself cannot be read (wrong type, no header, too many rows)."""


@dataclass
class Row:
    line: int
    key: str
    action: str = ""  # create | update | unchanged | error
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    content: services.Content | None = None
    attrs: dict = field(default_factory=dict)


@dataclass
class Plan:
    rows: list[Row]
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def errors(self) -> list[Row]:
        return [row for row in self.rows if row.action == "error"]

    def summary(self) -> dict[str, int]:
        return {action: self.count(action) for action in ("create", "update", "unchanged", "error")}


def read_rows(data: bytes, filename: str) -> list[dict]:
    """The file's rows as dicts of strings (lists for phrasings in JSON Lines)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".jsonl") or name.endswith(".json"):
        rows = []
        for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ImportFileError(_("Line %(n)d is not JSON.") % {"n": number}) from exc
                _bound(rows)
        return rows
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("A CSV file must be UTF-8.")) from exc
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "key" not in reader.fieldnames:
            raise ImportFileError(_("The first row must name the columns, key among them."))
        rows = []
        for row in reader:
            rows.append(row)
            _bound(rows)
        return rows
    raise ImportFileError(_("Give a .csv, .xlsx or .jsonl file."))


def _bound(rows: list) -> None:
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})


def _xlsx_rows(data: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx).")) from exc
    values = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(values, ())]
    if "key" not in header:
        raise ImportFileError(_("The first row must name the columns, key among them."))
    rows = []
    for cells in values:
        if any(cell not in (None, "") for cell in cells):
            rows.append({name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name})
            _bound(rows)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _list(value) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        items = [_text(item) for item in value]
    else:
        items = _text(value).replace("｜", "|").replace("\n", "|").split("|")
    return tuple(item.strip() for item in items if item and item.strip())


def _date(value, errors: list[str], name: str) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value)[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_("%(column)s: not a date (YYYY-MM-DD): %(value)s") % {"column": name, "value": text})
        return None


def _place(value: str) -> Unit | None:
    return (Unit.objects.filter(code=value).first()
            or Unit.objects.filter(name=value, kind__in=[Unit.Kind.DISTRICT, Unit.Kind.STREET]).first())


def check_row(raw: dict, line: int, units: dict, categories: dict) -> Row:
    row = Row(line=line, key=_text(raw.get("key")))
    errors = row.errors
    if any(len(_text(value)) > MAX_CELL for value in raw.values() if not isinstance(value, list)):
        errors.append(_("A cell is longer than %(n)d characters.") % {"n": MAX_CELL})
    if not row.key or len(row.key) > 80 or not all(ch.isalnum() or ch in "-_" for ch in row.key) \
            or not row.key.isascii():
        errors.append(_("key: give letters, digits, - or _ (at most 80)."))
    topic = _text(raw.get("topic")) or Topic.OTHER
    if topic not in Topic.values:
        errors.append(_("topic: unknown topic %(value)s") % {"value": topic})
    owner_code = _text(raw.get("owner"))
    owner = units.get(owner_code)
    if owner is None:
        errors.append(_("owner: no unit with the code %(value)s") % {"value": owner_code})
    category_code = _text(raw.get("category"))
    category = categories.get(category_code) if category_code else None
    if category_code and category is None:
        errors.append(_("category: no category with the code %(value)s") % {"value": category_code})
    scope = _text(raw.get("scope") or raw.get("place"))
    place = None if scope.lower() in CITY else _place(scope)
    if scope.lower() not in CITY and place is None:
        errors.append(_("scope: no district or street called %(value)s") % {"value": scope})
    content = services.Content(
        question_zh=_text(raw.get("question_zh")), answer_zh=_text(raw.get("answer_zh")),
        question_en=_text(raw.get("question_en")), answer_en=_text(raw.get("answer_en")),
        phrasings_zh=_list(raw.get("phrasings_zh")), phrasings_en=_list(raw.get("phrasings_en")),
        policy=_text(raw.get("policy")),
        **{name: _date(raw.get(name), errors, name) for name in DATE_COLUMNS},
    )
    try:
        content.check()
    except ValidationError as exc:
        errors.extend(f"{name}: {message}" for name, messages in exc.message_dict.items() for message in messages)
    row.content = content
    row.attrs = {"topic": topic, "owner": owner, "category": category, "place": place}
    return row


def plan_import(raw_rows: list[dict]) -> Plan:
    """Check every row and say what applying it would do; writes nothing."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    categories = {category.code: category for category in Category.objects.filter(is_leaf=True)}
    existing = {entry.key: entry for entry in KnowledgeEntry.objects.select_related("published_version")
                .filter(key__in=[_text(raw.get("key")) for raw in raw_rows])}
    rows, seen = [], set()
    for line, raw in enumerate(raw_rows, start=2):
        row = check_row(raw if isinstance(raw, dict) else {}, line, units, categories)
        if row.key in seen:
            row.errors.append(_("key: appears twice in the file."))
        seen.add(row.key)
        if row.errors:
            row.action = "error"
        elif row.key not in existing:
            row.action = "create"
        else:
            row.changed = _changes(existing[row.key], row)
            row.action = "update" if row.changed else "unchanged"
        rows.append(row)
    return Plan(rows=rows)


def _changes(entry: KnowledgeEntry, row: Row) -> list[str]:
    changed = [name for name in ("topic", "owner", "category", "place")
               if getattr(entry, f"{name}_id" if name != "topic" else name)
               != (row.attrs[name].pk if name != "topic" and row.attrs[name] is not None else row.attrs[name])]
    if entry.published_version is None:
        return [*changed, "content"]
    current = services.Content.of(entry.published_version).fields()
    return changed + [name for name, value in row.content.fields().items() if current[name] != value]


def apply_import(raw_rows: list[dict], *, dry_run: bool, actor=None) -> Plan:
    """Plan, and unless `dry_run` (or any row is bad: nothing is written then), write the creates
    and updates as published versions, all in one transaction."""
    plan = plan_import(raw_rows)
    if dry_run or plan.errors:
        return plan
    with transaction.atomic():
        for row in plan.rows:
            if row.action == "create":
                entry = services.create_entry(key=row.key, content=row.content, actor=None, **row.attrs)
                services.publish(version=entry.versions.get(), actor=None)
            elif row.action == "update":
                entry = KnowledgeEntry.objects.get(key=row.key)
                version = services.save_draft(entry=entry, content=row.content, actor=None,
                                              note=_("Imported"), **row.attrs)
                services.publish(version=version, actor=None)
    plan.applied = True
    return plan


def export_rows(queryset=None) -> list[dict]:
    """Each published entry as one row of the import's columns (phrasings as lists)."""
    entries = (queryset if queryset is not None else KnowledgeEntry.objects.filter(
        status=KnowledgeEntry.Status.PUBLISHED)).select_related("published_version", "owner", "category", "place")
    rows = []
    for entry in entries.order_by("key"):
        version = entry.published_version
        content = services.Content.of(version).fields()
        rows.append({
            "key": entry.key, "topic": entry.topic, "category": entry.category.code if entry.category else "",
            "owner": entry.owner.code, "scope": entry.place.name if entry.place else "city",
            **{name: content[name] for name in ("question_zh", "phrasings_zh", "answer_zh", "question_en",
                                                "phrasings_en", "answer_en", "policy")},
            **{name: content[name].isoformat() if content[name] else "" for name in DATE_COLUMNS},
        })
    return rows


def write(rows: list[dict], fmt: str) -> bytes:
    """Rows as a file: csv (UTF-8 with a BOM, which Excel needs for Chinese), xlsx or jsonl."""
    flat = [{name: " | ".join(row[name]) if name in LIST_COLUMNS else row[name] for name in COLUMNS} for row in rows]
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("entries")
        sheet.append(list(COLUMNS))
        for row in flat:
            sheet.append([row[name] for name in COLUMNS])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(flat)
    return ("\ufeff" + out.getvalue()).encode()
