"""Fault tests that really break things: nothing accepted is lost, nothing is routed twice.

Each test starts its own redis-server on a free port (never the shared one) and real Celery
worker and beat subprocesses pointed at it and at the test database; the intake runs in this
process through HTTP (Django's test client) and publishes to the same private Redis. The test
then stops, freezes or SIGKILLs those processes and counts, from the database, what became of
every appeal a resident was given a tracking number for. The figures go to the terminal summary.

PostgreSQL only: the subprocesses share the test database with this process and race on real row
locks, which SQLite does not have; CI sets DATABASE_URL and REQUIRE_FAULT_TESTS, so there a skip
is a failure.
"""
from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client

from .fault_figures import routed_count, tally
from .processes import REDIS_SERVER, CeleryProcess, PrivateRedis, database_url, publishing_to, wait_until
from .scenarios import tracking_number_in, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True), pytest.mark.timeout(150)]


@pytest.fixture(autouse=True)
def one_busy_resident(rates):
    """Hundreds of appeals from one test client: lift the per-address filing limit, not under test here."""
    rates(anon="100000/hour", intake="100000/hour")

# Sweep every second for appeals unrouted for two: the catch-up a production beat does each minute.
# One appeal a task, not batches of 200: the faults must land while the worker is still working
# through a queue.
SUBPROCESS_SETTINGS = {
    "ROUTING_GRACE_SECONDS": "2", "ROUTING_SWEEP_SECONDS": "1", "DB_CONN_MAX_AGE": "0", "ROUTING_BATCH_SIZE": "1",
}
WORKER_ARGS = ("--pool=prefork", "--concurrency=2", "--without-gossip", "--without-mingle", "--without-heartbeat")
CATCH_UP_SECONDS = 60


@dataclass
class Stack:
    redis: PrivateRedis
    env: dict
    logs: object  # the test's tmp_path
    processes: list[CeleryProcess] = field(default_factory=list)

    def spawn(self, kind: str, *args: str) -> CeleryProcess:
        process = CeleryProcess(kind, self.env, self.logs / f"{kind}-{len(self.processes)}.log", *args)
        self.processes.append(process)
        return process.start()

    def worker(self) -> CeleryProcess:
        return self.spawn("worker", f"--hostname=fault{len(self.processes)}@%h", *WORKER_ARGS)

    def beat(self) -> CeleryProcess:
        return self.spawn("beat", f"--schedule={self.logs / 'beat-schedule'}")

    def failed_acks(self) -> int:
        return sum(process.log().count("Couldn't ack") for process in self.processes if process.kind == "worker")

    def swept(self) -> int:
        """Appeals the unrouted sweep picked up, from the workers' logs."""
        return sum(
            int(count)
            for process in self.processes if process.kind == "worker"
            for count in re.findall(r"sweep_unrouted routed (\d+) appeals", process.log())
        )


def require_fault_prerequisites() -> None:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL, the production database whose row locks they exercise (set DATABASE_URL)")
    if REDIS_SERVER is None:
        missing.append("a redis-server binary to run a private broker")
    if missing:
        message = "fault tests need " + " and ".join(missing)
        if os.environ.get("REQUIRE_FAULT_TESTS"):
            pytest.fail(message + ", but REQUIRE_FAULT_TESTS is set")
        pytest.skip(message)


@pytest.fixture
def stack(tmp_path, city):
    """A private Redis, a way to start Celery processes on it, and this process publishing to it.
    Whatever the test stopped or killed, everything it started is killed here."""
    require_fault_prerequisites()
    private = PrivateRedis(tmp_path)
    env = {
        **os.environ, **SUBPROCESS_SETTINGS,
        "REDIS_URL": private.url,
        "DATABASE_URL": database_url(connection.settings_dict),
        "VAR_DIR": str(tmp_path / "var"),
    }
    built = Stack(redis=private, env=env, logs=tmp_path)
    try:
        private.start()
        with publishing_to(private.url):
            yield built
    finally:
        for process in built.processes:
            process.close()
        private.close()


class Resident:
    """Files appeals through the real intake, alternating the web form and the API, and keeps the
    tracking number each submission got (None when the intake refused it)."""

    def __init__(self, city):
        self.client = Client(raise_request_exception=False)  # a 500 counts as refused, not a crash
        self.fields = {"text": "楼下工地夜间施工噪声", "category": city.noise.code,
                       "latitude": str(city.POINT_A1[0]), "longitude": str(city.POINT_A1[1]),
                       "contact_phone": "13800138000"}
        self.numbers: list[str | None] = []

    def file(self, count: int) -> None:
        for _ in range(count):
            # Each a different appeal: the same text from the same phone would be folded as a repeat.
            self.fields["text"] = f"楼下工地夜间施工噪声（第{len(self.numbers) + 1}次）"
            self.numbers.append(self._via_form() if len(self.numbers) % 2 else self._via_api())

    def _via_api(self) -> str | None:
        response = self.client.post("/api/v1/appeals/", self.fields, content_type="application/json")
        return response.json()["number"] if response.status_code == 201 else None

    def _via_form(self) -> str | None:
        response = self.client.post("/", {"kind": "complaint", "urgency": "ordinary", **self.fields}, follow=True)
        return tracking_number_in(response.content.decode()) if response.status_code == 200 else None

    @property
    def accepted(self) -> list[str]:
        return [number for number in self.numbers if number]


def catch_up(resident: Resident) -> None:
    """Give the worker and the sweep time to route everything; the counts then say what happened."""
    wait_until(lambda: routed_count(resident.accepted) == len(resident.accepted), CATCH_UP_SECONDS)


def assert_nothing_lost_or_doubled(figures) -> None:
    assert figures.accepted == figures.submissions, figures
    assert figures.lost == 0, figures
    assert figures.duplicated == 0, figures
    assert figures.routed_once == figures.accepted, figures


def test_redis_stopped_during_a_burst_loses_nothing(stack, city, fault_report):
    """Scenario A: Redis (no persistence) stops midway through a burst and comes back empty."""
    stack.worker()
    stack.beat()
    resident = Resident(city)
    resident.file(16)
    stack.redis.stop()
    try:
        resident.file(16)  # no broker: the intake still answers, the appeals wait in the database
    finally:
        stack.redis.start()
    resident.file(16)
    catch_up(resident)

    figures = tally("redis stopped during a burst", submissions=len(resident.numbers), numbers=resident.numbers,
                    filed_while_down=16, picked_up_by_sweep=stack.swept())
    fault_report(figures)
    # The 16 filed while Redis was down had no message: the batch of the next task routed them, or
    # the sweep did (picked_up_by_sweep says which); routed once all the same.
    assert_nothing_lost_or_doubled(figures)


def test_a_worker_killed_while_routing_loses_nothing(stack, city, fault_report):
    """Scenario B: SIGKILL the worker (and its pool) in the middle of a queue; a new one takes over."""
    resident = Resident(city)
    resident.file(240)  # no worker yet: the queue builds up in Redis
    worker = stack.worker()
    wait_for(lambda: routed_count(resident.accepted) >= 24, timeout=60, interval=0.02)
    in_flight = stack.redis.client().hlen("unacked")  # delivered to the worker, not yet acknowledged
    worker.kill(signal.SIGKILL)
    routed_at_kill = routed_count(resident.accepted)
    assert routed_at_kill < len(resident.accepted), "the worker finished before it was killed: not a mid-queue kill"
    stack.worker()
    stack.beat()
    catch_up(resident)

    figures = tally("worker SIGKILLed while routing", submissions=len(resident.numbers), numbers=resident.numbers,
                    routed_before_kill=routed_at_kill, unacked_at_kill=in_flight, picked_up_by_sweep=stack.swept())
    fault_report(figures)
    assert_nothing_lost_or_doubled(figures)


@pytest.mark.timeout(120)
def test_a_hung_redis_neither_hangs_the_intake_nor_stalls_the_worker(stack, city, fault_report):
    """Redis frozen (SIGSTOP) while the worker is busy: connections stay open and nothing answers.

    Publishing gives up after its socket timeout, so residents still get their numbers; the
    worker's acknowledgements time out too, and it must go on fetching once Redis thaws (kombu's
    own Redis transport leaked a prefetch slot per failed ack and stalled for good; see
    config/broker.py). What Redis received before it froze is delivered when it thaws, and the
    sweep routes the rest, each appeal once."""
    stack.beat()
    resident = Resident(city)
    resident.file(30)  # a queue for the worker to be busy with when Redis freezes
    stack.worker()
    wait_for(lambda: routed_count(resident.accepted) >= 1, timeout=60, interval=0.02)
    stack.redis.pause()
    try:
        resident.file(4)
    finally:
        stack.redis.resume()
    resident.file(4)
    catch_up(resident)

    figures = tally("redis frozen while routing", submissions=len(resident.numbers), numbers=resident.numbers,
                    filed_while_frozen=4, picked_up_by_sweep=stack.swept(), failed_acks=stack.failed_acks())
    fault_report(figures)
    assert figures.notes["failed_acks"] >= 1, "Redis did not freeze while the worker was acknowledging"
    assert_nothing_lost_or_doubled(figures)
