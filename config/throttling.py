"""Rate limits for the API and the public pages: one mechanism, one idea of who the client is, one
refusal.

The counters are DRF throttles kept in the Django cache (Redis), so every web process and worker
shares them. Web views use the same throttle classes through `rate_limited`, so a resident who
files through the form and the API spends one allowance. A refused client gets 429 with
Retry-After and a translated message: a page on the web, `{"detail": …}` in the API.
"""
from __future__ import annotations

import ipaddress
import logging
import math
from functools import wraps

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.exceptions import APIException, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)
# Rate limits live in Redis. When it is away they fail open: an appeal must always be accepted.
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the last entry of the header a trusted proxy writes
    (settings.CLIENT_IP_HEADER). A missing or malformed header falls back to REMOTE_ADDR."""
    header = settings.CLIENT_IP_HEADER
    if header:
        key = header.upper().replace("-", "_")
        key = key if key.startswith("HTTP_") else f"HTTP_{key}"
        candidate = request.META.get(key, "").split(",")[-1].strip()
        if _is_ip(candidate):
            return candidate
    return request.META.get("REMOTE_ADDR", "")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def address_key(address: str) -> str:
    """What a rate limit counts: one IPv4 address, or one IPv6 /64 (a single household or phone
    gets a whole /64, so counting single IPv6 addresses would limit nothing)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


class ClientRateThrottle(SimpleRateThrottle):
    """A DRF throttle that reads its rate when it is made (so settings changes apply at once) and
    knows clients by `client_ip`."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for the {self.scope!r} scope") from exc

    def get_ident(self, request) -> str:
        return address_key(client_ip(request))

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("rate limit %s not checked: the cache is away", self.scope, exc_info=True)
            return True

    def cache_key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        """Seconds until one more request is allowed (exact, unlike DRF's averaged estimate)."""
        if not self.history or self.num_requests == 0:
            return float(self.duration)
        oldest_counted = self.history[min(self.num_requests, len(self.history)) - 1]
        return max(1.0, self.duration - (self.now - oldest_counted))


class AnonThrottle(ClientRateThrottle):
    """Every anonymous API call, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_key_for(self.get_ident(request))


class UserThrottle(ClientRateThrottle):
    """Every signed-in API call, per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_key_for(request.user.pk)


class FailureThrottle(ClientRateThrottle):
    """Counts failures only (e.g. wrong codes): `blocked_for()` looks without counting,
    `record_failure()` counts one. `ident` is what is counted (an address, a hashed number)."""

    def __init__(self, ident: str):
        super().__init__()
        self.key = self.cache_key_for(ident)

    def blocked_for(self) -> float | None:
        """Seconds to wait when the limit is reached, None while failures are still allowed."""
        self.now = self.timer()
        try:
            history = self.cache.get(self.key, [])
        except CACHE_ERRORS:
            logger.warning("failure limit %s not checked: the cache is away", self.scope, exc_info=True)
            return None
        self.history = [at for at in history if at > self.now - self.duration]
        return self.wait() if len(self.history) >= self.num_requests else None

    def record_failure(self) -> None:
        if self.blocked_for() is None:
            try:
                self.throttle_success()
            except CACHE_ERRORS:
                logger.warning("failure limit %s not counted: the cache is away", self.scope, exc_info=True)


def throttle_wait(request, throttle_classes) -> float | None:
    """Run the throttles as DRF's APIView does: each counts the request; the longest wait wins."""
    waits = [t.wait() for t in (cls() for cls in throttle_classes) if not t.allow_request(request, None)]
    return max(waits) if waits else None


def retry_message(wait: float) -> str:
    seconds = max(1, math.ceil(wait))
    if seconds < 60:
        return ngettext(
            "Too many requests. Please try again in %(n)d second.",
            "Too many requests. Please try again in %(n)d seconds.", seconds,
        ) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many requests. Please try again in %(n)d minute.",
        "Too many requests. Please try again in %(n)d minutes.", minutes,
    ) % {"n": minutes}


class TooManyRequests(Throttled):
    """429 with Retry-After and a translated message (DRF's own leaves the wait in English)."""

    def __init__(self, wait: float):
        APIException.__init__(self, retry_message(wait), "throttled")
        self.wait = max(1, math.ceil(wait))


def api_exception_handler(exc, context):
    """DRF's handler, with every throttle refusal worded by `retry_message`."""
    from rest_framework.views import exception_handler  # rest_framework.views imports this module

    if isinstance(exc, Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(exc.wait or 1)
    return exception_handler(exc, context)


def too_many_requests_page(request, wait: float):
    response = render(request, "429.html", {"message": retry_message(wait)}, status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def rate_limited(*throttle_classes, methods: tuple[str, ...] = ("POST",)):
    """Apply API throttle classes to a plain Django view (only for `methods`): one allowance for
    the page and the API, and a 429 page instead of the view when it is spent."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                wait = throttle_wait(request, throttle_classes)
                if wait is not None:
                    return too_many_requests_page(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
