"""Each reader sees the system's notes, options and API errors in their own language, whatever
language was active when the note was written: events keep a message code and its parameters
(appeals/notes.py), not a sentence."""
import re

import pytest
from django.utils import translation
from rest_framework.exceptions import NotFound

from appeals.models import AppealEvent
from dispatch.handling import returns, whistles

pytestmark = pytest.mark.django_db


def page(client, url, language) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def history(html: str) -> str:
    return re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group(0)


def test_the_routing_reason_reads_in_the_officers_language(client, officers, ticket):
    client.force_login(officers["officer_a1"].user)
    english = history(page(client, f"/console/dispatches/{ticket.pk}/", "en"))
    assert "Duty list: street at the location" in english and "职责清单" not in english
    chinese = history(page(client, f"/console/dispatches/{ticket.pk}/", "zh-hans"))
    assert "职责清单：属地街道" in chinese and "Duty list" not in chinese


def test_a_return_reason_written_in_chinese_reads_in_english_with_the_officers_own_words(
    client, officers, ticket
):
    with translation.override("zh-hans"):
        returns.request_return(dispatch_id=ticket.pk, officer=officers["officer_a1"], reason="place",
                               note="在南桥街道辖区")
    client.force_login(officers["supervisor"].user)
    english = history(page(client, f"/console/dispatches/{ticket.pk}/", "en"))
    assert "Not ours by place (outside our area): 在南桥街道辖区" in english


def test_summoned_departments_are_named_in_the_readers_language(officers, ticket, city):
    with translation.override("zh-hans"):
        whistles.blow_whistle(dispatch_id=ticket.pk, officer=officers["officer_a1"], departments=[city.water],
                              note="管道破裂")
    event = AppealEvent.objects.get(kind=AppealEvent.Kind.WHISTLE)
    with translation.override("en"):
        assert event.display_note == city.water.name_en
    with translation.override("zh-hans"):
        assert event.display_note == city.water.name


def test_the_queues_descending_sort_options_are_in_the_readers_language(client, officers, ticket):
    client.force_login(officers["officer_a1"].user)
    english = page(client, "/console/queue/", "en")
    assert "Resolve deadline (latest first)" in english and "由晚到早" not in english
    chinese = page(client, "/console/queue/", "zh-hans")
    assert "（由晚到早）" in chinese and "latest first" not in chinese


def test_an_event_written_before_messages_reads_as_it_was_written(ticket):
    event = AppealEvent.objects.create(appeal=ticket.appeal, kind=AppealEvent.Kind.NOTE, note="旧的备注")
    with translation.override("en"):
        assert event.display_note == "旧的备注"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_apis_own_404_follows_the_clients_language(api_as, officers, language):
    response = api_as(officers["officer_a1"]).get("/api/v1/dispatches/999999/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    with translation.override(language):
        assert response.json() == {"detail": str(NotFound.default_detail)}
    assert ("Not found." in response.json()["detail"]) == (language == "en")


def test_the_tracking_api_names_the_summoned_departments_in_the_clients_language(api_as, officers, city):
    from appeals.services import submit_appeal
    from dispatch.handling.actions import respond_dispatch
    from dispatch.routing.route import route_appeal

    with translation.override("zh-hans"):
        filed = submit_appeal(text="楼下烧烤店油烟噪声扰民", category_code=city.noise.code, latitude=39.95,
                              longitude=116.05, contact_phone="13800138000")
        dispatch = route_appeal(appeal_id=filed.appeal.pk)
        respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
        whistles.blow_whistle(dispatch_id=dispatch.pk, officer=officers["officer_a1"], departments=[city.water],
                              note="管道破裂")
    query = {"number": filed.appeal.number, "code": filed.access_code}
    for language, name in (("en", city.water.name_en), ("zh-hans", city.water.name)):
        timeline = api_as(None).get("/api/v1/appeals/track/", query, HTTP_ACCEPT_LANGUAGE=language).json()["timeline"]
        assert [entry["note"] for entry in timeline if entry["kind"] == "whistle"] == [name]
