"""A category's extra questions are asked on every channel (the resident's web form, the operators'
phone form, the JSON API, Open311) and checked by the one intake rule (validation.clean_attributes):
the same refusal, in the same words, whichever way the appeal comes in."""
import re

import pytest
from django.urls import reverse

from appeals.models import Appeal

from .scenarios import png_upload

pytestmark = pytest.mark.django_db

SCOPE_MISSING = "Please answer: How far does it reach?"


def form_fields(city, **overrides) -> dict:
    fields = {"text": "停水两天了", "kind": "complaint", "urgency": "ordinary", "category": city.water_outage.code,
              "address": "南桥路1号", "contact_name": "李四", "contact_phone": "13900139000"}
    return {**fields, **overrides}


def question_sets(page: str) -> dict[str, str]:
    """Each category's fieldset of questions on the page -> its opening tag."""
    tags = re.findall(r'(<fieldset class="questions"[^>]*data-category="([^"]+)"[^>]*>)', page)
    return {code: tag for tag, code in tags}


def test_the_form_holds_every_categorys_questions_hidden_until_one_is_chosen(client, city, questions):
    page = client.get(reverse("appeals:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sets = question_sets(page)
    assert set(sets) == {city.noise.code, city.water_outage.code}
    assert all(" hidden disabled" in tag for tag in sets.values())  # not shown, not sent
    assert 'name="attribute[scope]"' in page and "How far does it reach?" in page


def test_without_script_the_form_comes_back_with_the_questions_and_a_clear_error(client, city, questions):
    response = client.post(reverse("appeals:home"), form_fields(city), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    sets = question_sets(page)
    assert "hidden" not in sets[city.water_outage.code] and "hidden" in sets[city.noise.code]
    assert SCOPE_MISSING in page
    assert "停水两天了" in page  # what was typed is kept
    assert Appeal.objects.count() == 0

    response = client.post(reverse("appeals:home"), form_fields(city, **{
        "attribute[scope]": "building", "attribute[since]": "2024-05-01T08:30"}))
    assert response.status_code == 302
    assert Appeal.objects.get().attributes == {"scope": "building", "since": "2024-05-01T08:30:00+08:00"}


def test_the_web_form_takes_several_choices_and_ignores_another_categorys_answers(client, city, questions):
    response = client.post(reverse("appeals:home"), form_fields(city, category=city.noise.code, **{
        "attribute[hours]": ["night", "day"], "attribute[floor]": "7", "attribute[scope]": "building"}))
    assert response.status_code == 302
    assert Appeal.objects.get().attributes == {"floor": 7, "hours": ["night", "day"]}


def test_a_wrong_answer_on_the_web_form_is_shown_next_to_its_question(client, city, questions):
    response = client.post(reverse("appeals:home"), form_fields(city, category=city.noise.code, **{
        "attribute[floor]": "tenth"}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'id="q-ENV-NOISE-NB-floor-error"' in response.content.decode()
    assert "Which floor?: give a number." in response.content.decode()


def test_the_operators_phone_form_asks_the_same_questions(client, officers, city, questions):
    client.force_login(officers["operator"].user)
    response = client.post("/console/phone/", form_fields(city), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and SCOPE_MISSING in response.content.decode()
    assert Appeal.objects.count() == 0
    response = client.post("/console/phone/", form_fields(city, **{"attribute[scope]": "home"}))
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.attributes) == (Appeal.Channel.PHONE, {"scope": "home"})


def test_the_api_asks_them_in_json(api_as, city, questions):
    client = api_as(None, language="en")
    body = {"text": "停水两天了", "category": city.water_outage.code, "contact_phone": "13900139000"}
    response = client.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 400 and response.json() == {"attribute[scope]": [SCOPE_MISSING]}
    response = client.post("/api/v1/appeals/", {**body, "attributes": {"scope": ["home", "building"]}},
                           format="json")
    assert response.status_code == 400 and "give one answer only" in response.json()["attribute[scope]"][0]
    for wrong in ([], "building", {"scope": {"a": 1}}, {"scope": True}):
        response = client.post("/api/v1/appeals/", {**body, "attributes": wrong}, format="json")
        assert response.status_code == 400 and "attributes" in response.json(), wrong
    assert Appeal.objects.count() == 0
    response = client.post("/api/v1/appeals/", {**body, "text": "停水三天了", "attributes": {"scope": "home"}},
                           format="json")
    assert response.status_code == 201
    noise = {**body, "category": city.noise.code, "attributes": {"floor": 7, "hours": ["night"]}}
    assert client.post("/api/v1/appeals/", noise, format="json").status_code == 201
    stored = [appeal.attributes for appeal in Appeal.objects.order_by("pk")]
    assert stored == [{"scope": "home"}, {"floor": 7, "hours": ["night"]}]


def test_the_api_asks_them_in_a_multipart_body_as_the_form_does(api_as, city, questions):
    body = {"text": "停水两天了", "category": city.water_outage.code, "contact_phone": "13900139000",
            "photos": [png_upload()]}
    client = api_as(None, language="en")
    response = client.post("/api/v1/appeals/", body, format="multipart")
    assert response.status_code == 400 and response.json() == {"attribute[scope]": [SCOPE_MISSING]}
    response = client.post("/api/v1/appeals/", {**body, "photos": [png_upload()], "attribute[scope]": "estate"},
                           format="multipart")
    assert response.status_code == 400 and "choose from home, building" in response.json()["attribute[scope]"][0]
    response = client.post("/api/v1/appeals/", {**body, "photos": [png_upload()], "attribute[scope]": "home"},
                           format="multipart")
    assert response.status_code == 201
    assert Appeal.objects.get().attributes == {"scope": "home"}


def test_every_channel_refuses_the_unanswered_question_in_the_same_words(client, api_as, officers, city, questions,
                                                                         api_key):
    web = client.post(reverse("appeals:home"), form_fields(city), HTTP_ACCEPT_LANGUAGE="zh-hans")
    api = api_as(None).post("/api/v1/appeals/", {"text": "停水", "category": city.water_outage.code,
                                                 "contact_phone": "13900139000"}, format="json")
    open311 = client.post("/open311/v2/requests.json", {"api_key": api_key[1], "service_code": city.water_outage.code,
                                                        "address_string": "南桥路1号"})
    client.force_login(officers["operator"].user)
    phone = client.post("/console/phone/", form_fields(city))
    (message,) = api.json()["attribute[scope]"]
    assert message == "请回答：停水范围"
    assert message in web.content.decode() and message in phone.content.decode()
    assert open311.json() == [{"code": 400, "description": f"attribute[scope]: {message}"}]
    assert Appeal.objects.count() == 0


def test_the_operators_phone_form_speaks_to_an_operator_not_the_resident(client, officers, city):
    client.force_login(officers["operator"].user)
    for language in ("en", "zh-hans"):
        page = client.get("/console/phone/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        resident = client.get(reverse("appeals:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        if language == "en":
            for wording in ("Your name", "Use my current location", "I don&#x27;t know (an operator will choose)",
                            "How can we reach you?", "File anonymously"):
                assert wording in resident and wording not in page, wording
            for wording in ("Caller&#x27;s name", "Caller&#x27;s phone", "Where is the problem?", "Choose the category",
                            "leave it for the manual queue", "The caller wants to stay anonymous"):
                assert wording in page, wording
        else:
            for wording in ("您的姓名", "使用我的当前位置", "不清楚（由话务员选择）"):
                assert wording in resident and wording not in page, wording
            assert "来电人姓名" in page and "来电人电话" in page
    assert 'autocomplete="name"' not in page  # the browser must not offer the operator's own name


def test_a_key_that_cannot_be_a_question_code_is_refused_without_echoing_it(api_as, city, questions):
    body = '{"text": "停水了", "category": "' + city.water_outage.code + '", "attributes": {"\\ud800": null}}'
    response = api_as(None).post("/api/v1/appeals/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["attributes"]
    assert Appeal.objects.count() == 0
