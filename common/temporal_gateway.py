"""Synchronous gateway to Temporal for the Flask services (adapter layer).

Flask views are synchronous; the Temporal client is asyncio. One background event loop per process
runs the client, created lazily so that gunicorn's forked workers each get their own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from common.errors import DependencyUnavailable
from common.temporal_converter import DATA_CONVERTER

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
                    Client.connect(self._address, namespace=self._namespace, data_converter=DATA_CONVERTER),
                    self._connect_timeout,
                )
            except Exception as exc:  # connection refused, timeout, TLS...
                raise DependencyUnavailable("temporal", str(exc) or type(exc).__name__) from exc
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

    def start_and_wait(
        self,
        workflow: str,
        arg: Any,
        *,
        workflow_id: str,
        task_queue: str,
        update: str,
        timeout: float,
        result_type: type | None = None,
    ) -> tuple[StartResult, Any | None]:
        """Start a workflow and wait at most `timeout` seconds for an argument-less Update's result, in
        one request (update-with-start: the Update rides in the workflow's first task).

        Same idempotency as `start_workflow`: an id that is running or already ran starts nothing
        (`created=False`) and the Update goes to that workflow. The result is None when the Update did
        not answer in time, was refused, or the workflow is closed; the workflow is started all the
        same. Raises DependencyUnavailable when Temporal cannot be reached, or when the wait ran out
        before Temporal had even recorded the start."""
        from temporalio.client import (
            WithStartWorkflowOperation,
            WorkflowUpdateFailedError,
            WorkflowUpdateRPCTimeoutOrCancelledError,
        )
        from temporalio.common import WorkflowIDConflictPolicy
        from temporalio.service import RPCError, RPCStatusCode

        async def _open() -> tuple[StartResult, Any | None]:
            client = await self._get_client()
            op: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
                workflow,
                arg,
                id=workflow_id,
                task_queue=task_queue,
                # FAIL, not USE_EXISTING: an existing id answers at once, so a success (or a wait that
                # ran out after the start was recorded) means this very call started the workflow.
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            )
            call = asyncio.ensure_future(
                client.execute_update_with_start_workflow(
                    update, start_workflow_operation=op, result_type=result_type
                )
            )
            done, _ = await asyncio.wait({call}, timeout=timeout)
            if not done:
                call.cancel()
            await asyncio.gather(call, return_exceptions=True)  # settled: so is the start's outcome
            try:  # set by the start's answer, or by the failure that came instead
                handle = await asyncio.wait_for(op.workflow_handle(), 1.0)
                run_id: str | None = handle.first_execution_run_id
            except WorkflowAlreadyStartedError:
                return StartResult(workflow_id, None, False), await self._wait(
                    workflow_id, update, timeout, result_type
                )
            except (Exception, asyncio.CancelledError):  # no answer to the start: recorded or not?
                try:
                    run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
                except RPCError as exc:
                    if exc.status == RPCStatusCode.NOT_FOUND:  # Temporal never recorded the start
                        raise DependencyUnavailable("temporal", "starting the workflow timed out") from exc
                    raise
            started = StartResult(workflow_id, run_id, True)
            if call.cancelled():
                return started, None  # the wait ran out: started, not open yet
            exc = call.exception()
            if exc is None:
                return started, call.result()
            if isinstance(
                exc, WorkflowUpdateFailedError | WorkflowUpdateRPCTimeoutOrCancelledError | RPCError
            ):
                return started, None  # refused, or the update's answer was lost: started all the same
            raise exc

        return self._call(_open(), timeout=timeout + 5.0)

    async def _wait(
        self, workflow_id: str, update: str, timeout: float, result_type: type | None
    ) -> Any | None:
        """An argument-less Update's result within `timeout` seconds, else None (see `wait_update`)."""
        from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
        from temporalio.service import RPCError

        client = await self._get_client()
        handle = client.get_workflow_handle(workflow_id)
        try:
            return await asyncio.wait_for(handle.execute_update(update, result_type=result_type), timeout)
        # the SDK turns wait_for's cancellation into WorkflowUpdateRPCTimeoutOrCancelledError
        except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError, TimeoutError):
            return None

    def execute_update(
        self, workflow_id: str, update: str, arg: Any, *, result_type: type | None = None
    ) -> Any:
        """Send an Update and wait for its result; a refusal raises WorkflowUpdateFailedError."""

        async def _update() -> Any:
            client = await self._get_client()
            handle = client.get_workflow_handle(workflow_id)
            return await handle.execute_update(update, arg, result_type=result_type)

        return self._call(_update())

    def wait_update(
        self, workflow_id: str, update: str, *, timeout: float, result_type: type | None = None
    ) -> Any | None:
        """Send an Update without argument and wait at most `timeout` seconds for its result; None when
        it did not answer in time, was refused, or the workflow is closed (the caller goes on without)."""
        try:
            return self.run(self._wait(workflow_id, update, timeout, result_type), timeout=timeout + 1.0)
        except concurrent.futures.TimeoutError:
            return None

    def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        """Send a signal (no answer expected)."""

        async def _signal() -> None:
            client = await self._get_client()
            handle = client.get_workflow_handle(workflow_id)
            await (handle.signal(signal) if arg is None else handle.signal(signal, arg))

        self._call(_signal())

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

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        try:
            return self.run(coro, timeout)
        except DependencyUnavailable:
            raise
        except Exception as exc:
            from temporalio.service import RPCError

            if isinstance(exc, RPCError | TimeoutError | asyncio.TimeoutError | ConnectionError):
                raise DependencyUnavailable("temporal", str(exc) or type(exc).__name__) from exc
            raise
