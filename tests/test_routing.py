"""Routing: the duty list and the place decide the unit; routing twice changes nothing."""
import itertools
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from appeals.models import Appeal, AppealEvent
from dispatch.models import Dispatch
from dispatch.routing.route import route_appeal, route_backlog
from dispatch.tasks import route_appeal_task, route_waiting_task, sweep_unrouted

from .scenarios import file_appeal, local

pytestmark = pytest.mark.django_db


SERIAL = itertools.count(1)


def new_appeal(city, **overrides) -> Appeal:
    """A fresh noise appeal without a place unless given one (each text differs)."""
    fields = {"text": f"问题描述 {next(SERIAL)}", "latitude": None, "longitude": None, "contact_name": ""}
    return file_appeal(city, **{**fields, **overrides}).appeal


def test_a_street_matter_goes_to_the_street_containing_the_point_with_a_copy_to_its_district(city):
    appeal = new_appeal(city, latitude=city.POINT_A2[0], longitude=city.POINT_A2[1])
    dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch.unit == city.street_a2
    assert dispatch.district == city.district_a
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DISPATCHED
    assert appeal.routed_at is not None
    assert [e.kind for e in appeal.events.all()] == ["received", "dispatched"]


def test_ordinary_appeals_respond_within_24_working_hours_and_resolve_within_7_working_days(city):
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):  # a Monday
        dispatch = route_appeal(appeal_id=new_appeal(city, latitude=39.95, longitude=116.05).pk)
    assert dispatch.response_due == local(2026, 11, 17, 10, 0)
    assert dispatch.resolve_due == local(2026, 11, 25, 23, 59, 59)  # Tue..Fri, Mon..Wed
    assert (dispatch.respond_limit, dispatch.resolve_limit) == ("24wh", "7wd")
    assert not dispatch.deadlines_provisional


def test_urgent_appeals_have_2_hours_to_respond_and_24_to_resolve(city):
    appeal = new_appeal(city, latitude=39.95, longitude=116.05, urgency="urgent")
    dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch.response_due - dispatch.dispatched_at == timedelta(hours=2)
    assert dispatch.resolve_due - dispatch.dispatched_at == timedelta(hours=24)


def test_complex_categories_get_15_working_days(city):
    appeal = new_appeal(city, category_code=city.title_dispute.code, latitude=39.95, longitude=116.25)
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):
        dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch.unit == city.street_b1
    assert dispatch.resolve_due == local(2026, 12, 7, 23, 59, 59)


def test_one_batch_of_every_tier_gives_each_dispatch_its_own_tiers_deadlines(city):
    """A batch counts each rule's deadlines once: appeals of different tiers side by side still get
    their own, and two of the same tier the same."""
    appeals = [
        new_appeal(city, latitude=39.95, longitude=116.05),
        new_appeal(city, latitude=39.95, longitude=116.05, urgency="urgent"),
        new_appeal(city, category_code=city.title_dispute.code, latitude=39.95, longitude=116.25),
        new_appeal(city, category_code=city.water_outage.code, latitude=39.95, longitude=116.25),
        new_appeal(city, latitude=39.95, longitude=116.15),
    ]
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):  # a Monday
        assert route_backlog() == 5
    due = {d.appeal_id: (d.response_due, d.resolve_due) for d in Dispatch.objects.all()}
    assert [due[appeal.pk] for appeal in appeals] == [
        (local(2026, 11, 17, 10, 0), local(2026, 11, 25, 23, 59, 59)),  # ordinary: 24wh, 7wd
        (local(2026, 11, 16, 12, 0), local(2026, 11, 17, 10, 0)),  # urgent: 2 h, 24 h
        (local(2026, 11, 17, 10, 0), local(2026, 12, 7, 23, 59, 59)),  # complex: 15wd
        (local(2026, 11, 16, 12, 0), local(2026, 11, 17, 10, 0)),  # utility: 2 h, 24 h
        (local(2026, 11, 17, 10, 0), local(2026, 11, 25, 23, 59, 59)),
    ]


def test_a_written_address_matches_a_street_alias(city):
    dispatch = route_appeal(appeal_id=new_appeal(city, address="朝阳门外花园小区3号楼").pk)
    assert dispatch.unit == city.street_a1


def test_a_department_matter_goes_to_the_department_wherever_it_happened(city):
    appeal = new_appeal(city, category_code=city.water_outage.code, latitude=39.95, longitude=116.25)
    dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch.unit == city.water
    assert dispatch.district is None
    assert dispatch.response_due - dispatch.dispatched_at == timedelta(hours=2)  # utilities tier


@pytest.mark.parametrize(
    "overrides",
    [
        {"category_code": None, "latitude": 39.95, "longitude": 116.05},  # no category
        {"address": "somewhere unknown"},  # street matter, no place that matches a street
        {"category_code": "MISC-ORPHAN", "latitude": 39.95, "longitude": 116.05},  # no duty mapping
    ],
)
def test_what_cannot_be_routed_lands_in_the_operators_queue(city, overrides):
    appeal = new_appeal(city, **overrides)
    assert route_appeal(appeal_id=appeal.pk) is None
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.TRIAGE
    assert appeal.routed_at is not None
    assert not Dispatch.objects.exists()


def test_routing_twice_creates_one_dispatch_and_one_event(city):
    appeal = new_appeal(city, latitude=39.95, longitude=116.05)
    first = route_appeal(appeal_id=appeal.pk)
    second = route_appeal(appeal_id=appeal.pk)
    assert first.pk == second.pk
    assert Dispatch.objects.count() == 1
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.DISPATCHED).count() == 1


def test_the_database_refuses_a_second_current_primary_dispatch(city):
    appeal = new_appeal(city, latitude=39.95, longitude=116.05)
    dispatch = route_appeal(appeal_id=appeal.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(appeal=appeal, unit=city.street_a2, response_due=dispatch.response_due,
                                resolve_due=dispatch.resolve_due)


def test_the_sweep_routes_appeals_left_unrouted_after_the_grace_period(city):
    stale = new_appeal(city, latitude=39.95, longitude=116.05)
    fresh = new_appeal(city, latitude=39.95, longitude=116.15)
    Appeal.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_unrouted() == 1
    assert Dispatch.objects.get().appeal_id == stale.pk
    fresh.refresh_from_db()
    assert fresh.routed_at is None  # its own task still has time
    assert sweep_unrouted() == 0


def test_one_sweep_drains_a_backlog_larger_than_its_batch(city):
    backlog = [new_appeal(city, latitude=39.95, longitude=116.05) for _ in range(5)]
    Appeal.objects.filter(pk__in=[a.pk for a in backlog]).update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_unrouted(batch_size=2) == 5
    assert Dispatch.objects.filter(appeal__in=backlog).count() == 5
    assert not Appeal.objects.filter(routed_at__isnull=True).exists()


def test_an_appeal_that_cannot_be_routed_does_not_block_the_ones_behind_it(city, caplog):
    """Broken data (a current dispatch exists, yet routed_at is empty) makes routing fail on the
    unique constraint; the sweep logs it, skips it, and routes the others."""
    poison, *healthy = [new_appeal(city, latitude=39.95, longitude=116.05) for _ in range(3)]
    Dispatch.objects.create(appeal=poison, unit=city.street_a1, response_due=timezone.now(),
                            resolve_due=timezone.now())
    Appeal.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_unrouted(batch_size=1) == 2
    assert all(Dispatch.objects.filter(appeal=appeal).count() == 1 for appeal in healthy)
    assert Appeal.objects.filter(routed_at__isnull=True).get() == poison
    assert f"appeal {poison.pk} could not be routed" in caplog.text


# --- batches: what a routing task does ----------------------------------------------------------


def one_of_each(city) -> list[Appeal]:
    """A street matter, a department matter and one for the operators."""
    return [
        new_appeal(city, latitude=city.POINT_A2[0], longitude=city.POINT_A2[1]),
        new_appeal(city, category_code=city.water_outage.code, latitude=39.95, longitude=116.25),
        new_appeal(city, category_code=None),
    ]


def outcome(appeal: Appeal) -> tuple:
    """What routing made of an appeal, in terms that do not depend on when it ran."""
    appeal.refresh_from_db()
    dispatch = Dispatch.objects.filter(appeal=appeal).first()
    events = [(e.kind, e.from_status, e.to_status, e.public, e.note) for e in appeal.events.order_by("id")]
    return (appeal.status, appeal.routed_at is not None, dispatch and (dispatch.unit_id, dispatch.district_id,
            dispatch.role, dispatch.respond_limit, dispatch.resolve_limit), events)


def test_a_task_routes_the_waiting_appeals_in_one_batch_exactly_as_one_by_one(city):
    singly = one_of_each(city)
    for appeal in singly:
        route_appeal(appeal_id=appeal.pk)
    batched = one_of_each(city)
    assert route_waiting_task() == 3
    assert [outcome(a) for a in batched] == [outcome(a) for a in singly]
    dispatched = Dispatch.objects.get(appeal=batched[0])
    event = AppealEvent.objects.get(appeal=batched[0], kind=AppealEvent.Kind.DISPATCHED)
    assert (event.dispatch_id, event.created_at) == (dispatched.pk, dispatched.dispatched_at)
    assert parse_datetime(event.data["response_due"]) == dispatched.response_due.replace(
        microsecond=dispatched.response_due.microsecond // 1000 * 1000)  # JSON keeps milliseconds


def test_a_batch_costs_the_same_queries_for_3_appeals_as_for_30(city):
    # The first routing loads this process's calendar, rules and streets.
    route_appeal(appeal_id=new_appeal(city, latitude=39.95, longitude=116.05).pk)
    counts = []
    for size in (3, 30):
        for _ in range(size):
            new_appeal(city, latitude=city.POINT_A1[0], longitude=city.POINT_A1[1])
        with CaptureQueriesContext(connection) as queries:
            assert route_backlog() == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8, counts


def test_a_backlog_larger_than_a_batch_is_routed_batch_after_batch(city, settings):
    settings.ROUTING_BATCH_SIZE = 4
    appeals = [new_appeal(city, latitude=39.95, longitude=116.05) for _ in range(10)]
    assert route_waiting_task() == 10
    assert Dispatch.objects.filter(appeal__in=appeals).count() == 10
    assert route_appeal_task(appeals[0].pk) == 0  # an earlier release's message: nothing left to do


def test_an_appeal_that_breaks_its_batch_does_not_hold_up_the_others(city, monkeypatch, caplog):
    """A fault injected into deadline counting for one appeal: the batch fails, its appeals are
    routed one by one, and the broken one goes to the operators instead of failing every batch."""
    from dispatch.routing import route

    broken = new_appeal(city, latitude=39.95, longitude=116.05)
    healthy = new_appeal(city, latitude=39.95, longitude=116.15)
    count_deadlines = route.deadlines_for

    def deadlines_for(appeal, *args, **kwargs):
        if appeal.pk == broken.pk:
            raise ValueError("a calendar the code cannot read")
        return count_deadlines(appeal, *args, **kwargs)

    monkeypatch.setattr(route, "deadlines_for", deadlines_for)
    with translation.override("en"):
        assert route_waiting_task() == 2
    assert "one by one" in caplog.text
    assert list(Dispatch.objects.values_list("appeal_id", flat=True)) == [healthy.pk]
    broken.refresh_from_db()
    assert (broken.status, broken.routed_at is not None) == (Appeal.Status.TRIAGE, True)
    event = broken.events.latest("id")
    with translation.override("en"):
        assert event.display_note == "Automatic routing failed"
    with translation.override("zh-hans"):
        assert event.display_note == "自动派单失败，请人工派单"
    later = new_appeal(city, latitude=39.95, longitude=116.15)
    assert route_waiting_task() == 1  # batches run again
    assert Dispatch.objects.filter(appeal=later).exists()
