"""Folding repeated submissions: the same appeal sent again by the same sender within minutes (a
double click on a slow phone, an app retrying after a lost response) joins the first appeal
instead of becoming a second one.

A fold hands the sender a working code for the earlier appeal, so only a sender who provably sent
it may fold: the same device (the random id in the form's signed cookie, or the signed device
token an app sends back, appeals/devices.py), or, on the phone channel, the same operator taking
the same caller's number (a double click). A phone number or an address proves nothing (anyone
may type a phone number; a campus shares one address): without a device the appeal is filed as a
new one, and duplicate detection links it later.

The first submission claims its fingerprint in Redis for the fold window (the claim names its
tracking number and when it was made); a repeat finds the claim and joins that appeal. Redis
keeps nothing on disk: if it is away or was emptied, repeats in that spell become appeals of
their own; nothing is lost. A claim that outlived its appeal (the database was reloaded) is
ignored at once.

"The same" is a fingerprint of the normalised text, category, place, photos and sender. It is a
keyed hash, so the stored value reveals nothing about the sender.
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
from redis.commands.core import Script

from config.throttling import CACHE_ERRORS, Claim, count_requests, redis_client

from .devices import device_of
from .models import Appeal

logger = logging.getLogger(__name__)
FOLD_WAIT_SECONDS = 2.0  # a repeat waits this long for its twin's appeal to commit (it takes milliseconds)
FOLD_POLL_SECONDS = 0.01


def comparable_text(value: str) -> str:
    """Case, width and spacing differences do not make a different appeal."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def source_of(request, *, channel: str, caller_phone: str = "") -> str:
    """Who provably sent this request's appeal: on the phone channel the operator and the caller's
    number (an operator's double click), else the request's device; "" when unknown (nothing is
    folded)."""
    if channel == Appeal.Channel.PHONE:
        digits = re.sub(r"[^0-9]", "", caller_phone or "")
        return f"operator:{request.user.pk}:tel:{digits}" if digits and request.user.is_authenticated else ""
    device = device_of(request)
    return f"device:{device}" if device else ""


def fingerprint(
    *, source: str, text: str, category_code: str, latitude, longitude, address: str, contact_phone: str = "",
    photos=(),
) -> str:
    """The keyed hash of one submission; "" when the source is unknown (then nothing is folded)."""
    if not source:
        return ""
    parts = [
        source, comparable_text(text), category_code, str(latitude or ""), str(longitude or ""),
        comparable_text(address),
        re.sub(r"[^0-9]", "", contact_phone or ""), *sorted(_digest(photo) for photo in photos),
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


def repeats(claim: Claim | None) -> bool:
    """After the claim was tried: whether another appeal holds it (False when this is the first, or
    Redis was away: then nothing is folded)."""
    return claim is not None and claim.answered and claim.held is not None


def claim(value: str, number: str) -> Claim | None:
    """Claim the fingerprint for `number` (see `repeats` and `earlier_appeal` for the answer). One
    atomic step in Redis (see config.throttling.count_requests, which the API also uses to count
    its rate limits in the same round trip), so of two identical posts at once exactly one is
    first, without a lock or a query in the database."""
    attempt = new_claim(value, number)
    if attempt is not None:
        count_requests([], claim=attempt)
    return attempt


# Set the claim to ARGV[1], stamped with Redis's time as COUNT_SCRIPT stamps it, for ARGV[2] seconds.
_reclaim_script = Script(None, b"""
local time = redis.call("TIME")
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
redis.call("SET", KEYS[1], ARGV[1] .. "|" .. string.format("%.6f", now), "EX", ARGV[2])
""")


def reclaim(value: str, number: str) -> None:
    """The fingerprint now belongs to `number` (a number drawn again, or an earlier appeal that is
    gone or outside the window)."""
    if value:
        try:
            _reclaim_script([_key(value)], [number, settings.APPEAL_FOLD_WINDOW_SECONDS], client=redis_client())
        except CACHE_ERRORS:
            logger.warning("repeat claim not moved: the cache is away", exc_info=True)


def release(value: str, number: str) -> None:
    """Storing `number` failed: let a repeat become the first instead of waiting for it."""
    if value:
        try:
            client = redis_client()
            if (client.get(_key(value)) or b"").partition(b"|")[0] == number.encode():
                client.delete(_key(value))
        except CACHE_ERRORS:
            logger.warning("repeat claim not released; it lapses with the window", exc_info=True)


def earlier_appeal(claim: Claim) -> Appeal | None:
    """The appeal a held claim names, once its intake has committed, and only while it is within
    the window. A twin sent at the same moment may still be storing it: wait until the claim is
    FOLD_WAIT_SECONDS old (storing takes milliseconds). An older claim whose appeal is not there
    names one that is gone (the database was reloaded, Redis kept): it is not waited for."""
    number = claim.held
    deadline = time.monotonic() + max(0.0, FOLD_WAIT_SECONDS - claim.age)
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
