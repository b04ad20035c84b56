"""Uploaded files, through one interface: the local disk by default, S3-compatible object storage when
`S3_BUCKET` is set (several app servers then see the same files).

Two areas: `public()` holds what anyone may see (product and combo photos, served at /media/…), and
`private()` what only its owner and the office may read (registration certificates), which is served only
by the app after its access check: no public address is ever made for it. On S3 both live in one bucket
that stays private, under the prefixes `media/` and `private/`; the app reads objects with its own
credentials and answers them itself (photos are cached a year by browsers and any CDN in front, so that is
rare)."""
from __future__ import annotations

import contextlib
import mimetypes
import os
from typing import Protocol

from flask import Flask, Response, current_app, send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join


class Storage(Protocol):
    def save(self, name: str, data: bytes) -> None: ...
    def read(self, name: str) -> bytes: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def send(self, name: str, *, max_age: int | None = None, download_name: str | None = None,
             mimetype: str | None = None) -> Response: ...


class LocalStorage:
    """A folder named by a setting (read when used: a test may point it elsewhere)."""

    def __init__(self, setting: str):
        self.setting = setting

    @property
    def root(self) -> str:
        return current_app.config[self.setting]

    def _path(self, name: str) -> str:
        path = safe_join(self.root, name)
        if path is None:
            raise NotFound()
        return path

    def save(self, name: str, data: bytes) -> None:
        path = self._path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def read(self, name: str) -> bytes:
        with open(self._path(name), "rb") as f:
            return f.read()

    def exists(self, name: str) -> bool:
        return os.path.isfile(self._path(name))

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(name))

    def send(self, name: str, *, max_age=None, download_name=None, mimetype=None) -> Response:
        path = self._path(name)
        if not os.path.isfile(path):
            raise NotFound()
        return send_file(path, mimetype=mimetype, max_age=max_age, as_attachment=download_name is not None,
                         download_name=download_name)


class S3Storage:
    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, name: str) -> str:
        if name.startswith("/") or ".." in name.split("/"):
            raise NotFound()
        return self.prefix + name

    def save(self, name: str, data: bytes) -> None:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data, ContentType=content_type)

    def read(self, name: str) -> bytes:
        return self._get(name)["Body"].read()

    def _get(self, name: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except self.client.exceptions.ClientError as error:  # no such key, or a key S3 refuses (a NUL in it)
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            if 400 <= status < 500:
                raise NotFound() from error
            raise

    def exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
            return True
        except self.client.exceptions.ClientError:
            return False

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def send(self, name: str, *, max_age=None, download_name=None, mimetype=None) -> Response:
        found = self._get(name)
        response = Response(found["Body"].iter_chunks(64 * 1024), direct_passthrough=True,
                            mimetype=mimetype or found.get("ContentType") or "application/octet-stream")
        response.content_length = found.get("ContentLength")
        if max_age is not None:
            response.cache_control.public = True
            response.cache_control.max_age = max_age
        if download_name is not None:
            response.headers.set("Content-Disposition", "attachment", filename=download_name)
        return response


def init_app(app: Flask) -> None:
    bucket = app.config.get("S3_BUCKET")
    if bucket:
        import boto3
        client = boto3.client("s3", endpoint_url=app.config.get("S3_ENDPOINT_URL") or None,
                              region_name=app.config.get("S3_REGION") or None)
        areas = {"public": S3Storage(client, bucket, "media/"), "private": S3Storage(client, bucket, "private/")}
    else:
        os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
        areas = {"public": LocalStorage("UPLOAD_DIR"), "private": LocalStorage("PRIVATE_UPLOAD_DIR")}
    app.extensions["storage"] = areas


def public() -> Storage:
    return current_app.extensions["storage"]["public"]


def private() -> Storage:
    return current_app.extensions["storage"]["private"]
