"""Whistles end to end: a street summons departments; each gets its own co-handling dispatch and
deadline, reports for duty, then reports its part; the street stays responsible for the answer."""
import pytest
import time_machine

from appeals.models import Appeal, AppealEvent
from dispatch.deadlines.sweeps import sweep_deadlines
from dispatch.models import Dispatch

from .scenarios import blow_whistle, local

pytestmark = pytest.mark.django_db


def test_summoned_departments_get_their_own_dispatch_deadline_and_queue(ticket, officers, api_as, city):
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):
        response = blow_whistle(api_as, officers["officer_a1"], ticket)
    assert response.status_code == 201, response.json()
    departments = response.json()["departments"]
    assert [d["unit"] for d in departments] == ["DEP-HOUSING", "DEP-WATER"]

    water = Dispatch.objects.get(appeal=ticket.appeal, unit=city.water)
    assert (water.role, water.state, water.whistle_id) == ("cohandler", "pending", response.json()["id"])
    assert (water.respond_limit, water.resolve_limit) == ("24wh", "3wd")
    assert water.resolve_due == local(2026, 11, 19, 23, 59, 59)
    appeal = Appeal.objects.get(pk=ticket.appeal_id)
    assert appeal.status == Appeal.Status.DISPATCHED  # the street still holds it
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.WHISTLE)
    assert event.public and event.unit == city.street_a1

    queue = api_as(officers["water"]).get("/api/v1/dispatches/").json()["results"]
    assert [(row["appeal_number"], row["role"]) for row in queue] == [(appeal.number, "cohandler")]
    assert queue[0]["contact"]["masked"]  # the street calls the resident, not the department
    assert "13800138000" not in str(queue)


def test_a_department_reports_for_duty_then_reports_its_part(ticket, officers, api_as, city):
    blow_whistle(api_as, officers["officer_a1"], ticket)
    water = Dispatch.objects.get(appeal=ticket.appeal, unit=city.water)
    client = api_as(officers["water"], "en")
    early = client.post(f"/api/v1/dispatches/{water.pk}/report/", {"report": "已检修管道"}, format="json")
    assert early.status_code == 409
    assert client.post(f"/api/v1/dispatches/{water.pk}/respond/", {"note": "已到场"}, format="json").status_code == 200
    wrong = client.post(f"/api/v1/dispatches/{water.pk}/resolve/", {"answer": "好了"}, format="json")
    assert wrong.status_code == 409 and "responsible unit" in wrong.json()["detail"]
    done = client.post(f"/api/v1/dispatches/{water.pk}/report/", {"report": "已检修管道"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    appeal = Appeal.objects.get(pk=ticket.appeal_id)
    assert appeal.status == Appeal.Status.DISPATCHED
    reported = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.REPORTED)
    assert reported.unit == city.water and not reported.public
    street = api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/report/", {"report": "x"},
                                                 format="json")
    assert street.status_code == 409


def test_a_department_that_does_not_report_is_overdue_on_its_own_deadline(ticket, officers, api_as, city):
    with time_machine.travel(local(2026, 11, 16, 10, 0), tick=False):
        blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DEP-HOUSING"])
        api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/respond/", {}, format="json")
    housing = Dispatch.objects.get(appeal=ticket.appeal, unit=city.housing)
    with time_machine.travel(local(2026, 11, 17, 10, 1), tick=False):
        sweep_deadlines()
    housing.refresh_from_db()
    ticket.refresh_from_db()
    assert housing.response_overdue_at is not None
    assert ticket.response_overdue_at is None  # the street answered in time
    assert housing.supervision_orders.get().unit == city.housing


def test_the_same_department_cannot_be_summoned_twice_while_it_works(ticket, officers, api_as):
    assert blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DEP-WATER"]).status_code == 201
    again = blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DEP-WATER"])
    assert again.status_code == 409


def test_only_the_responsible_street_blows_the_whistle(ticket, officers, api_as, city):
    blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DEP-WATER"])
    water = Dispatch.objects.get(appeal=ticket.appeal, unit=city.water)
    assert blow_whistle(api_as, officers["water"], water, departments=["DEP-HOUSING"]).status_code == 409
    assert blow_whistle(api_as, officers["officer_a2"], ticket).status_code == 404
    assert blow_whistle(api_as, officers["supervisor"], ticket).status_code == 404
    assert Dispatch.objects.filter(appeal=ticket.appeal).count() == 2


def test_bad_whistles_are_400_and_change_nothing(ticket, officers, api_as):
    assert blow_whistle(api_as, officers["officer_a1"], ticket, departments=[]).status_code == 400
    assert blow_whistle(api_as, officers["officer_a1"], ticket, departments=["NOPE"]).status_code == 400
    assert blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DA-S2"]).status_code == 400  # a street
    assert blow_whistle(api_as, officers["officer_a1"], ticket, note="").status_code == 400
    assert Dispatch.objects.filter(appeal=ticket.appeal).count() == 1


def test_a_street_that_whistled_cannot_return_the_appeal(ticket, officers, api_as):
    blow_whistle(api_as, officers["officer_a1"], ticket, departments=["DEP-WATER"])
    response = api_as(officers["officer_a1"]).post(f"/api/v1/dispatches/{ticket.pk}/return/",
                                                   {"reason": "duty", "note": "不归我们"}, format="json")
    assert response.status_code == 409
