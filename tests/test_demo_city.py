"""The demo city: sizes, a clean map, unambiguous addresses, a re-runnable loader, working accounts."""
from io import StringIO

import pytest
import shapely
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from shapely.geometry import box, shape

from appeals.models import Category
from streets import geo
from streets.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_POINT, DEMO_STREET_CODE
from streets.demo.builder import load_demo_city
from streets.models import Community, Duty, Officer, Unit

from .scenarios import local

pytestmark = pytest.mark.django_db

CITY = box(115.70, 39.50, 117.30, 40.90)
CENTRAL_DISTRICTS = {"东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区"}
OUTER_DISTRICTS = {"门头沟区", "房山区", "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区"}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    return load_demo_city()


def streets():
    return list(Unit.objects.filter(kind=Unit.Kind.STREET).select_related("parent").order_by("code"))


def row_counts() -> dict[str, int]:
    counts = {kind: Unit.objects.filter(kind=kind).count() for kind in Unit.Kind.values}
    counts.update(
        communities=Community.objects.count(), categories=Category.objects.count(),
        duties=Duty.objects.count(), officers=Officer.objects.count(),
        users=get_user_model().objects.count(),
    )
    return counts


def test_the_city_has_the_expected_size_and_every_name_in_both_languages(demo):
    counts = row_counts()
    assert counts["center"] == 1
    assert counts["district"] == 16
    assert 330 <= counts["street"] <= 350
    assert 35 <= counts["department"] <= 45
    assert 140 <= Category.objects.filter(is_leaf=True).count() <= 160
    assert demo["streets"] == counts["street"]
    assert not Unit.objects.filter(kind=Unit.Kind.STREET, communities__isnull=True).exists()
    assert min(len(s.communities.all()) for s in Unit.objects.prefetch_related("communities")
               .filter(kind=Unit.Kind.STREET)) >= 3
    for model in (Unit, Community, Category):
        assert not model.objects.filter(name="").exists()
        assert not model.objects.filter(name_en="").exists()
    assert Unit.objects.get(code="CENTER").name == "12345市民服务热线中心"


def test_districts_and_streets_use_real_beijing_names_and_the_township_flag(demo):
    districts = set(Unit.objects.filter(kind=Unit.Kind.DISTRICT).values_list("name", flat=True))
    assert districts == CENTRAL_DISTRICTS | OUTER_DISTRICTS
    names = [s.name for s in streets()]
    assert len(set(names)) == len(names)
    for street in streets():
        assert street.name.endswith(("街道", "镇", "乡")), street.name
        assert street.is_township == street.name.endswith(("镇", "乡"))
        assert street.name_en.endswith((" Subdistrict", " Town", " Township"))
        if street.parent.name in CENTRAL_DISTRICTS:
            assert not street.is_township, street.name


def test_street_polygons_are_valid_do_not_overlap_and_cover_the_city_exactly(demo):
    geoms = []
    for street in streets():
        assert street.boundary["type"] == "Polygon"
        ring = street.boundary["coordinates"][0]
        assert ring[0] == ring[-1]
        assert all(round(value, 6) == value for point in ring for value in point)
        geom = shape(street.boundary)
        assert geom.is_valid and geom.area > 0 and CITY.covers(geom), street.code
        geoms.append(geom)

    tree = shapely.STRtree(geoms)
    overlap = 0.0
    for i, geom in enumerate(geoms):
        for j in tree.query(geom, predicate="intersects"):
            if j > i:
                overlap += geom.intersection(geoms[j]).area
    assert overlap < 1e-12
    union = shapely.union_all(geoms)
    assert abs(union.area - CITY.area) / CITY.area < 1e-9
    assert abs(sum(g.area for g in geoms) - CITY.area) / CITY.area < 1e-9


def test_aliases_are_unique_and_never_inside_another_streets_alias_or_name(demo):
    rows = streets()
    for street in rows:
        assert 2 <= len(street.aliases) <= 3, street.name
    for street in rows:
        for alias in street.aliases:
            for other in rows:
                if other.pk != street.pk:
                    assert alias not in other.name, (alias, other.name)
                    assert not any(alias in theirs for theirs in other.aliases), (alias, other.name)


def test_every_alias_and_name_in_a_written_address_finds_its_own_street(demo):
    locator = geo.get_locator()
    for street in streets():
        for place in (street.name, *street.aliases):
            assert locator.street_for_address(f"北京市{place}12号院3单元") == street.pk, place


def test_every_leaf_has_exactly_one_duty_and_department_duties_name_a_department(demo):
    leaves = Category.objects.filter(is_leaf=True)
    assert not leaves.exclude(level=3).exists()
    assert not Category.objects.filter(level=3, is_leaf=False).exists()
    for category in Category.objects.select_related("parent"):
        assert (category.parent.level if category.parent else 0) == category.level - 1, category.code
    assert not leaves.filter(duty__isnull=True).exists()
    assert Duty.objects.count() == leaves.count()  # OneToOne: one duty per leaf, none on inner nodes
    assert not Duty.objects.filter(category__is_leaf=False).exists()
    by_department = Duty.objects.filter(handler=Duty.Handler.DEPARTMENT)
    assert not by_department.exclude(department__kind=Unit.Kind.DEPARTMENT).exists()
    assert not Duty.objects.filter(handler=Duty.Handler.STREET, department__isnull=False).exists()
    share = Duty.objects.filter(handler=Duty.Handler.STREET).count() / leaves.count()
    assert 0.35 <= share <= 0.65


@pytest.mark.parametrize(
    ("code", "tier", "handler"),
    [
        ("UTL-WATER-OUT", "utility", "DEP-WATER"),
        ("HEAT-SUP-COLD", "utility", "DEP-HEAT"),
        ("UTL-GAS-SMELL", "urgent", "DEP-GAS"),
        ("UTL-WATER-BURST", "urgent", "DEP-WATER"),
        ("TRF-ROAD-COVER", "urgent", "DEP-URBAN"),
        ("GRN-TREE-FALLEN", "urgent", None),
        ("HOU-TRADE-TITLE", "complex", "DEP-PLANNING"),
        ("LAB-WAGE-GROUP", "complex", "DEP-LABOUR"),
        ("LAB-WAGE-ARREARS", "ordinary", "DEP-LABOUR"),
        ("MKT-FOOD-HYGIENE", "ordinary", "DEP-MARKET"),
        ("PTR-BUS-WAIT", "ordinary", "DEP-BUS"),
        ("NOI-LIFE-NEIGH", "ordinary", None),
        ("URB-STREET-VENDOR", "ordinary", None),
        ("HOU-PM-LIFT", "ordinary", None),
    ],
)
def test_tiers_and_duties_of_typical_matters(demo, code, tier, handler):
    category = Category.objects.select_related("duty__department").get(code=code)
    assert category.tier == tier
    assert (category.duty.department.code if category.duty.department else None) == handler


def test_utility_departments_and_levels(demo):
    utilities = set(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_utility=True).values_list("code", flat=True))
    assert {"DEP-WATER", "DEP-POWER", "DEP-GAS", "DEP-HEAT", "DEP-SUBWAY", "DEP-UNICOM", "DEP-MOBILE"} <= utilities
    departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)
    assert departments.filter(level="municipal", parent__isnull=True).count() >= 30
    assert departments.filter(level="district", parent__kind=Unit.Kind.DISTRICT).exists()
    assert not departments.exclude(level__in=["municipal", "district"]).exists()


def test_the_demo_point_lies_in_the_demo_officers_street_in_dongcheng(demo):
    street_id = geo.get_locator().street_at(*DEMO_POINT)
    officer = Officer.objects.select_related("unit__parent").get(user__username="officer")
    assert street_id == officer.unit.pk
    assert officer.unit.code == DEMO_STREET_CODE
    assert officer.unit.parent.name == "东城区"
    other = Officer.objects.select_related("unit__parent").get(user__username="officer2")
    assert other.unit.kind == Unit.Kind.STREET and other.unit.parent != officer.unit.parent


def test_running_the_loader_again_changes_and_rewrites_nothing(demo):
    before = row_counts()
    stamps = dict(Unit.objects.values_list("code", "updated_at"))
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    again = load_demo_city()
    assert again["created"] == 0
    assert {k: v for k, v in again.items() if k != "created"} == {k: v for k, v in demo.items() if k != "created"}
    assert row_counts() == before
    assert dict(Unit.objects.values_list("code", "updated_at")) == stamps
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords


def test_the_loader_repairs_a_changed_row(demo):
    street = Unit.objects.get(code=DEMO_STREET_CODE)
    Unit.objects.filter(pk=street.pk).update(name="改名街道", aliases=[], boundary=None)
    load_demo_city()
    street.refresh_from_db()
    assert street.name == "东华门街道" and street.aliases and street.boundary
    assert geo.get_locator().street_at(*DEMO_POINT) == street.pk


def test_demo_accounts_sign_in_with_their_roles_and_units(demo, client):
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=DEMO_PASSWORD), account.username
        client.logout()
        user = get_user_model().objects.get(username=account.username)
        if account.role is None:
            assert user.is_superuser and user.is_staff
            assert not Officer.objects.filter(user=user).exists()
        else:
            officer = user.officer
            assert (officer.role, officer.unit.code) == (account.role, account.unit_code)
            assert officer.is_head == account.is_head
    assert Unit.objects.get(code="DEP-WATER").is_utility
    assert Unit.objects.get(code="D01").kind == Unit.Kind.DISTRICT


def test_the_command_refuses_production_without_force_and_loads_with_it(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo_city")
    assert not Unit.objects.filter(kind=Unit.Kind.STREET).exists()
    out = StringIO()
    call_command("load_demo_city", "--force", stdout=out)
    text = out.getvalue()
    assert "demo12345" in text and "officer2" in text and DEMO_STREET_CODE in text
    assert Unit.objects.filter(kind=Unit.Kind.STREET).count() >= 330


def test_the_demo_activity_fills_queues_answers_ratings_and_rankings_once(demo):
    """On an ordinary weekday morning. (On a month's last working day the responses the demo makes
    are due next month, so this month's table has no response rate to rank on, as the rules say.)"""
    from django.utils import timezone


    with time_machine.travel(local(2026, 11, 17, 9, 30), tick=True):
        check_demo_activity(timezone)


def check_demo_activity(timezone):

    from appeals.models import Appeal
    from dispatch.demo import MARK, load_demo_activity
    from dispatch.metrics.periods import period_containing
    from dispatch.metrics.ranking import ranking
    from dispatch.models import Callback, Dispatch
    from streets.demo.categories import DEMO_APPEALS

    done = load_demo_activity()
    assert done["appeals"] >= 40 and done["resolved"] and done["rated"]
    assert Appeal.objects.filter(text__startswith=MARK).count() == done["appeals"]
    filed = list(Appeal.objects.filter(text__startswith=MARK).values_list("text", "category__code"))
    for text, code in filed:
        assert text.startswith(MARK + DEMO_APPEALS[code]), (code, text)  # each text is its category's own
    assert len({code for _, code in filed}) > 5
    demo_dispatches = Dispatch.objects.filter(appeal__text__startswith=MARK)
    assert demo_dispatches.filter(state__in=Dispatch.OPEN_STATES).exists()  # queues have work waiting
    assert demo_dispatches.filter(unit__code=DEMO_STREET_CODE).exists()  # including the demo officer's
    assert Callback.objects.filter(state="rated").count() == done["rated"]
    demo_appeals = Appeal.objects.filter(text__startswith=MARK)  # some published, most not
    assert 0 < demo_appeals.filter(published=True).count() < demo_appeals.count()
    table = ranking(period_containing(timezone.now()), kind=Unit.Kind.STREET)
    assert any(row.rank == 1 for row in table)  # the dashboard opens on a ranked table
    assert load_demo_activity() == {"appeals": 0}  # a second run changes nothing
    assert Appeal.objects.filter(text__startswith=MARK).count() == done["appeals"]


def test_every_demo_text_is_keyed_by_a_street_category_the_demo_can_file_in(demo):
    """Demo appeals take their text from DEMO_APPEALS by their category's code, so text and category
    cannot disagree; every key is a leaf the demo activity files in (a street's, no required question)."""
    from streets.demo.categories import ATTRIBUTES, DEMO_APPEALS

    street_leaves = set(Category.objects.filter(is_leaf=True, active=True, duty__handler=Duty.Handler.STREET)
                        .values_list("code", flat=True))
    assert set(DEMO_APPEALS) <= street_leaves
    for code in DEMO_APPEALS:
        assert not any(required for _, _, required, *rest in ATTRIBUTES.get(code, ())), code
