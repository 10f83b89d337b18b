"""Intake: one service behind the form and the API; bad input stores nothing."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from appeals.models import Appeal, AppealEvent
from appeals.tracking import code_matches_any
from config.api_errors import MAX_ERRORS

from .scenarios import file_appeal, png_upload

pytestmark = pytest.mark.django_db


def test_a_valid_appeal_is_stored_with_a_received_event_and_a_hashed_code(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        submitted = file_appeal(city)
    appeal = Appeal.objects.get()
    assert appeal.number == submitted.appeal.number
    assert appeal.status == Appeal.Status.RECEIVED
    assert appeal.routed_at is None
    assert submitted.access_code not in appeal.access_code_hash
    assert code_matches_any(appeal.number, submitted.access_code, [appeal.access_code_hash])
    assert not code_matches_any(appeal.number, "WRONGCODE", [appeal.access_code_hash])
    assert list(appeal.events.values_list("kind", flat=True)) == [AppealEvent.Kind.RECEIVED]
    assert len(callbacks) == 2  # routing and the SMS receipt are queued only after commit


def test_anonymous_appeals_keep_no_contact_details(city):
    file_appeal(city, anonymous=True)
    appeal = Appeal.objects.get()
    assert (appeal.contact_name, appeal.contact_phone) == ("", "")


def test_photos_are_stored(city):
    file_appeal(city, photos=[png_upload(), png_upload("b.png")])
    assert Appeal.objects.get().photos.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"category_code": "NO-SUCH-CATEGORY"}, "category"),
        ({"latitude": 31.23, "longitude": 121.47}, "latitude"),  # outside the city
        ({"latitude": 95, "longitude": 116.05}, "latitude"),  # impossible
        ({"latitude": "abc", "longitude": 116.05}, "latitude"),
        ({"latitude": 39.95, "longitude": None}, "latitude"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"contact_phone": "call me maybe"}, "contact_phone"),
        ({"urgency": "apocalyptic"}, "urgency"),
        ({"photos": [SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", content_type="image/png")]}, "photos"),
    ],
)
def test_bad_input_gets_a_field_error_and_stores_nothing(city, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        file_appeal(city, **overrides)
    assert field in excinfo.value.message_dict
    assert Appeal.objects.count() == 0
    assert AppealEvent.objects.count() == 0


@override_settings(APPEAL_PHOTO_MAX_BYTES=100)
def test_a_photo_over_the_size_limit_is_refused(city):
    with pytest.raises(ValidationError) as excinfo:
        file_appeal(city, photos=[png_upload(size=(64, 64))])
    assert "photos" in excinfo.value.message_dict
    assert Appeal.objects.count() == 0


def test_a_category_that_is_not_a_leaf_is_refused(city):
    parent = city.noise.__class__.objects.create(code="ENV", name="环境", level=1, is_leaf=False)
    with pytest.raises(ValidationError):
        file_appeal(city, category_code=parent.code)


def test_all_problems_are_reported_at_once(city):
    with pytest.raises(ValidationError) as excinfo:
        file_appeal(city, text="", category_code="NOPE", contact_phone="")
    assert {"text", "category", "contact_phone"} <= set(excinfo.value.message_dict)


def test_the_web_form_shows_field_errors_and_stores_nothing(client, city):
    response = client.post(reverse("appeals:home"), {"text": "", "kind": "complaint", "urgency": "ordinary",
                                                     "category": "", "contact_phone": "13800138000"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Please describe the problem." in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_web_form_shows_the_number_and_code_once(client, city):
    response = client.post(
        reverse("appeals:home"),
        {"text": "路灯不亮", "kind": "report", "urgency": "ordinary", "category": city.noise.code,
         "latitude": "39.95", "longitude": "116.05", "contact_name": "李四", "contact_phone": "13900139000",
         "photos": [png_upload()]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    appeal = Appeal.objects.get()
    assert appeal.number in page
    assert appeal.channel == Appeal.Channel.WEB
    assert appeal.photos.count() == 1


def test_the_api_returns_field_errors_under_field_names(api_as, city):
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "x", "category": "NOPE", "latitude": "31.2", "longitude": "121.4",
                             "contact_phone": "13800138000"}, format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"category", "latitude"}
    assert Appeal.objects.count() == 0


def test_the_api_files_an_appeal_on_the_api_channel(api_as, city):
    response = api_as(None).post(
        "/api/v1/appeals/", {"text": "停水两天了", "category": city.water_outage.code, "address": "西柳路8号",
                             "contact_phone": "13800138000", "channel": "phone"}, format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get(number=body["number"])
    assert appeal.channel == Appeal.Channel.API  # only operators may claim the phone channel
    assert code_matches_any(appeal.number, body["access_code"], [appeal.access_code_hash])


def test_an_operator_files_a_phone_appeal(api_as, officers, city):
    response = api_as(officers["operator"]).post(
        "/api/v1/appeals/", {"text": "电话来电：停水", "category": city.water_outage.code,
                             "contact_phone": "13800138000", "channel": "phone"}, format="json",
    )
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.channel == Appeal.Channel.PHONE
    assert appeal.submitted_by == officers["operator"].user


@pytest.mark.django_db
def test_a_huge_list_is_refused_by_its_length_with_a_small_answer(api_as, city):
    """Issue 14: 400,000 photo entries were validated one by one (8-13 s) and answered with one
    error each (34 MB). The body is refused by its length before it is read; a list within the
    body limit by its length before its items; every list of errors is short."""
    client = api_as(None)
    huge = client.post("/api/v1/appeals/", {"text": "ok", "photos": ["a"] * 400_000}, format="json")
    assert huge.status_code == 413 and len(huge.content) < 500
    long = client.post("/api/v1/appeals/", {"text": "ok", "photos": ["a"] * 100_000}, format="json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert long.status_code == 400
    assert long.json() == {"photos": ["Ensure this field has no more than 20 elements."]}
    items = client.post("/api/v1/appeals/", {"text": "ok", "photos": ["a"] * 20}, format="json")
    assert items.status_code == 400
    assert len(items.json()["photos"]) == MAX_ERRORS  # of 20 items at fault
    assert Appeal.objects.count() == 0
