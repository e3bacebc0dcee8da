"""HTTP API: the verification of every audit chain of the awards service (entrypoint layer). A round's
own history is `GET /rounds/{id}/history`; only national auditors and administrators verify every
chain, as in the evaluation service."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.audit_schemas import AuditReportSchema
from common.auth import CHAIN_VERIFIERS
from common.web import Blueprint
from common.web_auth import require_roles, require_scope
from services.awards.api.access import container

blp = Blueprint("audit", __name__, description="Audit trail (nhật ký kiểm toán)")


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @blp.response(200, AuditReportSchema)
    def get(self) -> Any:
        """Recompute every audit chain; `ok` is false and `problems` names them when tampering is found."""
        require_roles(CHAIN_VERIFIERS)
        require_scope(None)  # the whole country: national users only
        uow = container().uow()
        with uow:
            return uow.audit.verify_all(max_problems=100)
