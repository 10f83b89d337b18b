"""The live suggestions on the public form, in a real browser under the content security policy."""
import pytest

from .smart import NOISY, serve_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_form_suggests_a_category_as_the_resident_types(
    browser_page, csp_violations, live_server, city
):
    serve_model()
    page = browser_page
    page.goto(live_server.url + "/")
    page.fill("#id_address", "西柳路5号")
    page.fill("#id_text", NOISY)  # typing pauses: the script asks for suggestions once
    page.wait_for_selector("#suggestions button.suggestion")
    assert "西柳街道" in page.inner_text("#suggestions")  # the place read from the address
    page.click("#suggestions button.suggestion >> nth=0")
    assert page.input_value("#id_category") == city.noise.code
    assert csp_violations == []
