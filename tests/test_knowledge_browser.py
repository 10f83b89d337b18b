"""First contact in a real browser: a resident's question answered from the knowledge base while
they type, without filing it for a unit; an operator answering a call from a suggestion."""
import pytest

from appeals.knowledge.models import KnowledgeUse
from appeals.models import Appeal

from .scenarios import published_entry, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _social_card(city):
    return published_entry(city.water, "social-card", question="社会保障卡挂失补办", phrasings_zh=(),
                           answer="携带身份证到社保经办机构或银行网点挂失并补办。",
                           question_en="Replace a lost social security card")


def test_a_resident_s_question_is_answered_from_the_knowledge_base_without_filing(
    browser_page, csp_violations, live_server, city
):
    entry = _social_card(city)
    page = browser_page
    page.goto(live_server.url + "/")
    page.locator("#id_text").press_sequentially("社保卡丢了怎么办")
    suggestion = page.locator("#kb-suggestions .kb-item")
    suggestion.wait_for()
    assert "社会保障卡挂失补办" in suggestion.inner_text() and "银行网点挂失" in suggestion.inner_text()
    suggestion.locator("button.kb-yes").click()  # "Yes, this answers my question": no phone asked
    page.wait_for_selector("#answered-note")
    number = page.inner_text("#tracking-number").strip()
    appeal = Appeal.objects.get(number=number)
    assert (appeal.kind, appeal.status, appeal.channel) == ("consultation", "closed", "web")
    assert not appeal.dispatches.exists()
    use = KnowledgeUse.objects.get(appeal=appeal)
    assert (use.entry, use.version.number, use.outcome) == (entry, 1, "answered")
    assert csp_violations == []


def test_no_hides_the_suggestions_and_the_appeal_is_filed_as_usual(browser_page, live_server, city):
    entry = _social_card(city)
    page = browser_page
    page.goto(live_server.url + "/")
    page.locator("#id_text").press_sequentially("社保卡丢了怎么办")
    page.locator("#kb-suggestions .kb-item").wait_for()
    page.click("#kb-no")
    assert page.locator("#kb-suggestions").is_hidden()
    page.fill("#id_contact_phone", "13800138000")
    page.press("#id_contact_phone", "Enter")  # the form's own button, never a suggestion's
    page.wait_for_selector("#tracking-number")
    appeal = Appeal.objects.get(number=page.inner_text("#tracking-number").strip())
    assert appeal.status != "closed"
    assert KnowledgeUse.objects.get(appeal=appeal).outcome == "dispatched"
    entry.refresh_from_db()
    assert entry.dispatched_count == 1


def test_an_operator_answers_a_call_from_a_suggestion_in_one_click(
    browser_page, csp_violations, live_server, city, officers
):
    entry = _social_card(city)
    page = browser_page
    sign_in(page, live_server.url, "operator")
    page.goto(live_server.url + "/console/phone/")
    page.locator("#id_text").press_sequentially("来电：社保卡丢了怎么办")
    page.fill("#id_contact_phone", "13900139000")
    suggestion = page.locator("#kb-suggestions .kb-item")
    suggestion.wait_for()
    suggestion.locator("button.kb-yes").click()  # "Answered from the knowledge base"
    page.wait_for_selector(".messages li")
    use = KnowledgeUse.objects.get()
    assert use.appeal.number in page.inner_text(".messages li")
    assert (use.outcome, use.channel, use.answered_by, use.version, use.appeal.contact_phone) == (
        "answered", "phone", officers["operator"].user, entry.published_version, "13900139000")
    assert use.appeal.status == "closed"
    assert csp_violations == []
