"""A per-process cache of data built from a few database rows, rebuilt when those rows change.

Routing and deadline computation read the same small tables (street boundaries, calendar
overrides, time limits) for every appeal; building them once per process keeps the hot path free
of queries. Each cache knows a cheap version stamp (row count and latest update): it is compared
at most every `recheck_seconds`, so a change made in another process is seen within that time,
and a change made in this process (signals call `reset`) is seen at once.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(self, *, version: Callable[[], tuple], build: Callable[[], T], recheck_seconds: float = 30.0):
        self._version = version
        self._build = build
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built_version: tuple | None = None
        self._checked_at = 0.0

    def get(self) -> T:
        now = time.monotonic()
        value = self._value
        if value is not None and now - self._checked_at < self.recheck_seconds:
            return value
        with self._lock:
            version = self._version()
            if self._value is None or self._built_version != version:
                self._value = self._build()
                self._built_version = version
            self._checked_at = now
            return self._value

    def reset(self) -> None:
        with self._lock:
            self._value = None
            self._built_version = None
            self._checked_at = 0.0
