"""Reads for the resident's side: tracking lookup and the public view of an appeal.

The tracking page and the tracking API render the same `TrackingSummary`, so both show the same
thing and neither can show more.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Appeal, AppealEvent
from .tracking import code_matches_any, hash_access_code, is_tracking_number, normalize

# Events whose note is written for the resident (the answer, the reason for declining).
RESIDENT_NOTE_KINDS = {AppealEvent.Kind.RESOLVED, AppealEvent.Kind.REJECTED}


def appeal_for_tracking(*, number: str, code: str) -> Appeal | None:
    """The appeal when number and code match one of its codes (the first, or one issued to a folded
    repeat); None otherwise, with the same work either way."""
    number = normalize(number or "")[:20]
    appeal = (
        Appeal.objects.select_related("category").filter(number=number).first() if is_tracking_number(number) else None
    )
    if appeal is None:
        hash_access_code(number, code or "")  # same work as a real check: no timing oracle
        return None
    hashes = [appeal.access_code_hash, *appeal.access_codes.values_list("code_hash", flat=True)]
    return appeal if code_matches_any(number, code or "", hashes) else None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    unit: str
    note: str


@dataclass(frozen=True)
class TrackingSummary:
    number: str
    status: str
    status_label: str
    category: str
    unit: str
    received_at: datetime
    response_due: datetime | None
    resolve_due: datetime | None
    answer: str
    declined_reason: str
    timeline: list[TimelineEntry]


def tracking_summary(appeal: Appeal) -> TrackingSummary:
    events = list(
        AppealEvent.objects.filter(appeal=appeal, public=True).select_related("unit").order_by("created_at", "id")
    )
    dispatch = next(
        (d for d in appeal.dispatches.select_related("unit").order_by("-dispatched_at")
         if d.is_current and d.role == "primary"),
        None,
    )
    timeline = [
        TimelineEntry(
            at=event.created_at,
            kind=event.kind,
            label=event.get_kind_display(),
            unit=event.unit.display_name if event.unit_id else "",
            note=event.note if event.kind in RESIDENT_NOTE_KINDS else "",
        )
        for event in events
    ]
    return TrackingSummary(
        number=appeal.number,
        status=appeal.status,
        status_label=appeal.get_status_display(),
        category=appeal.category.display_name if appeal.category_id else "",
        unit=dispatch.unit.display_name if dispatch else "",
        received_at=appeal.created_at,
        response_due=dispatch.response_due if dispatch else None,
        resolve_due=dispatch.resolve_due if dispatch else None,
        answer=dispatch.answer if dispatch else "",
        declined_reason=appeal.get_rejection_reason_display() if appeal.rejection_reason else "",
        timeline=timeline,
    )
