"""The documents store: one small interface over where the portal keeps files (rendered PDFs, exports, archives).

- ``local`` (default): a folder, DOCUMENTS_FOLDER. Writes go to a temporary name in the same folder and are renamed
  into place, so a reader never sees half a file and a crash leaves at most a ``.tmp-*`` file behind.
- ``s3``: an S3-compatible object store through boto3 (AWS S3, MinIO, Ceph RGW, ...), for several app servers
  behind one load balancer. Settings: DOCUMENTS_STORE=s3, S3_BUCKET, S3_PREFIX (optional), S3_ENDPOINT_URL
  (for a store that is not AWS), S3_REGION; credentials the usual boto3 way (AWS_ACCESS_KEY_ID /
  AWS_SECRET_ACCESS_KEY or an instance role).

Keys are relative paths with forward slashes (``cache/pdf/<hash>.pdf``); ``..``, absolute paths and backslashes
are refused so that no key can reach outside the store.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from flask import Flask, Response, current_app, send_file

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
CHUNK = 256 * 1024


def check_key(key: str) -> str:
    """The key itself, if it is a safe relative path; ValueError otherwise."""
    if not isinstance(key, str) or len(key) > 500 or not _KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"not a valid store key: {key!r}")
    return key


class Store(Protocol):
    """What the portal needs from a place that keeps files."""

    name: str

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def modified(self, key: str) -> datetime | None: ...  # when last written (naive UTC), None if absent
    def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool = False) -> Response: ...


class LocalStore:
    """Files in a folder (the default)."""

    name = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def modified(self, key: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path(key).stat().st_mtime, timezone.utc).replace(tzinfo=None)
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.relative_to(self.root).as_posix()

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool = False) -> Response:
        return send_file(self.path(key), mimetype=mimetype, download_name=download_name, as_attachment=as_attachment,
                         max_age=0)


class S3Store:
    """Objects in an S3-compatible bucket (boto3), under an optional prefix."""

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 client=None):
        if not bucket:
            raise ValueError("DOCUMENTS_STORE=s3 needs S3_BUCKET")
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _missing(self, exc) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)  # an object appears whole or not

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except Exception as exc:
            if self._missing(exc):
                raise KeyError(key) from None
            raise

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])
        except Exception as exc:
            if self._missing(exc):
                return None
            raise

    def modified(self, key: str) -> datetime | None:
        try:
            when = self.client.head_object(Bucket=self.bucket, Key=self._key(key))["LastModified"]
        except Exception as exc:
            if self._missing(exc):
                return None
            raise
        return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool = False) -> Response:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            if self._missing(exc):
                raise KeyError(key) from None
            raise
        body = obj["Body"]

        def chunks():
            try:
                while True:
                    data = body.read(CHUNK)
                    if not data:
                        break
                    yield data
            finally:
                body.close()

        from werkzeug.http import quote_header_value

        disposition = "attachment" if as_attachment else "inline"
        response = Response(chunks(), mimetype=mimetype, direct_passthrough=True)
        response.headers["Content-Length"] = str(obj["ContentLength"])
        response.headers["Content-Disposition"] = f"{disposition}; filename={quote_header_value(download_name)}"
        response.headers["Cache-Control"] = "no-cache"
        return response


def make_store(config) -> Store:
    """The store the configuration names (DOCUMENTS_STORE: local or s3)."""
    kind = (config.get("DOCUMENTS_STORE") or "local").lower()
    if kind == "local":
        return LocalStore(config["DOCUMENTS_FOLDER"])
    if kind == "s3":
        return S3Store(config.get("S3_BUCKET", ""), config.get("S3_PREFIX", ""), config.get("S3_ENDPOINT_URL"),
                       config.get("S3_REGION"))
    raise ValueError(f"DOCUMENTS_STORE must be local or s3, not {kind!r}")


def init_app(app: Flask) -> None:
    app.extensions["portal_store"] = make_store(app.config)


def store() -> Store:
    """The documents store of the current app."""
    found = current_app.extensions.get("portal_store")
    if found is None:
        found = current_app.extensions["portal_store"] = make_store(current_app.config)
    return found
