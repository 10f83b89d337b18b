"""Fill the database with a year of appeals over the demo city's units and write every row with COPY.

Volume follows the hotline's rhythm: fewer calls at weekends and at night, peaks mid-morning and
mid-afternoon, a slight growth over the year. Streets and categories are drawn from skewed weights
(a few busy streets, a few common complaints); the demo officer's street is the busiest, so its
queue is the heaviest page an officer opens. Every appeal gets the same access code
(`ACCESS_CODE`), hashed with the project's own `hash_access_code`, so the tracking probe can look
any appeal up; a folded repeat's further code is `FOLDED_ACCESS_CODE`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from appeals.catalogue import questions_of
from appeals.models import Appeal, Category
from appeals.tracking import ALPHABET, hash_access_code
from appeals.validation import clean_attributes
from streets.demo import DEMO_STREET_CODE
from streets.models import Duty, Officer, Unit

from ..payloads import answers
from .copying import Buffers, Copier, indexes_set_aside, next_ids, reset_sequences, restore_set_aside
from .jobs import Plan
from .lifecycle import AppealStory, Cast, DispatchStory, Lifecycle, json_data, settle_order, token_hash
from .progress import Progress
from .staff import ensure_officers

ACCESS_CODE = "BENCH234"  # every generated appeal's code (letters of the tracking alphabet)
FOLDED_ACCESS_CODE = "REPEAT23"  # the further code of every folded repeat
CHUNK_APPEALS = 10_000
TRIAGE_SHARE = 0.02

COLUMNS = {
    "appeals_appeal": (
        "id", "number", "access_code_hash", "channel", "kind", "urgency", "category_id", "text", "attributes",
        "media_url", "address", "contact_name", "contact_phone", "contact_email", "anonymous", "language", "status",
        "rejection_reason", "submitted_by_id", "created_at", "routed_at", "fingerprint",
    ),
    "appeals_accesscode": ("id", "appeal_id", "code_hash", "created_at"),
    "appeals_appealphoto": ("id", "appeal_id", "image", "state", "created_at"),
    "dispatch_dispatch": (
        "id", "appeal_id", "unit_id", "district_id", "role", "is_current", "state", "dispatched_at",
        "dispatched_by_id", "response_due", "resolve_due", "respond_limit", "resolve_limit", "time_limit_id",
        "deadlines_provisional", "response_warn_at", "resolve_warn_at", "response_warned_at", "resolve_warned_at",
        "response_overdue_at", "resolve_overdue_at", "resolve_extended", "whistle_id", "returned_at",
        "reopened_from_id", "signed_at", "responded_at", "resolved_at", "answer",
    ),
    # A co-handling dispatch names its whistle, the whistle its street's dispatch: each chunk is
    # copied in one transaction, so the (deferred) foreign keys are checked once both are in.
    "dispatch_whistle": ("id", "dispatch_id", "blown_by_id", "blown_at", "note"),
    "dispatch_returnrequest": (
        "id", "dispatch_id", "requested_by_id", "requested_at", "state", "decided_by_id", "decided_at",
        "decision_note", "reason", "note", "suggested_unit_id", "new_dispatch_id",
    ),
    "dispatch_extensionrequest": (
        "id", "dispatch_id", "requested_by_id", "requested_at", "state", "decided_by_id", "decided_at",
        "decision_note", "reason", "proposed_due", "previous_due",
    ),
    "dispatch_callback": (
        "id", "dispatch_id", "token_hash", "opened_at", "closes_at", "state", "solved", "satisfaction", "comment",
        "channel", "recorded_by_id", "rated_at",
    ),
    "dispatch_supervisionorder": (
        "id", "dispatch_id", "unit_id", "reason", "note", "opened_by_id", "opened_at", "reply_due", "state", "reply",
        "replied_by_id", "replied_at",
    ),
    "appeals_appealevent": (
        "id", "appeal_id", "dispatch_id", "kind", "from_status", "to_status", "actor_id", "unit_id", "note", "public",
        "data", "created_at",
    ),
}
TABLES = tuple(COLUMNS)

HOURS = (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 11, 8, 9, 12, 12, 11, 9, 7, 6, 5, 4, 3, 2)  # local hour weights
TEXTS = ("持续多日，影响居民正常生活，请尽快处理。", "多次反映未果，希望有关部门重视。",
         "夜间尤其严重，老人孩子无法休息。", "已拍照留存，请派人现场查看。", "周边居民意见很大，请协调解决。")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"


@dataclass(frozen=True)
class City:
    """The demo city's units, duties and people, with the weights appeals are drawn by."""

    streets: list
    street_weights: list
    categories: list
    category_weights: list
    handler: dict  # category id -> Unit (a department) or None (the street where it happened)
    cast: Cast

    @classmethod
    def load(cls, rng: random.Random) -> City:
        streets = list(Unit.objects.filter(kind=Unit.Kind.STREET, active=True).order_by("code"))
        if not streets:
            raise SystemExit("No streets: run `manage.py load_demo_city` first.")
        weights = [rng.lognormvariate(0, 1.0) for _ in streets]
        busiest = max(weights)
        weights = [busiest * 1.5 if street.code == DEMO_STREET_CODE else weight
                   for street, weight in zip(streets, weights, strict=True)]
        duties = {duty.category_id: duty for duty in Duty.objects.select_related("department")}
        categories = list(Category.objects.filter(is_leaf=True, active=True).order_by("code")
                          .prefetch_related("attributes"))
        category_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(categories))]
        rng.shuffle(category_weights)
        handler = {}
        for category in categories:
            duty = duties.get(category.pk)
            handler[category.pk] = duty.department if duty and duty.department_id else None
        officers: dict[int, list[int]] = {}
        heads: dict[int, int] = {}
        operators, supervisors = [], []
        for officer in Officer.objects.order_by("pk"):
            if officer.role == Officer.Role.OPERATOR:
                operators.append(officer.user_id)
            elif officer.role == Officer.Role.SUPERVISOR:
                supervisors.append(officer.user_id)
            elif officer.role == Officer.Role.OFFICER:
                officers.setdefault(officer.unit_id, []).append(officer.user_id)
                if officer.is_head:
                    heads.setdefault(officer.unit_id, officer.user_id)
        departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, active=True).order_by("code"))
        return cls(streets, weights, categories, category_weights, handler,
                   Cast(operators=operators, officers=officers, heads=heads, supervisors=supervisors,
                        streets=streets, departments=departments))


def day_counts(total: int, days: list[date], rng: random.Random) -> list[int]:
    """Appeals per day: weekends quieter, a slight growth over the year, a little noise."""
    weights = [(0.7 if day.weekday() >= 5 else 1.0) * (0.9 + 0.2 * index / len(days)) * rng.uniform(0.9, 1.1)
               for index, day in enumerate(days)]
    scale = total / sum(weights)
    counts, carry = [], 0.0
    for weight in weights:
        exact = weight * scale + carry
        counts.append(int(exact))
        carry = exact - int(exact)
    counts[-1] += total - sum(counts)
    return counts


def moments(day: date, count: int, rng: random.Random, now: datetime) -> list[datetime]:
    """`count` moments of a local day, by the hour profile, in order, none after `now`."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    hours = rng.choices(range(24), weights=HOURS, k=count)
    found = sorted(start + timedelta(hours=hour, seconds=rng.randrange(3600)) for hour in hours)
    return [moment if moment < now else now - timedelta(seconds=rng.randrange(1, 600)) for moment in found]


def tracking_suffix(appeal_id: int) -> str:
    """Six characters of the tracking alphabet, a bijection of the id (unique, not sequential-looking)."""
    space = len(ALPHABET) ** 6
    value = (appeal_id * 387_420_489) % space  # 9**9 is coprime with 30**6
    chars = []
    for _ in range(6):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


class Writer:
    """Turns stories into rows with ids, and flushes them with COPY."""

    def __init__(self, copier, ids: dict[str, int]):
        self.copier = copier
        self.ids = ids
        self.buffers = Buffers(COLUMNS)
        self.rows = 0

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def next_appeal_id(self) -> int:
        return self._id("appeals_appeal")

    def appeal(self, appeal_id: int, story: AppealStory, fields: tuple) -> None:
        events = settle_order(story)
        add = self.buffers.add
        number = fields[0]
        add("appeals_appeal", (appeal_id, *fields, story.status, story.rejection_reason, story.submitted_by_id,
                               story.created_at, story.routed_at, ""))
        for at in story.folded_at:
            add("appeals_accesscode", (self._id("appeals_accesscode"), appeal_id,
                                       hash_access_code(number, FOLDED_ACCESS_CODE), at))
        for name in story.photos:
            add("appeals_appealphoto", (self._id("appeals_appealphoto"), appeal_id, name, "ready", story.created_at))
        for dispatch in story.dispatches:
            dispatch.id = self._id("dispatch_dispatch")
            for whistle in dispatch.whistles:
                whistle.id = self._id("dispatch_whistle")
        for dispatch in story.dispatches:
            self._dispatch(appeal_id, dispatch)
        for event in events:
            data = event.data
            if data and isinstance(data.get("new_dispatch"), DispatchStory):
                data = {"new_dispatch": data["new_dispatch"].id}
            self.buffers.add("appeals_appealevent", (
                self._id("appeals_appealevent"), appeal_id, event.dispatch.id if event.dispatch else None, event.kind,
                event.from_status, event.to_status, event.actor_id, event.unit_id, event.note, event.public,
                json_data(data), event.at,
            ))

    def _dispatch(self, appeal_id: int, d: DispatchStory) -> None:
        deadlines = d.deadlines
        fields = deadlines.as_fields()
        self.buffers.add("dispatch_dispatch", (
            d.id, appeal_id, d.unit_id, d.district_id, d.role, d.is_current, d.state, d.dispatched_at,
            d.dispatched_by_id, deadlines.response_due, deadlines.resolve_due, fields["respond_limit"],
            fields["resolve_limit"], fields["time_limit_id"], deadlines.provisional, deadlines.response_warn_at,
            deadlines.resolve_warn_at, d.warned_at.get("response"), d.warned_at.get("resolve"),
            d.overdue_at.get("response"), d.overdue_at.get("resolve"), d.resolve_extended,
            d.whistle.id if d.whistle else None, d.returned_at, d.reopened_from.id if d.reopened_from else None,
            d.signed_at, d.responded_at, d.resolved_at, d.answer,
        ))
        for whistle in d.whistles:
            self.buffers.add("dispatch_whistle", (whistle.id, d.id, whistle.blown_by_id, whistle.blown_at,
                                                  whistle.note))
        for request in d.returns:
            self.buffers.add("dispatch_returnrequest", (
                self._id("dispatch_returnrequest"), d.id, *_decided(request), request.reason, request.note,
                request.suggested_unit_id, request.new_dispatch.id if request.new_dispatch else None,
            ))
        for request in d.extensions:
            self.buffers.add("dispatch_extensionrequest", (
                self._id("dispatch_extensionrequest"), d.id, *_decided(request), request.reason,
                request.proposed_due, request.previous_due,
            ))
        callback = d.callback
        if callback is not None:
            self.buffers.add("dispatch_callback", (
                self._id("dispatch_callback"), d.id, token_hash(str(d.id)), callback.opened_at, callback.closes_at,
                callback.state, callback.solved, callback.satisfaction, callback.comment, callback.channel,
                callback.recorded_by_id, callback.rated_at,
            ))
        for order in d.orders:
            replied = order.replied_at is not None
            self.buffers.add("dispatch_supervisionorder", (
                self._id("dispatch_supervisionorder"), d.id, order.unit_id, order.reason, "", None, order.opened_at,
                order.reply_due, "replied" if replied else "open", order.reply, order.replied_by_id, order.replied_at,
            ))

    def flush(self) -> int:
        written = self.copier.send(self.buffers.take())
        self.rows += written
        return written


def _decided(request) -> tuple:
    """The columns every return and extension request shares (DecidedRequest)."""
    return (request.requested_by_id, request.requested_at, request.state, request.decided_by_id,
            request.decided_at, request.decision_note)


def make_plan(*, appeals: int, days: int, now: datetime | None, seed: int) -> Plan:
    now = (now or timezone.now()).replace(microsecond=0)
    today = timezone.localdate(now)
    calendar_days = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    rng = random.Random(seed)
    return Plan(now, calendar_days, day_counts(appeals, calendar_days, rng), seed)


def lifecycle_for(plan: Plan, job: int) -> tuple[City, Lifecycle, random.Random]:
    """The city (the same weights in every job) and a job's own stream of chance."""
    city = City.load(random.Random(plan.seed))
    rng = random.Random(plan.seed * 7919 + job)
    return city, Lifecycle(now=plan.now, cast=city.cast, rng=rng), rng


def generate(*, appeals: int, now: datetime | None = None, days: int = 365, seed: int = 12345,
             set_aside_indexes: bool = False, jobs: int = 1, progress: bool = True, report=print) -> dict:
    """Write `appeals` appeals received over the `days` days before `now`, with everything the
    services would have written for them; returns what was written.

    With `set_aside_indexes` the load is a bulk load of its own: indexes and foreign keys are set
    aside, `jobs` processes generate and COPY in parallel (each on its own connection), and
    everything is rebuilt after. Otherwise rows go through the caller's connection and transaction."""
    from .jobs import run_jobs

    added = ensure_officers()
    if added:
        report(f"added {added} officer accounts (an officer and a head per unit)")
    plan = make_plan(appeals=appeals, days=days, now=now, seed=seed)
    meter = Progress(appeals, enabled=progress)
    connection.ensure_connection()
    with connection.cursor() as django_cursor, translation.override(settings.LANGUAGE_CODE):
        cursor = django_cursor.cursor
        restore_set_aside(cursor, report)
        ids = next_ids(cursor, TABLES)
        if set_aside_indexes:
            with indexes_set_aside(cursor, TABLES, report):
                rows = run_jobs(plan, ids, jobs=jobs, meter=meter)
                meter.finish(appeals, rows)  # before the rebuild reports
        else:
            city, lifecycle, rng = lifecycle_for(plan, 0)
            writer = Writer(Copier(cursor, COLUMNS), ids)
            load_days(writer, lifecycle, city, plan, range(len(plan.days)), rng, meter.update)
            rows = writer.rows
            meter.finish(appeals, rows)
        reset_sequences(cursor, TABLES)
    return {"appeals": appeals, "rows": rows, "seconds": meter.elapsed, "first_day": plan.days[0], "now": plan.now}


def load_days(writer: Writer, lifecycle: Lifecycle, city: City, plan: Plan, day_indexes, rng, on_chunk) -> int:
    """Generate and write the appeals of the given days; `on_chunk(done, rows)` after each chunk."""
    code, now = ACCESS_CODE, plan.now
    channels, channel_weights = Appeal.Channel.values, list(accumulate((30, 60, 10)))
    kinds, kind_weights = Appeal.Kind.values, list(accumulate((15, 25, 45, 10, 5)))
    category_weights, street_weights = list(accumulate(city.category_weights)), list(accumulate(city.street_weights))

    done = 0
    for index in day_indexes:
        day, count = plan.days[index], plan.counts[index]
        prefix = f"{day:%y%m%d}-"
        for created in moments(day, count, rng, now):
            category = rng.choices(city.categories, cum_weights=category_weights)[0]
            street = rng.choices(city.streets, cum_weights=street_weights)[0]
            department = city.handler.get(category.pk)
            unit = department or street
            channel = rng.choices(channels, cum_weights=channel_weights)[0]
            story = AppealStory(
                created_at=created, channel=channel,
                urgency=Appeal.Urgency.URGENT if rng.random() < 0.03 else Appeal.Urgency.ORDINARY,
                category=category,
                submitted_by_id=lifecycle.cast.operator(rng) if channel == Appeal.Channel.PHONE else None,
            )
            lifecycle.appeal(story, unit=unit, triage=rng.random() < TRIAGE_SHARE)
            appeal_id = writer.next_appeal_id()
            number = prefix + tracking_suffix(appeal_id)
            anonymous = channel != Appeal.Channel.PHONE and rng.random() < 0.15
            writer.appeal(appeal_id, story, (
                number, hash_access_code(number, code), channel, rng.choices(kinds, cum_weights=kind_weights)[0],
                story.urgency, category.pk, f"{category.name}：{rng.choice(TEXTS)}",
                json_data(clean_attributes(category, answers(questions_of(category), rng))), "",  # as intake stores
                f"{street.name}{rng.randrange(1, 40)}号院{rng.randrange(1, 12)}号楼",
                "" if anonymous else rng.choice(SURNAMES) + rng.choice(GIVEN),
                "" if anonymous else f"1{rng.choice('38')}{rng.randrange(10**9):09d}", "", anonymous,  # valid: 13x, 18x
                "en" if rng.random() < 0.03 else "zh-hans",
            ))
            done += 1
            if done % CHUNK_APPEALS == 0:
                writer.flush()
                on_chunk(done, writer.rows)
    writer.flush()
    writer.copier.close()
    on_chunk(done, writer.rows)
    return done

