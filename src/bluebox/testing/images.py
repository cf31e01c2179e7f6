"""Small generated photos for tests: a JPEG that says where it was taken, like a phone's."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Where the photo says it was taken (3.0123 N, 9.4876 W): the reporter's position.
LATITUDE = (3.0, 0.0, 44.28)
LONGITUDE = (9.0, 29.0, 15.36)


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = True) -> bytes:
    """A small picture in ``fmt`` carrying an EXIF GPS position, a camera and a comment."""
    image = Image.new("RGB", size, (200, 40, 40))
    for x in range(size[0] // 2):
        image.putpixel((x, 0), (0, 0, 255))  # a mark that shows which way is up
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: LATITUDE, 3: "W", 4: LONGITUDE})
    out = BytesIO()
    extra = {"comment": b"taken at the reporter's house"} if fmt == "JPEG" else {}
    image.save(out, fmt, exif=exif.tobytes(), **extra)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """A 64 x 48 JPEG whose EXIF says to turn it a quarter (orientation 6): seen as 48 x 64."""
    image = Image.new("RGB", (64, 48), (40, 200, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def heic_header() -> bytes:
    """The start of a HEIC file as an iPhone writes it (enough to be recognised, not decoded)."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
