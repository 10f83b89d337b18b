"""Limits on failures (wrong access codes, wrong passwords), counted so that parallel attempts
cannot outrun them: an attempt reserves its failure on every counter before it is checked, in one
Lua script that looks and counts at once, and gives the place back when it succeeds. Checking
first and counting after (two steps) let 60 parallel guesses all be checked against a limit of 10.

The counters are `config.throttling.FailureThrottle`s (a scope's rate from the settings, the
sliding-window sorted sets in the cache's Redis that every other limit uses). When Redis is away
nothing is reserved and the attempt goes ahead, as every limit fails open.
"""
from __future__ import annotations

import logging
import secrets

from django.core.cache import caches
from redis.commands.core import Script

from .throttling import CACHE_ERRORS, FailureThrottle, redis_client

logger = logging.getLogger(__name__)

# KEYS: the failure counters. ARGV: a unique name for this attempt's entry, then per counter its
# limit and window (seconds). When every counter has room, the entry is added to each and an empty
# list returned; otherwise nothing is added and the reply is the wait (seconds: until the entry
# whose leaving frees a place leaves) followed by the (1-based) numbers of the full counters.
RESERVE_SCRIPT = """
local time = redis.call("TIME")
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local wait, full = 0, {}
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call("ZREMRANGEBYSCORE", KEYS[i], "-inf", string.format("%.6f", now - window))
  local count = redis.call("ZCARD", KEYS[i])
  if count >= limit then
    full[#full + 1] = tostring(i)
    local frees = now
    if limit > 0 then
      frees = tonumber(redis.call("ZRANGE", KEYS[i], count - limit, count - limit, "WITHSCORES")[2])
    end
    wait = math.max(wait, window - (now - frees))
  end
end
if #full > 0 then
  table.insert(full, 1, string.format("%.3f", wait))
  return full
end
for i = 1, #KEYS do
  redis.call("ZADD", KEYS[i], string.format("%.6f", now), ARGV[1])
  redis.call("EXPIRE", KEYS[i], ARGV[2 * i + 1])
end
return {}
"""
_reserve_script = Script(None, RESERVE_SCRIPT.encode())


class TooManyFailures(Exception):
    """A counter is full: `wait` seconds until it has room again; `full` are the full counters."""

    def __init__(self, wait: float, full: list[FailureThrottle]):
        super().__init__(wait)
        self.wait, self.full = wait, full


class FailureReservation:
    """One attempt's place on each failure counter, taken before it is checked (TooManyFailures
    when a counter is full, and nothing is counted) and given back by `release` if it succeeded:
    only failures stay counted."""

    def __init__(self, counters: list[FailureThrottle]):
        counters = [counter for counter in counters if counter.rate is not None]
        cache = caches["default"]
        self.keys = [cache.make_key(counter.key) for counter in counters]
        self.entry = secrets.token_hex(8)
        limits = [arg for counter in counters for arg in (counter.num_requests, counter.duration)]
        try:
            refused = _reserve_script(self.keys, [self.entry, *limits], client=redis_client()) if counters else []
        except CACHE_ERRORS:
            logger.warning("failures not counted: the cache is away", exc_info=True)
            refused = []
            self.keys = []
        if refused:
            self.keys = []
            wait, *full = refused
            raise TooManyFailures(max(1.0, float(wait)), [counters[int(i) - 1] for i in full])

    def release(self) -> None:
        """The attempt succeeded: take its entry off every counter (one round trip)."""
        if not self.keys:
            return
        try:
            with redis_client().pipeline(transaction=False) as pipe:
                for key in self.keys:
                    pipe.zrem(key, self.entry)
                pipe.execute()
        except CACHE_ERRORS:
            logger.warning("a success stays counted as a failure: the cache is away", exc_info=True)
