"""The production SECRET_KEY rule, checked when settings load.

Django's `check --deploy` only warns about a weak key (security.W009), and a warning starts the
server all the same; a weak key lets anyone forge sessions, password-reset links and the keyed
hashes of access codes. So with DEBUG off a key that fails Django's own test (length, distinct
characters, the `django-insecure-` prefix) or that is a well-known placeholder stops the process.
"""
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Placeholders seen in examples, templates and this project's own test and development keys: a key
# containing one was copied, not generated.
WELL_KNOWN_PARTS = (
    "changeme", "change-me", "change_me", "replace-me", "replaceme", "your-secret", "your_secret",
    "secret-key-here", "insecure", "do-not-use", "test-only", "dev-only", "example", "xxxxxxxx",
)


def weakness(key: str) -> str:
    """Why `key` must not sign anything in production ('' when it may)."""
    if not key:
        return "SECRET_KEY must be set when DEBUG is off."
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"SECRET_KEY starts with '{SECRET_KEY_INSECURE_PREFIX}': it was generated for development."
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters and "
                f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones "
                f"(this one has {len(key)}, {len(set(key))} different).")
    lowered = key.lower()
    for part in WELL_KNOWN_PARTS:
        if part in lowered:
            return f"SECRET_KEY contains the well-known placeholder '{part}': generate a random one."
    return ""


def production_secret_key(key: str, *, debug: bool) -> str:
    """The key to use: `key` when it is strong (or DEBUG is on and it is set), the development key
    under DEBUG when none is set. Raises ImproperlyConfigured with the reason otherwise."""
    if debug:
        return key or DEVELOPMENT_KEY
    reason = weakness(key)
    if reason:
        raise ImproperlyConfigured(
            f"{reason} Refusing to start with DEBUG off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    return key
