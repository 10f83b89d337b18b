"""Secrets that arrive in URLs never reach a log.

Open311 apps may still send their key as `?api_key=…` (the standard's way), and the tracking API
takes `?code=…`; Django's development server logs every request line, and any log message may
quote a URL. This filter, on every handler of settings.LOGGING, rewrites those parameters'
values to `[redacted]` in the message and its arguments (positional, or a mapping such as
gunicorn's access-log atoms) before the record is written.
"""
from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = ("api_key", "code")
SECRET_RE = re.compile(r"((?:^|[?&;\s\"'])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;\s\"']*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced (service_code= is not `code=`)."""
    return SECRET_RE.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True
