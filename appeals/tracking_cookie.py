"""The browsers that have shown they hold a tracking number's code: a signed cookie naming the
numbers (as digests) this browser received when it filed, or looked up with the right code.

Failed lookups are limited per tracking number from any address, so anyone who knows a number
could keep its resident from following the appeal by guessing wrong codes. A lookup from a browser
that carries the number in this cookie skips that per-number limit (the per-address limit still
applies): the lockout hurts the guesser, never the resident on their own phone. The cookie proves
nothing an attacker could use: getting it takes the right code, and it cannot be forged.
"""
from __future__ import annotations

from django.conf import settings
from django.core import signing

from .tracking import number_digest

COOKIE = "appeal_tracking"
SALT = "appeals.tracking_cookie"
MAX_NUMBERS = 20  # the most recent ones; a household follows a handful of appeals
MAX_AGE = 365 * 24 * 3600


def _numbers(request) -> list[str]:
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    value = request.COOKIES.get(COOKIE, "")
    if not value or len(value) > 4096:
        return []
    try:
        numbers = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    return [item for item in numbers if isinstance(item, str)] if isinstance(numbers, list) else []


def knows(request, number: str) -> bool:
    """Whether this browser received or used the code of `number` before (a valid signed cookie)."""
    return number_digest(number) in _numbers(request)


def remember(request, response, number: str):
    """Add `number` to the browser's cookie (newest first, at most MAX_NUMBERS)."""
    digest = number_digest(number)
    numbers = [digest, *(item for item in _numbers(request) if item != digest)][:MAX_NUMBERS]
    response.set_cookie(
        COOKIE, signing.dumps(numbers, salt=SALT, compress=True), max_age=MAX_AGE, httponly=True,
        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
