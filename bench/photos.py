"""python -m bench photos: what a request's photos cost before and after the intake limit.

Intake reads the photos' headers with the cheap fields, before the rate limits are counted, and
never decodes on the request path: a worker re-encodes a filed appeal's photos (appeals/photos.py).
This times the two steps on the attack of issue 14 (five 7000x7000 PNGs of about 150 KB each),
in this process, and prints the answer intake gives them. Needs no database or Redis."""
from __future__ import annotations

import os
import resource
import struct
import time
import zlib


def _png(side: int) -> bytes:
    """A whole, valid grey RGB PNG, written row by row (without holding its pixels in memory)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor, row, rows = zlib.compressobj(9), b"\0" + b"\xc8" * (3 * side), []
    rows.extend(compressor.compress(row) for _ in range(side))
    rows.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(rows)) + chunk(b"IEND", b"")


def _timed(step) -> tuple[float, float, str]:
    """Seconds, the process's peak resident MB after the step (a high-water mark: run the cheap
    step first), and the outcome."""
    start = time.perf_counter()
    try:
        step()
        outcome = "accepted"
    except Exception as exc:  # a refusal is one of the figures reported
        outcome = f"refused: {getattr(exc, 'messages', [exc])[0]}"
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, outcome


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    translation.activate("en")

    from appeals.images import check_photo_headers, reencode_photo

    side, count = 7000, 5
    data = _png(side)
    _timed(lambda: None)  # the process as it is, before either step
    uploads = [SimpleUploadedFile(f"{n}.png", data, content_type="image/png") for n in range(count)]
    print(f"{count} PNGs of {side}x{side}, {len(data) // 1024} KB each")
    seconds, megabytes, outcome = _timed(lambda: check_photo_headers(uploads))
    print(f"  headers read (before the limit is counted): {seconds * 1000:8.1f} ms, peak {megabytes:6.0f} MB;"
          f" {outcome}")
    seconds, megabytes, outcome = _timed(lambda: [reencode_photo(upload) for upload in uploads])
    print(f"  decoded (what intake paid before the limit): {seconds * 1000:8.1f} ms, peak {megabytes:6.0f} MB")
    return 0
