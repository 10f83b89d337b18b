"""Officers racing on one ticket: real concurrent transactions, exactly one wins."""
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from appeals.services import submit_appeal
from dispatch.exceptions import ActionNotAllowed
from dispatch.handling import actions as services
from dispatch.models import Dispatch
from dispatch.routing import route
from dispatch.tasks import route_waiting_task, sweep_unrouted
from streets.models import Officer

from .factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(n: int, action) -> list:
    """Run `action` in n threads released together; return each thread's result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def ticket(city, officers):
    appeal = submit_appeal(text="并发测试", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13800138000").appeal
    return route.route_appeal(appeal_id=appeal.pk)


def test_two_officers_signing_at_once_one_wins(ticket, officers):
    results = race(2, lambda: services.sign_dispatch(dispatch_id=ticket.pk, officer=officers["officer_a1"]))
    assert sum(isinstance(r, Dispatch) for r in results) == 1
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.SIGNED).count() == 1


def test_concurrent_resolutions_record_one_answer(ticket, officers):
    officer = officers["officer_a1"]
    services.respond_dispatch(dispatch_id=ticket.pk, officer=officer)
    answers = ["answer A", "answer B", "answer C"]
    index = iter(range(3))
    lock = threading.Lock()

    def resolve():
        with lock:
            answer = answers[next(index)]
        return services.resolve_dispatch(dispatch_id=ticket.pk, officer=officer, answer=answer)

    results = race(3, resolve)
    winners = [r for r in results if isinstance(r, Dispatch)]
    assert len(winners) == 1
    assert all(isinstance(r, ActionNotAllowed) for r in results if r not in winners)
    ticket.refresh_from_db()
    assert ticket.answer == winners[0].answer
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.RESOLVED).count() == 1


def test_concurrent_routing_creates_one_dispatch(city):
    appeal = submit_appeal(text="并发派单", category_code=city.noise.code, latitude=39.95, longitude=116.15,
                           contact_phone="13800138000").appeal
    results = race(4, lambda: route.route_appeal(appeal_id=appeal.pk))
    assert all(isinstance(r, Dispatch) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Dispatch.objects.filter(appeal=appeal).count() == 1


@pytest.fixture
def triage_appeal(city, officers):
    appeal = submit_appeal(text="找不到承办单位", contact_phone="13800138000").appeal
    assert route.route_appeal(appeal_id=appeal.pk) is None  # no category: the manual queue
    return appeal


def test_two_operators_dispatching_one_appeal_create_one_dispatch(triage_appeal, officers, city):
    second_operator = OfficerFactory(user=UserFactory(username="operator2"), unit=city.center,
                                     role=Officer.Role.OPERATOR)
    operators = iter([officers["operator"], second_operator])
    units = iter([city.street_a1, city.street_b1])
    lock = threading.Lock()

    def dispatch():
        with lock:
            operator, unit = next(operators), next(units)
        return services.dispatch_manually(appeal_id=triage_appeal.pk, unit=unit, operator=operator)

    results = race(2, dispatch)
    assert sum(isinstance(r, Dispatch) for r in results) == 1
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    assert Dispatch.objects.filter(appeal=triage_appeal).count() == 1
    assert AppealEvent.objects.filter(appeal=triage_appeal, kind=AppealEvent.Kind.DISPATCHED).count() == 1


def test_an_operator_declining_while_another_dispatches_leaves_one_outcome(triage_appeal, officers, city):
    actions = iter([
        lambda: services.dispatch_manually(appeal_id=triage_appeal.pk, unit=city.street_a1,
                                           operator=officers["operator"]),
        lambda: services.decline_appeal(appeal_id=triage_appeal.pk, reason="repeat", operator=officers["operator"]),
    ])
    lock = threading.Lock()

    def act():
        with lock:
            action = next(actions)
        return action()

    results = race(2, act)
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    triage_appeal.refresh_from_db()
    outcomes = AppealEvent.objects.filter(
        appeal=triage_appeal, kind__in=[AppealEvent.Kind.DISPATCHED, AppealEvent.Kind.REJECTED]
    )
    outcome = outcomes.get()  # exactly one
    assert triage_appeal.status == outcome.kind  # "dispatched" or "rejected", as the event says
    assert Dispatch.objects.filter(appeal=triage_appeal).count() == (1 if outcome.kind == "dispatched" else 0)


def test_the_sweep_racing_the_routing_tasks_routes_each_appeal_once(city):
    appeals = [
        submit_appeal(text=f"并发清扫 {i}", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                      contact_phone="13800138000").appeal
        for i in range(5)
    ]
    Appeal.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # past the grace period
    jobs = iter([sweep_unrouted, sweep_unrouted, *[partial(route.route_appeal, appeal_id=a.pk) for a in appeals]])
    lock = threading.Lock()

    def run():
        with lock:
            job = next(jobs)
        return job()

    results = race(7, run)
    assert not [r for r in results if isinstance(r, Exception)], results
    for appeal in appeals:
        assert Dispatch.objects.filter(appeal=appeal).count() == 1
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.DISPATCHED).count() == 1


def test_routing_tasks_racing_in_batches_route_each_appeal_once(city):
    """Workers running batches at once skip each other's locked rows instead of waiting or
    routing them twice."""
    appeals = [
        submit_appeal(text=f"并发批量 {i}", category_code=city.noise.code, latitude=39.95,
                      longitude=116.05 + i % 2 / 10, contact_phone="13800138000").appeal
        for i in range(40)
    ]
    tasks = iter([route_waiting_task] * len(appeals))
    lock = threading.Lock()

    def run():
        routed = 0
        while True:
            with lock:
                task = next(tasks, None)
            if task is None:
                return routed
            routed += task()

    results = race(4, run)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) <= len(appeals)  # the suite's Celery worker thread may have routed some
    assert Dispatch.objects.count() == len(appeals)
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.DISPATCHED).count() == len(appeals)
    assert not Appeal.objects.filter(routed_at__isnull=True).exists()
