"""The resident's phone number: a Chinese mobile or landline (libphonenumber, region CN), checked by
the one intake rule behind the web form, the operators' phone form, the API and Open311, and stored
in one normalised form whatever was typed."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import submit_appeal

pytestmark = pytest.mark.django_db

ERROR_EN = "Enter a mobile number (e.g. 138 0013 8000) or a landline with its area code (e.g. 010-6552 9988)."
ERROR_ZH = "请填写手机号码（如 138 0013 8000）或带区号的固定电话（如 010-6552 9988）。"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese keyboard
        ("010-65529988", "01065529988"),
        ("(010) 6552 9988", "01065529988"),
        ("+86 10 6552 9988", "01065529988"),
        ("0755-2345 6789", "075523456789"),
    ],
)
def test_mobile_and_landline_numbers_are_stored_in_one_form(city, typed, stored):
    appeal = submit_appeal(text="路灯不亮", category_code=city.noise.code, contact_phone=typed).appeal
    assert Appeal.objects.get(pk=appeal.pk).contact_phone == stored


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "call me maybe",
        "12345",
        "1380013800",  # a digit short
        "138001380001",  # a digit too many
        "65529988",  # a landline without its area code
        "4008123123",  # a service number: nobody answers a callback there
        "95588",
        "+1 202 555 0143",  # not a Chinese number
        "010 6552 9988 ext 12",
        "1" * 40,
    ],
)
def test_anything_else_is_refused_with_a_clear_error(city, typed):
    with pytest.raises(ValidationError) as excinfo:
        submit_appeal(text="路灯不亮", category_code=city.noise.code, contact_phone=typed)
    assert excinfo.value.message_dict == {"contact_phone": [ERROR_ZH]}
    assert Appeal.objects.count() == 0


def test_the_web_form_explains_a_wrong_number_in_the_readers_language(client, city):
    fields = {"text": "路灯不亮", "kind": "complaint", "urgency": "ordinary", "contact_phone": "abc"}
    english = client.post(reverse("appeals:home"), fields, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and ERROR_EN in english.content.decode()
    chinese = client.post(reverse("appeals:home"), fields, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 400 and ERROR_ZH in chinese.content.decode()
    assert Appeal.objects.count() == 0


def test_the_operators_phone_form_checks_the_callers_number(client, officers, city):
    client.force_login(officers["operator"].user)
    fields = {"text": "来电反映路灯不亮", "kind": "complaint", "urgency": "ordinary", "contact_phone": "abc"}
    response = client.post("/console/phone/", fields, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and ERROR_EN in response.content.decode()
    client.post("/console/phone/", {**fields, "contact_phone": "010 6552 9988"})
    assert Appeal.objects.get().contact_phone == "01065529988"


def test_the_api_refuses_a_wrong_number_under_its_field(api_as, city):
    client = api_as(None, language="en")
    response = client.post("/api/v1/appeals/", {"text": "路灯不亮", "contact_phone": "abc"}, format="json")
    assert response.status_code == 400 and response.json() == {"contact_phone": [ERROR_EN]}
    response = client.post("/api/v1/appeals/", {"text": "路灯不亮", "contact_phone": "+86 139 0013 9000"},
                           format="json")
    assert response.status_code == 201
    assert Appeal.objects.get().contact_phone == "13900139000"


def test_open311_refuses_a_wrong_number(client, city, api_key):
    fields = {"api_key": api_key[1], "service_code": city.noise.code, "address_string": "西柳路8号"}
    response = client.post("/open311/v2/requests.json", {**fields, "phone": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": f"phone: {ERROR_EN}"}]
    response = client.post("/open311/v2/requests.json", {**fields, "phone": "138 0013 8000"})
    assert response.status_code == 201
    assert Appeal.objects.get().contact_phone == "13800138000"


def test_repeats_typed_differently_fold_by_the_normalised_number(city):
    fields = {"text": "路灯不亮", "category_code": city.noise.code, "source": "device:one"}
    first = submit_appeal(**fields, contact_phone="13800138000")
    again = submit_appeal(**fields, contact_phone="+86 138-0013-8000")
    assert again.folded and again.appeal.pk == first.appeal.pk
