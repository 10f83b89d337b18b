"""Time limits: which rule applies to a dispatch, and how a limit becomes a moment.

The regulation leaves the numbers to the city, so the defaults below stand until the city enters
its own TimeLimit rows (per tier or per category) in the admin. A rule is looked up as of the
moment of dispatch, so a later change never rejudges an old appeal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils.translation import ngettext

from config.process_cache import VersionedCache
from dispatch.deadlines.workdays import Deadline, WorkCalendar
from dispatch.models import TimeLimit

LimitUnit = TimeLimit.LimitUnit
Tier = TimeLimit.Tier  # appeals.models.Tier, the one set of tiers

_SPAN_RE = re.compile(r"^(\d{1,4})(h|wh|wd)$")


@dataclass(frozen=True)
class Span:
    amount: int
    unit: str  # a LimitUnit value

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @classmethod
    def parse(cls, text: str) -> Span:
        match = _SPAN_RE.match(text or "")
        if match is None:
            raise ValueError(f"not a time limit: {text!r}")
        return cls(int(match.group(1)), match.group(2))

    def due_from(self, start: datetime, calendar: WorkCalendar) -> Deadline:
        if self.unit == LimitUnit.HOURS:  # urgent matters: the wall clock, around the clock
            return Deadline(start + timedelta(hours=self.amount), provisional=False)
        if self.unit == LimitUnit.WORKING_HOURS:
            return calendar.add_working_hours(start, self.amount)
        return calendar.add_working_days(start, self.amount)

    def label(self) -> str:
        """The limit as staff read it ("24 working hours"), in the active language."""
        wording = {
            LimitUnit.HOURS: ngettext("%(n)d hour", "%(n)d hours", self.amount),
            LimitUnit.WORKING_HOURS: ngettext("%(n)d working hour", "%(n)d working hours", self.amount),
            LimitUnit.WORKING_DAYS: ngettext("%(n)d working day", "%(n)d working days", self.amount),
        }[self.unit]
        return wording % {"n": self.amount}


def limit_label(code: str) -> str:
    """A stored limit code ("24wh") as words; anything unreadable is shown as it is."""
    try:
        return Span.parse(code).label()
    except ValueError:
        return code or ""


@dataclass(frozen=True)
class Rule:
    respond: Span
    resolve: Span
    source_id: int | None = None  # the TimeLimit row, or None for the built-in default


DEFAULT_RULES: dict[str, Rule] = {
    Tier.URGENT: Rule(Span(2, LimitUnit.HOURS), Span(24, LimitUnit.HOURS)),
    Tier.UTILITY: Rule(Span(2, LimitUnit.HOURS), Span(24, LimitUnit.HOURS)),
    Tier.ORDINARY: Rule(Span(24, LimitUnit.WORKING_HOURS), Span(7, LimitUnit.WORKING_DAYS)),
    Tier.COMPLEX: Rule(Span(24, LimitUnit.WORKING_HOURS), Span(15, LimitUnit.WORKING_DAYS)),
    Tier.COHANDLING: Rule(Span(24, LimitUnit.WORKING_HOURS), Span(3, LimitUnit.WORKING_DAYS)),
}


def _rules_version() -> tuple:
    stamp = TimeLimit.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (stamp["n"], stamp["latest"])


def _build_rules() -> dict[tuple[str, object], list[tuple[datetime, Rule]]]:
    """(scope, key) -> [(effective_from, rule)], latest first; scope is "tier" or "category"."""
    table: dict[tuple[str, object], list[tuple[datetime, Rule]]] = {}
    for row in TimeLimit.objects.order_by("-effective_from", "-id"):
        key = ("category", row.category_id) if row.category_id else ("tier", row.tier)
        rule = Rule(Span(row.respond_within, row.respond_unit), Span(row.resolve_within, row.resolve_unit), row.pk)
        table.setdefault(key, []).append((row.effective_from, rule))
    return table


_rules = VersionedCache(version=_rules_version, build=_build_rules, recheck_seconds=30.0)


def reset_rules() -> None:
    _rules.reset()


def _in_force(key: tuple[str, object], at: datetime) -> Rule | None:
    for effective_from, rule in _rules.get().get(key, ()):
        if effective_from <= at:
            return rule
    return None


def rule_for(*, tier: str, category_id: int | None, at: datetime) -> Rule:
    """The rule in force at `at`: the category's own, else its tier's, else the default."""
    if category_id is not None:
        rule = _in_force(("category", category_id), at)
        if rule is not None:
            return rule
    return _in_force(("tier", tier), at) or DEFAULT_RULES[tier]
