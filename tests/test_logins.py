"""Sign-in limits (streets/logins.py), through the real login pages and the real Redis: guessing is
refused before the password is checked, a lockout binds the guesser's address, not the officer's
other browsers, it runs out, and supervisors see it."""
import time

import pytest
from django.test import Client

from streets.models import LoginLockout

pytestmark = pytest.mark.django_db

PASSWORD = "right-Pass-4711"
PAGES = ("/accounts/login/", "/admin/login/")


@pytest.fixture
def officer(officers):
    user = officers["officer_a1"].user
    user.set_password(PASSWORD)
    user.is_staff = user.is_superuser = True  # so the admin's own sign-in lets them in too
    user.save()
    return user


def sign_in(client, page: str, username: str, password: str, address: str = "10.1.1.1"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE="en")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", PAGES)
def test_the_nth_wrong_password_is_refused_even_with_the_right_one(client, officer, rates, page):
    rates(login_failures_pair="3/15m")
    for n in range(3):
        assert sign_in(client, page, officer.username, f"wrong-{n}").status_code == 200
    refused = sign_in(client, page, officer.username, PASSWORD)
    assert not signed_in(client)
    assert "Too many requests. Please try again in 15 minutes." in refused.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_another_address_can_still_sign_in_as_that_officer(client, officer, rates, page):
    rates(login_failures_pair="3/15m")
    for n in range(4):
        sign_in(client, page, officer.username, f"wrong-{n}", address="10.6.6.6")
    elsewhere = Client()
    assert sign_in(elsewhere, page, officer.username, PASSWORD, address="10.2.2.2").status_code == 302
    assert signed_in(elsewhere)


def test_the_lockout_runs_out(client, officer, rates):
    rates(login_failures_pair="2/1s")
    for n in range(3):
        sign_in(client, "/accounts/login/", officer.username, f"wrong-{n}")
    assert not signed_in(client)
    time.sleep(1.2)  # the window is one second: the cool-off is over
    assert sign_in(client, "/accounts/login/", officer.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_many_addresses_against_one_account_do_not_lock_the_officers_own_browser(client, officer, rates):
    rates(login_failures_account="3/5m")
    own = Client()
    assert sign_in(own, "/accounts/login/", officer.username, PASSWORD, address="10.3.3.3").status_code == 302
    own.post("/accounts/logout/")
    for n in range(4):  # an attacker spread over addresses
        sign_in(Client(), "/accounts/login/", officer.username, f"wrong-{n}", address=f"10.9.0.{n}")
    newcomer = Client()
    sign_in(newcomer, "/accounts/login/", officer.username, PASSWORD, address="10.4.4.4")
    assert not signed_in(newcomer)  # the account-wide limit holds for browsers it has never seen
    assert sign_in(own, "/accounts/login/", officer.username, PASSWORD, address="10.3.3.3").status_code == 302
    assert signed_in(own)


def test_one_address_trying_many_accounts_is_limited(client, officer, rates):
    rates(login_failures_address="3/hour")
    for n in range(3):
        sign_in(client, "/accounts/login/", f"someone{n}", "guess")
    sign_in(client, "/accounts/login/", officer.username, PASSWORD)
    assert not signed_in(client)


def test_supervisors_see_each_lockout_once(client, officer, officers, rates):
    rates(login_failures_pair="2/15m")
    for n in range(6):
        sign_in(client, "/accounts/login/", officer.username, f"wrong-{n}", address="10.7.7.7")
    lockout = LoginLockout.objects.get()
    assert (lockout.username, lockout.address, lockout.limit) == (officer.username, "10.7.7.7", "pair")

    supervisor = Client()
    supervisor.force_login(officers["supervisor"].user)
    page = supervisor.get("/console/sign-in-lockouts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert officer.username in page and "10.7.7.7" in page and "This account from this address" in page
    other = Client()
    other.force_login(officers["officer_a2"].user)
    assert other.get("/console/sign-in-lockouts/").status_code == 403
