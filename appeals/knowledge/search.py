"""Search: the entries that answer a question, best first.

Candidates come from the index (PostgreSQL: the tsvector's GIN index and an OR of the question's
tokens, the very common tokens left out of the lookup; SQLite: `LIKE` on the padded token text),
at most CANDIDATES of them. Each candidate is then scored in Python against its closest phrasing:
the share of the question's weight it covers and the share of the phrasing's weight the question
covers (weights: rarer tokens tell more), so a short question that names one rare thing and a
long one that restates the phrasing both score high, and a question on something else scores low
even when it shares the common words. The resident's place and how often the entry answered a
question at first contact move the score a little; `confident` marks a score worth offering.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from django.db import connection

from streets.models import Unit

from . import text
from .models import KnowledgeEntry, KnowledgeTerm, KnowledgeVersion

ENTRIES, TERMS = KnowledgeEntry._meta.db_table, KnowledgeTerm._meta.db_table

CANDIDATES = 100
MAX_LOOKUP_TERMS = 6
CONFIDENT = 0.52  # set on our own development questions (tests/knowledge_dev.jsonl), never on held-out ones
COMMON_SHARE = 0.02  # a token in more entries than this share is too common to look candidates up by
MAX_QUERY_TOKENS = 24


@dataclass(frozen=True)
class Suggestion:
    entry: KnowledgeEntry
    version: KnowledgeVersion
    score: float
    relevance: float

    @property
    def confident(self) -> bool:
        return self.score >= CONFIDENT


_count_memo: tuple[float, int] | None = None  # (expires, count): this process's copy


def published_count() -> int:
    """Published entries (the weights' denominator), counted at most once a minute per process."""
    global _count_memo
    now = time.monotonic()
    if _count_memo is None or _count_memo[0] < now:
        count = KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED).count()
        _count_memo = (now + 60, count)
    return _count_memo[1]


def forget_count() -> None:
    global _count_memo
    _count_memo = None


def _held(terms: list[str]) -> dict[str, int]:
    """Entries holding each term (terms no entry holds are left out)."""
    if not terms:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter: planned at once however many terms
            cursor.execute(f"SELECT term, entries FROM {TERMS} WHERE term = ANY(%s)", [terms])  # noqa: S608
        else:
            cursor.execute(f"SELECT term, entries FROM {TERMS} WHERE term IN ({', '.join(['%s'] * len(terms))})",  # noqa: S608
                           terms)
        return dict(cursor.fetchall())


def _weights(terms, held: dict[str, int], total: int) -> dict[str, float]:
    """Each term's weight: rare terms weigh more; a term no entry holds weighs most."""
    return {term: math.log(1 + (total + 1) / (held.get(term, 0) + 0.5)) for term in terms}


def _candidates(terms: list[str], held: dict[str, int], weights: dict[str, float], total: int) -> list[tuple]:
    """(id, phrasing tokens, place id, resolved count) of the entries holding the question's
    telling terms, at most CANDIDATES of them: on PostgreSQL those holding the most weight of the
    question (each term weighted as in the scoring, rare ones first), so entries that share only
    common words never crowd out one that shares the rare word."""
    present = sorted((term for term in terms if held.get(term)), key=lambda term: held[term])
    if not present:
        return []
    lookup = [term for term in present if held[term] <= max(50, total * COMMON_SHARE)] or present[:2]
    lookup = lookup[:MAX_LOOKUP_TERMS]
    published = KnowledgeEntry.Status.PUBLISHED
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each term is a bound parameter, cast to a one-lexeme tsquery (no quoting of ours).
            held_weight = " + ".join(
                ["(CASE WHEN search_vector @@ plainto_tsquery('simple', %s) THEN %s ELSE 0 END)"] * len(lookup))
            cursor.execute(
                f"SELECT id, phrasing_tokens, place_id, resolved_count FROM {ENTRIES} "  # noqa: S608
                f"WHERE status = %s AND search_vector @@ to_tsquery('simple', %s) "
                f"ORDER BY {held_weight} DESC, id LIMIT %s",
                [published, _or_query(lookup),
                 *(value for term in lookup for value in (term, weights[term])), CANDIDATES],
            )
        else:
            cursor.execute(
                f"SELECT id, phrasing_tokens, place_id, resolved_count FROM {ENTRIES} "  # noqa: S608
                f"WHERE status = %s AND ({' OR '.join(['search_text LIKE %s'] * len(lookup))}) LIMIT %s",
                [published, *(f"% {term} %" for term in lookup), CANDIDATES * 4],
            )
        rows = cursor.fetchall()
    return [(pk, json.loads(tokens) if isinstance(tokens, str) else tokens, place, resolved)
            for pk, tokens, place, resolved in rows]


def _or_query(terms: list[str]) -> str:
    """`'a' | 'b'`: tsquery text with each term quoted as a lexeme (quotes doubled, backslashes dropped)."""
    return " | ".join("'" + term.replace("\\", "").replace("'", "''") + "'" for term in terms)


def relevance(query: list[list[str]], phrasings: list[list[str]], weights: dict[str, float]) -> float:
    """How well the closest phrasing matches the question (0..1). The question counts word by
    word (a word weighs as its rarest token, and is met when any of its tokens is); the phrasing
    token by token."""
    asked = {term for unit in query for term in unit}
    asked_weight = sum(max(weights.get(term, 0.0) for term in unit) for unit in query) or 1.0
    best = 0.0
    for phrasing in phrasings:
        words = set(phrasing)
        shared = asked & words
        if not shared:
            continue
        met = sum(max((weights.get(term, 0.0) for term in unit if term in words), default=0.0) for unit in query)
        shared_weight = sum(weights.get(term, 0.0) for term in shared)
        phrasing_weight = sum(weights.get(term, 1.0) for term in words) or 1.0
        covered, precise = min(1.0, met / asked_weight), min(1.0, shared_weight / phrasing_weight)
        best = max(best, covered ** 0.6 * precise ** 0.4)
    return best


def _place_factor(entry_place: int | None, lineage: set[int] | None) -> float:
    if entry_place is None:
        return 1.0
    if lineage is None:
        return 0.9  # a local entry when we do not know where the resident is
    return 1.1 if entry_place in lineage else 0.5


def place_lineage(place: Unit | None) -> set[int] | None:
    """The unit and the one above it (a street and its district), without a query."""
    if place is None:
        return None
    return {place.pk, place.parent_id} - {None}


def suggest(question: str, *, place: Unit | None = None, limit: int = 3) -> list[Suggestion]:
    """The best `limit` published entries for the question, best first (scores included)."""
    query = text.units(question[:500])[:MAX_QUERY_TOKENS]
    terms = list(dict.fromkeys(term for unit in query for term in unit))
    if not terms:
        return []
    total = published_count()
    held = _held(terms)
    rows = _candidates(terms, held, _weights(terms, held, total), total)
    if not rows:
        return []
    # Every phrasing token's weight too, to judge how much of the phrasing the question covers.
    others = sorted({term for _id, phrasings, _p, _r in rows for words in phrasings for term in words} - set(terms))
    held.update(_held(others))
    weights = _weights([*terms, *others], held, total)
    lineage = place_lineage(place)
    scored = []
    for entry_id, phrasings, place_id, resolved in rows:
        fit = relevance(query, phrasings, weights)
        if fit <= 0:
            continue
        score = fit * _place_factor(place_id, lineage) * (1 + 0.02 * math.log1p(resolved))
        scored.append((score, fit, entry_id))
    scored.sort(key=lambda item: (-item[0], item[2]))
    top = scored[:limit]
    entries = KnowledgeEntry.objects.select_related("published_version", "owner", "place").in_bulk(
        [entry_id for _s, _f, entry_id in top])
    return [
        Suggestion(entry=entries[entry_id], version=entries[entry_id].published_version, score=score, relevance=fit)
        for score, fit, entry_id in top
    ]
