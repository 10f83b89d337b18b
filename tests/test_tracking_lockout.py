"""Guessing tracking codes: parallel guesses cannot outrun the failure limit (a place on the
counters is reserved, atomically in Redis, before a code is checked), and a lockout of a tracking
number hurts the guesser, not the resident, whose own browser keeps following the appeal."""
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from appeals import tracking_cookie
from appeals.services import submit_appeal

TRACK = "/api/v1/appeals/track/"


@pytest.fixture
def filed(city):
    return submit_appeal(text="井盖丢失", contact_phone="13800138000")


def lock_the_number(number: str, times: int) -> None:
    """An attacker's wrong codes, each from an address of its own."""
    for n in range(times):
        answer = APIClient().get(TRACK, {"number": number, "code": f"WRONG{n:03d}"}, REMOTE_ADDR=f"10.66.0.{n}")
        assert answer.status_code == 404
    assert APIClient().get(TRACK, {"number": number, "code": "WRONGXXX"}, REMOTE_ADDR="10.66.1.1").status_code == 429


def resident_browser(filed) -> tuple[APIClient, str, str]:
    """A client that has looked its appeal up once with the right code (and so holds the cookie)."""
    resident = APIClient()
    number, code = filed.appeal.number, filed.access_code
    assert resident.get(TRACK, {"number": number, "code": code}).status_code == 200
    return resident, number, code


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_check_at_most_the_limit(filed, rates):
    """60 guesses at once from 60 addresses against a limit of 10 per number: every guess is either
    checked (404) or refused before its code is looked at (429), and at most 10 are checked."""
    rates(tracking_failures_number="10/hour", tracking_failures="1000/hour", tracking="1000/hour", anon="1000/hour")
    guesses = 60
    start = threading.Barrier(guesses)
    statuses = []

    def guess(n: int):
        try:
            client = APIClient()
            start.wait()
            answer = client.get(TRACK, {"number": filed.appeal.number, "code": f"GUESS{n:03d}"},
                                REMOTE_ADDR=f"10.77.{n // 200}.{n % 200}")
            statuses.append(answer.status_code)
        finally:
            connection.close()  # each thread's own database connection

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [404, 429] and len(statuses) == guesses
    assert statuses.count(404) <= 10, statuses.count(404)


@pytest.mark.django_db
def test_a_locked_number_still_opens_in_the_browser_that_filed_it(client, city, rates):
    rates(tracking_failures_number="3/hour")
    form = client.post(reverse("appeals:home"), {"text": "路灯不亮", "contact_phone": "13800138000",
                                                 "kind": "complaint", "urgency": "ordinary"})
    assert form.status_code == 302, form.content.decode()[:2000]
    receipt = client.session["submitted_appeal"]
    lock_the_number(receipt["number"], 3)

    own = client.post(reverse("appeals:track"), {"number": receipt["number"], "code": receipt["code"]})
    assert own.status_code == 200
    fresh = Client().post(reverse("appeals:track"), {"number": receipt["number"], "code": receipt["code"]},
                          REMOTE_ADDR="10.88.0.1")
    assert fresh.status_code == 429  # a browser that never showed it holds the code waits out the lock


@pytest.mark.django_db
def test_a_browser_that_once_used_the_code_keeps_working_through_a_lock(filed, rates):
    rates(tracking_failures_number="3/hour")
    resident, number, code = resident_browser(filed)
    lock_the_number(number, 3)
    assert resident.get(TRACK, {"number": number, "code": code}).status_code == 200
    page = Client()
    page.cookies = resident.cookies  # the same browser, on the tracking page
    assert page.post(reverse("appeals:track"), {"number": number, "code": code}).status_code == 200


@pytest.mark.django_db
def test_the_cookie_does_not_lift_the_limit_per_address(filed, rates):
    """Holding one number's cookie is no licence to guess: this address's failures still count."""
    rates(tracking_failures="2/hour")
    resident, number, code = resident_browser(filed)
    assert [resident.get(TRACK, {"number": number, "code": f"WRONG{n}"}).status_code for n in range(3)] == \
        [404, 404, 429]
    assert resident.get(TRACK, {"number": number, "code": code}).status_code == 429


@pytest.mark.django_db
def test_a_forged_or_foreign_cookie_does_not_lift_the_lock(filed, city, rates):
    rates(tracking_failures_number="2/hour")
    number, code = filed.appeal.number, filed.access_code
    other = submit_appeal(text="另一件事", contact_phone="13900139000")
    holder = APIClient()
    assert holder.get(TRACK, {"number": other.appeal.number, "code": other.access_code}).status_code == 200
    lock_the_number(number, 2)
    assert holder.get(TRACK, {"number": number, "code": code}).status_code == 429  # another number's cookie
    forger = APIClient()
    forger.cookies[tracking_cookie.COOKIE.name] = holder.cookies[tracking_cookie.COOKIE.name].value.replace(":", ";", 1)
    assert forger.get(TRACK, {"number": number, "code": code}).status_code == 429


@pytest.mark.django_db
def test_right_codes_give_their_place_back(filed, rates):
    """A lookup reserves a failure before its code is checked; the right code releases it, so
    residents looking up their appeal from new browsers never fill the counters."""
    rates(tracking_failures_number="2/hour", tracking_failures="2/hour")
    for n in range(4):
        assert APIClient().get(TRACK, {"number": filed.appeal.number, "code": filed.access_code},
                               REMOTE_ADDR="10.5.5.5").status_code == 200, n
    assert APIClient().get(TRACK, {"number": filed.appeal.number, "code": "WRONG1"}).status_code == 404
