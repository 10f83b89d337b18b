"""Rate limits on the residents' side, shared by the web pages and the API (see config.throttling).

Filing is limited per client address, operators' filing per operator; submissions refused for bad
input count on a limit of their own (see IntakeLimits). Tracking lookups are limited per address
here (TrackingThrottle); their failures are counted by the lookup itself (appeals/tracking_lookup.py).
"""
from __future__ import annotations

from config.throttling import (
    AnonThrottle,
    Claim,
    ClientRateThrottle,
    TooManyRequests,
    count_requests,
)
from streets.roles import officer_of

from . import folding

FILED, INVALID = "filed", "invalid"  # an intake request's outcome, as its limits count it


def is_operator(user) -> bool:
    """A hotline operator files for callers all day: their appeals count on their own allowance."""
    officer = officer_of(user)
    return officer is not None and officer.is_operator


class IntakeThrottle(ClientRateThrottle):
    """Appeals filed by residents (anyone but an operator, signed in or not), per address. Only
    appeals that were filed count; refused ones count on InvalidIntakeThrottle."""

    scope = "intake"
    counts_only = FILED

    def get_cache_key(self, request, view):
        if is_operator(request.user):
            return None
        return self.cache_key_for(self.get_ident(request))


class OperatorIntakeThrottle(ClientRateThrottle):
    """Appeals filed by a hotline operator, per operator (a call centre shares one address)."""

    scope = "intake_operator"
    counts_only = FILED

    def get_cache_key(self, request, view):
        if not is_operator(request.user):
            return None
        return self.cache_key_for(request.user.pk)


class InvalidIntakeThrottle(ClientRateThrottle):
    """Submissions refused for bad input, per operator or else per address: more generous than the
    filing limits, so a resident correcting mistakes is never stopped, while a script sending
    garbage is."""

    scope = "intake_invalid"
    counts_only = INVALID

    def get_cache_key(self, request, view):
        if is_operator(request.user):
            return self.cache_key_for(f"operator-{request.user.pk}")
        return self.cache_key_for(self.get_ident(request))


INTAKE_THROTTLES = (IntakeThrottle, OperatorIntakeThrottle, InvalidIntakeThrottle)


class IntakeLimits:
    """Intake's rate limits for one request, counted once its outcome is known, in one Redis round
    trip: a filed appeal on the filing limit (with the claim of its fingerprint, appeals/folding.py),
    a refused one on the invalid-submissions limit. Every limit is looked at either way, so a
    client over any of them is refused (TooManyRequests) whatever it sent. The checks that come
    before counting are the cheap ones (fields, photo headers); nothing is decoded before it."""

    def __init__(self, request, throttles, view=None):
        self.request, self.throttles, self.view, self.counted = request, throttles, view, False

    def claim(self, fingerprint: str, number: str) -> Claim | None:
        """For submit_appeal: count the appeal as filed, claim its fingerprint and return the claim
        (folding.repeats says whether it repeats another)."""
        attempt = folding.new_claim(fingerprint, number)
        self._count(FILED, attempt)
        return attempt

    def count_invalid(self) -> None:
        """For a request that is not filed (invalid input, an unreadable body): count it as such."""
        if not self.counted:
            self._count(INVALID, None)

    def _count(self, outcome: str, claim) -> None:
        self.counted = True
        wait = count_requests(self.throttles, self.request, self.view, claim=claim, outcome=outcome)
        if wait is not None:
            raise TooManyRequests(wait)


class TrackingThrottle(AnonThrottle):
    """Tracking lookups, per address."""

    scope = "tracking"
