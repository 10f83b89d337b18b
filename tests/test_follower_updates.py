"""A resident who follows an open appeal ("me too") hears of it as its own resident does
(appeals/updates.py): a receipt of their own number and code when they join, then a message at every
later step, under their own number (never the followed appeal's), in their language, sent by a real
Celery worker after commit, retried when the gateway fails, and never twice."""
import pytest
from django.core import signing
from django.utils import translation

from appeals import followers, updates
from appeals.models import AppealEvent, Notification
from dispatch.handling import actions
from dispatch.routing import route
from dispatch.tasks import send_follow_receipt, send_updates

from .notify_backends import FailingBackend
from .scenarios import file_appeal, respond_and_resolve, triage_appeal, wait_for

FAILING = "tests.notify_backends.FailingBackend"
FOLLOWER_PHONE = "13600136000"
FOLLOWER_EMAIL = "neighbour@example.org"


def follow(appeal, *, phone=FOLLOWER_PHONE, email="", language="zh-hans") -> followers.Followed:
    """A neighbour joins the appeal with the reference the nearby list hands out for it."""
    ref = signing.dumps(appeal.pk, salt=followers.REF_SALT, compress=True)
    with translation.override(language):
        return followers.follow_appeal(ref=ref, contact_phone=phone, contact_email=email)


def to(delivered, address):
    return [message for message in delivered if address in (message.phone, message.email)]


def event_of(appeal, kind):
    return AppealEvent.objects.filter(appeal=appeal, kind=kind).latest("id")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_follower_gets_a_receipt_and_every_later_step_under_their_own_number(backends, city, officers,
                                                                               celery_worker):
    appeal = triage_appeal(city, notify=[])  # its own resident asked for no step
    joined = follow(appeal, email=FOLLOWER_EMAIL, language="en")
    number, code = joined.follower.number, joined.access_code
    wait_for(lambda: len(to(backends, FOLLOWER_PHONE)) == 1 and len(to(backends, FOLLOWER_EMAIL)) == 1)
    for receipt in to(backends, FOLLOWER_PHONE) + to(backends, FOLLOWER_EMAIL):
        assert number in receipt.body and code in receipt.body and f"/track/?number={number}" in receipt.body
        assert receipt.body.startswith("You now follow an appeal about the same problem.")

    actions.dispatch_manually(appeal_id=appeal.pk, unit=city.street_a1, operator=officers["operator"])
    dispatch = appeal.dispatches.get()
    respond_and_resolve(dispatch, officers["officer_a1"])
    wait_for(lambda: Notification.objects.filter(follower=joined.follower, state=Notification.State.SENT).count()
             == 8)
    rows = list(Notification.objects.filter(follower=joined.follower).order_by("id")
                .values_list("step", "channel", "attempts"))
    assert sorted(rows) == sorted((step, channel, 1) for step in ("received", "dispatched", "responded", "resolved")
                                  for channel in ("sms", "email"))
    texts = [message.body for message in to(backends, FOLLOWER_PHONE)]
    assert "Donghua" in texts[1] and "answered" in texts[3]  # the unit, in the follower's language
    assert all(number in text and appeal.number not in text for text in texts)
    assert len(to(backends, "13800138000")) == 1  # the appeal's resident chose no step: their receipt only
    assert len(backends) == 9


@pytest.mark.django_db
def test_a_follower_without_a_contact_or_who_joined_after_a_step_is_not_sent_it(backends, city, officers,
                                                                                routing_queued):
    dispatch = route.route_appeal(appeal_id=file_appeal(city, notify=[]).appeal.pk)
    appeal = dispatch.appeal
    silent = follow(appeal, phone="")
    assert updates.deliver(event_id=event_of(appeal, AppealEvent.Kind.FOLLOWED).pk) == 0
    dispatched = event_of(appeal, AppealEvent.Kind.DISPATCHED)
    late = follow(appeal)
    assert not updates.wanted(dispatched)  # the late follower joined after it; the silent one left no contact
    assert send_updates.apply(args=[[dispatched.pk]]).get() == 0
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    responded = event_of(appeal, AppealEvent.Kind.RESPONDED)
    assert updates.wanted(responded)
    assert send_updates.apply(args=[[responded.pk]]).get() == 1
    assert [message.phone for message in backends] == [FOLLOWER_PHONE]
    assert late.follower.number in backends[0].body and silent.follower.number not in backends[0].body


@pytest.mark.django_db
def test_followers_of_an_anonymous_appeal_hear_of_it_though_its_resident_cannot(backends, city, officers,
                                                                                routing_queued):
    dispatch = route.route_appeal(appeal_id=file_appeal(city, anonymous=True, contact_phone="").appeal.pk)
    joined = follow(dispatch.appeal)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    assert send_updates.apply(args=[[event_of(dispatch.appeal, AppealEvent.Kind.RESPONDED).pk]]).get() == 1
    assert backends[0].phone == FOLLOWER_PHONE
    assert backends[0].body.startswith(f"东花街道已受理您的诉求 {joined.follower.number}")


@pytest.mark.django_db
def test_each_reader_gets_a_step_once_and_a_failed_send_is_retried_for_its_reader_alone(
    backends, settings, city, officers, routing_queued
):
    dispatch = route.route_appeal(appeal_id=file_appeal(city).appeal.pk)
    first, second = follow(dispatch.appeal), follow(dispatch.appeal, phone="13700137000")
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    responded = event_of(dispatch.appeal, AppealEvent.Kind.RESPONDED).pk
    settings.NOTIFICATION_SMS_BACKEND = FAILING
    FailingBackend.failures_left, FailingBackend.refused = 1, 0
    with pytest.raises(updates.DeliveryFailed):
        updates.deliver(event_id=responded)  # the resident's is refused; the followers' go through
    assert updates.deliver(event_id=responded) == 1  # only the refused one is sent again
    assert updates.deliver(event_id=responded) == 0
    assert sorted(message.phone for message in backends) == ["13600136000", "13700137000", "13800138000"]
    rows = {(row.follower_id, row.attempts) for row in Notification.objects.filter(event_id=responded)}
    assert rows == {(None, 2), (first.follower.pk, 1), (second.follower.pk, 1)}


@pytest.mark.django_db
def test_the_follower_receipt_carries_the_code_once_and_a_lost_one_is_swept_without_it(backends, settings, city,
                                                                                       routing_queued):
    settings.ROUTING_GRACE_SECONDS = 0
    appeal = triage_appeal(city, anonymous=True, contact_phone="")  # no receipt of its own to sweep
    kept, lost = follow(appeal), follow(appeal, phone="13700137000")
    kept_event, lost_event = (AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.FOLLOWED)
                              .order_by("id").values_list("id", flat=True))
    assert send_follow_receipt.apply(args=[kept_event, kept.access_code]).get() == 1
    assert send_follow_receipt.apply(args=[kept_event, kept.access_code]).get() == 0  # redelivered
    assert updates.lost(older_than_seconds=0) == [lost_event]
    assert send_updates.apply(args=[updates.lost(older_than_seconds=0)]).get() == 1
    assert updates.lost(older_than_seconds=0) == []
    assert kept.access_code in backends[0].body and kept.follower.number in backends[0].body
    assert lost.access_code not in backends[1].body and lost.follower.number in backends[1].body
    assert backends[1].body.startswith("您已关注一件反映同一问题的诉求")
