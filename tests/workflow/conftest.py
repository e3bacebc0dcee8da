"""Each workflow test module runs on a time-skipping server of its own.

Workflows here wait on timers days to months long. On one server shared by the session, time jumps
whenever any test awaits a workflow result or sleeps, and the cases earlier modules leave running keep
firing their timers: a later module found its clock months ahead (a round already past its
nomination phase) or its `env.sleep` timing out behind every other module's timers. A server per
module (about a second to start) keeps each module's clock and history its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import start_workflow_environment


@pytest.fixture(scope="module")
async def temporal_env(request: pytest.FixtureRequest) -> AsyncIterator[WorkflowEnvironment]:
    env = await start_workflow_environment(request.config.getoption("--workflow-environment"))
    yield env
    await env.shutdown()
