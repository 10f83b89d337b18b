"""The resident's map and "is this already reported?", through the API and the pages: where a pin
falls and who handles it, places by name, the boundaries drawn without tiles, nearby open appeals
that show nothing private, and following one with a tracking number of one's own."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from appeals.followers import followers_to_notify, nearby_open_appeals
from appeals.models import Appeal, AppealEvent, Follower
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.models import Callback
from dispatch.routing.route import route_appeal

pytestmark = pytest.mark.django_db

INSIDE_A1 = (39.95, 116.05)


def file(city, *, text="楼下噪声扰民", category=None, at=INSIDE_A1, publish=False, phone="13800138000"):
    submitted = submit_appeal(text=text, category_code=(category or city.noise).code, latitude=at[0],
                              longitude=at[1], contact_name="张三", contact_phone=phone, publish=publish)
    route_appeal(appeal_id=submitted.appeal.pk)
    return submitted


def test_a_pin_names_the_street_and_who_handles_it(client, city):
    answer = client.get(reverse("api:place-at"), {"lat": 39.95, "lng": 116.15}).json()
    assert answer["street"] == {"code": "DA-S2", "name": "西柳街道"}
    assert answer["district"] == {"code": "DA", "name": "甲区"}
    assert answer["handler"]["code"] == "DA-S2"  # no category: the street
    water = client.get(reverse("api:place-at"), {"lat": 39.95, "lng": 116.15, "category": city.water_outage.code})
    assert water.json()["handler"] == {"code": "DEP-WATER", "name": "自来水集团"}
    english = client.get(reverse("api:place-at"), {"lat": 39.95, "lng": 116.15}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["street"]["name"] == "Xiliu"


def test_a_pin_outside_the_city_is_refused_at_once(client, city):
    outside = client.get(reverse("api:place-at"), {"lat": 31.23, "lng": 121.47})
    assert outside.status_code == 404 and outside.json()["detail"] == "该地点不在本市范围内。"
    for bad in ({"lat": "north", "lng": 116.1}, {"lat": 91, "lng": 116.1}, {"lat": 39.9}, {"lat": "nan", "lng": "1"}):
        response = client.get(reverse("api:place-at"), bad)
        assert response.status_code == 400, bad


def test_places_are_found_by_name_alias_and_in_english(client, city):
    found = client.get(reverse("api:places-search"), {"q": "西柳"}).json()
    assert [(p["kind"], p["code"]) for p in found] == [("street", "DA-S2")]
    assert 39.9 < found[0]["latitude"] < 40.0 and 116.1 < found[0]["longitude"] < 116.2
    assert [p["code"] for p in client.get(reverse("api:places-search"), {"q": "花园小区"}).json()] == ["DA-S1"]
    assert [p["code"] for p in client.get(reverse("api:places-search"), {"q": "district b"}).json()] == ["DB"]
    assert client.get(reverse("api:places-search"), {"q": ""}).json() == []
    assert client.get(reverse("api:places-search"), {"q": "x" * 101}).status_code == 400


def test_the_boundaries_name_every_district_and_street(client, city):
    response = client.get(reverse("api:places-boundaries"))
    assert "max-age=3600" in response["Cache-Control"]
    features = response.json()["features"]
    assert {(f["properties"]["kind"], f["properties"]["name"]) for f in features} == {
        ("district", "甲区"), ("district", "乙区"),
        ("street", "东花街道"), ("street", "西柳街道"), ("street", "南桥街道"),
    }
    district_a = next(f for f in features if f["properties"]["code"] == "DA")
    assert district_a["geometry"]["type"] == "Polygon"  # its two streets' union


def test_nearby_lists_open_appeals_of_the_category_and_nothing_private(client, city, settings):
    settings.NEARBY_RADIUS_METERS = 300
    published = file(city, text="工地夜里施工，电话13912345678", publish=True, phone="13911112222")
    private = file(city, text="邻居装修声音很大", at=(39.951, 116.05), phone="13933334444")  # ~111 m away
    file(city, text="远处的噪声", at=(39.96, 116.05))  # ~1.1 km away
    file(city, text="停水了", category=city.water_outage)  # another category
    closed = file(city, text="已经解决的噪声")
    Appeal.objects.filter(pk=closed.appeal.pk).update(status=Appeal.Status.CLOSED)

    response = client.get(reverse("api:appeals-nearby"), {"category": city.noise.code, "lat": 39.95, "lng": 116.05})
    found = response.json()
    assert [item["distance_m"] for item in found] == [0, 111]
    assert found[0]["text"] == "工地夜里施工，电话139****5678" and found[1]["text"] == ""
    assert {item["status"] for item in found} == {"dispatched"}
    body = response.content.decode()
    for secret in (published.appeal.number, private.appeal.number, "邻居装修", "13911112222", "13933334444", "张三"):
        assert secret not in body

    city.noise.nearby_radius_m = 50  # the category's own radius comes first
    city.noise.save()
    from appeals import catalogue
    catalogue.reset_catalogue()
    assert [item.distance_m for item in nearby_open_appeals(category_code=city.noise.code, latitude=39.95,
                                                            longitude=116.05)] == [0]

    nearby = reverse("api:appeals-nearby")
    assert client.get(nearby, {"category": "NOPE", "lat": 39.95, "lng": 116.05}).status_code == 400
    assert client.get(nearby, {"category": city.noise.code, "lat": 31.2, "lng": 121.4}).status_code == 400


def follow(client, city, **extra):
    ref = client.get(reverse("api:appeals-nearby"),
                     {"category": city.noise.code, "lat": 39.95, "lng": 116.05}).json()[0]["ref"]
    return client.post(reverse("api:appeal-follow"), {"ref": ref, **extra}, content_type="application/json")


def test_following_gives_a_linked_number_whose_tracking_shows_the_shared_progress(client, city, officers):
    original = file(city)
    response = follow(client, city, contact_phone="136 0013 6000")
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["number"] != original.appeal.number
    follower = Follower.objects.get(number=receipt["number"])
    assert follower.appeal == original.appeal and follower.contact_phone == "13600136000"
    assert list(followers_to_notify(original.appeal.pk)) == [follower]
    event = AppealEvent.objects.get(appeal=original.appeal, kind=AppealEvent.Kind.FOLLOWED)
    assert not event.public and event.data["follower"] == follower.pk

    dispatch = original.appeal.dispatches.get()
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], note="已联系")
    tracked = client.get(reverse("api:appeal-track"), {"number": receipt["number"], "code": receipt["access_code"]})
    summary = tracked.json()
    assert summary["number"] == receipt["number"] and summary["following"] is True
    assert summary["status"] == "responded" and summary["unit"] == "东花街道"
    assert original.appeal.number not in tracked.content.decode()
    wrong = client.get(reverse("api:appeal-track"), {"number": receipt["number"], "code": "WRONG234"})
    assert wrong.status_code == 404

    page = Client()
    page.force_login(officers["officer_a1"].user)
    detail = page.get(reverse("console:dispatch", args=[dispatch.pk])).content.decode()
    assert "另有 1 位居民反映了同一问题" in detail
    api = page.get(reverse("api:dispatch-detail", args=[dispatch.pk])).json()
    assert api["followers"] == 1
    assert page.get(reverse("api:dispatch-list")).json()["results"][0]["followers"] == 1


def test_a_follower_rates_the_outcome_on_their_own_page(client, city, officers):
    original = file(city)
    receipt = follow(client, city).json()
    dispatch = original.appeal.dispatches.get()
    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer, note="已联系")
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer="已处理")
    lookup = {"number": receipt["number"], "code": receipt["access_code"]}
    page = client.post(reverse("appeals:track"), lookup).content.decode()
    assert 'name="rate"' in page and "following-note" in page
    client.post(reverse("appeals:track"), {**lookup, "rate": "1", "solved": "no", "satisfaction": "dissatisfied"})
    follower = Follower.objects.get(number=receipt["number"])
    assert follower.solved is False and follower.satisfaction == "dissatisfied" and follower.rated_at
    assert not Callback.objects.filter(dispatch=dispatch, rated_at__isnull=False).exists()  # the survey is untouched
    again = client.post(reverse("appeals:track"), lookup).content.decode()
    assert 'name="rate"' not in again


def test_only_open_appeals_can_be_followed_and_refs_cannot_be_forged(client, city):
    original = file(city)
    ref = nearby_open_appeals(category_code=city.noise.code, latitude=39.95, longitude=116.05)[0].ref
    Appeal.objects.filter(pk=original.appeal.pk).update(status=Appeal.Status.RESOLVED)
    closed = client.post(reverse("api:appeal-follow"), {"ref": ref}, content_type="application/json")
    assert closed.status_code == 400 and "ref" in closed.json()
    forged = client.post(reverse("api:appeal-follow"), {"ref": "1:abc:def"}, content_type="application/json")
    assert forged.status_code == 400 and "ref" in forged.json()
    assert not Follower.objects.exists()


def test_the_form_works_without_script_and_offers_the_map_with_it(client, city):
    page = client.get(reverse("appeals:home")).content.decode()
    assert 'id="place-map"' in page and 'id="place-map" class="place-map" hidden' in page  # shown by map.js
    assert 'name="latitude"' in page and 'name="longitude"' in page and 'name="address"' in page
    assert 'accept="image/*" capture="environment"' in page
    assert "vendor/leaflet/leaflet.js" in page and "https://" not in page.split("<main")[0]
    assert 'id="suggestions"' not in page  # no suggestions endpoint in this project: nothing calls one
    assert f'value="{city.noise.code}" data-street="1"' in page
    assert f'value="{city.water_outage.code}" data-street' not in page
    response = client.post(reverse("appeals:home"), {
        "text": "路灯不亮", "category": city.noise.code, "kind": "complaint", "urgency": "ordinary",
        "latitude": "39.95", "longitude": "116.05", "contact_phone": "13800138000",
    })
    assert response.status_code == 302 and Appeal.objects.get(text="路灯不亮").latitude is not None


def policy_with(env: dict) -> str:
    """The content security policy a fresh process builds from these environment variables."""
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
            "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])")
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DEBUG": "1", **env},
                            capture_output=True, text=True, cwd=settings.BASE_DIR)
    return result.stdout.strip() + result.stderr


def test_a_tile_server_is_allowed_in_img_src_and_nothing_more():
    assert policy_with({"MAP_TILE_URL": ""}) == "[\"'self'\", 'data:']"
    assert policy_with({"MAP_TILE_URL": "https://tiles.example.gov.cn/{z}/{x}/{y}.png"}) == (
        "[\"'self'\", 'data:', 'https://tiles.example.gov.cn']")
    assert "ImproperlyConfigured" in policy_with({"MAP_TILE_URL": "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"})


def test_the_form_names_the_tile_server_when_one_is_set(client, city, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    page = client.get(reverse("appeals:home")).content.decode()
    assert 'data-tile-url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in page
