"""The permission boundary, both ways: a unit sees and acts on its own tickets only; another
unit's ticket is a 404 with nothing in the body; personal data is masked for onlookers."""
import pytest

from appeals.models import Appeal
from dispatch.models import Dispatch

from .scenarios import routed_ticket, triage_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(city):
    """One ticket in street A1, one in street A2, one for the water department, one unroutable."""
    resident = {"text": "测试", "contact_name": "王五", "contact_phone": "13812345678"}
    return {
        "a1": routed_ticket(city, **resident),
        "a2": routed_ticket(city, latitude=city.POINT_A2[0], longitude=city.POINT_A2[1], **resident),
        "water": routed_ticket(city, category_code=city.water_outage.code, latitude=city.POINT_B1[0],
                               longitude=city.POINT_B1[1], **resident),
        "triage": triage_appeal(city, **resident),
    }


VISIBLE = {
    "officer_a1": {"a1"},
    "officer_a2": {"a2"},
    "district_a": {"a1", "a2"},  # the district's copy
    "water": {"water"},
    "supervisor": {"a1", "a2", "water"},
    "operator": set(),
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_lists_exactly_its_tickets(api_as, officers, tickets, who):
    response = api_as(officers[who]).get("/api/v1/dispatches/")
    if who == "operator":
        assert response.status_code == 200 and response.json()["results"] == []
        return
    listed = {row["id"] for row in response.json()["results"]}
    assert listed == {tickets[name].pk for name in VISIBLE[who]}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_another_units_ticket_is_not_found(api_as, officers, tickets, who):
    client = api_as(officers[who])
    for name in ("a1", "a2", "water"):
        if name in VISIBLE[who]:
            continue
        for method, path in (("get", ""), ("post", "sign/"), ("post", "resolve/")):
            response = getattr(client, method)(f"/api/v1/dispatches/{tickets[name].pk}/{path}", {"answer": "x"})
            assert response.status_code == 404
            assert "王五" not in response.content.decode()
            assert "13812345678" not in response.content.decode()
    for ticket in tickets.values():
        if isinstance(ticket, Dispatch):
            ticket.refresh_from_db()
            assert ticket.state == Dispatch.State.PENDING


def test_anonymous_callers_get_nothing(api_as, tickets):
    """403, not 401: the API's first authentication is the session, which sends no challenge."""
    client = api_as(None)
    for path in ("/api/v1/dispatches/", f"/api/v1/dispatches/{tickets['a1'].pk}/", "/api/v1/triage/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "王五" not in response.content.decode()


def test_the_unit_that_calls_sees_the_contact_and_onlookers_see_it_masked(api_as, officers, tickets):
    own = api_as(officers["officer_a1"]).get(f"/api/v1/dispatches/{tickets['a1'].pk}/").json()
    assert own["contact"] == {"name": "王五", "phone": "13812345678", "masked": False}
    for who in ("district_a", "supervisor"):
        seen = api_as(officers[who]).get(f"/api/v1/dispatches/{tickets['a1'].pk}/").json()
        assert seen["contact"] == {"name": "王*", "phone": "138****5678", "masked": True}


def test_the_district_sees_its_copy_but_cannot_act_on_it(api_as, officers, tickets):
    response = api_as(officers["district_a"]).post(f"/api/v1/dispatches/{tickets['a1'].pk}/sign/")
    assert response.status_code == 404


def test_the_officer_acts_through_the_api(api_as, officers, tickets):
    client = api_as(officers["officer_a1"])
    pk = tickets["a1"].pk
    assert client.post(f"/api/v1/dispatches/{pk}/sign/").json()["state"] == "signed"
    conflict = client.post(f"/api/v1/dispatches/{pk}/resolve/", {"answer": "done"})
    assert conflict.status_code == 409 and conflict.json()["detail"]
    assert client.post(f"/api/v1/dispatches/{pk}/respond/", {"note": "called"}).json()["state"] == "responded"
    assert client.post(f"/api/v1/dispatches/{pk}/notes/", {"note": "on site"}).status_code == 200
    resolved = client.post(f"/api/v1/dispatches/{pk}/resolve/", {"answer": "Fixed the lamp."}).json()
    assert resolved["state"] == "resolved" and resolved["answer"] == "Fixed the lamp."


def test_only_operators_work_the_manual_queue(api_as, officers, tickets):
    triage = tickets["triage"]
    assert api_as(officers["officer_a1"]).get("/api/v1/triage/").status_code == 403
    assert api_as(officers["supervisor"]).post(f"/api/v1/triage/{triage.pk}/decline/",
                                               {"reason": "repeat"}).status_code == 403
    triage.refresh_from_db()
    assert triage.status == Appeal.Status.TRIAGE  # still waiting for an operator


def test_an_operator_dispatches_from_the_manual_queue(api_as, officers, tickets, city):
    triage = tickets["triage"]
    client = api_as(officers["operator"])
    assert [row["number"] for row in client.get("/api/v1/triage/").json()["results"]] == [triage.number]
    done = client.post(f"/api/v1/triage/{triage.pk}/dispatch/", {"unit": city.street_b1.code,
                                                                 "category": city.noise.code})
    assert done.status_code == 201 and done.json()["unit"] == city.street_b1.code
    assert client.get("/api/v1/triage/").json()["results"] == []


def test_dispatching_to_an_unknown_unit_is_a_400(api_as, officers, tickets):
    bad = api_as(officers["operator"]).post(f"/api/v1/triage/{tickets['triage'].pk}/dispatch/",
                                            {"unit": "NO-SUCH-UNIT"})
    assert bad.status_code == 400 and "unit" in bad.json()
    assert not Dispatch.objects.filter(appeal=tickets["triage"]).exists()


def test_console_pages_follow_the_same_boundary(client, officers, tickets):
    client.force_login(officers["officer_a2"].user)
    assert client.get(f"/console/dispatches/{tickets['a1'].pk}/").status_code == 404
    assert client.post(f"/console/dispatches/{tickets['a1'].pk}/sign/").status_code == 404
    page = client.get("/console/queue/").content.decode()
    assert tickets["a2"].appeal.number in page and tickets["a1"].appeal.number not in page
    assert client.get("/console/triage/").status_code == 403
    client.logout()
    assert client.get("/console/queue/").status_code == 302  # to the login page


def test_the_appeal_admin_shows_none_of_the_residents_contact(admin_client, city):
    """Administrators keep the records, not the residents' details: no name, phone or e-mail."""
    appeal = routed_ticket(city, contact_name="王五", contact_phone="13812345678",
                           contact_email="wangwu@example.org").appeal
    page = admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/change/")
    assert page.status_code == 200 and appeal.number in page.content.decode()
    for secret in ("王五", "13812345678", "wangwu@example.org"):
        assert secret not in page.content.decode()
