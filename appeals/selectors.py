"""Reads for the resident's side: tracking lookup and the public view of an appeal.

The tracking page and the tracking API render the same `TrackingSummary`, so both show the same
thing and neither can show more.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .followers import may_rate
from .handling import open_survey_until, primary_dispatch
from .models import Appeal, AppealEvent
from .tracking import code_matches_any, compact_upper, hash_access_code, is_tracking_number

# Events whose note is written for the resident: the answer, the reason for declining, the new
# deadline of an approved extension, the departments summoned to help.
RESIDENT_NOTE_KINDS = {
    AppealEvent.Kind.RESOLVED, AppealEvent.Kind.REJECTED, AppealEvent.Kind.EXTENSION_APPROVED,
    AppealEvent.Kind.WHISTLE,
}


def appeal_for_tracking(*, number: str, code: str) -> Appeal | None:
    """The appeal when number and code match one of its codes (the first, or one issued to a folded
    repeat); None otherwise, with the same work either way."""
    number = compact_upper(number or "")[:20]
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
    feedback_until: datetime | None = None  # the callback survey is open until then
    following: bool = False  # a follower's page: the progress of the appeal they follow
    follower_may_rate: bool = False  # the follower may rate the outcome now (appeals/followers.py)

    @property
    def awaits_operator(self) -> bool:
        """Routing could not place it: an operator chooses the unit."""
        return self.status == Appeal.Status.TRIAGE


def tracking_summary(appeal: Appeal) -> TrackingSummary:
    events = list(
        AppealEvent.objects.filter(appeal=appeal, public=True).select_related("unit").order_by("created_at", "id")
    )
    dispatch = primary_dispatch(appeal)
    follower = getattr(appeal, "tracked_by", None)  # see throttles.track_appeal
    timeline = [
        TimelineEntry(
            at=event.created_at,
            kind=event.kind,
            label=event.get_kind_display(),
            unit=event.unit.display_name if event.unit_id else "",
            note=event.display_note if event.kind in RESIDENT_NOTE_KINDS else "",
        )
        for event in events
    ]
    return TrackingSummary(
        number=follower.number if follower else appeal.number,
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
        # The callback survey is the filing resident's; a follower rates on their own (may_rate).
        feedback_until=None if follower else open_survey_until(appeal),
        following=follower is not None,
        follower_may_rate=follower is not None and may_rate(follower),
    )


def attribute_answers(appeal: Appeal) -> list[tuple[str, str]]:
    """The resident's answers to the category's questions as (question, answer) in the active
    language, in the category's order; answers to questions since removed keep their code."""
    if not appeal.attributes:
        return []
    questions = {q.code: q for q in appeal.category.attributes.all()} if appeal.category_id else {}
    order = {code: (q.order if (q := questions.get(code)) else 10_000) for code in appeal.attributes}
    answers = []
    for code, value in sorted(appeal.attributes.items(), key=lambda item: order[item[0]]):
        question = questions.get(code)
        values = value if isinstance(value, list) else [value]
        names = [question.value_name(str(v)) if question else str(v) for v in values]
        answers.append((question.display_description if question else code, ", ".join(names)))
    return answers
