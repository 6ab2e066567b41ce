"""Checking and cleaning the photos residents send with a complaint.

A photo is trusted by nothing but its content: the first bytes must be JPEG, PNG or
WebP, the file and the picture are size-capped before decoding (a small file can
decompress to gigapixels), and it is re-encoded from pixels so that EXIF metadata,
including the GPS position of the resident's phone, never reaches disk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560  # stored photos are scaled down to this; enough to read a sign
JPEG_QUALITY = 85


class PhotoRejected(ValueError):
    """Not a photo we accept; the message is for the log and the staff, not the resident."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str  # always image/jpeg after re-encoding
    width: int
    height: int
    source_type: str  # what was sent: image/jpeg, image/png, image/webp


def sniff(data: bytes) -> str | None:
    """The image type by magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def clean(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
) -> CleanPhoto:
    """Validate and re-encode a photo as a metadata-free JPEG; raises PhotoRejected."""
    if len(data) > max_bytes:
        raise PhotoRejected(f"file too large ({len(data)} bytes)")
    kind = sniff(data)
    if kind is None:
        raise PhotoRejected("not a JPEG, PNG or WebP image")
    try:
        with Image.open(io.BytesIO(data), formats=[_FORMATS[kind]]) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise PhotoRejected(f"picture too large ({width}x{height})")
            image.load()
            upright = ImageOps.exif_transpose(image)
            picture = upright.convert("RGB")
    except PhotoRejected:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoRejected(f"unreadable image: {type(exc).__name__}") from None
    picture.thumbnail((max_side, max_side))
    out = io.BytesIO()
    # A fresh image from pixels: no exif=, no icc_profile=, so no metadata is written.
    picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", picture.width, picture.height, kind)
