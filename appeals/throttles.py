"""Rate limits on the residents' side, shared by the web pages and the API (see config.throttling).

Filing is limited per client address. Tracking is limited twice: all lookups per address, and
failed lookups per address and per tracking number, so nobody can try codes for one appeal from
many addresses or many appeals from one address. A lookup takes its place on the failure counters
before the code is checked, in one atomic step (FailureReservation), so a blocked lookup says
nothing about whether the code was right and parallel guesses cannot outrun the count.
"""
from __future__ import annotations

import logging
import secrets

from django.core.cache import caches
from redis.commands.core import Script

from config.throttling import (
    CACHE_ERRORS,
    AnonThrottle,
    FailureThrottle,
    address_key,
    client_ip,
    count_requests,
    redis_client,
)

from . import folding, tracking_cookie
from .models import Appeal
from .selectors import appeal_for_tracking
from .tracking import number_digest

logger = logging.getLogger(__name__)


class IntakeThrottle(AnonThrottle):
    """Appeals filed anonymously, per address (signed-in callers count under `user`)."""

    scope = "intake"


class IntakeLimits:
    """The intake API's rate limits, counted together with the claim of the appeal's fingerprint
    (appeals/folding.py) in one Redis round trip once the appeal is known to be valid, instead of
    a round trip of their own before the request is read. A request that turns out invalid is
    counted all the same (`count`), and a client over a limit is refused either way."""

    def __init__(self, view, request):
        self.view, self.request, self.counted = view, request, False

    def claim(self, fingerprint: str, number: str) -> str | None:
        """For submit_appeal: count the request (refused: Throttled), claim the fingerprint and
        name the appeal this one repeats, if any."""
        attempt = folding.new_claim(fingerprint, number)
        self._count(attempt)
        return folding.earlier_number(attempt)

    def count(self) -> None:
        """For a request that is not filed (invalid input): count it; refused: Throttled."""
        if not self.counted:
            self._count(None)

    def _count(self, claim) -> None:
        self.counted = True
        wait = count_requests(self.view.get_throttles(), self.request, self.view, claim=claim)
        if wait is not None:
            self.view.throttled(self.request, wait)


class TrackingThrottle(AnonThrottle):
    """Tracking lookups, per address."""

    scope = "tracking"


class FailedLookupsByAddress(FailureThrottle):
    scope = "tracking_failures"


class FailedLookupsByNumber(FailureThrottle):
    scope = "tracking_failures_number"


class LookupBlocked(Exception):
    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


# KEYS: the failure counters. ARGV: a unique name for this lookup's entry, then per counter its
# limit and window (seconds). When every counter has room, the entry is added to each (one failure
# reserved) and "" returned; otherwise nothing is added and the wait (seconds) is returned: until
# the entry whose leaving frees a place leaves. Reserving before the code is checked, in the same
# step as looking, is what keeps parallel guesses within the limit: each one takes a place first.
RESERVE_SCRIPT = """
local time = redis.call("TIME")
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local wait, refused = 0, false
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call("ZREMRANGEBYSCORE", KEYS[i], "-inf", string.format("%.6f", now - window))
  local count = redis.call("ZCARD", KEYS[i])
  if count >= limit then
    refused = true
    local frees = now
    if limit > 0 then
      frees = tonumber(redis.call("ZRANGE", KEYS[i], count - limit, count - limit, "WITHSCORES")[2])
    end
    wait = math.max(wait, window - (now - frees))
  end
end
if refused then return string.format("%.3f", wait) end
for i = 1, #KEYS do
  redis.call("ZADD", KEYS[i], string.format("%.6f", now), ARGV[1])
  redis.call("EXPIRE", KEYS[i], ARGV[2 * i + 1])
end
return ""
"""
_reserve_script = Script(None, RESERVE_SCRIPT.encode())


class FailureReservation:
    """One lookup's place on each failure counter, taken before its code is checked (LookupBlocked
    when a counter is full) and given back if the code was right: only failures stay counted.
    When Redis is away nothing is reserved and the lookup goes ahead, as every limit fails open."""

    def __init__(self, counters: list[FailureThrottle]):
        cache = caches["default"]
        self.keys = [cache.make_key(counter.key) for counter in counters if counter.rate is not None]
        self.entry = secrets.token_hex(8)
        limits = [arg for counter in counters if counter.rate is not None
                  for arg in (counter.num_requests, counter.duration)]
        try:
            wait = _reserve_script(self.keys, [self.entry, *limits], client=redis_client()) if self.keys else b""
        except CACHE_ERRORS:
            logger.warning("tracking failures not counted: the cache is away", exc_info=True)
            self.keys = []
            return
        if wait:
            self.keys = []
            raise LookupBlocked(max(1.0, float(wait)))

    def release(self) -> None:
        if not self.keys:
            return
        try:
            with redis_client().pipeline(transaction=False) as pipe:
                for key in self.keys:
                    pipe.zrem(key, self.entry)
                pipe.execute()
        except CACHE_ERRORS:
            logger.warning("a successful lookup stays counted as a failure: the cache is away", exc_info=True)


def track_appeal(request, *, number: str, code: str) -> Appeal | None:
    """The tracking lookup behind the page and the API: the appeal, None on a wrong number or
    code (counted as a failure), or LookupBlocked while a failure counter is full. Failures count
    per address, and per tracking number unless this browser has shown it holds the code before
    (appeals/tracking_cookie.py)."""
    counters = [FailedLookupsByAddress(address_key(client_ip(request)))]
    if not tracking_cookie.knows(request, number):
        counters.append(FailedLookupsByNumber(number_digest(number)))
    reservation = FailureReservation(counters)
    appeal = appeal_for_tracking(number=number, code=code)
    if appeal is not None:
        reservation.release()
    return appeal
