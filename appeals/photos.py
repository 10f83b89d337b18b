"""Photos after intake: a worker decodes and re-encodes them, off the request path.

Intake stores each upload as it came, once its header passed (appeals/images.py), in a PENDING
row, and queues this work after commit. The stored upload is never served (it may carry the
resident's GPS position): staff see "being checked" until the clean copy replaces it (READY), or
"could not be read" when the bytes behind a good header are not a photo (UNREADABLE; the upload
is deleted). Nothing is lost when the broker or a worker is away: the upload stays PENDING and
the beat sweep re-encodes it. Safe to run twice: each row is taken under a lock and only while
still PENDING.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .images import reencode_photo
from .models import AppealPhoto

logger = logging.getLogger(__name__)


def pending_upload(upload) -> File:
    """The upload as it will be stored until re-encoded: under a random name, never the resident's."""
    upload.seek(0)
    return File(upload, name=f"{uuid.uuid4().hex}.upload")


def reencode_pending(*, appeal_id: int) -> int:
    """Re-encode the appeal's photos still PENDING; how many were done (READY or UNREADABLE)."""
    ids = list(AppealPhoto.objects.filter(appeal_id=appeal_id, state=AppealPhoto.State.PENDING)
               .order_by("id").values_list("id", flat=True))
    return sum(_reencode(photo_id) for photo_id in ids)


def sweep_pending(*, older_than_seconds: int, batch_size: int = 100) -> int:
    """Re-encode photos left PENDING longer than `older_than_seconds` (their task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(AppealPhoto.objects.filter(state=AppealPhoto.State.PENDING, created_at__lte=cutoff)
               .order_by("id").values_list("id", flat=True)[:batch_size])
    return sum(_reencode(photo_id) for photo_id in ids)


def _reencode(photo_id: int) -> bool:
    with transaction.atomic():
        photo = (AppealPhoto.objects.select_for_update(skip_locked=True)
                 .filter(pk=photo_id, state=AppealPhoto.State.PENDING).first())
        if photo is None:
            return False  # done already, or another worker holds it
        upload = photo.image.name
        try:
            with photo.image.open("rb") as handle:
                clean = reencode_photo(handle)
        except ValidationError:
            logger.info("photo %s of appeal %s could not be read", photo.pk, photo.appeal_id)
            photo.state = AppealPhoto.State.UNREADABLE
            photo.save(update_fields=["state"])
        else:
            photo.image.save(clean.name, clean, save=False)
            photo.state = AppealPhoto.State.READY
            photo.save(update_fields=["image", "state"])
        storage = photo.image.storage
        transaction.on_commit(lambda: storage.delete(upload))
    return True
