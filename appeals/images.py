"""Residents' photos are checked from their headers, then decoded and re-encoded before they are stored.

Decoding is the costly part (a 47 KB PNG can declare 49 million pixels), so intake first reads
what each file says about itself (size, type, width and height: `check_photo_headers`) together
with the cheap fields, refuses what is too big for one request (APPEAL_PHOTOS_MAX_TOTAL_PIXELS,
all photos together), counts the rate limits, and only then decodes (`reencode_photo`).

The type is whatever the bytes are (Pillow reads them, only with the decoders we allow), never
the file name or the client's content type. Re-encoding keeps the pixels and nothing else: no
EXIF (a phone photo's GPS position is the resident's home more often than not), no comments, no
trailing payload. The stored name is random; the resident's file name is never used.
"""
from __future__ import annotations

import io
import uuid
import warnings
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
LOSSLESS_FORMATS = {"PNG", "GIF"}  # screenshots and drawings stay PNG; photos become JPEG


def check_photo_headers(uploads) -> None:
    """Refuse, from the headers alone, photos too costly to decode: each within its bytes and
    APPEAL_PHOTO_MAX_PIXELS, all together within APPEAL_PHOTOS_MAX_TOTAL_PIXELS."""
    total = sum(_header_pixels(upload) for upload in uploads)
    if total > settings.APPEAL_PHOTOS_MAX_TOTAL_PIXELS:
        raise ValidationError(
            {"photos": _("These photos have too many pixels together (at most %(mp)d megapixels).")
             % {"mp": settings.APPEAL_PHOTOS_MAX_TOTAL_PIXELS // 1_000_000}}
        )


def _header_pixels(upload) -> int:
    """The photo's pixel count as its header declares it; nothing is decoded."""
    if upload.size > settings.APPEAL_PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photos": _("Each photo must be under %(mb)d MB.")
             % {"mb": settings.APPEAL_PHOTO_MAX_BYTES // (1024 * 1024)}}
        )
    with _reading(upload) as image:
        pixels = image.width * image.height
    if pixels > settings.APPEAL_PHOTO_MAX_PIXELS:
        raise _too_many_pixels()
    return pixels


@contextmanager
def _reading(upload):
    """The upload opened by Pillow (its header read, its pixels not yet), with every way a file can
    turn out not to be a photo, or a decompression bomb, made a ValidationError."""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ALLOWED_FORMATS) as image:
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError({"photos": _("Only photos (JPEG, PNG, WebP or GIF) can be attached.")}) from exc
    finally:
        upload.seek(0)


def reencode_photo(upload) -> ContentFile:
    """A clean copy of an uploaded image under a random name, or ValidationError({"photos": …}).
    Decodes: call it only for photos `check_photo_headers` let through."""
    _header_pixels(upload)
    with _reading(upload) as image:
        source_format = image.format
        image.load()  # decodes the (first) frame: broken or truncated files fail here
        pixels = _pixels_only(ImageOps.exif_transpose(image))
    side = settings.APPEAL_PHOTO_MAX_SIDE
    pixels.thumbnail((side, side))
    lossless = source_format in LOSSLESS_FORMATS or pixels.mode == "RGBA"
    buffer = io.BytesIO()
    if lossless:
        pixels.save(buffer, format="PNG", optimize=True)
    else:
        pixels.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{'png' if lossless else 'jpg'}")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels (RGB, or RGBA when there is transparency): no metadata
    can follow, whatever Pillow would otherwise carry over on save."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _too_many_pixels() -> ValidationError:
    megapixels = settings.APPEAL_PHOTO_MAX_PIXELS // 1_000_000
    return ValidationError(
        {"photos": _("This photo has too many pixels (at most %(mp)d megapixels).") % {"mp": megapixels}}
    )
