"""HTTP API: a case's audit history and the verification of every audit chain (evaluation service,
entrypoint layer). Staff and auditors read the history of a case within their scope; only national
auditors and administrators verify every chain."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields

from common.audit_schemas import AuditReportSchema, ChainHistorySchema
from common.auth import CHAIN_VERIFIERS, HISTORY_READERS
from common.web import Blueprint
from common.web_auth import require_roles, require_scope
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


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, AuditReportSchema)
    def get(self) -> Any:
        """Recompute every audit chain; `ok` is false and `problems` names them when tampering is found."""
        require_roles(CHAIN_VERIFIERS)
        require_scope(None)  # the whole country: national users only
        return audit.verify_audit(container().reader())
