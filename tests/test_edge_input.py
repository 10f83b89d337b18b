"""Edge input that once ended in a 500 (issue 14, item 5): each gets a clear 4xx and changes nothing."""
import json

import pytest
from django.test import Client

from appeals.models import Appeal, AppealEvent

from .scenarios import triage_appeal

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2 KB of JSON nested 1,000 levels: json.loads recurses past Python's limit


@pytest.mark.parametrize("path", ["/api/v1/appeals/", "/api/v1/dispatches/1/sign/", "/api/v1/triage/1/decline/"])
def test_deeply_nested_json_is_a_400(client, city, path):
    """Anonymous: intake reads the body and refuses it (400); the staff endpoints refuse the visitor
    first (403) and never read it."""
    for body in (DEEP, '{"text": ' + DEEP + "}"):
        response = client.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == (400 if path == "/api/v1/appeals/" else 403), response.content[:300]
    response = client.post("/api/v1/appeals/", DEEP, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "nested" in response.json()["detail"]
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize(("who", "path"), [("officer_a1", "/api/v1/dispatches/{ticket}/respond/"),
                                           ("operator", "/api/v1/triage/{appeal}/decline/")])
def test_deeply_nested_json_from_staff_is_a_400_and_changes_nothing(api_as, officers, ticket, city, who, path):
    waiting = triage_appeal(city)
    url = path.format(ticket=ticket.pk, appeal=waiting.pk)
    events = AppealEvent.objects.count()
    response = api_as(officers[who], "en").post(url, DEEP, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]
    assert AppealEvent.objects.count() == events


def test_moderately_nested_json_still_parses(client, city):
    body = {"text": "楼上噪声", "category": city.noise.code, "latitude": "39.95", "longitude": "116.15",
            "anonymous": True, "photos": [], "kind": "complaint"}
    response = client.post("/api/v1/appeals/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31T00:00:00Z"},
    {"end_date": "0001-01-01T00:00:00Z"},
    {"start_date": "0001-01-01T00:00:00+14:00"},
    {"end_date": "9999-12-31T23:59:59-23:59"},
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_extreme_open311_dates_are_400s(client, city, params, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content[:300]
    assert b"start_date" in response.content or b"end_date" in response.content


def test_an_offset_postgresql_cannot_store_is_read_as_its_moment(client, city):
    """+16:07 is a valid ISO 8601 offset but beyond PostgreSQL's ±15:59: the moment is what counts."""
    response = client.get("/open311/v2/requests.json", {"start_date": "2026-10-25T08:00:00+16:07"})
    assert response.status_code == 200


def test_an_extreme_datetime_answer_is_a_400(client, city, questions, api_key):
    response = client.post("/open311/v2/requests.json", {
        "api_key": api_key[1], "service_code": city.water_outage.code, "address_string": "南桥路1号",
        "attribute[scope]": "home", "attribute[since]": "9999-12-31T23:59:59-23:59",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content[:300]
    assert "since" in response.content.decode() or "Since when" in response.content.decode()
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "9999-01"])
def test_months_out_of_range_are_400s(client, officers, period):
    client.force_login(officers["supervisor"].user)
    for path in ("/console/dashboard/", "/console/dashboard/ranking-streets.csv",
                 "/console/dashboard/intake.xlsx", "/api/v1/rankings/"):
        response = client.get(path, {"period": period}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (path, response.content[:300])


@pytest.mark.parametrize("charset", ["latin-1", "ISO-8859-1", "nonsense-charset", "utf-16"])
@pytest.mark.parametrize("path", ["/", "/track/", "/accounts/login/", "/admin/login/", "/console/phone/"])
def test_a_form_post_in_another_charset_than_utf8_is_a_400(city, officers, path, charset):
    """Django refuses the body when the CSRF check reads it; its 400 page ran that check again."""
    client = Client(enforce_csrf_checks=True)  # exceptions are raised, as a 500 would be
    client.force_login(officers["operator"].user)
    response = client.generic("POST", path, "text=%E9t%E9&number=1",
                              content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in response
    assert Appeal.objects.count() == 0


def test_a_form_post_in_utf8_still_works(client, city):
    response = client.generic("POST", "/track/", "number=260101-ABCDEF&code=ABCDEFGH",
                              content_type="application/x-www-form-urlencoded; charset=UTF-8")
    assert response.status_code == 404  # read and looked up: no such appeal


def test_deeply_nested_json_typed_in_the_admin_is_the_fields_error(admin_client, city):
    """The admin's JSON inputs (a place's other names, a unit's boundary, a question's values) share
    the API's bound: the form comes back with the error and what was typed; nothing is saved."""
    from streets.models import Place

    fields = {"name": "中央戏剧学院", "name_en": "Central Academy of Drama", "kind": "landmark",
              "district": city.district_a.pk, "streets": [city.street_a1.pk]}
    refused = admin_client.post("/admin/streets/place/add/", {**fields, "aliases": DEEP}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "nested deeper than 32 levels" in refused.content.decode() and "[[[[" in refused.content.decode()
    assert not Place.objects.exists()
    saved = admin_client.post("/admin/streets/place/add/", {**fields, "aliases": '["中戏"]'})
    assert saved.status_code == 302
    assert Place.objects.get().aliases == ["中戏"]
