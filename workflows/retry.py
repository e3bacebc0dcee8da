"""Named retry policies and timeouts for activity calls (imported by workflows)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Database writes through a service: retried for a long time, because an outage of the service's
# database must delay a case, never fail it.
DATABASE_WRITE = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["ValidationFailed", "NotFound", "InvalidTransition"],
)
DATABASE_WRITE_TIMEOUT = timedelta(seconds=30)
# Long activities (a page of the batch decision, documents) heartbeat while they run: a worker killed in
# the middle of one is noticed within this, not after the activity's whole start-to-close timeout.
HEARTBEAT_TIMEOUT = timedelta(seconds=30)

# Award round steps (NominationRound): the same, and the awards service's business refusals are final.
AWARDS_WRITE = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[
        "ValidationFailed", "NotFound", "InvalidTransition", "WrongPhase", "RoundNotFound", "QuotaExceeded",
    ],
)  # fmt: skip
