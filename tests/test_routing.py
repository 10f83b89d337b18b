"""Routing: the duty list and the place decide the unit; routing twice changes nothing."""
import itertools
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from appeals.services import submit_appeal
from dispatch.models import Dispatch
from dispatch.services import route_appeal
from dispatch.tasks import sweep_unrouted

from .helpers import local

pytestmark = pytest.mark.django_db


SERIAL = itertools.count(1)


def new_appeal(city, **overrides) -> Appeal:
    """A fresh appeal (each text differs, so none is folded into another as a repeat)."""
    fields = {"text": f"问题描述 {next(SERIAL)}", "category_code": city.noise.code, "contact_phone": "13800138000"}
    fields.update(overrides)
    return submit_appeal(**fields).appeal


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
