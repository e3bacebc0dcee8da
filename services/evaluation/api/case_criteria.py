"""HTTP API: the criteria set of one case, so that clients (the staff web app) generate the
self-assessment form from it (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.web import Blueprint
from services.evaluation.api.access import case_in_scope
from services.evaluation.api.container import container
from services.evaluation.service.case_criteria import case_criteria

blp = Blueprint("case_criteria", __name__, description="The criteria set of a case")


@blp.route("/cases/<case_id>/criteria")
class CaseCriteria(MethodView):
    @blp.response(200)
    def get(self, case_id: str) -> Any:
        """The criteria set (bộ tiêu chí) the case is scored against, in full."""
        case_in_scope(case_id)
        return case_criteria(container().uow(), case_id=case_id)
