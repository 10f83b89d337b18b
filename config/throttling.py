"""Rate limits for the API and the public pages: one mechanism, one idea of who the client is, one
refusal.

The limits are declared as DRF throttle classes and counted in the Django cache's Redis, so every
web process and worker shares them. Each counter is a sliding-window log (a sorted set of request
times, as DRF keeps its history), and all the limits one request meets are checked and counted by
one Lua script in one round trip (`count_requests`): DRF would pay a GET and a SET per throttle.
Web views use the same throttle classes through `rate_limited`, so a resident who files through
the form and the API spends one allowance. A refused client gets 429 with Retry-After and a
translated message: a page on the web, `{"detail": …}` in the API.
"""
from __future__ import annotations

import ipaddress
import logging
import math
import re
import secrets
from dataclasses import dataclass
from functools import wraps

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import ngettext
from redis.commands.core import Script
from rest_framework.exceptions import APIException, NotFound, Throttled, ValidationError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .api_errors import bounded

logger = logging.getLogger(__name__)
# Rate limits live in Redis. When it is away they fail open: an appeal must always be accepted.
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the last entry of the header a trusted proxy writes
    (settings.CLIENT_IP_HEADER). A missing or malformed header falls back to REMOTE_ADDR. Worked
    out once per request (the limits and intake's repeat check all ask)."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    address = getattr(request, "_client_ip", None)
    if address is None:
        address = request._client_ip = _client_ip(request)
    return address


def _client_ip(request) -> str:
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


# KEYS: the counters, then the claim's key if there is one. ARGV: "1" to count the request, a
# random suffix that makes its entry unique (two requests in one microsecond both count), the
# claim's value ("" for none) and lifetime (seconds), then per counter its limit, window (seconds)
# and "1" if this request is counted on it ("0": the counter is only looked at, e.g. intake's
# limit on filed appeals when the request turned out invalid). Returns Redis's time (one clock for
# every web host, and in the order the scripts ran), then per counter "" when it allows the
# request, else the time its wait runs from: the entry whose leaving frees a place (now for a zero
# limit); last, what the claim's key already held ("" if the claim was made or not tried). A claim
# is stored as "value|time made", so a later request can tell how old it is. The request is
# counted, and the claim made, only when every counter allows it: a refused request spends nothing.
COUNT_SCRIPT = """
local time = redis.call("TIME")
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local reply = {string.format("%.6f", now)}
local refused = false
local counters = #KEYS
if ARGV[3] ~= "" then counters = counters - 1 end
for i = 1, counters do
  local key = KEYS[i]
  local limit, window = tonumber(ARGV[3 * i + 2]), tonumber(ARGV[3 * i + 3])
  redis.call("ZREMRANGEBYSCORE", key, "-inf", string.format("%.6f", now - window))
  local count = redis.call("ZCARD", key)
  reply[i + 1] = ""
  if count >= limit then
    refused = true
    reply[i + 1] = reply[1]
    if limit > 0 then
      reply[i + 1] = redis.call("ZRANGE", key, count - limit, count - limit, "WITHSCORES")[2]
    end
  end
end
local held = ""
if ARGV[1] == "1" and not refused then
  for i = 1, counters do
    if ARGV[3 * i + 4] == "1" then
      redis.call("ZADD", KEYS[i], reply[1], reply[1] .. ":" .. ARGV[2])
      redis.call("EXPIRE", KEYS[i], ARGV[3 * i + 3])
    end
  end
  if ARGV[3] ~= "" then
    held = redis.call("GET", KEYS[#KEYS]) or ""
    if held == "" then redis.call("SET", KEYS[#KEYS], ARGV[3] .. "|" .. reply[1], "EX", ARGV[4]) end
  end
end
reply[counters + 2] = held
return reply
"""
# What `register_script` makes, bound to no client: it is run (EVALSHA, loaded on a NOSCRIPT) on
# whichever Redis client the current cache has, and needs none for its hash from bytes.
_count_script = Script(None, COUNT_SCRIPT.encode())


@dataclass
class Claim:
    """A Redis key set only if absent, in the limits' round trip and only when they let the request
    through: a request's once-only mark, such as intake's claim on a fingerprint (appeals/folding.py).
    `key` is the whole Redis key; `count_requests` fills in `held` (the value the key already held,
    None when the claim was made), `age` (seconds since that value was claimed, by Redis's clock) and
    `answered` (False: Redis was away, or the request was refused)."""

    key: str
    value: str
    seconds: int
    held: str | None = None
    age: float = 0.0
    answered: bool = False

    def read(self, stored: bytes | None, now: float) -> None:
        """Take in what the claim's key held ("value|time made") when the claim was tried."""
        value, _, since = (stored or b"").decode().partition("|")
        self.held = value or None
        self.age = max(0.0, now - float(since)) if since else float(self.seconds)
        self.answered = True


def count_requests(
    throttles, request=None, view=None, *, record: bool = True, claim: Claim | None = None,
    outcome: str | None = None,
) -> float | None:
    """Check the throttles' limits for this request and, when all allow it, count it on each (and
    make the `claim`), in one Redis round trip; the longest wait among the refusing throttles, or
    None when none refuses.

    With `request`, each throttle's key comes from `get_cache_key` (None: the throttle does not
    apply); without, from its `key`. `record=False` only looks. A throttle with `counts_only` set
    is counted only for a request of that `outcome` (e.g. "filed" or "invalid" at intake) and
    otherwise only looked at: its limit still refuses. A refusing throttle keeps what its `wait()`
    needs, as DRF's do. When Redis is away the limits fail open: an appeal must always be accepted.
    """
    counted = []
    for throttle in throttles:
        throttle.blocked_since = None
        if request is not None:
            throttle.key = throttle.get_cache_key(request, view) if throttle.rate is not None else None
        if throttle.key is not None:
            counted.append(throttle)
    if not counted and claim is None:
        return None
    cache = caches["default"]  # per call: settings (and tests) may switch the cache
    keys = [cache.make_key(throttle.key) for throttle in counted]
    args = ["1" if record else "0", secrets.token_hex(4), "", 0]
    if claim is not None:
        keys.append(claim.key)
        args[2:4] = [claim.value, claim.seconds]
    for throttle in counted:
        counts = throttle.counts_only in (None, outcome)
        args += [throttle.num_requests, throttle.duration, "1" if counts else "0"]
    try:
        now, *blocked, held = _count_script(keys, args, client=redis_client())
    except CACHE_ERRORS:
        scopes = ", ".join(throttle.scope for throttle in counted) or "(none)"
        logger.warning("rate limits %s not checked: the cache is away", scopes, exc_info=True)
        return None
    waits = []
    for throttle, since in zip(counted, blocked, strict=True):
        throttle.now = float(now)  # as DRF's throttles keep it, for `wait()`
        if since:
            throttle.blocked_since = float(since)
            waits.append(throttle.wait())
    if claim is not None and not waits:
        claim.read(held, float(now))
    return max(waits, default=None)


def redis_client():
    """The current cache's Redis client (reused; see config/cache.py), for commands Django's cache
    API has no word for (scripts, plain strings)."""
    return caches["default"]._cache.get_client(write=True)


class ClientRateThrottle(SimpleRateThrottle):
    """A DRF throttle that reads its rate when it is made (so settings changes apply at once), knows
    clients by `client_ip` and is counted by `count_requests`."""

    # Sorted sets, under other names than the pickled lists DRF's throttles kept.
    cache_format = "rate:%(scope)s:%(ident)s"
    blocked_since: float | None = None
    counts_only: str | None = None  # counted only for requests of this outcome (see count_requests)

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for the {self.scope!r} scope") from exc

    def get_ident(self, request) -> str:
        return address_key(client_ip(request))

    def allow_request(self, request, view) -> bool:
        """For views that ask their throttles one by one; `OneTripThrottling` asks them together."""
        return count_requests([self], request, view) is None

    def cache_key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        """Seconds until one more request is allowed: until the request counted from leaves the window
        (exact, unlike DRF's averaged estimate)."""
        if self.blocked_since is None:
            return float(self.duration)
        return max(1.0, self.duration - (self.now - self.blocked_since))


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


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class FailureThrottle(ClientRateThrottle):
    """Counts failures only (wrong codes, wrong passwords), reserved before each attempt is checked
    and released on success (config/failure_limits.py). `ident` is what is counted (an address, a
    hashed number or account). Rates may name a multiple of the period ("5/15m": 5 in 15 minutes)."""

    def __init__(self, ident: str):
        super().__init__()
        self.key = self.cache_key_for(ident)

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        count, period = rate.split("/")
        match = re.fullmatch(r"(\d*)\s*([smhd])[a-z]*", period.strip())
        if match is None:
            raise ValueError(f"Unreadable rate {rate!r}: use e.g. 5/15m, 30/hour.")
        return int(count), int(match[1] or 1) * PERIODS[match[2]]


class OneTripThrottling:
    """For DRF views: DRF asks a view's throttles one by one (a Redis round trip each); this checks
    and counts them all in one. Every API view uses it (tests/test_rate_limits.py checks)."""

    def check_throttles(self, request):
        wait = count_requests(self.get_throttles(), request, self)
        if wait is not None:
            self.throttled(request, wait)


def throttle_wait(request, throttle_classes) -> float | None:
    """The throttles of a plain Django view, as `OneTripThrottling` runs a DRF view's: the longest
    wait, or None when the request is allowed (and counted)."""
    return count_requests([cls() for cls in throttle_classes], request)


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
    """DRF's handler, with every throttle refusal worded by `retry_message`, a missing object answered
    by DRF's own 404 text (in the client's language like every other message), and every list of field
    errors kept short (config.api_errors)."""
    from rest_framework.views import exception_handler  # rest_framework.views imports this module

    if isinstance(exc, Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(exc.wait or 1)
    if isinstance(exc, Http404):  # Django's "No Dispatch matches the given query." is English only
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = bounded(response.data)
    return response


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
