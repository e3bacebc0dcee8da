"""Waiting for dependencies at process start: the stack's processes start together (adapter layer)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, Retrying, before_sleep_log, stop_after_delay, wait_exponential

logger = logging.getLogger(__name__)
T = TypeVar("T")


def wait_for(what: str, attempt: Callable[[], T], *, timeout: float = 120.0) -> T:
    """Retry `attempt` with backoff until it succeeds or `timeout` seconds pass."""
    for retry in Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
        before_sleep=before_sleep_log(logger, logging.INFO),
    ):
        with retry:
            return attempt()
    raise AssertionError(f"unreachable: {what}")


async def wait_for_async(what: str, attempt: Callable[[], Awaitable[T]], *, timeout: float = 120.0) -> T:
    """The same for a coroutine, e.g. connecting the Temporal client."""
    async for retry in AsyncRetrying(
        stop=stop_after_delay(timeout),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
        before_sleep=before_sleep_log(logger, logging.INFO),
    ):
        with retry:
            return await attempt()
    raise AssertionError(f"unreachable: {what}")
