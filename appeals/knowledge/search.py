"""Search: the entries that answer a question, best first.

Candidates come from the index (PostgreSQL: the tsvector's GIN index; SQLite: `LIKE` on the padded
token text): the entries that hold one of the question's rarer terms or two of its words
(`lookup`), at most CANDIDATES of them, those holding the most of the question's weight first.
Each candidate is then scored in Python (`Fit`; `_scored` reads the token weights of only the
candidates that can still make the top): the share of the question's weight the entry's phrasings
cover together, and the share of its closest phrasing's weight the question covers (weights: rarer
tokens tell more), so a short question that names one rare thing and a long one that restates the
entry both score high, and a question on something else scores low even when it shares the common
words. The coverage is the entry's, not its closest phrasing's: in a large base, some short
phrasing of another matter holds any two of a question's words, while the right entry's phrasings
each hold a part of what the resident says. The resident's place (or the district the question
names) and how often the entry answered a question at first contact move the score a little;
`confident` marks a score worth offering.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from streets.models import Unit

from . import text
from .models import KnowledgeEntry, KnowledgeTerm, KnowledgeVersion

ENTRIES, TERMS = KnowledgeEntry._meta.db_table, KnowledgeTerm._meta.db_table

CANDIDATES = 200
SCORE_BATCH = 25  # candidates whose every token weight is looked up at once (_scored)
CONFIDENT = 0.52  # set on our own development questions (tests/knowledge_dev.jsonl), never on held-out ones
LOOKUP_ENTRIES = 2000  # about this many entries at most, for single terms and again for pairs (lookup)
MAX_QUERY_TOKENS = 24
PLACE_SUFFIXES = ("街道", "区", "镇", "乡")  # what a resident leaves out naming a place (东城 for 东城区)


@dataclass(frozen=True)
class Suggestion:
    entry: KnowledgeEntry
    version: KnowledgeVersion
    score: float
    relevance: float

    @property
    def confident(self) -> bool:
        return self.score >= CONFIDENT


_count_memo: tuple[float, int, int] | None = None  # (expires, count, most held): this process's copy


def _counts() -> tuple[int, int]:
    """Published entries (the weights' denominator) and the most entries any term is held by (the
    lightest weight, for _scored's bound), counted at most once a minute per process."""
    global _count_memo
    now = time.monotonic()
    if _count_memo is None or _count_memo[0] < now:
        count = KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED).count()
        most = KnowledgeTerm.objects.aggregate(most=Max("entries"))["most"] or 0
        _count_memo = (now + 60, count, most)
    return _count_memo[1], _count_memo[2]


def published_count() -> int:
    return _counts()[0]


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
    return {term: _weight(held.get(term, 0), total) for term in terms}


def _weight(held_by: int, total: int) -> float:
    return math.log(1 + (total + 1) / (held_by + 0.5))


def _holds(term: str) -> tuple[str, str]:
    """SQL that is true when an entry holds `term`, and its parameter."""
    if connection.vendor == "postgresql":  # one lexeme, quoted by _lexeme: the parameter is never parsed as operators
        return "search_vector @@ to_tsquery('simple', %s)", _lexeme(term)
    return "search_text LIKE %s", f"% {term} %"


def _lexeme(term: str) -> str:
    """The term as a quoted tsquery lexeme (quotes doubled, backslashes dropped)."""
    return "'" + term.replace("\\", "").replace("'", "''") + "'"


def lookup(query: list[list[str]], held: dict[str, int], total: int) -> list[tuple[str, ...]]:
    """What an entry must hold to be a candidate: one of the question's rarer terms, or terms of
    two different words of the question. An entry sharing a single common word with a question
    that says more cannot be its best answer; an entry that shares two common words (社会保障卡
    and 补办) is found however many others hold each of them. Single terms are taken the rarest
    first while the entries holding them stay within LOOKUP_ENTRIES, then pairs of the other terms
    the rarest first (as many entries as would hold both were words drawn at random) within as
    many again, so the lookup stays bounded however large the base. A question of one known word
    looks up its rarest tokens (at least one)."""
    words = [list(unit) for unit in dict.fromkeys(tuple(term for term in unit if held.get(term)) for unit in query)
             if unit]  # a word said twice is one word
    rare = _within_budget([(term,) for term in {term for unit in words for term in unit}], held, total,
                          at_least_one=len(words) == 1)
    singles = {clause[0] for clause in rare}
    commons = [[term for term in unit if term not in singles] for unit in words]
    pairs = {tuple(sorted((a, b))) for i, first in enumerate(commons) for second in commons[i + 1:]
             for a in first for b in second if a != b}
    return rare + _within_budget(list(pairs), held, total, at_least_one=not rare)


def _within_budget(clauses: list[tuple[str, ...]], held: dict[str, int], total: int, *,
                   at_least_one: bool) -> list[tuple[str, ...]]:
    """The clauses held by the fewest entries (estimated: a term's count, a pair's as if its words
    were independent), while their sum stays within LOOKUP_ENTRIES."""
    def size(clause):
        return math.prod(held[term] / max(total, 1) for term in clause) * total

    chosen, budget = [], LOOKUP_ENTRIES
    for clause in sorted(clauses, key=lambda clause: (size(clause), clause)):
        if size(clause) > budget and (chosen or not at_least_one):
            break
        chosen.append(clause)
        budget -= size(clause)
    return chosen


# The mean size of an entry's phrasings (characters of its distinct tokens per phrasing): a short
# phrasing holding the question's words is the closer match (`relevance`'s precision).
PHRASING_SIZE = "length(search_text) * 1.0 / (1 + {array_length}(phrasing_tokens))"


def _candidates(query: list[list[str]], held: dict[str, int], weights: dict[str, float],
                total: int) -> list[tuple]:
    """(id, phrasing tokens, place id, resolved count) of at most CANDIDATES entries that hold
    what `lookup` asks, those holding the most weight of the question first, then those with the
    shortest phrasings."""
    clauses = lookup(query, held, total)
    if not clauses:
        return []
    where, where_params = _holding_any(clauses)
    rank, rank_params = _weight_held(query, held, weights)
    size = PHRASING_SIZE.format(
        array_length="jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, phrasing_tokens, place_id, resolved_count FROM {ENTRIES} "  # noqa: S608
            f"WHERE status = %s AND {where} ORDER BY {rank} DESC, {size}, id LIMIT %s",
            [KnowledgeEntry.Status.PUBLISHED, *where_params, *rank_params, CANDIDATES],
        )
        rows = cursor.fetchall()
    return [(pk, json.loads(tokens) if isinstance(tokens, str) else tokens, place, resolved)
            for pk, tokens, place, resolved in rows]


def _holding_any(clauses: list[tuple[str, ...]]) -> tuple[str, list]:
    """SQL true for an entry that holds every term of one of the clauses, and its parameters."""
    if connection.vendor == "postgresql":  # one tsquery: the GIN index answers the whole OR at once
        return "search_vector @@ to_tsquery('simple', %s)", [
            " | ".join("(" + " & ".join(_lexeme(term) for term in clause) + ")" for clause in clauses)]
    sqls, params = [], []
    for clause in clauses:
        holds = [_holds(term) for term in clause]
        sqls.append("(" + " AND ".join(sql for sql, _param in holds) + ")")
        params += [param for _sql, param in holds]
    return "(" + " OR ".join(sqls) + ")", params


def _weight_held(query: list[list[str]], held: dict[str, int], weights: dict[str, float]) -> tuple[str, list]:
    """SQL of the question's weight an entry holds (a word counts once, as its heaviest token held,
    as in `relevance`), and its parameters."""
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sqls, params = [], []
    for unit in query:
        cases = []
        for term in (term for term in unit if held.get(term)):
            sql, param = _holds(term)
            cases.append(f"CASE WHEN {sql} THEN %s ELSE 0 END")
            params += [param, weights[term]]
        if cases:
            sqls.append(cases[0] if len(cases) == 1 else f"{greatest}({', '.join(cases)})")
    return " + ".join(sqls), params


class Fit:
    """How well an entry matches the question (0..1): the share of the question's weight its
    phrasings cover together, and the share of its closest phrasing's weight the question covers.
    The question counts word by word (a word weighs as its rarest token, and is met when any of its
    tokens is); a phrasing token by token, a token missing from `weights` weighing `unknown`. The
    coverage is the entry's, not one phrasing's: a resident's question mixes what the entry's
    phrasings say apart (刚出生 from one, 材料 from another), while in a large base some short
    phrasing of another matter holds any two of its words; scored phrasing by phrasing, that one
    would outrank the right entry. The question's side is worked out once for all the candidates."""

    def __init__(self, query: list[list[str]], weights: dict[str, float]):
        self.weights = weights
        self.words_of: dict[str, list[int]] = {}
        for n, unit in enumerate(query):
            for term in unit:
                self.words_of.setdefault(term, []).append(n)
        self.asked = self.words_of.keys()
        self.asked_weight = sum(max(weights.get(term, 0.0) for term in unit) for unit in query) or 1.0

    def __call__(self, phrasings: list[list[str]], unknown: float = 1.0) -> float:
        weights, precise = self.weights, 0.0
        shares = [(self.asked & set(phrasing), phrasing) for phrasing in phrasings]
        for shared, phrasing in shares:
            if shared:
                shared_weight = sum(weights.get(term, 0.0) for term in shared)
                phrasing_weight = sum(weights.get(term, unknown) for term in set(phrasing)) or 1.0
                precise = max(precise, min(1.0, shared_weight / phrasing_weight))
        if not precise:
            return 0.0
        return self.covered(set().union(*(shared for shared, _phrasing in shares))) ** 0.6 * precise ** 0.4

    def covered(self, shared: set[str]) -> float:
        """The share of the question's weight that these of its terms meet (a word met once)."""
        met: dict[int, float] = {}
        for term in shared:
            weight = self.weights.get(term, 0.0)
            for word in self.words_of[term]:
                met[word] = max(met.get(word, 0.0), weight)
        return min(1.0, sum(met.values()) / self.asked_weight)


def _place_factor(entry_place: int | None, lineage: set[int] | None) -> float:
    if entry_place is None:
        return 1.0
    if lineage is None:
        return 0.9  # a local entry when we do not know where the resident is
    return 1.1 if entry_place in lineage else 0.5


def named_places(terms: list[str], places: set[int]) -> set[int] | None:
    """Which of these places (the local candidates') the question names, by name or short name
    (东城区, 东城; 交道口街道, 交道口), or None: a resident who names their district asks about it,
    as one whose place is known does."""
    named = set()
    for pk, name in Unit.objects.filter(pk__in=places).values_list("pk", "name") if places else ():
        short = next((name.removesuffix(suffix) for suffix in PLACE_SUFFIXES if name.endswith(suffix)), name)
        if name in terms or (len(short) >= 2 and short in terms):
            named.add(pk)
    return named or None


def place_lineage(place: Unit | None) -> set[int] | None:
    """The unit and the one above it (a street and its district), without a query."""
    if place is None:
        return None
    return {place.pk, place.parent_id} - {None}


def _scored(query: list[list[str]], rows: list[tuple], held: dict[str, int], weights: dict[str, float],
            total: int, lineage: set[int] | None, limit: int) -> list[tuple[float, float, int]]:
    """The best `limit` candidates as (score, relevance, id), scored exactly. Scoring a candidate
    needs the weight of every token of its phrasings, looked up in the term counts; a bound
    first (each token the question lacks weighing the least any token does: the most held one)
    says which candidates could still make the top, so only those are looked up, a batch at a time,
    best bound first, until the `limit`-th exact score beats every remaining bound."""
    floor, fit_of = _weight(_counts()[1], total), Fit(query, weights)

    def factor(place_id, resolved):
        return _place_factor(place_id, lineage) * (1 + 0.02 * math.log1p(resolved))

    bounded = sorted(((fit_of(phrasings, unknown=floor) * factor(place_id, resolved), entry_id,
                       phrasings, place_id, resolved) for entry_id, phrasings, place_id, resolved in rows),
                     key=lambda item: (-item[0], item[1]))
    scored: list[tuple[float, float, int]] = []
    for start in range(0, len(bounded), SCORE_BATCH):
        if len(scored) >= limit and scored[limit - 1][0] > bounded[start][0]:
            break
        batch = bounded[start:start + SCORE_BATCH]
        missing = sorted({term for item in batch for words in item[2] if not fit_of.asked.isdisjoint(words)
                          for term in words} - weights.keys())  # a phrasing sharing no term scores nothing
        held.update(_held(missing))
        weights.update(_weights(missing, held, total))
        for _bound, entry_id, phrasings, place_id, resolved in batch:
            fit = fit_of(phrasings)
            if fit > 0:
                scored.append((fit * factor(place_id, resolved), fit, entry_id))
        scored.sort(key=lambda item: (-item[0], item[2]))
    return scored[:limit]


def _question(question: str) -> tuple[list[list[str]], list[str]]:
    """The question's words (each as its tokens) and its distinct tokens."""
    query = text.units(question[:500])[:MAX_QUERY_TOKENS]
    return query, list(dict.fromkeys(term for unit in query for term in unit))


def candidate_ids(question: str) -> list[int]:
    """The entries the lookup hands to the scoring, best first (the benchmark's recall check)."""
    query, terms = _question(question)
    total = published_count()
    held = _held(terms)
    return [row[0] for row in _candidates(query, held, _weights(terms, held, total), total)]


def suggest(question: str, *, place: Unit | None = None, limit: int = 3) -> list[Suggestion]:
    """The best `limit` published entries for the question, best first (scores included)."""
    query, terms = _question(question)
    if not terms:
        return []
    total = published_count()
    held = _held(terms)
    weights = _weights(terms, held, total)
    rows = _candidates(query, held, weights, total)
    lineage = place_lineage(place) if place is not None else named_places(terms, {row[2] for row in rows} - {None})
    top = _scored(query, rows, held, weights, total, lineage, limit)
    entries = KnowledgeEntry.objects.select_related("published_version", "owner", "place").defer(
        "phrasing_tokens", "search_text", "owner__boundary", "place__boundary").in_bulk(
        [entry_id for _s, _f, entry_id in top])
    return [
        Suggestion(entry=entries[entry_id], version=entries[entry_id].published_version, score=score, relevance=fit)
        for score, fit, entry_id in top
    ]
