"""Photos sent with an incident report: checked, encoded again without their metadata.

A photo's EXIF can say where and when it was taken and with which phone: for an informant's
report, where the reporter stood. So nothing of a file but its pixels is kept: each photo is
decoded and encoded again (Pillow), which drops EXIF (GPS included), XMP, IPTC, comments and
embedded thumbnails; the pixels are first turned as the EXIF orientation says, so the photo is
still seen the right way up. The type is what the content decodes as, among JPEG, PNG and WebP
only (the name and the declared type are not believed). HEIC cannot be decoded here, so it
cannot be cleaned, and is refused with a word on what to send instead.

The photos are checked before the report is written (:func:`clean_all`); a bad one refuses the
whole report, which then changes nothing.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from bluebox.core.crypto import UnreadableValueError
from bluebox.core.exceptions import NotVisible, ServiceError

if TYPE_CHECKING:
    from bluebox.incidents.models import IncidentPhoto

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# All the photos of one report (the web form's upload limit; JSON bodies have their own).
MAX_TOTAL_BYTES = 25 * 1024 * 1024
# A decompression bomb (a small file of a billion pixels) is refused before it is decoded.
MAX_PIXELS = 50_000_000
# JPEG is encoded again at this quality: close to what phones write, without their metadata.
JPEG_QUALITY = 88

TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# What a client may say it sends (the content decides).
DECLARED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
# ISO base media "brands" of HEIF files, as phones write them.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


class PhotoRefused(ValueError):
    """What is wrong with a photo, in words for the sender."""


@dataclass(frozen=True)
class PhotoUpload:
    """A photo as received: the name the sender gave and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class CleanPhoto:
    """A photo encoded again from its pixels only, ready to be sealed."""

    filename: str
    content_type: str
    content: bytes
    width: int
    height: int


def too_many() -> str:
    return _("At most %(n)d photos per report.") % {"n": MAX_PHOTOS}


def too_large() -> str:
    return _("Each photo may be at most %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}


def too_large_together() -> str:
    return _("The photos of one report may be at most %(mb)d MB together.") % {
        "mb": MAX_TOTAL_BYTES // (1024 * 1024)
    }


def _is_heif(content: bytes) -> bool:
    return content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS


def safe_name(name: str, content_type: str, number: int) -> str:
    """The sender's file name reduced to letters, digits, dots and dashes, with the extension
    of what the content is."""
    stem = _UNSAFE_NAME.sub("-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0])
    stem = stem.strip(".-")[:80] or f"photo-{number}"
    return f"{stem}.{EXTENSIONS[content_type]}"


def clean(upload: PhotoUpload, number: int = 1) -> CleanPhoto:
    """The photo encoded again without metadata; :class:`PhotoRefused` saying what is wrong."""
    content = upload.content
    if not content:
        raise PhotoRefused(_("The photo is empty."))
    if len(content) > MAX_PHOTO_BYTES:
        raise PhotoRefused(too_large())
    if _is_heif(content):
        raise PhotoRefused(
            _(
                "HEIC photos cannot be stored: their location data cannot be removed here. "
                "Send the photo as JPEG (most phones do when a photo is taken from this form)."
            )
        )
    not_a_photo = _("This is not a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged file's EXIF says so; it is refused below
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content), formats=list(TYPES)) as image:
                fmt = str(image.format)
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(
                        _("The photo has more than %(n)d million pixels.")
                        % {"n": MAX_PIXELS // 1_000_000}
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(not_a_photo) from None
    # A decoder's error of any kind on hostile bytes is a refusal, not a server error.
    except Exception:
        raise PhotoRefused(_("The photo is damaged or incomplete.")) from None
    content_type = TYPES[fmt]
    if upright.mode in ("P", "PA", "LA", "I;16", "I", "F", "CMYK", "YCbCr", "LAB", "HSV"):
        upright = upright.convert("RGBA" if "A" in upright.mode or fmt != "JPEG" else "RGB")
    # A new image from the pixels alone: Pillow writes back what an image's ``info`` holds (a
    # JPEG comment, a PNG's text), so nothing of the file but its pixels may come along.
    upright = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = BytesIO()
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=JPEG_QUALITY)
    elif fmt == "PNG":
        upright.save(out, "PNG")
    else:
        upright.save(out, "WEBP", quality=JPEG_QUALITY)
    return CleanPhoto(
        filename=safe_name(upload.name, content_type, number),
        content_type=content_type,
        content=out.getvalue(),
        width=upright.width,
        height=upright.height,
    )


def clean_all(uploads: list[PhotoUpload]) -> list[CleanPhoto]:
    """Every photo of a report cleaned, or :class:`ServiceError` naming each one refused."""
    if len(uploads) > MAX_PHOTOS:
        raise ServiceError(too_many(), field_errors={"photos": [too_many()]})
    if sum(len(u.content) for u in uploads) > MAX_TOTAL_BYTES:
        raise ServiceError(too_large_together(), field_errors={"photos": [too_large_together()]})
    cleaned: list[CleanPhoto] = []
    errors: list[str] = []
    for number, upload in enumerate(uploads, start=1):
        try:
            cleaned.append(clean(upload, number))
        except PhotoRefused as exc:
            errors.append(
                _("Photo %(n)d (%(name)s): %(problem)s")
                % {"n": number, "name": upload.name[:80] or "-", "problem": exc}
            )
    if errors:
        raise ServiceError(
            _("The report was not filed: a photo cannot be stored."),
            field_errors={"photos": errors},
        )
    return cleaned


def serve(photo: IncidentPhoto) -> HttpResponse:
    """The photo's bytes as the page and the API answer them, once the read was authorised
    (``selectors.photo_for``): never cached, named, an image and nothing else. A photo the
    configured keys cannot decrypt answers like a missing one."""
    try:
        content = photo.read()
    except UnreadableValueError:
        raise NotVisible() from None
    response = HttpResponse(content, content_type=photo.content_type)
    response["Content-Disposition"] = content_disposition_header(False, photo.filename) or ""
    # Nothing in it may run, whatever a browser makes of the bytes.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response
