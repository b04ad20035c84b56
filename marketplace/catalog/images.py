"""Product photos: every upload is opened and re-encoded by Pillow (nothing of the original file
is served), scaled to at most 1600 px, with a 480 px thumbnail for cards."""
from __future__ import annotations

import io
import os
import uuid
import warnings

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
FULL, THUMB = 1600, 480


class PhotoError(ValueError):
    pass


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(_("The photo is too large (%(w)d×%(h)d pixels).", w=image.width, h=image.height))
            image.load()
            return image
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(_("The photo is too large to open safely.")) from error
    except Exception as error:  # Pillow raises many kinds for what is not an image
        raise PhotoError(_("This file is not a photo Pillow can read (JPEG, PNG or WebP).")) from error


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
