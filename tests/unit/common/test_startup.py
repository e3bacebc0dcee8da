"""Waiting for dependencies at process start (common/startup.py): retried with backoff, each failed
attempt logged with the name of what is awaited, the last error raised when the time is up."""

from __future__ import annotations

import logging

import pytest

from common.startup import wait_for, wait_for_async


def test_wait_for_retries_until_the_dependency_answers_and_names_it_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError("connection refused")
        return "up"

    with caplog.at_level(logging.INFO, logger="common.startup"):
        assert wait_for("object store", attempt, timeout=10) == "up"
    assert len(calls) == 3
    lines = [r.getMessage() for r in caplog.records if r.name == "common.startup"]
    assert len(lines) == 2
    assert lines[0].startswith("waiting for object store (attempt 1 failed: connection refused); retrying in")
    assert "<unknown>" not in " ".join(lines)


def test_wait_for_raises_the_last_error_when_the_time_is_up() -> None:
    def attempt() -> None:
        raise ConnectionRefusedError("still down")

    with pytest.raises(ConnectionRefusedError, match="still down"):
        wait_for("database", attempt, timeout=0.3)


async def test_wait_for_async_names_the_dependency(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def attempt() -> int:
        calls.append(1)
        if len(calls) < 2:
            raise RuntimeError("Failed client connect")
        return 7

    with caplog.at_level(logging.INFO, logger="common.startup"):
        assert await wait_for_async("Temporal", attempt, timeout=10) == 7
    assert [r.getMessage().split(";")[0] for r in caplog.records if r.name == "common.startup"] == [
        "waiting for Temporal (attempt 1 failed: Failed client connect)"
    ]
