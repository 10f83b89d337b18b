"""The resident's device, as far as intake may trust it: a random id that this site handed out,
signed so that nobody can claim another device's id.

The web form sets it in a cookie on its first answer; the API answers every intake with a device
token in the `X-Appeal-Device` header, which an app sends back with its next appeals. Only this
id lets a repeated submission fold into an earlier appeal (appeals/folding.py): whoever holds it
sent the earlier one from the same browser or app.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

COOKIE = "appeal_device"
HEADER = "X-Appeal-Device"
_META_HEADER = "HTTP_X_APPEAL_DEVICE"
COOKIE_MAX_AGE = 365 * 24 * 3600
_signer = signing.Signer(salt="appeals.devices")


def device_of(request) -> str:
    """The verified device id this request carries (the API's header, else the form's cookie);
    "" when it carries none, or a forged or malformed one."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    token = request.META.get(_META_HEADER) or request.COOKIES.get(COOKIE, "")
    try:
        return _signer.unsign(token[:200]) if token else ""
    except signing.BadSignature:
        return ""


def device_token(request) -> str:
    """The signed token of this request's device: the one it carries, else a new one (the same
    for the whole request)."""
    request = getattr(request, "_request", request)
    token = getattr(request, "_device_token", None)
    if token is None:
        device = device_of(request) or secrets.token_urlsafe(16)
        token = request._device_token = _signer.sign(device)
    return token


def remember_device(request, response):
    """Give the browser its device cookie when it has none (or a forged one)."""
    if not device_of(request):
        response.set_cookie(
            COOKIE, device_token(request), max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
