"""Officers racing on one ticket: real concurrent transactions, exactly one wins."""
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from dispatch.exceptions import ActionNotAllowed
from dispatch.handling import actions
from dispatch.models import Dispatch
from dispatch.routing import route
from dispatch.tasks import route_waiting_task, sweep_unrouted
from streets.models import Officer

from .factories import OfficerFactory, UserFactory
from .scenarios import file_appeal, race, race_each, triage_appeal

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_signing_at_once_one_wins(ticket, officers):
    results = race(2, lambda: actions.sign_dispatch(dispatch_id=ticket.pk, officer=officers["officer_a1"]))
    assert sum(isinstance(r, Dispatch) for r in results) == 1
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.SIGNED).count() == 1


def test_concurrent_resolutions_record_one_answer(ticket, officers):
    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=ticket.pk, officer=officer)
    results = race_each([partial(actions.resolve_dispatch, dispatch_id=ticket.pk, officer=officer, answer=answer)
                         for answer in ("answer A", "answer B", "answer C")])
    winners = [r for r in results if isinstance(r, Dispatch)]
    assert len(winners) == 1
    assert all(isinstance(r, ActionNotAllowed) for r in results if r not in winners)
    ticket.refresh_from_db()
    assert ticket.answer == winners[0].answer
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.RESOLVED).count() == 1


def test_concurrent_routing_creates_one_dispatch(city):
    appeal = file_appeal(city, text="并发派单", latitude=city.POINT_A2[0], longitude=city.POINT_A2[1]).appeal
    results = race(4, lambda: route.route_appeal(appeal_id=appeal.pk))
    assert all(isinstance(r, Dispatch) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Dispatch.objects.filter(appeal=appeal).count() == 1


@pytest.fixture
def waiting(city):
    """An appeal in the operators' manual queue."""
    return triage_appeal(city, text="找不到承办单位", contact_name="")


def test_two_operators_dispatching_one_appeal_create_one_dispatch(waiting, officers, city):
    second_operator = OfficerFactory(user=UserFactory(username="operator2"), unit=city.center,
                                     role=Officer.Role.OPERATOR)
    results = race_each([
        partial(actions.dispatch_manually, appeal_id=waiting.pk, unit=city.street_a1, operator=officers["operator"]),
        partial(actions.dispatch_manually, appeal_id=waiting.pk, unit=city.street_b1, operator=second_operator),
    ])
    assert sum(isinstance(r, Dispatch) for r in results) == 1
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    assert Dispatch.objects.filter(appeal=waiting).count() == 1
    assert AppealEvent.objects.filter(appeal=waiting, kind=AppealEvent.Kind.DISPATCHED).count() == 1


def test_an_operator_declining_while_another_dispatches_leaves_one_outcome(waiting, officers, city):
    results = race_each([
        partial(actions.dispatch_manually, appeal_id=waiting.pk, unit=city.street_a1, operator=officers["operator"]),
        partial(actions.decline_appeal, appeal_id=waiting.pk, reason="repeat", operator=officers["operator"]),
    ])
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    waiting.refresh_from_db()
    outcomes = AppealEvent.objects.filter(
        appeal=waiting, kind__in=[AppealEvent.Kind.DISPATCHED, AppealEvent.Kind.REJECTED]
    )
    outcome = outcomes.get()  # exactly one
    assert waiting.status == outcome.kind  # "dispatched" or "rejected", as the event says
    assert Dispatch.objects.filter(appeal=waiting).count() == (1 if outcome.kind == "dispatched" else 0)


def test_the_sweep_racing_the_routing_tasks_routes_each_appeal_once(city):
    appeals = [file_appeal(city, text=f"并发清扫 {i}", contact_name="").appeal for i in range(5)]
    Appeal.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # past the grace period
    routings = [partial(route.route_appeal, appeal_id=appeal.pk) for appeal in appeals]
    results = race_each([sweep_unrouted, sweep_unrouted, *routings])
    assert not [r for r in results if isinstance(r, Exception)], results
    for appeal in appeals:
        assert Dispatch.objects.filter(appeal=appeal).count() == 1
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.DISPATCHED).count() == 1


def test_routing_tasks_racing_in_batches_route_each_appeal_once(city):
    """Workers running batches at once skip each other's locked rows instead of waiting or
    routing them twice."""
    appeals = [file_appeal(city, text=f"并发批量 {i}", longitude=116.05 + i % 2 / 10, contact_name="").appeal
               for i in range(40)]
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
