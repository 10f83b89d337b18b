"""Published appeals (appeals/publication.py): the public page and list show the text with personal
data removed (or as an operator edited or hid it), approved photos only, the place rounded, the
unit, the timeline and the answer; Open311's GET requests shows exactly the same text."""

import pytest
from django.urls import reverse

from appeals.models import AppealEvent
from appeals.photos import reencode_pending
from appeals.privacy import mask_text
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.routing import route

from .scenarios import png_upload

pytestmark = pytest.mark.django_db

TEXT = "我叫张三丰，住3号楼，电话13912345678，身份证110101199003071234。楼下烧烤店每晚噪声扰民。"


def published(city, **overrides):
    fields = dict(text=TEXT, category_code=city.noise.code, latitude="39.951234", longitude="116.051234",
                  contact_name="张三丰", contact_phone="13912345678", publish=True, photos=[png_upload()])
    appeal = submit_appeal(**{**fields, **overrides}).appeal
    reencode_pending(appeal_id=appeal.pk)
    route.route_appeal(appeal_id=appeal.pk)
    appeal.refresh_from_db()
    return appeal


@pytest.mark.parametrize(("text", "masked"), [
    ("我叫张三，电话13800138000", "我叫**，电话138****8000"),
    ("本人李四反映：路灯不亮", "本人**反映：路灯不亮"),
    ("姓名：欧阳娜娜", "姓名：****"),
    ("联系人王五", "联系人**"),
    ("Hello, my name is Li Lei and the lamp is out", "Hello, my name is ****** and the lamp is out"),
    ("身份证11010119900307451X", "身份证******************"),
])
def test_personal_data_is_masked_in_published_text(text, masked):
    assert mask_text(text) == masked


def test_the_public_page_shows_the_masked_text_rounded_place_unit_timeline_and_answer(client, city, officers):
    appeal = published(city)
    dispatch = appeal.dispatches.get()
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"],
                             answer="已联系店主整改，如有问题请拨 13812345678")
    page = client.get(reverse("appeals:published-detail", args=[appeal.public_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "13912345678" not in body and "张三丰" not in body and "110101199003071234" not in body
    assert "139****5678" in body and "楼下烧烤店每晚噪声扰民" in body
    assert "39.951, 116.051" in body and "39.951234" not in body
    assert "东花街道" in body  # the unit
    assert "已联系店主整改" in body and "13812345678" not in body  # the answer, masked
    assert appeal.number not in body
    assert 'data-lat="39.951"' in body  # the map's hook


def test_photos_show_only_once_an_operator_approved_them(client, city, officers):
    appeal = published(city)
    photo = appeal.photos.get()
    photo_url = reverse("appeals:published-photo", args=[appeal.public_id, photo.pk])
    assert photo_url not in client.get(reverse("appeals:published-detail", args=[appeal.public_id])).content.decode()
    assert client.get(photo_url).status_code == 404
    client.force_login(officers["operator"].user)
    review = reverse("console:publication", args=[appeal.pk])
    assert client.post(review, {"public_text": "", "photos": [photo.pk]}).status_code == 302
    client.logout()
    assert photo_url in client.get(reverse("appeals:published-detail", args=[appeal.public_id])).content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_an_operator_edits_or_hides_the_text_and_open311_shows_the_same(client, city, officers):
    appeal = published(city)
    client.force_login(officers["operator"].user)
    review = reverse("console:publication", args=[appeal.pk])
    events = AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.NOTE)
    client.post(review, {"public_text": "住户反映楼下烧烤店夜间噪声，电话 13912345678"})
    assert events.count() == 1 and not events.get().public
    client.post(review, {"public_text": "住户反映楼下烧烤店夜间噪声，电话 13912345678"})
    assert events.count() == 1  # nothing changed: no event
    client.logout()
    open311 = client.get(f"/open311/v2/requests/{appeal.public_id}.json").json()[0]
    page = client.get(reverse("appeals:published-detail", args=[appeal.public_id])).content.decode()
    assert open311["description"] == "住户反映楼下烧烤店夜间噪声，电话 139****5678"
    assert open311["description"] in page and "13912345678" not in page

    client.force_login(officers["operator"].user)
    client.post(review, {"public_text": "", "hidden": "on"})
    client.logout()
    assert client.get(f"/open311/v2/requests/{appeal.public_id}.json").json()[0]["description"] is None
    page = client.get(reverse("appeals:published-detail", args=[appeal.public_id])).content.decode()
    assert "噪声" not in page.split("<h2>", 2)[-1].split("</p>")[0] and 'id="public-text"' not in page


def test_unpublished_appeals_have_no_public_page(client, city):
    appeal = published(city, publish=False)
    assert not appeal.public_id
    listed = client.get(reverse("appeals:published")).content.decode()
    assert "楼下烧烤店" not in listed
    assert client.get(reverse("appeals:published-detail", args=["NOSUCHID2345"])).status_code == 404


def test_the_list_filters_by_category_district_and_status_and_pages(client, city, officers, settings):
    in_a = published(city, text="甲区噪声")
    in_b = published(city, text="乙区噪声", latitude="39.95", longitude="116.25")
    water = published(city, text="停水三天", category_code=city.water_outage.code)
    dispatch = in_a.dispatches.get()
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已处理")

    def listed(**params):
        body = client.get(reverse("appeals:published"), params).content.decode()
        return {appeal.text for appeal in (in_a, in_b, water) if appeal.public_id in body}

    assert listed() == {"甲区噪声", "乙区噪声", "停水三天"}
    assert listed(district="DA") == {"甲区噪声"}
    assert listed(district="DB") == {"乙区噪声"}
    assert listed(status="closed") == {"甲区噪声"}
    assert listed(status="open") == {"乙区噪声", "停水三天"}
    assert listed(category=city.water_outage.code) == {"停水三天"}
    assert listed(category="NO-SUCH") == {"甲区噪声", "乙区噪声", "停水三天"}  # an unknown value filters nothing
    assert client.get(reverse("appeals:published"), {"page": "9999"}).status_code == 200


def test_the_list_pages_twenty_at_a_time(client, city):
    for n in range(21):
        submit_appeal(text=f"第{n}件", category_code=city.noise.code, contact_phone="13912345678", publish=True)
    first = client.get(reverse("appeals:published")).content.decode()
    second = client.get(reverse("appeals:published"), {"page": 2}).content.decode()
    assert first.count("data-public-id=") == 20 and second.count("data-public-id=") == 1


@pytest.mark.parametrize("public_id", ["a%00b", "TOO-LONG-AND-WRONG-ID", "%E2%80%AE"])
def test_a_malformed_public_id_is_a_404(client, city, public_id):
    assert client.get(f"/published/{public_id}/").status_code == 404
    assert client.get(f"/published/{public_id}/photos/1/").status_code == 404
