"""In a real browser: choosing a category on the resident's form shows its extra questions (the
site's own script, under the content security policy), and the answers are filed with the appeal."""
import pytest

from appeals.models import Appeal, CategoryAttribute

from .factories import CategoryFactory, DutyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAPPED = "Is anyone trapped inside?"


@pytest.fixture
def lift(city):
    """The demo city's lift category and its questions (streets/demo/categories.py)."""
    category = DutyFactory(category=CategoryFactory(code="HOU-PM-LIFT", name="电梯停运",
                                                    name_en="Lift out of service")).category
    CategoryAttribute.objects.create(
        category=category, code="floor", datatype="number", required=True, order=1,
        description="电梯停在哪一层？", description_en="Which floor is the lift stopped at?",
    )
    CategoryAttribute.objects.create(
        category=category, code="trapped", datatype="singlevaluelist", required=True, order=2,
        description="有人被困在电梯里吗？", description_en=TRAPPED,
        values=[{"key": "no", "name": "没有", "name_en": "No"},
                {"key": "yes", "name": "有人被困", "name_en": "Yes, someone is trapped"}],
    )
    return category


def test_choosing_the_lift_category_shows_its_questions(browser_page, csp_violations, live_server, city,
                                                         lift):
    page = browser_page
    page.goto(live_server.url + "/")
    page.select_option("#language", "en")
    page.wait_for_selector("text=Tell us about a problem")
    question = page.locator("legend", has_text=TRAPPED)
    assert not question.is_visible()

    page.select_option("#id_category", lift.code)
    question.wait_for(state="visible")
    assert page.get_by_label("Which floor is the lift stopped at?").is_visible()
    page.select_option("#id_category", city.noise.code)  # another category: the lift's questions go away
    question.wait_for(state="hidden")
    page.select_option("#id_category", lift.code)

    page.fill("#id_text", "The lift in building 3 stopped between floors.")
    page.get_by_label("Which floor is the lift stopped at?").fill("7")
    page.get_by_label("Yes, someone is trapped").check()
    page.fill("#id_contact_phone", "13900139000")
    page.click("button[type=submit].primary")
    number = page.wait_for_selector("#tracking-number").inner_text().strip()
    assert Appeal.objects.get(number=number).attributes == {"floor": 7, "trapped": "yes"}
    assert csp_violations == []


def test_a_required_question_left_unanswered_comes_back_with_its_error(browser_page, live_server,
                                                                       city, lift):
    page = browser_page
    page.goto(live_server.url + "/")
    page.select_option("#language", "en")
    page.wait_for_selector("text=Tell us about a problem")
    page.select_option("#id_category", lift.code)
    page.fill("#id_text", "The lift is stuck.")
    page.get_by_label("Which floor is the lift stopped at?").fill("7")
    page.fill("#id_contact_phone", "13900139000")
    page.click("button[type=submit].primary")
    page.wait_for_selector(f"text=Please answer: {TRAPPED}")
    assert page.locator("legend", has_text=TRAPPED).is_visible()
    assert page.get_by_label("Which floor is the lift stopped at?").input_value() == "7"  # kept
    assert Appeal.objects.count() == 0


def test_the_operators_phone_form_shows_them_too(browser_page, csp_violations, live_server, city, officers,
                                                 lift):
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pass12345")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
    page.goto(live_server.url + "/console/phone/")
    question = page.locator("legend", has_text="有人被困在电梯里吗？")
    assert not question.is_visible()
    page.select_option("#id_category", lift.code)
    question.wait_for(state="visible")
    assert page.get_by_label("来电人姓名").is_visible()
    assert csp_violations == []
