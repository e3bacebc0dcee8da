"""HTTP shapes of the audit trail, shared by the services that keep one (entrypoint layer): an entry, a
chain's verdict, a chain's history, the report on every chain."""

from __future__ import annotations

from marshmallow import fields

from common.web import Schema


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


class ChainHistorySchema(Schema):
    chain = fields.String()
    verified = fields.Boolean()
    verification = fields.Nested(VerifyResultSchema)
    entries = fields.List(fields.Nested(AuditEntrySchema))


class AnchorProblemSchema(Schema):
    kind = fields.String(metadata={"description": "rewritten | broken_sequence"})
    seq_from = fields.Integer()
    seq_to = fields.Integer()
    problem = fields.String()


class AnchorReportSchema(Schema):
    checked = fields.Boolean(metadata={"description": "false when the object store could not be read"})
    anchors = fields.Integer()
    problems = fields.List(fields.Nested(AnchorProblemSchema))
    unavailable = fields.String(allow_none=True)


class AuditReportSchema(Schema):
    ok = fields.Boolean(metadata={"description": "false when a chain or an anchor shows tampering"})
    chains = fields.Integer()
    entries = fields.Integer()
    bad_chains = fields.Integer()
    problems = fields.List(fields.Nested(VerifyResultSchema))
    anchors = fields.Nested(
        AnchorReportSchema,
        allow_none=True,
        metadata={"description": "The anchors in object storage recomputed (docs/audit.md); null: none kept"},
    )
