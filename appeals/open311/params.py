"""Parsing of GeoReport v2 query strings and form fields; bad input raises a 400 Open311Error."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..validation import parse_moment
from .errors import bad_request

MAX_WINDOW = timedelta(days=90)  # "may not span more than 90 days"; also the default window
MAX_RESULTS = 1000  # "or first 1000 requests returned, whichever is smallest"
STATUSES = ("open", "closed")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")


@dataclass(frozen=True)
class RequestQuery:
    numbers: list[str]
    codes: list[str]
    start: datetime | None
    end: datetime | None
    statuses: list[str]


def split_list(value: str | None) -> list[str]:
    """A comma-delimited parameter, e.g. status=open,closed."""
    return list(dict.fromkeys(item.strip() for item in (value or "").split(",") if item.strip()))


def w3c_datetime(name: str, value: str, errors: list[str]) -> datetime | None:
    moment = parse_moment(value)  # None also when impossible (month 13) or beyond the years 1900-2999
    if moment is None or timezone.is_naive(moment):
        errors.append(
            _("%(name)s must be a date and time with its time zone between the years 1900 and 2999, e.g. "
              "2010-01-01T00:00:00Z.") % {"name": name}
        )
        return None
    return moment


def request_query(params: QueryDict, *, now: datetime | None = None) -> RequestQuery:
    """GET requests: service_request_id overrides everything; otherwise a window of at most 90
    days (the most recent 90 days by default) and optional service codes and statuses."""
    numbers = split_list(params.get("service_request_id"))[:MAX_RESULTS]
    if numbers:
        return RequestQuery(numbers, [], None, None, [])
    errors: list[str] = []
    start = w3c_datetime("start_date", params["start_date"], errors) if params.get("start_date") else None
    end = w3c_datetime("end_date", params["end_date"], errors) if params.get("end_date") else None
    statuses = split_list(params.get("status"))
    if any(status not in STATUSES for status in statuses):
        errors.append(_("status must be open, closed or both (comma-separated)."))
    if errors:
        raise bad_request(*errors)
    now = now or timezone.now()
    if start is None and end is None:
        start, end = now - MAX_WINDOW, now
    elif end is None:
        end = start + MAX_WINDOW
    elif start is None:
        start = end - MAX_WINDOW
    if start > end:
        raise bad_request(_("start_date must not be later than end_date."))
    if end - start > MAX_WINDOW:
        raise bad_request(_("start_date and end_date may not span more than 90 days."))
    return RequestQuery([], split_list(params.get("service_code")), start, end, statuses)


def attribute_answers(form: QueryDict) -> dict[str, str | list[str]]:
    """attribute[CODE]=value, and attribute[CODE][]=v1&attribute[CODE][]=v2 for several choices."""
    answers: dict[str, str | list[str]] = {}
    for key in form:
        match = ATTRIBUTE_RE.match(key)
        if match is None:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = form.getlist(key)
        if many or code in answers or len(values) > 1:
            previous = answers.get(code, [])
            answers[code] = [*(previous if isinstance(previous, list) else [previous]), *values]
        else:
            answers[code] = values[0]
    return answers
