"""Settings come from the environment, with secure production defaults."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3V9-qLr8TzW1mYx0bNc5Hs2Jd7Pf4Ga6Ue" + "R8tQ1wZ0yXv5Lm3Kp9"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="12345.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", [
    "x",                                                        # the attack run's key
    "s3cr3t-but-only-49-characters-long-0123456789abcd",        # one short of Django's minimum
    "ab" * 30,                                                  # long, but two different characters
    "django-insecure-" + STRONG_KEY,                            # what startproject generates for development
    "changeme-" + STRONG_KEY,                                   # a placeholder copied from an example
    "test-only-secret-key",                                     # the test suite's own key
])
def test_production_refuses_to_start_with_a_short_or_well_known_secret_key(key):
    """`check --deploy` only warns about such a key (security.W009); the settings refuse it."""
    result = manage("check", "--deploy", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="12345.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in result.stderr
    assert "Refusing to start with DEBUG off" in result.stderr


def test_a_development_key_is_still_accepted_with_debug_on():
    result = manage("check", DEBUG="1", SECRET_KEY="x")
    assert result.returncode == 0, result.stderr


def test_production_cookies_are_secure_and_hsts_and_the_policy_are_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, s.CLIENT_IP_HEADER == '')"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="12345.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 8
