"""Product photos: every upload is opened and re-encoded by Pillow (nothing of the original file
is served), scaled to at most 1600 px, with a 480 px thumbnail for cards.

A small file can hold a huge picture (a 154 KB PNG of 6300×6300 pixels takes 350 MB to decode): the size
is read from the header and refused above `MAX_IMAGE_PIXELS` before anything is decoded, and a JPEG is
decoded straight at the size it is stored at (Pillow's draft mode). At most `MAX_PHOTOS_PER_REQUEST` photos
are taken from one form; the request's total size is capped by MAX_CONTENT_LENGTH."""
from __future__ import annotations

import io
import os
import uuid
import warnings

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 8 * 1024 * 1024
FULL, THUMB = 1600, 480


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


def save_photo(stream) -> tuple[str, str]:
    """Check, re-encode and store a photo; return (file name, thumbnail name) under UPLOAD_DIR."""
    data = stream.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(_("A photo may be at most %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    image = ImageOps.exif_transpose(_open(data)).convert("RGB")
    directory = os.path.join(current_app.config["UPLOAD_DIR"], "products")
    os.makedirs(directory, exist_ok=True)
    stem = uuid.uuid4().hex
    names = []
    for suffix, size in (("", FULL), ("-thumb", THUMB)):
        copy = image.copy()
        copy.thumbnail((size, size))
        name = f"products/{stem}{suffix}.jpg"
        copy.save(os.path.join(current_app.config["UPLOAD_DIR"], name), "JPEG", quality=85, optimize=True)
        names.append(name)
    return names[0], names[1]
