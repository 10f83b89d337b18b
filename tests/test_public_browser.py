"""What only a browser shows, in Debian's Chromium driven by Playwright against the live server:
the API docs render under the content security policy, the header fits a phone in both languages,
typed input survives a language switch and a 429, and axe-core finds nothing serious or critical
on the public pages and the console."""

import pytest

from dispatch.routing.route import route_appeal

from .scenarios import file_appeal, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_the_api_docs_render_under_the_policy(browser_page, csp_violations, live_server):
    page = browser_page
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-summary")
    assert page.locator(".opblock").count() > 10  # the operations are listed
    page.locator(".opblock-summary-control").first.click()
    page.wait_for_selector(".opblock.is-open .opblock-body")  # and one opens
    assert csp_violations == []


def test_the_header_fits_a_phone_in_both_languages(browser_page, live_server, city):
    page = browser_page
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width in (360, 390):
            page.set_viewport_size({"width": width, "height": 844})
            page.goto(live_server.url + "/")
            header = page.locator("header.top").bounding_box()
            line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('header nav a')).lineHeight)")
            links = page.evaluate("[...document.querySelectorAll('header nav a')].map(a => a.getClientRects().length"
                                  " === 1 ? a.getBoundingClientRect().height : 999)")
            assert all(height < 1.5 * line for height in links), (language, width, links)  # no link wraps
            assert header["height"] <= 130, (language, width, header)  # about 380 px before


def test_typed_input_survives_a_language_switch_and_the_limit_page(browser_page, live_server, city, rates):
    rates(intake="1/hour")
    page = browser_page
    page.goto(live_server.url + "/")
    page.fill("#id_text", "三号楼的路灯坏了一周")
    page.fill("#id_contact_phone", "13900139000")
    page.check("#id_urgency_1")
    page.select_option("#language", "en")
    page.wait_for_selector("text=Tell us about a problem")
    assert page.input_value("#id_text") == "三号楼的路灯坏了一周"
    assert page.input_value("#id_contact_phone") == "13900139000" and page.is_checked("#id_urgency_1")

    page.click("button[type=submit].primary")  # filed: the kept draft is dropped
    page.wait_for_selector("#tracking-number")
    page.goto(live_server.url + "/")
    assert page.input_value("#id_text") == "" and not page.is_checked("#id_urgency_1")

    page.fill("#id_text", "路灯又坏了")
    page.fill("#id_contact_phone", "13900139000")
    page.click("button[type=submit].primary")  # over the limit
    page.wait_for_selector("text=Too many requests")
    assert "call the 12345 hotline" in page.inner_text("main")
    page.click("#back-to-form a")
    page.wait_for_selector("text=Tell us about a problem")
    assert page.input_value("#id_text") == "路灯又坏了" and page.input_value("#id_contact_phone") == "13900139000"


def box_style(page, selector: str) -> dict:
    """How a form control is drawn: padding, border and font."""
    return page.eval_on_selector(selector, """el => { const s = getComputedStyle(el);
        return {padding: s.padding, border: s.border, radius: s.borderRadius, font: s.fontSize}; }""")


def test_axe_finds_nothing_serious_on_the_public_pages_and_the_console(axe_page, live_server, city, officers):
    page = axe_page
    submitted = file_appeal(city, text="噪声扰民", contact_name="")
    dispatch = route_appeal(appeal_id=submitted.appeal.pk)
    found = []

    page.goto(live_server.url + "/")
    found += serious_violations(page)
    assert box_style(page, "#id_contact_email") == box_style(page, "#id_contact_name")  # e-mail styled alike
    assert page.locator("link[rel=icon]").count() == 1
    page.click("button[type=submit].primary")  # nothing typed: the errors
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"  # focus on what to correct
    found += serious_violations(page)
    page.fill("#id_text", "楼道灯坏了")
    page.fill("#id_contact_phone", "13900139000")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#tracking-number")
    found += serious_violations(page)

    page.goto(live_server.url + "/track/")
    page.fill("#id_number", submitted.appeal.number)
    page.fill("#id_code", submitted.access_code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#status-heading")
    found += serious_violations(page)
    page.goto(live_server.url + "/no-such-page/")
    found += serious_violations(page)

    for username, paths in (("officer_a1", ["/console/queue/", f"/console/dispatches/{dispatch.pk}/"]),
                            ("operator", ["/console/triage/", "/console/phone/", "/console/returns/",
                                          "/console/callbacks/"]),
                            ("supervisor", ["/console/dashboard/", "/console/extensions/", "/console/supervision/"])):
        page.goto(live_server.url + "/accounts/login/")
        if username == "officer_a1":
            found += serious_violations(page)
        page.fill("#id_username", username)
        page.fill("#id_password", "pass12345")
        page.click("button[type=submit].primary")
        page.wait_for_load_state("load")
        for path in paths:
            page.goto(live_server.url + path)
            found += serious_violations(page)
            if path.startswith("/console/dispatches/"):  # the fold-outs look like controls
                summary = page.locator("details summary").first
                assert summary.evaluate("s => getComputedStyle(s).borderTopStyle") == "solid"
                summary.click()
                assert page.locator("details").first.evaluate("d => d.open")
            if path == "/console/dashboard/":  # the month picker has room for its month
                assert box_style(page, "#id_period") == box_style(page, "#id_district")
                assert page.locator("#id_period").bounding_box()["width"] >= 150
        page.click("form[action=\"/accounts/logout/\"] button")
        page.wait_for_load_state("load")
    assert found == []
