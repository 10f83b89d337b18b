"""Rate limits written as "<count>/<period>", e.g. "60/min" or "1000/day"."""
from __future__ import annotations

import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERIODS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "day": 86400}
RATE_RE = re.compile(r"^\s*(\d{1,7})\s*/\s*([a-z]+)\s*$")


class Rate(NamedTuple):
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    match = RATE_RE.match(text or "")
    if match is None or match.group(2) not in PERIODS or int(match.group(1)) < 1:
        raise ValidationError(
            _("Write the limit as a number of requests per period, e.g. 60/min, 1000/hour or 5000/day."),
            code="invalid_rate",
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


def validate_rate(text: str) -> None:
    parse_rate(text)
