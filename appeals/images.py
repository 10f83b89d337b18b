"""Residents' photos are decoded and re-encoded before they are stored.

The type is whatever the bytes are (Pillow reads them, only with the decoders we allow), never
the file name or the client's content type. Re-encoding keeps the pixels and nothing else: no
EXIF (a phone photo's GPS position is the resident's home more often than not), no comments, no
trailing payload. The stored name is random; the resident's file name is never used.
"""
from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
LOSSLESS_FORMATS = {"PNG", "GIF"}  # screenshots and drawings stay PNG; photos become JPEG


def reencode_photo(upload) -> ContentFile:
    """A clean copy of an uploaded image under a random name, or ValidationError({"photos": …})."""
    if upload.size > settings.APPEAL_PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photos": _("Each photo must be under %(mb)d MB.")
             % {"mb": settings.APPEAL_PHOTO_MAX_BYTES // (1024 * 1024)}}
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ALLOWED_FORMATS) as image:
                source_format = image.format
                if image.width * image.height > settings.APPEAL_PHOTO_MAX_PIXELS:
                    raise _too_many_pixels()
                image.load()  # decodes the (first) frame: broken or truncated files fail here
                pixels = _pixels_only(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError({"photos": _("Only photos (JPEG, PNG, WebP or GIF) can be attached.")}) from exc
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
