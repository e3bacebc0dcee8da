"""Which runner the evaluation worker gives the case workflow (CASE_WORKFLOW_SANDBOX)."""

from __future__ import annotations

import pytest
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from services.evaluation.worker import case_workflow_runner
from workflows.worker import workflow_runner


def test_the_case_workflow_runs_unsandboxed_unless_the_environment_says_on() -> None:
    assert isinstance(case_workflow_runner({}), UnsandboxedWorkflowRunner)
    assert isinstance(case_workflow_runner({"CASE_WORKFLOW_SANDBOX": "off"}), UnsandboxedWorkflowRunner)
    assert isinstance(case_workflow_runner({"CASE_WORKFLOW_SANDBOX": " ON "}), SandboxedWorkflowRunner)
    # the workflow worker, the workflow tests and the history replays keep the sandbox
    assert isinstance(workflow_runner(), SandboxedWorkflowRunner)
    for bad in ("", "yes", "1", "sandbox"):
        with pytest.raises(ValueError, match="CASE_WORKFLOW_SANDBOX"):
            case_workflow_runner({"CASE_WORKFLOW_SANDBOX": bad})
