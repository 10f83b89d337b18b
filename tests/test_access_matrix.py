"""Access control everywhere: every URL of the project, as every kind of visitor.

The table below has one row per URL pattern (several for a pattern that serves more than one
ticket). `test_every_url_pattern_has_a_row` walks Django's URL resolver and fails for any
pattern without a row, so a new endpoint cannot ship without saying who may use it.

Each row names what each allowed role sees; every role it does not name must be refused, with
nothing of any ticket in the body (number, text, the resident's name and phone) and nothing
changed in the event log. A refusal is one exact answer, by one rule (`refusal`): a visitor who
is not signed in is sent to the login page (the API answers 403: its first authentication is the
session, which sends no challenge; the admin sends everyone without a superuser to its own login);
a signed-in staff member gets 404 for a ticket that is not theirs to read or act on, and 403 for a
page or list of another role. Public endpoints name their one refusal (`refused`). Whoever is allowed
sees the resident's name and phone in full only when the row says so (the unit that must call,
the operator for the manual queue); everybody else gets them masked.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from appeals import sign_in
from appeals.followers import nearby_open_appeals
from appeals.models import Appeal, AppealEvent
from appeals.photos import reencode_pending
from appeals.privacy import mask_phone
from appeals.services import submit_appeal
from appeals.views import SESSION_KEY
from dispatch.deadlines.workdays import get_calendar
from dispatch.feedback.callbacks import hash_token
from dispatch.handling import actions, extensions, returns, supervision, whistles
from dispatch.models import Callback, Dispatch, ModelVersion
from dispatch.routing import route

from .scenarios import png_upload

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "resident", "officer_a", "head_a", "officer_b", "department", "district", "operator", "supervisor",
)
OFFICER_OF_ROLE = {  # role -> key of the `officers` fixture
    "officer_a": "officer_a1", "head_a": "head_a1", "officer_b": "officer_a2", "department": "water",
    "district": "district_a", "operator": "operator", "supervisor": "supervisor",
}
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Sees:
    """What an allowed role finds in the body: the row's ticket (its number) and its contact."""

    ticket: bool
    contact: str  # "full", "masked" or "none"
    status: int | None = None  # when this role's answer differs from the row's


FULL = Sees(ticket=True, contact="full")  # must call the resident
MASKED = Sees(ticket=True, contact="masked")  # may read the ticket, not call
TICKET = Sees(ticket=True, contact="none")  # the ticket without any contact (tracking, triage API)
NOTHING = Sees(ticket=False, contact="none")  # allowed, but the response holds no ticket data
ELSEWHERE = Sees(ticket=False, contact="none", status=302)  # allowed, sent on to its own page

VIEWERS = {"officer_a": FULL, "district": MASKED, "supervisor": MASKED}  # of the street ticket
EVERYONE_NOTHING = dict.fromkeys(ROLES, NOTHING)
STAFF_NOTHING = {role: NOTHING for role in ROLES if role in OFFICER_OF_ROLE}


@dataclass
class Ticket:
    appeal: Appeal
    code: str
    name: str
    phone: str
    text: str
    dispatch: Dispatch | None = None

    @property
    def photo_pk(self) -> int:
        return self.appeal.photos.get().pk


@dataclass
class Scene:
    street: Ticket  # dispatched to street A (officer_a's unit), in district A
    triage: Ticket  # waiting in the operators' manual queue
    city: object
    officers: dict

    def ticket(self, name: str) -> Ticket:
        return getattr(self, name)


@dataclass(frozen=True)
class Row:
    name: str  # the URL pattern's name, "namespace:name"
    method: str
    url: Callable[[Scene], str]
    sees: dict[str, Sees]  # allowed roles and what they see; every other role is refused
    ticket: str = "street"  # the ticket the row is about
    data: Callable[[Scene, str], dict] = field(default=lambda scene, role: {})
    status: int = 200  # the allowed answer
    json: bool = False
    prepare: Callable[[Scene], object] | None = None
    not_yours: bool = False  # about one ticket: staff it is not for get 404 (else 403: another role's page)
    refused: tuple[int, str] | None = None  # (status, Location) of every refusal, whoever asks (public rows)
    echoes_number: bool = False  # the visitor typed the number: its echo in a form is no leak


def respond_first(scene: Scene) -> None:
    actions.respond_dispatch(dispatch_id=scene.street.dispatch.pk, officer=scene.officers["officer_a1"])


def track_data(scene: Scene, role: str) -> dict:
    """Only the resident knows the code; everybody else tries the number with a wrong one."""
    return {"number": scene.street.appeal.number, "code": scene.street.code if role == "resident" else "WRONG234"}


def new_appeal_data(scene: Scene, role: str) -> dict:
    return {"text": "另一件事", "category": scene.city.noise.code, "contact_phone": "13500135000",
            "kind": "complaint", "urgency": "ordinary"}


def follow_data(scene: Scene, role: str) -> dict:
    """The street ticket as the nearby list offers it to follow."""
    found = nearby_open_appeals(category_code=scene.city.noise.code, latitude=scene.city.POINT_A1[0],
                                longitude=scene.city.POINT_A1[1])
    return {"ref": found[0].ref, "contact_phone": "13600136000"}


def dispatch_pk(scene: Scene) -> int:
    return scene.street.dispatch.pk


# --- what some rows need to exist first (made inside the row's rolled-back transaction) ----------


def ask_return(scene: Scene) -> None:
    scene.return_request = returns.request_return(
        dispatch_id=dispatch_pk(scene), officer=scene.officers["officer_a1"], reason="place", note="不在本辖区")


def a_working_day_after_the_deadline(scene: Scene) -> date:
    day = timezone.localtime(scene.street.dispatch.resolve_due).date() + timedelta(days=10)
    while not get_calendar().is_workday(day):
        day += timedelta(days=1)
    return day


def ask_extension(scene: Scene) -> None:
    scene.extension = extensions.request_extension(
        dispatch_id=dispatch_pk(scene), officer=scene.officers["officer_a1"], reason="需协调",
        proposed_day=a_working_day_after_the_deadline(scene))


def open_order(scene: Scene) -> None:
    scene.order = supervision.open_manual_order(
        dispatch_id=dispatch_pk(scene), supervisor=scene.officers["supervisor"], note="请加快")


def summon_water(scene: Scene) -> None:
    whistles.blow_whistle(dispatch_id=dispatch_pk(scene), officer=scene.officers["officer_a1"],
                          departments=[scene.city.water], note="需要供水部门")
    scene.water = Dispatch.objects.get(appeal=scene.street.appeal, unit=scene.city.water)
    actions.respond_dispatch(dispatch_id=scene.water.pk, officer=scene.officers["water"])


SURVEY_TOKEN = "survey-token-for-the-access-matrix"


def retire_a_version(scene: Scene) -> None:
    """A model version that is not in service (a supervisor may put it back)."""
    scene.model_version = ModelVersion.objects.create(
        status=ModelVersion.Status.RETIRED, trigger="test", data_fingerprint="-", train_size=0, heldout_size=0,
        top1=0, top3=0, artifact=b"", artifact_bytes=0)


def open_survey(scene: Scene) -> None:
    Callback.objects.create(dispatch=scene.street.dispatch, token_hash=hash_token(SURVEY_TOKEN),
                            closes_at=timezone.now() + timedelta(days=7))


def publish_street(scene: Scene) -> None:
    """The street ticket published, an operator's wording for its text, its photo approved."""
    Appeal.objects.filter(pk=scene.street.appeal.pk).update(published=True, public_id="PBHCSTREET23",
                                                            public_text="路口井盖缺失")
    scene.street.appeal.photos.update(public_approved=True)


def with_head(rows: list) -> list:
    """The head of street A is one of its officers: wherever street A's officer is allowed, the head
    sees the same."""
    return [
        Row(**{**row.__dict__, "sees": {**row.sees, "head_a": row.sees["officer_a"]}}) if "officer_a" in row.sees
        else row
        for row in rows
    ]


CENTER_REVIEW = {"operator": TICKET}
NOT_FOUND = (404, "")  # a public lookup that finds nothing for this visitor
KB_STAFF = {role: NOTHING for role in ("officer_a", "officer_b", "department", "district", "supervisor")}


def kb_entry(scene: Scene) -> None:
    """A published entry of street A with a draft waiting (knowledge-base rows)."""
    from appeals.knowledge import services as kb

    entry = kb.create_entry(key="water-bill", owner=scene.city.street_a1, topic="utilities",
                            content=kb.Content(question_zh="水费怎么交", answer_zh="营业厅或网上缴纳。"))
    kb.publish(version=entry.versions.get())
    kb.save_draft(entry=entry, content=kb.Content(question_zh="水费怎么交", answer_zh="网上缴纳。"))


TABLE: list[Row] = [
    # The public side: the form, the receipt, the tracking lookup.
    Row("appeals:home", "get", lambda s: reverse("appeals:home"), EVERYONE_NOTHING),
    Row("appeals:home", "post", lambda s: reverse("appeals:home"), EVERYONE_NOTHING, data=new_appeal_data,
        status=302),
    Row("appeals:submitted", "get", lambda s: reverse("appeals:submitted"), {"resident": TICKET}, refused=(302, "/")),
    Row("appeals:track", "post", lambda s: reverse("appeals:track"), {"resident": TICKET}, data=track_data,
        echoes_number=True, refused=NOT_FOUND),
    # Published appeals: public pages that show the public text (never the number or contact).
    Row("appeals:published", "get", lambda s: reverse("appeals:published"), EVERYONE_NOTHING,
        prepare=publish_street),
    Row("appeals:published-detail", "get", lambda s: reverse("appeals:published-detail", args=["PBHCSTREET23"]),
        EVERYONE_NOTHING, prepare=publish_street),
    Row("appeals:published-photo", "get", lambda s: reverse("appeals:published-photo",
        args=["PBHCSTREET23", s.street.photo_pk]), EVERYONE_NOTHING, prepare=publish_street),
    Row("console:published", "get", lambda s: reverse("console:published"), {"operator": TICKET},
        prepare=publish_street),
    Row("console:publication", "get", lambda s: reverse("console:publication", args=[s.street.appeal.pk]),
        {"operator": TICKET}, prepare=publish_street),
    Row("console:publication", "post", lambda s: reverse("console:publication", args=[s.street.appeal.pk]),
        {"operator": NOTHING}, prepare=publish_street, status=302, data=lambda s, r: {"public_text": "井盖"}),
    # "My appeals": the resident signed in with the street ticket's phone sees it; nobody else does.
    Row("appeals:my", "get", lambda s: reverse("appeals:my"), {**EVERYONE_NOTHING, "resident": TICKET}),
    Row("appeals:my", "post", lambda s: reverse("appeals:my"),
        {**dict.fromkeys(ROLES, ELSEWHERE), "resident": TICKET},
        data=lambda s, r: {"phone": f"1350013{ROLES.index(r):04d}"}),  # a phone each: 5 codes an hour per phone
    Row("appeals:my-code", "get", lambda s: reverse("appeals:my-code"), dict.fromkeys(ROLES, ELSEWHERE)),
    Row("appeals:my-code", "post", lambda s: reverse("appeals:my-code"), dict.fromkeys(ROLES, ELSEWHERE),
        data=lambda s, r: {"code": "123456"}),
    Row("appeals:my-sign-out", "post", lambda s: reverse("appeals:my-sign-out"), dict.fromkeys(ROLES, ELSEWHERE)),
    Row("appeals:my-appeal", "get", lambda s: reverse("appeals:my-appeal", args=[s.street.appeal.number]),
        {"resident": TICKET}, refused=(302, "/my/")),
    Row("login", "get", lambda s: reverse("login"), EVERYONE_NOTHING),
    Row("logout", "post", lambda s: reverse("logout"), EVERYONE_NOTHING, status=302),
    Row("set_language", "post", lambda s: reverse("set_language"), EVERYONE_NOTHING,
        data=lambda s, r: {"language": "en", "next": "/"}, status=302),
    # The consoles.
    Row("console:home", "get", lambda s: reverse("console:home"), STAFF_NOTHING, status=302),
    Row("console:queue", "get", lambda s: reverse("console:queue"),
        {**STAFF_NOTHING, "officer_a": TICKET, "district": TICKET, "supervisor": TICKET, "operator": ELSEWHERE}),
    Row("console:dispatch", "get", lambda s: reverse("console:dispatch", args=[dispatch_pk(s)]), VIEWERS,
        not_yours=True),
    Row("console:dispatch-action", "post", lambda s: reverse("console:dispatch-action", args=[dispatch_pk(s), "sign"]),
        {"officer_a": NOTHING}, status=302, not_yours=True),
    Row("console:dispatch-action", "post",
        lambda s: reverse("console:dispatch-action", args=[dispatch_pk(s), "resolve"]),
        {"officer_a": NOTHING}, data=lambda s, r: {"answer": "已修复"}, status=302, prepare=respond_first,
        not_yours=True),
    Row("console:photo", "get", lambda s: reverse("console:photo", args=[s.street.photo_pk]),
        {"officer_a": NOTHING, "district": NOTHING, "supervisor": NOTHING}, not_yours=True),
    Row("console:photo", "get", lambda s: reverse("console:photo", args=[s.triage.photo_pk]),
        {"operator": NOTHING}, ticket="triage", not_yours=True),
    Row("console:phone-intake", "get", lambda s: reverse("console:phone-intake"), {"operator": NOTHING}),
    Row("console:phone-intake", "post", lambda s: reverse("console:phone-intake"), {"operator": NOTHING},
        data=new_appeal_data, status=302),
    Row("console:triage", "get", lambda s: reverse("console:triage"), {"operator": TICKET}, ticket="triage"),
    Row("console:triage-detail", "get", lambda s: reverse("console:triage-detail", args=[s.triage.appeal.pk]),
        {"operator": FULL}, ticket="triage"),
    Row("console:triage-detail", "post", lambda s: reverse("console:triage-detail", args=[s.triage.appeal.pk]),
        {"operator": NOTHING}, ticket="triage", status=302,
        data=lambda s, r: {"decline": "1", "reason": "repeat", "note": ""}),
    # The API.
    Row("api:appeal-intake", "post", lambda s: reverse("api:appeal-intake"), EVERYONE_NOTHING, status=201,
        data=new_appeal_data, json=True),
    Row("api:appeal-track", "get", lambda s: reverse("api:appeal-track"), {"resident": TICKET}, data=track_data,
        refused=NOT_FOUND),
    # The resident's map: public, and about no ticket (a nearby appeal shows no number, text or contact
    # unless published; following one answers with the follower's own number).
    Row("api:appeals-nearby", "get", lambda s: reverse("api:appeals-nearby"), EVERYONE_NOTHING,
        data=lambda s, r: {"category": s.city.noise.code, "lat": s.city.POINT_A1[0], "lng": s.city.POINT_A1[1]}),
    Row("api:appeal-follow", "post", lambda s: reverse("api:appeal-follow"), EVERYONE_NOTHING, status=201,
        json=True, data=follow_data),
    Row("api:places-search", "get", lambda s: reverse("api:places-search"), EVERYONE_NOTHING,
        data=lambda s, r: {"q": "街道"}),
    Row("api:place-at", "get", lambda s: reverse("api:place-at"), EVERYONE_NOTHING,
        data=lambda s, r: {"lat": s.city.POINT_A1[0], "lng": s.city.POINT_A1[1]}),
    Row("api:places-boundaries", "get", lambda s: reverse("api:places-boundaries"), EVERYONE_NOTHING),
    Row("api:suggestions", "get", lambda s: reverse("api:suggestions"), EVERYONE_NOTHING,
        data=lambda s, r: {"text": "楼上半夜装修太吵", "address": "西柳路5号"}),
    Row("api:dispatch-list", "get", lambda s: reverse("api:dispatch-list"), {**STAFF_NOTHING, **VIEWERS}),
    Row("api:dispatch-detail", "get", lambda s: reverse("api:dispatch-detail", args=[dispatch_pk(s)]), VIEWERS,
        not_yours=True),
    Row("api:dispatch-sign", "post", lambda s: reverse("api:dispatch-sign", args=[dispatch_pk(s)]),
        {"officer_a": FULL}, not_yours=True),
    Row("api:dispatch-respond", "post", lambda s: reverse("api:dispatch-respond", args=[dispatch_pk(s)]),
        {"officer_a": FULL}, data=lambda s, r: {"note": "已联系"}, json=True, not_yours=True),
    Row("api:dispatch-notes", "post", lambda s: reverse("api:dispatch-notes", args=[dispatch_pk(s)]),
        {"officer_a": FULL}, data=lambda s, r: {"note": "到现场"}, json=True, not_yours=True),
    Row("api:dispatch-resolve", "post", lambda s: reverse("api:dispatch-resolve", args=[dispatch_pk(s)]),
        {"officer_a": FULL}, data=lambda s, r: {"answer": "已修复"}, json=True, prepare=respond_first, not_yours=True),
    Row("api:triage-list", "get", lambda s: reverse("api:triage-list"), {"operator": TICKET}, ticket="triage"),
    Row("api:triage-detail", "get", lambda s: reverse("api:triage-detail", args=[s.triage.appeal.pk]),
        {"operator": TICKET}, ticket="triage"),
    Row("api:triage-dispatch-to", "post", lambda s: reverse("api:triage-dispatch-to", args=[s.triage.appeal.pk]),
        {"operator": TICKET}, ticket="triage", status=201, json=True,
        data=lambda s, r: {"unit": s.city.street_b1.code, "category": s.city.noise.code}),
    Row("api:triage-decline", "post", lambda s: reverse("api:triage-decline", args=[s.triage.appeal.pk]),
        {"operator": TICKET}, ticket="triage", json=True, data=lambda s, r: {"reason": "repeat"}),
    # Deadlines: returns, whistles, extensions, supervision orders (API).
    Row("api:dispatch-return-to-center", "post", lambda s: reverse("api:dispatch-return-to-center",
        args=[dispatch_pk(s)]), {"officer_a": TICKET}, status=201, json=True,
        data=lambda s, r: {"reason": "duty", "note": "不是本单位职责"}, not_yours=True),
    Row("api:dispatch-whistle", "post", lambda s: reverse("api:dispatch-whistle", args=[dispatch_pk(s)]),
        {"officer_a": NOTHING}, status=201, json=True,
        data=lambda s, r: {"departments": [s.city.water.code], "note": "需要供水部门"}, not_yours=True),
    Row("api:dispatch-report", "post", lambda s: reverse("api:dispatch-report", args=[s.water.pk]),
        {"department": MASKED}, json=True, data=lambda s, r: {"report": "已检修"}, prepare=summon_water,
        not_yours=True),
    Row("api:dispatch-extension", "post", lambda s: reverse("api:dispatch-extension", args=[dispatch_pk(s)]),
        {"officer_a": TICKET}, status=201, json=True,
        data=lambda s, r: {"proposed_day": a_working_day_after_the_deadline(s).isoformat(), "reason": "需协调"},
        not_yours=True),
    Row("api:dispatch-supervise", "post", lambda s: reverse("api:dispatch-supervise", args=[dispatch_pk(s)]),
        {"supervisor": TICKET}, status=201, json=True, data=lambda s, r: {"note": "请加快"}, not_yours=True),
    Row("api:return-list", "get", lambda s: reverse("api:return-list"), CENTER_REVIEW, prepare=ask_return),
    Row("api:return-detail", "get", lambda s: reverse("api:return-detail", args=[s.return_request.pk]),
        CENTER_REVIEW, prepare=ask_return),
    Row("api:return-approve", "post", lambda s: reverse("api:return-approve", args=[s.return_request.pk]),
        CENTER_REVIEW, prepare=ask_return, json=True, data=lambda s, r: {"unit": s.city.street_b1.code}),
    Row("api:return-refuse", "post", lambda s: reverse("api:return-refuse", args=[s.return_request.pk]),
        CENTER_REVIEW, prepare=ask_return, json=True, data=lambda s, r: {"note": "属地管理"}),
    Row("api:extension-list", "get", lambda s: reverse("api:extension-list"), {"supervisor": TICKET},
        prepare=ask_extension),
    Row("api:extension-detail", "get", lambda s: reverse("api:extension-detail", args=[s.extension.pk]),
        {"supervisor": TICKET}, prepare=ask_extension),
    Row("api:extension-approve", "post", lambda s: reverse("api:extension-approve", args=[s.extension.pk]),
        {"supervisor": TICKET}, prepare=ask_extension, json=True),
    Row("api:extension-refuse", "post", lambda s: reverse("api:extension-refuse", args=[s.extension.pk]),
        {"supervisor": TICKET}, prepare=ask_extension, json=True, data=lambda s, r: {"note": "不予延期"}),
    Row("api:supervision-order-list", "get", lambda s: reverse("api:supervision-order-list"),
        {"supervisor": TICKET, "head_a": TICKET}, prepare=open_order),
    Row("api:supervision-order-detail", "get", lambda s: reverse("api:supervision-order-detail",
        args=[s.order.pk]), {"supervisor": TICKET, "head_a": TICKET}, prepare=open_order),
    Row("api:supervision-order-reply", "post", lambda s: reverse("api:supervision-order-reply",
        args=[s.order.pk]), {"head_a": TICKET}, prepare=open_order, json=True,
        data=lambda s, r: {"reply": "已整改"}),
    # Deadlines: the consoles.
    Row("console:returns", "get", lambda s: reverse("console:returns"), CENTER_REVIEW, prepare=ask_return),
    Row("console:return-detail", "get", lambda s: reverse("console:return-detail", args=[s.return_request.pk]),
        {"operator": FULL}, prepare=ask_return),
    Row("console:extensions", "get", lambda s: reverse("console:extensions"), {"supervisor": TICKET},
        prepare=ask_extension),
    Row("console:extension-approve", "post", lambda s: reverse("console:extension-approve",
        args=[s.extension.pk]), {"supervisor": NOTHING}, status=302, prepare=ask_extension),
    Row("console:extension-refuse", "post", lambda s: reverse("console:extension-refuse",
        args=[s.extension.pk]), {"supervisor": NOTHING}, status=302, prepare=ask_extension,
        data=lambda s, r: {"note": "不予延期"}),
    Row("console:supervision", "get", lambda s: reverse("console:supervision"),
        {"supervisor": TICKET, "head_a": TICKET}, prepare=open_order),
    Row("console:supervision-reply", "post", lambda s: reverse("console:supervision-reply", args=[s.order.pk]),
        {"head_a": NOTHING}, status=302, prepare=open_order, data=lambda s, r: {"reply": "已整改"}),
    # The callback survey: the link alone opens it (whoever holds it is the resident it was sent to).
    Row("appeals:callback", "get", lambda s: reverse("appeals:callback", args=[SURVEY_TOKEN]),
        dict.fromkeys(ROLES, TICKET), prepare=open_survey),
    # The supervisors' dashboard, its exports and figures; the operators' phone callbacks.
    Row("console:dashboard", "get", lambda s: reverse("console:dashboard"), {"supervisor": NOTHING}),
    Row("console:login-lockouts", "get", lambda s: reverse("console:login-lockouts"), {"supervisor": NOTHING}),
    Row("console:classifier", "get", lambda s: reverse("console:classifier"), {"supervisor": NOTHING},
        prepare=retire_a_version),
    Row("console:classifier-rollback", "post", lambda s: reverse("console:classifier-rollback",
        args=[s.model_version.pk]), {"supervisor": NOTHING}, status=302, prepare=retire_a_version),
    Row("console:dashboard-export", "get", lambda s: reverse("console:dashboard-export",
        args=["ranking-streets", "csv"]), {"supervisor": NOTHING}),
    Row("console:queue-export", "get", lambda s: reverse("console:queue-export", args=["csv"]),
        {"supervisor": MASKED}),
    Row("api:rankings", "get", lambda s: reverse("api:rankings"), {"supervisor": NOTHING}),
    Row("api:dashboard", "get", lambda s: reverse("api:dashboard"), {"supervisor": NOTHING}),
    Row("console:callbacks", "get", lambda s: reverse("console:callbacks"), {"operator": FULL}, prepare=open_survey),
    Row("console:callback", "get", lambda s: reverse("console:callback", args=[s.street.dispatch.callback.pk]),
        {"operator": FULL}, prepare=open_survey),
    # The knowledge base: public pages and search; its console for the units (not operators), the
    # owning unit's entry to its officers, publishing to its head, import to supervisors.
    Row("knowledge:index", "get", lambda s: reverse("knowledge:index"), EVERYONE_NOTHING,
        data=lambda s, r: {"q": "水费怎么交"}, prepare=kb_entry),
    Row("knowledge:topic", "get", lambda s: reverse("knowledge:topic", args=["utilities"]), EVERYONE_NOTHING,
        prepare=kb_entry),
    Row("knowledge:entry", "get", lambda s: reverse("knowledge:entry", args=["water-bill"]), EVERYONE_NOTHING,
        prepare=kb_entry),
    Row("knowledge:entry-version", "get", lambda s: reverse("knowledge:entry-version", args=["water-bill", 1]),
        EVERYONE_NOTHING, prepare=kb_entry),
    Row("knowledge:rate", "post", lambda s: reverse("knowledge:rate", args=["water-bill"]), EVERYONE_NOTHING,
        status=302, prepare=kb_entry, data=lambda s, r: {"helpful": "yes"}),
    Row("knowledge:manage", "get", lambda s: reverse("knowledge:manage"), KB_STAFF, prepare=kb_entry),
    Row("knowledge:manage-new", "get", lambda s: reverse("knowledge:manage-new"), KB_STAFF),
    Row("knowledge:manage-export", "get", lambda s: reverse("knowledge:manage-export", args=["csv"]), KB_STAFF,
        prepare=kb_entry),
    Row("knowledge:manage-import", "get", lambda s: reverse("knowledge:manage-import"), {"supervisor": NOTHING}),
    Row("knowledge:manage-entry", "get", lambda s: reverse("knowledge:manage-entry", args=["water-bill"]),
        {"officer_a": NOTHING, "supervisor": NOTHING}, prepare=kb_entry, not_yours=True),
    Row("knowledge:manage-publish", "post", lambda s: reverse("knowledge:manage-publish", args=["water-bill", 2]),
        {"head_a": NOTHING, "supervisor": NOTHING}, status=302, prepare=kb_entry, not_yours=True),
    Row("knowledge:manage-propose", "post", lambda s: reverse("knowledge:manage-propose",
        args=[s.street.appeal.number]), {}, echoes_number=True, not_yours=True),  # no consultation: nobody
    Row("api:knowledge-search", "get", lambda s: reverse("api:knowledge-search"), EVERYONE_NOTHING,
        data=lambda s, r: {"q": "水费怎么交"}, prepare=kb_entry),
    Row("open311:knowledge", "get", lambda s: reverse("open311:knowledge", args=["xml"]), EVERYONE_NOTHING,
        data=lambda s, r: {"q": "水费怎么交"}, prepare=kb_entry),
    # The API's own description: public, and about no ticket.
    Row("api-schema", "get", lambda s: reverse("api-schema"), EVERYONE_NOTHING),
    Row("api-docs", "get", lambda s: reverse("api-docs"), EVERYONE_NOTHING),
    # Open311: public reads show only appeals their residents published (the street ticket was not),
    # under a public id: its tracking number names nothing there. Filing needs an API key (none of
    # these visitors holds one).
    Row("open311:discovery", "get", lambda s: reverse("open311:discovery", args=["json"]), EVERYONE_NOTHING),
    Row("open311:root", "get", lambda s: reverse("open311:root"), {}, refused=NOT_FOUND),
    Row("open311:services", "get", lambda s: reverse("open311:services", args=["json"]), EVERYONE_NOTHING),
    Row("open311:service", "get", lambda s: reverse("open311:service", args=[s.city.noise.code, "json"]),
        EVERYONE_NOTHING),
    Row("open311:requests", "get", lambda s: reverse("open311:requests", args=["json"]), EVERYONE_NOTHING),
    Row("open311:requests", "post", lambda s: reverse("open311:requests", args=["json"]), {},
        data=lambda s, r: {"service_code": s.city.noise.code, "lat": "39.95", "long": "116.05"}, refused=(403, "")),
    Row("open311:request", "get", lambda s: reverse("open311:request", args=[s.street.appeal.number, "xml"]), {},
        echoes_number=True, refused=NOT_FOUND),  # "service_request_id … was not found"
    Row("open311:token", "get", lambda s: reverse("open311:token", args=["no-such-token", "json"]), {},
        refused=NOT_FOUND),
    Row("open311:<unnamed /open311/^(?P<path>.*?)\\.json$>", "get", lambda s: "/open311/v2/nothing.json", {},
        refused=NOT_FOUND),
    Row("open311:<unnamed /open311/^(?P<path>.*)$>", "get", lambda s: "/open311/v2/nothing", {}, refused=NOT_FOUND),
    # The admin site: one representative row for all of it; superusers only, no role here is one.
    Row("admin:*", "get", lambda s: reverse("admin:appeals_appeal_change", args=[s.street.appeal.pk]), {}),
]
TABLE = with_head(TABLE)


def url_pattern_names() -> set[str]:
    """Every pattern of the project as "namespace:name" (the admin's collapsed into "admin:*")."""

    def walk(patterns, namespaces: tuple, route: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                yield from walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if namespaces[:1] == ("admin",):
                    yield "admin:*"
                else:
                    yield ":".join((*namespaces, pattern.name or f"<unnamed {route}{pattern.pattern}>"))

    return set(walk(get_resolver().url_patterns, (), "/"))


def test_every_url_pattern_has_a_row():
    names = url_pattern_names()
    rows = {row.name for row in TABLE}
    assert not names - rows, f"URL patterns without a row in the access table: {sorted(names - rows)}"
    assert not rows - names, f"rows for URL patterns that no longer exist: {sorted(rows - names)}"


@pytest.fixture
def scene(city, officers) -> Scene:
    def ticket(**fields) -> Ticket:
        submitted = submit_appeal(photos=[png_upload()], **fields)
        appeal = submitted.appeal
        reencode_pending(appeal_id=appeal.pk)  # as the worker does: only a re-encoded photo is served
        return Ticket(appeal=appeal, code=submitted.access_code, name=fields["contact_name"],
                      phone=fields["contact_phone"], text=fields["text"],
                      dispatch=route.route_appeal(appeal_id=appeal.pk))

    street = ticket(text="十字路口井盖缺失，夜里很危险", category_code=city.noise.code, latitude=city.POINT_A1[0],
                    longitude=city.POINT_A1[1], contact_name="欧阳娜娜", contact_phone="13912345678")
    triage = ticket(text="楼道里堆满杂物无人清理", contact_name="司马光明", contact_phone="13787654321")
    assert street.dispatch.unit == city.street_a1 and triage.dispatch is None
    return Scene(street=street, triage=triage, city=city, officers=officers)


def client_as(role: str, scene: Scene) -> Client:
    client = Client()
    if role == "resident":  # the browser that filed the street ticket still holds its receipt
        session = client.session
        session[SESSION_KEY] = {"number": scene.street.appeal.number, "code": scene.street.code}
        session[sign_in.SESSION_PHONE] = scene.street.phone  # signed in to "My appeals" with it
        session.save()
    elif role in OFFICER_OF_ROLE:
        client.force_login(scene.officers[OFFICER_OF_ROLE[role]].user)
    return client


def send(client: Client, row: Row, scene: Scene, role: str):
    data = row.data(scene, role)
    if row.json:
        return getattr(client, row.method)(row.url(scene), data, content_type="application/json")
    return getattr(client, row.method)(row.url(scene), data)


def body_of(response) -> str:
    if response.streaming:  # reading it to the end closes it (the test client's wrapper)
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def refusal(row: Row, role: str, url: str) -> tuple[int, str]:
    """The one answer that refuses `role` on this row: (status, where a redirect goes, else "")."""
    if row.refused is not None:
        return row.refused
    if url.startswith("/admin/"):
        return 302, "/admin/login/"
    if role not in OFFICER_OF_ROLE:  # not signed in (the resident only holds a receipt in the session)
        return (403, "") if url.startswith("/api/") else (302, "/accounts/login/")
    return (404 if row.not_yours else 403), ""


def answer(response) -> tuple[int, str]:
    """(status, Location without its query: where a login page would send the visitor next)."""
    return response.status_code, response.get("Location", "").split("?", 1)[0]


def problems_with(row: Row, role: str, response, body: str, scene: Scene, events_changed: bool) -> list[str]:
    where = f"{row.method.upper()} {row.name} ({row.url(scene)}) as {role}: {response.status_code}"
    problems = []
    expected = row.sees.get(role)
    if expected is None:
        if answer(response) != refusal(row, role, row.url(scene)):
            problems.append(f"{where} {response.get('Location', '')}, should be refused with "
                            f"{refusal(row, role, row.url(scene))}")
        if events_changed:
            problems.append(f"{where}, refused but the event log changed")
    elif response.status_code != (expected.status or row.status) or answer(response)[1] in LOGIN_PAGES:
        problems.append(f"{where} {response.get('Location', '')}, expected {expected.status or row.status}")
    for name in ("street", "triage"):
        ticket = scene.ticket(name)
        own = expected is not None and name == row.ticket
        shows_ticket = own and expected.ticket
        if shows_ticket and ticket.appeal.number not in body:
            problems.append(f"{where}: the {name} ticket's number is missing")
        echoed = row.echoes_number and name == row.ticket
        if not shows_ticket and ((ticket.appeal.number in body and not echoed) or ticket.text in body):
            problems.append(f"{where}: shows the {name} ticket")
        full = own and expected.contact == "full"
        for label, value in (("name", ticket.name), ("phone", ticket.phone)):
            if (value in body) != full:
                problems.append(f"{where}: the resident's {label} of the {name} ticket is "
                                f"{'missing' if full else 'shown unmasked'}")
        if own and expected.contact == "masked" and mask_phone(ticket.phone) not in body:
            problems.append(f"{where}: the masked phone of the {name} ticket is missing")
    return problems


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.method}-{row.name}")
def test_each_role_is_allowed_or_refused_as_the_table_says(row, scene):
    problems = []
    for role in ROLES:
        with transaction.atomic():  # every role meets the same scene
            if row.prepare is not None:
                row.prepare(scene)
            events_before = AppealEvent.objects.count()
            response = send(client_as(role, scene), row, scene, role)
            body = body_of(response)
            events_changed = AppealEvent.objects.count() != events_before
            problems += problems_with(row, role, response, body, scene, events_changed)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def test_the_admin_row_opens_for_a_superuser_and_no_one_else(scene):
    """The other side of the admin row: the page is real, a superuser gets it, staff status alone
    (a user flagged staff without permissions) does not."""
    url = reverse("admin:appeals_appeal_change", args=[scene.street.appeal.pk])
    staff = scene.officers["supervisor"].user
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    page = client.get(url)
    assert page.status_code == 200 and scene.street.appeal.number in page.content.decode()
    assert scene.street.phone not in page.content.decode()  # contacts are excluded from the admin too
