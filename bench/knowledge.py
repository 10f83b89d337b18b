"""python -m bench knowledge: search quality on question sets written apart from the entries, and
search latency with the demo entries alone and with --entries (default 200,000) loaded.

On a fresh PostgreSQL database with the demo city and the demo knowledge base (bench/stack.py),
it prints, for each question set (tests/knowledge_*.jsonl): how often the right entry is the first
suggestion and among the first three (questions that have an entry), how often the candidate
lookup alone holds it (its recall: what the scoring can at best rank), and how often a question
without an entry gets no confident suggestion. Then it adds synthetic published entries shaped
like a large knowledge base. Most are matters of their own: each phrasing names one or two things
of its own (a token no question uses) among the words entries share, drawn from the demo entries'
vocabulary as often as the demo entries use them (办理, 申请, 材料 often; 挂失 seldom), so they load
the lookup of every common word. A share (--variants, default 5%: some fifty per demo entry) are
near neighbours of a demo entry: each phrasing one of the demo entry's with a token or two left out
and a word of its own added (a place, a kind of resident), the confusable entries a large base
holds on every common matter. The loaded table is vacuumed as autovacuum would soon do. It prints
the quality again and the latency of `search.suggest` (p50, p95, max over every question of the
sets, several rounds), in-process: the API adds the request's own cost around it; with the wall
time, the CPU time of this process and of the database backend, which other jobs on the machine
do not inflate as much. (`--uniform` draws every word of the demo vocabulary alike instead:
nonsense entries that often hold a question's exact rare words, a far harsher test of the ranking
than a real base.)
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from pathlib import Path

from .stack import ROOT, database_url, ensure_database, running_stack

QUESTION_SETS = sorted((ROOT / "tests").glob("knowledge_*.jsonl"))
BATCH = 5000
VARIANTS = 0.05  # share of the synthetic entries that are near neighbours of a demo entry


def _questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def quality(questions: list[dict]) -> dict:
    from appeals.knowledge.models import KnowledgeEntry
    from appeals.knowledge.search import candidate_ids, suggest

    answerable = [q for q in questions if q["key"]]
    unanswerable = [q for q in questions if not q["key"]]
    ids = dict(KnowledgeEntry.objects.filter(key__in={q["key"] for q in answerable}).values_list("key", "id"))
    first = top3 = quiet = held = 0
    for q in answerable:
        keys = [s.entry.key for s in suggest(q["question"])]
        first += keys[:1] == [q["key"]]
        top3 += q["key"] in keys
        held += ids.get(q["key"]) in candidate_ids(q["question"])
    for q in unanswerable:
        found = suggest(q["question"])
        quiet += not (found and found[0].confident)
    return {"answerable": len(answerable), "first": first / max(1, len(answerable)),
            "top3": top3 / max(1, len(answerable)), "candidates": held / max(1, len(answerable)),
            "unanswerable": len(unanswerable),
            "quiet": quiet / max(1, len(unanswerable))}


def print_quality(label: str) -> None:
    for path in QUESTION_SETS:
        q = quality(_questions(path))
        print(f"  {label:<22} {path.name:<26} first {q['first']:6.1%}  top-3 {q['top3']:6.1%}  "
              f"({q['answerable']} with an entry; the lookup's candidates hold it for {q['candidates']:6.1%})   "
              f"no confident suggestion {q['quiet']:6.1%} ({q['unanswerable']} without)")


def add_synthetic_entries(count: int, *, uniform: bool = False, variants: float = VARIANTS, seed: int = 17) -> None:
    """`count` published entries whose phrasings draw on the demo entries' tokens (see the module)."""
    from django.db import connection, transaction

    from appeals.knowledge import index
    from appeals.knowledge.models import KnowledgeEntry, KnowledgeVersion
    from streets.models import Unit

    rng = random.Random(seed)
    demo = list(KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED).values_list(
        "phrasing_tokens", flat=True))
    usage = Counter(term for phrasings in demo for term in {t for words in phrasings for t in words})
    vocabulary = sorted(usage)
    frequency = None if uniform else [usage[term] for term in vocabulary]

    def own() -> str:
        return f"s{rng.randrange(10**6):06d}"

    def phrasing() -> list[str]:
        if uniform:
            return rng.sample(vocabulary, rng.randint(3, 6))
        return [own() for _ in range(rng.randint(1, 2))] + rng.choices(vocabulary, weights=frequency,
                                                                       k=rng.randint(1, 4))

    def variant(template: list[list[str]]) -> list[str]:
        """A phrasing of the template's, a token or two left out, with a word of its own (a place,
        a kind of resident): the near neighbours a large base holds of every common matter."""
        words = rng.choice(template)
        kept = rng.sample(words, max(1, len(words) - rng.randint(1, 2)))
        return [own(), *kept]

    def phrasings() -> list[list[str]]:
        if not uniform and rng.random() < variants:
            template = rng.choice(demo)
            return [variant(template) for _ in range(rng.randint(2, 5))]
        return [phrasing() for _ in range(rng.randint(2, 5))]
    owners = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).values_list("pk", flat=True))
    places = [*Unit.objects.filter(kind=Unit.Kind.DISTRICT).values_list("pk", flat=True), None, None, None]
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        with transaction.atomic():
            entries = []
            for n in range(start, start + size):
                tokens = phrasings()
                entries.append(KnowledgeEntry(
                    key=f"synthetic-{n:06d}", topic="other", owner_id=rng.choice(owners), place_id=rng.choice(places),
                    status=KnowledgeEntry.Status.PUBLISHED, phrasing_tokens=tokens,
                    search_text=f" {' '.join(sorted({t for words in tokens for t in words}))} ",
                ))
            KnowledgeEntry.objects.bulk_create(entries)
            KnowledgeVersion.objects.bulk_create([
                KnowledgeVersion(entry=entry, number=1, state=KnowledgeVersion.State.PUBLISHED,
                                 question_zh="".join(entry.phrasing_tokens[0]), answer_zh="……")
                for entry in entries])
        print(f"  {start + size} synthetic entries", end="\r", flush=True)
    print()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE appeals_knowledgeentry e SET published_version_id = v.id "
                       "FROM appeals_knowledgeversion v WHERE v.entry_id = e.id "
                       "AND e.published_version_id IS NULL AND e.key LIKE 'synthetic-%%'")
    index.recount_terms()
    with connection.cursor() as cursor:  # as autovacuum would soon: the GIN index's pending list merged, statistics
        cursor.execute("VACUUM ANALYZE appeals_knowledgeentry")
        cursor.execute("VACUUM ANALYZE appeals_knowledgeterm")


def latency(rounds: int) -> tuple[list[float], list[float] | None]:
    """Each search's wall time and, when the database server runs here (its backend's
    /proc/<pid>/schedstat is readable), its CPU time: this process's plus the backend's, which
    other jobs on the machine do not inflate as they do the wall time."""
    from django.db import connection

    from appeals.knowledge.search import suggest

    questions = [q["question"] for path in QUESTION_SETS for q in _questions(path)]
    for question in questions:  # warm: jieba's dictionary, the connection, the caches
        suggest(question)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def backend_ns() -> int | None:
        try:
            return int(backend.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
    times, cpu = [], []
    for _ in range(rounds):
        for question in questions:
            server, own, start = backend_ns(), time.process_time_ns(), time.perf_counter()
            suggest(question)
            times.append((time.perf_counter() - start) * 1000)
            after = backend_ns()
            if server is not None and after is not None:
                cpu.append((time.process_time_ns() - own + after - server) / 1e6)
    return times, cpu if len(cpu) == len(times) else None


def print_latency(label: str, measured: tuple[list[float], list[float] | None]) -> None:
    times, cpu = measured
    print(f"  {label:<22} {len(times)} searches   {_percentiles(times)}"
          + (f"   CPU time (this process and the database backend): {_percentiles(cpu)}" if cpu else ""))


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench knowledge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000, help="synthetic entries to add (default 200000)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions for the latency")
    parser.add_argument("--uniform", action="store_true", help="synthetic words drawn alike (see above)")
    parser.add_argument("--variants", type=float, default=VARIANTS,
                        help=f"share of synthetic entries near neighbours of a demo entry (default {VARIANTS})")
    parser.add_argument("--database", default="bench_knowledge")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database as a previous run left it (created when missing): the synthetic "
                             "entries already there are kept, only the missing ones are added")
    args = parser.parse_args(argv)
    fresh = not args.reuse or ensure_database(database_url(args.database))
    with running_stack(database=args.database, fresh=fresh, gunicorn_workers=0, celery_workers=0) as stack:
        if fresh:
            stack.manage("load_demo_knowledge")
        stack.setup_django()
        from appeals.knowledge.models import KnowledgeEntry

        loaded = KnowledgeEntry.objects.filter(key__startswith="synthetic-").count()
        demo = KnowledgeEntry.objects.count() - loaded
        print(f"Knowledge base search, PostgreSQL, {demo} demo entries")
        if not loaded:  # a reused database holding the synthetic entries has no demo-only figures
            print_quality("demo entries")
            print_latency("demo entries", latency(args.rounds))
        if args.entries:
            if loaded != args.entries:
                if loaded:
                    raise SystemExit(f"{args.database} holds {loaded} synthetic entries, not {args.entries}: "
                                     "run without --reuse")
                started = time.perf_counter()
                add_synthetic_entries(args.entries, uniform=args.uniform, variants=args.variants)
                print(f"  loaded {args.entries} synthetic entries in {time.perf_counter() - started:.0f} s")
            print_quality(f"+{args.entries} entries")
            print_latency(f"+{args.entries} entries", latency(args.rounds))
    return 0
