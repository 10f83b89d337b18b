"""Deadlines of a dispatch: counted once when it is made, stored on it, recounted only when a
provisional calendar year becomes known.

A dispatch keeps the limits it was counted from (e.g. "24wh", "7wd"), so a recount needs nothing
but the dispatch itself and the calendar, and never picks up a rule that came into force later.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone

from appeals import notes
from appeals.events import record_transition
from appeals.models import Appeal, AppealEvent, Category
from dispatch.deadlines.time_limits import Rule, Span, Tier, rule_for
from dispatch.deadlines.workdays import WorkCalendar, get_calendar
from dispatch.models import Dispatch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadlines:
    response_due: datetime
    resolve_due: datetime
    response_warn_at: datetime
    resolve_warn_at: datetime
    provisional: bool
    rule: Rule

    def as_fields(self) -> dict:
        """The Dispatch columns these deadlines fill."""
        return {
            "response_due": self.response_due,
            "resolve_due": self.resolve_due,
            "response_warn_at": self.response_warn_at,
            "resolve_warn_at": self.resolve_warn_at,
            "deadlines_provisional": self.provisional,
            "respond_limit": str(self.rule.respond),
            "resolve_limit": str(self.rule.resolve),
            "time_limit_id": self.rule.source_id,
        }


def warn_at(start: datetime, due: datetime) -> datetime:
    """When the sweep warns: once only the configured share of the allowed time is left."""
    return due - (due - start) * settings.DEADLINE_WARNING_SHARE


def rule_for_appeal(appeal: Appeal, at: datetime, *, cohandling: bool = False) -> Rule:
    """An urgent appeal runs on the urgent tier whatever its category says; co-handling on its own."""
    if cohandling:
        return rule_for(tier=Tier.COHANDLING, category_id=None, at=at)
    if appeal.urgency == Appeal.Urgency.URGENT:
        return rule_for(tier=Tier.URGENT, category_id=None, at=at)
    tier = appeal.category.tier if appeal.category_id else Category.Tier.ORDINARY
    return rule_for(tier=tier, category_id=appeal.category_id, at=at)


def count_deadlines(*, start: datetime, rule: Rule, calendar: WorkCalendar | None = None) -> Deadlines:
    calendar = calendar or get_calendar()
    response = rule.respond.due_from(start, calendar)
    resolve = rule.resolve.due_from(start, calendar)
    # A unit cannot be asked to resolve before it must respond.
    resolve_at = max(resolve.at, response.at)
    return Deadlines(
        response_due=response.at,
        resolve_due=resolve_at,
        response_warn_at=warn_at(start, response.at),
        resolve_warn_at=warn_at(start, resolve_at),
        provisional=response.provisional or resolve.provisional,
        rule=rule,
    )


def deadlines_for(appeal: Appeal, start: datetime, *, cohandling: bool = False) -> Deadlines:
    return count_deadlines(start=start, rule=rule_for_appeal(appeal, start, cohandling=cohandling))


# --- recounting provisional deadlines ----------------------------------------------------------


def recount_provisional(*, limit: int = 1000) -> int:
    """Recount open dispatches whose deadlines were provisional; returns how many changed.

    Run by beat every day (a library upgrade) and after the admin edits the calendar. A dispatch
    stays provisional until every day its limits count is known. An extended resolve deadline was
    set by a supervisor, not counted, so it is kept."""
    calendar = get_calendar()
    ids = list(
        Dispatch.objects.filter(deadlines_provisional=True, state__in=Dispatch.OPEN_STATES)
        .order_by("dispatched_at")
        .values_list("id", flat=True)[:limit]
    )
    changed = 0
    for dispatch_id in ids:
        with transaction.atomic():
            dispatch = (
                Dispatch.objects.select_for_update(of=("self",)).select_related("appeal", "unit")
                .filter(pk=dispatch_id, deadlines_provisional=True).first()
            )
            if dispatch is not None and _recount(dispatch, calendar):
                changed += 1
    if changed:
        logger.info("recounted %d provisional deadlines", changed)
    return changed


def _recount(dispatch: Dispatch, calendar: WorkCalendar) -> bool:
    try:
        rule = Rule(Span.parse(dispatch.respond_limit), Span.parse(dispatch.resolve_limit), dispatch.time_limit_id)
    except ValueError:
        logger.warning("dispatch %s has no stored limits; left as is", dispatch.pk)
        return False
    fresh = count_deadlines(start=dispatch.dispatched_at, rule=rule, calendar=calendar)
    fields = fresh.as_fields()
    if dispatch.resolve_extended:
        for name in ("resolve_due", "resolve_warn_at"):
            fields.pop(name)
    old = (dispatch.response_due, dispatch.resolve_due)
    Dispatch.objects.filter(pk=dispatch.pk).update(**fields)
    for name, value in fields.items():
        setattr(dispatch, name, value)
    if (dispatch.response_due, dispatch.resolve_due) == old:
        return False
    record_transition(
        appeal=dispatch.appeal, kind=AppealEvent.Kind.DEADLINES_RECOUNTED, unit=dispatch.unit, dispatch=dispatch,
        public=False, data={"response_due": dispatch.response_due, "resolve_due": dispatch.resolve_due},
        message=notes.message(
            "deadlines.recounted", response=dispatch.response_due.isoformat(),
            resolve=dispatch.resolve_due.isoformat(), old_response=old[0].isoformat(), old_resolve=old[1].isoformat(),
        ),
    )
    return True


def format_due(moment: datetime) -> str:
    """A deadline as the city reads it: local time to the minute."""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
