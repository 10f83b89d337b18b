"""The whole way through, with a real Celery worker on the real Redis: a third-party app files a
request through Open311, the worker routes it to the right unit, the unit's officer resolves it
in the console, and the app reads it back closed with the answer in status_notes."""
import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from dispatch.models import Dispatch

from .open311 import fetch, fetch_both
from .scenarios import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
V2 = "/open311/v2"


def test_file_route_resolve_and_read_back_closed(celery_worker, city, officers, questions):
    from appeals.open311.keys import create_api_key

    _key, raw = create_api_key(name="Civic map", owner="Open Data Lab", rate_limit="100/min", publishes="when_asked")
    app = Client()
    (created,) = fetch(
        app, f"{V2}/requests", "json", "created_requests", status=201, method="post",
        data={"service_code": city.noise.code, "lat": "39.95", "long": "116.15", "publish": "true",
              "description": "楼下商铺每晚十点后施工", "phone": "13800138000", "first_name": "明", "last_name": "李",
              "attribute[hours][]": "night"},
        HTTP_X_API_KEY=raw,
    )
    number = created["service_request_id"]
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert appeal.channel == Appeal.Channel.API and appeal.published and appeal.public_id == number

    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal=appeal).select_related("unit").first())
    assert dispatch.unit == city.street_a2  # the duty list says "street", the point lies in Xiliu
    (request,) = fetch_both(app, f"{V2}/requests/{number}", "service_requests", HTTP_ACCEPT_LANGUAGE="en")
    assert request["status"] == "open" and request["agency_responsible"] == "Xiliu"
    assert request["expected_datetime"] == timezone.localtime(dispatch.resolve_due).isoformat("T", "seconds")

    console = Client()
    console.force_login(officers["officer_a2"].user)
    page = console.get(f"/console/dispatches/{dispatch.pk}/").content.decode()
    assert "楼下商铺每晚十点后施工" in page
    console.post(f"/console/dispatches/{dispatch.pk}/respond/", {"note": "已电话联系李先生"})
    answer = "已约谈商铺，夜间不再施工。"
    console.post(f"/console/dispatches/{dispatch.pk}/resolve/", {"answer": answer})
    assert Dispatch.objects.get(pk=dispatch.pk).state == Dispatch.State.RESOLVED

    (request,) = fetch_both(app, f"{V2}/requests/{number}", "service_requests")
    assert request["status"] == "closed"
    assert request["status_notes"] == answer
    assert request["service_code"] == city.noise.code
    closed = fetch(app, f"{V2}/requests", "xml", "service_requests", data={"status": "closed"})
    assert [r["service_request_id"] for r in closed] == [number]  # listed: the resident asked to publish


def test_a_department_matter_filed_through_open311_reaches_the_department(celery_worker, city, questions, api_key):
    (created,) = fetch(
        Client(), f"{V2}/requests", "xml", "created_requests", status=201, method="post",
        data={"api_key": api_key[1], "service_code": city.water_outage.code, "address_string": "南桥路1号",
              "attribute[scope]": "building"},
    )
    appeal = Appeal.objects.get(number=created["tracking_number"])
    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal=appeal).select_related("unit").first())
    assert dispatch.unit == city.water
    assert appeal.attributes == {"scope": "building"}
