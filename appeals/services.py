"""Intake: the one way an appeal enters the system (web form, API and operator console alike)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dispatch.queueing import queue_routing

from . import validation
from .events import record_transition
from .models import Appeal, AppealEvent, AppealPhoto
from .tracking import hash_access_code, new_access_code, new_tracking_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmittedAppeal:
    appeal: Appeal
    access_code: str  # shown once to the resident; only its hash is stored


def _collect(errors: dict, check: Callable, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def submit_appeal(
    *,
    text: str,
    channel: str = Appeal.Channel.WEB,
    kind: str | None = None,
    urgency: str | None = None,
    category_code: str | None = None,
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    anonymous: bool = False,
    photos: Iterable = (),
    language: str | None = None,
    submitted_by=None,
    attributes: Mapping[str, str | list[str]] | None = None,
    media_url: str = "",
    api_key=None,
) -> SubmittedAppeal:
    """Validate, store and commit the appeal, then queue its routing after commit.

    `attributes` answers the category's questions (None: this channel does not ask them);
    `api_key` is the third-party app filing through Open311. Raises ValidationError (keyed by
    field, all problems at once) and stores nothing on bad input.
    """
    errors: dict[str, list[str]] = {}
    clean_text = _collect(errors, validation.clean_text, text)
    category = _collect(errors, validation.clean_category, category_code)
    answers = {} if "category" in errors else _collect(errors, validation.clean_attributes, category, attributes)
    media_url = _collect(errors, validation.clean_media_url, media_url)
    location = _collect(errors, validation.clean_location, latitude, longitude) or (None, None)
    contact = _collect(
        errors, validation.clean_contact, anonymous=anonymous, name=contact_name, phone=contact_phone,
        email=contact_email,
    ) or ("", "", "")
    clean_photos = _collect(errors, validation.clean_photos, photos) or []
    channel = _collect(errors, validation.clean_choice, "channel", channel, Appeal.Channel, Appeal.Channel.WEB)
    kind = _collect(errors, validation.clean_choice, "kind", kind, Appeal.Kind, Appeal.Kind.COMPLAINT)
    urgency = _collect(
        errors, validation.clean_choice, "urgency", urgency, Appeal.Urgency, Appeal.Urgency.ORDINARY
    )
    address = validation.CONTROL_CHARS_RE.sub("", address or "").strip()
    if len(address) > 255:
        errors.setdefault("address", []).append(_("The address is too long."))
    if errors:
        raise ValidationError(errors)

    access_code = new_access_code()
    with transaction.atomic():
        appeal = _insert_with_unique_number(
            access_code,
            channel=channel,
            kind=kind,
            urgency=urgency,
            category=category,
            text=clean_text,
            attributes=answers or {},
            media_url=media_url or "",
            api_key=api_key,
            address=address,
            latitude=location[0],
            longitude=location[1],
            contact_name=contact[0],
            contact_phone=contact[1],
            contact_email=contact[2],
            anonymous=anonymous,
            language=(language or get_language() or "zh-hans")[:10],
            submitted_by=submitted_by if submitted_by is not None and submitted_by.is_authenticated else None,
        )
        for photo in clean_photos:
            AppealPhoto.objects.create(appeal=appeal, image=photo)
        record_transition(appeal=appeal, kind=AppealEvent.Kind.RECEIVED, actor=submitted_by)
        queue_routing(appeal_id=appeal.pk)
    return SubmittedAppeal(appeal=appeal, access_code=access_code)


def _insert_with_unique_number(access_code: str, **fields) -> Appeal:
    """Insert with a fresh random number; on the rare collision, draw again."""
    for _attempt in range(5):
        number = new_tracking_number()
        try:
            with transaction.atomic():
                return Appeal.objects.create(
                    number=number, access_code_hash=hash_access_code(number, access_code), **fields
                )
        except IntegrityError:
            logger.warning("tracking number collision on %s, drawing again", number)
    raise RuntimeError("could not draw a unique tracking number")
