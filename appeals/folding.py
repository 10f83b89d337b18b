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
from django.core.cache import cache
from django.utils import timezone

from config.throttling import CACHE_ERRORS

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


def claim(value: str, number: str) -> str | None:
    """Claim the fingerprint for the appeal about to be stored as `number`: None when it is the first
    within the window (or there is nothing to fold: no fingerprint, or Redis away), else the
    number of the appeal it repeats. One SET NX in Redis, so of two identical posts at once exactly
    one is first, without a lock or a query in the database."""
    if not value:
        return None
    key = _key(value)
    try:
        for _attempt in range(2):  # the earlier claim may lapse between the two calls
            if cache.add(key, number, timeout=settings.APPEAL_FOLD_WINDOW_SECONDS):
                return None
            earlier = cache.get(key)
            if earlier is not None:
                return earlier
    except CACHE_ERRORS:
        logger.warning("repeats not checked: the cache is away", exc_info=True)
    return None


def reclaim(value: str, number: str) -> None:
    """The fingerprint now belongs to `number` (a number drawn again, or an earlier appeal that is
    gone or outside the window)."""
    if value:
        try:
            cache.set(_key(value), number, timeout=settings.APPEAL_FOLD_WINDOW_SECONDS)
        except CACHE_ERRORS:
            logger.warning("repeat claim not moved: the cache is away", exc_info=True)


def release(value: str, number: str) -> None:
    """Storing `number` failed: let a repeat become the first instead of waiting for it."""
    if value:
        try:
            if cache.get(_key(value)) == number:
                cache.delete(_key(value))
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
    return f"fold:{value}"
