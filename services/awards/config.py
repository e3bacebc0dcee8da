"""Awards service settings (composition-root input)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, database_url
from workflows import ids

SERVICE = "awards"


@dataclass(frozen=True)
class Settings:
    """Everything the awards processes need."""

    database_url: str = field(default="sqlite:///var/awards.db", repr=False)  # may hold a password
    common: CommonSettings = field(default_factory=CommonSettings)
    documents_bucket: str = "awards"  # evidence, decisions and dossiers of award rounds
    workflow_task_queue: str = ids.WORKFLOW_TASK_QUEUE
    activity_task_queue: str = ids.AWARDS_TASK_QUEUE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment once, in an entrypoint."""
        e = os.environ if env is None else env
        return cls(
            database_url=database_url(SERVICE, e),
            common=CommonSettings.from_env(e),
            documents_bucket=e.get("AWARDS_BUCKET", "awards"),
        )
