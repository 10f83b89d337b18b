"""Who the signed-in user is in the organisation: their Officer row, or None."""
from __future__ import annotations

from .models import Officer


def officer_of(user) -> Officer | None:
    """The user's Officer row (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_officer_cache"):
        user._officer_cache = Officer.objects.select_related("unit").filter(user=user).first()
    return user._officer_cache
