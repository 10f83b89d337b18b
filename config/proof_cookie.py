"""A signed cookie in which a browser keeps what it has proven: the tracking numbers whose code it
used (appeals/tracking_cookie.py), the accounts that signed in on it (streets/logins.py).

Failure limits per tracking number or per account let anyone who knows the number or the user
name lock its owner out by failing on purpose. An attempt from a browser that has proven itself
for that number or account before skips those limits, so the lockout hurts the attacker only.
Getting the cookie takes a success, and it cannot be forged (signed with SECRET_KEY, one salt per
use) or read by scripts (HttpOnly).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing


@dataclass(frozen=True)
class ProofCookie:
    name: str
    max_items: int = 20  # the most recent ones
    max_age: int = 365 * 24 * 3600

    def _items(self, request) -> list[str]:
        request = getattr(request, "_request", request)  # DRF's Request wraps Django's
        value = request.COOKIES.get(self.name, "")
        if not value or len(value) > 4096:
            return []
        try:
            items = signing.loads(value, salt=self.name, max_age=self.max_age)
        except signing.BadSignature:
            return []
        return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []

    def holds(self, request, item: str) -> bool:
        """Whether this request's browser has proven `item` before."""
        return item in self._items(request)

    def remember(self, request, response, item: str):
        """Add `item` to the browser's cookie (newest first, at most `max_items`); returns `response`."""
        items = [item, *(other for other in self._items(request) if other != item)][: self.max_items]
        response.set_cookie(
            self.name, signing.dumps(items, salt=self.name, compress=True), max_age=self.max_age,
            httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )
        return response
