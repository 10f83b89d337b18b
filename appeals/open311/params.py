"""Parsing of GeoReport v2 query strings and form fields; bad input raises a 400 Open311Error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..validation import parse_moment
from .errors import bad_request

MAX_WINDOW = timedelta(days=90)  # "may not span more than 90 days"; also the default window
PAGE_SIZE = 100  # requests per page of the list unless page_size asks for fewer or more
MAX_PAGE_SIZE = 200
MAX_DEPTH = 10_000  # a page may start at most this far down the list: narrow the dates to go further
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RequestQuery:
    ids: list[str]
    codes: list[str]
    start: datetime | None
    end: datetime | None
    statuses: list[str]
    page: int = 1
    page_size: int = PAGE_SIZE
    recent: bool = False  # no dates were given: the last 90 days, up to now

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def cache_key(self) -> str:
        """The query in one canonical form: the same request written differently (order of a list,
        another time zone) reads the same cached answer; "recent" stands for a window ending now."""
        window = "recent" if self.recent else "|".join(
            moment.astimezone(UTC).isoformat() if moment else "" for moment in (self.start, self.end)
        )
        parts = [",".join(sorted(self.ids)), ",".join(sorted(self.codes)), ",".join(sorted(self.statuses)),
                 window, str(self.page), str(self.page_size)]
        return "/".join(parts)


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


def _positive(name: str, value: str | None, default: int, ceiling: int, errors: list[str]) -> int:
    value = (value or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 6 and 1 <= int(value) <= ceiling):
        errors.append(_("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": ceiling})
        return default
    return int(value)


def request_query(params: QueryDict, *, now: datetime | None = None) -> RequestQuery:
    """GET requests: service_request_id (public ids, at most one page of them) overrides
    everything; otherwise a window of at most 90 days (the most recent 90 days by default),
    optional service codes and statuses, and the page (page, page_size)."""
    errors: list[str] = []
    page_size = _positive("page_size", params.get("page_size"), PAGE_SIZE, MAX_PAGE_SIZE, errors)
    page = _positive("page", params.get("page"), 1, MAX_DEPTH // page_size + 1, errors)
    ids = split_list(params.get("service_request_id"))
    if ids:
        if errors:
            raise bad_request(*errors)
        return RequestQuery(ids[:MAX_PAGE_SIZE], [], None, None, [], page_size=MAX_PAGE_SIZE)
    start = w3c_datetime("start_date", params["start_date"], errors) if params.get("start_date") else None
    end = w3c_datetime("end_date", params["end_date"], errors) if params.get("end_date") else None
    statuses = split_list(params.get("status"))
    if any(status not in STATUSES for status in statuses):
        errors.append(_("status must be open, closed or both (comma-separated)."))
    if errors:
        raise bad_request(*errors)
    now = now or timezone.now()
    recent = start is None and end is None
    if recent:
        start, end = now - MAX_WINDOW, now
    elif end is None:
        end = start + MAX_WINDOW
    elif start is None:
        start = end - MAX_WINDOW
    if start > end:
        raise bad_request(_("start_date must not be later than end_date."))
    if end - start > MAX_WINDOW:
        raise bad_request(_("start_date and end_date may not span more than 90 days."))
    return RequestQuery([], split_list(params.get("service_code")), start, end, statuses, page=page,
                        page_size=page_size, recent=recent)

