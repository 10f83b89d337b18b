"""A resident files an appeal in a real browser (Debian's Chromium driven by Playwright), reads the
tracking number on the confirmation page, and follows it once the worker has routed it."""
import os
import re

import pytest
from django.contrib.auth import get_user_model

from appeals.models import Appeal
from dispatch.routing.route import route_appeal

from .scenarios import file_appeal, file_in_english, sign_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

def test_a_resident_files_an_appeal_and_follows_it(browser_page, csp_violations, live_server, celery_worker, city):
    page = browser_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    number, code = file_in_english(
        page, live_server.url, text="The street lamp outside building 3 has been dark for a week.",
        category=city.noise.code, address="Xiliu Road 3", latitude="39.95", longitude="116.15",
        contact_name="Li Si", contact_phone="13900139000",
    )
    assert re.fullmatch(r"\d{6}-[2-9A-Z]{6}", number)
    page.screenshot(path=os.path.join(os.environ.get("VAR_DIR", "var"), "browser-confirmation.png"))
    appeal = Appeal.objects.get(number=number)
    assert appeal.contact_phone == "13900139000" and appeal.language == "en"

    wait_for(lambda: Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.DISPATCHED)
    page.click("text=Follow this appeal")
    assert page.input_value("#id_number") == number
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#status-heading")
    assert "Dispatched" in page.inner_text("#status-heading")
    assert city.street_a2.name_en in page.inner_text("main")
    assert csp_violations == []


def test_the_pages_and_the_admin_run_under_the_content_security_policy(
    browser_page, csp_violations, live_server, city, officers
):
    """Staff and admin pages, driven by hand, with no violation reported (the detector itself is
    checked at the end with a script the policy must block)."""
    page = browser_page
    submitted = file_appeal(city, text="噪声扰民", contact_name="")
    dispatch = route_appeal(appeal_id=submitted.appeal.pk)
    get_user_model().objects.create_superuser("root", "root@example.org", "pass12345")

    page.goto(live_server.url + "/track/")
    page.fill("#id_number", submitted.appeal.number)
    page.fill("#id_code", submitted.access_code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#status-heading")

    sign_in(page, live_server.url, "officer_a1")
    page.goto(f"{live_server.url}/console/dispatches/{dispatch.pk}/")
    page.wait_for_selector("text=" + submitted.appeal.number)
    page.click("form[action=\"/accounts/logout/\"] button")

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pass12345")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    for path in ("/admin/appeals/appeal/", f"/admin/appeals/appeal/{submitted.appeal.pk}/change/",
                 "/admin/streets/unit/", "/admin/auth/user/add/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
    assert csp_violations == []

    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "1";
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert csp_violations and "script-src" in csp_violations[0]


def test_a_resident_sees_clear_errors_for_an_empty_form(browser_page, live_server, city):
    page = browser_page
    page.goto(live_server.url + "/")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".error")
    assert page.locator("#id_text-error").is_visible()
    assert page.locator("#id_contact_phone-error").is_visible()
    assert Appeal.objects.count() == 0
