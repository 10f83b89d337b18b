"""The gazetteer: finding the street from what a resident wrote (streets/places.py), on the test city
plus a few places, and on the demo city's own gazetteer."""
from collections import Counter

import pytest

from appeals.services import submit_appeal
from dispatch.models import Dispatch
from dispatch.routing.route import route_appeal
from streets.models import Place
from streets.places import NOTHING, find_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer(city):
    """A park in street A2, a long road across A1 and A2, and a road whose name contains A2's alias
    西柳路 but lies in street B1 (the longest name must win)."""
    park = Place.objects.create(name="柳荫公园", name_en="Liuyin Park", kind="landmark", district=city.district_a)
    park.streets.set([city.street_a2])
    road = Place.objects.create(name="长安大道", name_en="Chang'an Avenue", kind="road", district=city.district_a)
    road.streets.set([city.street_a1, city.street_a2])
    far = Place.objects.create(name="西柳路东延", kind="road", district=city.district_b, aliases=["东延线"])
    far.streets.set([city.street_b1])
    return city


@pytest.mark.parametrize(("text", "address", "street"), [
    ("", "西柳路12号", "street_a2"),  # a street's address alias
    ("", "甲区西柳街道3号楼", "street_a2"),  # the street's own name, with its district
    ("西柳这边楼下天天吵", "", "street_a2"),  # the street's short form (西柳街道 -> 西柳), in the text
    ("噪音很大", "柳荫公园北门", "street_a2"),  # a gazetteer place
    ("near the south gate of Liuyin Park, loud music every night", "", "street_a2"),  # its English name
    ("", "LIUYIN PARK", "street_a2"),  # case does not matter
    ("", "西柳路东延88号", "street_b1"),  # the longest name wins over the alias it contains
    ("", "东延线", "street_b1"),  # a place's other name
    ("", "长安大道88号花园小区", "street_a1"),  # an ambiguous road narrowed by a compound in one street
    ("住在花园小区", "乙区", None),  # a district that contradicts the street: not that street
])
def test_the_street_is_found_from_what_is_written(gazetteer, text, address, street):
    found = find_place(text, address)
    expected = getattr(gazetteer, street).pk if street else None
    assert found.street_id == expected


@pytest.fixture
def written(gazetteer):
    """Places written the way residents shorten them: a community, a numbered area, a village, a
    campus in brackets, a pinyin compound; one short form two places in different streets share, and one
    that two places of the same street share."""
    for name, name_en, kind, street in (
            ("柳荫北里社区", "", "community", "street_a2"), ("柳荫八区", "", "compound", "street_a2"),
            ("西柳北里", "Xiliu Beili", "compound", "street_a2"), ("罗家庄村", "", "village", "street_b1"),
            ("南桥中学(北校区)", "", "landmark", "street_b1"), ("沿村村", "", "village", "street_b1"),
            ("青石桥村", "", "village", "street_a1"), ("青石桥社区", "", "community", "street_b1"),
            ("青松岭村", "", "village", "street_a1"), ("青松岭社区", "", "community", "street_a1")):
        street = getattr(gazetteer, street)
        Place.objects.create(name=name, name_en=name_en, kind=kind, district=street.parent).streets.set([street])
    return gazetteer


@pytest.mark.parametrize(("text", "address", "street"), [
    ("", "柳荫北里3号楼2单元", "street_a2"),  # a community without 社区, with a building number
    ("", "柳荫北里社区5号院", "street_a2"),
    ("", "柳荫8区12号楼", "street_a2"),  # a numbered area written with digits
    ("", "柳荫 八区", "street_a2"),  # a space between Chinese characters
    ("罗家庄那边的路灯一直不亮", "", "street_b1"),  # a village without 村
    ("", "南桥中学门口", "street_b1"),  # a campus without its bracketed part
    ("", "南桥中学（北校区）东门", "street_b1"),  # full-width brackets
    ("", "Building 3, Xiliu Beili", "street_a2"),
    ("", "xiliubeili 3-2-501", "street_a2"),  # pinyin run together
    ("", "Xiliu Sub-district", "street_a2"),  # the street's English name as residents also write it
    ("", "xiliu jiedao", "street_a2"),
    ("罗家庄的亲戚说", "西柳路5号", "street_a2"),  # a short form yields to a full name that disagrees
    ("", "青松岭12号", "street_a1"),  # a village and a community of one street shorten alike: still a name
])
def test_places_written_as_residents_shorten_them(written, text, address, street):
    assert find_place(text, address).street_id == getattr(written, street).pk


def test_an_english_road_abbreviated_is_the_road(written):
    found = find_place("", "No. 88 Changan Ave")
    assert set(found.candidates) == {written.street_a1.pk, written.street_a2.pk}
    assert found.names == ("Chang'an Avenue",)


@pytest.mark.parametrize(("text", "address"), [
    ("", "沿村"),  # 沿村村 shortened below three characters is no name
    ("", "青石桥"),  # two places in different streets shorten to it: no name
    ("", "柳荫九区"),  # another number
    ("", "柳荫北"),  # half a name
    ("", "Liuyin Parkway"),
    ("", "liuyinpark"),  # English words are never run together
])
def test_shortened_near_misses_find_no_street(written, text, address):
    found = find_place(text, address)
    assert found.street_id is None and not found.candidates


@pytest.mark.parametrize(("text", "address"), [
    ("", "西流路12号"),  # one character off: no street
    ("", "Liuyinpark"),  # an English name only as a whole word
    ("", "Liuyin Parkway"),
    ("柳荫", ""),  # half a name
    ("南乔路", ""),  # a homophone of 南桥路
    ("", "Nanqiaolu"),  # the English name run into another word
])
def test_near_misses_find_no_street(gazetteer, text, address):
    found = find_place(text, address)
    assert found.street_id is None and not found.candidates


def test_a_road_across_streets_gives_the_operators_its_streets(gazetteer):
    found = find_place("长安大道上有个井盖没了", "")
    assert found.ambiguous and found.street_id is None
    assert set(found.candidates) == {gazetteer.street_a1.pk, gazetteer.street_a2.pk}
    assert found.district_id == gazetteer.district_a.pk
    assert found.names == ("长安大道",)


def test_two_places_in_different_streets_are_both_candidates(gazetteer):
    found = find_place("", "南桥路到西柳路之间")
    assert found.ambiguous
    assert set(found.candidates) == {gazetteer.street_b1.pk, gazetteer.street_a2.pk}


def test_the_address_wins_over_a_place_mentioned_in_the_text(gazetteer):
    found = find_place("平时在南桥路上班", "西柳路5号")
    assert (found.street_id, found.source) == (gazetteer.street_a2.pk, "address")


def test_a_district_in_the_address_narrows_the_text(gazetteer):
    found = find_place("长安大道边上，西柳这边", "甲区")
    assert found.street_id == gazetteer.street_a2.pk


def test_only_a_district_gives_the_district(gazetteer):
    found = find_place("楼下垃圾没人清", "甲区某胡同")
    assert found.district_only and found.district_id == gazetteer.district_a.pk
    assert find_place("", "District B, somewhere").district_id == gazetteer.district_b.pk


def test_a_place_added_in_the_admin_is_found_at_once(gazetteer, admin_client):
    assert find_place("", "翠湖苑3号楼").street_id is None
    response = admin_client.post("/admin/streets/place/add/", {
        "name": "翠湖苑", "name_en": "", "aliases": "[]", "kind": "compound",
        "district": gazetteer.district_b.pk, "streets": [gazetteer.street_b1.pk],
    })
    assert response.status_code == 302, response.content[:2000]
    assert find_place("", "翠湖苑3号楼").street_id == gazetteer.street_b1.pk
    place = Place.objects.get(name="翠湖苑")
    place.streets.set([gazetteer.street_a1])  # moved to another street: the matcher follows
    assert find_place("", "翠湖苑3号楼").street_id == gazetteer.street_a1.pk


@pytest.mark.parametrize(("setting", "unit"), [(True, "district_a"), (False, None)])
def test_a_street_matter_placed_only_in_a_district_goes_there_when_the_city_enables_it(
        gazetteer, settings, setting, unit):
    settings.ROUTING_TO_DISTRICT = setting
    appeal = submit_appeal(text="楼下夜里施工太吵", category_code=gazetteer.noise.code, address="甲区某胡同",
                           contact_phone="13600136000").appeal
    dispatch = route_appeal(appeal_id=appeal.pk)
    if unit is None:
        assert dispatch is None
        assert appeal.events.last().data["message"]["code"] == "routing.no_street"
    else:
        assert dispatch.unit == getattr(gazetteer, unit)
        assert dispatch.district == gazetteer.district_a  # the district's officers see it in their queue
        assert Dispatch.objects.get(appeal=appeal).unit.kind == "district"


def test_the_demo_citys_gazetteer_finds_streets_from_real_addresses(db):
    from streets.demo.builder import load_demo_city
    from streets.models import Unit

    load_demo_city()
    name = dict(Unit.objects.values_list("id", "name"))
    assert name[find_place("", "东华门大街12号").street_id] == "东华门街道"
    assert name[find_place("望京街道花家地北里", "").street_id] == "望京街道"
    assert name[find_place("楼上装修太吵", "望京花家地北里3号楼").street_id] == "望京街道"
    assert name[find_place("near the south gate of Ritan Park, loud music every night", "").street_id] == "朝外街道"
    ambiguous = find_place("", "前门大街")
    assert {name[s] for s in ambiguous.candidates} == {"前门街道", "大栅栏街道"}
    assert name[find_place("", "朝阳区").district_id] == "朝阳区"
    assert name[find_place("", "宣武区某胡同").district_id] == "西城区"  # former names residents still write
    assert name[find_place("", "密云县城里").district_id] == "密云区"
    assert find_place("", "海淀").street_id is None  # 海淀区 or 海淀街道: a short form shared is no name
    assert name[find_place("", "Huajiadi Beili Building 3").street_id] == "望京街道"
    assert name[find_place("", "劲松8区15号楼").street_id] == "劲松街道"
    assert name[find_place("", "东四6条").street_id] == "东四街道"
    for ordinary in ("小区北大门的路灯坏了", "居民大会上说过", "工地大门口堆满渣土", "家门口的大柳树"):
        assert find_place(ordinary, "") == NOTHING, ordinary  # ordinary words that once read as places


def test_every_street_of_the_demo_city_has_its_places():
    from streets.demo.districts import streets
    from streets.demo.gazetteer import gazetteer

    counts = Counter(street for place in gazetteer() for street in place.streets)
    assert set(counts) <= {street.name for street in streets()}
    assert min(counts[street.name] for street in streets()) >= 10
