"""The resident's map in Debian's Chromium (Playwright) against the live server, on a phone and a
desktop: a pin names the street that will handle it, a pin outside the city is refused at once, a
place found by name moves the pin, a nearby open appeal is offered and following it gives a
tracking number whose page shows the shared progress; no horizontal scroll at 360 px; axe-core
finds nothing serious on these pages at 360x740 and 1366x768; nothing breaks the security policy."""
import pytest

from appeals.models import Follower
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.routing.route import route_appeal

from .scenarios import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1366, "height": 768}


def tap_map_at(page, lat: float, lng: float) -> None:
    """Zoom in there as a resident would, then tap the map where the point is drawn (Leaflet says
    where, in the page's pixels)."""
    page.locator("#place-map-canvas .map-district").first.wait_for(state="attached")  # the city is drawn
    page.evaluate(f"document.getElementById('place-map').leafletMap.setView([{lat}, {lng}], 16, {{animate: false}})")
    page.locator("#place-map-canvas").scroll_into_view_if_needed()
    box = page.locator("#place-map-canvas").bounding_box()
    x, y = page.evaluate(f"""() => {{ const m = document.getElementById("place-map").leafletMap;
        const p = m.latLngToContainerPoint([{lat}, {lng}]); return [p.x, p.y]; }}""")
    page.mouse.click(box["x"] + x, box["y"] + y)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360x740", "1366x768"])
def test_the_pin_names_the_street_and_a_pin_outside_is_refused(browser_page, csp_violations, live_server, city,
                                                               viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#place-map-canvas .leaflet-tile-pane", state="attached")
    page.select_option("#id_category", city.noise.code)
    tap_map_at(page, 39.95, 116.15)  # inside 西柳街道
    page.wait_for_selector("#place-status.ok")
    assert page.inner_text("#place-status").startswith("将由西柳街道办理")
    assert abs(float(page.input_value("#id_latitude")) - 39.95) < 0.01
    assert abs(float(page.input_value("#id_longitude")) - 116.15) < 0.01

    page.select_option("#id_category", city.water_outage.code)  # a department's matter
    page.locator("#place-status", has_text="自来水集团").wait_for()

    tap_map_at(page, 39.95, 116.45)  # east of the city's last street
    page.wait_for_selector("#place-status.refused")
    assert "不在本市范围内" in page.inner_text("#place-status")
    assert page.input_value("#id_latitude") == "" and page.input_value("#id_longitude") == ""
    assert page.locator(".leaflet-marker-icon").count() == 0

    page.fill("#place-search", "南桥")
    page.click("#place-search-go")
    page.click(".place-choice")
    page.wait_for_selector("#place-status.ok")
    assert "南桥街道" in page.inner_text("#place-status")
    assert no_horizontal_scroll(page)
    assert csp_violations == []


def test_typed_coordinates_and_the_language_switch_keep_the_pin(browser_page, csp_violations, live_server, city):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.fill("#id_text", "路灯不亮")
    page.fill("#id_latitude", "39.95")
    page.fill("#id_longitude", "116.05")
    page.dispatch_event("#id_longitude", "change")
    page.wait_for_selector("#place-status.ok")
    assert "东花街道" in page.inner_text("#place-status")
    page.select_option("#language", "en")
    page.wait_for_selector("text=Tell us about a problem")
    assert page.input_value("#id_text") == "路灯不亮" and page.input_value("#id_latitude") == "39.95"
    page.wait_for_selector("#place-status.ok")
    assert page.inner_text("#place-status").startswith("Donghua will handle this")
    assert csp_violations == []


def test_a_nearby_open_appeal_is_offered_and_following_it_shows_the_shared_progress(
        browser_page, csp_violations, live_server, city, officers):
    filed = submit_appeal(text="工地夜间施工噪声", category_code=city.noise.code, latitude=39.9502, longitude=116.0501,
                          contact_name="李四", contact_phone="13811112222", publish=True)
    dispatch = route_appeal(appeal_id=filed.appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], note="已联系")
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.fill("#id_contact_phone", "13600136000")
    page.select_option("#id_category", city.noise.code)
    tap_map_at(page, 39.95, 116.05)
    page.wait_for_selector("#nearby .nearby-appeal")
    offered = page.inner_text("#nearby")
    assert "工地夜间施工噪声" in offered and "13811112222" not in offered and filed.appeal.number not in offered
    assert no_horizontal_scroll(page)
    page.click("#nearby button.follow")
    page.wait_for_selector("#nearby .followed")
    follower = Follower.objects.get()
    assert follower.appeal_id == filed.appeal.pk and follower.contact_phone == "13600136000"
    note = page.inner_text("#nearby .followed")
    assert follower.number in note
    code = note.split("查询码：")[1][:8]

    page.click("a.track-followed")
    page.wait_for_selector("#id_code")
    assert page.input_value("#id_number") == follower.number
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#status-heading")
    heading = page.inner_text("#status-heading")
    assert follower.number in heading and "已响应" in heading  # the followed appeal's status
    assert page.is_visible("#following-note") and "东花街道" in page.inner_text("main")
    assert no_horizontal_scroll(page)
    assert csp_violations == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360x740", "1366x768"])
def test_axe_finds_nothing_serious_on_the_map_and_nearby_appeals(axe_page, live_server, city, viewport):
    submit_appeal(text="施工噪声", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                  contact_phone="13800138000", publish=True)
    page = axe_page
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    page.select_option("#id_category", city.noise.code)
    tap_map_at(page, 39.95, 116.05)
    page.wait_for_selector("#nearby .nearby-appeal")
    page.fill("#place-search", "街道")
    page.click("#place-search-go")
    page.wait_for_selector(".place-choice")
    page.fill("#category-filter", "噪声")
    assert serious_violations(page) == []
    for target in ("#place-search-go", "#nearby button.follow", ".place-choice", ".leaflet-control-zoom-in"):
        box = page.locator(target).first.bounding_box()
        assert box["height"] >= 44, target  # large enough to tap
    assert no_horizontal_scroll(page)


def test_a_suggested_category_is_accepted_with_one_tap(browser_page, csp_violations, live_server, city, settings):
    """Against the suggestions endpoint's contract (tests/suggestions_urls.py stands in for it)."""
    settings.ROOT_URLCONF = "tests.suggestions_urls"
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert page.input_value("#id_category") == ""
    page.fill("#id_text", "楼上邻居半夜噪音很大")
    page.locator("#suggestions button.suggestion").first.wait_for()
    assert page.locator("#suggestions button.suggestion").count() == 2
    assert page.inner_text("#suggestions button.suggestion >> nth=0") == "Noise from the neighbours"
    page.click("#suggestions button.suggestion >> nth=0")
    assert page.input_value("#id_category") == city.noise.code
    assert page.get_attribute("#suggestions button.suggestion >> nth=0", "aria-pressed") == "true"
    assert csp_violations == []


def test_the_whole_journey_fits_a_360_px_phone(browser_page, csp_violations, live_server, city):
    """Form (with its errors), receipt and tracking page: nothing wider than the screen, buttons
    large enough to tap, the photo field opening the camera."""
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert page.get_attribute("#id_photos", "accept") == "image/*"
    assert page.get_attribute("#id_photos", "capture") is not None
    page.click("button[type=submit].primary")  # nothing typed: the errors
    page.wait_for_selector("#error-summary")
    assert no_horizontal_scroll(page)
    page.fill("#id_text", "小区门口路灯不亮已经一周了，晚上出行很不方便。")
    page.fill("#id_contact_phone", "13900139000")
    tap_map_at(page, 39.95, 116.05)
    page.wait_for_selector("#place-status.ok")
    for button in page.locator("main button:visible").all():
        assert button.bounding_box()["height"] >= 44, button.inner_text()
    assert no_horizontal_scroll(page)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#tracking-number")
    assert no_horizontal_scroll(page)
    number, code = page.inner_text("#tracking-number").strip(), page.inner_text("#access-code").strip()
    page.goto(live_server.url + "/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#status-heading")
    assert no_horizontal_scroll(page)
    assert csp_violations == []
