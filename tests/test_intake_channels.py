"""One mapping from each channel's names to the intake service (appeals.services.appeal_fields): the
same appeal sent through the web form, the API and Open311 is stored with the same fields, and a
field a channel does not offer is never read from what it sent."""
import pytest

from appeals.models import Appeal

from .scenarios import post_form

pytestmark = pytest.mark.django_db

STORED = ("text", "category_id", "address", "latitude", "longitude", "contact_name", "contact_phone", "anonymous")
SAME = {"text": "西柳路8号楼下路灯不亮", "address": "西柳路8号", "latitude": "39.950000", "longitude": "116.150000",
        "contact_name": "张三", "contact_phone": "13800138000"}


def stored(appeal: Appeal) -> dict:
    return {field: str(getattr(appeal, field)) for field in STORED}


def test_the_same_appeal_is_stored_alike_from_every_channel(client, api_as, api_key, city):
    by_form = Appeal.objects.get(number=post_form(client, category=city.noise.code, **SAME))

    response = api_as(None).post("/api/v1/appeals/", {"category": city.noise.code, **SAME}, format="json")
    assert response.status_code == 201, response.content
    by_api = Appeal.objects.get(number=response.json()["number"])

    response = client.post("/open311/v2/requests.json", {
        "api_key": api_key[1], "service_code": city.noise.code, "description": SAME["text"],
        "address_string": SAME["address"], "lat": SAME["latitude"], "long": SAME["longitude"],
        "first_name": "三", "last_name": "张", "phone": SAME["contact_phone"],
    })
    assert response.status_code == 201, response.content
    by_open311 = Appeal.objects.exclude(pk__in=[by_form.pk, by_api.pk]).get()

    assert stored(by_form) == stored(by_api) == stored(by_open311)
    assert [by_form.channel, by_api.channel, by_open311.channel] == ["web", "api", "api"]


def test_open311_never_reads_intake_names_it_does_not_offer(client, api_key, city):
    response = client.post("/open311/v2/requests.json", {
        "api_key": api_key[1], "service_code": city.noise.code, "address_string": "西柳路8号",
        "phone": "13800138000", "email": "someone@example.org", "contact_email": "someone@example.org",
        "urgency": "urgent", "kind": "question", "text": "not the description",
    })
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert (appeal.contact_email, appeal.urgency, appeal.kind) == ("", "ordinary", "complaint")
    assert appeal.text == city.noise.name  # no description: the service's name, never "text"
