"""Routing: place each new appeal with the unit on duty for its category and place, in batches,
or hand it to the operators' manual queue; and the one way a dispatch is created (create_dispatch).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from appeals import notes
from appeals.events import Transition, record_transitions
from appeals.models import Appeal, AppealEvent
from dispatch.deadlines.due import Deadlines, deadlines_for, rule_for_appeal
from dispatch.deadlines.time_limits import Rule
from dispatch.models import Dispatch, Whistle
from streets.models import Unit

from .decide import decide

logger = logging.getLogger(__name__)


def route_appeal(*, appeal_id: int) -> Dispatch | None:
    """Route one appeal by the duty list and its place. Idempotent: a routed appeal is left as is.

    Returns the current primary dispatch, or None when the appeal went to the operators' queue.
    """
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("category").get(pk=appeal_id)
        if appeal.routed_at is not None:
            return current_dispatch(appeal)
        return _route([appeal], now=timezone.now())[0]


def route_waiting(*, limit: int | None = None) -> int:
    """Route the appeals waiting for routing, oldest first, up to `limit` (ROUTING_BATCH_SIZE), in
    one transaction.
    Returns how many appeals were routed.

    What a routing task does: under load, one task finds many appeals committed since, and routes
    them all with a handful of queries; the tasks of those appeals then find nothing left. Rows
    another worker holds are skipped (it is routing them), so routing stays exactly-once without
    workers waiting on each other."""
    with transaction.atomic():
        appeals = list(
            Appeal.objects.select_for_update(of=("self",), skip_locked=True).select_related("category")
            .filter(routed_at__isnull=True).order_by("created_at", "id")[:limit or settings.ROUTING_BATCH_SIZE]
        )
        if appeals:
            _route(appeals, now=timezone.now())
        return len(appeals)


def route_backlog() -> int:
    """Route batch after batch until nothing waits; returns how many appeals were routed.

    Should a batch fail (an appeal the code cannot route), its appeals are routed one by one, and
    one that fails alone goes to the operators' queue, so it never holds up the appeals behind it."""
    routed = 0
    while True:
        try:
            count = route_waiting()
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("routing: a batch failed; routing its appeals one by one")
            count = _route_one_by_one()
        routed += count
        if count < settings.ROUTING_BATCH_SIZE:
            return routed


def _route_one_by_one() -> int:
    waiting = list(
        Appeal.objects.filter(routed_at__isnull=True).order_by("created_at", "id")
        .values_list("id", flat=True)[:settings.ROUTING_BATCH_SIZE]
    )
    for appeal_id in route_each(waiting):
        hand_to_operators(appeal_id=appeal_id, reason="failed")
    return len(waiting)


def route_each(appeal_ids: list[int]) -> list[int]:
    """Route these appeals one by one; returns those that failed (each logged), so one appeal the
    code cannot route never stops the others. A lost database stops it all: nothing can route."""
    failed = []
    for appeal_id in appeal_ids:
        try:
            route_appeal(appeal_id=appeal_id)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("routing: appeal %s could not be routed", appeal_id)
            failed.append(appeal_id)
    return failed


def hand_to_operators(*, appeal_id: int, reason: str) -> bool:
    """Put an appeal the code could not route in the operators' queue, so it stops failing every
    batch it is in and a person decides (`reason`: a routing message, dispatch/notes.py). False if
    it was routed meanwhile."""
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal_id)
        if appeal.routed_at is not None:
            return False
        record_transitions([triage_transition(appeal, reason=reason, now=timezone.now())])
        return True


def triage_transition(appeal: Appeal, *, reason: str, now, params: dict | None = None,
                      suggestions: dict | None = None) -> Transition:
    """Routing found no unit: the appeal waits in the operators' queue, the reason (and what the
    classifier and the gazetteer suggest) for them only."""
    return Transition(
        appeal=appeal, kind=AppealEvent.Kind.TRIAGE, to_status=Appeal.Status.TRIAGE, public=False,
        message=notes.message(f"routing.{reason}", **(params or {})),
        extra_fields={"routed_at": now},
        data={"suggestions": suggestions} if suggestions else None,
    )


def _route(appeals: list[Appeal], *, now) -> list[Dispatch | None]:
    """Send locked, unrouted appeals to their handlers (or the operators' queue) as decided
    (dispatch/routing/decide.py): one dispatch and one event each, written in bulk."""
    decisions = decide(appeals)
    changed, fields = [], set()
    for appeal, decision in zip(appeals, decisions, strict=True):
        for name, value in decision.changes.items():  # before the deadlines: urgency and category count
            setattr(appeal, name, value)
        if decision.changes:
            changed.append(appeal)
            fields.update(decision.changes)
    if changed:  # one UPDATE for the batch (the events below carry the status and routed_at)
        Appeal.objects.bulk_update(changed, sorted(fields))
    counted = _deadlines_counted_once(now)
    dispatches = [
        None if decision.unit is None
        else new_dispatch(appeal=appeal, unit=decision.unit, actor=None, now=now, deadlines=counted(appeal))
        for appeal, decision in zip(appeals, decisions, strict=True)
    ]
    Dispatch.objects.bulk_create([dispatch for dispatch in dispatches if dispatch is not None])
    record_transitions([
        triage_transition(appeal, reason=decision.reason, now=now, params=decision.params,
                          suggestions=decision.suggestions) if dispatch is None
        else dispatched_transition(dispatch, message=notes.message(f"routing.{decision.reason}", **decision.params))
        for appeal, decision, dispatch in zip(appeals, decisions, dispatches, strict=True)
    ])
    return dispatches


def _deadlines_counted_once(now) -> Callable[[Appeal], Deadlines]:
    """A batch's dispatches all start their clocks at `now`: each rule's deadlines are counted once
    for the batch, not once per appeal (working days and hours, holidays: routing's CPU)."""
    counted: dict[Rule, Deadlines] = {}

    def deadlines(appeal: Appeal) -> Deadlines:
        rule = rule_for_appeal(appeal, now)
        if rule not in counted:
            counted[rule] = deadlines_for(appeal, now)
        return counted[rule]

    return deadlines


def current_dispatch(appeal: Appeal) -> Dispatch | None:
    return (
        Dispatch.objects.filter(appeal=appeal, role=Dispatch.Role.PRIMARY, is_current=True)
        .select_related("unit")
        .first()
    )


def create_dispatch(
    *, appeal: Appeal, unit: Unit, actor, now, note: str = "", extra_fields=None,
    whistle: Whistle | None = None, reopened_from: Dispatch | None = None,
) -> Dispatch:
    """Assign the appeal to a unit with freshly counted deadlines and write its event."""
    dispatch = new_dispatch(
        appeal=appeal, unit=unit, actor=actor, now=now, whistle=whistle, reopened_from=reopened_from
    )
    dispatch.save(force_insert=True)
    record_transitions([dispatched_transition(dispatch, note=note, extra_fields=extra_fields)])
    return dispatch


def new_dispatch(
    *, appeal: Appeal, unit: Unit, actor, now, whistle: Whistle | None = None, reopened_from: Dispatch | None = None,
    deadlines: Deadlines | None = None,
) -> Dispatch:
    """An unsaved dispatch of the appeal to the unit, its deadlines counted from `now` (or given:
    counted already for the appeal from `now`).

    A primary dispatch moves the appeal to "dispatched"; a co-handling one (a whistle) leaves the
    appeal's status to the responsible street."""
    cohandling = whistle is not None
    deadlines = deadlines or deadlines_for(appeal, now, cohandling=cohandling)
    return Dispatch(
        appeal=appeal,
        unit=unit,
        district_id={Unit.Kind.STREET: unit.parent_id, Unit.Kind.DISTRICT: unit.pk}.get(unit.kind),
        role=Dispatch.Role.COHANDLER if cohandling else Dispatch.Role.PRIMARY,
        whistle=whistle,
        reopened_from=reopened_from,
        dispatched_at=now,
        dispatched_by=actor,
        **deadlines.as_fields(),
    )


def dispatched_transition(dispatch: Dispatch, *, note: str = "", message: dict | None = None,
                          extra_fields=None) -> Transition:
    """The event of a dispatch. It carries the deadlines, so the metrics can be recomputed from the
    event log alone."""
    appeal, cohandling = dispatch.appeal, dispatch.role == Dispatch.Role.COHANDLER
    return Transition(
        appeal=appeal, kind=AppealEvent.Kind.DISPATCHED,
        to_status=None if cohandling else Appeal.Status.DISPATCHED,
        actor=dispatch.dispatched_by, unit=dispatch.unit, dispatch=dispatch, note=note, message=message,
        public=not cohandling,
        extra_fields=None if cohandling else {
            "routed_at": appeal.routed_at or dispatch.dispatched_at, **(extra_fields or {})
        },
        data={"role": dispatch.role, "response_due": dispatch.response_due, "resolve_due": dispatch.resolve_due},
        at=dispatch.dispatched_at,
    )


