""""Is this already reported?": open appeals of a category near a pin, and following one ("me too").

A follower gets a tracking number and code of their own, linked to the appeal they follow: the
tracking page shows that appeal's progress under the follower's number (never the appeal's own
number, text or resident). Following writes one staff-only event on the appeal and counts on it
(officers and supervisors see how many residents are affected); it changes nothing of the handling
or of the unit's rates. What the nearby list shows of an appeal: category, status and age, and its
text only when its resident chose to publish it (masked as Open311 masks it); never its number,
contact, address or exact place.

Updates (appeals/updates.py) read `followers_to_notify`: the followers to tell of the appeal's steps,
and each follower's receipt (number, code, link) is queued through appeals.signals.appeal_followed.
"""
from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import catalogue, notes, validation
from .events import record_transition
from .models import Appeal, AppealEvent, Category, Follower
from .privacy import mask_text
from .signals import appeal_followed
from .tracking import compact_upper, hash_access_code, is_tracking_number, new_access_code, new_follower_number

OPEN_STATUSES = (Appeal.Status.RECEIVED, Appeal.Status.TRIAGE, Appeal.Status.DISPATCHED, Appeal.Status.RESPONDED)
RATEABLE_STATUSES = (Appeal.Status.RESOLVED, Appeal.Status.CLOSED)
NEARBY_LIMIT = 10
METERS_PER_DEGREE = 111_320.0
REF_SALT = "appeals.followers.ref"
REF_MAX_AGE = 24 * 3600  # a list's references stay good for a day; then the resident looks again
notes.register("followers.followed", gettext_lazy("Another resident reported the same problem and follows it."))


@dataclass(frozen=True)
class NearbyAppeal:
    ref: str  # signed reference to follow it by; says nothing of the appeal to whoever reads it
    category: str
    status: str
    status_label: str
    received_at: datetime
    distance_m: int
    text: str  # the masked text when published, else ""
    followers: int


@dataclass(frozen=True)
class Followed:
    follower: Follower
    access_code: str  # shown once; only its hash is stored


def radius_for(category: Category) -> int:
    """How far from a pin an appeal of this category counts as the same problem."""
    return category.nearby_radius_m or settings.NEARBY_RADIUS_METERS


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Metres between two points (equirectangular: exact enough at a few hundred metres)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(x, math.radians(lat2 - lat1)) * 6_371_000.0


def nearby_open_appeals(*, category_code: str, latitude, longitude) -> list[NearbyAppeal]:
    """Open appeals of the category within its radius of the point, nearest first (at most
    NEARBY_LIMIT). A bad category or point is a field-keyed ValidationError."""
    category = catalogue.active_leaf(category_code) if isinstance(category_code, str) and category_code else None
    if category is None:
        raise ValidationError({"category": _("Choose a category from the list.")})
    lat, lng = validation.clean_location(latitude, longitude)
    if lat is None:
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    radius = radius_for(category)
    lat_span = Decimal(radius / METERS_PER_DEGREE)
    lng_span = Decimal(radius / (METERS_PER_DEGREE * max(math.cos(math.radians(float(lat))), 0.01)))
    rows = (
        Appeal.objects.filter(
            category_id=category.pk, status__in=OPEN_STATUSES,
            latitude__range=(lat - lat_span, lat + lat_span), longitude__range=(lng - lng_span, lng + lng_span),
        )
        .annotate(follower_count=Count("followers"))
        .only("pk", "status", "created_at", "latitude", "longitude", "published", "text")
    )
    found = []
    for appeal in rows:
        metres = distance_m(float(lat), float(lng), float(appeal.latitude), float(appeal.longitude))
        if metres <= radius:
            found.append((metres, appeal))
    found.sort(key=lambda pair: (pair[0], pair[1].pk))
    return [
        NearbyAppeal(
            ref=signing.dumps(appeal.pk, salt=REF_SALT, compress=True), category=category.display_name,
            status=appeal.status, status_label=appeal.get_status_display(), received_at=appeal.created_at,
            distance_m=round(metres), text=mask_text(appeal.text) if appeal.published else "",
            followers=appeal.follower_count,
        )
        for metres, appeal in found[:NEARBY_LIMIT]
    ]


def _appeal_of_ref(ref: str) -> int:
    try:
        pk = signing.loads(ref or "", salt=REF_SALT, max_age=REF_MAX_AGE)
    except signing.BadSignature:
        pk = None
    if not isinstance(pk, int):
        raise ValidationError({"ref": _("This appeal can no longer be followed; look again for nearby appeals.")})
    return pk


def follow_appeal(*, ref: str, contact_phone: str = "", contact_email: str = "") -> Followed:
    """Join an open appeal: a tracking number and code of the follower's own, linked to it, and a
    staff-only event on it. The phone and e-mail are optional (where its updates are sent)."""
    pk = _appeal_of_ref(ref)
    phone = validation.clean_phone(validation.strip_unstorable(contact_phone).strip()) if contact_phone else ""
    email = (contact_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"contact_email": _("Enter a valid e-mail address, or leave it empty.")}) from None
    access_code = new_access_code()
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().filter(pk=pk, status__in=OPEN_STATUSES).first()
        if appeal is None:
            raise ValidationError({"ref": _("This appeal is no longer open; file your own instead.")})
        follower = _create_follower(appeal, access_code=access_code, phone=phone, email=email)
        event = record_transition(appeal=appeal, kind=AppealEvent.Kind.FOLLOWED, public=False,
                                  message=notes.message("followers.followed"), data={"follower": follower.pk})
        appeal_followed.send(sender=Follower, event_id=event.pk, access_code=access_code)
    return Followed(follower=follower, access_code=access_code)


def _create_follower(appeal: Appeal, *, access_code: str, phone: str, email: str) -> Follower:
    for _attempt in range(5):
        number = new_follower_number()
        if Appeal.objects.filter(number=number).exists():  # drawn before numbers said whose they are
            continue
        try:
            with transaction.atomic():
                return Follower.objects.create(
                    appeal=appeal, number=number, access_code_hash=hash_access_code(number, access_code),
                    contact_phone=phone, contact_email=email, language=get_language() or "zh-hans",
                )
        except IntegrityError:
            continue
    raise RuntimeError("no free tracking number after 5 draws")


def follower_for_tracking(*, number: str, code: str) -> Follower | None:
    """The follower whose own number and code these are (with the appeal followed), or None."""
    number = compact_upper(number or "")[:20]
    follower = (
        Follower.objects.select_related("appeal", "appeal__category").filter(number=number).first()
        if is_tracking_number(number) else None
    )
    candidate = hash_access_code(number, code or "")
    if follower is None or not hmac.compare_digest(candidate, follower.access_code_hash):
        return None
    return follower


def followers_to_notify(*appeal_ids: int) -> QuerySet[Follower]:
    """The followers of these appeals who left a phone or an e-mail: whom their updates reach too
    (appeals/updates.py)."""
    return Follower.objects.filter(appeal_id__in=appeal_ids).exclude(contact_phone="", contact_email="")


def follower_counts(appeal_ids) -> dict[int, int]:
    """How many residents follow each appeal (for the consoles)."""
    rows = Follower.objects.filter(appeal_id__in=list(appeal_ids)).values("appeal_id").annotate(n=Count("id"))
    return {row["appeal_id"]: row["n"] for row in rows}


def may_rate(follower: Follower) -> bool:
    return follower.rated_at is None and follower.appeal.status in RATEABLE_STATUSES


def rate_as_follower(*, follower_id: int, solved: bool, satisfaction: str, comment: str = "") -> Follower:
    """A follower's own rating of the outcome, once, after the appeal is resolved. Kept on the
    follower: the unit's rates count its own resident's callback only."""
    if satisfaction not in Follower.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose one of the answers.")})
    with transaction.atomic():
        follower = Follower.objects.select_for_update().select_related("appeal").get(pk=follower_id)
        if not may_rate(follower):
            raise ValidationError(_("This appeal cannot be rated now."))
        follower.solved, follower.satisfaction = solved, satisfaction
        follower.comment = validation.strip_unstorable(comment)[:2000]
        follower.rated_at = timezone.now()
        follower.save(update_fields=["solved", "satisfaction", "comment", "rated_at"])
    return follower


def follower_count_of(appeal_ref: str = "appeal_id"):
    """A subquery counting the followers of the appeal that `appeal_ref` names, for annotating a
    list (one indexed count per row shown, in the same query)."""
    return Coalesce(Subquery(
        Follower.objects.filter(appeal_id=OuterRef(appeal_ref)).order_by().values("appeal_id")
        .annotate(n=Count("id")).values("n")[:1]
    ), 0)
