"""Shared fixtures: a small city whose every answer can be checked by hand, officers of each
role, API clients, and a real Celery worker on the real Redis (a separate database, see
pyproject.toml)."""
import os
import shutil
import time
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings
from django.db import connections
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from appeals import catalogue
from config.migration_ops import SKIP_TRIGGERS_IN_TRANSACTION
from dispatch.deadlines import time_limits, workdays
from dispatch.routing import classify
from streets import geo, places
from streets.models import Duty, Officer, Unit

from .factories import CategoryFactory, DutyFactory, OfficerFactory, UnitFactory, UserFactory, square
from .fault_figures import FaultFigures
from .scenarios import AXE, forget_rate_limits, routed_ticket

FAULT_FIGURES = pytest.StashKey[list]()

# Property-based tests stay bounded so the suite stays fast; HYPOTHESIS_PROFILE=thorough digs deeper.
# Examples share the test's database transaction, hence the function-scoped fixtures are fine.
hypothesis_settings.register_profile(
    "suite", max_examples=60, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile("thorough", parent=hypothesis_settings.get_profile("suite"), max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@dataclass
class City:
    center: Unit
    district_a: Unit
    district_b: Unit
    street_a1: Unit
    street_a2: Unit
    street_b1: Unit
    water: Unit
    noise: object  # street-duty category
    water_outage: object  # department-duty category (utility tier)
    title_dispute: object  # street-duty, complex tier
    no_duty: object  # a leaf with no duty mapping
    housing: Unit  # a second department, for whistles

    # A point inside each street.
    POINT_A1 = (39.95, 116.05)
    POINT_A2 = (39.95, 116.15)
    POINT_B1 = (39.95, 116.25)
    OUTSIDE = (31.23, 121.47)  # Shanghai


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_event_log_guard():
    """Tests that commit (transactional_db) are cleaned up with Django's flush, a TRUNCATE of every
    table, which the event log's trigger refuses on PostgreSQL: the flush skips triggers as any
    deliberate maintenance by the superuser does."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return [SKIP_TRIGGERS_IN_TRANSACTION, *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """Uploaded photos go to a throw-away folder; passwords hash fast (security is not under test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's default language: the test client leaves the language of its
    last request active in the thread, and code outside a request speaks whatever is active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """A rolled-back test sends no delete signals, so drop the per-process caches between tests."""
    for reset in (geo.reset_locator, workdays.reset_calendar, time_limits.reset_rules, catalogue.reset_catalogue,
                  places.reset_matcher, classify.forget_model):
        reset()


@pytest.fixture(autouse=True)
def fresh_rate_limits(redis_client):
    """Each test starts with no rate-limit counter."""
    forget_rate_limits(redis_client)


@pytest.fixture
def city(db) -> City:
    center = UnitFactory(code="CENTER", kind=Unit.Kind.CENTER, name="热线中心")
    district_a = UnitFactory(code="DA", kind=Unit.Kind.DISTRICT, name="甲区", name_en="District A")
    district_b = UnitFactory(code="DB", kind=Unit.Kind.DISTRICT, name="乙区", name_en="District B")
    street_a1 = UnitFactory(
        code="DA-S1", kind=Unit.Kind.STREET, parent=district_a, name="东花街道", name_en="Donghua",
        boundary=square(116.0, 39.9, 116.1, 40.0), aliases=["东花路", "花园小区"],
    )
    street_a2 = UnitFactory(
        code="DA-S2", kind=Unit.Kind.STREET, parent=district_a, name="西柳街道", name_en="Xiliu",
        boundary=square(116.1, 39.9, 116.2, 40.0), aliases=["西柳路"],
    )
    street_b1 = UnitFactory(
        code="DB-S1", kind=Unit.Kind.STREET, parent=district_b, name="南桥街道", name_en="Nanqiao",
        boundary=square(116.2, 39.9, 116.3, 40.0), aliases=["南桥路"],
    )
    water = UnitFactory(code="DEP-WATER", kind=Unit.Kind.DEPARTMENT, name="自来水集团", is_utility=True)
    noise = DutyFactory(category=CategoryFactory(code="ENV-NOISE-NB", name="邻里噪声")).category
    water_outage = DutyFactory(
        category=CategoryFactory(code="UTL-WATER-OUT", name="停水", tier="utility"),
        handler=Duty.Handler.DEPARTMENT, department=water,
    ).category
    title_dispute = DutyFactory(category=CategoryFactory(code="HOU-TITLE", name="产权纠纷", tier="complex")).category
    no_duty = CategoryFactory(code="MISC-ORPHAN", name="无主")
    housing = UnitFactory(code="DEP-HOUSING", kind=Unit.Kind.DEPARTMENT, name="住房城乡建设委", name_en="Housing")
    geo.reset_locator()
    return City(center, district_a, district_b, street_a1, street_a2, street_b1, water, noise, water_outage,
                title_dispute, no_duty, housing)


def _officer(unit: Unit, username: str, role=Officer.Role.OFFICER, is_head: bool = False) -> Officer:
    return OfficerFactory(user=UserFactory(username=username), unit=unit, role=role, is_head=is_head)


@pytest.fixture
def officers(city) -> dict[str, Officer]:
    """One person per role that the permission tests walk through."""
    return {
        "officer_a1": _officer(city.street_a1, "officer_a1"),
        "officer_a2": _officer(city.street_a2, "officer_a2"),
        "officer_b1": _officer(city.street_b1, "officer_b1"),
        "district_a": _officer(city.district_a, "district_a"),
        "water": _officer(city.water, "water"),
        "housing": _officer(city.housing, "housing"),
        "head_a1": _officer(city.street_a1, "head_a1", is_head=True),
        "head_a2": _officer(city.street_a2, "head_a2", is_head=True),
        "operator": _officer(city.center, "operator", Officer.Role.OPERATOR),
        "supervisor": _officer(city.center, "supervisor", Officer.Role.SUPERVISOR),
    }


@pytest.fixture
def api_as():
    """api_as(officer) -> an APIClient signed in as that officer (None: anonymous).

    `language="en"` asks for English messages (the default is the site's Chinese)."""

    def make(officer: Officer | None, language: str | None = None) -> APIClient:
        client = APIClient()
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        if officer is not None:
            client.force_authenticate(officer.user)
        return client

    return make


@pytest.fixture(scope="session")
def redis_client():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.ping()
    return client


@pytest.fixture
def routing_queued(redis_client):
    """As if a routing task were queued and not yet started (dispatch/routing/outbox.py): intake raises
    the flag in vain and publishes nothing, so no worker of the suite routes these appeals while
    the test still runs (or while a transactional test's tables are emptied)."""
    from dispatch.routing import outbox

    redis_client.set(outbox._flag_key(), 1, px=60_000)


_WORKER_THREADS: list = []  # the suite's worker, once a test started it (it runs to the session's end)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, redis_client):
    """A real Celery worker thread consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    redis_client.flushdb()  # only the tests' own Redis database
    running = start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    )
    with django_db_blocker.unblock():
        worker = running.__enter__()
    _WORKER_THREADS.append(worker)
    yield worker
    _WORKER_THREADS.clear()
    running.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def worker_idle_before_the_flush(request):
    """A test that commits ends with a TRUNCATE of every table; a task the suite's worker is still
    running then (a receipt its intake queued, say) deadlocks with it on PostgreSQL, and the next
    test starts on the tables left behind. So, before that flush, the worker finishes what the
    test left queued (the flush is this fixture's dependency's teardown, so it comes after)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames))
    if transactional:
        request.getfixturevalue("_django_db_helper")
    yield
    if transactional and _WORKER_THREADS:
        _wait_until_the_worker_is_idle()


def _wait_until_the_worker_is_idle(timeout: float = 20.0) -> None:
    from celery.worker import state

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = state.active_requests or state.reserved_requests or broker.llen("celery")
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.2:  # idle twice in a row: nothing was in flight
            return
        time.sleep(0.05)



@pytest.fixture
def ticket(city):
    """A noise appeal from inside street A1, routed there (a pending dispatch)."""
    return routed_ticket(city, text="楼下烧烤店油烟噪声扰民")


@pytest.fixture
def api_key(db):
    """An active Open311 API key: (the row, the raw key an app would send)."""
    from appeals.open311.keys import create_api_key

    return create_api_key(name="Civic map", owner="Open Data Lab, lab@example.org", rate_limit="100/min")


@pytest.fixture
def questions(city):
    """Attributes (extra questions) on two of the small city's services."""
    from appeals.models import CategoryAttribute

    Datatype = CategoryAttribute.Datatype
    make = CategoryAttribute.objects.create
    return {
        "scope": make(category=city.water_outage, code="scope", datatype=Datatype.SINGLEVALUELIST, required=True,
                      order=1, description="停水范围", description_en="How far does it reach?",
                      values=[{"key": "home", "name": "仅我家", "name_en": "My home"},
                              {"key": "building", "name": "整栋楼", "name_en": "The building"}]),
        "since": make(category=city.water_outage, code="since", datatype=Datatype.DATETIME, order=2,
                      description="何时开始", description_en="Since when?"),
        "floor": make(category=city.noise, code="floor", datatype=Datatype.NUMBER, order=1,
                      description="几楼", description_en="Which floor?"),
        "hours": make(category=city.noise, code="hours", datatype=Datatype.MULTIVALUELIST, order=2,
                      description="什么时段", description_en="At what hours?",
                      values=[{"key": "night", "name": "夜间", "name_en": "Night"},
                              {"key": "day", "name": "白天", "name_en": "Day"}]),
        "source": make(category=city.noise, code="source", datatype=Datatype.STRING, order=3,
                       description="噪声来源", description_en="What makes the noise?"),
    }


@pytest.fixture
def fault_report(request):
    """fault_report(FaultFigures(...)): the figures appear in the terminal summary, so CI logs show them."""
    return request.config.stash.setdefault(FAULT_FIGURES, []).append


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures: list[FaultFigures] = config.stash.get(FAULT_FIGURES, [])
    if not figures:
        return
    width = max(len(f.scenario) for f in figures) + 2
    terminalreporter.section("fault tests: accepted appeals routed exactly once")
    terminalreporter.write_line(FaultFigures.header(width))
    for figure in figures:
        terminalreporter.write_line(figure.row(width))


@pytest.fixture
def rates(settings):
    """rates(intake="2/hour", ...): change some rate limits for this test."""

    def set_rates(**overrides):
        framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **framework, "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"], **overrides}
        }

    return set_rates


# --- a real browser: Debian's Chromium driven by Playwright ------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture
def browser_page(monkeypatch):
    """A page of a headless Chromium the size of a phone, in Chinese; skipped without Chromium
    (unless REQUIRE_BROWSER is set)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} but REQUIRE_BROWSER is set")
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()
        connections.close_all()  # ORM reads made while Playwright ran used their own connection


@pytest.fixture
def csp_violations(browser_page) -> list[str]:
    """Every content-security-policy violation Chromium reports while the test runs."""
    violations: list[str] = []

    def collect(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    browser_page.on("console", collect)
    return violations


@pytest.fixture
def axe_page(browser_page):
    """A page whose context lets the test inject axe-core (the site's policy would refuse it)."""
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{AXE} is missing: run `npm ci` in tests/ (make test does)")
        pytest.skip("axe-core is not installed (make test runs npm ci in tests/)")
    context = browser_page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                                       bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def backends(settings):
    """Both channels of receipts and updates on the recording console backend: the messages it
    delivered (the suite's worker is a thread of this process, so it lands in the same list)."""
    from .notify_backends import RecordingBackend

    settings.NOTIFICATION_SMS_BACKEND = settings.NOTIFICATION_EMAIL_BACKEND = "tests.notify_backends.RecordingBackend"
    RecordingBackend.reset()
    yield RecordingBackend.delivered
    RecordingBackend.reset()
