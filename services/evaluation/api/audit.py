"""HTTP API: a case's audit history and the verification of every audit chain (evaluation service,
entrypoint layer). Staff and auditors read the history of a case within their scope; only national
auditors and administrators verify every chain."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields

from common.auth import CHAIN_VERIFIERS, HISTORY_READERS
from common.web import Blueprint, Schema
from common.web_auth import require_roles, require_scope
from services.evaluation.api.access import case_in_scope
from services.evaluation.api.container import container
from services.evaluation.service import audit

blp = Blueprint("audit", __name__, description="Audit trail (nhật ký kiểm toán)")


class AuditEntrySchema(Schema):
    seq = fields.Integer()
    position = fields.Integer()
    entry_id = fields.String()
    at = fields.DateTime()
    action = fields.String()
    actor = fields.String()
    role = fields.String(allow_none=True)
    on_behalf_of = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    criteria_set_key = fields.String(allow_none=True)
    evidence_sha256 = fields.List(fields.String())
    workflow_id = fields.String(allow_none=True)
    run_id = fields.String(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class VerifyResultSchema(Schema):
    chain = fields.String()
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Entries verified before the first problem"})
    first_bad_seq = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True, metadata={"description": "altered, missing, truncated, ..."})
    problem = fields.String(allow_none=True)


class CaseHistorySchema(Schema):
    case_id = fields.String()
    chain = fields.String()
    verified = fields.Boolean()
    verification = fields.Nested(VerifyResultSchema)
    entries = fields.List(fields.Nested(AuditEntrySchema))


class AuditReportSchema(Schema):
    ok = fields.Boolean()
    chains = fields.Integer()
    entries = fields.Integer()
    bad_chains = fields.Integer()
    problems = fields.List(fields.Nested(VerifyResultSchema))


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
