"""HTTP API: a case's audit history (evaluation service, entrypoint layer): staff and auditors read the
history of a case within their scope. Verifying every chain: common/audit_api.py."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields

from common.audit_schemas import ChainHistorySchema
from common.auth import HISTORY_READERS
from common.web import Blueprint
from services.evaluation.api.access import case_in_scope
from services.evaluation.api.container import container
from services.evaluation.service import audit

blp = Blueprint("audit", __name__, description="Audit trail (nhật ký kiểm toán)")


class CaseHistorySchema(ChainHistorySchema):
    case_id = fields.String()


@blp.route("/cases/<case_id>/history")
class CaseHistory(MethodView):
    @blp.response(200, CaseHistorySchema)
    def get(self, case_id: str) -> Any:
        """The case's audit entries in order, and whether its chain verifies."""
        case_in_scope(case_id, HISTORY_READERS)
        return audit.case_history(container().reader(), case_id=case_id)
