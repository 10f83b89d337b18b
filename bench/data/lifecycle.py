"""One appeal's life as the real services would have written it: the appeal row, its dispatches,
callback, supervision orders and events, with every moment drawn from realistic delays.

Nothing after `now` happens, so recent appeals are naturally still open in the queues, and every
rule of the services is followed: the deadline sweep's warnings and overdue marks (with their
supervision orders, and the callback it opens at a missed resolve deadline), the callback after
resolution, the one reopen after an unsolved and dissatisfied rating, the close. Deadlines come from
the project's own `dispatch.deadlines.due`, supervision reply deadlines from `dispatch.handling.supervision`.

Now and then, as the services allow it: a unit asks to return a misrouted ticket within
RETURN_WINDOW_HOURS, before responding (`dispatch.handling.returns`: approved, the dispatch is closed as
returned and a new one made to another unit; refused, the unit's clock never stopped and it
responds after the decision); a street summons departments after responding (a whistle,
`dispatch.handling.whistles`: each department gets a co-handling dispatch of its own, which it signs,
responds to and reports on, without moving the appeal's status); a unit asks for more time before
its resolve deadline (`dispatch.handling.extensions`: approved, the deadline moves and the sweep warns
afresh); a repeated submission is folded into the appeal minutes after it (`appeals.services`:
another access code and a staff-only note); web and app appeals carry photos.
"""
from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from appeals.services import FOLDED_NOTE
from dispatch.deadlines.due import count_deadlines, format_due, rule_for_appeal, warn_at
from dispatch.deadlines.sweeps import RESOLVE, RESPONSE, Clock
from dispatch.deadlines.workdays import get_calendar
from dispatch.handling.extensions import end_of
from dispatch.handling.supervision import reply_due_from
from dispatch.models import Callback, Dispatch, ReturnRequest, SupervisionOrder

Kind = AppealEvent.Kind
Status = Appeal.Status
State = Dispatch.State
Role = Dispatch.Role
Decision = ReturnRequest.Decision
SWEEP_SECONDS = 60  # the deadline and callback sweeps run every minute

# How often the rarer turns happen. Plausible guesses for a megacity hotline, not measured figures:
# Beijing's 12345 reports a few percent of tickets sent back as misrouted ("退单"), most of them
# re-dispatched; whistles ("吹哨报到") are for the knotty street cases only; extensions are asked
# for on complex cases near their deadline and mostly granted; a double submission from a slow
# phone or a retrying app is rare; about a third of web and app appeals come with photos.
RETURN_SHARE = 0.04  # of first dispatches, the unit asks to return the ticket
RETURN_APPROVED_SHARE = 0.65  # of decided returns, re-dispatched to another unit (else refused)
WHISTLE_SHARE = 0.03  # of street dispatches, the street summons departments after responding
WHISTLE_DEPARTMENTS = (1, 1, 1, 2)  # how many departments a whistle summons (drawn from these)
EXTENSION_SHARE = 0.02  # of primary dispatches, the unit asks for more time before its resolve deadline
EXTENSION_APPROVED_SHARE = 0.75  # of decided extensions, granted (else refused)
FOLD_SHARE = 0.01  # of web and app appeals, a repeat is folded in (one in ten of those twice)
PHOTO_SHARE = 0.35  # of web and app appeals, one to three photos
PHOTO_PNG_SHARE = 0.15  # screenshots stay PNG (appeals.images), photos become JPEG


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
    role: str = Role.PRIMARY
    whistle: WhistleStory | None = None  # the whistle a co-handling dispatch answers
    is_current: bool = True
    returned_at: datetime | None = None
    resolve_extended: bool = False
    signed_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    answer: str = ""
    warned_at: dict = field(default_factory=dict)  # clock name -> moment
    overdue_at: dict = field(default_factory=dict)
    callback: CallbackStory | None = None
    orders: list = field(default_factory=list)
    returns: list = field(default_factory=list)  # ReturnStory
    extensions: list = field(default_factory=list)  # ExtensionStory
    whistles: list = field(default_factory=list)  # WhistleStory blown on this dispatch
    id: int | None = None

    @property
    def state(self) -> str:
        if self.returned_at:
            return State.RETURNED
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
class RequestStory:
    """A return or extension request and its decision (None: still waiting at `now`)."""

    requested_by_id: int
    requested_at: datetime
    decided_at: datetime | None = None
    state: str = Decision.PENDING
    decided_by_id: int | None = None
    decision_note: str = ""


@dataclass
class ReturnStory(RequestStory):
    reason: str = ReturnRequest.Reason.DUTY
    note: str = ""
    suggested_unit_id: int | None = None
    new_dispatch: DispatchStory | None = None


@dataclass
class ExtensionStory(RequestStory):
    reason: str = ""
    proposed_due: datetime | None = None
    previous_due: datetime | None = None


@dataclass
class WhistleStory:
    blown_by_id: int
    blown_at: datetime
    note: str
    id: int | None = None


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
    folded_at: list = field(default_factory=list)  # moments a repeat was folded in (a further code each)
    photos: list = field(default_factory=list)  # stored file names
    returned: bool = False  # at most one return, one whistle, one extension per appeal
    whistled: bool = False
    extended: bool = False


@dataclass(frozen=True)
class Cast:
    """Who acts: the operators (phone intake, triage, phone callbacks, returns), the supervisors
    (extensions), each unit's officers, and the units a ticket can be sent on to or summoned."""

    operators: list
    officers: dict  # unit id -> [user ids]
    heads: dict  # unit id -> user id
    supervisors: list = field(default_factory=list)
    streets: list = field(default_factory=list)  # Unit rows
    departments: list = field(default_factory=list)

    def officer(self, unit_id: int, rng: random.Random) -> int | None:
        users = self.officers.get(unit_id)
        return rng.choice(users) if users else None

    def operator(self, rng: random.Random) -> int | None:
        return rng.choice(self.operators) if self.operators else None


ANSWERS = ("已联系相关责任方，问题已处理完毕。", "经现场核实，已协调物业整改。", "已安排人员维修，恢复正常。",
           "已向当事人解释相关政策，诉求人表示理解。", "已责令商户整改，后续将持续巡查。")
RESPONSES = ("已电话联系诉求人，了解具体情况。", "已联系诉求人，约定上门时间。", "")
REPORTS = ("已到场配合街道处置，本部门职责部分已完成。", "已派执法人员现场检查，已责令整改。")
RETURN_NOTES = {ReturnRequest.Reason.DUTY: "该事项属其他部门职责，请改派。",
                ReturnRequest.Reason.PLACE: "诉求地点不在本辖区，请改派。"}
RETURN_REFUSALS = ("经核实，该事项属你单位职责范围，请继续办理。", "地点在你单位辖区内，请按时办结。")
WHISTLES = ("需相关部门到场联合执法。", "涉及多部门职责，请派员到场协同处置。")
EXTENSION_REASONS = ("需协调多个产权单位，办理周期较长。", "需施工维修，受天气影响工期延长。")
EXTENSION_REFUSALS = ("请按原时限办结。",)
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
        self.folded_note = str(FOLDED_NOTE)  # in the language the generator runs in

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
        """Received (with its photos, and any repeat folded in minutes later), then routed (or sent
        to the operators' queue), then worked through."""
        rng = self.rng
        self._event(story, story.created_at, Kind.RECEIVED, actor_id=story.submitted_by_id)
        if story.channel != Appeal.Channel.PHONE:  # photos and double submissions come from screens
            self._photos(story)
            self._repeats(story)
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

    def _photos(self, story: AppealStory) -> None:
        """Stored names as `appeals.images` makes them (random hex) under the model's upload_to folder."""
        rng = self.rng
        if rng.random() >= PHOTO_SHARE:
            return
        folder = f"appeals/{timezone.localtime(story.created_at):%Y/%m}/"
        for _ in range(rng.randint(1, 3)):
            suffix = "png" if rng.random() < PHOTO_PNG_SHARE else "jpg"
            story.photos.append(f"{folder}{uuid.UUID(int=rng.getrandbits(128), version=4).hex}.{suffix}")

    def _repeats(self, story: AppealStory) -> None:
        """The same appeal sent again within the fold window: a further code and a staff-only note."""
        rng = self.rng
        if rng.random() >= FOLD_SHARE:
            return
        window = settings.APPEAL_FOLD_WINDOW_SECONDS - 1
        for after in sorted(min(rng.expovariate(1 / 30), window) for _ in range(2 if rng.random() < 0.1 else 1)):
            at = self._second(story.created_at + timedelta(seconds=1 + after))
            if at < self.now:
                story.folded_at.append(at)
                self._event(story, at, Kind.NOTE, actor_id=story.submitted_by_id, public=False,
                            note=self.folded_note)

    def _dispatch(self, story: AppealStory, unit, start: datetime, *, actor_id, reopened_from=None,
                  whistle: WhistleStory | None = None, note: str = "") -> DispatchStory:
        cohandling = whistle is not None
        stand_in = SimpleNamespace(urgency=story.urgency, category_id=story.category.pk, category=story.category)
        deadlines = count_deadlines(start=start, rule=rule_for_appeal(stand_in, start, cohandling=cohandling))
        dispatch = DispatchStory(
            unit_id=unit.pk, district_id=unit.parent_id if unit.kind == "street" else None, dispatched_at=start,
            dispatched_by_id=actor_id, deadlines=deadlines, reopened_from=reopened_from,
            role=Role.COHANDLER if cohandling else Role.PRIMARY, whistle=whistle,
        )
        story.dispatches.append(dispatch)
        # A co-handling dispatch leaves the appeal's status to the street, and the resident's timeline too.
        self._event(story, start, Kind.DISPATCHED, None if cohandling else Status.DISPATCHED, dispatch,
                    actor_id=actor_id, note=note, public=not cohandling,
                    data={"role": dispatch.role, "response_due": deadlines.response_due,
                          "resolve_due": deadlines.resolve_due})
        if reopened_from is not None:
            self._event(story, start, Kind.REOPENED, None, reopened_from, data={"new_dispatch": dispatch})
        self._work(story, dispatch)
        return dispatch

    def _work(self, story: AppealStory, dispatch: DispatchStory) -> None:
        rng, d = self.rng, dispatch.deadlines
        start = dispatch.dispatched_at
        officer = self.cast.officer(dispatch.unit_id, rng)
        primary = dispatch.role == Role.PRIMARY
        steps = []  # (moment, action) on the dispatch's timeline, played in time order with the sweep's marks
        after, signed = start, None
        if primary and dispatch.reopened_from is None and not story.returned and rng.random() < RETURN_SHARE:
            request, signed = self._ask_return(story, dispatch, officer, steps)
            if request is not None and request.state != Decision.REFUSED:
                # Approved, the ticket left the unit at the decision; pending, it waits for one.
                end = request.decided_at
                self._play(steps + self._sweeps(story, dispatch, end, end))
                self._answer_callback(story, dispatch)
                return
            if request is not None:  # refused: the unit responds after the decision, on its own clock
                after = request.decided_at
        responded = self._second(start + (d.response_due - start) * self._fraction(0.06, 1.3, 7.0))
        if responded <= after:
            responded = self._second(after + timedelta(minutes=rng.lognormvariate(3.0, 1.0)))
        if signed is None:
            signed = self._second(start + (responded - start) * rng.uniform(0.05, 0.9))
            if signed < self.now:
                steps.append((signed, lambda at: self._sign(story, dispatch, officer, at)))
        extension = None
        if primary and not story.extended and rng.random() < EXTENSION_SHARE:
            extension = self._ask_extension(story, dispatch, officer, responded, steps)
        resolve_after, resolve_by = responded, d.resolve_due
        if extension is not None:  # the unit resolves once the supervisor has decided
            resolve_after = extension.decided_at or extension.requested_at
            if extension.state == Decision.APPROVED:
                resolve_by = extension.proposed_due
        resolved = None
        waiting = extension is not None and extension.decided_at is None  # still undecided at `now`
        if not waiting and rng.random() > 0.012:  # a few tickets get stuck and are never resolved
            room = max(resolve_by - resolve_after, timedelta(hours=1))
            resolved = self._second(resolve_after + room * self._fraction(0.02, 1.6, 3.0) + timedelta(minutes=5))
        if responded < self.now:
            steps.append((responded, lambda at: self._respond(story, dispatch, officer, at)))
        if primary and dispatch.district_id is not None and not story.whistled and rng.random() < WHISTLE_SHARE:
            self._whistle(story, dispatch, officer, responded, resolved or resolve_by, steps)
        if resolved is not None and resolved < self.now:
            steps.append((resolved, lambda at: self._resolve(story, dispatch, officer, at)))
        self._play(steps + self._sweeps(story, dispatch, responded, resolved, extension))
        self._answer_callback(story, dispatch)

    @staticmethod
    def _play(steps: list) -> None:
        for at, action in sorted(steps, key=lambda item: item[0]):
            action(at)

    def _sign(self, story, dispatch: DispatchStory, officer, at: datetime) -> None:
        dispatch.signed_at = at
        self._event(story, at, Kind.SIGNED, None, dispatch, actor_id=officer)

    def _respond(self, story, dispatch: DispatchStory, officer, at: datetime) -> None:
        dispatch.responded_at = at
        primary = dispatch.role == Role.PRIMARY
        self._event(story, at, Kind.RESPONDED, Status.RESPONDED if primary else None, dispatch, actor_id=officer,
                    note=self.rng.choice(RESPONSES))

    def _resolve(self, story, dispatch: DispatchStory, officer, at: datetime) -> None:
        """The responsible unit's answer (then the callback), or a summoned department's report."""
        if dispatch.role != Role.PRIMARY:
            dispatch.resolved_at, dispatch.answer = at, self.rng.choice(REPORTS)
            self._event(story, at, Kind.REPORTED, None, dispatch, actor_id=officer, public=False,
                        note=dispatch.answer)
            return
        dispatch.resolved_at, dispatch.answer = at, self.rng.choice(ANSWERS)
        self._event(story, at, Kind.RESOLVED, Status.RESOLVED, dispatch, actor_id=officer, note=dispatch.answer)
        if dispatch.callback is None:  # else the sweep opened it at the missed deadline
            self._open_callback(story, dispatch, at)

    # --- returns, extensions, whistles --------------------------------------------------------------

    def _ask_return(self, story, dispatch: DispatchStory, officer, steps: list) -> tuple:
        """Signed for, then asked to return within the window, before responding; the operators
        decide (None: nobody asked before `now`). Returns the request and the moment of signing."""
        rng, start = self.rng, dispatch.dispatched_at
        window = timedelta(hours=settings.RETURN_WINDOW_HOURS) - timedelta(minutes=1)
        requested = self._second(start + min(timedelta(hours=rng.lognormvariate(0.5, 1.0)), window))
        place = dispatch.district_id is not None and rng.random() < 0.4  # only a street can say "not our area"
        reason = ReturnRequest.Reason.PLACE if place else ReturnRequest.Reason.DUTY
        target = self._return_target(dispatch, reason)
        if requested >= self.now or officer is None or target is None:
            return None, None
        story.returned = True
        signed = self._second(start + (requested - start) * rng.uniform(0.1, 0.8))
        request = ReturnStory(requested_by_id=officer, requested_at=requested, reason=reason,
                              note=RETURN_NOTES[reason], suggested_unit_id=target.pk if rng.random() < 0.5 else None)
        dispatch.returns.append(request)
        note = f"{ReturnRequest.Reason(reason).label}: {request.note}"
        steps.append((signed, lambda at: self._sign(story, dispatch, officer, at)))
        steps.append((requested, lambda at: self._event(story, at, Kind.RETURN_REQUESTED, None, dispatch,
                                                        actor_id=officer, public=False, note=note)))
        decided = self._second(requested + timedelta(minutes=rng.lognormvariate(5.2, 0.9)))  # hours, mostly
        operator = self.cast.operator(rng)
        if decided >= self.now or operator is None:
            return request, signed
        request.decided_at, request.decided_by_id = decided, operator
        if rng.random() < RETURN_APPROVED_SHARE:
            request.state, request.decision_note = Decision.APPROVED, rng.choice(("", "已改派。"))

            def approve(at):
                dispatch.returned_at, dispatch.is_current = at, False
                self._event(story, at, Kind.RETURN_APPROVED, None, dispatch, actor_id=operator, public=False,
                            note=request.decision_note)
                request.new_dispatch = self._dispatch(story, target, at, actor_id=operator,
                                                      note=request.decision_note)
            steps.append((decided, approve))
        else:
            self._refuse(story, dispatch, request, Kind.RETURN_REFUSED, RETURN_REFUSALS, steps)
        return request, signed

    def _refuse(self, story, dispatch: DispatchStory, request: RequestStory, kind: str, notes: tuple,
                steps: list) -> None:
        """A return or extension refused at its decision, with a note for the unit (staff only)."""
        request.state, request.decision_note = Decision.REFUSED, self.rng.choice(notes)
        steps.append((request.decided_at, lambda at: self._event(
            story, at, kind, None, dispatch, actor_id=request.decided_by_id, public=False, note=request.decision_note)))

    def _return_target(self, dispatch: DispatchStory, reason: str):
        """Where the operators would send it: another street (not ours by place), a department (a
        street's duty), a department or a street (a department's duty)."""
        rng, streets, departments = self.rng, self.cast.streets, self.cast.departments
        if reason == ReturnRequest.Reason.PLACE or not departments:
            pool = streets
        elif dispatch.district_id is not None:
            pool = departments
        else:
            pool = departments if rng.random() < 0.5 else streets
        candidates = [unit for unit in rng.sample(pool, min(2, len(pool))) if unit.pk != dispatch.unit_id]
        return candidates[0] if candidates else None

    def _ask_extension(self, story, dispatch: DispatchStory, officer, responded: datetime, steps: list):
        """More time asked for after the response, well before the resolve deadline; a supervisor
        decides before it (None: not asked before `now`)."""
        rng, due = self.rng, dispatch.deadlines.resolve_due
        if officer is None or due - responded < timedelta(hours=2):
            return None
        requested = self._second(responded + (due - responded) * rng.uniform(0.3, 0.8))
        proposed = self._proposed_due(due)
        if requested >= self.now or proposed is None:
            return None
        story.extended = True
        request = ExtensionStory(requested_by_id=officer, requested_at=requested, reason=rng.choice(EXTENSION_REASONS),
                                 proposed_due=proposed, previous_due=due)
        dispatch.extensions.append(request)
        note = f"{format_due(proposed)}: {request.reason}"
        steps.append((requested, lambda at: self._event(story, at, Kind.EXTENSION_REQUESTED, None, dispatch,
                                                        actor_id=officer, public=False, note=note)))
        # Supervisors decide within the day, mostly, and always before the deadline.
        decided = self._second(requested + min(timedelta(hours=rng.lognormvariate(2.0, 0.8)), (due - requested) * 0.8))
        supervisor = rng.choice(self.cast.supervisors) if self.cast.supervisors else None
        if decided >= self.now or supervisor is None:
            return request
        request.decided_at, request.decided_by_id = decided, supervisor
        if rng.random() < EXTENSION_APPROVED_SHARE:
            request.state = Decision.APPROVED

            def approve(at):
                dispatch.deadlines = replace(dispatch.deadlines, resolve_due=proposed,
                                             resolve_warn_at=warn_at(dispatch.dispatched_at, proposed))
                dispatch.resolve_extended = True
                dispatch.warned_at.pop(RESOLVE.name, None)  # the sweep warns again before the new deadline
                self._event(story, at, Kind.EXTENSION_APPROVED, None, dispatch, actor_id=supervisor,
                            note=format_due(proposed), data={"resolve_due": proposed})
            steps.append((decided, approve))
        else:
            self._refuse(story, dispatch, request, Kind.EXTENSION_REFUSED, EXTENSION_REFUSALS, steps)
        return request

    def _proposed_due(self, due: datetime) -> datetime | None:
        """The end of a working day a few days to a few weeks past the deadline, within EXTENSION_MAX_DAYS."""
        calendar = get_calendar()
        day = timezone.localdate(due) + timedelta(days=self.rng.randint(3, 20))
        while not calendar.is_workday(day):
            day += timedelta(days=1)
        proposed = end_of(day)
        return proposed if due < proposed <= due + timedelta(days=settings.EXTENSION_MAX_DAYS) else None

    def _whistle(self, story, dispatch: DispatchStory, officer, responded: datetime, until: datetime,
                 steps: list) -> None:
        """The street summons departments while the ticket is open, after responding."""
        blown = self._second(responded + (until - responded) * self.rng.uniform(0.05, 0.5))
        if officer is None or not self.cast.departments or not responded < blown < min(until, self.now):
            return
        story.whistled = True

        def blow(at):
            departments = self.rng.sample(self.cast.departments, self.rng.choice(WHISTLE_DEPARTMENTS))
            whistle = WhistleStory(blown_by_id=officer, blown_at=at, note=self.rng.choice(WHISTLES))
            dispatch.whistles.append(whistle)
            for unit in departments:
                self._dispatch(story, unit, at, actor_id=officer, whistle=whistle)
            self._event(story, at, Kind.WHISTLE, None, dispatch, actor_id=officer,
                        note=", ".join(unit.display_name for unit in sorted(departments, key=lambda u: u.code)))
        steps.append((blown, blow))

    # --- the sweeps -----------------------------------------------------------------------------------

    def _sweeps(self, story, dispatch: DispatchStory, responded, resolved, extension=None) -> list:
        """The sweep's marks on both clocks; an approved extension moves the resolve clock mid-way."""
        d = dispatch.deadlines
        marks = self._sweep(story, dispatch, RESPONSE, responded, due=d.response_due, warn=d.response_warn_at)
        if extension is None or extension.state != Decision.APPROVED:
            return marks + self._sweep(story, dispatch, RESOLVE, resolved, due=d.resolve_due, warn=d.resolve_warn_at)
        new_due, approved = extension.proposed_due, extension.decided_at
        return (marks + self._sweep(story, dispatch, RESOLVE, resolved, due=d.resolve_due, warn=d.resolve_warn_at,
                                    before=approved)
                + self._sweep(story, dispatch, RESOLVE, resolved, due=new_due,
                              warn=warn_at(dispatch.dispatched_at, new_due), after=approved))

    def _sweep(self, story, dispatch: DispatchStory, clock: Clock, done: datetime | None, *, due: datetime,
               warn: datetime, after: datetime | None = None, before: datetime | None = None) -> list:
        """The warning and overdue marks of one clock, as callables placed on the dispatch's timeline
        (only those after `after` and before `before`, when the deadline changed in between)."""
        warn = self._second(warn) + self._lag()
        if after is not None:
            warn = max(warn, self._second(after) + self._lag())
        limit = min(self.now, before) if before is not None else self.now
        marks = []
        if warn < due and warn < limit and (done is None or done > warn):
            def warned(at, clock=clock):
                dispatch.warned_at[clock.name] = at
                self._event(story, at, Kind.DEADLINE_WARNING, None, dispatch, public=False,
                            note=_note(clock, due))
            marks.append((warn, warned))
        overdue = self._second(due) + self._lag()
        if overdue < limit and (done is None or done > overdue):
            def missed(at, clock=clock):
                dispatch.overdue_at[clock.name] = at
                dispatch.warned_at.setdefault(clock.name, at)
                self._event(story, at, Kind.OVERDUE, None, dispatch, public=False, note=_note(clock, due),
                            data={"clock": clock.name})
                self._open_order(story, dispatch, clock.order_reason, at)
                if clock is RESOLVE and dispatch.role == Role.PRIMARY:
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
