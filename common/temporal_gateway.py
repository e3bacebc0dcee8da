"""Synchronous gateway to Temporal for the Flask services (adapter layer).

Flask views are synchronous; the Temporal client is asyncio. One background event loop per process
runs the client, created lazily so that gunicorn's forked workers each get their own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from common.errors import DependencyUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class StartResult:
    """What starting a workflow did: `created` is False when the id already ran (a duplicate submit)."""

    workflow_id: str
    run_id: str | None
    created: bool


class TemporalGateway:
    """Starts workflows and sends updates/queries from synchronous code."""

    def __init__(self, address: str, namespace: str, *, connect_timeout: float = 5.0) -> None:
        self._address = address
        self._namespace = namespace
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="temporal-gateway", daemon=True).start()
                self._loop = loop
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the gateway loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop()).result(timeout)

    async def _get_client(self) -> Client:
        if self._client is None:
            try:
                self._client = await asyncio.wait_for(
                    Client.connect(self._address, namespace=self._namespace), self._connect_timeout
                )
            except Exception as exc:  # connection refused, timeout, TLS...
                raise DependencyUnavailable("temporal", str(exc)) from exc
        return self._client

    def client(self) -> Client:
        """The connected client (connects on first use)."""
        return self.run(self._get_client())

    def start_workflow(self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str) -> StartResult:
        """Start a workflow by name; an id that already ran gives `created=False`, never a second run."""

        async def _start() -> StartResult:
            client = await self._get_client()
            try:
                handle: WorkflowHandle[Any, Any] = await client.start_workflow(
                    workflow,
                    arg,
                    id=workflow_id,
                    task_queue=task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                )
                return StartResult(workflow_id, handle.first_execution_run_id, True)
            except WorkflowAlreadyStartedError:
                return StartResult(workflow_id, None, False)

        return self._call(_start())

    def execute_update(
        self, workflow_id: str, update: str, arg: Any, *, result_type: type | None = None
    ) -> Any:
        """Send an Update and wait for its result; a refusal raises WorkflowUpdateFailedError."""

        async def _update() -> Any:
            client = await self._get_client()
            handle = client.get_workflow_handle(workflow_id)
            return await handle.execute_update(update, arg, result_type=result_type)

        return self._call(_update())

    def query(self, workflow_id: str, query: str, *, result_type: type | None = None) -> Any:
        """Ask a workflow a query."""

        async def _query() -> Any:
            client = await self._get_client()
            return await client.get_workflow_handle(workflow_id).query(query, result_type=result_type)

        return self._call(_query())

    def check(self) -> None:
        """Raise DependencyUnavailable unless the frontend answers its health check."""

        async def _check() -> None:
            client = await self._get_client()
            await asyncio.wait_for(client.service_client.check_health(), self._connect_timeout)

        self._call(_check())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return self.run(coro)
        except DependencyUnavailable:
            raise
        except Exception as exc:
            from temporalio.service import RPCError

            if isinstance(exc, RPCError | TimeoutError | asyncio.TimeoutError | ConnectionError):
                raise DependencyUnavailable("temporal", str(exc)) from exc
            raise
