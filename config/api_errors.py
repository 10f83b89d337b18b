"""Error answers of the API stay small, whatever was sent: a list of 400,000 bad items gets a few
errors back, not one per item. And a request body is refused by its declared length before it is
read, as Django refuses an oversized form."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail

# Per list or mapping of errors, at any depth: enough to fix a request, never the size of the input.
MAX_ERRORS = 10


def bounded(detail):
    """A ValidationError's detail with at most MAX_ERRORS entries in every list and mapping."""
    if isinstance(detail, dict):
        return {key: bounded(value) for key, value in list(detail.items())[:MAX_ERRORS]}
    if isinstance(detail, list):
        return [bounded(item) for item in detail[:MAX_ERRORS]]
    return detail


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def check_body_size(request, *, file_bytes: int = 0) -> None:
    """Refuse (413) a body longer than DATA_UPLOAD_MAX_MEMORY_SIZE plus `file_bytes` (what the
    view's files may take) before anything reads it: DRF's JSON parser reads whatever is sent."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + file_bytes
    if length > limit:
        raise BodyTooLarge(ErrorDetail(
            _("The request is too large (at most %(kb)d KB).") % {"kb": limit // 1024}, "too_large"
        ))
