"""Domain rules for intake, shared by the web form and the API through the intake service.

Each check raises django.core.exceptions.ValidationError keyed by the field at fault, so a form
shows it next to the field and the API returns it under the field name.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from streets.services import is_inside_city

from . import catalogue
from .images import check_photo_headers
from .models import NOTIFY_STEPS, Category, CategoryAttribute

PHONE_REGION = "CN"  # the hotline calls back Chinese numbers; "+86" or "0086" may be typed or not
PHONE_MAX_LENGTH = 32  # what the form field and the stored column allow, checked before parsing
# A resident can be called back on these; not on service numbers (400/800, 95xxx) or pagers.
CALLABLE = {
    phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
CATEGORY_CODE_RE = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
# Control characters (tab and newlines are kept) and lone surrogates, which JSON can carry but no
# database column can hold.
UNSTORABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Moments residents and apps may give: wide, but far enough from year 1 and 9999 that a time zone
# conversion, a 90-day window or the database's own range never overflows.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2999, 12, 31, tzinfo=UTC)


def parse_moment(value: str) -> datetime | None:
    """An ISO 8601 date and time: aware ones in UTC (PostgreSQL refuses offsets beyond ±15:59),
    naive ones as given; None when it is malformed, impossible (month 13) or outside
    EARLIEST_MOMENT..LATEST_MOMENT (naive: in the server's zone)."""
    try:
        moment = parse_datetime(value.strip())
        if moment is None:
            return None
        aware = moment.astimezone(UTC) if timezone.is_aware(moment) else timezone.make_aware(moment)
        if not EARLIEST_MOMENT <= aware <= LATEST_MOMENT:
            return None
    except (ValueError, OverflowError):  # e.g. 9999-12-31T23:59:59-23:59, beyond year 9999 in UTC
        return None
    return aware if timezone.is_aware(moment) else moment


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
    category = catalogue.active_leaf(code) if CATEGORY_CODE_RE.fullmatch(code) else None
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


def clean_contact(*, anonymous: bool, name: str, phone: str, email: str = "") -> tuple[str, str, str]:
    """Anonymous appeals keep no contact details at all; others need a phone for the callback and
    may leave an e-mail address for the feedback link."""
    if anonymous:
        return "", "", ""
    name, phone, email = strip_unstorable(name).strip(), strip_unstorable(phone).strip(), (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"contact_email": _("Enter a valid e-mail address, or leave it empty.")}) from None
    if len(name) > 100:
        raise ValidationError({"contact_name": _("The name is too long.")})
    if not phone:
        raise ValidationError(
            {"contact_phone": _("Leave a phone number so the unit can call you back, or file anonymously.")}
        )
    return name, clean_phone(phone), email


def clean_phone(phone: str) -> str:
    """A Chinese mobile or landline number (libphonenumber's metadata for region CN), stored in one
    form whatever was typed: the national number in digits, with the area code's leading 0 for a
    landline ("13800138000", "01065529988"), so masking, folding and the callback list agree."""
    number = None
    if len(phone) <= PHONE_MAX_LENGTH:
        try:
            number = phonenumbers.parse(phone, PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
    callable_here = (
        number is not None and not number.extension
        and phonenumbers.is_valid_number_for_region(number, PHONE_REGION)
        and phonenumbers.number_type(number) in CALLABLE
    )
    if not callable_here:
        raise ValidationError({"contact_phone": _(
            "Enter a mobile number (e.g. 138 0013 8000) or a landline with its area code (e.g. 010-6552 9988)."
        )})
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"[^0-9]", "", national)


def check_photos(photos) -> list:
    """The uploads, once their number, sizes, types and pixels (from the headers, see images.py)
    are within bounds; nothing is decoded here."""
    photos = list(photos or [])
    if len(photos) > settings.APPEAL_MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most %(n)d photos.") % {"n": settings.APPEAL_MAX_PHOTOS}})
    check_photo_headers(photos)
    return photos


def clean_choice(field: str, value: str | None, choices, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the listed options.")})
    return value


def clean_notify_steps(steps) -> list[str]:
    """The steps the resident wants to hear about, in their canonical order; None means all."""
    if steps is None:
        return list(NOTIFY_STEPS)
    if isinstance(steps, str) or not all(isinstance(step, str) for step in steps):
        raise ValidationError({"notify": _("Choose one of the listed options.")})
    chosen = set(steps)
    if not chosen <= set(NOTIFY_STEPS):
        raise ValidationError({"notify": _("Choose one of the listed options.")})
    return [step for step in NOTIFY_STEPS if step in chosen]


MEDIA_URL_MAX_LENGTH = 500
ATTRIBUTE_STRING_MAX_LENGTH = 255
ATTRIBUTE_TEXT_MAX_LENGTH = 4000
Datatype = CategoryAttribute.Datatype


def clean_media_url(url: str | None) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        if len(url) > MEDIA_URL_MAX_LENGTH:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(
            {"media_url": _("Give a web address (http or https) of at most %(n)d characters.")
             % {"n": MEDIA_URL_MAX_LENGTH}}
        ) from exc
    return url


def clean_attributes(category: Category | None, answers: Mapping | None) -> dict:
    """Check answers to the category's questions (its attributes) and return them normalised.

    Every channel asks them (the web form, the operators' phone form, the API, Open311), and this
    is the one place they are checked. `answers` maps attribute codes to a string, or a list of
    strings for several choices; None or {} answers nothing, which a required question refuses.
    Errors are keyed "attribute[CODE]", one per question at fault.
    """
    answers = answers or {}
    questions = {question.code: question for question in catalogue.questions_of(category)} if category else {}
    errors: dict[str, list[str]] = {}
    for code in answers:
        if code not in questions:
            errors[f"attribute[{code}]"] = [_("This service asks no question %(code)s.") % {"code": code}]
    cleaned = {}
    for code, question in sorted(questions.items(), key=lambda item: item[1].order):
        try:
            value = _clean_answer(question, answers.get(code))
        except ValidationError as exc:
            errors[f"attribute[{code}]"] = exc.messages
            continue
        if value is not None:
            cleaned[code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_answer(question: CategoryAttribute, raw):
    values = [strip_unstorable(str(item)).strip() for item in (raw if isinstance(raw, list | tuple) else [raw])
              if item is not None]
    values = [value for value in values if value]
    label = {"question": question.display_description, "code": question.code}
    if not values:
        if question.required:
            raise ValidationError(_("Please answer: %(question)s") % label)
        return None
    if question.datatype == Datatype.MULTIVALUELIST:
        unknown = [value for value in values if value not in question.value_keys()]
        if unknown:
            raise ValidationError(_choose_from(question, label))
        return list(dict.fromkeys(values))
    if len(values) > 1:
        raise ValidationError(_("%(question)s: give one answer only.") % label)
    value = values[0]
    if question.datatype == Datatype.SINGLEVALUELIST:
        if value not in question.value_keys():
            raise ValidationError(_choose_from(question, label))
        return value
    if question.datatype == Datatype.NUMBER:
        return _number(value, label)
    if question.datatype == Datatype.DATETIME:
        return _datetime(value, label)
    is_text = question.datatype == Datatype.TEXT
    if not is_text and ("\n" in value or "\r" in value):
        raise ValidationError(_("%(question)s: one line only.") % label)
    limit = ATTRIBUTE_TEXT_MAX_LENGTH if is_text else ATTRIBUTE_STRING_MAX_LENGTH
    if len(value) > limit:
        raise ValidationError(_("%(question)s: at most %(limit)d characters.") % {**label, "limit": limit})
    return value


def _choose_from(question: CategoryAttribute, label: dict) -> str:
    return _("%(question)s: choose from %(keys)s.") % {**label, "keys": ", ".join(question.value_keys())}


def _number(value: str, label: dict) -> int | float:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValidationError(_("%(question)s: give a number.") % label)
    return int(number) if number == number.to_integral_value() else float(number)


def _datetime(value: str, label: dict) -> str:
    moment = parse_moment(value)
    try:
        day = None if moment or parse_datetime(value) else parse_date(value)
    except ValueError:
        day = None
    if moment is None and day is None:
        raise ValidationError(
            _("%(question)s: give a date and time such as 2024-05-01T08:30:00+08:00.") % label
        )
    if day is not None:
        return day.isoformat()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).isoformat()
