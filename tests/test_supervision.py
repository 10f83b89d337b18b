"""Supervision orders: opened by a supervisor (or the sweep), seen and answered by the unit's head."""
import pytest

from appeals.models import AppealEvent
from dispatch.models import SupervisionOrder

from .scenarios import supervise

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(ticket, officers, api_as):
    """A supervisor's order on street A1's ticket (its id)."""
    response = supervise(api_as, officers["supervisor"], ticket)
    assert response.status_code == 201, response.json()
    assert (response.json()["reason"], response.json()["unit"], response.json()["state"]) == ("manual", "DA-S1", "open")
    return response.json()["id"]


def test_an_order_is_listed_for_the_units_head_only(order, officers, api_as):
    head = api_as(officers["head_a1"])
    assert [row["id"] for row in head.get("/api/v1/supervision-orders/").json()["results"]] == [order]
    assert api_as(officers["head_a2"]).get("/api/v1/supervision-orders/").json()["results"] == []


def test_another_units_head_cannot_reply(order, officers, api_as):
    assert api_as(officers["head_a2"]).post(f"/api/v1/supervision-orders/{order}/reply/", {"reply": "x"},
                                            format="json").status_code == 404
    assert SupervisionOrder.objects.get(pk=order).state == "open"


def test_the_head_replies_once_and_the_supervisor_sees_the_reply(order, ticket, officers, api_as):
    head = api_as(officers["head_a1"])
    replied = head.post(f"/api/v1/supervision-orders/{order}/reply/", {"reply": "已约谈商户，明日整改"},
                        format="json")
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert head.post(f"/api/v1/supervision-orders/{order}/reply/", {"reply": "again"},
                     format="json").status_code == 409
    kinds = list(AppealEvent.objects.filter(dispatch=ticket).values_list("kind", "public"))
    assert ("supervision_opened", False) in kinds and ("supervision_replied", False) in kinds
    assert api_as(officers["supervisor"]).get("/api/v1/supervision-orders/").json()["results"][0]["state"] == "replied"


def test_an_empty_reply_is_refused(order, officers, api_as):
    empty = api_as(officers["head_a1"]).post(f"/api/v1/supervision-orders/{order}/reply/", {"reply": ""},
                                             format="json")
    assert empty.status_code == 409
    assert SupervisionOrder.objects.get(pk=order).state == "open"


@pytest.mark.parametrize("who", ["officer_a1", "operator", "water", "district_a"])
def test_only_supervisors_open_orders(ticket, officers, api_as, who):
    """Not theirs to act on: 404, whether they may read the ticket (its unit, the district) or not."""
    assert supervise(api_as, officers[who], ticket).status_code == 404
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize("who", ["officer_a1", "operator", "water", None])
def test_officers_who_are_not_heads_do_not_see_orders(ticket, officers, api_as, who):
    supervise(api_as, officers["supervisor"], ticket)
    assert api_as(officers[who] if who else None).get("/api/v1/supervision-orders/").status_code == 403


def test_an_order_needs_instructions(ticket, officers, api_as):
    assert supervise(api_as, officers["supervisor"], ticket, note="").status_code == 400


def test_a_supervisor_reads_orders_but_replying_is_the_heads_on_the_api_as_on_the_console(order, officers, api_as,
                                                                                       client):
    """Both doors refuse the supervisor the same way: 403 (their role never replies), not 404."""
    supervisor = api_as(officers["supervisor"])
    assert supervisor.get(f"/api/v1/supervision-orders/{order}/").status_code == 200
    assert supervisor.post(f"/api/v1/supervision-orders/{order}/reply/", {"reply": "已整改"},
                           format="json").status_code == 403
    client.force_login(officers["supervisor"].user)
    assert client.post(f"/console/supervision/{order}/reply/", {"reply": "已整改"}).status_code == 403
    assert SupervisionOrder.objects.get(pk=order).state == "open"
