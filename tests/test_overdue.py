"""Overdue has one definition (dispatch.models.dispatch.overdue_condition): the queue's filter, the
badge, the export and the dashboard's snapshot agree, and a returned ticket is never overdue for
the unit that returned it."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dispatch.handling import returns
from dispatch.metrics.daily import CITY, open_tickets
from dispatch.models import Dispatch, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_and_late(ticket, officers, city):
    """A1 returns its ticket unanswered, the operators send it to A2; a month later both deadlines of
    both dispatches have passed and nobody answered."""
    request = returns.request_return(dispatch_id=ticket.pk, officer=officers["officer_a1"],
                                     reason=ReturnRequest.Reason.PLACE, note="不在本街道")
    successor = returns.approve_return(return_id=request.pk, operator=officers["operator"], unit=city.street_a2)
    ticket.refresh_from_db()
    assert ticket.state == Dispatch.State.RETURNED
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        yield ticket, successor


def test_the_queue_filter_does_not_list_a_returned_ticket_as_overdue(returned_and_late, api_as, officers):
    returned, successor = returned_and_late
    client = api_as(officers["supervisor"])
    late = client.get("/api/v1/dispatches/", {"overdue": "yes"})
    assert late.status_code == 200
    assert [row["id"] for row in late.json()["results"]] == [successor.pk]
    on_time = client.get("/api/v1/dispatches/", {"overdue": "no"}).json()["results"]
    assert [row["id"] for row in on_time] == [returned.pk]


def test_the_dashboard_drill_down_page_agrees_with_the_badge(returned_and_late, client, officers):
    _returned, successor = returned_and_late
    client.force_login(officers["supervisor"].user)
    page = client.get("/console/queue/", {"overdue": "yes", "state": ""})  # every state, as the drill-down
    assert page.status_code == 200
    assert [d.pk for d in page.context["page"]] == [successor.pk]
    assert all(d.is_overdue for d in page.context["page"])


def test_the_property_and_the_queryset_give_the_same_answer(returned_and_late):
    for dispatch in Dispatch.objects.all():
        assert dispatch.is_overdue == Dispatch.objects.overdue().filter(pk=dispatch.pk).exists(), dispatch.state
    assert set(Dispatch.objects.overdue().values_list("state", flat=True)) == {Dispatch.State.PENDING}


def test_the_dashboard_snapshot_counts_the_same_overdue_tickets(returned_and_late):
    assert open_tickets(timezone.now())[CITY] == (1, 1)
