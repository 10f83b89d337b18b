"""The resident's side in Debian's Chromium (Playwright) against the live server and a real Celery
worker: the receipt arrives once through the console backend and once through a gateway that
fails and is retried; a published appeal's public page shows no phone number from its text; "My
appeals" signs in with the code sent by SMS; axe-core finds nothing serious on the new pages."""
import re

import pytest

from appeals.models import Appeal, Notification

from .notify_backends import FailingBackend, RecordingBackend
from .scenarios import serious_violations, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"


@pytest.fixture
def sms(settings):
    settings.NOTIFICATION_EMAIL_BACKEND = ""  # these tests follow the SMS
    RecordingBackend.reset()
    yield RecordingBackend.delivered
    RecordingBackend.reset()


def file(page, base: str, text: str, *, publish: bool = False, category: str = "") -> tuple[str, str]:
    page.goto(base + "/")
    page.fill("#id_text", text)
    if category:
        page.select_option("#id_category", category)
    page.fill("#id_latitude", "39.95")
    page.fill("#id_longitude", "116.05")
    page.fill("#id_contact_phone", PHONE)
    if publish:
        page.check("#id_publish")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#tracking-number")
    return page.inner_text("#tracking-number").strip(), page.inner_text("#access-code").strip()


def test_the_receipt_arrives_once_through_the_console_backend(
    browser_page, csp_violations, live_server, celery_worker, city, sms, settings, caplog
):
    settings.NOTIFICATION_SMS_BACKEND = "appeals.notifications.ConsoleBackend"
    caplog.set_level("INFO", logger="appeals.notifications")
    number, code = file(browser_page, live_server.url, "路灯不亮一周了")
    appeal = Appeal.objects.get(number=number)
    wait_for(lambda: Notification.objects.filter(appeal=appeal, step="received", state="sent").exists())
    logged = [record.getMessage() for record in caplog.records if record.name == "appeals.notifications"]
    receipts = [message for message in logged if code in message]
    assert len(receipts) == 1 and PHONE in receipts[0] and number in receipts[0]
    assert csp_violations == []


def test_the_receipt_arrives_once_through_a_failing_gateway_that_is_retried(
    browser_page, live_server, celery_worker, city, sms, settings
):
    settings.NOTIFICATION_SMS_BACKEND = "tests.notify_backends.FailingBackend"
    FailingBackend.failures_left, FailingBackend.refused = 2, 0
    number, code = file(browser_page, live_server.url, "井盖缺失很危险")
    row = wait_for(lambda: Notification.objects.filter(
        appeal__number=number, step="received", state="sent").first(), timeout=30)
    assert FailingBackend.refused == 2 and row.attempts == 3
    assert [message.phone for message in sms if code in message.body] == [PHONE]


def test_a_published_appeal_shows_no_phone_from_its_text_and_my_appeals_signs_in_with_the_code(
    browser_page, axe_page, live_server, celery_worker, city, sms, settings
):
    settings.NOTIFICATION_SMS_BACKEND = "tests.notify_backends.RecordingBackend"
    page = browser_page
    number, _code = file(page, live_server.url, "我叫李明，电话13800138000，楼下烧烤店油烟很大", publish=True,
                         category=city.noise.code)
    appeal = wait_for(lambda: Appeal.objects.filter(number=number, routed_at__isnull=False).first())

    page.goto(live_server.url + "/published/")
    page.click(f"[data-public-id='{appeal.public_id}'] h2 a")
    page.wait_for_selector("#public-text")
    main = page.inner_text("main")
    assert "楼下烧烤店油烟很大" in main and "138****8000" in main
    assert "13800138000" not in page.content() and "李明" not in page.content()
    assert number not in page.content()

    page.goto(live_server.url + "/my/")
    page.fill("#id_phone", "139 1234 5678")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#id_code")
    sent = wait_for(lambda: [m for m in sms if "sign-in" in m.body or "验证码" in m.body])
    page.fill("#id_code", re.search(r"\b(\d{6})\b", sent[-1].body).group(1))
    page.click("button[type=submit].primary")
    page.wait_for_selector("#my-appeals")
    page.click(f"text={number}")
    page.wait_for_selector("#status-heading")
    assert number in page.inner_text("#status-heading")

    found = []
    for path in ("/published/", f"/published/{appeal.public_id}/", "/my/"):
        axe_page.goto(live_server.url + path)
        found += serious_violations(axe_page)
    assert found == []
