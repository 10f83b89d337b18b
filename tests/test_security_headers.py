"""Security headers and the content security policy on every page, no inline code in our pages,
and CSRF on every form (a forged post is refused with a clear page)."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .scenarios import routed_ticket, triage_appeal

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def pages(city, officers):
    """(user or None, url) for every page of the site, with data on it so every form shows."""
    dispatch = routed_ticket(city, text="噪声扰民", contact_name="")
    triage = triage_appeal(city, text="无法归类的诉求", contact_name="", contact_phone="13900139000")
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pass12345")
    return [
        (None, "/"),
        (None, "/track/"),
        (None, "/accounts/login/"),
        (officers["officer_a1"].user, "/console/queue/"),
        (officers["officer_a1"].user, f"/console/dispatches/{dispatch.pk}/"),
        (officers["operator"].user, "/console/triage/"),
        (officers["operator"].user, f"/console/triage/{triage.pk}/"),
        (officers["operator"].user, "/console/phone/"),
        (officers["supervisor"].user, "/console/queue/"),
        (None, "/admin/login/"),
        (admin, "/admin/"),
        (admin, "/admin/appeals/appeal/"),
        (admin, f"/admin/appeals/appeal/{dispatch.appeal_id}/change/"),
    ]


def fetch(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_every_page_carries_a_strict_content_security_policy_and_the_security_headers(pages):
    for user, url in pages:
        response = fetch(user, url)
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'none'"], url
        assert "unsafe" not in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_our_pages_have_no_inline_script_handler_or_style(pages):
    for user, url in pages:
        if url.startswith("/admin/"):
            continue  # Django's admin is checked in the browser (tests/test_browser.py)
        html = fetch(user, url).content.decode()
        assert INLINE_SCRIPT.findall(html) == [], url
        assert EVENT_HANDLER.findall(html) == [], url
        assert STYLE_ATTRIBUTE.findall(html) == [], url


def test_every_post_form_carries_a_csrf_token(pages):
    forms = 0
    for user, url in pages:
        for body in POST_FORM.findall(fetch(user, url).content.decode()):
            assert 'name="csrfmiddlewaretoken"' in body, url
            forms += 1
    assert forms >= 12  # appeal, tracking, login, language and logout, the officer's and operator's actions


@pytest.mark.parametrize(
    ("user_key", "url", "data"),
    [
        (None, "/", {"text": "伪造的请求", "contact_phone": "13800138000", "kind": "complaint", "urgency": "ordinary"}),
        (None, "/track/", {"number": "250101-ABCDEF", "code": "ABCDEFGH"}),
        (None, "/accounts/login/", {"username": "officer_a1", "password": "pass12345"}),
        (None, "/i18n/setlang/", {"language": "en"}),
        ("operator", "/console/phone/", {"text": "伪造", "contact_phone": "13800138000"}),
        ("officer_a1", "/accounts/logout/", {}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused_with_a_clear_page(officers, user_key, url, data):
    client = Client(enforce_csrf_checks=True)
    if user_key:
        client.force_login(officers[user_key].user)
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_a_signed_in_api_post_without_the_csrf_token_is_refused(officers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officers["operator"].user)
    response = client.post("/api/v1/appeals/", {"text": "伪造", "contact_phone": "13800138000"},
                           content_type="application/json")
    assert response.status_code == 403


def test_the_api_answers_a_browser_in_json(api_as, officers):
    """No browsable API: its inline scripts would need the policy relaxed."""
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = api_as(officers["supervisor"]).get("/api/v1/dispatches/", HTTP_ACCEPT=browser_accept)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
