"""A cheap HTTP/1.1 load client on raw asyncio streams: it shares the cores with the server, so it
does as little as possible per request (bytes prepared up front, one connection per request as
gunicorn's sync workers close each one, status read from the first line).

Two modes: closed loop (`concurrency` clients, each sending its next request when the last one is
answered) for throughput, and open loop (requests sent on a fixed schedule whatever the answers)
for latency at a steady rate.
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse


@dataclass
class Outcome:
    """What came back in the measured window."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of accepted (expected-status) answers
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # connection failures, by exception name
    receipts: list[tuple[float, bytes]] = field(default_factory=list)  # (wall clock at answer, body)

    @property
    def accepted(self) -> int:
        return len(self.latencies)

    @property
    def refused(self) -> int:
        """Answers that were not the expected status, plus requests that got no answer."""
        return sum(self.statuses.values()) - self.accepted + sum(self.errors.values())

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def add(self, other: Outcome) -> Outcome:
        """Another measured window of the same kind, counted in with this one."""
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.errors += other.errors
        self.receipts += other.receipts
        return self


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Poster:
    """POSTs JSON bodies to one URL; `expect` is the status counted as accepted."""

    def __init__(self, url: str, bodies: Iterator[bytes], *, expect: int = 201, keep_bodies: bool = False):
        parts = urlparse(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.head = (
            f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nConnection: close\r\n"
        ).encode()
        self.bodies = bodies
        self.expect = expect
        self.keep_bodies = keep_bodies
        self.sent = 0

    def request(self) -> bytes:
        """The next request, from the next of 65,536 residents' addresses (as the city's proxy
        reports them in X-Forwarded-For): a city files from many addresses, not one."""
        body = next(self.bodies)
        self.sent += 1
        resident = b"X-Forwarded-For: 10.77.%d.%d\r\n" % divmod(self.sent % 65536, 256)
        return self.head + resident + b"Content-Length: %d\r\n\r\n" % len(body) + body

    async def send(self, request: bytes, outcome: Outcome | None) -> None:
        """One request on a fresh connection; records into `outcome` (None: a warm-up, not counted)."""
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(request)
            answer = await reader.read()  # the server closes the connection after its answer
            writer.close()
        except OSError as exc:
            if outcome is not None:
                outcome.errors[type(exc).__name__] += 1
            return
        if outcome is None:
            return
        status = int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0
        outcome.statuses[status] += 1
        if status == self.expect:
            outcome.latencies.append(time.perf_counter() - started)
            if self.keep_bodies:
                outcome.receipts.append((time.time(), answer.partition(b"\r\n\r\n")[2]))


async def _closed_loop(poster: Poster, concurrency: int, warmup: float, duration: float) -> Outcome:
    outcome = Outcome()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration

    async def client() -> None:
        while (now := time.perf_counter()) < stop_at:
            await poster.send(poster.request(), outcome if now >= measure_from else None)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    # Requests started before the window closed count; the window is as long as they took.
    outcome.seconds = max(duration, time.perf_counter() - measure_from)
    return outcome


async def _open_loop(poster: Poster, rate: float, duration: float) -> Outcome:
    outcome = Outcome()
    start = time.perf_counter()
    total = int(rate * duration)
    requests = [poster.request() for _ in range(total)]
    tasks = []
    for index, request in enumerate(requests):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(poster.send(request, outcome)))
    await asyncio.gather(*tasks)
    outcome.seconds = time.perf_counter() - start
    return outcome


def closed_loop(poster: Poster, *, concurrency: int, warmup: float, duration: float) -> Outcome:
    return asyncio.run(_closed_loop(poster, concurrency, warmup, duration))


def open_loop(poster: Poster, *, rate: float, duration: float) -> Outcome:
    return asyncio.run(_open_loop(poster, rate, duration))

