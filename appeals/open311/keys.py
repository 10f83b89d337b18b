"""API keys for third-party apps: issue, revoke, authenticate, and the per-key rate limit.

A key reads "<prefix>.<secret>". The prefix finds the row; the whole key is compared with the
stored SHA-256 (keys are 256-bit random, so a plain hash is as good as a slow one and costs
nothing per request). The raw key exists only in the return value of `create_api_key` and in
the message an administrator sees once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.throttling import ClientRateThrottle, count_requests

from ..models import ApiKey
from .rates import parse_rate

LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used_at at most once a minute per key


class KeyMaterial(NamedTuple):
    prefix: str
    raw: str
    hash: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key_material() -> KeyMaterial:
    prefix = secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    return KeyMaterial(prefix, raw, hash_key(raw))


def issue_key(api_key: ApiKey) -> str:
    """Give an unsaved key row fresh key material, save it, and return the raw key (shown once)."""
    for _attempt in range(5):
        material = new_key_material()
        api_key.prefix, api_key.key_hash = material.prefix, material.hash
        try:
            with transaction.atomic():
                api_key.save()
            return material.raw
        except IntegrityError:  # a prefix collision: draw again
            api_key.pk = None
    raise RuntimeError("could not draw a unique API key prefix")


def create_api_key(
    *, name: str, owner: str, rate_limit: str = "60/min", publishes: str = ApiKey.Publishes.NEVER
) -> tuple[ApiKey, str]:
    api_key = ApiKey(name=name, owner=owner, rate_limit=rate_limit, publishes=publishes)
    api_key.full_clean(exclude=["prefix", "key_hash"])
    return api_key, issue_key(api_key)


def revoke_api_key(*, api_key: ApiKey) -> bool:
    """Revoke the key from now on; False when it was already revoked (the first date stays)."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return updated == 1


def authenticate_api_key(raw: str | None) -> ApiKey | None:
    """The active key matching `raw`, or None (unknown, malformed or revoked)."""
    prefix, dot, _secret = (raw or "").strip().partition(".")
    if not dot or not prefix or len(raw) > 200:
        return None
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, hash_key(raw.strip())):
        return None
    if not api_key.is_active:
        return None
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gte=now - LAST_USED_RESOLUTION).update(
        last_used_at=now
    )
    return api_key


class ApiKeyLimit(ClientRateThrottle):
    """One key's own limit (ApiKey.rate_limit), counted like every other rate limit: a sliding
    window in Redis, shared by every web process (config/throttling.py)."""

    scope = "open311_key"

    def __init__(self, api_key: ApiKey):  # the rate is the key's, not a setting's
        rate = parse_rate(api_key.rate_limit)
        self.rate, self.num_requests, self.duration = api_key.rate_limit, rate.count, rate.seconds
        self.key = self.cache_key_for(api_key.prefix)


class AddressReadLimit(ClientRateThrottle):
    """Reads without a key, per client address (RATE_LIMIT_OPEN311)."""

    scope = "open311"

    def __init__(self, request):
        super().__init__()
        self.key = self.cache_key_for(self.get_ident(request))


def raw_key(request) -> str | None:
    """The key a request carries: the X-Api-Key header (kept out of access logs), else the api_key
    parameter of the form or the query string, as the standard has it."""
    return request.headers.get("X-Api-Key") or request.POST.get("api_key") or request.GET.get("api_key") or None


def rate_limit_wait(api_key: ApiKey | None, request=None) -> float | None:
    """Count this request against the key's limit (a read without a key: its address's): None when
    it is allowed, else the seconds until it may be sent again (a refused request is not counted)."""
    return count_requests([ApiKeyLimit(api_key) if api_key is not None else AddressReadLimit(request)])
