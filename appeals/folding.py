"""Folding repeated submissions: the same appeal sent again from the same source within minutes (a
double click on a slow phone, an app retrying after a lost response) joins the first appeal
instead of becoming a second one.

The first submission claims its fingerprint in Redis for the fold window (the claim names its
tracking number); a repeat finds the claim and joins that appeal. Redis keeps nothing on disk: if
it is away or was emptied, repeats in that spell become appeals of their own; nothing is lost.

"The same" is a fingerprint of the normalised text, category, place, photos and source (the
contact phone, else the client address). It is a keyed hash, so the stored value reveals neither
the phone nor the address of an anonymous resident.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from config.throttling import CACHE_ERRORS, Claim, count_requests, redis_client

from .models import Appeal

logger = logging.getLogger(__name__)
FOLD_WAIT_SECONDS = 2.0  # a repeat waits this long for its twin's appeal to commit (it takes milliseconds)
FOLD_POLL_SECONDS = 0.01


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


def new_claim(value: str, number: str) -> Claim | None:
    """The claim of the fingerprint `value` for the appeal about to be stored as `number`, for the
    fold window (None without a fingerprint: nothing is folded)."""
    if not value:
        return None
    return Claim(key=_key(value), value=number, seconds=settings.APPEAL_FOLD_WINDOW_SECONDS)


def earlier_number(claim: Claim | None) -> str | None:
    """After the claim was tried: the number of the appeal it repeats, None when it is the first
    (or Redis was away: then nothing is folded)."""
    return claim.held if claim is not None and claim.answered else None


def claim(value: str, number: str) -> str | None:
    """Claim the fingerprint for `number`: None when this is the first within the window, else the
    number of the appeal it repeats. One atomic step in Redis (see config.throttling.count_requests,
    which the API also uses to count its rate limits in the same round trip), so of two identical
    posts at once exactly one is first, without a lock or a query in the database."""
    attempt = new_claim(value, number)
    if attempt is not None:
        count_requests([], claim=attempt)
    return earlier_number(attempt)


def reclaim(value: str, number: str) -> None:
    """The fingerprint now belongs to `number` (a number drawn again, or an earlier appeal that is
    gone or outside the window)."""
    if value:
        try:
            redis_client().set(_key(value), number, ex=settings.APPEAL_FOLD_WINDOW_SECONDS)
        except CACHE_ERRORS:
            logger.warning("repeat claim not moved: the cache is away", exc_info=True)


def release(value: str, number: str) -> None:
    """Storing `number` failed: let a repeat become the first instead of waiting for it."""
    if value:
        try:
            client = redis_client()
            if client.get(_key(value)) == number.encode():
                client.delete(_key(value))
        except CACHE_ERRORS:
            logger.warning("repeat claim not released; it lapses with the window", exc_info=True)


def earlier_appeal(number: str) -> Appeal | None:
    """The appeal a claim names, once its intake has committed (a twin sent at the same moment may
    still be storing it: wait up to FOLD_WAIT_SECONDS), and only while it is within the window."""
    deadline = time.monotonic() + FOLD_WAIT_SECONDS
    while True:
        appeal = Appeal.objects.filter(number=number).first()
        if appeal is not None:
            since = timezone.now() - timedelta(seconds=settings.APPEAL_FOLD_WINDOW_SECONDS)
            return appeal if appeal.created_at >= since else None
        if time.monotonic() >= deadline:
            return None
        time.sleep(FOLD_POLL_SECONDS)


def _key(value: str) -> str:
    return caches["default"].make_key(f"fold:{value}")
