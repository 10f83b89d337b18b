"""Sign-in limits for every password sign-in (the console's /accounts/login/, the admin's
/admin/login/, anything that calls `authenticate()` with a request).

Three failure limits, each a sliding window in Redis (config/failure_limits.py: an attempt
reserves its failure before the password is checked, so the Nth wrong password is refused even
when the next one is right, and parallel attempts cannot outrun the count):
- this account from this address (RATE_LIMIT_LOGIN_FAILURES_PAIR, 5 in 15 minutes): the guesser
  at one address waits out a short cool-off; the officer elsewhere is untouched;
- any account from this address (RATE_LIMIT_LOGIN_FAILURES_ADDRESS, 30 an hour): one address
  trying many accounts;
- this account from any address (RATE_LIMIT_LOGIN_FAILURES_ACCOUNT, 20 in 5 minutes): many
  addresses trying one account; a short window, so it holds nobody out for long.
A browser on which the account signed in before (a signed cookie, config/proof_cookie.py) skips the
address and account limits, so an attacker failing on purpose cannot lock a real officer out of
their own browser; only the pair limit applies to it. The first refusal of each limit is written
down (LoginLockout) for supervisors, on the console's sign-in lockouts page and in the admin.
"""
from __future__ import annotations

import hashlib
import logging
import math
from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from config.failure_limits import FailureReservation, TooManyFailures
from config.proof_cookie import ProofCookie
from config.throttling import CACHE_ERRORS, FailureThrottle, address_key, client_ip, redis_client, retry_message

from .models import LoginLockout

logger = logging.getLogger(__name__)
DEVICE = ProofCookie("staff_device")
class LoginFailures(FailureThrottle):
    """Failed sign-ins (rates like "5/15m": config.throttling.FailureThrottle)."""

    limit: str


class FailedLoginsByPair(LoginFailures):
    scope, limit = "login_failures_pair", LoginLockout.Limit.PAIR


class FailedLoginsByAddress(LoginFailures):
    scope, limit = "login_failures_address", LoginLockout.Limit.ADDRESS


class FailedLoginsByAccount(LoginFailures):
    scope, limit = "login_failures_account", LoginLockout.Limit.ACCOUNT


def account_digest(username: str) -> str:
    """A user name as the limits and the device cookie name it (case and spaces folded, so
    variants of one name count together)."""
    return hashlib.sha256(username.strip().casefold().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def reserve_sign_in(request, username: str) -> FailureReservation:
    """Reserve this attempt's failure on the limits that apply; PermissionDenied (and the wait noted
    on the request for the form's message) when one is full."""
    address, account = address_key(client_ip(request)), account_digest(username)
    counters = [FailedLoginsByPair(f"{address}:{account}")]
    if not DEVICE.holds(request, account):
        counters += [FailedLoginsByAddress(address), FailedLoginsByAccount(account)]
    try:
        return FailureReservation(counters)
    except TooManyFailures as exc:
        getattr(request, "_request", request)._sign_in_wait = exc.wait
        note_lockout(request, username, exc)
        raise PermissionDenied from exc


def note_lockout(request, username: str, refusal: TooManyFailures) -> None:
    """Write down the first refusal of each full limit (a Redis mark, set only if absent, lasts as
    long as the lockout), so supervisors see one row per lockout, not one per attempt."""
    until = timezone.now() + timedelta(seconds=refusal.wait)
    cache = caches["default"]
    for counter in refusal.full:
        try:
            first = redis_client().set(cache.make_key(f"noted:{counter.key}"), 1, nx=True,
                                       ex=max(1, math.ceil(refusal.wait)))
        except CACHE_ERRORS:
            first = True
        if first:
            address = client_ip(request)
            logger.warning("sign-in limit %s reached for %r from %s until %s", counter.limit, username[:150],
                           address, until.isoformat())
            LoginLockout.objects.create(username=username[:150], address=address[:45], limit=counter.limit,
                                        until=until)


def lockouts() -> QuerySet[LoginLockout]:
    """Sign-in lockouts, newest first, for the supervisors' page."""
    return LoginLockout.objects.all()


class ThrottledModelBackend(ModelBackend):
    """Django's backend behind the sign-in limits. Calls without a request (the shell, tests'
    `client.login`) are not limited: they come from whoever runs the process."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or username is None or password is None:
            return super().authenticate(request, username, password, **kwargs)
        reservation = reserve_sign_in(request, username)
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            reservation.release()
        return user


class ThrottledLoginFormMixin:
    """Says "too many attempts, try again in …" instead of "wrong password" while a limit refuses."""

    @property
    def throttle_message(self) -> str:
        """The refusal's wording while a limit refuses ("" otherwise), for the page's own error line."""
        wait = getattr(self.request, "_sign_in_wait", None)
        return retry_message(wait) if wait is not None else ""

    def get_invalid_login_error(self):
        if self.throttle_message:
            return ValidationError(self.throttle_message, code="throttled")
        return super().get_invalid_login_error()


class LoginForm(ThrottledLoginFormMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginFormMixin, AdminAuthenticationForm):
    pass


@receiver(user_logged_in, dispatch_uid="streets.logins.remember_device")
def _signed_in(sender, request, user, **kwargs):
    if request is not None:
        request._signed_in_account = account_digest(user.get_username())


def remember_device(get_response):
    """Middleware: a browser on which an account signed in gets it in its device cookie."""

    def middleware(request):
        response = get_response(request)
        account = getattr(request, "_signed_in_account", None)
        return DEVICE.remember(request, response, account) if account else response

    return middleware
