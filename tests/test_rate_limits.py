"""Rate limits, counted in the real Redis: the public form, the tracking lookup (no brute force of
codes) and the API; a limited client gets 429, Retry-After and a translated message."""
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from rest_framework.views import APIView

from appeals.api import AppealIntakeView
from appeals.models import Appeal
from appeals.services import submit_appeal
from appeals.throttles import IntakeLimits, IntakeThrottle, InvalidIntakeThrottle
from config.throttling import (
    AnonThrottle,
    ClientRateThrottle,
    OneTripThrottling,
    TooManyRequests,
    address_key,
    client_ip,
    retry_message,
    throttle_wait,
)

from .scenarios import command_names, count_redis_sends

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
    return submit_appeal(text="井盖丢失", contact_phone="13800138000")


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


def counter_key(throttle_class, ident="127.0.0.1") -> str:
    """The Redis key of a throttle's counter, as the cache names it."""
    return caches["default"].make_key(throttle_class().cache_key_for(ident))


@pytest.fixture
def rate_limit_sends(monkeypatch):
    """The commands sent to Redis that name a rate-limit counter (a measurement: each is sent as before)."""
    return count_redis_sends(monkeypatch, naming=b":rate:")


def test_all_throttles_of_a_request_cost_one_round_trip(api_as, city, rate_limit_sends, redis_client):
    # anon, user (not applying), filing by residents, by operators (not applying), invalid submissions
    assert len(AppealIntakeView().get_throttles()) == 5
    client = api_as(None)
    assert client.post(INTAKE, appeal_payload(1), format="json").status_code == 201  # loads the script
    rate_limit_sends.clear()
    assert client.post(INTAKE, appeal_payload(2), format="json").status_code == 201
    assert command_names(rate_limit_sends) == [b"EVALSHA"]
    counters = (AnonThrottle, IntakeThrottle, InvalidIntakeThrottle)
    assert [redis_client.zcard(counter_key(cls)) for cls in counters] == [2, 2, 0]


def test_the_window_slides_and_retry_after_is_exact(api_as, city, rates, redis_client):
    """Retry-After is the time until the oldest counted request leaves the window; a refused request
    is counted nowhere, and a request that has left the window no longer counts."""
    rates(intake="2/minute")
    client = api_as(None)
    assert [client.post(INTAKE, appeal_payload(n), format="json").status_code for n in range(2)] == [201, 201]
    intake_key = counter_key(IntakeThrottle)
    members = redis_client.zrange(intake_key, 0, -1)
    seconds, microseconds = redis_client.time()  # the counters' clock
    now = seconds + microseconds / 1_000_000
    redis_client.zadd(intake_key, {members[0]: now - 45, members[1]: now - 10})  # filed 45 s and 10 s ago

    refused = client.post(INTAKE, appeal_payload(3), format="json")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"  # the one filed 45 s ago leaves a 60 s window in 15 s
    assert [redis_client.zcard(counter_key(cls)) for cls in (AnonThrottle, IntakeThrottle)] == [2, 2]

    redis_client.zadd(intake_key, {members[0]: now - 61})  # now out of the window
    assert client.post(INTAKE, appeal_payload(4), format="json").status_code == 201
    assert redis_client.zcard(intake_key) == 2  # the one that left was dropped, the new one counted


def test_concurrent_requests_never_pass_the_limit(rates):
    rates(intake="5/hour")
    request = RequestFactory().post("/", REMOTE_ADDR="10.20.30.40")
    request.user = AnonymousUser()
    start = threading.Barrier(20)
    waits = []

    def file():
        start.wait()
        try:
            IntakeLimits(request, [IntakeThrottle()]).claim("", "")  # counted as an appeal filed
        except TooManyRequests as exc:
            waits.append(exc.wait)
        else:
            waits.append(None)

    threads = [threading.Thread(target=file) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert waits.count(None) == 5
    assert all(3590 < wait <= 3600 for wait in waits if wait is not None), waits


def test_anything_else_asking_its_throttles_counts_every_request(rates):
    rates(anon="2/hour")
    request = RequestFactory().post("/", REMOTE_ADDR="10.20.30.41")
    request.user = AnonymousUser()
    assert [throttle_wait(request, [AnonThrottle]) is None for _ in range(3)] == [True, True, False]


def drf_views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from drf_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and issubclass(getattr(pattern.callback, "cls", object), APIView):
            yield pattern.callback.cls


def test_every_api_view_counts_its_throttles_in_one_round_trip():
    views = set(drf_views(get_resolver().url_patterns))
    assert AppealIntakeView in views
    for view in views:
        assert issubclass(view, OneTripThrottling), view
        assert all(issubclass(throttle, ClientRateThrottle) for throttle in view.throttle_classes), view


def test_a_resident_correcting_mistakes_spends_only_the_invalid_allowance(client, city, rates):
    """Issue 13: 20 form posts of which 9 were invalid led to a 429. Filed appeals count on the
    intake limit, refused ones on a separate, larger one."""
    rates(intake="2/hour", intake_invalid="4/hour")
    home = reverse("appeals:home")
    mistakes = [{**form_payload(n), "contact_phone": "abc"} for n in range(3)]
    assert [client.post(home, data).status_code for data in mistakes] == [400, 400, 400]
    assert [client.post(home, form_payload(n)).status_code for n in range(2)] == [302, 302]
    assert Appeal.objects.count() == 2
    assert_refused(client.post(home, form_payload(3), HTTP_ACCEPT_LANGUAGE="en"), "Too many requests")


def test_garbage_is_refused_once_its_own_allowance_is_spent(api_as, city, rates):
    """Invalid and unreadable requests count on the invalid-submissions limit; a client over any
    intake limit is refused whatever it sends, and nothing is stored."""
    rates(intake_invalid="2/hour")
    client = api_as(None)
    assert client.post(INTAKE, {"text": ""}, format="json").status_code == 400
    assert client.post(INTAKE, b"{not json", content_type="application/json").status_code == 400
    assert_refused(client.post(INTAKE, {"text": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en"), "Too many requests")
    assert client.post(INTAKE, appeal_payload(1), format="json").status_code == 429
    assert Appeal.objects.count() == 0
    assert client.post(INTAKE, appeal_payload(1), format="json", REMOTE_ADDR="10.1.2.4").status_code == 201


def test_signed_in_staff_file_under_a_limit_and_operators_under_their_own(api_as, officers, city, rates):
    """Issue 14: 40 appeals with an officer's token were all 201. An officer (anyone but an
    operator) files under the residents' limit of their address; operators, filing for callers
    all day, under their own per operator."""
    rates(intake="2/hour", intake_operator="3/hour")
    officer = api_as(officers["officer_a1"])
    assert [officer.post(INTAKE, appeal_payload(n), format="json").status_code for n in range(3)] == [201, 201, 429]
    operator = api_as(officers["operator"])
    phone = {"channel": "phone"}
    statuses = [operator.post(INTAKE, {**appeal_payload(n), **phone}, format="json").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert Appeal.objects.filter(channel=Appeal.Channel.PHONE).count() == 3


def test_a_failed_lookup_reserves_both_failure_counters_in_one_round_trip(
    api_as, filed, rate_limit_sends
):
    """The API's own limits, then a failure reserved on both failure counters (address and number)
    in one step: two round trips, whatever the counters."""
    client = api_as(None)
    assert client.get(TRACK, {"number": filed.appeal.number, "code": "WRONGONE"}).status_code == 404  # loads
    rate_limit_sends.clear()
    assert client.get(TRACK, {"number": filed.appeal.number, "code": "WRONGTWO"}).status_code == 404
    assert command_names(rate_limit_sends) == [b"EVALSHA"] * 2
