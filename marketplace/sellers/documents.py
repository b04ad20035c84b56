"""Uploaded registration certificates: checked by their content, never by their name, and kept in the
private storage under a random name (served only by the app, to those who may read them)."""
from __future__ import annotations

import io
import os
import uuid
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image

from .. import storage

MAX_PIXELS = 60_000_000  # a 60-megapixel scan or photo is plenty; more is a decompression bomb
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class DocumentError(ValueError):
    pass


@dataclass
class CheckedDocument:
    data: bytes
    content_type: str
    extension: str
    original_name: str


def check_document(stream, original_name: str, max_bytes: int) -> CheckedDocument:
    """A PDF, JPEG or PNG of at most max_bytes, by its content; images must open and be sane."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentError(_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    if not data:
        raise DocumentError(_("The file is empty."))
    kind = next(((content_type, extension) for signature, content_type, extension in _SIGNATURES
                 if data.startswith(signature)), None)
    if kind is None:
        raise DocumentError(_("Upload a PDF, JPEG or PNG file."))
    content_type, extension = kind
    if content_type.startswith("image/"):
        _check_image(data)
    elif b"%%EOF" not in data[-2048:]:
        raise DocumentError(_("The PDF file is incomplete or damaged."))
    return CheckedDocument(data, content_type, extension, os.path.basename(original_name or "")[:255])


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise DocumentError(_("The image is too large (%(w)d×%(h)d pixels).",
                                          w=image.width, h=image.height))
                image.verify()
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DocumentError(_("The image is too large to open safely.")) from error
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise DocumentError(_("The image cannot be read: it is damaged or not really an image.")) from error


def store(document: CheckedDocument) -> str:
    """Keep the file under a random name in the private storage; return that name."""
    name = f"{uuid.uuid4().hex}.{document.extension}"
    storage.private().save(_key(name), document.data)
    return name


def remove(stored_name: str) -> None:
    storage.private().delete(_key(stored_name))


def send(stored_name: str, *, mimetype: str, download_name: str):
    """The file as a download, for a reader the caller has checked."""
    return storage.private().send(_key(stored_name), mimetype=mimetype, download_name=download_name)


def _key(stored_name: str) -> str:
    return f"registrations/{stored_name}"
