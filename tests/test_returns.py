"""Returns end to end through the API: a unit asks, the operators approve (re-dispatch with a fresh
clock, the returning unit not charged) or refuse (the clock never stopped)."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from dispatch.deadlines.sweeps import sweep_deadlines
from dispatch.models import Dispatch, ReturnRequest

from .scenarios import ask_return

pytestmark = pytest.mark.django_db


def test_a_return_request_waits_for_the_operators(ticket, officers, api_as, city):
    response = ask_return(api_as, officers["officer_a1"], ticket, suggested_unit=city.street_b1.code)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["reason"], body["suggested_unit"]) == ("pending", "place", "DB-S1")
    requested = AppealEvent.objects.get(dispatch=ticket, kind=AppealEvent.Kind.RETURN_REQUESTED)
    assert not requested.public
    operator = api_as(officers["operator"], "en")
    assert [row["id"] for row in operator.get("/api/v1/returns/").json()["results"]] == [body["id"]]


@pytest.fixture
def approved(ticket, officers, api_as, city):
    """Street A1 asked to return the ticket; three hours later an operator sent it to street B1.
    (the decision's answer, the moment it was made)"""
    request_id = ask_return(api_as, officers["officer_a1"], ticket, suggested_unit=city.street_b1.code).json()["id"]
    later = timezone.now() + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        decision = api_as(officers["operator"], "en").post(f"/api/v1/returns/{request_id}/approve/",
                                                           {"unit": "DB-S1", "note": "改派"}, format="json")
    assert decision.status_code == 200, decision.json()
    return decision, later


def test_an_approved_return_redispatches_with_a_fresh_clock_and_closes_the_old_dispatch(approved, ticket, officers,
                                                                                        api_as, city):
    decision, later = approved
    assert decision.json()["state"] == "approved"
    ticket.refresh_from_db()
    assert (ticket.state, ticket.is_current) == (Dispatch.State.RETURNED, False)
    new = Dispatch.objects.get(appeal=ticket.appeal, is_current=True)
    assert new.unit == city.street_b1 and new.district == city.district_b
    assert new.dispatched_at == later  # the new unit's clock starts at its own dispatch
    assert new.response_due > ticket.response_due
    assert decision.json()["new_dispatch"] == new.pk
    appeal = Appeal.objects.get(pk=ticket.appeal_id)
    assert appeal.status == Appeal.Status.DISPATCHED
    assert list(appeal.events.values_list("kind", flat=True))[-2:] == ["return_approved", "dispatched"]
    assert api_as(officers["operator"]).get("/api/v1/returns/").json()["results"] == []


def test_the_returning_unit_is_not_charged_its_old_dispatch_is_never_overdue(approved, ticket):
    sweep_deadlines(now=timezone.now() + timedelta(days=30))
    ticket.refresh_from_db()
    assert ticket.response_overdue_at is None and ticket.resolve_overdue_at is None
    assert not ticket.is_overdue


def test_after_an_approved_return_the_old_unit_cannot_act_and_is_told_why(approved, ticket, officers, api_as):
    refused = api_as(officers["officer_a1"], "en").post(f"/api/v1/dispatches/{ticket.pk}/respond/", {},
                                                        format="json")
    assert refused.status_code == 409 and "returned" in refused.json()["detail"]


def test_a_return_is_decided_once(approved, officers, api_as):
    decision, _ = approved
    twice = api_as(officers["operator"], "en").post(f"/api/v1/returns/{decision.json()['id']}/approve/",
                                                    {"unit": "DA-S2"}, format="json")
    assert twice.status_code == 409 and "already been decided" in twice.json()["detail"]


def test_a_refused_return_leaves_the_clock_running(ticket, officers, api_as):
    request_id = ask_return(api_as, officers["officer_a1"], ticket).json()["id"]
    blocked = api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/respond/", {}, format="json")
    assert blocked.status_code == 409  # wait for the decision
    before = (ticket.response_due, ticket.resolve_due)
    refused = api_as(officers["operator"]).post(f"/api/v1/returns/{request_id}/refuse/",
                                                {"note": "按属地原则由本街道办理"}, format="json")
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    ticket.refresh_from_db()
    assert (ticket.response_due, ticket.resolve_due) == before
    assert (ticket.state, ticket.is_current) == (Dispatch.State.PENDING, True)
    assert api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/respond/", {},
                                               format="json").status_code == 200
    assert api_as(officers["operator"]).get("/api/v1/returns/?state=refused").json()["results"][0]["id"] == request_id


def test_a_refusal_needs_a_reason(ticket, officers, api_as):
    request_id = ask_return(api_as, officers["officer_a1"], ticket).json()["id"]
    response = api_as(officers["operator"]).post(f"/api/v1/returns/{request_id}/refuse/", {}, format="json")
    assert response.status_code == 409
    assert ReturnRequest.objects.get(pk=request_id).is_pending


def test_no_return_after_responding_or_after_the_window(ticket, officers, api_as, settings, city):
    settings.RETURN_WINDOW_HOURS = 2
    with time_machine.travel(ticket.dispatched_at + timedelta(hours=3), tick=False):
        late = ask_return(api_as, officers["officer_a1"], ticket)
    assert late.status_code == 409 and "2 hours" in late.json()["detail"]
    api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/respond/", {}, format="json")
    responded = ask_return(api_as, officers["officer_a1"], ticket)
    assert responded.status_code == 409
    assert not ReturnRequest.objects.exists()


def test_bad_input_is_a_clear_400_and_changes_nothing(ticket, officers, api_as):
    response = ask_return(api_as, officers["officer_a1"], ticket, reason="bored", note="")
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "note"}
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("who", ["officer_a2", "water", "district_a", "operator", "supervisor"])
def test_only_the_units_officers_can_ask_to_return(ticket, officers, api_as, who):
    """Not their ticket to act on: 404, whether they may read it (district, supervisor) or not."""
    response = ask_return(api_as, officers[who], ticket)
    assert response.status_code == 404
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("who", ["officer_a1", "supervisor", "water", None])
def test_only_operators_see_and_decide_returns(ticket, officers, api_as, who):
    request_id = ask_return(api_as, officers["officer_a1"], ticket).json()["id"]
    client = api_as(officers[who] if who else None)
    assert client.get("/api/v1/returns/").status_code == 403
    assert client.post(f"/api/v1/returns/{request_id}/approve/", {"unit": "DB-S1"}, format="json").status_code == 403
    assert ReturnRequest.objects.get(pk=request_id).is_pending


def test_an_operator_cannot_send_it_back_to_the_unit_that_returned_it(ticket, officers, api_as):
    request_id = ask_return(api_as, officers["officer_a1"], ticket).json()["id"]
    response = api_as(officers["operator"]).post(f"/api/v1/returns/{request_id}/approve/", {"unit": "DA-S1"},
                                                 format="json")
    assert response.status_code == 409


NEW_UNITS_WORDS = ("南桥街道已上门核实", "内部：物业推诿", "已协调物业修复")  # its response, internal note, answer


@pytest.fixture
def returned_and_handled_by_the_next_unit(ticket, officers, api_as, city):
    """Street A1's return approved; street B1 then responds, notes internally and resolves."""
    request_id = ask_return(api_as, officers["officer_a1"], ticket).json()["id"]
    approved = api_as(officers["operator"], "en").post(f"/api/v1/returns/{request_id}/approve/",
                                                       {"unit": city.street_b1.code}, format="json")
    assert approved.status_code == 200, approved.json()
    new = approved.json()["new_dispatch"]
    b1 = api_as(officers["officer_b1"], "en")
    response, note, answer = NEW_UNITS_WORDS
    for path, body in (("respond", {"note": response}), ("notes", {"note": note}), ("resolve", {"answer": answer})):
        assert b1.post(f"/api/v1/dispatches/{new}/{path}/", body, format="json").status_code == 200
    return ticket, new


@pytest.mark.parametrize("who", ["officer_a1", "district_a"])
def test_after_an_approved_return_the_unit_sees_its_own_part_only(returned_and_handled_by_the_next_unit, officers,
                                                                  client, api_as, who):
    ticket, new = returned_and_handled_by_the_next_unit
    client.force_login(officers[who].user)
    page = client.get(f"/console/dispatches/{ticket.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "该地址属于南桥街道" in html  # its own return request stays in its history
    for words in NEW_UNITS_WORDS:
        assert words not in html
    assert client.get(f"/console/dispatches/{new}/").status_code == 404

    api = api_as(officers[who], "en")
    own = api.get(f"/api/v1/dispatches/{ticket.pk}/")
    assert own.status_code == 200 and own.json()["state"] == "returned"
    assert not any(words in own.content.decode() for words in NEW_UNITS_WORDS)
    assert api.get(f"/api/v1/dispatches/{new}/").status_code == 404
    listed = api.get("/api/v1/dispatches/").json()["results"]  # the API lists every state
    assert [row["id"] for row in listed] == [ticket.pk]


def test_supervisors_and_the_new_unit_still_read_the_whole_ticket(returned_and_handled_by_the_next_unit, officers,
                                                                  client):
    ticket, new = returned_and_handled_by_the_next_unit
    for who, pk in (("supervisor", ticket.pk), ("officer_b1", new)):
        client.force_login(officers[who].user)
        html = client.get(f"/console/dispatches/{pk}/").content.decode()
        assert all(words in html for words in NEW_UNITS_WORDS), who
