"""The stories the suite tells, in one place: file an appeal and route it, a routed ticket at a
unit, a resolved one, a month of handled tickets, officers racing on one ticket, a unit asking
the centre for something through the API, a person signing in.

Test modules build their scenes from these (and from the fixtures of conftest.py and the
factories of factories.py; processes.py starts and stops real processes); no test module
imports another. Each helper goes through the real services and the real API, as a person or
the worker would: none of them writes a row the code would not write.
"""
import io
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from appeals.knowledge import io as knowledge_io
from appeals.knowledge import services as knowledge
from appeals.knowledge.models import KnowledgeEntry
from appeals.services import SubmittedAppeal, submit_appeal
from dispatch.deadlines.sweeps import sweep_deadlines
from dispatch.feedback import callbacks
from dispatch.feedback.callbacks import Answers
from dispatch.handling import actions
from dispatch.models import Dispatch
from dispatch.routing.route import route_appeal
from streets.models import Unit
from tests.factories import UnitFactory

PASSWORD = "pass12345"


# --- time --------------------------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime in the city's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute, second))


def weekday_morning_next_month() -> datetime:
    """10:00 on the first Tuesday from the 10th of next month: a working morning whose 24-working-hour
    response deadline falls in the same month."""
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    day = next(d for d in range(10, 17) if datetime(year, month, d).weekday() == 1)
    return local(year, month, day, 10)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1):
    """Poll until predicate() is truthy (returning its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


# --- what each test starts without ----------------------------------------------------------------


def forget_rate_limits(redis_client) -> None:
    """Drop every rate-limit counter (they live in the Django cache's Redis, under its key prefix);
    nothing else in the tests' Redis database (the Celery queues) is touched."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        redis_client.delete(key)


# --- a resident files, the worker routes --------------------------------------------------------


def file_appeal(city, **fields) -> SubmittedAppeal:
    """A resident in street A1 complains about noise through the intake service; `fields` change
    any of it (category_code=None, latitude=None for one the operators must place)."""
    return submit_appeal(**{
        "text": "楼下商铺每晚噪声扰民", "category_code": city.noise.code, "latitude": city.POINT_A1[0],
        "longitude": city.POINT_A1[1], "contact_name": "张三", "contact_phone": "13800138000", **fields,
    })


def routed_ticket(city, **fields) -> Dispatch:
    """file_appeal(...), routed as the worker routes it: the pending dispatch at its unit."""
    return route_appeal(appeal_id=file_appeal(city, **fields).appeal.pk)


def triage_appeal(city, **fields):
    """An appeal with neither category nor place: routing leaves it in the operators' manual queue."""
    appeal = file_appeal(city, **{"category_code": None, "latitude": None, "longitude": None, **fields}).appeal
    assert route_appeal(appeal_id=appeal.pk) is None
    return appeal


def routed_tickets(city, n: int, *, category=None) -> list[Dispatch]:
    """n different appeals from inside street A1 (or in a category nobody handles: None each, the
    operators' queue), each routed."""
    return [
        routed_ticket(city, text=f"第{i}号楼夜间施工噪声扰民", category_code=(category or city.noise).code,
                      contact_phone=f"1380013{i:04d}")
        for i in range(n)
    ]


def respond_and_resolve(dispatch: Dispatch, officer, answer: str = "已处理") -> Dispatch:
    """The unit calls the resident, then resolves with an answer (which opens the survey)."""
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer)
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer=answer)
    dispatch.refresh_from_db()
    return dispatch


class Month:
    """A month of handled tickets: drives appeals through the real services at chosen moments (the
    clock is frozen at each), each by an officer of the ticket's unit."""

    def __init__(self, city, officers):
        self.city, self.officers, self.serial = city, officers, 0

    def at(self, moment):
        return time_machine.travel(moment, tick=False)

    def dispatch(self, moment, *, place=(39.95, 116.05), category=None, urgency=None) -> Dispatch:
        self.serial += 1
        with self.at(moment):
            return routed_ticket(
                self.city, text=f"第{self.serial}号诉求", category_code=(category or self.city.noise).code,
                latitude=place[0], longitude=place[1], contact_name="", contact_phone=f"1380013{self.serial:04d}",
                urgency=urgency,
            )

    def officer_of(self, dispatch):
        return next(o for o in self.officers.values() if o.unit_id == dispatch.unit_id and not o.is_head)

    def respond(self, dispatch, moment):
        with self.at(moment):
            actions.respond_dispatch(dispatch_id=dispatch.pk, officer=self.officer_of(dispatch))

    def resolve(self, dispatch, moment, answer="已处理"):
        with self.at(moment):
            if dispatch.is_cohandling:
                actions.report_cohandling(dispatch_id=dispatch.pk, officer=self.officer_of(dispatch), report=answer)
            else:
                actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=self.officer_of(dispatch), answer=answer)

    def rate(self, dispatch, moment, solved, satisfaction):
        with self.at(moment):
            callbacks.rate_by_tracking(appeal=dispatch.appeal, answers=Answers(solved, satisfaction))

    def sweep(self, moment):
        with self.at(moment):
            sweep_deadlines()
            callbacks.expire_callbacks()


# --- a unit asks, through the staff API ---------------------------------------------------------


def ask_return(api_as, officer, ticket, **overrides):
    """The officer asks the centre to take the ticket back: "not our place" (in English)."""
    body = {"reason": "place", "note": "该地址属于南桥街道", **overrides}
    return api_as(officer, "en").post(f"/api/v1/dispatches/{ticket.pk}/return/", body, format="json")


def ask_extension(api_as, officer, dispatch, *, day="2026-12-21", reason="需要等待不动产登记中心出具意见",
                  at=None):
    """The officer asks for a later resolve deadline (on `day`), at the moment `at` if given."""
    def post():
        return api_as(officer, "en").post(f"/api/v1/dispatches/{dispatch.pk}/extension/",
                                          {"proposed_day": day, "reason": reason}, format="json")

    if at is None:
        return post()
    with time_machine.travel(at, tick=False):
        return post()


def blow_whistle(api_as, officer, dispatch, departments=("DEP-WATER", "DEP-HOUSING"),
                 note="需要供水和住建部门现场会商"):
    """The street summons departments to co-handle the ticket."""
    return api_as(officer).post(f"/api/v1/dispatches/{dispatch.pk}/whistle/",
                                {"departments": list(departments), "note": note}, format="json")


def supervise(api_as, officer, dispatch, note="群众反映强烈，请加快处理并回报"):
    """A supervision order on the ticket, opened by hand."""
    return api_as(officer).post(f"/api/v1/dispatches/{dispatch.pk}/supervise/", {"note": note}, format="json")


# --- a race --------------------------------------------------------------------------------------


def race_each(jobs: list[Callable]) -> list:
    """Run each job in a thread of its own, all released together (real concurrent transactions on
    their own connections); return each job's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = jobs[i]()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def race(n: int, action: Callable) -> list:
    """`action` n times at once (see race_each)."""
    return race_each([action] * n)


# --- the public form ------------------------------------------------------------------------------


def png_upload(name: str = "photo.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def post_form(client: Client, **fields) -> str:
    """Fill the public form as a browser would (CSRF token included); return the tracking number."""
    form_page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token, "kind": "complaint", "urgency": "ordinary", **fields}
    response = client.post("/", data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    return tracking_number_in(response.content.decode())


def tracking_number_in(html: str) -> str | None:
    """The tracking number on the confirmation page, if this is one."""
    match = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


# --- in a real browser (Playwright pages; the fixtures are in conftest.py) -----------------------


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the login page, as staff do, and wait for the console."""
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/**")


def file_in_english(page, base: str, **fields: str) -> tuple[str, str]:
    """Fill the public form in English as a resident would (fields by input id: text, category,
    address, latitude, longitude, contact_name, contact_phone); return (number, code) from the receipt."""
    page.goto(base + "/")
    page.select_option("#language", "en")  # the resident chooses English
    page.wait_for_selector("text=Tell us about a problem")
    for name, value in fields.items():
        if name == "category":
            page.select_option("#id_category", value)
        else:
            page.fill(f"#id_{name}", value)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#tracking-number")
    return page.inner_text("#tracking-number").strip(), page.inner_text("#access-code").strip()


# --- what the code sends to Redis -------------------------------------------------------------------


def count_redis_sends(monkeypatch, naming: bytes = b"") -> list[bytes]:
    """The commands sent to Redis from now on, on every client, each packed as sent (only those
    containing `naming`). A measurement: every command is still sent as before."""
    import redis

    sent: list[bytes] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting_send(conn, command, *args, **kwargs):
        packed = b"".join(command) if isinstance(command, list | tuple) else command
        if naming in packed:
            sent.append(packed)
        return send(conn, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting_send)
    return sent


def command_names(sent: list[bytes]) -> list[bytes]:
    """The command of each packed Redis request (EVALSHA, SET, ...)."""
    return [packed.split(b"\r\n")[2].upper() for packed in sent]


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"  # npm ci in tests/ (make test)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as shown (axe injected by the test)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .filter(v => ["serious", "critical"].includes(v.impact))
        .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", "))""")
    return [f"{page.url} {finding}" for finding in found]


# --- the knowledge base: the demo entries in the test city, and single published entries --------

KNOWLEDGE_DEMO_FILE = Path(__file__).resolve().parents[1] / "appeals" / "knowledge" / "demo" / "entries.jsonl"


def load_demo_knowledge() -> int:
    """The shipped demo entries, their owners created as departments and their districts as
    districts when the test city lacks them; categories dropped (the test city has other ones)."""
    rows = [json.loads(line) for line in KNOWLEDGE_DEMO_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if not Unit.objects.filter(code=row["owner"]).exists():
            UnitFactory(code=row["owner"], kind=Unit.Kind.DEPARTMENT, name=row["owner"])
        if row["scope"] != "city" and not Unit.objects.filter(name=row["scope"]).exists():
            UnitFactory(code=f"D-{len(row['scope'])}-{row['scope']}", kind=Unit.Kind.DISTRICT, name=row["scope"])
        row["category"] = ""
    plan = knowledge_io.apply_import(rows, dry_run=False)
    assert not plan.errors, [(row.line, row.errors) for row in plan.errors]
    return len(rows)


def published_entry(owner: Unit, key: str = "water-bill", *, question: str = "自来水费怎么交",
                    answer: str = "可在营业厅或网上缴纳水费。", review_due=None, **fields) -> KnowledgeEntry:
    entry = knowledge.create_entry(
        key=key, owner=owner, topic="utilities", content=knowledge.Content(
            question_zh=question, answer_zh=answer,
            question_en=fields.pop("question_en", "How do I pay the water bill?"),
            answer_en="Pay at a service hall or online.", phrasings_zh=fields.pop("phrasings_zh", ("水费在哪里交",)),
            review_due=review_due),
        **fields,
    )
    knowledge.publish(version=entry.versions.get())
    entry.refresh_from_db()
    return entry
