"""Domain rules for intake, shared by the web form and the API through the intake service.

Each check raises django.core.exceptions.ValidationError keyed by the field at fault, so a form
shows it next to the field and the API returns it under the field name.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from streets.services import is_inside_city

from .images import reencode_photo
from .models import Category

PHONE_RE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")
CATEGORY_CODE_RE = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
# Control characters (tab and newlines are kept) and lone surrogates, which JSON can carry but no
# database column can hold.
UNSTORABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def strip_unstorable(value: str | None) -> str:
    return UNSTORABLE_RE.sub("", value or "")


def clean_text(text: str | None) -> str:
    text = strip_unstorable(text).strip()
    if not text:
        raise ValidationError({"text": _("Please describe the problem.")})
    limit = settings.APPEAL_TEXT_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            {"text": _("Please keep the description under %(limit)d characters (it has %(n)d).")
             % {"limit": limit, "n": len(text)}}
        )
    return text


def clean_address(address: str | None) -> str:
    address = strip_unstorable(address).strip()
    if len(address) > 255:
        raise ValidationError({"address": _("The address is too long.")})
    return address


def clean_category(code: str | None) -> Category | None:
    if not code:
        return None
    category = (
        Category.objects.filter(code=code, is_leaf=True, active=True).first()
        if CATEGORY_CODE_RE.fullmatch(code) else None
    )
    if category is None:
        raise ValidationError({"category": _("Unknown category. Choose one from the list, or leave it empty.")})
    return category


def _as_decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"latitude": _("Coordinates must be numbers.")}) from exc
    if not number.is_finite():
        raise ValidationError({"latitude": _("Coordinates must be numbers.")})
    return number


def clean_location(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    if latitude in (None, "") or longitude in (None, ""):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    lat, lng = _as_decimal(latitude), _as_decimal(longitude)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError({"latitude": _("These coordinates do not exist.")})
    lat, lng = lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))
    if not is_inside_city(latitude=lat, longitude=lng):
        raise ValidationError({"latitude": _("This place is outside the city.")})
    return lat, lng


def clean_contact(*, anonymous: bool, name: str, phone: str) -> tuple[str, str]:
    """Anonymous appeals keep no contact details at all; others need a phone for the callback."""
    if anonymous:
        return "", ""
    name, phone = strip_unstorable(name).strip(), (phone or "").strip()
    if len(name) > 100:
        raise ValidationError({"contact_name": _("The name is too long.")})
    if not phone:
        raise ValidationError(
            {"contact_phone": _("Leave a phone number so the unit can call you back, or file anonymously.")}
        )
    if not PHONE_RE.fullmatch(phone):
        raise ValidationError({"contact_phone": _("Enter a phone number of digits only, e.g. 13800138000.")})
    return name, phone


def clean_photos(photos) -> list:
    """Re-encoded copies under random names (see images.py); the uploads themselves are never stored."""
    photos = list(photos or [])
    if len(photos) > settings.APPEAL_MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most %(n)d photos.") % {"n": settings.APPEAL_MAX_PHOTOS}})
    return [reencode_photo(photo) for photo in photos]


def clean_choice(field: str, value: str | None, choices, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the listed options.")})
    return value
