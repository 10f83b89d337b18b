"""Shared fixtures: a small city whose every answer can be checked by hand, officers of each
role, API clients, and a real Celery worker on the real Redis (a separate database, see
pyproject.toml)."""
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from streets import geo
from streets.models import Duty, Officer, Unit

from .factories import CategoryFactory, DutyFactory, OfficerFactory, UnitFactory, UserFactory, square
from .fault_figures import FaultFigures

FAULT_FIGURES = pytest.StashKey[list]()


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

    # A point inside each street.
    POINT_A1 = (39.95, 116.05)
    POINT_A2 = (39.95, 116.15)
    POINT_B1 = (39.95, 116.25)
    OUTSIDE = (31.23, 121.47)  # Shanghai


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """Uploaded photos go to a throw-away folder; passwords hash fast (security is not under test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    geo.reset_locator()
    return City(center, district_a, district_b, street_a1, street_a2, street_b1, water, noise, water_outage,
                title_dispute, no_duty)


def _officer(unit: Unit, username: str, role=Officer.Role.OFFICER) -> Officer:
    return OfficerFactory(user=UserFactory(username=username), unit=unit, role=role)


@pytest.fixture
def officers(city) -> dict[str, Officer]:
    """One person per role that the permission tests walk through."""
    return {
        "officer_a1": _officer(city.street_a1, "officer_a1"),
        "officer_a2": _officer(city.street_a2, "officer_a2"),
        "district_a": _officer(city.district_a, "district_a"),
        "water": _officer(city.water, "water"),
        "operator": _officer(city.center, "operator", Officer.Role.OPERATOR),
        "supervisor": _officer(city.center, "supervisor", Officer.Role.SUPERVISOR),
    }


@pytest.fixture
def api_as():
    """api_as(officer) -> an APIClient signed in as that officer (None: anonymous)."""

    def make(officer: Officer | None) -> APIClient:
        client = APIClient()
        if officer is not None:
            client.force_authenticate(officer.user)
        return client

    return make


@pytest.fixture(scope="session")
def redis_client():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.ping()
    return client


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
    yield worker
    running.__exit__(None, None, None)



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
