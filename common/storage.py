"""S3-compatible object storage through the `minio` client (adapter layer)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.error import MinioException

from common.errors import DependencyUnavailable
from common.settings import CommonSettings

PART_SIZE = 8 * 1024 * 1024  # streamed multipart upload: never the whole file in memory


@dataclass(frozen=True)
class StoredObject:
    """What was written: digests and size are computed while streaming, and kept in the database."""

    key: str
    size: int
    sha256: str


class _HashingReader:
    """Wraps a stream; hashes and counts bytes as minio reads them, and enforces a size limit."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self._stream = stream
        self._max = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self._stream.read(n)
        self.size += len(chunk)
        if self.size > self._max:
            raise ObjectTooLarge(self._max)
        self.digest.update(chunk)
        return chunk


class ObjectTooLarge(Exception):
    """The stream exceeded the configured limit; the partial upload is aborted."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"object larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


# MinioException covers S3Error and the non-XML answers (InvalidResponseError, ServerError) a server
# gives when it fails: each is the store being unavailable, never an unhandled 500 of ours.
_UNAVAILABLE = (urllib3.exceptions.HTTPError, ConnectionError, OSError, MinioException)


class ObjectStorage:
    """One bucket on an S3-compatible server (MinIO in production, rclone's S3 server embedded)."""

    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, bucket: str, *, secure: bool, region: str
    ) -> None:
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=60),
            # An S3 "InternalError" (500) is worth another try, as AWS's SDKs do: rclone's server answers
            # it when two uploads create the same folder at once. urllib3 retries idempotent methods
            # only (a part's or an object's PUT, never the POST completing a multipart upload).
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self.bucket = bucket

    @classmethod
    def on(cls, common: CommonSettings, bucket: str) -> ObjectStorage:
        """One bucket of the S3 server the settings name."""
        return cls(
            common.s3_endpoint,
            common.s3_access_key,
            common.s3_secret_key,
            bucket,
            secure=common.s3_secure,
            region=common.s3_region,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (idempotent)."""
        try:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket)
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc

    def check(self) -> None:
        """Raise DependencyUnavailable unless the bucket can be reached."""
        try:
            if not self._client.bucket_exists(self.bucket):
                raise DependencyUnavailable("object_store", f"bucket {self.bucket} missing")
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int) -> StoredObject:
        """Stream an upload to the bucket, hashing on the way; raises ObjectTooLarge past max_bytes."""
        reader = _HashingReader(stream, max_bytes)
        try:
            self._client.put_object(
                self.bucket,
                key,
                reader,
                length=-1,
                part_size=PART_SIZE,
                content_type=content_type,  # type: ignore[arg-type]
            )
        except ObjectTooLarge:
            raise
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc
        return StoredObject(key=key, size=reader.size, sha256=reader.digest.hexdigest())

    def iter_object(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """Stream an object's bytes."""
        try:
            response = self._client.get_object(self.bucket, key)
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc
        try:
            yield from response.stream(chunk_size)
        finally:
            response.close()
            response.release_conn()

    def presigned_get(self, key: str, *, expires: timedelta, filename: str | None = None) -> str:
        """A short-lived download URL."""
        headers = None
        if filename:
            from urllib.parse import quote

            headers = {"response-content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
        try:
            return self._client.presigned_get_object(
                self.bucket, key, expires=expires, response_headers=headers
            )
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc

    def keys(self, prefix: str) -> list[str]:
        """The keys of the objects under `prefix` (the audit anchors: a few thousand a year); none while
        the bucket does not exist."""
        try:
            if not self._client.bucket_exists(self.bucket):
                return []
            listing = self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
            return [o.object_name for o in listing]
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc

    def remove(self, key: str) -> None:
        """Delete an object (used to clean up an upload whose database write failed)."""
        try:
            self._client.remove_object(self.bucket, key)
        except _UNAVAILABLE as exc:
            raise DependencyUnavailable("object_store", str(exc)) from exc
