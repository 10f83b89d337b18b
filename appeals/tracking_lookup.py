"""The tracking lookup behind the tracking page and the API: a number and its private code, with the
failures counted twice, per address and per tracking number, so nobody can try codes for one appeal
from many addresses or many appeals from one address. A lookup takes its place on the failure
counters before the code is checked, in one atomic step (config/failure_limits.py), so a blocked
lookup says nothing about whether the code was right and parallel guesses cannot outrun the count.
(All lookups, failed or not, are also limited per address: appeals.throttles.TrackingThrottle.)
"""
from __future__ import annotations

from config.failure_limits import FailureReservation, TooManyFailures
from config.throttling import FailureThrottle, address_key, client_ip

from . import tracking_cookie
from .followers import follower_for_tracking
from .models import Appeal
from .selectors import appeal_for_tracking
from .tracking import number_digest


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
