"""Officers racing on one ticket: real concurrent transactions, exactly one wins."""
import threading

import pytest
from django.db import connection

from appeals.models import AppealEvent
from appeals.services import submit_appeal
from dispatch import services
from dispatch.exceptions import ActionNotAllowed
from dispatch.models import Dispatch

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
    return services.route_appeal(appeal_id=appeal.pk)


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
    results = race(4, lambda: services.route_appeal(appeal_id=appeal.pk))
    assert all(isinstance(r, Dispatch) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Dispatch.objects.filter(appeal=appeal).count() == 1
