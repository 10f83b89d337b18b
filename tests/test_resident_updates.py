"""The resident hears about their appeal (appeals/updates.py): the receipt by SMS and e-mail, a
short message at each step they chose, in their language, sent by a real Celery worker after commit,
retried when the gateway fails, and never twice, whatever the broker redelivers."""
import threading

import pytest
from django.db import connections

from appeals import updates
from appeals.models import AppealEvent, Notification
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.routing import route
from dispatch.tasks import send_receipt, send_updates

from .notify_backends import FailingBackend
from .scenarios import wait_for

RECORDING = "tests.notify_backends.RecordingBackend"
FAILING = "tests.notify_backends.FailingBackend"


def file(city, **fields):
    values = dict(text="楼下烧烤店噪声扰民", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                  contact_phone="13800138000", contact_email="resident@example.org")
    return submit_appeal(**{**values, **fields})


def sent_to(delivered, address):
    return [m for m in delivered if address in (m.phone, m.email)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_receipt_and_each_chosen_step_arrive_once_through_the_console_backend(
    backends, city, officers, celery_worker, caplog
):
    caplog.set_level("INFO", logger="appeals.notifications")
    submitted = file(city, notify=["dispatched", "resolved"], language="en")
    appeal = submitted.appeal
    # The receipt (number, code, link), then "sent to the unit": routing runs on the worker too.
    wait_for(lambda: len(backends) >= 4)
    receipts = [m for m in backends if submitted.access_code in m.body]
    assert sorted((bool(m.phone), bool(m.email)) for m in receipts) == [(False, True), (True, False)]
    assert all(appeal.number in m.body and f"/track/?number={appeal.number}" in m.body for m in receipts)
    assert "Donghua" in sent_to(backends, "13800138000")[1].body  # the unit, in the resident's language
    assert submitted.access_code in caplog.text  # the console backend wrote it to the log

    dispatch = appeal.dispatches.get()
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])  # not chosen
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")
    wait_for(lambda: len(backends) >= 6)
    wait_for(lambda: Notification.objects.filter(appeal=appeal, state=Notification.State.SENT).count() == 6)
    steps = list(Notification.objects.filter(appeal=appeal).order_by("step", "channel")
                 .values_list("step", "channel", "attempts"))
    assert steps == [("dispatched", "email", 1), ("dispatched", "sms", 1), ("received", "email", 1),
                     ("received", "sms", 1), ("resolved", "email", 1), ("resolved", "sms", 1)]
    assert len(backends) == 6
    assert "answered" in sent_to(backends, "resident@example.org")[-1].body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_is_retried_with_backoff_until_the_receipt_arrives_once(backends, settings, city,
                                                                                  celery_worker):
    settings.NOTIFICATION_SMS_BACKEND = FAILING
    FailingBackend.failures_left, FailingBackend.refused = 2, 0
    submitted = file(city, notify=[], contact_email="")
    row = wait_for(lambda: Notification.objects.filter(
        appeal=submitted.appeal, step="received", state=Notification.State.SENT).first(), timeout=30)
    assert FailingBackend.refused == 2
    assert row.attempts == 3 and row.channel == "sms"
    assert [m.phone for m in backends] == ["13800138000"]
    assert submitted.access_code in backends[0].body


@pytest.mark.django_db
def test_a_redelivered_task_sends_nothing_twice(backends, city, routing_queued):
    """acks_late: a worker that dies after sending but before acknowledging gets the message again;
    so does a copy run beside the retry of a failed one. The claim on (event, channel) decides."""
    submitted = file(city)
    event_id = updates.receipt_event_id(submitted.appeal.pk)
    assert send_receipt.apply(args=[submitted.appeal.pk, submitted.access_code]).get() == 2
    assert send_receipt.apply(args=[submitted.appeal.pk, submitted.access_code]).get() == 0
    assert send_updates.apply(args=[[event_id]]).get() == 0
    assert len(backends) == 2
    # A claim left by a worker killed mid-send is not sent again either (at most once).
    dispatch = route.route_appeal(appeal_id=submitted.appeal.pk)
    dispatched = AppealEvent.objects.get(dispatch=dispatch, kind=AppealEvent.Kind.DISPATCHED)
    updates.claim(dispatched, step="dispatched", channel="sms")
    assert send_updates.apply(args=[[dispatched.pk]]).get() == 1  # the e-mail only
    assert [m.email for m in backends[2:]] == ["resident@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_one_message(backends, city, routing_queued, settings):
    settings.NOTIFICATION_SMS_BACKEND = ""  # filed with no channel: no receipt task for a worker to take
    submitted = file(city, contact_email="")
    settings.NOTIFICATION_SMS_BACKEND = RECORDING
    event_id = updates.receipt_event_id(submitted.appeal.pk)
    barrier, results = threading.Barrier(4), []

    def deliver():
        barrier.wait()
        try:
            results.append(updates.deliver(event_id=event_id, access_code=submitted.access_code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert len(backends) == 1


@pytest.mark.django_db
def test_steps_the_resident_did_not_choose_anonymous_appeals_and_co_handlers_send_nothing(backends, city,
                                                                                          routing_queued):
    anonymous = submit_appeal(text="匿名反映噪声", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                              anonymous=True)
    assert updates.deliver(event_id=updates.receipt_event_id(anonymous.appeal.pk)) == 0
    quiet = file(city, notify=[])
    dispatch = route.route_appeal(appeal_id=quiet.appeal.pk)
    event = AppealEvent.objects.get(dispatch=dispatch, kind=AppealEvent.Kind.DISPATCHED)
    assert not updates.wanted(event)
    assert updates.deliver(event_id=event.pk) == 0
    assert backends == []


@pytest.mark.django_db
def test_the_message_speaks_the_language_the_resident_filed_in(backends, city, routing_queued):
    submitted = file(city, language="zh-hans", contact_email="")
    updates.deliver(event_id=updates.receipt_event_id(submitted.appeal.pk), access_code=submitted.access_code)
    number, code = submitted.appeal.number, submitted.access_code
    assert backends[0].body.startswith(f"已收到您的诉求 {number}。您的查询码是 {code}")


@pytest.mark.django_db
def test_the_sweep_finds_steps_whose_task_was_lost(backends, city, routing_queued, settings):
    settings.ROUTING_GRACE_SECONDS = 0
    submitted = file(city, contact_email="")
    dispatch = route.route_appeal(appeal_id=submitted.appeal.pk)
    received = updates.receipt_event_id(submitted.appeal.pk)
    dispatched = AppealEvent.objects.get(dispatch=dispatch, kind=AppealEvent.Kind.DISPATCHED).pk
    assert updates.lost(older_than_seconds=0) == [received, dispatched]
    updates.deliver(event_id=received)
    assert updates.lost(older_than_seconds=0) == [dispatched]
    assert submitted.access_code not in backends[0].body  # a lost receipt goes without its code (never stored)
    assert backends[0].body.startswith(f"已收到您的诉求 {submitted.appeal.number}。请用提交时显示的查询码")


def test_intake_refuses_steps_it_does_not_know(city, db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        file(city, notify=["everything"])
    assert "notify" in refused.value.message_dict


@pytest.mark.parametrize(("kind", "from_status", "to_status", "public", "step"), [
    ("dispatched", "received", "dispatched", True, "dispatched"),
    ("dispatched", "resolved", "dispatched", True, None),  # a reopen's new dispatch: "reopened" says it
    ("dispatched", "dispatched", "dispatched", False, None),  # a co-handling department summoned
    ("responded", "dispatched", "responded", True, "responded"),
    ("responded", "responded", "responded", True, None),  # a co-handler reporting for duty
    ("extension_approved", "responded", "responded", True, "extended"),
    ("resolved", "responded", "resolved", True, "resolved"),
    ("reopened", "resolved", "resolved", True, "reopened"),
    ("note", "responded", "responded", False, None),
])
def test_which_events_are_steps_the_resident_hears_about(kind, from_status, to_status, public, step):
    event = AppealEvent(kind=kind, from_status=from_status, to_status=to_status, public=public)
    assert updates.step_of(event) == step


@pytest.mark.django_db
def test_administrators_see_what_was_sent_and_what_failed(backends, city, routing_queued, admin_client):
    submitted = file(city, contact_email="")
    updates.deliver(event_id=updates.receipt_event_id(submitted.appeal.pk), access_code=submitted.access_code)
    page = admin_client.get("/admin/appeals/notification/").content.decode()
    assert submitted.appeal.number in page and "received" in page
    assert submitted.access_code not in page and "13800138000" not in page
