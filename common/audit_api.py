"""HTTP API: verifying every audit chain of a service at once (entrypoint layer, shared by the services
that keep an audit trail). National auditors and administrators only: it spans the whole country."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView

from common.audit_schemas import AuditReportSchema
from common.auth import CHAIN_VERIFIERS
from common.web import Blueprint
from common.web_auth import require_roles, require_scope

MAX_PROBLEMS = 100  # listed in one report; the counts cover every chain


def verify_blueprint(reader: Callable[[], Any]) -> Blueprint:
    """`GET /audit/verify` over the audit trail that the units of work `reader()` gives read."""
    blp = Blueprint("audit_verify", __name__, description="Audit trail verification (kiểm tra nhật ký)")

    @blp.route("/audit/verify")
    class AuditVerify(MethodView):
        @blp.response(200, AuditReportSchema)
        def get(self) -> Any:
            """Recompute every audit chain; `ok` is false and `problems` names them when tampering is found."""
            require_roles(CHAIN_VERIFIERS)
            require_scope(None)  # the whole country: national users only
            uow = reader()
            with uow:
                return uow.audit.verify_all(max_problems=MAX_PROBLEMS)

    return blp
