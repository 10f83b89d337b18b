"""The consoles for deadlines: a street returns, whistles and asks for time through its pages; the
operators decide returns, the supervisors extensions, and the unit's head answers orders."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch.deadlines.workdays import get_calendar
from dispatch.models import Dispatch, ExtensionRequest, ReturnRequest, SupervisionOrder

from .scenarios import local

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_a_return_goes_from_the_officers_page_to_the_operators_queue_and_out_again(
    client, officers, ticket, city
):
    client.force_login(officers["officer_a1"].user)
    assert "Not ours: ask to return it" in page(client, f"/console/dispatches/{ticket.pk}/")
    client.post(f"/console/dispatches/{ticket.pk}/return/",
                {"reason": "place", "note": "在南桥街道辖区", "suggested_unit": "DB-S1"})
    request_row = ReturnRequest.objects.get(dispatch=ticket)

    client.force_login(officers["operator"].user)
    queue = page(client, "/console/returns/")
    assert ticket.appeal.number in queue
    detail = page(client, f"/console/returns/{request_row.pk}/")
    assert 'value="DB-S1" selected' in detail  # the suggestion is preselected
    response = client.post(f"/console/returns/{request_row.pk}/", {"approve": "1", "unit": "DB-S1", "category": ""})
    assert response.status_code == 302
    assert Dispatch.objects.get(appeal=ticket.appeal, is_current=True).unit == city.street_b1
    assert ticket.appeal.number not in page(client, "/console/returns/")


def test_a_street_summons_a_department_which_reports_through_its_console(client, officers, ticket, city):
    client.force_login(officers["officer_a1"].user)
    client.post(f"/console/dispatches/{ticket.pk}/whistle/", {"departments": ["DEP-WATER"], "note": "管道破裂"})
    water = Dispatch.objects.get(appeal=ticket.appeal, unit=city.water)
    assert city.water.name_en in page(client, f"/console/dispatches/{ticket.pk}/")  # listed among the summoned

    client.force_login(officers["water"].user)
    assert ticket.appeal.number in page(client, "/console/queue/")
    detail = page(client, f"/console/dispatches/{water.pk}/")
    assert "Report for duty" in detail and "13800138000" not in detail
    client.post(f"/console/dispatches/{water.pk}/respond/", {"note": "已到场"})
    assert "Report your part" in page(client, f"/console/dispatches/{water.pk}/")
    client.post(f"/console/dispatches/{water.pk}/report/", {"report": "已关闭阀门并抢修"})
    water.refresh_from_db()
    assert water.state == Dispatch.State.RESOLVED and water.answer == "已关闭阀门并抢修"


def test_an_extension_is_asked_for_on_the_ticket_and_approved_in_the_supervisors_queue(client, officers, ticket):
    client.force_login(officers["officer_a1"].user)
    day = timezone.localtime(ticket.resolve_due).date() + timedelta(days=14)
    while not get_calendar().is_workday(day):
        day += timedelta(days=1)
    response = client.post(f"/console/dispatches/{ticket.pk}/extension/",
                           {"proposed_day": day.isoformat(), "reason": "需协调多个部门"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "Extension requested" in response.content.decode()
    extension = ExtensionRequest.objects.get(dispatch=ticket)

    client.force_login(officers["supervisor"].user)
    assert ticket.appeal.number in page(client, "/console/extensions/")
    client.post(f"/console/extensions/{extension.pk}/approve/", {"note": ""})
    ticket.refresh_from_db()
    assert ticket.resolve_due == local(day.year, day.month, day.day, 23, 59, 59) and ticket.resolve_extended


def test_a_bad_extension_day_is_explained_on_the_page(client, officers, ticket):
    client.force_login(officers["officer_a1"].user)
    response = client.post(f"/console/dispatches/{ticket.pk}/extension/", {"proposed_day": "tomorrow", "reason": ""},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "New deadline (a working day): Enter a valid date." in text
    assert not ExtensionRequest.objects.exists()


def test_a_supervisor_opens_an_order_that_the_head_answers_on_the_supervision_page(client, officers, ticket):
    client.force_login(officers["supervisor"].user)
    client.post(f"/console/dispatches/{ticket.pk}/supervise/", {"note": "请尽快联系群众"})
    order = SupervisionOrder.objects.get(dispatch=ticket)

    client.force_login(officers["officer_a1"].user)
    assert client.get("/console/supervision/").status_code == 403
    assert "Supervision orders" not in page(client, "/console/queue/")

    client.force_login(officers["head_a1"].user)
    assert "请尽快联系群众" in page(client, "/console/supervision/")
    client.post(f"/console/supervision/{order.pk}/reply/", {"reply": "已联系群众"})
    order.refresh_from_db()
    assert order.state == "replied" and order.reply == "已联系群众"

    client.force_login(officers["head_a2"].user)
    assert client.post(f"/console/supervision/{order.pk}/reply/", {"reply": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("operator", ["/console/triage/", "/console/returns/", "/console/phone/", "/console/callbacks/",
                      "/console/published/"]),
        ("supervisor", ["/console/queue/", "/console/dashboard/", "/console/classifier/", "/console/extensions/",
                        "/console/sign-in-lockouts/", "/knowledge/manage/", "/console/supervision/"]),
        ("head_a1", ["/console/queue/", "/knowledge/manage/", "/console/supervision/"]),
        ("officer_a1", ["/console/queue/", "/knowledge/manage/"]),
    ],
)
def test_the_console_menu_shows_each_role_its_own_pages(client, officers, who, links):
    client.force_login(officers[who].user)
    start = "/console/triage/" if who == "operator" else "/console/queue/"
    nav = re.search(r'<nav class="console-nav".*?</nav>', page(client, start), re.S).group(0)
    assert re.findall(r'href="([^"]+)"', nav) == links
    for link in links:
        assert client.get(link).status_code == 200


@pytest.mark.parametrize("url", ["/console/returns/", "/console/extensions/"])
def test_queues_of_other_roles_are_forbidden(client, officers, url):
    client.force_login(officers["officer_a1"].user)
    assert client.get(url).status_code == 403


def test_the_ticket_page_shows_its_limits_in_words_in_the_readers_language(client, officers, ticket):
    client.force_login(officers["officer_a1"].user)
    assert (ticket.respond_limit, ticket.resolve_limit) == ("24wh", "7wd")
    english = page(client, f"/console/dispatches/{ticket.pk}/")
    assert "(24 working hours)" in english and "(7 working days)" in english
    assert "(24wh)" not in english and "(7wd)" not in english
    chinese = client.get(f"/console/dispatches/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "(24 个工作小时)" in chinese and "(7 个工作日)" in chinese


@pytest.mark.parametrize(
    ("who", "url", "empty"),
    [
        ("supervisor", "/console/extensions/", "No extension requests waiting."),
        ("operator", "/console/returns/", "No return requests waiting."),
        ("operator", "/console/triage/", "No appeals waiting to be dispatched."),
        ("operator", "/console/callbacks/", "No callbacks waiting."),
    ],
)
def test_each_empty_queue_says_what_it_is_empty_of(client, officers, who, url, empty):
    client.force_login(officers[who].user)
    assert empty in page(client, url)


def test_the_approve_picker_puts_the_suggestion_first_and_groups_units_by_district_and_level(
    client, officers, ticket, city
):
    from dispatch.handling.returns import request_return
    from dispatch.models import ReturnRequest

    request_return(dispatch_id=ticket.pk, officer=officers["officer_a1"], reason="place", note="不归我们",
                   suggested_unit=city.street_b1)
    request_row = ReturnRequest.objects.get()
    client.force_login(officers["operator"].user)
    html = page(client, f"/console/returns/{request_row.pk}/")
    picker = re.search(r'<select name="unit"[^>]*>(.*?)</select>', html, re.S)
    assert "data-unit-picker" in picker.group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', picker.group(1), re.S)
    codes = [(label, re.findall(r'value="([^"]+)"', options)) for label, options in groups]
    assert codes[0] == ("Suggested", ["DB-S1"])
    assert codes[1] == ("Municipal departments", ["DEP-HOUSING", "DEP-WATER"])
    assert codes[2:] == [("District A", ["DA-S1", "DA-S2"]), ("District B", ["DB-S1"])]
    assert 'data-search="南桥街道 nanqiao db-s1"' in picker.group(1)  # both names, for the filter script


def test_every_unit_picker_lists_the_units_in_one_query(client, officers, ticket, django_assert_max_num_queries):
    from dispatch.console.forms import ManualDispatchForm, ReturnForm

    with django_assert_max_num_queries(1):
        ReturnForm()
    with django_assert_max_num_queries(2):  # the units, and the categories
        ManualDispatchForm()
