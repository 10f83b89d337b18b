"""Extensions end to end: a unit asks for more time, a supervisor approves (the deadline moves and
the resident's timeline says so) or refuses (it stands)."""
from datetime import date

import pytest
import time_machine

from appeals.models import AppealEvent
from dispatch.models import ExtensionRequest

from .helpers import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def complex_ticket(city):
    from appeals.services import submit_appeal
    from dispatch.routing.route import route_appeal

    appeal = submit_appeal(text="小区产权纠纷，开发商迟迟不办证", category_code=city.title_dispute.code, latitude=39.95,
                           longitude=116.05, contact_phone="13800138000")
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):
        dispatch = route_appeal(appeal_id=appeal.appeal.pk)
    dispatch.access_code = appeal.access_code
    return dispatch


def ask(api_as, officer, dispatch, day="2026-12-21", reason="需要等待不动产登记中心出具意见"):
    with time_machine.travel(local(2026, 11, 20, 9, 0), tick=False):
        return api_as(officer, "en").post(f"/api/v1/dispatches/{dispatch.pk}/extension/",
                                    {"proposed_day": day, "reason": reason}, format="json")


def test_an_approved_extension_moves_the_deadline_and_the_resident_sees_it(complex_ticket, officers, api_as):
    assert complex_ticket.resolve_due == local(2026, 12, 7, 23, 59, 59)
    response = ask(api_as, officers["officer_a1"], complex_ticket)
    assert response.status_code == 201, response.json()
    assert response.json()["previous_due"].startswith("2026-12-07T23:59:59")

    supervisor = api_as(officers["supervisor"])
    pending = supervisor.get("/api/v1/extensions/").json()["results"]
    assert [row["id"] for row in pending] == [response.json()["id"]]
    approved = supervisor.post(f"/api/v1/extensions/{response.json()['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    complex_ticket.refresh_from_db()
    assert complex_ticket.resolve_due == local(2026, 12, 21, 23, 59, 59)
    assert complex_ticket.resolve_extended

    track = api_as(None).get("/api/v1/appeals/track/", {"number": complex_ticket.appeal.number,
                                                         "code": complex_ticket.access_code}).json()
    assert track["resolve_due"].startswith("2026-12-21T23:59:59")
    extended = [entry for entry in track["timeline"] if entry["kind"] == "extension_approved"]
    assert extended and extended[0]["note"] == "2026-12-21 23:59"
    assert not [entry for entry in track["timeline"] if entry["kind"] == "extension_requested"]  # internal

    twice = supervisor.post(f"/api/v1/extensions/{response.json()['id']}/approve/", {}, format="json")
    assert twice.status_code == 409


def test_a_refused_extension_leaves_the_deadline(complex_ticket, officers, api_as):
    request_id = ask(api_as, officers["officer_a1"], complex_ticket).json()["id"]
    refused = api_as(officers["supervisor"]).post(f"/api/v1/extensions/{request_id}/refuse/",
                                                  {"note": "请加快办理"}, format="json")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    complex_ticket.refresh_from_db()
    assert complex_ticket.resolve_due == local(2026, 12, 7, 23, 59, 59) and not complex_ticket.resolve_extended
    assert AppealEvent.objects.filter(dispatch=complex_ticket, kind="extension_refused", public=False).exists()


@pytest.mark.parametrize(
    ("day", "why"),
    [("2026-12-19", "not a working day"), ("2026-12-04", "after the current deadline"), ("2027-06-30", "at most")],
)
def test_impossible_days_are_refused_with_the_reason(complex_ticket, officers, api_as, day, why):
    response = ask(api_as, officers["officer_a1"], complex_ticket, day=day)
    assert response.status_code == 409 and why in response.json()["detail"]
    assert not ExtensionRequest.objects.exists()


def test_more_time_must_be_asked_for_before_the_deadline(complex_ticket, officers, api_as):
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        response = api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{complex_ticket.pk}/extension/",
                                                       {"proposed_day": "2026-12-21", "reason": "x"}, format="json")
    assert response.status_code == 409


def test_one_request_at_a_time(complex_ticket, officers, api_as):
    assert ask(api_as, officers["officer_a1"], complex_ticket).status_code == 201
    assert ask(api_as, officers["officer_a1"], complex_ticket, day="2026-12-22").status_code == 409


@pytest.mark.parametrize("who", ["officer_a1", "operator", "district_a", None])
def test_only_supervisors_decide_extensions(complex_ticket, officers, api_as, who):
    request_id = ask(api_as, officers["officer_a1"], complex_ticket).json()["id"]
    client = api_as(officers[who] if who else None)
    assert client.post(f"/api/v1/extensions/{request_id}/approve/", {}, format="json").status_code in (401, 403)
    assert ExtensionRequest.objects.get(pk=request_id).is_pending


def test_bad_input_is_a_400(complex_ticket, officers, api_as):
    response = ask(api_as, officers["officer_a1"], complex_ticket, day="next week", reason="")
    assert response.status_code == 400 and set(response.json()) == {"proposed_day", "reason"}
    assert date(2026, 12, 21)  # the valid day used elsewhere is a Monday
