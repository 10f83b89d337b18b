"""What the resident and staff read on the public pages, through the real stack: the error pages,
the 429 page, the confirmation's promise about the code, the form's marks, and the tracking page
right after a rating."""
import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.routing import route

pytestmark = pytest.mark.django_db


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(("language", "heading", "back"), [
    ("en", "Page not found", "File an appeal"), ("zh-hans", "页面不存在", "我要反映"),
])
def test_a_missing_page_has_the_layout_the_language_and_a_way_back(client, language, heading, back):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html and 'class="top"' in html  # the site's header
    assert heading in main_of(html) and back in main_of(html) and 'href="/track/"' in main_of(html)


def test_a_refused_page_has_the_layout_and_offers_another_login(client, officers):
    client.force_login(officers["officer_a1"].user)
    response = client.get("/console/dashboard/", HTTP_ACCEPT_LANGUAGE="en")  # supervisors only
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not open this page" in main_of(html) and 'href="/accounts/login/"' in main_of(html)
    assert "Log out" in html  # the header knows who is signed in


def test_the_server_error_page_renders_without_a_request_context():
    """Django renders 500.html with an empty context: the layout must not need the request."""
    request = RequestFactory().get("/")
    with translation.override("en"):
        html = server_error(request).content.decode()
    assert '<html lang="en">' in html and "Something went wrong" in main_of(html)
    assert 'href="/"' in main_of(html) and "set_language" not in html and "/i18n/setlang/" not in html


def test_the_limit_page_points_to_the_hotline_once_lists_emergencies_and_leads_back(client, city, rates):
    rates(intake="1/hour")
    form = {"text": "楼道灯坏了", "kind": "complaint", "urgency": "ordinary", "category": "",
            "contact_phone": "13800138000"}
    assert client.post("/", form).status_code == 302
    refused = client.post("/", form, HTTP_ACCEPT_LANGUAGE="en")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "call the 12345 hotline" in html
    assert html.count("police 110") == 1  # the footer's line, not repeated in the page
    assert 'id="back-to-form"' in html


def test_the_confirmation_says_truthfully_how_long_the_code_is_shown(client, city):
    client.post("/", {"text": "楼道灯坏了", "kind": "complaint", "urgency": "ordinary", "category": "",
                      "contact_phone": "13800138000"})
    first = client.get("/submitted/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    again = client.get("/submitted/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    code = re.search(r'id="access-code" class="big">([^<]+)<', first).group(1)
    assert code in again  # a reload shows the code again ...
    assert "only once" not in first  # ... so the page does not promise otherwise
    assert "shows it again only in this browser" in first


def test_the_form_marks_required_fields_and_groups_the_urgency_radios(client, city):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'for=""' not in html
    required = r' <span aria-hidden="true">\*</span>'
    assert re.search(r'<fieldset class="field"[^>]*>\s*<legend>Urgency' + required + "</legend>", html)
    assert re.search(r'<label for="id_text">What happened\?' + required + "</label>", html)
    assert re.search(r'<textarea[^>]*required[^>]*id="id_text"', html)
    assert re.search(r'<input[^>]*required[^>]*id="id_contact_phone"', html)  # unless anonymous
    assert "Fields marked * are required." in html


def test_a_failed_submit_summarises_the_errors_with_links_to_the_fields(client, city):
    html = client.post("/", {"text": "", "kind": "complaint", "urgency": "ordinary"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    summary = re.search(r'<div id="error-summary"[^>]*tabindex="-1">(.*?)</div>', html, re.S).group(1)
    assert '<a href="#id_text">What happened?</a>: Please describe the problem.' in summary


def test_right_after_rating_the_heading_and_the_timeline_agree(client, city, officers):
    filed = submit_appeal(text="小区路灯坏了一个月", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                          contact_phone="13800138000")
    dispatch = route.route_appeal(appeal_id=filed.appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已更换灯泡")
    rated = client.post("/track/", {"number": filed.appeal.number, "code": filed.access_code, "rate": "1",
                                    "solved": "yes", "satisfaction": "satisfied"}, HTTP_ACCEPT_LANGUAGE="en")
    html = rated.content.decode()
    heading = re.search(r'<h2 id="status-heading">(.*?)</h2>', html, re.S).group(1)
    last_entry = re.findall(r"<li><time[^>]*>[^<]*</time>\s*([^<:]+)", html)[-1].strip()
    assert last_entry == "Closed" and "Closed" in heading
