"""Extensions end to end: a unit asks for more time, a supervisor approves (the deadline moves and
the resident's timeline says so) or refuses (it stands)."""
from datetime import date

import pytest
import time_machine

from appeals.models import AppealEvent
from dispatch.models import ExtensionRequest
from dispatch.routing.route import route_appeal

from .scenarios import ask_extension, file_appeal, local

pytestmark = pytest.mark.django_db


FRIDAY = local(2026, 11, 20, 9, 0)  # the unit asks on the Friday after the dispatch


@pytest.fixture
def complex_ticket(city):
    """A complex-tier appeal (15 working days to resolve), routed on Monday 16 November 2026."""
    filed = file_appeal(city, text="小区产权纠纷，开发商迟迟不办证", category_code=city.title_dispute.code,
                        contact_name="")
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):
        dispatch = route_appeal(appeal_id=filed.appeal.pk)
    dispatch.access_code = filed.access_code
    return dispatch


def test_an_extension_request_waits_for_a_supervisor(complex_ticket, officers, api_as):
    assert complex_ticket.resolve_due == local(2026, 12, 7, 23, 59, 59)
    response = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY)
    assert response.status_code == 201, response.json()
    assert response.json()["previous_due"].startswith("2026-12-07T23:59:59")
    pending = api_as(officers["supervisor"]).get("/api/v1/extensions/").json()["results"]
    assert [row["id"] for row in pending] == [response.json()["id"]]


@pytest.fixture
def approved(complex_ticket, officers, api_as):
    """Street A1 asked for 21 December; the supervisor approved (the request's id)."""
    request_id = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY).json()["id"]
    decision = api_as(officers["supervisor"]).post(f"/api/v1/extensions/{request_id}/approve/", {}, format="json")
    assert decision.status_code == 200 and decision.json()["state"] == "approved"
    return request_id


def test_an_approved_extension_moves_the_deadline(approved, complex_ticket):
    complex_ticket.refresh_from_db()
    assert complex_ticket.resolve_due == local(2026, 12, 21, 23, 59, 59)
    assert complex_ticket.resolve_extended


def test_the_resident_sees_the_new_deadline_but_not_the_request(approved, complex_ticket, api_as):
    track = api_as(None).get("/api/v1/appeals/track/", {"number": complex_ticket.appeal.number,
                                                         "code": complex_ticket.access_code}).json()
    assert track["resolve_due"].startswith("2026-12-21T23:59:59")
    extended = [entry for entry in track["timeline"] if entry["kind"] == "extension_approved"]
    assert extended and extended[0]["note"] == "2026-12-21 23:59"
    assert not [entry for entry in track["timeline"] if entry["kind"] == "extension_requested"]  # internal


def test_an_extension_is_decided_once(approved, officers, api_as):
    twice = api_as(officers["supervisor"]).post(f"/api/v1/extensions/{approved}/approve/", {}, format="json")
    assert twice.status_code == 409


def test_a_refused_extension_leaves_the_deadline(complex_ticket, officers, api_as):
    request_id = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY).json()["id"]
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
    response = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY, day=day)
    assert response.status_code == 409 and why in response.json()["detail"]
    assert not ExtensionRequest.objects.exists()


def test_more_time_must_be_asked_for_before_the_deadline(complex_ticket, officers, api_as):
    response = ask_extension(api_as, officers["officer_a1"], complex_ticket, reason="x", at=local(2026, 12, 8, 9, 0))
    assert response.status_code == 409


def test_one_request_at_a_time(complex_ticket, officers, api_as):
    assert ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY).status_code == 201
    assert ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY, day="2026-12-22").status_code == 409


@pytest.mark.parametrize("who", ["officer_a1", "operator", "district_a", None])
def test_only_supervisors_decide_extensions(complex_ticket, officers, api_as, who):
    request_id = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY).json()["id"]
    client = api_as(officers[who] if who else None)
    assert client.post(f"/api/v1/extensions/{request_id}/approve/", {}, format="json").status_code == 403
    assert ExtensionRequest.objects.get(pk=request_id).is_pending


def test_bad_input_is_a_400(complex_ticket, officers, api_as):
    response = ask_extension(api_as, officers["officer_a1"], complex_ticket, at=FRIDAY, day="next week", reason="")
    assert response.status_code == 400 and set(response.json()) == {"proposed_day", "reason"}
    assert date(2026, 12, 21)  # the valid day used elsewhere is a Monday
