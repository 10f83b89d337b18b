"""Repeated identical submissions from one sender within minutes are folded into the first appeal:
no second appeal, a note on the first, and a fresh working code for the resident who sent it.
Only a sender that provably sent the first may fold (the same device, or the same operator for the
same caller): a phone number or an address proves nothing, and a fold hands out a working code."""
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from appeals.models import AccessCode, Appeal, AppealEvent
from appeals.selectors import appeal_for_tracking
from streets.models import Officer

from .factories import OfficerFactory
from .scenarios import file_appeal, png_upload, race

# A resident's appeal from their device; sent again, it is a repeat (any field can be changed).
submit = partial(file_appeal, text="小区门口路灯不亮已经一周", contact_name="王五", source="device:one")


def fold_notes(appeal) -> list[AppealEvent]:
    return list(appeal.events.filter(kind=AppealEvent.Kind.NOTE))


@pytest.mark.django_db
def test_a_repeat_is_folded_into_the_first_appeal_with_a_note_and_a_new_code(city, django_capture_on_commit_callbacks):
    first = submit(city)
    with django_capture_on_commit_callbacks() as callbacks, translation.override("en"):
        repeat = submit(city)
    assert repeat.folded and not first.folded
    assert repeat.appeal.pk == first.appeal.pk
    assert Appeal.objects.count() == 1
    assert callbacks == []  # routing is not queued a second time
    assert repeat.access_code != first.access_code
    number = first.appeal.number
    assert appeal_for_tracking(number=number, code=first.access_code) == first.appeal
    assert appeal_for_tracking(number=number, code=repeat.access_code) == first.appeal
    assert appeal_for_tracking(number=number, code="WRONGONE") is None
    [note] = fold_notes(first.appeal)
    assert not note.public
    with translation.override("en"):
        assert "folded" in note.display_note  # written while English was active, read in each language
    with translation.override("zh-hans"):
        assert note.display_note == "重复提交已并入本诉求，并发放了新的查询码。"
    assert AccessCode.objects.filter(appeal=first.appeal).count() == 1
    assert first.appeal.events.filter(kind=AppealEvent.Kind.RECEIVED).count() == 1


@pytest.mark.django_db
def test_case_width_and_spacing_do_not_make_a_new_appeal(city):
    first = submit(city, text="Street lamp  is OUT\n at gate 3")
    assert submit(city, text="  street lamp is out at gate ３ ").appeal == first.appeal


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: {"text": "小区门口路灯不亮已经两周"}, id="text"),
        pytest.param(lambda: {"category_code": None}, id="category"),
        pytest.param(lambda: {"latitude": 39.95, "longitude": 116.15}, id="place"),
        pytest.param(lambda: {"address": "东花路1号"}, id="address"),
        pytest.param(lambda: {"contact_phone": "13900139000"}, id="phone"),
        pytest.param(lambda: {"photos": [png_upload()]}, id="photo"),
    ],
)
def test_a_different_appeal_is_not_folded(city, change):
    first = submit(city)
    assert not submit(city, **change()).folded
    assert Appeal.objects.exclude(pk=first.appeal.pk).count() == 1


@pytest.mark.django_db
def test_the_same_photos_again_are_a_repeat(city):
    first = submit(city, photos=[png_upload()])
    repeat = submit(city, photos=[png_upload("renamed.png")])
    assert repeat.appeal == first.appeal
    assert first.appeal.photos.count() == 1


@pytest.mark.django_db
def test_anonymous_repeats_are_told_apart_by_device(city):
    first = submit(city, anonymous=True, source="device:one")
    assert submit(city, anonymous=True, source="device:one").appeal == first.appeal
    assert not submit(city, anonymous=True, source="device:two").folded


@pytest.mark.django_db
def test_without_a_known_source_nothing_is_folded(city):
    submit(city, anonymous=True, source="")
    assert not submit(city, anonymous=True, source="").folded
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_a_repeat_after_the_window_is_a_new_appeal(city, settings):
    settings.APPEAL_FOLD_WINDOW_SECONDS = 600
    first = submit(city)
    Appeal.objects.filter(pk=first.appeal.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    assert not submit(city).folded
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_the_web_form_shows_the_same_number_with_a_new_code_and_says_why(client, city):
    data = {"text": "垃圾未清运", "kind": "complaint", "urgency": "ordinary", "category": city.noise.code,
            "latitude": "39.95", "longitude": "116.05", "contact_phone": "13900139000"}
    client.get(reverse("appeals:home"))  # the form page hands out the device cookie
    client.post(reverse("appeals:home"), data)
    first_code = client.session["submitted_appeal"]["code"]
    response = client.post(reverse("appeals:home"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    appeal = Appeal.objects.get()
    page = response.content.decode()
    assert appeal.number in page and "was not filed twice" in page
    second_code = client.session["submitted_appeal"]["code"]
    assert second_code != first_code and second_code in page
    assert appeal_for_tracking(number=appeal.number, code=second_code) == appeal


@pytest.mark.django_db
def test_the_api_answers_a_repeat_with_200_and_a_working_code(api_as, city):
    payload = {"text": "停水了", "category": city.water_outage.code, "contact_phone": "13800138000"}
    client = api_as(None)
    device = client.post("/api/v1/appeals/", {"text": ""}, format="json")["X-Appeal-Device"]  # any answer has one
    first = client.post("/api/v1/appeals/", payload, format="json", HTTP_X_APPEAL_DEVICE=device)
    repeat = client.post("/api/v1/appeals/", payload, format="json", HTTP_X_APPEAL_DEVICE=device)
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert (first.json()["folded"], repeat.json()["folded"]) == (False, True)
    assert repeat.json()["number"] == first.json()["number"]
    tracked = client.get("/api/v1/appeals/track/", {"number": repeat.json()["number"],
                                                     "code": repeat.json()["access_code"]})
    assert tracked.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_identical_posts_at_once_make_one_appeal(city, routing_queued):
    """Real concurrent intakes: exactly one claims the fingerprint in Redis, the others fold into it."""
    results = race(6, lambda: submit(city))
    assert all(not isinstance(r, Exception) for r in results), results
    assert Appeal.objects.count() == 1
    appeal = Appeal.objects.get()
    assert sorted(r.folded for r in results) == [False, True, True, True, True, True]
    assert len(fold_notes(appeal)) == 5
    codes = {r.access_code for r in results}
    assert len(codes) == 6
    assert all(appeal_for_tracking(number=appeal.number, code=code) == appeal for code in codes)
    print(f"\n{connection.vendor}: 6 identical posts at once -> 1 appeal, 5 folded, 6 working codes")


@pytest.mark.django_db
def test_with_redis_away_repeats_are_filed_and_nothing_fails(city, settings):
    """Folding needs Redis; without it each submission is an appeal of its own, never an error."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    results = [submit(city), submit(city)]
    assert [r.folded for r in results] == [False, False]
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_a_claim_whose_appeal_never_arrives_is_taken_over(city, monkeypatch):
    """A claim naming an appeal that was never stored (its intake failed after claiming) holds a
    repeat back only briefly: the repeat becomes the first and later repeats fold into it."""
    from appeals import folding

    monkeypatch.setattr(folding, "FOLD_WAIT_SECONDS", 0.05)
    first = submit(city)
    fingerprint = Appeal.objects.get().fingerprint
    folding.reclaim(fingerprint, "261130-NEVERX")  # as if a later intake had claimed and then failed
    taken_over = submit(city)
    assert not taken_over.folded and taken_over.appeal != first.appeal
    assert submit(city).appeal == taken_over.appeal


@pytest.mark.django_db
def test_the_same_phone_from_the_same_address_without_the_device_files_a_new_appeal(api_as, city):
    """Issue 14: anyone typing a resident's phone number (or sharing their campus address) used to
    get a working code for the resident's appeal. Without the device's token nothing is folded."""
    payload = {"text": "停水了", "category": city.water_outage.code, "contact_phone": "13800138000"}
    client = api_as(None)
    first = client.post("/api/v1/appeals/", payload, format="json")
    other = client.post("/api/v1/appeals/", payload, format="json")
    forged = client.post("/api/v1/appeals/", payload, format="json",
                         HTTP_X_APPEAL_DEVICE=first["X-Appeal-Device"].split(":")[0] + ":forged")
    assert [r.status_code for r in (first, other, forged)] == [201, 201, 201]
    assert len({r.json()["number"] for r in (first, other, forged)}) == 3
    assert not any(r.json()["folded"] for r in (first, other, forged))


@pytest.mark.django_db
def test_a_different_device_with_the_same_phone_is_not_folded(client, city):
    data = {"text": "垃圾未清运", "kind": "complaint", "urgency": "ordinary", "category": city.noise.code,
            "contact_phone": "13900139000"}
    for browser in (client, client.__class__()):
        browser.get(reverse("appeals:home"))
        browser.post(reverse("appeals:home"), data)
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_an_operators_double_click_is_folded_but_not_another_operators_call(client, city, officers):
    """Phone appeals: the same operator and the same caller's number within the window are one call."""
    data = {"text": "楼道灯坏了", "kind": "complaint", "urgency": "ordinary", "category": city.noise.code,
            "contact_phone": "13700137000"}
    client.force_login(officers["operator"].user)
    client.post(reverse("console:phone-intake"), data)
    client.post(reverse("console:phone-intake"), data)
    assert Appeal.objects.count() == 1
    client.force_login(OfficerFactory(unit=city.center, role=Officer.Role.OPERATOR).user)
    client.post(reverse("console:phone-intake"), data)
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_a_claim_whose_appeal_is_gone_is_ignored_at_once(city):
    """Issue 13: the database reloaded while Redis kept its claims. A claim older than the wait for a
    twin naming an appeal that is not there is not waited for: one look in the database, not 2 s
    of polling."""
    from django.test.utils import CaptureQueriesContext

    from appeals import folding

    first = submit(city)
    redis = folding.redis_client()
    seconds, micros = redis.time()
    # As if var/ was removed and the demo reloaded a minute after this claim was made.
    redis.set(folding._key(first.appeal.fingerprint), f"261130-GONEXX|{seconds - 60}.{micros:06d}", ex=600)
    with CaptureQueriesContext(connection) as queries:
        again = submit(city)
    assert not again.folded and again.appeal != first.appeal
    looks = [q for q in queries.captured_queries if 'FROM "appeals_appeal"' in q["sql"] and "number" in q["sql"]]
    assert len(looks) == 1, len(looks)
    assert submit(city).appeal == again.appeal
