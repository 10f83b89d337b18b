"""What appeals shows of an appeal's handling: the unit answering it (its deadlines and answer) and
the feedback survey open on it. Those are dispatch's facts, and appeals imports no dispatch code, so
dispatch supplies them at start-up (DispatchConfig.ready registers dispatch/feedback/tracking.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.db.models import QuerySet

from .models import Appeal


class HandlingFacts(Protocol):
    def with_primary_dispatch(self, appeals: QuerySet[Appeal], *, only: tuple[str, ...] = ()) -> QuerySet[Appeal]:
        ...

    def primary_dispatch(self, appeal: Appeal): ...

    def open_survey_until(self, appeal: Appeal) -> datetime | None: ...

    def in_district(self, appeals: QuerySet[Appeal], district_code: str) -> QuerySet[Appeal]: ...


_facts: list[HandlingFacts] = []


def register(facts: HandlingFacts) -> None:
    _facts[:] = [facts]


def _provider() -> HandlingFacts:
    if not _facts:
        raise RuntimeError("no handling facts registered: is the dispatch app installed?")
    return _facts[0]


def with_primary_dispatch(appeals: QuerySet[Appeal], *, only: tuple[str, ...] = ()) -> QuerySet[Appeal]:
    """Fetch each appeal's current primary dispatch (and its unit) in one more query, for lists;
    `only` names the dispatch's fields (and unit__…) a list needs, when it needs few."""
    return _provider().with_primary_dispatch(appeals, only=only)


def primary_dispatch(appeal: Appeal):
    """The dispatch now answering for the appeal (the unit handling it), or None."""
    return _provider().primary_dispatch(appeal)


def open_survey_until(appeal: Appeal) -> datetime | None:
    """When the feedback survey open on the appeal closes; None when none is open."""
    return _provider().open_survey_until(appeal)


def in_district(appeals: QuerySet[Appeal], district_code: str) -> QuerySet[Appeal]:
    """The appeals whose current primary dispatch is in that district (a street of it, or one of
    its own departments)."""
    return _provider().in_district(appeals, district_code)
