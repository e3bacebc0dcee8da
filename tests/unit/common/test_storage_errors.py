"""How the object-storage adapter meets a failing S3 server: it tries again, then says the store is
unavailable (a 503 for the API), never an unhandled error.

The server here answers as rclone's S3 server does when two uploads create the same folder at once
(seen in CI: one of two files uploaded together failed with a 500): an S3 "InternalError" whose
Content-Type minio does not take for XML, so minio raises InvalidResponseError, not S3Error.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common.errors import DependencyUnavailable
from common.storage import ObjectStorage, StoredObject

INTERNAL_ERROR = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>InternalError</Code>\n'
    b"  <Message>Internal Error</Message>\n</Error>"
)


class FlakyS3:
    """Answers the first `failures` PUTs with rclone's InternalError, later ones with success."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.puts = 0


@pytest.fixture
def flaky_s3() -> Iterator[tuple[FlakyS3, str]]:
    state = FlakyS3(failures=0)

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.puts += 1
            if state.puts <= state.failures:
                self.send_response(500)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(INTERNAL_ERROR)))
                self.end_headers()
                self.wfile.write(INTERNAL_ERROR)
                return
            self.send_response(200)
            self.send_header("ETag", '"0123456789abcdef0123456789abcdef"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _storage(endpoint: str) -> ObjectStorage:
    return ObjectStorage(endpoint, "key", "secret", "evidence", secure=False, region="us-east-1")


def _upload(storage: ObjectStorage) -> StoredObject:
    return storage.put_stream(
        "cases/c/e", io.BytesIO(b"%PDF-1.4\n"), content_type="application/pdf", max_bytes=1024
    )


def test_an_internal_error_is_tried_again_and_the_upload_succeeds(flaky_s3: tuple[FlakyS3, str]) -> None:
    state, endpoint = flaky_s3
    state.failures = 1
    stored = _upload(_storage(endpoint))
    assert state.puts == 2
    assert stored.size == len(b"%PDF-1.4\n")


def test_a_server_that_keeps_failing_is_reported_unavailable(flaky_s3: tuple[FlakyS3, str]) -> None:
    state, endpoint = flaky_s3
    state.failures = 100
    with pytest.raises(DependencyUnavailable) as raised:
        _upload(_storage(endpoint))
    assert raised.value.dependency == "object_store"
    assert state.puts == 3  # the first try and two more
