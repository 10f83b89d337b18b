"""The deadline sweep with the clock frozen: a dispatch is warned, then marked overdue with a
supervision order for its unit's head; running the sweep again changes nothing."""
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import AppealEvent
from dispatch.deadlines.sweeps import sweep_deadlines
from dispatch.handling import actions
from dispatch.models import Dispatch, SupervisionOrder

from .scenarios import local, race, routed_ticket

pytestmark = pytest.mark.django_db

MONDAY_10 = local(2026, 11, 16, 10, 0)


def dispatched_at(city, moment, **fields) -> Dispatch:
    with time_machine.travel(moment, tick=False):
        return routed_ticket(city, text=f"夜间施工噪声 {moment:%d日%H时}", contact_name="", **fields)


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_deadlines()


def kinds(dispatch) -> list[str]:
    return list(AppealEvent.objects.filter(dispatch=dispatch).order_by("id").values_list("kind", flat=True))


def test_a_silent_unit_is_warned_then_marked_overdue_with_one_supervision_order(city, settings):
    settings.DEADLINE_WARNING_SHARE = 0.2
    dispatch = dispatched_at(city, MONDAY_10)
    assert dispatch.response_due == local(2026, 11, 17, 10, 0)
    assert dispatch.response_warn_at == local(2026, 11, 17, 5, 12)  # 20% of 24 hours before the deadline

    assert sweep_at(local(2026, 11, 17, 5, 0)).warned == 0
    result = sweep_at(local(2026, 11, 17, 5, 30))
    assert (result.warned, result.overdue) == (1, 0)
    dispatch.refresh_from_db()
    assert dispatch.response_warned_at == local(2026, 11, 17, 5, 30)
    with time_machine.travel(local(2026, 11, 17, 5, 30), tick=False):
        assert dispatch.is_due_soon and not dispatch.is_overdue
    assert kinds(dispatch) == ["dispatched", "deadline_warning"]

    result = sweep_at(local(2026, 11, 17, 10, 1))
    assert (result.warned, result.overdue, result.orders) == (0, 1, 1)
    dispatch.refresh_from_db()
    assert dispatch.response_overdue_at == local(2026, 11, 17, 10, 1)
    assert kinds(dispatch) == ["dispatched", "deadline_warning", "overdue", "supervision_opened"]
    order = SupervisionOrder.objects.get(dispatch=dispatch)
    assert (order.reason, order.unit, order.state) == ("response_overdue", city.street_a1, "open")
    assert order.opened_by is None  # opened by the sweep
    assert order.reply_due == local(2026, 11, 19, 23, 59, 59)  # two working days
    assert not AppealEvent.objects.filter(dispatch=dispatch, kind="overdue").get().public

    again = sweep_at(local(2026, 11, 17, 10, 2))
    assert (again.warned, again.overdue, again.orders) == (0, 0, 0)
    assert kinds(dispatch) == ["dispatched", "deadline_warning", "overdue", "supervision_opened"]


def test_a_deadline_passed_before_any_sweep_is_marked_overdue_without_a_late_warning(city):
    dispatch = dispatched_at(city, MONDAY_10)
    result = sweep_at(local(2026, 11, 17, 11, 0))
    assert (result.warned, result.overdue) == (0, 1)
    dispatch.refresh_from_db()
    assert dispatch.response_warned_at is not None  # settled: it leaves the warning index
    assert sweep_at(local(2026, 11, 17, 12, 0)).warned == 0


def test_responding_in_time_stops_the_response_clock_and_the_resolve_clock_runs_on(city, officers):
    dispatch = dispatched_at(city, MONDAY_10)
    with time_machine.travel(local(2026, 11, 16, 15, 0), tick=False):
        actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], note="已联系")
    assert sweep_at(local(2026, 11, 17, 11, 0)).overdue == 0
    dispatch.refresh_from_db()
    assert dispatch.resolve_due == local(2026, 11, 25, 23, 59, 59)
    assert sweep_at(local(2026, 11, 24, 9, 0)).warned == 1  # the resolve warning
    result = sweep_at(local(2026, 11, 26, 0, 0))
    assert (result.overdue, result.orders, result.by_clock["resolve"]["overdue"]) == (1, 1, 1)
    assert SupervisionOrder.objects.get(dispatch=dispatch).reason == "resolve_overdue"


def test_a_resolved_ticket_is_never_marked(city, officers):
    dispatch = dispatched_at(city, MONDAY_10)
    with time_machine.travel(local(2026, 11, 16, 11, 0), tick=False):
        actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
        actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")
    result = sweep_at(local(2026, 12, 31, 0, 0))
    assert (result.warned, result.overdue) == (0, 0)


def test_a_sweep_with_nothing_due_reads_four_indexed_ranges_whatever_the_table_holds(city):
    for hour in range(10, 16):
        dispatched_at(city, local(2026, 11, 16, hour, 0))
    with time_machine.travel(local(2026, 11, 16, 16, 0), tick=False), CaptureQueriesContext(connection) as queries:
        sweep_deadlines()
    assert len(queries) == 4  # warn + overdue, for each of the two clocks


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_on_several_workers_open_one_order(city):

    dispatch = dispatched_at(city, MONDAY_10)
    with time_machine.travel(local(2026, 11, 18, 12, 0), tick=False):
        results = race(3, sweep_deadlines)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.overdue for r in results) == 1
    assert SupervisionOrder.objects.filter(dispatch=dispatch).count() == 1
    assert AppealEvent.objects.filter(dispatch=dispatch, kind="overdue").count() == 1
