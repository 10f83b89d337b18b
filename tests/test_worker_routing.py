"""End to end through a real Celery worker on the real Redis: an appeal posted through the web
form is routed by the worker into the right street's queue with the right deadlines."""
from datetime import timedelta

import pytest
from django.test import Client

from appeals.models import Appeal, AppealEvent
from dispatch.models import Dispatch
from dispatch.tasks import route_appeal_task

from .scenarios import post_form, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_form_appeal_reaches_the_right_streets_queue_through_the_worker(celery_worker, city, officers, api_as):
    number = post_form(
        Client(enforce_csrf_checks=True),
        text="小区门口占道经营，噪声很大", category=city.noise.code, latitude="39.95", longitude="116.15",
        contact_name="钱七", contact_phone="13600136000",
    )
    appeal = Appeal.objects.get(number=number)
    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal=appeal).first())
    assert dispatch.unit == city.street_a2
    assert dispatch.district == city.district_a
    assert (dispatch.respond_limit, dispatch.resolve_limit) == ("24wh", "7wd")
    assert dispatch.response_due - dispatch.dispatched_at >= timedelta(hours=24)
    assert dispatch.resolve_due - dispatch.dispatched_at >= timedelta(days=7)
    queue = api_as(officers["officer_a2"]).get("/api/v1/dispatches/").json()["results"]
    assert [row["appeal_number"] for row in queue] == [number]
    assert api_as(officers["officer_a1"]).get("/api/v1/dispatches/").json()["results"] == []


def test_the_worker_routes_a_task_delivered_twice_only_once(celery_worker, city):
    number = post_form(Client(), text="停水", category=city.water_outage.code, address="南桥路1号",
                       contact_phone="13600136000")
    appeal = Appeal.objects.get(number=number)
    wait_for(lambda: Appeal.objects.get(pk=appeal.pk).routed_at)
    for _ in range(3):  # a redelivered message after a worker crash, a sweep racing the task...
        route_appeal_task.delay(appeal.pk)
    marker = Appeal.objects.create(number="MARKER-1", text="marker", access_code_hash="x")
    route_appeal_task.delay(marker.pk)  # queued after the duplicates: once it is routed, they ran
    wait_for(lambda: Appeal.objects.get(pk=marker.pk).routed_at)
    assert Dispatch.objects.filter(appeal=appeal).count() == 1
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.DISPATCHED).count() == 1
    assert Dispatch.objects.get(appeal=appeal).unit == city.water


def test_every_beat_entry_names_a_task_the_worker_knows(celery_worker):
    from django.conf import settings

    from config.celery import app

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry


def test_the_deadline_sweep_runs_on_the_worker_and_opens_a_supervision_order(celery_worker, city):
    from datetime import timedelta

    from django.utils import timezone

    from appeals.services import submit_appeal
    from dispatch.models import SupervisionOrder
    from dispatch.routing.route import route_appeal
    from dispatch.tasks import sweep_deadlines_task

    appeal = submit_appeal(text="路灯不亮", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13600136000").appeal
    dispatch = route_appeal(appeal_id=appeal.pk)
    Dispatch.objects.filter(pk=dispatch.pk).update(response_due=timezone.now() - timedelta(minutes=1))
    sweep_deadlines_task.delay()
    order = wait_for(lambda: SupervisionOrder.objects.filter(dispatch=dispatch).first())
    assert order.reason == SupervisionOrder.Reason.RESPONSE_OVERDUE
