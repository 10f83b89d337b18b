"""Deadlines of a dispatch, computed once when it is created and stored on it.

For now the limits are wall-clock hours by urgency and category tier; the working-day calendar
replaces `limits_for` and `add_limit` without changing callers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from appeals.models import Appeal, Category


@dataclass(frozen=True)
class Limits:
    respond_within: timedelta
    resolve_within: timedelta


URGENT = Limits(timedelta(hours=2), timedelta(hours=24))
ORDINARY = Limits(timedelta(hours=24), timedelta(days=7))
COMPLEX = Limits(timedelta(hours=24), timedelta(days=15))


def limits_for(appeal: Appeal) -> Limits:
    tier = appeal.category.tier if appeal.category_id else None
    if appeal.urgency == Appeal.Urgency.URGENT or tier in (Category.Tier.URGENT, Category.Tier.UTILITY):
        return URGENT
    if tier == Category.Tier.COMPLEX:
        return COMPLEX
    return ORDINARY


def deadlines_for(appeal: Appeal, start: datetime) -> tuple[datetime, datetime]:
    """(response_due, resolve_due) for a dispatch of `appeal` starting at `start`."""
    limits = limits_for(appeal)
    return start + limits.respond_within, start + limits.resolve_within
