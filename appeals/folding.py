"""Folding repeated submissions: the same appeal sent again from the same source within minutes (a
double click on a slow phone, an app retrying after a lost response) joins the first appeal
instead of becoming a second one.

"The same" is a fingerprint of the normalised text, category, place, photos and source (the
contact phone, else the client address). It is a keyed hash, so the stored value reveals neither
the phone nor the address of an anonymous resident.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Appeal

# Advisory locks are keyed by (namespace, key); the namespace keeps ours apart from any others.
ADVISORY_LOCK_NAMESPACE = 12345


def normalise(value: str) -> str:
    """Case, width and spacing differences do not make a different appeal."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def source_of(*, contact_phone: str, source_ip: str) -> str:
    """Who sent it: the phone number when there is one, else the client address; "" if unknown."""
    digits = re.sub(r"[^0-9]", "", contact_phone or "")
    if digits:
        return f"tel:{digits}"
    return f"ip:{source_ip}" if source_ip else ""


def fingerprint(
    *, source: str, text: str, category_code: str, latitude, longitude, address: str, photos=()
) -> str:
    """The keyed hash of one submission; "" when the source is unknown (then nothing is folded)."""
    if not source:
        return ""
    parts = [
        source, normalise(text), category_code, str(latitude or ""), str(longitude or ""), normalise(address),
        *sorted(_digest(photo) for photo in photos),
    ]
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _digest(photo) -> str:
    photo.seek(0)
    digest = hashlib.sha256(photo.read()).hexdigest()
    photo.seek(0)
    return digest


def lock_fingerprint(value: str) -> None:
    """Serialise submissions with this fingerprint until the transaction ends, so two identical
    posts at once cannot both miss each other and create two appeals. PostgreSQL: a transaction
    advisory lock. SQLite: its write transactions are already serial (BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(bytes.fromhex(value[:8]), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, key])


def earlier_appeal(value: str) -> Appeal | None:
    """The first appeal with this fingerprint within the fold window, if any."""
    since = timezone.now() - timedelta(seconds=settings.APPEAL_FOLD_WINDOW_SECONDS)
    return Appeal.objects.filter(fingerprint=value, created_at__gte=since).order_by("created_at", "id").first()
