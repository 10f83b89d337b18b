"""Smart dispatch (dispatch/routing/decide.py): free text to a unit without an operator when the
classifier is sure enough of the unit; otherwise the operators' queue with the suggestions; a
resident's category that a confident model disagrees with flagged; danger and questions read from
the text; one-click dispatch from the manual queue; a real worker routing a free-text appeal."""
import pytest
from django.test import Client

from appeals.models import Appeal, AppealEvent
from appeals.services import submit_appeal
from dispatch.models import Dispatch, LabelledExample
from dispatch.routing.classify import classify
from dispatch.routing.decide import Handlers
from dispatch.routing.route import route_appeal
from streets.models import Place

from .scenarios import post_form, wait_for
from .smart import NOISY, serve_model

WATER_TEXT = "整栋楼停水一天了，水龙头一滴水都没有，也没有通知"


@pytest.fixture
def model(city):
    return serve_model()


def file(text, **fields):
    return submit_appeal(text=text, contact_phone="13600136000", **fields).appeal


def unit_confidence(text):
    """The classifier's probability that the text's matter belongs to its most likely handler."""
    suggestion = classify([text])[0]
    masses = Handlers.load({code for code, _ in suggestion.categories}, set()).masses(suggestion)
    return max(masses.values())


def triage_event(appeal):
    return appeal.events.get(kind=AppealEvent.Kind.TRIAGE)



def test_a_free_text_appeal_placed_only_in_a_district_goes_there_only_when_the_model_is_surer(city, model, settings):
    """The district must still find the street: an unsure category on top is the operators' work."""
    settings.ROUTING_TO_DISTRICT = True
    confidence = unit_confidence(NOISY)
    settings.ROUTING_AUTO_CONFIDENCE = confidence - 0.01  # sure enough for a street
    settings.ROUTING_DISTRICT_CONFIDENCE = confidence + 0.001  # not for a district
    assert route_appeal(appeal_id=file(NOISY, address="西柳路5号").pk).unit == city.street_a2
    appeal = file(NOISY + "。", address="甲区某胡同")
    assert route_appeal(appeal_id=appeal.pk) is None
    assert triage_event(appeal).data["message"]["code"] == "routing.low_confidence"

    settings.ROUTING_DISTRICT_CONFIDENCE = confidence - 0.001
    assert route_appeal(appeal_id=file(NOISY + "！", address="甲区某胡同").pk).unit == city.district_a

def test_free_text_with_a_written_address_is_dispatched_to_the_street_and_the_event_says_why(city, model):
    appeal = file(NOISY, address="西柳路5号")
    dispatch = route_appeal(appeal_id=appeal.pk)
    assert dispatch is not None and dispatch.unit == city.street_a2
    appeal.refresh_from_db()
    assert appeal.category == city.noise  # the model's category is kept on the appeal
    event = appeal.events.get(kind=AppealEvent.Kind.DISPATCHED)
    params = event.data["message"]["params"]
    assert params["model"]["version"] == model.pk
    assert params["model"]["top"][0][0] == city.noise.code
    assert params["model"]["confidence"] >= 0.5
    assert params["model"]["words"]
    assert params["place"] == ["西柳路"]
    note = event.display_note
    assert f"v{model.pk}" in note and "西柳路" in note and "%" in note


def test_a_department_matter_needs_no_place(city, model):
    dispatch = route_appeal(appeal_id=file(WATER_TEXT).pk)
    assert dispatch.unit == city.water


def test_the_threshold_sends_low_confidence_appeals_to_the_operators(city, model, settings):
    confidence = unit_confidence(NOISY)
    settings.ROUTING_AUTO_CONFIDENCE = confidence + 0.001  # just above what the model can say
    appeal = file(NOISY, address="西柳路5号")
    assert route_appeal(appeal_id=appeal.pk) is None
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.TRIAGE and appeal.category is None
    event = triage_event(appeal)
    assert event.data["message"]["code"] == "routing.low_confidence"
    suggestions = event.data["suggestions"]
    assert suggestions["categories"][0][0] == city.noise.code and len(suggestions["categories"]) == 3
    assert [city.street_a2.pk, city.noise.code, round(confidence, 4)] in suggestions["units"]

    settings.ROUTING_AUTO_CONFIDENCE = confidence - 0.001  # the same text, just below: dispatched
    assert route_appeal(appeal_id=file(NOISY + "。", address="西柳路5号").pk).unit == city.street_a2


def test_an_ambiguous_place_waits_for_an_operator_with_the_candidate_streets(city, model):
    road = Place.objects.create(name="长安大道", kind="road", district=city.district_a)
    road.streets.set([city.street_a1, city.street_a2])
    appeal = file(NOISY, address="长安大道100号")
    assert route_appeal(appeal_id=appeal.pk) is None
    event = triage_event(appeal)
    assert event.data["message"]["code"] == "routing.ambiguous_place"
    assert {row[0] for row in event.data["suggestions"]["units"]} == {city.street_a1.pk, city.street_a2.pk}


def test_a_residents_category_that_a_confident_model_disagrees_with_is_flagged(city, model, settings):
    confidence = unit_confidence(WATER_TEXT)  # the model: the water utility's matter
    settings.ROUTING_DISAGREE_CONFIDENCE = confidence - 0.001
    appeal = file(WATER_TEXT, category_code=city.noise.code, address="西柳路5号")  # the resident: noise
    assert route_appeal(appeal_id=appeal.pk) is None
    appeal.refresh_from_db()
    assert appeal.category == city.noise  # the resident's choice is kept for the operator to judge
    event = triage_event(appeal)
    assert event.data["message"]["code"] == "routing.disagreement"
    units = event.data["suggestions"]["units"]
    assert units[0][:2] == [city.water.pk, city.water_outage.code]
    assert any(unit[0] == city.street_a2.pk for unit in units)  # the resident's choice, as a candidate

    settings.ROUTING_DISAGREE_CONFIDENCE = confidence + 0.001  # not sure enough: the resident's choice stands
    second = file(WATER_TEXT + "。", category_code=city.noise.code, address="西柳路5号")
    assert route_appeal(appeal_id=second.pk).unit == city.street_a2


def test_a_resident_category_the_model_agrees_on_routes_as_chosen(city, model):
    dispatch = route_appeal(appeal_id=file(NOISY, category_code=city.noise.code, address="西柳路5号").pk)
    assert dispatch.unit == city.street_a2


def test_danger_in_the_text_makes_the_appeal_urgent_whatever_the_resident_chose(city, model):
    text = "楼道里水管爆裂，水喷到配电箱上，随时会漏电，很危险"
    assert classify([text])[0].urgent
    appeal = file(text, category_code=city.water_outage.code, urgency=Appeal.Urgency.ORDINARY)
    dispatch = route_appeal(appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert appeal.urgency == Appeal.Urgency.URGENT
    assert (dispatch.respond_limit, dispatch.resolve_limit) == ("2h", "24h")  # the urgent tier
    assert appeal.events.get(kind=AppealEvent.Kind.DISPATCHED).data["message"]["params"]["urgency"] is True
    calm = file(WATER_TEXT, category_code=city.water_outage.code)
    route_appeal(appeal_id=calm.pk)
    calm.refresh_from_db()
    assert calm.urgency == Appeal.Urgency.ORDINARY


def test_a_question_is_recognised_as_a_consultation(city, model):
    appeal = file("请问不动产权证书怎么办理，需要带什么材料？", address="西柳路5号")
    route_appeal(appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert appeal.kind == Appeal.Kind.CONSULTATION


def test_without_a_model_in_service_an_appeal_without_category_waits_as_before(city):
    appeal = file(NOISY, address="西柳路5号")
    assert route_appeal(appeal_id=appeal.pk) is None
    assert triage_event(appeal).data["message"]["code"] == "routing.no_category"


def test_the_operator_sees_the_suggestions_and_dispatches_with_one_click(city, officers, model, settings):
    settings.ROUTING_AUTO_CONFIDENCE = 1.01  # nothing is sure enough: everything waits for an operator
    appeal = file(NOISY, address="西柳路5号")
    route_appeal(appeal_id=appeal.pk)
    client = Client()
    client.force_login(officers["operator"].user)
    page = client.get(f"/console/triage/{appeal.pk}/").content.decode()
    assert "邻里噪声" in page and "停水" in page and "产权纠纷" in page  # the top three categories
    assert "西柳街道" in page and "%" in page  # the candidate unit with its confidence
    response = client.post(f"/console/triage/{appeal.pk}/", {  # what the candidate's button sends
        "dispatch": "1", "unit": city.street_a2.code, "category": city.noise.code,
    })
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(appeal=appeal)
    assert dispatch.unit == city.street_a2 and dispatch.dispatched_by == officers["operator"].user
    appeal.refresh_from_db()
    assert appeal.category == city.noise
    example = LabelledExample.objects.get(appeal=appeal)  # the classifier learns from the operator
    assert (example.category, example.source, example.text) == (city.noise, "manual_dispatch", NOISY)


def test_the_one_click_buttons_carry_the_candidates(city, officers, model, settings):
    settings.ROUTING_AUTO_CONFIDENCE = 1.01
    appeal = file(WATER_TEXT)
    route_appeal(appeal_id=appeal.pk)
    client = Client()
    client.force_login(officers["operator"].user)
    page = client.get(f"/console/triage/{appeal.pk}/").content.decode()
    assert f'name="unit" value="{city.water.code}"' in page
    assert f'name="category" value="{city.water_outage.code}"' in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_routes_a_free_text_appeal_with_no_category_to_the_right_street(celery_worker, city, officers,
                                                                                  api_as):
    serve_model()
    park = Place.objects.create(name="柳荫公园", name_en="Liuyin Park", kind="landmark", district=city.district_a)
    park.streets.set([city.street_a2])
    number = post_form(Client(), text="Loud drilling from the flat upstairs at midnight, near the south gate of "
                       "Liuyin Park, every night this week", contact_phone="13600136000")
    appeal = Appeal.objects.get(number=number)  # with no category (the worker may have routed it already)
    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal=appeal).first())
    assert dispatch.unit == city.street_a2
    appeal.refresh_from_db()
    assert appeal.category == city.noise
    # The classifier chose it: a confidence is stated only for the model's category, never a resident's.
    assert "confidence" in appeal.events.get(kind=AppealEvent.Kind.DISPATCHED).data["message"]["params"]["model"]
    queue = api_as(officers["officer_a2"]).get("/api/v1/dispatches/").json()["results"]
    assert [row["appeal_number"] for row in queue] == [number]


SUGGESTIONS = "/api/v1/suggestions/"


def test_suggestions_give_the_likely_categories_and_the_place(city, model, api_as):
    answer = api_as(None, language="en").get(SUGGESTIONS, {"text": NOISY, "address": "西柳路5号"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["categories"][0]["code"] == city.noise.code and len(body["categories"]) == 3
    assert 0 < body["categories"][0]["probability"] <= 1
    assert body["place"]["street"] == {"code": city.street_a2.code, "name": "Xiliu"}  # in the reader's language
    assert body["place"]["district"]["code"] == city.district_a.code
    assert body["place"]["names"] == ["西柳路"]
    assert body["model_version"] == model.pk and body["kind"] == "complaint" and body["urgent"] is False
    from appeals.models import Appeal
    assert not Appeal.objects.exists()  # nothing is stored


def test_suggestions_for_nothing_typed_are_empty_and_too_long_is_refused(city, model, api_as):
    client = api_as(None)
    assert client.get(SUGGESTIONS).json()["categories"] == []
    too_long = client.get(SUGGESTIONS, {"text": "吵" * 1001})
    assert too_long.status_code == 400 and "text" in too_long.json()
    nul = client.get(SUGGESTIONS + "?text=%00%E6%A5%BC%E4%B8%8A%E5%90%B5")
    assert nul.status_code == 400 and "text" in nul.json()  # a clear refusal, never a 500
    odd = client.get(SUGGESTIONS + "?text=%ED%A0%80%E6%A5%BC%E4%B8%8A%E5%90%B5&address=" + "x" * 255)
    assert odd.status_code == 200  # a lone surrogate's bytes are not text: read as a replacement


def test_suggestions_are_rate_limited(city, model, api_as, rates):
    rates(suggestions="2/hour")
    client = api_as(None)
    statuses = [client.get(SUGGESTIONS, {"text": NOISY}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api_as(None).get(SUGGESTIONS, {"text": NOISY}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_forms_carry_the_suggestions_box(city, officers):
    assert 'data-url="/api/v1/suggestions/"' in Client().get("/").content.decode()
    client = Client()
    client.force_login(officers["operator"].user)
    assert 'id="suggestions"' in client.get("/console/phone/").content.decode()

