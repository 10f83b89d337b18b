"""The operators' phone callbacks: open surveys listed first-closing first with the resident's phone,
answers recorded through the page; nobody else sees them."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from appeals.models import Appeal
from dispatch.models import Callback

from .scenarios import respond_and_resolve, routed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(city, officers):
    """Three resolved appeals a day apart (their surveys close a day apart), one of them anonymous."""
    made = {}
    start = timezone.now() - timedelta(days=3)
    for offset, (name, phone, anonymous) in enumerate(
        [("first", "13800000001", False), ("anonymous", "", True), ("second", "13800000002", False)]
    ):
        with time_machine.travel(start + timedelta(days=offset), tick=False):
            dispatch = routed_ticket(city, text=f"路灯坏了 {name}", contact_name="赵六", contact_phone=phone,
                                     anonymous=anonymous)
            respond_and_resolve(dispatch, officers["officer_a1"], answer="已修复")
        made[name] = Callback.objects.get(dispatch=dispatch)
    return made


def test_the_operator_sees_open_surveys_first_closing_first_with_the_phone(client, officers, resolved):
    client.force_login(officers["operator"].user)
    page = client.get("/console/callbacks/").content.decode()
    first, second = resolved["first"].dispatch.appeal.number, resolved["second"].dispatch.appeal.number
    assert page.index(first) < page.index(second)
    assert f'<a href="/console/callbacks/{resolved["first"].pk}/">{first}</a>' in page
    assert "13800000001" in page and 'href="tel:13800000002"' in page  # operators call: unmasked
    assert resolved["anonymous"].dispatch.appeal.number not in page  # no phone to call
    assert '<a href="/console/callbacks/">' in page  # in the operator's menu


def test_the_operator_records_the_answers_and_the_survey_leaves_the_list(client, officers, resolved):
    callback = resolved["first"]
    client.force_login(officers["operator"].user)
    detail = client.get(f"/console/callbacks/{callback.pk}/").content.decode()
    assert "13800000001" in detail and "已修复" in detail
    response = client.post(f"/console/callbacks/{callback.pk}/",
                           {"solved": "yes", "satisfaction": "basic", "comment": "电话回访：基本满意"})
    assert response.status_code == 302 and response["Location"] == "/console/callbacks/"
    callback.refresh_from_db()
    assert (callback.state, callback.solved, callback.satisfaction, callback.channel, callback.recorded_by) == (
        "rated", True, "basic", "phone", officers["operator"].user)
    assert callback.comment == "电话回访：基本满意"
    assert Appeal.objects.get(pk=callback.dispatch.appeal_id).status == Appeal.Status.CLOSED
    row = f'<a href="/console/callbacks/{callback.pk}/">{callback.dispatch.appeal.number}</a>'
    assert row not in client.get("/console/callbacks/").content.decode()

    again = client.post(f"/console/callbacks/{callback.pk}/", {"solved": "no", "satisfaction": "dissatisfied"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert "already been given" in again.content.decode()
    callback.refresh_from_db()
    assert callback.satisfaction == "basic"  # one rating per dispatch


def test_a_missing_answer_is_a_clear_error_and_records_nothing(client, officers, resolved):
    callback = resolved["second"]
    client.force_login(officers["operator"].user)
    response = client.post(f"/console/callbacks/{callback.pk}/", {"solved": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    callback.refresh_from_db()
    assert callback.state == "open"


@pytest.mark.parametrize("path", ["/console/callbacks/", "/console/callbacks/{pk}/"])
def test_nobody_else_sees_the_phone_callbacks(client, officers, resolved, path):
    path = path.format(pk=resolved["first"].pk)
    for name in ("officer_a1", "head_a1", "district_a", "supervisor"):
        client.force_login(officers[name].user)
        assert client.get(path).status_code == 403, name
        assert client.post(path, {"solved": "yes", "satisfaction": "satisfied"}).status_code == 403, name
    assert Callback.objects.get(pk=resolved["first"].pk).state == "open"


def test_an_unanswered_call_is_listed_again_later_and_the_last_try_closes_the_survey_unrated(
    client, officers, resolved, settings
):
    settings.CALLBACK_CALL_TRIES, settings.CALLBACK_RETRY_HOURS = 2, 2
    callback = resolved["first"]
    row = f'<a href="/console/callbacks/{callback.pk}/">{callback.dispatch.appeal.number}</a>'
    client.force_login(officers["operator"].user)
    detail = client.get(f"/console/callbacks/{callback.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="no_answer"' in detail and "after 2 unanswered calls the survey closes unrated" in detail

    response = client.post(f"/console/callbacks/{callback.pk}/", {"no_answer": "1"})
    assert response.status_code == 302 and response["Location"] == "/console/callbacks/"
    callback.refresh_from_db()
    assert (callback.state, callback.unanswered_calls) == ("open", 1)
    assert row not in client.get("/console/callbacks/").content.decode()  # tried again later, not now
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        assert row in client.get("/console/callbacks/").content.decode()
        client.post(f"/console/callbacks/{callback.pk}/", {"no_answer": "1"})
    callback.refresh_from_db()
    assert (callback.state, callback.unanswered_calls, callback.satisfaction) == ("expired", 2, "")
    appeal = Appeal.objects.get(pk=callback.dispatch.appeal_id)
    assert appeal.status == Appeal.Status.CLOSED
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["callback_unanswered", "callback_unanswered", "callback_expired", "closed"]


def test_the_service_counts_unanswered_calls_and_refuses_a_closed_survey(officers, resolved, settings):
    from dispatch.exceptions import ActionNotAllowed, NotYourTicket
    from dispatch.feedback.callbacks import record_unanswered_call

    settings.CALLBACK_CALL_TRIES = 3
    callback = resolved["second"]
    with pytest.raises(NotYourTicket):
        record_unanswered_call(callback_id=callback.pk, operator=officers["officer_a1"])
    for calls in (1, 2, 3):
        result = record_unanswered_call(callback_id=callback.pk, operator=officers["operator"])
        assert result.unanswered_calls == calls
    assert Callback.objects.get(pk=callback.pk).state == "expired"
    with pytest.raises(ActionNotAllowed):
        record_unanswered_call(callback_id=callback.pk, operator=officers["operator"])
