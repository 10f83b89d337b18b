"""`python -m bench load`: intake throughput against the ceiling of the stack, submit-to-dispatched
latency at a steady rate, and the routing rate of one worker process, in one run on one stack."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from . import client, routing
from .payloads import appeal_bodies
from .stack import running_stack

INTAKE_PATH = "/api/v1/appeals/"
CEILING_PATH = "/bench/ceiling/"
MAX_REFUSED_SHARE = 0.01  # more non-201 answers than this and the figures mean nothing
TARGETS = {"ratio": 0.50, "dispatch_p99": 1.0, "routing": 500.0}


@dataclass(frozen=True)
class LoadOptions:
    database: str = "bench_load"
    gunicorn_workers: int = 4
    celery_concurrency: int = 2
    concurrency: int = 32
    warmup: float = 3.0
    duration: float = 20.0
    rounds: int = 4
    rate: float = 100.0
    latency_duration: float = 10.0
    routing_appeals: int = 5000


def ceiling_bodies():
    serial = 0
    while True:
        serial += 1
        yield json.dumps({"text": f"ping {serial}"}).encode()


def dispatch_latencies(outcome: client.Outcome) -> list[float]:
    """Seconds from each 201 to the creation of its appeal's dispatch (same machine, same clock)."""
    from dispatch.models import Dispatch

    answered = {json.loads(body)["number"]: at for at, body in outcome.receipts}
    dispatched = dict(
        Dispatch.objects.filter(appeal__number__in=answered, role=Dispatch.Role.PRIMARY)
        .values_list("appeal__number", "dispatched_at")
    )
    return [dispatched[n].timestamp() - at for n, at in answered.items() if n in dispatched]


def compare(intake: client.Poster, ceiling: client.Poster, options: LoadOptions) -> tuple[client.Outcome, ...]:
    """Intake and ceiling in alternating rounds (`duration` each in all), so a spell of noise on a
    shared machine weighs on both rather than on whichever ran at the time."""
    outcomes = (client.Outcome(), client.Outcome())
    rounds = max(1, options.rounds)
    for _ in range(rounds):
        for poster, outcome in zip((intake, ceiling), outcomes, strict=True):
            outcome.add(client.closed_loop(poster, concurrency=options.concurrency, warmup=options.warmup / rounds,
                                           duration=options.duration / rounds))
    return outcomes


def run(options: LoadOptions) -> int:
    extra_env = {"BENCH_CEILING": "1"}
    # No worker during the intake and ceiling phases: both measure the web tier alone (intake still
    # publishes every routing message; they wait in Redis), and routing would take its cores.
    with running_stack(database=options.database, gunicorn_workers=options.gunicorn_workers,
                       celery_workers=0, extra_env=extra_env) as stack:
        stack.setup_django()
        from appeals.models import Appeal

        bodies = appeal_bodies()
        intake, ceiling = compare(
            client.Poster(stack.base_url + INTAKE_PATH, bodies),
            client.Poster(stack.base_url + CEILING_PATH, ceiling_bodies()), options,
        )
        stack.start_celery_worker(concurrency=options.celery_concurrency)
        routing.wait_routed(Appeal.objects.all(), timeout=300)  # the intake phase's backlog
        paced = client.open_loop(
            client.Poster(stack.base_url + INTAKE_PATH, bodies, keep_bodies=True),
            rate=options.rate, duration=options.latency_duration,
        )
        routing.wait_routed(Appeal.objects.all(), timeout=120)
        latencies = dispatch_latencies(paced)
        routed = routing.routing_throughput(stack, count=options.routing_appeals)
        unrouted = Appeal.objects.filter(routed_at__isnull=True).count()
        total = Appeal.objects.count()
    print_table(options, intake, ceiling, paced, latencies, routed, total=total, unrouted=unrouted)
    return check(intake, paced, latencies, unrouted=unrouted)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def print_table(options, intake, ceiling, paced, latencies, routed, *, total: int, unrouted: int) -> None:
    ratio = intake.per_second / ceiling.per_second if ceiling.per_second else float("nan")
    p = client.percentile
    rows = [
        ("intake POST /api/v1/appeals/ (201s)", f"{intake.per_second:.1f}/s", _ms(p(intake.latencies, .5)),
         _ms(p(intake.latencies, .95)), _ms(p(intake.latencies, .99)), str(intake.refused)),
        ("ceiling: bare view, one insert", f"{ceiling.per_second:.1f}/s", _ms(p(ceiling.latencies, .5)),
         _ms(p(ceiling.latencies, .95)), _ms(p(ceiling.latencies, .99)), str(ceiling.refused)),
        ("intake / ceiling", f"{ratio:.0%}", "", "", "", f"target >= {TARGETS['ratio']:.0%}"),
        (f"201 -> dispatched at {options.rate:g}/s ({len(latencies)})", "", _ms(p(latencies, .5)), "",
         _ms(p(latencies, .99)), f"{paced.refused} refused; target p99 < {TARGETS['dispatch_p99']:g} s"),
        (f"routing, one worker process ({routed['routed']})", f"{routed['per_second']:.0f}/s", "", "", "",
         f"target >= {TARGETS['routing']:g}/s"),
    ]
    print()
    print(f"Stack: gunicorn {options.gunicorn_workers} sync workers, Celery worker concurrency "
          f"{options.celery_concurrency}; {options.concurrency} clients, {options.duration:g} s each for intake "
          f"and ceiling in {options.rounds} alternating rounds, after {options.warmup:g} s warm-up in all (no "
          f"Celery worker during intake and ceiling); "
          f"taken {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    header = ("figure", "rate", "p50", "p95", "p99", "refused / target")
    widths = (44, 10, 9, 9, 9, 0)
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) if width else cell for cell, width in zip(row, widths, strict=True)))
    if intake.statuses or intake.errors:
        print(f"intake answers: {dict(intake.statuses)} connection errors: {dict(intake.errors)}")
    if unrouted:
        print(f"NOT ROUTED: {unrouted} of {total} appeals")
    else:
        print(f"routed: all {total} appeals accepted by intake")


def check(intake: client.Outcome, paced: client.Outcome, latencies: list[float], *, unrouted: int) -> int:
    """Non-zero when the figures cannot be trusted: many refusals, lost dispatches, unrouted appeals."""
    problems = []
    for name, outcome in (("intake", intake), ("paced intake", paced)):
        sent = outcome.accepted + outcome.refused
        if not outcome.accepted or outcome.refused > MAX_REFUSED_SHARE * sent:
            problems.append(f"{name}: {outcome.refused} of {sent} requests refused or failed "
                            f"({dict(outcome.statuses)}, {dict(outcome.errors)})")
    if len(latencies) != paced.accepted:
        problems.append(f"only {len(latencies)} of {paced.accepted} paced appeals got a dispatch")
    if unrouted:
        problems.append(f"{unrouted} appeals were never routed")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0
