""""My appeals" (appeals/sign_in.py, dispatch/feedback/mine.py): the resident signs in with the
callback phone and a one-time code sent through the SMS backend, sees every appeal filed with that
phone however it was typed, rates one through the survey and chooses its messages. Codes are
hashed, single use and limited; the form never says which phones filed appeals."""
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from appeals import sign_in
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.models import Callback
from dispatch.routing import route

from .notify_backends import RecordingBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.NOTIFICATION_SMS_BACKEND = "tests.notify_backends.RecordingBackend"
    RecordingBackend.reset()
    yield RecordingBackend.delivered
    RecordingBackend.reset()


def file(city, phone, text):
    return submit_appeal(text=text, category_code=city.noise.code, latitude=39.95, longitude=116.05,
                         contact_phone=phone).appeal


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def sign_in_as(client, sms, phone: str):
    assert client.post(reverse("appeals:my"), {"phone": phone}).url == reverse("appeals:my-code")
    return client.post(reverse("appeals:my-code"), {"code": code_in(sms[-1])})


def test_the_resident_signs_in_with_a_code_and_sees_every_appeal_of_their_phone(client, city, sms):
    mine = [file(city, "139 1234 5678", "第一件"), file(city, "+86 13912345678", "第二件")]
    theirs = file(city, "13800138000", "别人的")
    answer = sign_in_as(client, sms, "139-1234-5678")
    assert answer.status_code == 302 and answer.url == reverse("appeals:my")
    assert [m.phone for m in sms] == ["13912345678"]
    assert code_in(sms[0]) not in str(cache.get(sign_in._cache_key("13912345678")))  # only its hash is kept
    page = client.get(reverse("appeals:my")).content.decode()
    assert all(appeal.number in page for appeal in mine) and theirs.number not in page
    assert "139****5678" in page and "13912345678" not in page
    assert client.get(reverse("appeals:my-appeal", args=[mine[0].number])).status_code == 200
    assert client.get(reverse("appeals:my-appeal", args=[theirs.number])).status_code == 404
    client.post(reverse("appeals:my-sign-out"))
    assert client.get(reverse("appeals:my-appeal", args=[mine[0].number])).url == reverse("appeals:my")


def test_a_code_works_once(client, city, sms):
    file(city, "13912345678", "第一件")
    client.post(reverse("appeals:my"), {"phone": "13912345678"})
    code = code_in(sms[-1])
    assert client.post(reverse("appeals:my-code"), {"code": code}).status_code == 302
    client.post(reverse("appeals:my-sign-out"))
    session = client.session
    session[sign_in.SESSION_PENDING] = "13912345678"
    session.save()
    assert client.post(reverse("appeals:my-code"), {"code": code}).status_code == 400


def test_a_phone_that_filed_nothing_gets_the_same_answer_and_no_sms(client, city, sms):
    answer = client.post(reverse("appeals:my"), {"phone": "13700137000"})
    assert answer.status_code == 302 and answer.url == reverse("appeals:my-code")
    assert sms == []


def test_wrong_codes_are_limited_per_phone_even_before_the_right_one(client, city, sms, rates):
    rates(my_code_failures_phone="3/15m")
    file(city, "13912345678", "第一件")
    client.post(reverse("appeals:my"), {"phone": "13912345678"})
    right = code_in(sms[-1])
    wrong = "000000" if right != "000000" else "111111"
    assert [client.post(reverse("appeals:my-code"), {"code": wrong}).status_code for _ in range(3)] == [400] * 3
    blocked = client.post(reverse("appeals:my-code"), {"code": right})
    assert blocked.status_code == 429 and "Retry-After" in blocked


def test_codes_sent_are_limited_per_phone(client, city, sms, rates):
    rates(my_codes_phone="2/hour")
    file(city, "13912345678", "第一件")
    answers = [client.post(reverse("appeals:my"), {"phone": "13912345678"}).status_code for _ in range(3)]
    assert answers == [302, 302, 429] and len(sms) == 2


def test_without_an_sms_channel_the_page_says_so(client, settings):
    settings.NOTIFICATION_SMS_BACKEND = ""
    page = client.get(reverse("appeals:my")).content.decode()
    assert 'name="phone"' not in page


def test_the_resident_rates_and_chooses_messages_from_my_appeals(client, city, officers, sms):
    appeal = file(city, "13912345678", "第一件")
    dispatch = route.route_appeal(appeal_id=appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")
    sign_in_as(client, sms, "13912345678")
    url = reverse("appeals:my-appeal", args=[appeal.number])
    assert "feedback-heading" in client.get(url).content.decode()
    assert client.post(url, {"rate": "1", "solved": "yes", "satisfaction": "satisfied"}).status_code == 302
    callback = Callback.objects.get(dispatch=dispatch)
    assert (callback.state, callback.channel, callback.satisfaction) == (Callback.State.RATED, "web", "satisfied")
    assert client.post(url, {"follow": "1", "notify": ["resolved", "reopened"]}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.notify_steps == ["resolved", "reopened"]
