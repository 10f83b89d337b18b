"""Closing the loop: the callback survey after resolution, reopening once, closing the appeal."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from dispatch.deadlines.sweeps import sweep_deadlines
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.feedback import callbacks
from dispatch.feedback.callbacks import Answers
from dispatch.handling import actions
from dispatch.models import Callback, Dispatch
from dispatch.routing import route

from .scenarios import file_appeal, respond_and_resolve, routed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(city):
    return file_appeal(city, text="小区路灯坏了一个月", contact_name="", contact_email="resident@example.org")


def test_resolving_opens_the_survey_and_a_good_rating_closes_the_appeal(filed, officers, settings):
    settings.CALLBACK_WINDOW_DAYS = 7
    dispatch = respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    callback = Callback.objects.get(dispatch=dispatch)
    assert callback.state == "open" and callback.closes_at - callback.opened_at == timedelta(days=7)

    callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(True, "basic", "  还行 "))
    callback.refresh_from_db()
    assert (callback.state, callback.solved, callback.satisfaction, callback.comment, callback.channel) == (
        "rated", True, "basic", "还行", "web")
    appeal = Appeal.objects.get(pk=filed.appeal.pk)
    assert appeal.status == Appeal.Status.CLOSED
    rated = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.RATED)
    assert rated.data == {"solved": True, "satisfaction": "basic", "channel": "web"}
    assert rated.created_at == callback.rated_at
    assert list(appeal.events.values_list("kind", flat=True))[-2:] == ["rated", "closed"]

    with pytest.raises(ActionNotAllowed):  # one rating per dispatch
        callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(False, "dissatisfied"))


def test_unsolved_and_dissatisfied_goes_back_to_the_same_unit_once_and_the_second_outcome_stands(
    filed, officers, city
):
    first = respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    later = timezone.now() + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(False, "dissatisfied", "根本没修"))
    second = Dispatch.objects.get(appeal=filed.appeal, is_current=True)
    assert second.reopened_from == first and second.unit == city.street_a1
    assert second.dispatched_at == later and second.response_due > later  # a new deadline
    first.refresh_from_db()
    assert not first.is_current
    appeal = Appeal.objects.get(pk=filed.appeal.pk)
    assert appeal.status == Appeal.Status.DISPATCHED
    assert AppealEvent.objects.get(kind=AppealEvent.Kind.REOPENED).data == {"new_dispatch": second.pk}

    respond_and_resolve(second, officers["officer_a1"], answer="已重新更换并测试")
    callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(False, "dissatisfied"))
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED  # the second outcome stands
    assert Dispatch.objects.filter(appeal=appeal).count() == 2


def test_the_link_sent_to_the_resident_opens_the_survey_without_the_code(filed, officers):
    dispatch = route.route_appeal(appeal_id=filed.appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    token = "known-token-for-this-test"
    with pytest.MonkeyPatch.context() as patch:  # fix the random token so the test can follow the link
        patch.setattr(callbacks.secrets, "token_urlsafe", lambda n: token)
        actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")
    with pytest.raises(NotYourTicket):
        callbacks.rate_by_token(token="forged", answers=Answers(True, "satisfied"))
    callbacks.rate_by_token(token=token, answers=Answers(True, "satisfied"))
    assert Callback.objects.get(dispatch=dispatch).satisfaction == "satisfied"


def test_an_operator_records_a_phone_callback(filed, officers):
    dispatch = respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    callback = Callback.objects.get(dispatch=dispatch)
    with pytest.raises(NotYourTicket):
        callbacks.record_phone_callback(callback_id=callback.pk, operator=officers["supervisor"],
                                        answers=Answers(True, "satisfied"))
    callbacks.record_phone_callback(callback_id=callback.pk, operator=officers["operator"],
                                    answers=Answers(True, "satisfied", "电话回访满意"))
    callback.refresh_from_db()
    assert (callback.channel, callback.recorded_by) == ("phone", officers["operator"].user)


def test_a_survey_nobody_answers_closes_unrated_and_closes_the_appeal(filed, officers, settings):
    settings.CALLBACK_WINDOW_DAYS = 3
    dispatch = respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    assert callbacks.expire_callbacks(now=timezone.now() + timedelta(days=2)) == 0
    assert callbacks.expire_callbacks(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    assert callbacks.expire_callbacks(now=timezone.now() + timedelta(days=4)) == 0  # idempotent
    assert Callback.objects.get(dispatch=dispatch).state == "expired"
    assert Appeal.objects.get(pk=filed.appeal.pk).status == Appeal.Status.CLOSED
    with pytest.raises(ActionNotAllowed):
        callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(True, "satisfied"))


def test_a_missed_resolve_deadline_opens_the_survey_and_a_late_resolution_then_settles(filed, officers):
    dispatch = route.route_appeal(appeal_id=filed.appeal.pk)
    sweep_deadlines(now=dispatch.resolve_due + timedelta(minutes=1))
    callback = Callback.objects.get(dispatch=dispatch)
    callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(False, "dissatisfied", "还没人来"))
    assert Appeal.objects.get(pk=filed.appeal.pk).status == Appeal.Status.DISPATCHED  # the unit still owes it
    respond_and_resolve(dispatch, officers["officer_a1"])
    callback.refresh_from_db()
    appeal = Appeal.objects.get(pk=filed.appeal.pk)
    # Rated unsolved and dissatisfied: resolving it sends it back once, like any other.
    assert appeal.status == Appeal.Status.DISPATCHED
    assert Dispatch.objects.get(appeal=appeal, is_current=True).reopened_from == dispatch


def test_bad_answers_are_refused(filed, officers):
    respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    with pytest.raises(ActionNotAllowed):
        callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(True, "thrilled"))
    assert Callback.objects.get().state == "open"


def test_anonymous_appeals_are_not_sent_an_invitation(city, officers, django_capture_on_commit_callbacks):
    dispatch = routed_ticket(city, text="匿名反映", contact_name="", contact_phone="", anonymous=True)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    with django_capture_on_commit_callbacks() as queued:
        actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")
    assert queued == []  # nobody to write to; the tracking page still carries the survey
    assert Callback.objects.get(dispatch=dispatch).state == "open"


def test_the_tracking_page_carries_the_survey_once_the_ticket_is_resolved(filed, officers, client):
    lookup = {"number": filed.appeal.number, "code": filed.access_code}
    assert "feedback-heading" not in client.post("/track/", lookup).content.decode()  # nothing to rate yet
    respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    page = client.post("/track/", lookup, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tell us how it was handled" in page


@pytest.fixture
def survey_on_the_page(filed, officers):
    """Resolved: the tracking page's survey is open (the lookup that reaches it)."""
    respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    return {"number": filed.appeal.number, "code": filed.access_code}


def test_a_survey_missing_an_answer_is_a_400(survey_on_the_page, client):
    missing = client.post("/track/", {**survey_on_the_page, "rate": "1", "solved": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400 and Callback.objects.get().state == "open"


def test_the_answered_survey_is_recorded_and_leaves_the_page(survey_on_the_page, client):
    done = client.post("/track/", {**survey_on_the_page, "rate": "1", "solved": "no", "satisfaction": "basic"},
                       HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert "your feedback is recorded" in done and "feedback-heading" not in done
    assert Callback.objects.get().satisfaction == "basic"


def test_a_survey_with_the_wrong_code_is_not_found(survey_on_the_page, client):
    wrong_code = client.post("/track/", {**survey_on_the_page, "code": "WRONGCODE", "rate": "1", "solved": "yes",
                                         "satisfaction": "satisfied"})
    assert wrong_code.status_code == 404
    assert Callback.objects.get().state == "open"


def test_the_unit_and_the_supervisor_see_the_residents_feedback_on_the_ticket(filed, officers, client):
    dispatch = respond_and_resolve(route.route_appeal(appeal_id=filed.appeal.pk), officers["officer_a1"])
    callbacks.rate_by_tracking(appeal=filed.appeal, answers=Answers(True, "basic", "处理得还算及时"))
    for who in ("officer_a1", "supervisor"):
        client.force_login(officers[who].user)
        page = client.get(f"/console/dispatches/{dispatch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Resident's feedback" in page and "Basically satisfied" in page and "处理得还算及时" in page
