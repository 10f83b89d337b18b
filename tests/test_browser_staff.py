"""Staff pages in a real browser (Chromium through Playwright, as tests/test_browser.py drives it)."""
import pytest

from .scenarios import sign_in, triage_appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWN = """select => Array.from(select.querySelectorAll("option[value]:not([value=''])"))
                       .filter(o => !o.hidden).map(o => o.value)"""


def test_typing_in_a_unit_picker_keeps_only_the_matching_units(
    browser_page, csp_violations, live_server, city, officers
):
    page = browser_page
    appeal = triage_appeal(city, text="不知道找谁", contact_name="")  # in the operators' manual queue
    sign_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/console/triage/{appeal.pk}/")

    picker = page.locator("#id_unit")
    search = page.locator("#id_unit-filter")
    assert search.is_visible()
    everything = picker.evaluate(SHOWN)
    assert set(everything) == {"DEP-HOUSING", "DEP-WATER", "DA-S1", "DA-S2", "DB-S1"}

    search.press_sequentially("南桥")  # the Chinese name, as an operator types it
    assert picker.evaluate(SHOWN) == ["DB-S1"]
    assert page.locator("#id_unit optgroup:not([hidden])").evaluate_all("gs => gs.map(g => g.label)") == [
        "乙区"
    ]
    search.fill("")
    search.press_sequentially("donghua")  # the English name works in a Chinese page too
    assert picker.evaluate(SHOWN) == ["DA-S1"]
    search.press("Enter")  # picks the first match instead of sending the form
    assert picker.input_value() == "DA-S1"
    assert page.url.endswith(f"/console/triage/{appeal.pk}/")
    search.fill("")
    search.dispatch_event("input")
    assert set(picker.evaluate(SHOWN)) == set(everything)
    assert csp_violations == []
