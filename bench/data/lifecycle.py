"""One appeal's life as the real services would have written it: the appeal row, its dispatches,
callback, supervision orders and events, with every moment drawn from realistic delays.

Nothing after `now` happens, so recent appeals are naturally still open in the queues, and every
rule of the services is followed: the deadline sweep's warnings and overdue marks (with their
supervision orders, and the callback it opens at a missed resolve deadline), the callback after
resolution, the one reopen after an unsolved and dissatisfied rating, the close. Deadlines come from
the project's own `dispatch.deadlines`, supervision reply deadlines from `dispatch.supervision`.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from appeals.models import Appeal, AppealEvent
from dispatch.deadlines import count_deadlines, format_due, rule_for_appeal
from dispatch.models import Callback, Dispatch, SupervisionOrder
from dispatch.supervision import reply_due_from
from dispatch.sweeps import RESOLVE, RESPONSE, Clock

Kind = AppealEvent.Kind
Status = Appeal.Status
State = Dispatch.State
SWEEP_SECONDS = 60  # the deadline and callback sweeps run every minute


@dataclass
class Event:
    at: datetime
    kind: str
    to_status: str | None = None  # None: the status does not change (settle_order fills both)
    from_status: str = ""
    dispatch: DispatchStory | None = None
    actor_id: int | None = None
    unit_id: int | None = None
    note: str = ""
    public: bool = True
    data: dict | None = None


@dataclass
class DispatchStory:
    """A dispatch's row as it stands at `now`."""

    unit_id: int
    district_id: int | None
    dispatched_at: datetime
    dispatched_by_id: int | None
    deadlines: object
    reopened_from: DispatchStory | None = None
    is_current: bool = True
    signed_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    answer: str = ""
    warned_at: dict = field(default_factory=dict)  # clock name -> moment
    overdue_at: dict = field(default_factory=dict)
    callback: CallbackStory | None = None
    orders: list = field(default_factory=list)
    id: int | None = None

    @property
    def state(self) -> str:
        if self.resolved_at:
            return State.RESOLVED
        if self.responded_at:
            return State.RESPONDED
        return State.SIGNED if self.signed_at else State.PENDING


@dataclass
class CallbackStory:
    opened_at: datetime
    closes_at: datetime
    state: str = Callback.State.OPEN
    solved: bool | None = None
    satisfaction: str = ""
    channel: str = ""
    recorded_by_id: int | None = None
    rated_at: datetime | None = None
    comment: str = ""


@dataclass
class OrderStory:
    unit_id: int
    reason: str
    opened_at: datetime
    reply_due: datetime
    replied_at: datetime | None = None
    replied_by_id: int | None = None
    reply: str = ""


@dataclass
class AppealStory:
    created_at: datetime
    channel: str
    urgency: str
    category: object
    submitted_by_id: int | None
    status: str = Status.RECEIVED
    routed_at: datetime | None = None
    rejection_reason: str = ""
    dispatches: list = field(default_factory=list)
    events: list = field(default_factory=list)


@dataclass(frozen=True)
class Cast:
    """Who acts: the operators (phone intake, triage, phone callbacks) and each unit's officers."""

    operators: list
    officers: dict  # unit id -> [user ids]
    heads: dict  # unit id -> user id

    def officer(self, unit_id: int, rng: random.Random) -> int | None:
        users = self.officers.get(unit_id)
        return rng.choice(users) if users else None

    def operator(self, rng: random.Random) -> int | None:
        return rng.choice(self.operators) if self.operators else None


ANSWERS = ("已联系相关责任方，问题已处理完毕。", "经现场核实，已协调物业整改。", "已安排人员维修，恢复正常。",
           "已向当事人解释相关政策，诉求人表示理解。", "已责令商户整改，后续将持续巡查。")
RESPONSES = ("已电话联系诉求人，了解具体情况。", "已联系诉求人，约定上门时间。", "")
REPLIES = ("已督促承办人员加快办理，明日反馈。", "已核实原因，今日内办结。")
SATISFACTIONS = (Callback.Satisfaction.SATISFIED, Callback.Satisfaction.BASIC, Callback.Satisfaction.DISSATISFIED)


def json_data(data: dict | None) -> str:
    """The data column as the model's encoder writes it (datetimes to the millisecond, Z for UTC)."""
    return json.dumps(data, cls=DjangoJSONEncoder) if data else "{}"


def token_hash(seed: str) -> str:
    """A unique callback token hash (the token itself is never needed: nobody follows the link)."""
    return hashlib.sha256(f"bench:{seed}".encode()).hexdigest()


class Lifecycle:
    """Draws the story of each appeal; `now` bounds what has happened."""

    def __init__(self, *, now: datetime, cast: Cast, rng: random.Random):
        self.now = now
        self.cast = cast
        self.rng = rng
        self.window = timedelta(days=settings.CALLBACK_WINDOW_DAYS)

    # --- delays --------------------------------------------------------------------------------

    def _lag(self) -> timedelta:
        return timedelta(seconds=self.rng.randrange(1, SWEEP_SECONDS))

    def _fraction(self, late_share: float, alpha: float, beta: float) -> float:
        """A share of the allowed time: mostly well within it, `late_share` of the time beyond."""
        if self.rng.random() < late_share:
            return 1 + self.rng.expovariate(2.0)
        return self.rng.betavariate(alpha, beta)

    @staticmethod
    def _second(moment: datetime) -> datetime:
        return moment.replace(microsecond=0)

    # --- the story ------------------------------------------------------------------------------

    def appeal(self, story: AppealStory, *, unit, triage: bool) -> AppealStory:
        """Received, then routed (or sent to the operators' queue), then worked through."""
        rng = self.rng
        self._event(story, story.created_at, Kind.RECEIVED, actor_id=story.submitted_by_id)
        routed = self._second(story.created_at + timedelta(seconds=rng.randrange(2, 30)))
        if routed >= self.now:  # the worker has not got to it yet
            return story
        if triage:
            story.routed_at = routed
            self._event(story, routed, Kind.TRIAGE, Status.TRIAGE, public=False,
                        note="未能按地点和职责清单确定承办单位")
            decided = self._second(routed + timedelta(minutes=rng.lognormvariate(3.5, 1.0)))
            if decided >= self.now:
                return story
            operator = self.cast.operator(rng)
            if unit is None or rng.random() < 0.4:
                story.rejection_reason = rng.choice(Appeal.RejectionReason.values)
                self._event(story, decided, Kind.REJECTED, Status.REJECTED, actor_id=operator,
                            note="经核实，不属于本热线受理范围。")
                return story
            self._dispatch(story, unit, decided, actor_id=operator)
            return story
        story.routed_at = routed
        self._dispatch(story, unit, routed, actor_id=None)
        return story

    def _dispatch(self, story: AppealStory, unit, start: datetime, *, actor_id, reopened_from=None) -> None:
        stand_in = SimpleNamespace(urgency=story.urgency, category_id=story.category.pk, category=story.category)
        deadlines = count_deadlines(start=start, rule=rule_for_appeal(stand_in, start))
        dispatch = DispatchStory(
            unit_id=unit.pk, district_id=unit.parent_id if unit.kind == "street" else None, dispatched_at=start,
            dispatched_by_id=actor_id, deadlines=deadlines, reopened_from=reopened_from,
        )
        story.dispatches.append(dispatch)
        self._event(story, start, Kind.DISPATCHED, Status.DISPATCHED, dispatch, actor_id=actor_id,
                    data={"role": Dispatch.Role.PRIMARY, "response_due": deadlines.response_due,
                          "resolve_due": deadlines.resolve_due})
        if reopened_from is not None:
            self._event(story, start, Kind.REOPENED, None, reopened_from, data={"new_dispatch": dispatch})
        self._work(story, dispatch)

    def _work(self, story: AppealStory, dispatch: DispatchStory) -> None:
        rng, d = self.rng, dispatch.deadlines
        start = dispatch.dispatched_at
        officer = self.cast.officer(dispatch.unit_id, rng)
        responded = self._second(start + (d.response_due - start) * self._fraction(0.06, 1.3, 7.0))
        signed = self._second(start + (responded - start) * rng.uniform(0.05, 0.9))
        resolved = None
        if rng.random() > 0.012:  # a few tickets get stuck and are never resolved
            room = max(d.resolve_due - responded, timedelta(hours=1))
            resolved = self._second(responded + room * self._fraction(0.02, 1.6, 3.0) + timedelta(minutes=5))
        happened = {"signed": signed < self.now, "responded": responded < self.now,
                    "resolved": resolved is not None and resolved < self.now}
        # What the deadline sweep saw, clock by clock, before the officer got there.
        marks = []
        for clock, done in ((RESPONSE, responded), (RESOLVE, resolved)):
            marks.extend(self._sweep(story, dispatch, clock, done))
        steps = [(signed, "signed"), (responded, "responded"), (resolved, "resolved")]
        timeline = sorted([(at, name) for at, name in steps if at is not None and happened[name]] + marks,
                          key=lambda item: item[0])
        for at, name in timeline:
            if name == "signed":
                dispatch.signed_at = at
                self._event(story, at, Kind.SIGNED, None, dispatch, actor_id=officer)
            elif name == "responded":
                dispatch.responded_at = at
                self._event(story, at, Kind.RESPONDED, Status.RESPONDED, dispatch, actor_id=officer,
                            note=rng.choice(RESPONSES))
            elif name == "resolved":
                dispatch.resolved_at, dispatch.answer = at, rng.choice(ANSWERS)
                self._event(story, at, Kind.RESOLVED, Status.RESOLVED, dispatch, actor_id=officer,
                            note=dispatch.answer)
                if dispatch.callback is None:  # else the sweep opened it at the missed deadline
                    self._open_callback(story, dispatch, at)
            else:
                name(at)  # a sweep mark, already bound to its dispatch
        self._answer_callback(story, dispatch)

    def _sweep(self, story, dispatch: DispatchStory, clock: Clock, done: datetime | None) -> list:
        """The warning and overdue marks of one clock, as callables placed on the dispatch's timeline."""
        due = getattr(dispatch.deadlines, clock.due)
        warn = self._second(getattr(dispatch.deadlines, clock.warn_at)) + self._lag()
        marks = []
        if warn < due and warn < self.now and (done is None or done > warn):
            def warned(at, clock=clock):
                dispatch.warned_at[clock.name] = at
                self._event(story, at, Kind.DEADLINE_WARNING, None, dispatch, public=False,
                            note=_note(clock, due))
            marks.append((warn, warned))
        overdue = self._second(due) + self._lag()
        if overdue < self.now and (done is None or done > overdue):
            def missed(at, clock=clock):
                dispatch.overdue_at[clock.name] = at
                dispatch.warned_at.setdefault(clock.name, at)
                self._event(story, at, Kind.OVERDUE, None, dispatch, public=False, note=_note(clock, due),
                            data={"clock": clock.name})
                self._open_order(story, dispatch, clock.order_reason, at)
                if clock is RESOLVE:
                    self._open_callback(story, dispatch, at)
            marks.append((overdue, missed))
        return marks

    def _open_order(self, story, dispatch: DispatchStory, reason: str, at: datetime) -> None:
        order = OrderStory(unit_id=dispatch.unit_id, reason=reason, opened_at=at, reply_due=reply_due_from(at))
        dispatch.orders.append(order)
        self._event(story, at, Kind.SUPERVISION_OPENED, None, dispatch, public=False,
                    note=str(SupervisionOrder.Reason(reason).label))
        head = self.cast.heads.get(dispatch.unit_id)
        replied = self._second(at + timedelta(hours=self.rng.lognormvariate(2.0, 0.8)))
        if head is not None and replied < self.now:
            order.replied_at, order.replied_by_id, order.reply = replied, head, self.rng.choice(REPLIES)
            self._event(story, replied, Kind.SUPERVISION_REPLIED, None, dispatch, actor_id=head, public=False,
                        note=order.reply)

    def _open_callback(self, story, dispatch: DispatchStory, at: datetime) -> None:
        dispatch.callback = CallbackStory(opened_at=at, closes_at=at + self.window)
        self._event(story, at, Kind.CALLBACK_OPENED, None, dispatch)

    def _answer_callback(self, story, dispatch: DispatchStory) -> None:
        """Rated after the resolution (most residents answer), else closed unrated by the sweep; a
        resolved appeal is then closed (at its resolution, if the survey had expired before)."""
        callback, rng, resolved = dispatch.callback, self.rng, dispatch.resolved_at
        if callback is None:
            return
        if resolved is not None and resolved < callback.closes_at and rng.random() < 0.7:
            rated = self._second(max(callback.opened_at, resolved) + timedelta(hours=rng.lognormvariate(2.5, 1.2)))
            if rated < callback.closes_at:
                if rated < self.now:
                    self._rate(story, dispatch, rated)
                return
        expired = callback.closes_at + self._lag()
        if expired >= self.now:
            return
        callback.state = Callback.State.EXPIRED
        self._event(story, expired, Kind.CALLBACK_EXPIRED, None, dispatch, public=False)
        if resolved is not None:
            self._close(story, dispatch, max(resolved, expired))

    def _rate(self, story, dispatch: DispatchStory, at: datetime) -> None:
        rng, callback = self.rng, dispatch.callback
        satisfaction = rng.choices(SATISFACTIONS, cum_weights=(70, 90, 100))[0]
        solved = rng.random() < (0.95 if satisfaction != Callback.Satisfaction.DISSATISFIED else 0.3)
        phone = rng.random() < 0.4 and self.cast.operators
        callback.state, callback.solved, callback.satisfaction, callback.rated_at = (
            Callback.State.RATED, solved, satisfaction, at)
        callback.channel = Callback.Channel.PHONE if phone else Callback.Channel.WEB
        callback.recorded_by_id = self.cast.operator(rng) if phone else None
        self._event(story, at, Kind.RATED, None, dispatch, actor_id=callback.recorded_by_id,
                    data={"solved": solved, "satisfaction": satisfaction, "channel": callback.channel})
        if not solved and satisfaction == Callback.Satisfaction.DISSATISFIED and dispatch.reopened_from is None:
            dispatch.is_current = False
            unit = SimpleNamespace(pk=dispatch.unit_id, parent_id=dispatch.district_id,
                                   kind="street" if dispatch.district_id else "department")
            self._dispatch(story, unit, at, actor_id=None, reopened_from=dispatch)
            return
        self._close(story, dispatch, at)

    def _close(self, story, dispatch: DispatchStory, at: datetime) -> None:
        self._event(story, at, Kind.CLOSED, Status.CLOSED, dispatch)

    def _event(self, story: AppealStory, at: datetime, kind: str, to_status: str | None = None,
               dispatch: DispatchStory | None = None, *, actor_id=None, note: str = "", public: bool = True,
               data: dict | None = None) -> None:
        story.events.append(Event(at=at, kind=kind, to_status=to_status, dispatch=dispatch, actor_id=actor_id,
                                  unit_id=dispatch.unit_id if dispatch else None, note=note, public=public,
                                  data=data))


def _note(clock: Clock, due: datetime) -> str:
    """The sweep's note on a warning or overdue event."""
    return str(clock.note) % {"due": format_due(due)}


def settle_order(story: AppealStory) -> list[Event]:
    """The events in log order (time, then the order the services wrote them), each with the appeal's
    status before and after, and the appeal's final status."""
    events = sorted(enumerate(story.events), key=lambda item: (item[1].at, item[0]))
    status = Status.RECEIVED
    ordered = []
    for _, event in events:
        event.from_status = status
        status = event.to_status or status
        event.to_status = status
        ordered.append(event)
    story.status = status
    return ordered
