"""HTTP API: the task inbox (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.auth import HOUSEHOLD_REPRESENTATIVE
from common.web import Blueprint
from services.evaluation.api.access import signed_in
from services.evaluation.api.container import container
from services.evaluation.api.schemas import TaskPageSchema, TaskQueryArgsSchema
from services.evaluation.service import tasks

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="Task inbox")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQueryArgsSchema(), location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Cases waiting on my role within my scope: escalated first, then soonest due."""
        who = signed_in()
        mine = args.pop("mine")
        return tasks.list_tasks(
            container().reader(),
            role=who.role,
            scope_code=who.scope_code,
            mine_only_for=who.username if mine else None,
            # a household representative sees its own household's cases only (none without a link)
            subject_id=(who.subject_id or "") if who.role == HOUSEHOLD_REPRESENTATIVE else None,
            **args,
        )
