"""The officer console: log in, see the queue with filters, act on a ticket through the pages."""
import pytest

from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.models import Dispatch
from dispatch.routing import route

from .scenarios import routed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tickets(city):
    return (
        routed_ticket(city, text="测试工单", contact_name=""),
        routed_ticket(city, text="测试工单", contact_name="", latitude=39.96, longitude=116.06, urgency="urgent"),
    )


def test_login_leads_the_officer_to_the_queue(client, officers):
    response = client.post("/accounts/login/", {"username": "officer_a1", "password": "pass12345"})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/console/queue/"


def test_the_queue_filters_by_urgency_and_state(client, officers, two_tickets):
    ordinary, urgent = two_tickets
    client.force_login(officers["officer_a1"].user)
    page = client.get("/console/queue/", {"urgency": "urgent"}).content.decode()
    assert urgent.appeal.number in page and ordinary.appeal.number not in page
    actions.respond_dispatch(dispatch_id=urgent.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=urgent.pk, officer=officers["officer_a1"], answer="ok")
    open_page = client.get("/console/queue/").content.decode()  # open tickets by default
    assert ordinary.appeal.number in open_page and urgent.appeal.number not in open_page
    resolved_page = client.get("/console/queue/", {"state": "resolved"}).content.decode()
    assert urgent.appeal.number in resolved_page


def test_an_officer_resolves_a_ticket_through_the_pages(client, officers, two_tickets):
    ticket = two_tickets[0]
    client.force_login(officers["officer_a1"].user)
    detail = client.get(f"/console/dispatches/{ticket.pk}/").content.decode()
    assert "13800138000" in detail  # the unit that must call sees the number
    client.post(f"/console/dispatches/{ticket.pk}/sign/")
    early = client.post(f"/console/dispatches/{ticket.pk}/resolve/", {"answer": "done"}, follow=True,
                        HTTP_ACCEPT_LANGUAGE="en")
    assert "before resolving" in early.content.decode()
    client.post(f"/console/dispatches/{ticket.pk}/respond/", {"note": "called"})
    client.post(f"/console/dispatches/{ticket.pk}/resolve/", {"answer": "修好了"})
    ticket.refresh_from_db()
    assert ticket.state == Dispatch.State.RESOLVED and ticket.answer == "修好了"


def test_the_supervisor_sees_every_ticket_with_the_contact_masked(client, officers, two_tickets):
    client.force_login(officers["supervisor"].user)
    page = client.get("/console/queue/").content.decode()
    assert all(t.appeal.number in page for t in two_tickets)
    detail = client.get(f"/console/dispatches/{two_tickets[0].pk}/").content.decode()
    assert "13800138000" not in detail and "138****8000" in detail


def test_the_operator_dispatches_from_the_manual_queue_page(client, officers, city):
    appeal = submit_appeal(text="不清楚类别", contact_phone="13800138000").appeal
    route.route_appeal(appeal_id=appeal.pk)
    client.force_login(officers["operator"].user)
    assert appeal.number in client.get("/console/triage/").content.decode()
    response = client.post(f"/console/triage/{appeal.pk}/", {"dispatch": "1", "unit": city.water.code,
                                                            "category": city.water_outage.code})
    assert response.status_code == 302
    assert Dispatch.objects.get(appeal=appeal).unit == city.water


def test_an_operator_files_a_phone_appeal_and_reads_the_code_to_the_caller(client, officers, city):
    from appeals.models import Appeal
    from appeals.tracking import code_matches_any

    client.force_login(officers["operator"].user)
    response = client.post("/console/phone/", {
        "text": "来电反映停水", "kind": "help", "urgency": "ordinary", "category": city.water_outage.code,
        "contact_name": "孙八", "contact_phone": "13500135000",
    }, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    appeal = Appeal.objects.get()
    assert appeal.channel == Appeal.Channel.PHONE and appeal.submitted_by == officers["operator"].user
    message = next(str(m) for m in response.context["messages"])
    code = message.rsplit(": ", 1)[1]
    assert appeal.number in message and code_matches_any(appeal.number, code, [appeal.access_code_hash])


def test_only_operators_open_the_phone_intake(client, officers):
    client.force_login(officers["officer_a1"].user)
    assert client.get("/console/phone/").status_code == 403


def test_the_overdue_filter_splits_late_from_on_time(api_as, officers, two_tickets):
    from datetime import timedelta

    from django.utils import timezone

    late, on_time = two_tickets
    Dispatch.objects.filter(pk=late.pk).update(response_due=timezone.now() - timedelta(minutes=1))
    client = api_as(officers["officer_a1"])
    assert [r["id"] for r in client.get("/api/v1/dispatches/", {"overdue": "yes"}).json()["results"]] == [late.pk]
    assert [r["id"] for r in client.get("/api/v1/dispatches/", {"overdue": "no"}).json()["results"]] == [on_time.pk]
    assert client.get("/api/v1/dispatches/", {"overdue": "yes"}).json()["results"][0]["overdue"] is True


@pytest.mark.parametrize(("reason", "label"), [
    ("test_call", "A test call, not an appeal"),
    ("empty_call", "An empty call: the caller said nothing or hung up"),
])
def test_the_operator_declines_a_test_call_or_an_empty_call_from_the_manual_queue(
    client, officers, city, reason, label
):
    from appeals.models import Appeal

    appeal = submit_appeal(text="喂？", contact_phone="13800138000").appeal
    route.route_appeal(appeal_id=appeal.pk)
    client.force_login(officers["operator"].user)
    page = client.get(f"/console/triage/{appeal.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'value="{reason}"' in page and label in page
    response = client.post(f"/console/triage/{appeal.pk}/", {"decline": "1", "reason": reason, "note": ""})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rejection_reason) == (Appeal.Status.REJECTED, reason)
