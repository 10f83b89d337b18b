"""The pages measured, each as the requests a real user sends, and the figures of their timings."""
from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import cycle

from .browser import Browser
from .samples import Samples

TARGET_P95_MS = 200


@dataclass
class Probe:
    name: str
    who: str  # the account, or "" for a resident
    requests: Callable[[], Iterator[tuple[str, str, dict]]]  # (method, path, kwargs), endlessly
    timings: list[float] = field(default_factory=list)
    failures: int = 0

    def figures(self) -> dict:
        ms = sorted(t * 1000 for t in self.timings)
        cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        return {"n": len(ms), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ms[-1] if ms else 0}


def probes(samples: Samples, code: str) -> list[Probe]:
    def queue():
        pages = cycle(["/console/queue/", "/console/queue/", "/console/queue/", "/console/queue/?page=2",
                       "/console/queue/?overdue=yes", "/console/queue/?ordering=-dispatched_at"])
        for path in pages:
            yield "GET", path, {}

    def all_open():
        for path in cycle(["/console/queue/", "/console/queue/?page=2", "/console/queue/?overdue=yes"]):
            yield "GET", path, {}

    def track_page():
        for number in cycle(samples.numbers):
            yield "POST", "/track/", {"data": {"number": number, "code": code}, "csrf": "/track/"}

    def track_api():
        for number in cycle(samples.numbers):
            yield "GET", "/api/v1/appeals/track/", {"params": {"number": number, "code": code}}

    def dashboard():
        while True:
            yield "GET", "/console/dashboard/", {}

    def ranking_page():
        for month, kind in cycle([(m, k) for m in samples.months for k in ("street", "department")]):
            yield "GET", "/console/dashboard/", {"params": {"period": month, "kind": kind}}

    def ranking_api():
        for month in cycle(samples.months):
            yield "GET", "/api/v1/rankings/", {"params": {"period": month}}

    return [
        Probe("officer's queue", samples.officer, queue),
        Probe("supervisor's queue", samples.supervisor, all_open),
        Probe("tracking page (POST)", "", track_page),
        Probe("tracking API", "", track_api),
        Probe("supervisor dashboard", samples.supervisor, dashboard),
        Probe("monthly ranking page", samples.supervisor, ranking_page),
        Probe("rankings API", samples.supervisor, ranking_api),
    ]


def run(probe: Probe, browser: Browser, *, warmup: int, count: int) -> Probe:
    """Send warmup + count requests one after another; time the last `count`."""
    csrf = {}
    for index, (method, path, kwargs) in zip(range(warmup + count), probe.requests(), strict=False):
        kwargs = dict(kwargs)
        page = kwargs.pop("csrf", None)
        if page:  # a form posts the token its page gave (one per session)
            csrf.setdefault(page, browser.csrf_token(page))
            kwargs["data"] = {**kwargs["data"], "csrfmiddlewaretoken": csrf[page]}
        response, took = browser.request(method, path, **kwargs)
        if response.status_code != 200:
            probe.failures += 1
            if probe.failures == 1:
                print(f"  {probe.name}: {method} {path} -> {response.status_code}")
        elif index >= warmup:
            probe.timings.append(took)
    return probe


def table(results: list[Probe], *, appeals: int, how: str) -> str:
    lines = [f"{appeals:,} appeals in the database; {how}",
             f"{'page':<24}{'who':<12}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  target p95 < "
             f"{TARGET_P95_MS} ms"]
    for probe in results:
        f = probe.figures()
        verdict = "ok" if f["n"] and f["p95"] < TARGET_P95_MS and not probe.failures else "MISSED"
        failed = f" ({probe.failures} failed)" if probe.failures else ""
        lines.append(f"{probe.name:<24}{probe.who or 'resident':<12}{f['n']:>5}{f['p50']:>8.1f}ms{f['p95']:>7.1f}ms"
                     f"{f['p99']:>7.1f}ms{f['max']:>7.1f}ms  {verdict}{failed}")
    return "\n".join(lines)
