"""Product photos: every upload is opened and re-encoded by Pillow (nothing of the original file
is served), scaled to at most 1600 px (JPEG, the original every other size is made from; the API links it),
with WebP renditions a page picks from by `srcset` (240 to 1080 px wide: a card's slot is 170 to 290 px, a
product page's photo up to 530, times the screen's pixel density) and a 480 px JPEG thumbnail for old mail
clients and feeds.

A small file can hold a huge picture (a 154 KB PNG of 6300×6300 pixels takes 350 MB to decode): the size
is read from the header and refused above `MAX_IMAGE_PIXELS` before anything is decoded, and a JPEG is
decoded straight at the size it is stored at (Pillow's draft mode). At most `MAX_PHOTOS_PER_REQUEST` photos
are taken from one form; the request's total size is capped by MAX_CONTENT_LENGTH."""
from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

from .. import storage

MAX_PHOTO_BYTES = 8 * 1024 * 1024
FULL, THUMB = 1600, 480
RENDITION_WIDTHS = (240, 480, 720, 1080)  # WebP, each no wider than the original


class PhotoError(ValueError):
    pass


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))  # reads the header only
            if image.width * image.height > current_app.config["MAX_IMAGE_PIXELS"]:
                raise PhotoError(_("The photo is too large (%(w)d×%(h)d pixels): please send one of at most "
                                   "%(mp)d megapixels.", w=image.width, h=image.height,
                                   mp=current_app.config["MAX_IMAGE_PIXELS"] // 1_000_000))
            if image.format == "JPEG":
                image.draft("RGB", (FULL, FULL))  # decode at 1/2, 1/4 or 1/8 when that is still large enough
            image.load()
            return image
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(_("The photo is too large to open safely.")) from error
    except Exception as error:  # Pillow raises many kinds for what is not an image
        raise PhotoError(_("This file is not a photo the shop can read (JPEG, PNG or WebP).")) from error


def check_uploads(photos: list, seller) -> None:
    """Before any photo is opened: how many, and whether this seller may add photos yet."""
    if not photos:
        return
    if not seller.is_verified:
        raise PhotoError(_("Photos can be added once the provincial OCOP office has verified your registration."))
    limit = current_app.config["MAX_PHOTOS_PER_REQUEST"]
    if len(photos) > limit:
        raise PhotoError(_("At most %(n)d photos at a time, please.", n=limit))


@dataclass(frozen=True)
class StoredPhoto:
    filename: str  # the full-size JPEG
    thumbnail: str  # the 480 px JPEG
    widths: str  # the WebP renditions made, "240,480,720": see `srcset`


def save_photo(stream) -> StoredPhoto:
    """Check, re-encode and store a photo (the public storage), with its thumbnail and WebP renditions."""
    data = stream.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(_("A photo may be at most %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    image = ImageOps.exif_transpose(_open(data)).convert("RGB")
    stem = f"products/{uuid.uuid4().hex}"
    full = _scaled(image, FULL)
    _write(f"{stem}.jpg", full, "JPEG", quality=85, optimize=True)
    _write(f"{stem}-thumb.jpg", _scaled(image, THUMB), "JPEG", quality=85, optimize=True)
    return StoredPhoto(f"{stem}.jpg", f"{stem}-thumb.jpg", make_renditions(full, stem))


def make_renditions(image: Image.Image, stem: str) -> str:
    """Write `<stem>-<width>.webp` for each rendition width the image is wide enough for (and one at its own
    width when it is narrower than the widest); return the widths made, as `srcset` reads them."""
    widths = [w for w in RENDITION_WIDTHS if w <= image.width]
    if image.width < RENDITION_WIDTHS[-1] and image.width not in widths:
        widths.append(image.width)
    for width in widths:
        _write(f"{stem}-{width}.webp", _as_wide(image, width), "WEBP", quality=80, method=4)
    return ",".join(map(str, widths))


def make_renditions_of(filename: str) -> str:
    """The WebP renditions of a photo already stored (a demo photo, or one stored before renditions)."""
    with Image.open(io.BytesIO(storage.public().read(filename))) as image:
        return make_renditions(image.convert("RGB"), filename.rsplit(".", 1)[0])


def renditions(filename: str, widths: str | None) -> list[tuple[str, int]]:
    """A stored photo's WebP renditions as (file name, width), narrowest first; none for a photo stored
    before they existed (`flask media renditions` makes them)."""
    stem = filename.rsplit(".", 1)[0]
    return [(f"{stem}-{w}.webp", int(w)) for w in widths.split(",")] if widths else []


def _scaled(image: Image.Image, size: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    return copy


def _as_wide(image: Image.Image, width: int) -> Image.Image:
    """The image `width` pixels wide, whatever its height (a portrait's 720w is 720 px wide, as srcset says)."""
    if width == image.width:
        return image
    return image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)


def _write(name: str, image: Image.Image, kind: str, **options) -> None:
    out = io.BytesIO()
    image.save(out, kind, **options)
    storage.public().save(name, out.getvalue())
