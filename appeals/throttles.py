"""Rate limits on the residents' side, shared by the web pages and the API (see config.throttling).

Filing is limited per client address, operators' filing per operator; submissions refused for bad
input count on a limit of their own (see IntakeLimits). Tracking is limited twice: all lookups per
address, and failed lookups per address and per tracking number, so nobody can try codes for one
appeal from many addresses or many appeals from one address. A lookup takes its place on the failure
counters before the code is checked, in one atomic step (config/failure_limits.py), so a blocked
lookup says nothing about whether the code was right and parallel guesses cannot outrun the count.
"""
from __future__ import annotations

from config.failure_limits import FailureReservation, TooManyFailures
from config.throttling import (
    AnonThrottle,
    Claim,
    ClientRateThrottle,
    FailureThrottle,
    TooManyRequests,
    address_key,
    client_ip,
    count_requests,
)
from streets.models import Officer
from streets.roles import officer_of

from . import folding, tracking_cookie
from .followers import follower_for_tracking
from .models import Appeal
from .selectors import appeal_for_tracking
from .tracking import number_digest

FILED, INVALID = "filed", "invalid"  # an intake request's outcome, as its limits count it


def is_operator(user) -> bool:
    """A hotline operator files for callers all day: their appeals count on their own allowance."""
    officer = officer_of(user)
    return officer is not None and officer.role == Officer.Role.OPERATOR


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


class FailedLookupsByAddress(FailureThrottle):
    scope = "tracking_failures"


class FailedLookupsByNumber(FailureThrottle):
    scope = "tracking_failures_number"


class LookupBlocked(Exception):
    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


def track_appeal(request, *, number: str, code: str) -> Appeal | None:
    """The tracking lookup behind the page and the API: the appeal (or, for a follower's own number
    and code, the appeal they follow, with `tracked_by` set), None on a wrong number or code (counted
    as a failure), or LookupBlocked while a failure counter is full. Failures count
    per address, and per tracking number unless this browser has shown it holds the code before
    (appeals/tracking_cookie.py)."""
    counters = [FailedLookupsByAddress(address_key(client_ip(request)))]
    if not tracking_cookie.knows(request, number):
        counters.append(FailedLookupsByNumber(number_digest(number)))
    try:
        reservation = FailureReservation(counters)
    except TooManyFailures as exc:
        raise LookupBlocked(exc.wait) from exc
    appeal = appeal_for_tracking(number=number, code=code)
    if appeal is None and (follower := follower_for_tracking(number=number, code=code)) is not None:
        appeal = follower.appeal
        appeal.tracked_by = follower  # the follower's own number: the page shows this appeal's progress
    if appeal is not None:
        reservation.release()
    return appeal
