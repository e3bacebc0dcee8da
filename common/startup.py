"""Waiting for dependencies at process start: the stack's processes start together (adapter layer)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, Retrying, stop_after_delay, wait_exponential

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _log_wait(what: str) -> Callable[[RetryCallState], None]:
    """A log line per failed attempt that names what is awaited (tenacity's own line names the
    function, which is a lambda or a bound method here: "<unknown>")."""

    def log(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        logger.info(
            "waiting for %s (attempt %d failed: %s); retrying in %.1f s",
            what,
            state.attempt_number,
            error,
            delay,
        )

    return log


def wait_for(what: str, attempt: Callable[[], T], *, timeout: float = 120.0) -> T:
    """Retry `attempt` with backoff until it succeeds or `timeout` seconds pass."""
    for retry in Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
        before_sleep=_log_wait(what),
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
        before_sleep=_log_wait(what),
    ):
        with retry:
            return await attempt()
    raise AssertionError(f"unreachable: {what}")
