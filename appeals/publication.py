"""What a published appeal shows the public, in one place for the public pages and Open311.

Only appeals their resident chose to publish, with a category, are public, under their public id.
They show: the text with personal data masked (privacy.mask_text), or an operator's own wording of
it, or nothing when an operator hid it; photos an operator approved; the place rounded to 0.001°
(about 100 m); the category, the status, the handling unit, the public timeline and the answer
(masked too). Never the resident's name, phone, e-mail, address or tracking number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from . import notes
from .events import record_transition
from .handling import in_district, primary_dispatch, with_primary_dispatch
from .models import Appeal, AppealEvent, AppealPhoto
from .privacy import mask_text
from .selectors import RESIDENT_NOTE_KINDS
from .tracking import ALPHABET

ROUNDING = Decimal("0.001")
PUBLIC_ID_RE = re.compile(rf"[{ALPHABET}]{{1,16}}")
# Appeal statuses the public calls "closed" (it has been answered or declined); the rest are open.
CLOSED_STATUSES = (Appeal.Status.RESOLVED, Appeal.Status.CLOSED, Appeal.Status.REJECTED)
PUBLIC_FIELDS = (
    "public_id", "status", "rejection_reason", "text", "public_text", "public_text_hidden", "created_at",
    "latitude", "longitude", "media_url", "category__code", "category__name", "category__name_en",
)
PUBLIC_DISPATCH_FIELDS = ("resolve_due", "answer", "unit__name", "unit__name_en")
EDITED_NOTE = gettext_lazy("The public text or photos were reviewed: %(what)s")
notes.register("publication.edited", render=lambda params: str(EDITED_NOTE) % {
    "what": ", ".join(str(REVIEW_LABELS.get(change, change)) for change in params.get("changes", []))
})
REVIEW_LABELS = {
    "text": gettext_lazy("text edited"), "hidden": gettext_lazy("text hidden"),
    "shown": gettext_lazy("text shown again"), "photos": gettext_lazy("photos approved or withdrawn"),
}


def published() -> QuerySet[Appeal]:
    """Published appeals with a category (one without belongs to no service until an operator
    classifies it), with only the columns a public appeal shows, their current dispatch and the
    time of their last public event (a correlated subquery on the appeal/time index, computed only
    for the rows returned)."""
    last_event = AppealEvent.objects.filter(appeal=OuterRef("pk"), public=True).order_by("-created_at", "-id")
    return with_primary_dispatch(
        Appeal.objects.filter(published=True, category__isnull=False)
        .select_related("category")
        .only(*PUBLIC_FIELDS)
        .annotate(last_event_at=Subquery(last_event.values("created_at")[:1])),
        only=PUBLIC_DISPATCH_FIELDS,
    )


def filtered(appeals: QuerySet[Appeal], *, category: str = "", district: str = "", status: str = ""):
    """`category`: a category's code at any level; `district`: the handling street's district;
    `status`: "open" or "closed"."""
    if category:
        appeals = appeals.filter(
            Q(category__code=category) | Q(category__parent__code=category) | Q(category__parent__parent__code=category)
        )
    if district:
        appeals = in_district(appeals, district)
    if status in ("open", "closed"):
        closed = Q(status__in=CLOSED_STATUSES)
        appeals = appeals.filter(closed if status == "closed" else ~closed)
    return appeals.order_by("-created_at", "-id")


def is_public_id(value: str) -> bool:
    """Whether a string has the shape of a public id; anything else (NUL bytes too) matches nothing."""
    return PUBLIC_ID_RE.fullmatch(value or "") is not None


def public_appeal(public_id: str) -> Appeal | None:
    return published().filter(public_id=public_id).first() if is_public_id(public_id) else None


def is_closed(appeal: Appeal) -> bool:
    return appeal.status in CLOSED_STATUSES


def public_description(appeal: Appeal) -> str:
    """The text as the public reads it: hidden (""), an operator's wording, or the resident's
    text; masked either way (an operator's edit may miss a number)."""
    if appeal.public_text_hidden:
        return ""
    return mask_text(appeal.public_text or appeal.text)


def public_answer(appeal: Appeal, dispatch) -> str:
    if appeal.status == Appeal.Status.REJECTED and appeal.rejection_reason:
        return str(appeal.get_rejection_reason_display())
    return mask_text(dispatch.answer) if dispatch is not None and dispatch.answer else ""


def rounded(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(ROUNDING))


def approved_photos(appeal: Appeal) -> list[AppealPhoto]:
    return list(appeal.photos.filter(public_approved=True, state=AppealPhoto.State.READY).order_by("pk"))


def public_photo(public_id: str, photo_id: int) -> AppealPhoto | None:
    """A photo the public may see: approved, re-encoded, of a published appeal."""
    return (
        AppealPhoto.objects.filter(
            pk=photo_id, public_approved=True, state=AppealPhoto.State.READY,
            appeal__public_id=public_id, appeal__published=True, appeal__category__isnull=False,
        ).first() if is_public_id(public_id) else None
    )


@dataclass(frozen=True)
class PublicEntry:
    at: datetime
    label: str
    unit: str
    note: str


def public_timeline(appeal: Appeal) -> list[PublicEntry]:
    """The public events, their notes for the resident masked like the text."""
    events = AppealEvent.objects.filter(appeal=appeal, public=True).select_related("unit").order_by("created_at", "id")
    return [
        PublicEntry(
            at=event.created_at, label=event.get_kind_display(),
            unit=event.unit.display_name if event.unit_id else "",
            note=mask_text(event.display_note) if event.kind in RESIDENT_NOTE_KINDS else "",
        )
        for event in events
    ]


@dataclass(frozen=True)
class PublicCard:
    """One published appeal as a list shows it (and the map will: `lat`, `lng`)."""

    public_id: str
    category: str
    status: str
    closed: bool
    unit: str
    description: str
    created_at: datetime
    lat: float | None
    lng: float | None


def card(appeal: Appeal) -> PublicCard:
    dispatch = primary_dispatch(appeal)
    return PublicCard(
        public_id=appeal.public_id, category=appeal.category.display_name, status=appeal.get_status_display(),
        closed=is_closed(appeal), unit=dispatch.unit.display_name if dispatch else "",
        description=public_description(appeal), created_at=appeal.created_at,
        lat=rounded(appeal.latitude), lng=rounded(appeal.longitude),
    )


def review_publication(*, appeal_id: int, actor, public_text: str, hidden: bool,
                       approved_photo_ids: set[int]) -> Appeal:
    """An operator's review of what a published appeal shows: their own wording of the text (empty:
    the resident's, masked), the text hidden or not, which photos the public may see. One staff-only
    event says what changed; nothing changes, and no event is written, when nothing did."""
    public_text = (public_text or "").strip()
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal_id, published=True)
        changes, fields = [], {}
        if public_text != appeal.public_text:
            changes.append("text")
            fields["public_text"] = public_text
        if hidden != appeal.public_text_hidden:
            changes.append("hidden" if hidden else "shown")
            fields["public_text_hidden"] = hidden
        photos = {photo.pk: photo.public_approved for photo in appeal.photos.filter(state=AppealPhoto.State.READY)}
        approve = {pk for pk in photos if pk in approved_photo_ids}
        if approve != {pk for pk, approved in photos.items() if approved}:
            changes.append("photos")
            appeal.photos.filter(pk__in=approve).update(public_approved=True)
            appeal.photos.exclude(pk__in=approve).update(public_approved=False)
        if changes:
            record_transition(
                appeal=appeal, kind=AppealEvent.Kind.NOTE, actor=actor, public=False, extra_fields=fields,
                message=notes.message("publication.edited", changes=changes),
            )
        return appeal
