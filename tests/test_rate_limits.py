"""Rate limits, counted in the real Redis: the public form, the tracking lookup (no brute force of
codes) and the API; a limited client gets 429, Retry-After and a translated message."""
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from appeals.services import submit_appeal
from config.throttling import address_key, client_ip, retry_message

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/appeals/"
TRACK = "/api/v1/appeals/track/"


def appeal_payload(n: int) -> dict:
    return {"text": f"第{n}号楼电梯停运", "contact_phone": "13800138000"}


def form_payload(n: int) -> dict:
    return {**appeal_payload(n), "kind": "complaint", "urgency": "ordinary", "category": ""}


def assert_refused(response, language_text: str):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert language_text in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_api_intake_is_limited_per_address(api_as, city, rates):
    rates(intake="2/hour")
    client = api_as(None)
    assert [client.post(INTAKE, appeal_payload(n), format="json").status_code for n in range(2)] == [201, 201]
    refused = client.post(INTAKE, appeal_payload(3), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(refused, "Too many requests. Please try again in 60 minutes.")
    assert set(refused.json()) == {"detail"}
    assert Appeal.objects.count() == 2
    other = client.post(INTAKE, appeal_payload(4), format="json", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201


def test_the_refusal_is_translated(api_as, city, rates):
    rates(intake="0/hour")
    refused = api_as(None).post(INTAKE, appeal_payload(1), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_refused(refused, "请求过于频繁")


def test_the_web_form_and_the_api_share_one_allowance(client, api_as, city, rates):
    rates(intake="2/hour")
    assert client.post(reverse("appeals:home"), form_payload(1)).status_code == 302
    assert api_as(None).post(INTAKE, appeal_payload(2), format="json").status_code == 201
    refused = client.post(reverse("appeals:home"), form_payload(3), HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(refused, "Too many requests")
    assert "Nothing you sent in this request was stored." in refused.content.decode()
    assert Appeal.objects.count() == 2
    assert client.get(reverse("appeals:home")).status_code == 200  # reading the form is not limited


def test_signed_in_users_are_limited_per_user(api_as, officers, rates):
    rates(user="2/hour")
    officer_client = api_as(officers["officer_a1"])
    statuses = [officer_client.get("/api/v1/dispatches/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api_as(officers["officer_a2"]).get("/api/v1/dispatches/").status_code == 200


def test_anonymous_api_calls_are_limited_per_address(api_as, rates):
    rates(anon="2/hour")
    client = api_as(None)
    statuses = [client.get(TRACK, {"number": "250101-ABCDEF", "code": "X"}).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


@pytest.fixture
def filed(city):
    return submit_appeal(text="井盖丢失", contact_phone="13800138000", source_ip="10.9.9.9")


def test_failed_lookups_block_the_address_even_for_the_right_code(api_as, filed, rates):
    rates(tracking_failures="3/hour")
    client = api_as(None)
    number = filed.appeal.number
    assert [client.get(TRACK, {"number": number, "code": f"WRONG{n}"}).status_code for n in range(3)] == [404] * 3
    blocked = client.get(TRACK, {"number": number, "code": filed.access_code}, HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(blocked, "Too many requests")
    assert filed.appeal.number not in blocked.content.decode()  # nothing about the appeal leaks
    elsewhere = client.get(TRACK, {"number": number, "code": filed.access_code}, REMOTE_ADDR="10.0.0.7")
    assert elsewhere.status_code == 200


def test_failed_lookups_block_the_number_from_any_address(api_as, filed, city, rates):
    rates(tracking_failures_number="3/hour")
    client = api_as(None)
    number = filed.appeal.number
    for n in range(3):
        assert client.get(TRACK, {"number": number, "code": "WRONGXYZ"}, REMOTE_ADDR=f"10.0.1.{n}").status_code == 404
    assert client.get(TRACK, {"number": number, "code": filed.access_code},
                      REMOTE_ADDR="10.0.2.1").status_code == 429
    other = submit_appeal(text="另一件事", contact_phone="13900139000")
    assert client.get(TRACK, {"number": other.appeal.number, "code": other.access_code},
                      REMOTE_ADDR="10.0.2.1").status_code == 200


def test_successful_lookups_do_not_count_as_failures(api_as, filed, rates):
    rates(tracking_failures="1/hour", tracking_failures_number="1/hour")
    client = api_as(None)
    for _ in range(3):
        assert client.get(TRACK, {"number": filed.appeal.number, "code": filed.access_code}).status_code == 200


def test_the_tracking_page_is_protected_the_same_way(client, filed, rates):
    rates(tracking_failures="2/hour")
    url = reverse("appeals:track")
    for _ in range(2):
        assert client.post(url, {"number": filed.appeal.number, "code": "WRONG123"}).status_code == 404
    blocked = client.post(url, {"number": filed.appeal.number, "code": filed.access_code}, HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(blocked, "Too many requests")
    assert 'id="status-heading"' not in blocked.content.decode()


def test_all_tracking_lookups_are_limited_per_address(client, api_as, filed, rates):
    rates(tracking="2/hour")
    assert client.post(reverse("appeals:track"), {"number": filed.appeal.number,
                                                  "code": filed.access_code}).status_code == 200
    assert api_as(None).get(TRACK, {"number": filed.appeal.number, "code": filed.access_code}).status_code == 200
    assert api_as(None).get(TRACK, {"number": filed.appeal.number, "code": filed.access_code}).status_code == 429


def test_a_spoofed_forwarded_for_header_does_not_escape_the_limit(api_as, city, rates):
    rates(intake="1/hour")
    client = api_as(None)
    assert client.post(INTAKE, appeal_payload(1), format="json", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 201
    assert client.post(INTAKE, appeal_payload(2), format="json", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_behind_a_trusted_proxy_the_header_names_the_client(api_as, city, rates, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    rates(intake="1/hour")
    client = api_as(None)
    # The proxy appends the address it saw: the last entry counts, whatever the client put before it.
    first = client.post(INTAKE, appeal_payload(1), format="json", HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1")
    second = client.post(INTAKE, appeal_payload(2), format="json", HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2")
    again = client.post(INTAKE, appeal_payload(3), format="json", HTTP_X_FORWARDED_FOR="8.8.8.8, 1.1.1.1")
    assert [first.status_code, second.status_code, again.status_code] == [201, 201, 429]


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("", {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "127.0.0.1"),
        ("X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "5.6.7.8, 1.2.3.4"}, "1.2.3.4"),
        ("X-Real-IP", {"HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
        ("X-Forwarded-For", {"HTTP_X_FORWARDED_FOR": "not-an-address"}, "127.0.0.1"),
        ("X-Forwarded-For", {}, "127.0.0.1"),
    ],
)
def test_client_ip(settings, header, meta, expected):
    settings.CLIENT_IP_HEADER = header
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **meta)) == expected


def test_one_ipv6_network_counts_as_one_client():
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("203.0.113.5") == "203.0.113.5"


@pytest.mark.parametrize(
    ("wait", "message"),
    [(0.2, "1 second."), (45, "45 seconds."), (61, "2 minutes."), (3600, "60 minutes.")],
)
def test_the_message_says_how_long_to_wait(wait, message):
    with translation.override("en"):
        assert retry_message(wait) == f"Too many requests. Please try again in {message}"


def test_limits_fail_open_when_redis_is_away(api_as, city, rates, settings):
    """Nothing is lost: with the cache unreachable the limits are not checked, and the appeal is taken."""
    rates(intake="1/hour")
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    for n in range(3):
        assert api_as(None).post(INTAKE, appeal_payload(n), format="json").status_code == 201
    assert Appeal.objects.count() == 3
