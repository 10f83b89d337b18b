"""Tracking: number + code show status, unit and timeline; a wrong code reveals nothing."""
import pytest
from django.urls import reverse

from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.routing import route

from .scenarios import file_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(city, officers):
    submitted = file_appeal(city, text="路面坑洼", contact_name="赵六", contact_phone="13700137000")
    dispatch = route.route_appeal(appeal_id=submitted.appeal.pk)
    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer, note="internal: called at 9:00")
    actions.add_progress_note(dispatch_id=dispatch.pk, officer=officer, note="internal: crew booked")
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer="坑已填平")
    return submitted


def test_the_api_shows_status_unit_answer_and_public_timeline(api_as, resolved, city):
    response = api_as(None).get("/api/v1/appeals/track/", {"number": resolved.appeal.number,
                                                            "code": resolved.access_code.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "resolved"
    assert body["unit"] == city.street_a1.name
    assert body["answer"] == "坑已填平"
    assert [entry["kind"] for entry in body["timeline"]] == [
        "received", "dispatched", "responded", "resolved", "callback_opened",
    ]
    assert body["feedback_until"] is not None  # the resident may rate it now
    text = response.content.decode()
    assert "internal" not in text and "赵六" not in text and "13700137000" not in text


@pytest.mark.parametrize("code", ["WRONGCOD", "", "x" * 50])
def test_a_wrong_code_reveals_nothing(api_as, resolved, code):
    response = api_as(None).get("/api/v1/appeals/track/", {"number": resolved.appeal.number, "code": code})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_the_tracking_page_shows_the_same_and_keeps_the_code_out_of_the_url(client, resolved, city):
    page = client.post(reverse("appeals:track"), {"number": resolved.appeal.number, "code": resolved.access_code},
                       HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "坑已填平" in html and city.street_a1.name_en in html
    assert "internal" not in html and "13700137000" not in html
    wrong = client.post(reverse("appeals:track"), {"number": resolved.appeal.number, "code": "WRONG123"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 404
    assert "坑已填平" not in wrong.content.decode()


def test_a_declined_appeal_shows_the_reason(api_as, city, officers):
    submitted = submit_appeal(text="邻居吵架要求判决", contact_phone="13800138000")
    route.route_appeal(appeal_id=submitted.appeal.pk)
    actions.decline_appeal(appeal_id=submitted.appeal.pk, reason="legal", operator=officers["operator"])
    body = api_as(None).get("/api/v1/appeals/track/", {"number": submitted.appeal.number,
                                                        "code": submitted.access_code},
                            HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == "rejected"
    assert "courts" in body["declined_reason"]


def test_numbers_and_codes_draw_every_character_alike():
    """Uniform over the alphabet (no modulo bias): over 30,000 draws each character comes up about
    1,000 times; five standard deviations either side never fail by chance in practice."""
    from collections import Counter

    from appeals.tracking import ALPHABET, CODE_LENGTH, is_tracking_number, new_access_code, new_tracking_number

    assert is_tracking_number(new_tracking_number())
    codes = [new_access_code() for _ in range(30_000 // CODE_LENGTH)]
    assert {len(code) for code in codes} == {CODE_LENGTH}
    counts = Counter("".join(codes))
    assert set(counts) == set(ALPHABET)
    assert all(845 <= count <= 1155 for count in counts.values()), counts


def test_an_appeal_number_can_never_be_one_a_follower_holds():
    """Drawn from disjoint first characters, so intake needs no lookup among followers' numbers."""
    from appeals.tracking import is_tracking_number, new_follower_number, new_tracking_number

    appeals = {new_tracking_number()[7] for _ in range(2_000)}
    follower_numbers = [new_follower_number() for _ in range(2_000)]
    assert all(is_tracking_number(number) for number in follower_numbers)
    assert appeals and not appeals & {number[7] for number in follower_numbers}
