"""The whole loop in a real browser (Debian's Chromium driven by Playwright): a resident files on the
web form, the worker routes the appeal, the street's officer answers it in the console, the resident
rates it on the tracking page, the rollups are refreshed, and the supervisor's dashboard shows the
street's rates change, then drills down to the ticket's full history."""
import pytest
import time_machine

from dispatch.models import Dispatch
from dispatch.tasks import refresh_rankings

from .scenarios import file_in_english, sign_in, wait_for, weekday_morning_next_month

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click('form[action="/accounts/logout/"] button')
    page.wait_for_load_state("load")


def ranking_row(page, unit_name: str) -> dict[str, str]:
    """The street's row of the ranking table, column label -> the text shown."""
    table = page.locator("#table-ranking-streets")
    header = table.locator("thead th").all_inner_texts()
    cells = table.locator("tbody tr", has_text=unit_name).locator("td").all_inner_texts()
    return dict(zip(header, cells, strict=True))


def supervisor_dashboard(page, base: str) -> None:
    sign_in(page, base, "supervisor")
    page.click("nav.console-nav >> text=Dashboard")  # from the console menu
    page.wait_for_selector("#table-ranking-streets")


def test_filed_answered_rated_and_seen_on_the_supervisors_dashboard(
    browser_page, csp_violations, live_server, celery_worker, city, officers
):
    """On a weekday morning in the middle of a month: on a month's last working day the response
    would be due next month, and this month's table would have no response rate, as the rules say.
    (Ahead of today, so the browser keeps the session cookies the traveled clock issues.)"""
    with time_machine.travel(weekday_morning_next_month(), tick=True):
        journey(browser_page, csp_violations, live_server.url, city)


def journey(page, violations: list, base: str, city) -> None:

    # The resident files an appeal on the web form, in English.
    number, code = file_in_english(
        page, base, text="Loud music from the bar downstairs every night after midnight.",
        category=city.noise.code, latitude="39.95", longitude="116.05", contact_name="Chen Qi",
        contact_phone="13700137000",
    )

    # The worker routes it to the street around the point.
    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal__number=number).first())
    assert dispatch.unit == city.street_a1

    # The street's officer signs, responds and resolves it in the console.
    sign_in(page, base, "officer_a1")
    page.goto(f"{base}/console/dispatches/{dispatch.pk}/")
    page.click("text=Sign for this ticket")
    page.fill("#id_respond_note", "Called the resident; visiting tonight.")
    page.click("button:has-text('Responded')")
    page.fill("#id_resolve_answer", "The bar has agreed to stop the music at 22:00; we checked twice.")
    page.click("text=Resolve with this answer")
    page.wait_for_selector("text=Resolved; the resident will be asked for feedback.")
    log_out(page)

    # Counted before any rating: responded on time, nothing rated, so no composite and no rank.
    refresh_rankings()
    supervisor_dashboard(page, base)
    before = ranking_row(page, "Donghua")
    assert (before["Rank"], before["Response rate"], before["Rated"]) == ("—", "100.00%", "0")
    assert (before["Resolution rate"], before["Satisfaction rate"], before["Composite score"]) == ("—", "—", "—")
    assert page.inner_text("#intake-total") == "1"
    log_out(page)

    # The resident reads the answer on the tracking page and rates it.
    page.goto(base + "/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#feedback-heading")
    assert "stop the music at 22:00" in page.inner_text("main")
    page.check("input[name=solved][value=yes]")
    page.check("input[name=satisfaction][value=basic]")
    page.click("button[name=rate]")
    page.wait_for_selector("text=Thank you: your feedback is recorded.")

    # The rollups are refreshed (as the beat task does every few minutes): the rates change.
    refresh_rankings()
    supervisor_dashboard(page, base)
    after = ranking_row(page, "Donghua")
    assert (after["Rank"], after["Rated"], after["Solved"], after["Basically satisfied"]) == ("1", "1", "1", "1")
    assert (after["Response rate"], after["Resolution rate"], after["Satisfaction rate"]) == (
        "100.00%", "100.00%", "90.00%")  # basically satisfied weighs 0.9
    assert after["Composite score"] == "0.9600"  # 0.1 x 1 + 0.5 x 1 + 0.4 x 0.9
    assert after["Flagged at the bottom"] == "yes"  # the only ranked street is also the last

    # Drill down: the street's tickets, then the ticket's full history.
    page.click("#table-ranking-streets >> text=Donghua")
    page.click(f"text={number}")
    page.wait_for_selector("text=Full history")
    history = page.inner_text("main")
    for step in ("Dispatched", "Signed for by the unit", "The unit contacted the resident", "Resolved",
                 "The resident gave feedback", "Closed"):
        assert step in history, step
    assert "13700137000" not in history  # the supervisor sees the contact masked
    assert violations == []
