"""The knowledge base: search in Chinese and English, versions, ownership, staleness, import and
export, and the first-contact answer counted in the statistics."""
from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from appeals.knowledge import index, io, search, selectors, services
from appeals.knowledge.models import KnowledgeEntry, KnowledgeTerm, KnowledgeUse, KnowledgeVersion
from appeals.models import Appeal, AppealEvent
from dispatch.metrics import daily
from tests.scenarios import load_demo_knowledge, published_entry, tracking_number_in

pytestmark = pytest.mark.django_db
QUESTION_SETS = Path(__file__).resolve().parent


def _questions(name: str) -> list[dict]:
    return [json.loads(line) for line in (QUESTION_SETS / name).read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("name", ["knowledge_dev.jsonl", "knowledge_dev_scale.jsonl", "knowledge_heldout.jsonl"])
def test_search_finds_the_right_entry_for_questions_written_apart_from_the_entries(city, name):
    """The issue's floor: first for 85% and among three for 95% of the questions that have an
    entry; no confident suggestion for 90% of those that have none."""
    if not (QUESTION_SETS / name).exists():
        pytest.skip(f"{name} is not there")
    load_demo_knowledge()
    answerable = [q for q in _questions(name) if q["key"]]
    unanswerable = [q for q in _questions(name) if not q["key"]]
    first = top3 = quiet = 0
    misses = []
    for q in answerable:
        keys = [s.entry.key for s in search.suggest(q["question"])]
        first += keys[:1] == [q["key"]]
        top3 += q["key"] in keys
        if keys[:1] != [q["key"]]:
            misses.append((q["question"], q["key"], keys))
    for q in unanswerable:
        found = search.suggest(q["question"])
        quiet += not (found and found[0].confident)
    assert first >= 0.85 * len(answerable), misses
    assert top3 >= 0.95 * len(answerable), misses
    assert quiet >= 0.90 * len(unanswerable)


def test_a_resident_s_way_of_asking_finds_the_official_title(city):
    published_entry(city.water, "social-card", question="社会保障卡挂失补办", phrasings_zh=())
    published_entry(city.water, "water-bill")
    found = search.suggest("社保卡丢了怎么办")
    assert found[0].entry.key == "social-card" and found[0].confident
    assert search.suggest("my social security card is lost")[0].entry.key == "social-card"


def test_a_local_entry_ranks_first_for_its_own_district_and_not_elsewhere(city):
    published_entry(city.water, "enrol-city", question="小学入学报名", phrasings_zh=())
    published_entry(city.water, "enrol-a", question="甲区小学入学报名", phrasings_zh=("小学入学报名",),
                    place=city.district_a)
    assert search.suggest("小学入学报名", place=city.street_a1)[0].entry.key == "enrol-a"
    assert search.suggest("小学入学报名", place=city.street_b1)[0].entry.key == "enrol-city"


def test_a_question_that_names_a_district_is_answered_as_from_that_district(city):
    """Where the resident is is unknown, but the question says it: the district's own entry first."""
    published_entry(city.water, "shared-parking", question="错时停车申请", phrasings_zh=())
    published_entry(city.water, "shared-parking-b", question="错时停车申请", phrasings_zh=(), place=city.district_b)
    assert search.suggest("错时停车怎么申请")[0].entry.key == "shared-parking"
    assert search.suggest("乙区错时停车怎么申请")[0].entry.key == "shared-parking-b"


def test_the_entry_whose_phrasings_together_cover_the_question_beats_a_short_rival(city):
    """The question mixes what two of the right entry's phrasings say; a rival's one short phrasing
    holds three of its words and one of its own. The right entry covers the whole question."""
    published_entry(city.water, "rival", question="楼下暖气漏水赔偿", phrasings_zh=(), question_en="Compensation")
    published_entry(city.water, "radiator-leak", question="暖气片漏水应急处理",
                    phrasings_zh=("暖气片漏水了怎么办", "暖气漏水淹了楼下怎么办"), question_en="A radiator leaks")
    published_entry(city.water, "water-bill")
    found = search.suggest("楼下暖气漏水了要怎么处理")
    assert [s.entry.key for s in found][:2] == ["radiator-leak", "rival"]


def test_an_entry_that_resolved_more_questions_ranks_first_between_equals(city):
    one = published_entry(city.water, "bill-1")
    two = published_entry(city.water, "bill-2")
    assert [s.entry.key for s in search.suggest("水费在哪里交")][:2] == ["bill-1", "bill-2"]
    KnowledgeEntry.objects.filter(pk=two.pk).update(resolved_count=20)
    assert [s.entry.key for s in search.suggest("水费在哪里交")][:2] == ["bill-2", "bill-1"]
    assert one.pk


def test_an_entry_whose_words_many_entries_hold_is_found_by_the_pair_of_them(city, monkeypatch):
    """At scale every word of a question is held by thousands of entries; the lookup takes single
    terms only while few entries hold them (LOOKUP_ENTRIES, scaled down here to this small base)
    and finds the entry that holds two of the question's common words together."""
    monkeypatch.setattr(search, "LOOKUP_ENTRIES", 2)
    right = published_entry(city.water, "social-card", question="社会保障卡补办", phrasings_zh=(), question_en="")
    for n, question in enumerate(["社会保障卡年审", "社会保障卡挂失", "社会保障卡激活", "补办驾驶证", "补办结婚证",
                                  "补办户口本", "加急办理护照"]):
        published_entry(city.water, f"other-{n}", question=question, phrasings_zh=(), question_en="")
    question = "社保卡怎么补办加急"  # 加急: one entry holds it; 社会保障卡 and 补办: four each
    assert search.lookup(*_words(question)) == [("加急",), ("社会保障卡", "补办")]
    candidates = search.candidate_ids(question)
    assert candidates[0] == right.pk
    assert set(KnowledgeEntry.objects.filter(pk__in=candidates).values_list("key", flat=True)) == {
        "social-card", "other-6"}  # an entry sharing one common word only is not looked at
    assert search.suggest(question)[0].entry == right
    assert search.lookup(*_words("社保卡，社保卡")) == [("社会保障卡",)]  # one word said twice: looked up alone


def _words(question: str) -> tuple[list[list[str]], dict[str, int], int]:
    query, terms = search._question(question)
    return query, search._held(terms), search.published_count()


def test_scoring_a_few_candidates_at_a_time_suggests_what_scoring_them_all_does(city, monkeypatch):
    """_scored looks up the token weights of the candidates whose bound can still make the top
    only: the suggestions, scores included, are those of scoring every candidate."""
    load_demo_knowledge()
    questions = [q["question"] for q in _questions("knowledge_dev.jsonl")]

    def suggestions():
        return [[(s.entry.key, round(s.score, 9)) for s in search.suggest(question)] for question in questions]
    monkeypatch.setattr(search, "SCORE_BATCH", 1)
    one_at_a_time = suggestions()
    monkeypatch.setattr(search, "SCORE_BATCH", search.CANDIDATES)
    assert one_at_a_time == suggestions()


def test_retired_and_draft_entries_are_not_found_and_term_counts_follow(city):
    entry = published_entry(city.water)
    assert KnowledgeTerm.objects.get(term="水费").entries == 1
    services.retire(entry=entry)
    assert search.suggest("水费在哪里交") == []
    assert KnowledgeTerm.objects.get(term="水费").entries == 0
    services.create_entry(key="draft", owner=city.water, topic="utilities",
                          content=services.Content(question_zh="水费在哪里交", answer_zh="…"))
    assert search.suggest("水费在哪里交") == []
    assert index.rebuild() == 0


def test_every_edit_is_a_version_and_the_one_given_stays_readable(client, city, officers):
    entry = published_entry(city.street_a1, question="自来水费怎么交", answer="旧的答案：到营业厅。")
    first = entry.published_version
    submitted = services.answer_at_first_contact(version=first, intake={"text": "水费在哪交", "channel": "phone"},
                                                 answered_by=officers["operator"].user)
    new = services.Content(question_zh="自来水费怎么交", answer_zh="新的答案：网上缴纳。")
    draft = services.save_draft(entry=entry, content=new, actor=officers["officer_a1"].user, note="网上缴费")
    services.publish(version=draft, actor=officers["head_a1"].user)
    use = KnowledgeUse.objects.get(appeal=submitted.appeal)
    assert (use.version.number, use.version.answer_zh, use.version.state) == (1, "旧的答案：到营业厅。", "superseded")
    assert list(entry.versions.order_by("number").values_list("number", "state", "author__username")) == [
        (1, "superseded", None), (2, "published", "officer_a1")]
    page = client.get(reverse("knowledge:entry-version", args=[entry.key, 1])).content.decode()
    assert "旧的答案：到营业厅。" in page and 'id="kb-old-version"' in page
    assert "新的答案：网上缴纳。" in client.get(reverse("knowledge:entry", args=[entry.key])).content.decode()
    event = submitted.appeal.events.get(kind=AppealEvent.Kind.KNOWLEDGE_ANSWERED)
    assert event.data["knowledge_version"] == 1 and entry.key in event.display_note


def test_only_the_owning_unit_edits_and_only_its_head_publishes(client, city, officers):
    entry = published_entry(city.street_a1)
    content = services.Content(question_zh="自来水费怎么交", answer_zh="改过的答案")
    with pytest.raises(PermissionDenied):
        services.save_draft(entry=entry, content=content, actor=officers["officer_a2"].user)
    draft = services.save_draft(entry=entry, content=content, actor=officers["officer_a1"].user)
    with pytest.raises(PermissionDenied):
        services.publish(version=draft, actor=officers["officer_a1"].user)
    with pytest.raises(PermissionDenied):
        services.publish(version=draft, actor=officers["head_a2"].user)
    client.force_login(officers["officer_a2"].user)
    assert client.get(reverse("knowledge:manage-entry", args=[entry.key])).status_code == 404
    assert client.post(reverse("knowledge:manage-publish", args=[entry.key, draft.number])).status_code == 404
    client.force_login(officers["head_a1"].user)
    assert client.post(reverse("knowledge:manage-publish", args=[entry.key, draft.number])).status_code == 302
    entry.refresh_from_db()
    assert entry.published_version == draft and entry.versions.count() == 2


def test_an_officer_writes_a_draft_in_the_console(client, city, officers):
    client.force_login(officers["officer_a1"].user)
    response = client.post(reverse("knowledge:manage-new"), {
        "key": "lamp-hours", "topic": "other", "question_zh": "路灯几点开",
        "phrasings_zh": "路灯什么时候亮\n晚上路灯时间", "answer_zh": "日落后开启。"})
    assert response.status_code == 302
    entry = KnowledgeEntry.objects.get(key="lamp-hours")
    assert (entry.owner, entry.status, entry.versions.get().phrasings_zh) == (
        city.street_a1, "draft", ["路灯什么时候亮", "晚上路灯时间"])
    bad = client.post(reverse("knowledge:manage-new"),
                      {"key": "x", "topic": "other", "question_zh": "问", "answer_zh": " "})
    assert bad.status_code == 400


def test_entries_past_their_review_date_are_flagged_to_the_unit_and_counted_for_supervisors(client, city, officers):
    yesterday = timezone.localdate() - timedelta(days=1)
    published_entry(city.street_a1, "old", review_due=yesterday)
    published_entry(city.street_a1, "fresh", review_due=yesterday + timedelta(days=60))
    published_entry(city.water, "old-water", review_due=yesterday)
    assert selectors.staleness_by_unit() == {city.street_a1.pk: 1, city.water.pk: 1}
    client.force_login(officers["officer_a1"].user)
    page = client.get(reverse("knowledge:manage")).content.decode()
    assert page.count("kb-flag kb-stale") == 1 and "old-water" not in page
    client.force_login(officers["supervisor"].user)
    page = client.get(reverse("knowledge:manage")).content.decode()
    assert 'id="kb-staleness"' in page and city.water.name in page


def _csv(rows: list[dict]) -> bytes:
    return io.write([{**{name: "" for name in io.COLUMNS}, "phrasings_zh": [], "phrasings_en": [], **row}
                     for row in rows], "csv")


def test_an_import_dry_run_shows_what_would_change_and_bad_rows_stop_it(city):
    published_entry(city.water, "water-bill")
    good = {"key": "new-one", "topic": "utilities", "owner": "DEP-WATER", "scope": "city",
            "question_zh": "停水通知在哪看", "answer_zh": "关注自来水集团公告。", "review_due": "2027-01-31"}
    changed = {"key": "water-bill", "topic": "utilities", "owner": "DEP-WATER", "scope": "甲区",
               "question_zh": "自来水费怎么交", "answer_zh": "可在营业厅或网上缴纳水费。"}
    rows = io.read_rows(_csv([good, changed]), "entries.csv")
    plan = io.apply_import(rows, dry_run=True)
    assert plan.summary() == {"create": 1, "update": 1, "unchanged": 0, "error": 0} and not plan.applied
    assert set(plan.rows[1].changed) >= {"place", "question_en", "answer_en", "phrasings_zh"}
    assert not KnowledgeEntry.objects.filter(key="new-one").exists()
    bad = [{**good, "key": "bad one"}, {**good, "key": "b2", "owner": "NOPE"}, {**good, "key": "b3", "scope": "火星区"},
           {**good, "key": "b4", "review_due": "31/01/2027"}, {**good, "key": "b5", "answer_zh": ""}, good]
    plan = io.apply_import(io.read_rows(_csv(bad), "entries.csv"), dry_run=False)
    assert [row.line for row in plan.errors] == [2, 3, 4, 5, 6] and not plan.applied
    assert "owner" in plan.errors[1].errors[0] and "review_due" in plan.errors[3].errors[0]
    assert not KnowledgeEntry.objects.filter(key="new-one").exists()
    plan = io.apply_import(rows, dry_run=False)
    assert plan.applied and KnowledgeEntry.objects.get(key="water-bill").place == city.district_a
    assert KnowledgeEntry.objects.get(key="water-bill").versions.count() == 2
    assert io.apply_import(rows, dry_run=False).summary()["unchanged"] == 2


def test_export_to_xlsx_imports_back_unchanged(city):
    load_demo_knowledge()
    data = io.write(io.export_rows(), "xlsx")
    plan = io.plan_import(io.read_rows(data, "entries.xlsx"))
    assert plan.summary()["unchanged"] == KnowledgeEntry.objects.count() >= 80
    with pytest.raises(io.ImportFileError):
        io.read_rows(BytesIO(b"not a workbook").getvalue(), "entries.xlsx")


def _post_form(client, **fields):
    page = client.get("/").content.decode()
    assert 'id="kb-suggestions"' in page
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post("/", {"csrfmiddlewaretoken": token, "kind": "complaint", "urgency": "ordinary", **fields},
                       follow=True)


def test_yes_answers_a_resident_at_first_contact_and_counts_in_the_statistics(client, city):
    entry = published_entry(city.water)
    response = _post_form(client, text="请问水费在哪里交", kb_version=entry.published_version.pk)
    html = response.content.decode()
    number = tracking_number_in(html)
    assert number and 'id="answered-note"' in html
    appeal = Appeal.objects.get(number=number)
    assert (appeal.kind, appeal.status, appeal.anonymous, appeal.routed_at is not None) == (
        "consultation", "closed", True, True)
    assert not appeal.dispatches.exists()
    entry.refresh_from_db()
    assert entry.resolved_count == 1
    _post_form(client, text="水费的发票怎么开？我想问一下", kind="consultation", contact_phone="13800138000",
               kb_shown=str(entry.pk))
    entry.refresh_from_db()
    assert entry.dispatched_count == 1
    daily.refresh()  # the beat's recount of today's figures, the first-contact rollup among them
    today = timezone.localdate()
    figures = selectors.first_contact(today, today + timedelta(days=1))
    assert (figures.consultations, figures.answered, figures.share) == (2, 1, 0.5)
    assert [(n, a) for _channel, n, a in figures.by_channel] == [(2, 1)]


def test_the_operator_records_an_answer_from_the_knowledge_base_in_one_click(client, city, officers):
    entry = published_entry(city.water)
    client.force_login(officers["operator"].user)
    page = client.get(reverse("console:phone-intake")).content.decode()
    assert 'id="kb-suggestions"' in page and 'data-operator="1"' in page
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("console:phone-intake"), {
        "csrfmiddlewaretoken": token, "kind": "complaint", "urgency": "ordinary", "text": "来电问水费在哪里交",
        "contact_phone": "13800138000", "kb_version": entry.published_version.pk})
    assert response.status_code == 302
    use = KnowledgeUse.objects.get()
    assert (use.outcome, use.channel, use.answered_by, use.version.number) == (
        "answered", "phone", officers["operator"].user, 1)
    assert use.appeal.status == "closed" and use.appeal.contact_phone == "13800138000"


def test_a_version_no_longer_published_files_the_appeal_as_usual(client, city):
    entry = published_entry(city.water)
    old = entry.published_version
    services.publish(version=services.save_draft(entry=entry, content=services.Content.of(old)))
    _post_form(client, text="水费在哪里交", contact_phone="13800138000", kb_version=old.pk)
    appeal = Appeal.objects.get()
    assert appeal.status != "closed" and not KnowledgeUse.objects.exists()


def test_the_search_api_answers_in_the_request_s_language_and_checks_its_input(api_as, city):
    published_entry(city.water)
    api = api_as(None, language="en")
    data = api.get(reverse("api:knowledge-search"), {"q": "水费在哪里交"}).json()
    first = data["results"][0]
    assert first["key"] == "water-bill" and first["question"] == "How do I pay the water bill?"
    assert data["results"][0]["confident"] is True and data["results"][0]["url"].endswith("/knowledge/water-bill/")
    assert api.get(reverse("api:knowledge-search"), {"q": ""}).status_code == 400
    assert api.get(reverse("api:knowledge-search"), {"q": "水" * 501}).status_code == 400
    assert api.get(reverse("api:knowledge-search"), {"q": "水费", "limit": "99"}).status_code == 400


def test_the_public_pages_browse_search_read_and_rate_without_signing_in(client, city):
    entry = published_entry(city.water)
    assert "(1)" in client.get(reverse("knowledge:index")).content.decode()
    assert entry.key in client.get(reverse("knowledge:index"), {"q": "水费在哪里交"}).content.decode()
    assert entry.key in client.get(reverse("knowledge:topic", args=["utilities"])).content.decode()
    assert client.get(reverse("knowledge:topic", args=["nope"])).status_code == 404
    client.post(reverse("knowledge:rate", args=[entry.key]), {"helpful": "yes"})
    client.post(reverse("knowledge:rate", args=[entry.key]), {"helpful": "no"})  # once per session
    entry.refresh_from_db()
    assert (entry.helpful_count, entry.unhelpful_count) == (1, 0)


def test_entries_often_filed_anyway_are_flagged(city, officers):
    entry = published_entry(city.water)
    from appeals.services import submit_appeal

    for n in range(5):
        appeal = submit_appeal(text=f"水费问题 {n}", kind="consultation", anonymous=True).appeal
        services.record_filed_anyway(appeal=appeal, entry_ids=[entry.pk])
    assert KnowledgeEntry.objects.filter(selectors.often_dispatched()).get() == entry


def test_a_unit_s_answer_to_a_consultation_becomes_a_draft_for_its_head(client, city, officers):
    from appeals.services import submit_appeal
    from dispatch.handling import actions
    from dispatch.routing.route import route_appeal

    appeal = submit_appeal(text="停车证到期了怎么续办", kind="consultation", category_code=city.noise.code,
                           latitude=39.95, longitude=116.05, contact_phone="13800138000").appeal
    dispatch = route_appeal(appeal_id=appeal.pk)
    officer = officers["officer_a1"]
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer)
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer="带行驶证到街道办续办。")
    client.force_login(officers["officer_a2"].user)  # another street answered nothing here
    assert client.post(reverse("knowledge:manage-propose", args=[appeal.number])).status_code == 404
    client.force_login(officer.user)
    assert "knowledge/manage/propose" in client.get(reverse("console:dispatch", args=[dispatch.pk])).content.decode()
    response = client.post(reverse("knowledge:manage-propose", args=[appeal.number]))
    entry = KnowledgeEntry.objects.get(proposal__appeal=appeal)
    assert response.status_code == 302 and response.url == reverse("knowledge:manage-entry", args=[entry.key])
    version = entry.versions.get()
    assert (entry.owner, entry.status, version.state) == (city.street_a1, "draft", KnowledgeVersion.State.DRAFT)
    assert (version.question_zh, version.answer_zh) == ("停车证到期了怎么续办", "带行驶证到街道办续办。")
    assert client.post(reverse("knowledge:manage-propose", args=[appeal.number])).status_code == 302  # once only
    assert KnowledgeEntry.objects.filter(proposal__appeal=appeal).count() == 1
    with pytest.raises(PermissionDenied):
        services.publish(version=version, actor=officer.user)
    services.publish(version=version, actor=officers["head_a1"].user)


def test_the_dashboard_its_export_and_api_count_consultations_answered_at_first_contact(
    client, api_as, city, officers
):
    entry = published_entry(city.water, category=city.water_outage)
    services.answer_at_first_contact(version=entry.published_version, answered_by=officers["operator"].user,
                                     intake={"text": "水费在哪里交", "channel": "phone"})
    from appeals.services import submit_appeal

    submit_appeal(text="停水了什么时候来水", kind="consultation", category_code=city.water_outage.code,
                  channel="phone", contact_phone="13800138000")
    daily.refresh()
    client.force_login(officers["supervisor"].user)
    page = client.get(reverse("console:dashboard")).content.decode()
    assert 'id="table-first-contact"' in page and "50.00%" in page
    export = client.get(reverse("console:dashboard-export", args=["first-contact", "csv"])).content.decode()
    assert city.water_outage.name in export and "0.5" in export
    figures = api_as(officers["supervisor"]).get(reverse("api:dashboard")).json()["first_contact"]
    assert (figures["consultations"], figures["answered"], figures["share"]) == (2, 1, 0.5)
    assert figures["by_category"] == [{"name": city.water_outage.name, "consultations": 2, "answered": 1}]


def test_open311_offers_the_same_search(client, city):
    published_entry(city.water)
    answers = client.get(reverse("open311:knowledge", args=["json"]), {"q": "水费在哪里交"}).json()
    assert answers[0]["key"] == "water-bill" and answers[0]["confident"] is True
    xml = client.get(reverse("open311:knowledge", args=["xml"]), {"q": "水费在哪里交"}).content.decode()
    assert "<knowledge_answers><answer>" in xml and "<key>water-bill</key>" in xml
    refused = client.get(reverse("open311:knowledge", args=["json"]), {"q": ""})
    assert refused.status_code == 400 and refused.json()[0]["code"] == 400


def test_the_demo_knowledge_base_loads_into_the_demo_city_once(settings):
    """make run's loader: at least 150 entries in both languages over the common topics, owners,
    categories and districts of the demo city; a second run changes nothing."""
    from io import StringIO

    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo_city", "--force", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_knowledge", stdout=out)
    entries = KnowledgeEntry.objects.filter(status="published").select_related("published_version")
    assert entries.count() >= 150 and "error=0" in out.getvalue()
    assert all(e.published_version.question_en and e.published_version.answer_en for e in entries)
    topics = set(entries.values_list("topic", flat=True))
    assert {"hukou", "social_insurance", "medical_insurance", "housing_fund", "residence_permit", "education",
            "heating", "utilities", "parking", "pets", "business", "labour"} <= topics
    assert entries.filter(place__kind="district").exists() and entries.filter(category__isnull=False).exists()
    out = StringIO()
    call_command("load_demo_knowledge", stdout=out)
    assert f"create=0 update=0 unchanged={entries.count()}" in out.getvalue()
