"""Residents' sign-in for "My appeals": the callback phone and a one-time code sent to it by SMS.
Never required (the tracking number and code always work alone).

The code is six digits, kept only as a keyed hash in the cache for SIGN_IN_CODE_MINUTES, single
use. Limits (config/failure_limits.py, reserved before any work): codes sent per phone and per
address (every send counts), wrong codes per phone and per address (a right one gives its place
back). A code is sent only to a phone that filed appeals, and the answer is the same either way,
so the form tells nobody which numbers filed appeals. Signed in, the session holds the phone.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from config.failure_limits import FailureReservation, TooManyFailures
from config.throttling import FailureThrottle, address_key, client_ip

from .models import Appeal
from .notifications import channel_backend, channel_enabled, channel_message
from .tracking import compact_upper, is_tracking_number
from .validation import clean_phone

logger = logging.getLogger(__name__)
SESSION_PHONE = "my_appeals_phone"  # the signed-in phone
SESSION_PENDING = "my_appeals_pending"  # the phone a code was sent to


class CodesSentByPhone(FailureThrottle):
    scope = "my_codes_phone"


class CodesSentByAddress(FailureThrottle):
    scope = "my_codes_address"


class WrongCodesByPhone(FailureThrottle):
    scope = "my_code_failures_phone"


class WrongCodesByAddress(FailureThrottle):
    scope = "my_code_failures_address"


class SignInBlocked(Exception):
    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


class SignInUnavailable(Exception):
    """No SMS channel, or the gateway failed: the resident uses their tracking number and code."""


def available() -> bool:
    return channel_enabled("sms")


def _digest(phone: str) -> str:
    return hashlib.sha256(phone.encode()).hexdigest()[:32]


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"my-appeals:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _cache_key(phone: str) -> str:
    return f"my-appeals-code:{_digest(phone)}"


def appeals_of(phone: str) -> QuerySet[Appeal]:
    """Every appeal filed with this (normalised) phone, newest first (the appeal_contact_phone index)."""
    return Appeal.objects.filter(contact_phone=phone).exclude(contact_phone="").select_related("category") \
        .order_by("-created_at")


def send_code(request, *, phone: str) -> str:
    """Send a sign-in code to the phone, if it filed appeals; returns the normalised phone.
    ValidationError for a number that is not one; SignInBlocked over a limit; SignInUnavailable
    when no SMS can go out."""
    if not available():
        raise SignInUnavailable
    phone = clean_phone(phone.strip())  # ValidationError keyed contact_phone
    try:
        FailureReservation([CodesSentByPhone(_digest(phone)), CodesSentByAddress(address_key(client_ip(request)))])
    except TooManyFailures as exc:
        raise SignInBlocked(exc.wait) from exc
    if not appeals_of(phone).exists():
        return phone
    code = f"{secrets.randbelow(10 ** 6):06d}"
    cache.set(_cache_key(phone), _code_hash(phone, code), timeout=settings.SIGN_IN_CODE_MINUTES * 60)
    body = _("Your 12345 sign-in code is %(code)s. It works for %(minutes)d minutes. Never share it.") % {
        "code": code, "minutes": settings.SIGN_IN_CODE_MINUTES}  # in the language of the page asking
    subject = _("12345 sign-in code")
    try:
        channel_backend("sms").send(channel_message("sms", address=phone, subject=subject, body=body))
    except Exception as exc:
        logger.warning("the sign-in code could not be sent: %r", exc)
        raise SignInUnavailable from exc
    return phone


def check_code(request, *, phone: str, code: str) -> bool:
    """Whether the code is the one sent to the phone (then it is used up). SignInBlocked while a
    failure counter is full, before anything is compared."""
    try:
        reservation = FailureReservation(
            [WrongCodesByPhone(_digest(phone)), WrongCodesByAddress(address_key(client_ip(request)))]
        )
    except TooManyFailures as exc:
        raise SignInBlocked(exc.wait) from exc
    stored = cache.get(_cache_key(phone))
    candidate = _code_hash(phone, "".join((code or "").split())[:12])
    if stored is None or not hmac.compare_digest(stored, candidate):
        return False
    cache.delete(_cache_key(phone))
    reservation.release()
    return True


def sign_in(request, phone: str) -> None:
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_PHONE] = phone


def signed_in_phone(request) -> str:
    return request.session.get(SESSION_PHONE, "")


def sign_out(request) -> None:
    request.session.pop(SESSION_PHONE, None)
    request.session.pop(SESSION_PENDING, None)


def own_appeal(request, number: str) -> Appeal | None:
    """The signed-in resident's appeal with this number; None for anyone else's."""
    phone, number = signed_in_phone(request), compact_upper(number or "")
    return appeals_of(phone).filter(number=number).first() if phone and is_tracking_number(number) else None


