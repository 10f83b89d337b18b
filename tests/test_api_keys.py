"""API keys for third-party apps: stored hashed, shown once, created and revoked by an
administrator in the admin site or with `manage.py apikey`, each with its own rate limit."""
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from appeals.models import ApiKey
from appeals.open311.keys import authenticate_api_key, create_api_key, hash_key, rate_limit_wait, revoke_api_key
from appeals.open311.rates import Rate, parse_rate

from .factories import UserFactory

pytestmark = pytest.mark.django_db
RAW_KEY_RE = re.compile(r"\b([0-9a-f]{8}\.[A-Za-z0-9_-]{43})\b")


def test_only_a_hash_of_the_key_is_stored_and_the_key_authenticates():
    api_key, raw = create_api_key(name="Map", owner="Lab", rate_limit="10/min")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw.startswith(stored.prefix + ".")
    assert stored.key_hash == hash_key(raw) and raw not in str(ApiKey.objects.values().get())
    assert stored.last_used_at is None
    assert authenticate_api_key(raw) == stored
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


@pytest.mark.parametrize("raw", ["", "nodot", ".x", "deadbeef.wrong-secret", "x" * 300])
def test_unknown_or_malformed_keys_do_not_authenticate(raw):
    create_api_key(name="Map", owner="Lab")
    assert authenticate_api_key(raw) is None


def test_a_revoked_key_stops_working_and_keeps_its_first_revocation_date():
    api_key, raw = create_api_key(name="Map", owner="Lab")
    assert revoke_api_key(api_key=api_key) is True
    first = api_key.revoked_at
    assert revoke_api_key(api_key=api_key) is False and api_key.revoked_at == first
    assert authenticate_api_key(raw) is None


def test_a_key_with_the_right_prefix_but_another_secret_is_refused():
    api_key, raw = create_api_key(name="Map", owner="Lab")
    assert authenticate_api_key(f"{api_key.prefix}.{'A' * 43}") is None
    assert authenticate_api_key(raw) == api_key


@pytest.mark.parametrize(("text", "rate"), [("60/min", Rate(60, 60)), ("1000/hour", Rate(1000, 3600)),
                                            ("5 / day", Rate(5, 86400)), ("2/s", Rate(2, 1))])
def test_rates_read_as_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "60", "0/min", "ten/min", "60/fortnight", "-1/min"])
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValidationError):
        parse_rate(text)
    with pytest.raises(ValidationError):
        create_api_key(name="Map", owner="Lab", rate_limit=text)


def test_the_rate_limit_counts_per_key_in_the_shared_cache():
    tight, _ = create_api_key(name="Tight", owner="Lab", rate_limit="3/hour")
    other, _ = create_api_key(name="Other", owner="Lab", rate_limit="3/hour")
    waits = [rate_limit_wait(tight) for _ in range(5)]
    assert waits[:3] == [None] * 3
    assert all(3595 < wait <= 3600 for wait in waits[3:])  # until the first of the three leaves the hour
    assert rate_limit_wait(other) is None


def test_the_command_creates_lists_and_revokes_keys():
    out = StringIO()
    call_command("apikey", "create", "--name", "Civic map", "--owner", "Open Data Lab", "--rate", "30/min",
                 stdout=out)
    raw = RAW_KEY_RE.search(out.getvalue()).group(1)
    api_key = authenticate_api_key(raw)
    assert (api_key.name, api_key.owner, api_key.rate_limit) == ("Civic map", "Open Data Lab", "30/min")

    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert api_key.prefix in listing.getvalue() and "active" in listing.getvalue()
    assert raw not in listing.getvalue()

    call_command("apikey", "revoke", api_key.prefix, stdout=StringIO())
    assert authenticate_api_key(raw) is None
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_the_command_refuses_bad_input():
    with pytest.raises(CommandError, match="60/min"):
        call_command("apikey", "create", "--name", "x", "--owner", "y", "--rate", "lots", stdout=StringIO())
    with pytest.raises(CommandError, match="No API key"):
        call_command("apikey", "revoke", "00000000", stdout=StringIO())


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_creates_a_key_and_shows_it_once(admin_client):
    response = admin_client.post(
        "/admin/appeals/apikey/add/",
        {"name": "Civic map", "owner": "Open Data Lab", "rate_limit": "60/min", "publishes": "when_asked"},
        follow=True, HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    raw = RAW_KEY_RE.search(html).group(1)
    assert "will not be shown again" in html
    api_key = authenticate_api_key(raw)
    assert api_key is not None and api_key.name == "Civic map" and api_key.publishes == "when_asked"
    page = admin_client.get(f"/admin/appeals/apikey/{api_key.pk}/change/").content.decode()
    assert raw not in page and api_key.prefix in page
    assert raw not in admin_client.get("/admin/appeals/apikey/").content.decode()


def test_the_admin_refuses_a_bad_rate(admin_client):
    response = admin_client.post("/admin/appeals/apikey/add/", {"name": "x", "owner": "y", "rate_limit": "fast"})
    assert response.status_code == 200 and ApiKey.objects.count() == 0


def test_the_admin_revokes_keys_and_never_deletes_them(admin_client):
    api_key, raw = create_api_key(name="Map", owner="Lab")
    response = admin_client.post(
        "/admin/appeals/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "1 key revoked." in response.content.decode()
    assert authenticate_api_key(raw) is None
    assert admin_client.post(f"/admin/appeals/apikey/{api_key.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiKey.objects.filter(pk=api_key.pk).exists()
