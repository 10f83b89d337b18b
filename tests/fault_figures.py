"""The figures every fault test reports: of the appeals residents were given a number for, how
many ended routed exactly once, how many were lost, how many routed twice. Counted from the
database (dispatch rows and routing events, which are the truth), never from the test's hopes."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from appeals.models import Appeal, AppealEvent

ROUTING_EVENTS = (AppealEvent.Kind.DISPATCHED, AppealEvent.Kind.TRIAGE)


@dataclass(frozen=True)
class FaultFigures:
    scenario: str
    submissions: int
    accepted: int
    routed_once: int
    lost: int
    duplicated: int
    notes: dict = field(default_factory=dict)

    COLUMNS = ("submissions", "accepted", "routed_once", "lost", "duplicated")

    def row(self, width: int) -> str:
        counts = "".join(f"{getattr(self, name):>13}" for name in self.COLUMNS)
        notes = ", ".join(f"{key}: {value}" for key, value in self.notes.items())
        return f"{self.scenario:<{width}}{counts}   {notes}"

    @classmethod
    def header(cls, width: int) -> str:
        return f"{'scenario':<{width}}" + "".join(f"{name.replace('_', ' '):>13}" for name in cls.COLUMNS)


def routed_count(numbers: list[str]) -> int:
    return Appeal.objects.filter(number__in=numbers, routed_at__isnull=False).count()


def tally(scenario: str, *, submissions: int, numbers: list[str | None], **notes) -> FaultFigures:
    """Count what became of every submission; `numbers` holds None for a refused one."""
    accepted = [number for number in numbers if number]
    appeals = {
        appeal.number: appeal
        for appeal in Appeal.objects.filter(number__in=accepted).annotate(
            dispatch_count=Count("dispatches", distinct=True),
            routing_count=Count("events", filter=Q(events__kind__in=ROUTING_EVENTS), distinct=True),
        )
    }
    once = [a for a in appeals.values() if a.dispatch_count == 1 and a.routing_count == 1]
    twice = [a for a in appeals.values() if a.dispatch_count > 1 or a.routing_count > 1]
    lost = [n for n in accepted if n not in appeals or appeals[n].dispatch_count == 0]
    return FaultFigures(
        scenario=scenario, submissions=submissions, accepted=len(accepted), routed_once=len(once),
        lost=len(lost), duplicated=len(twice), notes=notes,
    )
