"""Intake: the one way an appeal enters the system (web form, API and operator console alike)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language, gettext_lazy

from config.throttling import Claim

from . import folding, notes, updates, validation
from .events import create_with_first_event, record_transition
from .models import AccessCode, Appeal, AppealEvent, AppealPhoto
from .photos import pending_upload
from .signals import appeal_filed
from .tracking import hash_access_code, new_access_code, new_public_id, new_tracking_number

logger = logging.getLogger(__name__)
NUMBER_ATTEMPTS = 5  # draws of a tracking number before giving up (a collision is already rare)
# The staff-only note on an appeal a repeated submission was folded into (also written by bench/data).
FOLDED_NOTE = gettext_lazy("Repeated submission folded into this appeal; a new access code was issued.")
notes.register("intake.folded", FOLDED_NOTE)


@dataclass(frozen=True)
class SubmittedAppeal:
    appeal: Appeal
    access_code: str  # shown once to the resident; only its hash is stored
    folded: bool = False  # a repeat of a recent submission: `appeal` is the earlier one, the code is new


# The resident's fields of submit_appeal and each one's value when a channel leaves it out.
APPEAL_FIELDS = {
    "text": "", "kind": None, "urgency": None, "category_code": None, "address": "", "latitude": None,
    "longitude": None, "contact_name": "", "contact_phone": "", "contact_email": "", "anonymous": False,
    "publish": False, "notify": None, "photos": (), "attributes": None, "media_url": "",
}
# What each channel calls them: submit_appeal's keyword -> the channel's name. A keyword a channel
# does not list is never read from what it sent (Open311 stores no e-mail, for one).
FORM_NAMES = {**{field: field for field in APPEAL_FIELDS if field != "media_url"}, "category_code": "category"}
OPEN311_NAMES = {
    "text": "description", "category_code": "service_code", "latitude": "lat", "longitude": "long",
    "address": "address_string", "contact_phone": "phone", "contact_name": "first_name", "media_url": "media_url",
    "attributes": "attributes",
}


def appeal_fields(values: Mapping, *, names: Mapping[str, str]) -> dict:
    """A channel's cleaned values -> submit_appeal's keywords: the one mapping behind the web form,
    the API and Open311 (`names` says what the channel calls each field). A field left out, or
    left empty where "not given" is None, takes its default."""
    fields = {}
    for field, name in names.items():
        default = APPEAL_FIELDS[field]
        value = values.get(name, default)
        fields[field] = default if value is None or (value == "" and default is None) else value
    return fields


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
    publish: bool = False,
    notify: Iterable[str] | None = None,
    photos: Iterable = (),
    language: str | None = None,
    submitted_by=None,
    attributes: Mapping[str, str | list[str]] | None = None,
    media_url: str = "",
    api_key=None,
    source: str = "",
    claim: Callable[[str, str], Claim | None] = folding.claim,
) -> SubmittedAppeal:
    """Validate, store and commit the appeal, then queue its routing after commit.

    `attributes` answers the category's questions (every channel asks them; a required one
    left unanswered is refused like any other field);
    `api_key` is the third-party app filing through Open311. `publish` is the resident's own
    choice to make the appeal public (off unless they asked); `notify` the steps they want to hear
    about (None: every step, models.NOTIFY_STEPS); a published appeal, and every
    request filed through Open311, gets a public id. Raises ValidationError (keyed by
    field, all problems at once) and stores nothing on bad input.
    The same appeal sent again by the same `source` (a verified sender: folding.device_source or
    folding.operator_source; "" folds nothing) within APPEAL_FOLD_WINDOW_SECONDS is folded into the
    first: no new appeal, a note on the first, and a fresh access code for it (the resident may
    never have seen the first one). `claim(fingerprint, number)` claims the fingerprint
    (folding.claim; the form and the API pass one that also counts their rate limits in the same
    Redis round trip, and may refuse there). Photos are checked from their headers before the
    claim, stored as they came and decoded by a worker after commit (appeals/photos.py).
    """
    fields, uploads = _validate(
        text=text, channel=channel, kind=kind, urgency=urgency, category_code=category_code, address=address,
        latitude=latitude, longitude=longitude, contact_name=contact_name, contact_phone=contact_phone,
        contact_email=contact_email, anonymous=anonymous, photos=photos, attributes=attributes, media_url=media_url,
        notify=notify,
    )
    fields.update(
        api_key=api_key,
        published=bool(publish),
        public_id=new_public_id() if publish or api_key is not None else "",
        language=(language or get_language() or "zh-hans")[:10],
        submitted_by=submitted_by if submitted_by is not None and submitted_by.is_authenticated else None,
        fingerprint=folding.fingerprint(
            source=source, text=fields["text"], category_code=fields["category"].code if fields["category"] else "",
            latitude=fields["latitude"], longitude=fields["longitude"], address=fields["address"],
            contact_phone=fields["contact_phone"], photos=uploads,
        ),
    )
    return _fold_or_store(fields, uploads=uploads, submitted_by=submitted_by, claim=claim)


def _validate(
    *, text, channel, kind, urgency, category_code, address, latitude, longitude, contact_name, contact_phone,
    contact_email, anonymous, photos, attributes, media_url, notify,
) -> tuple[dict, list]:
    """Step one: every field checked (all problems at once, as ValidationError keyed by field) and
    cleaned into the appeal's own fields; the photos checked from their headers."""
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
    uploads = _collect(errors, validation.check_photos, photos) or []
    channel = _collect(errors, validation.clean_choice, "channel", channel, Appeal.Channel, Appeal.Channel.WEB)
    kind = _collect(errors, validation.clean_choice, "kind", kind, Appeal.Kind, Appeal.Kind.COMPLAINT)
    urgency = _collect(
        errors, validation.clean_choice, "urgency", urgency, Appeal.Urgency, Appeal.Urgency.ORDINARY
    )
    address = _collect(errors, validation.clean_address, address)
    notify_steps = _collect(errors, validation.clean_notify_steps, notify)
    if errors:
        raise ValidationError(errors)
    return dict(
        channel=channel,
        kind=kind,
        urgency=urgency,
        category=category,
        text=clean_text,
        attributes=answers or {},
        media_url=media_url or "",
        address=address,
        latitude=location[0],
        longitude=location[1],
        contact_name=contact[0],
        contact_phone=contact[1],
        contact_email=contact[2],
        anonymous=anonymous,
        notify_steps=notify_steps,
    ), uploads


def _fold_or_store(fields: dict, *, uploads: list, submitted_by, claim) -> SubmittedAppeal:
    """Step two: fold a repeat into its first appeal, or store this one under a fresh number (and
    announce it, `_store`)."""
    fingerprint, access_code = fields["fingerprint"], new_access_code()
    number = new_tracking_number()
    attempt = claim(fingerprint, number)
    if folding.repeats(attempt):
        earlier = folding.earlier_appeal(attempt)
        if earlier is not None:
            _fold_repeat(earlier, access_code=access_code, submitted_by=submitted_by)
            return SubmittedAppeal(appeal=earlier, access_code=access_code, folded=True)
        folding.reclaim(fingerprint, number)  # the earlier one is gone or too old: this one is the first
    try:
        for _attempt in range(NUMBER_ATTEMPTS):
            try:
                return _store(number, access_code, fields, photos=uploads, submitted_by=submitted_by)
            except _NumberTaken:
                logger.warning("tracking number collision on %s, drawing again", number)
                number = new_tracking_number()
                folding.reclaim(fingerprint, number)
        raise RuntimeError("could not draw a unique tracking number")
    except BaseException:
        folding.release(fingerprint, number)
        raise


class _NumberTaken(Exception):
    pass


def _store(number: str, access_code: str, fields: dict, *, photos: list, submitted_by) -> SubmittedAppeal:
    """Insert the appeal under `number` with its RECEIVED event (one statement, see
    events.create_with_first_event) and its photos, and announce it (step three, `_announce`).

    Without photos and outside a caller's transaction, that one statement is the whole transaction.
    Photos need one; inside a caller's transaction a savepoint keeps it usable when the number
    turns out to be taken (rare: _NumberTaken, and the caller draws again)."""
    appeal = Appeal(number=number, access_code_hash=hash_access_code(number, access_code), **fields)
    scope = transaction.atomic() if photos or transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with scope:
            create_with_first_event(appeal, kind=AppealEvent.Kind.RECEIVED, actor=submitted_by)
            for photo in photos:
                AppealPhoto.objects.create(appeal=appeal, image=pending_upload(photo), state=AppealPhoto.State.PENDING)
            _announce(appeal, has_photos=bool(photos), access_code=access_code)
    except IntegrityError as exc:
        if Appeal.objects.filter(number=number).exists():
            raise _NumberTaken from exc
        raise
    return SubmittedAppeal(appeal=appeal, access_code=access_code)


def _fold_repeat(appeal: Appeal, *, access_code: str, submitted_by) -> None:
    """Give the earlier appeal another working code and note the repeat (staff only)."""
    with transaction.atomic():
        AccessCode.objects.create(appeal=appeal, code_hash=hash_access_code(appeal.number, access_code))
        record_transition(
            appeal=appeal, kind=AppealEvent.Kind.NOTE, actor=submitted_by, public=False,
            message=notes.message("intake.folded"),
        )



def _announce(appeal: Appeal, *, has_photos: bool, access_code: str) -> None:
    """Step three, inside the storing transaction: tell whoever listens that an appeal was filed
    (signals.appeal_filed; dispatch queues its routing and photo checks once committed, and the
    receipt when a channel can reach the resident: only then does the code travel with it)."""
    receipt_code = access_code if updates.channels(appeal) else ""  # no receipt: nothing to queue
    appeal_filed.send(sender=Appeal, appeal_id=appeal.pk, has_photos=has_photos, access_code=receipt_code)
