"""Rate limits on the residents' side, shared by the web pages and the API (see config.throttling).

Filing is limited per client address. Tracking is limited twice: all lookups per address, and
failed lookups per address and per tracking number, so nobody can try codes for one appeal from
many addresses or many appeals from one address. A lookup takes its place on the failure counters
before the code is checked, in one atomic step (config/failure_limits.py), so a blocked lookup says
nothing about whether the code was right and parallel guesses cannot outrun the count.
"""
from __future__ import annotations

from config.failure_limits import FailureReservation, TooManyFailures
from config.throttling import (
    AnonThrottle,
    FailureThrottle,
    address_key,
    client_ip,
    count_requests,
)

from . import folding, tracking_cookie
from .models import Appeal
from .selectors import appeal_for_tracking
from .tracking import number_digest


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


def track_appeal(request, *, number: str, code: str) -> Appeal | None:
    """The tracking lookup behind the page and the API: the appeal, None on a wrong number or
    code (counted as a failure), or LookupBlocked while a failure counter is full. Failures count
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
    if appeal is not None:
        reservation.release()
    return appeal
