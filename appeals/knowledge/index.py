"""The search index of an entry, written from its published version.

Each phrasing (the question, its other phrasings, both languages) keeps its own token list, so a
question is compared with the phrasing closest to it; `search_text` holds every token once,
space-padded, for the SQLite fallback's `LIKE '% token %'`; on PostgreSQL the same tokens go into
a tsvector under the 'simple' configuration (no stemming or stop words of its own: the tokens are
already segmented, text.py) with a GIN index. KnowledgeTerm counts the entries per token.
"""
from __future__ import annotations

from collections import Counter

from django.db import connection, transaction
from django.db.models import F

from . import text
from .models import KnowledgeEntry, KnowledgeTerm, KnowledgeVersion

TABLE = KnowledgeEntry._meta.db_table


def phrasings_of(version: KnowledgeVersion) -> list[str]:
    return [version.question_zh, *version.phrasings_zh, version.question_en, *version.phrasings_en]


def tokens_of(version: KnowledgeVersion) -> list[list[str]]:
    """Distinct tokens of each non-empty phrasing."""
    out = []
    for phrasing in phrasings_of(version):
        words = list(dict.fromkeys(text.tokens(phrasing)))
        if words:
            out.append(words)
    return out


def _search_text(phrasing_tokens: list[list[str]]) -> str:
    terms = sorted({term for words in phrasing_tokens for term in words})
    return f" {' '.join(terms)} " if terms else ""


def _count(terms: set[str], delta: int) -> None:
    if not terms:
        return
    if delta > 0:
        KnowledgeTerm.objects.bulk_create([KnowledgeTerm(term=term) for term in terms], ignore_conflicts=True)
    KnowledgeTerm.objects.filter(term__in=terms).update(entries=F("entries") + delta)


def reindex_entry(entry: KnowledgeEntry, version: KnowledgeVersion | None) -> None:
    """Point the entry's index at `version` (None: out of search), adjusting the term counts.
    Runs in the caller's transaction; the entry row must be locked by the caller."""
    old = set(entry.search_text.split())
    entry.phrasing_tokens = tokens_of(version) if version is not None else []
    entry.search_text = _search_text(entry.phrasing_tokens)
    new = set(entry.search_text.split())
    _count(old - new, -1)
    _count(new - old, +1)
    KnowledgeEntry.objects.filter(pk=entry.pk).update(
        phrasing_tokens=entry.phrasing_tokens, search_text=entry.search_text,
    )
    _update_vectors(entry.pk)


def _update_vectors(entry_id: int | None) -> None:
    """The tsvector of one entry's tokens, or (None) of every entry's."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET search_vector = to_tsvector('simple', search_text) "  # noqa: S608 (our table)
            "WHERE %s::bigint IS NULL OR id = %s", [entry_id, entry_id])


@transaction.atomic
def rebuild(batch_size: int = 2000) -> int:
    """Rebuild every entry's index and the term counts from the published versions (after a bulk
    import or a load for the benchmark). Returns the number of entries indexed."""
    entries = (
        KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED)
        .select_related("published_version").only("id", "published_version").order_by("id")
    )
    batch, total = [], 0
    for entry in entries.iterator(chunk_size=batch_size):
        entry.phrasing_tokens = tokens_of(entry.published_version)
        entry.search_text = _search_text(entry.phrasing_tokens)
        batch.append(entry)
        if len(batch) >= batch_size:
            KnowledgeEntry.objects.bulk_update(batch, ["phrasing_tokens", "search_text"])
            total += len(batch)
            batch = []
    KnowledgeEntry.objects.bulk_update(batch, ["phrasing_tokens", "search_text"])
    total += len(batch)
    KnowledgeEntry.objects.exclude(status=KnowledgeEntry.Status.PUBLISHED).update(phrasing_tokens=[], search_text="")
    recount_terms()
    return total


@transaction.atomic
def recount_terms() -> None:
    """Term counts and tsvectors from every entry's `search_text` (after a bulk load)."""
    counts: Counter = Counter()
    for tokens in KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED).values_list(
            "search_text", flat=True).iterator(chunk_size=5000):
        counts.update(tokens.split())
    KnowledgeTerm.objects.all().delete()
    KnowledgeTerm.objects.bulk_create(
        [KnowledgeTerm(term=term, entries=n) for term, n in counts.items()], batch_size=5000
    )
    _update_vectors(None)
