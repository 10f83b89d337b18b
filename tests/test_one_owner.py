"""One owner per rule: the ticket page draws the actions dispatch/handling/rules.py permits, the
actions refuse what it refuses, and the templates compare no role or state string."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling import actions, extensions, returns, rules, supervision, whistles

pytestmark = pytest.mark.django_db

ACTION_URL = re.compile(r"/console/dispatches/(\d+)/([a-z]+)/")


def drawn_actions(client, dispatch) -> set[str]:
    page = client.get(f"/console/dispatches/{dispatch.pk}/")
    assert page.status_code == 200
    return {name for pk, name in ACTION_URL.findall(page.content.decode()) if int(pk) == dispatch.pk}


def permitted(officer, dispatch) -> set[str]:
    dispatch.refresh_from_db()
    return {name for name, allowed in rules.permitted_actions(officer, dispatch).items() if allowed}


def test_the_ticket_page_draws_exactly_the_permitted_actions_at_every_step(ticket, officers, client):
    officer = officers["officer_a1"]
    client.force_login(officer.user)
    steps = [
        ({"sign", "respond", "note", "return", "whistle", "extension"}, lambda: actions.sign_dispatch(
            dispatch_id=ticket.pk, officer=officer)),
        ({"respond", "note", "return", "whistle", "extension"}, lambda: actions.respond_dispatch(
            dispatch_id=ticket.pk, officer=officer)),
        ({"note", "resolve", "whistle", "extension"}, lambda: actions.resolve_dispatch(
            dispatch_id=ticket.pk, officer=officer, answer="已处理")),
        (set(), None),
    ]
    for expected, step in steps:
        assert permitted(officer, ticket) == expected
        assert drawn_actions(client, ticket) == expected
        if step:
            step()


def test_a_supervisor_is_drawn_only_the_supervision_order(ticket, officers, client):
    client.force_login(officers["supervisor"].user)
    assert permitted(officers["supervisor"], ticket) == {"supervise"}
    assert drawn_actions(client, ticket) == {"supervise"}


def test_the_actions_refuse_what_the_rules_refuse_on_a_resolved_ticket(ticket, officers):
    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=ticket.pk, officer=officer)
    actions.resolve_dispatch(dispatch_id=ticket.pk, officer=officer, answer="已处理")
    ticket.refresh_from_db()
    assert not any(allowed for name, allowed in rules.permitted_actions(officer, ticket).items())
    refused = [
        lambda: actions.sign_dispatch(dispatch_id=ticket.pk, officer=officer),
        lambda: actions.respond_dispatch(dispatch_id=ticket.pk, officer=officer),
        lambda: actions.add_progress_note(dispatch_id=ticket.pk, officer=officer, note="再看看"),
        lambda: actions.resolve_dispatch(dispatch_id=ticket.pk, officer=officer, answer="再答一次"),
        lambda: actions.report_cohandling(dispatch_id=ticket.pk, officer=officer, report="报告"),
        lambda: returns.request_return(dispatch_id=ticket.pk, officer=officer, reason="place", note="不归我们"),
        lambda: whistles.blow_whistle(dispatch_id=ticket.pk, officer=officer, departments=[officers["water"].unit],
                                      note="需要水务"),
        lambda: extensions.request_extension(dispatch_id=ticket.pk, officer=officer, reason="复杂",
                                             proposed_day=ticket.resolve_due.date()),
    ]
    for action in refused:
        with pytest.raises(ActionNotAllowed):
            action()


def test_another_units_officer_may_do_nothing_and_is_told_the_ticket_is_not_theirs(ticket, officers):
    other = officers["officer_a2"]
    assert not any(rules.permitted_actions(other, ticket).values())
    assert not rules.may_see_contact(other, ticket)
    with pytest.raises(NotYourTicket):
        actions.sign_dispatch(dispatch_id=ticket.pk, officer=other)
    with pytest.raises(NotYourTicket):
        supervision.open_manual_order(dispatch_id=ticket.pk, supervisor=other, note="督办")


def test_the_console_sections_follow_the_role(officers, client):
    expected_links = {
        "operator": {"/console/triage/", "/console/returns/", "/console/phone/", "/console/callbacks/",
                     "/console/published/"},
        "supervisor": {"/console/queue/", "/console/dashboard/", "/console/classifier/", "/console/extensions/",
                       "/console/sign-in-lockouts/", "/knowledge/manage/", "/console/supervision/"},
        "head_a1": {"/console/queue/", "/knowledge/manage/", "/console/supervision/"},
        "officer_a1": {"/console/queue/", "/knowledge/manage/"},
    }
    for name, links in expected_links.items():
        client.force_login(officers[name].user)
        page = client.get("/console/", follow=True)
        nav = re.search(r'<nav class="console-nav".*?</nav>', page.content.decode(), re.S).group(0)
        assert set(re.findall(r'href="([^"]+)"', nav)) == links, name


def test_no_template_compares_a_role_or_a_state_string():
    compared = re.compile(r"\.(role|state|status|kind)\s*(==|!=)|(==|!=)\s*\"(operator|supervisor|officer)\"")
    offenders = [
        f"{path.name}:{number}"
        for root in ("dispatch", "appeals")
        for path in (Path(settings.BASE_DIR) / root / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if compared.search(line)
    ]
    assert offenders == []


def test_the_answer_limit_is_one_number_for_the_form_the_api_and_the_service(ticket, officers, api_as):
    from dispatch.console.forms import AnswerForm
    from dispatch.limits import ANSWER_MAX_LENGTH

    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=ticket.pk, officer=officer)
    too_long = "答" * (ANSWER_MAX_LENGTH + 1)
    assert not AnswerForm({"answer": too_long}).is_valid()
    response = api_as(officer).post(f"/api/v1/dispatches/{ticket.pk}/resolve/", {"answer": too_long}, format="json")
    assert response.status_code == 400
    with pytest.raises(ActionNotAllowed):
        actions.resolve_dispatch(dispatch_id=ticket.pk, officer=officer, answer=too_long)
    assert AnswerForm({"answer": too_long[1:]}).is_valid()
    actions.resolve_dispatch(dispatch_id=ticket.pk, officer=officer, answer=too_long[1:])
