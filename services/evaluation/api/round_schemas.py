"""Request and response schemas of the yearly round's HTTP API (api/rounds.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import MAX_OFFSET, Schema
from services.evaluation.domain.model import TITLES
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc


class RoundCreateSchema(Schema):
    admin_unit_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    plan_code = fields.String(validate=validate.Length(min=1, max=80))


class RoundOpenedSchema(Schema):
    id = fields.String()
    workflow_id = fields.String()
    created = fields.Boolean()


class ObjectionSchema(Schema):
    id = fields.String()
    round_id = fields.String()
    case_id = fields.String(allow_none=True)
    filed_by = fields.String()
    content = fields.String()
    status = fields.String()
    assignee = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    upheld = fields.Boolean(allow_none=True)
    version = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DecisionSchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    amends_id = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    number_text = fields.String()
    symbol = fields.String()
    status = fields.String()
    signed_by = fields.String(allow_none=True)
    signer_name = fields.String(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    recognised = fields.Integer()
    not_recognised = fields.Integer()
    documents = fields.Dict()


class _RoundFieldsSchema(Schema):
    """What a round is, in the list and in full."""

    id = fields.String()
    workflow_id = fields.String()
    admin_unit_code = fields.String()
    year = fields.Integer()
    plan_code = fields.String()
    phase = fields.String()
    version = fields.Integer()
    self_assessment_closes = fields.Date(allow_none=True)
    posting_starts = fields.Date(allow_none=True)
    objections_close = fields.Date(allow_none=True)


class DependencyWarningSchema(Schema):
    """A recorded recognition a later revocation left short of its dependency, still standing."""

    case_id = fields.String()
    subject_id = fields.String()
    subject_name = fields.String(allow_none=True)
    village_code = fields.String(allow_none=True)
    title = fields.String()
    decision_id = fields.String()
    decision_number = fields.String()
    reason = fields.String(allow_none=True)
    trigger = fields.String()  # the revoking decision's id
    trigger_number = fields.String()
    flagged_at = fields.DateTime()
    flagged_by = fields.String()


class RoundSchema(_RoundFieldsSchema):
    council = fields.Dict(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    objections = fields.List(fields.Nested(ObjectionSchema))
    decisions = fields.List(fields.Nested(DecisionSchema))
    dependency_warnings = fields.List(fields.Nested(DependencyWarningSchema))
    admin_unit_name = fields.String(allow_none=True, metadata={"description": "The commune's name"})


class RoundQueryArgsSchema(Schema):
    admin_unit_code = fields.String(validate=validate.Length(min=1, max=20))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    phase = fields.String(validate=validate.OneOf(rc.PHASES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class RoundSummarySchema(_RoundFieldsSchema):
    admin_unit_name = fields.String(allow_none=True)
    opened_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RoundPageSchema(Schema):
    items = fields.List(fields.Nested(RoundSummarySchema))
    total = fields.Integer()


class ObjectionCreateSchema(Schema):
    filed_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    case_id = fields.String(validate=validate.Length(min=1, max=36))


class ObjectionAssignSchema(Schema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=120))


class ObjectionResolveSchema(Schema):
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    upheld = fields.Boolean(required=True)


class VoteSchema(Schema):
    case_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    in_favour = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    against = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    abstain = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1000))


class CouncilSchema(Schema):
    met_on = fields.Date(required=True)
    chair = fields.String(required=True, validate=validate.Length(min=1, max=200))
    secretary = fields.String(required=True, validate=validate.Length(min=1, max=200))
    attendance = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(min=1, max=200),
    )
    absent = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=200),
    )
    votes = fields.List(fields.Nested(VoteSchema), load_default=list, validate=validate.Length(max=20000))
    notes = fields.String(load_default="", validate=validate.Length(max=10000))


class SignSchema(Schema):
    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    signed_on = fields.Date(required=True)


class RoundStepSchema(Schema):
    phase = fields.String()
    version = fields.Integer()


class ListArgsSchema(Schema):
    kind = fields.String(
        load_default="recognition", validate=validate.OneOf(("recognition", "supplementary"))
    )
    title = fields.String(validate=validate.OneOf(TITLES))
    outcome = fields.String(validate=validate.OneOf(lc.OUTCOMES))
    village = fields.String(validate=validate.Length(max=40))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ListItemSchema(Schema):
    decision_id = fields.String()
    case_id = fields.String()
    title = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    subject_code = fields.String(allow_none=True, metadata={"description": "The subject's register code"})
    village_code = fields.String(allow_none=True)
    village_name = fields.String(allow_none=True)
    outcome = fields.String()
    reason = fields.String(allow_none=True)
    recorded = fields.Boolean()
    revoked = fields.Boolean(metadata={"description": "Its recognition was revoked by an amending decision"})


class ListPageSchema(Schema):
    items = fields.List(fields.Nested(ListItemSchema))
    total = fields.Integer()


class AmendmentSchema(Schema):
    decision_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    kind = fields.String(required=True, validate=validate.OneOf(("correction", "revocation")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    changes = fields.List(
        fields.String(validate=validate.Length(min=1, max=1000)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    case_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)),
        load_default=list,
        validate=validate.Length(max=10000),
    )
    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    signed_on = fields.Date(required=True)


class DocumentsArgsSchema(Schema):
    case_id = fields.String(validate=validate.Length(min=1, max=36))


class DocumentLinkSchema(Schema):
    decision_id = fields.String(allow_none=True)
    case_id = fields.String(allow_none=True)
    kind = fields.String()
    sha256 = fields.String()
    media_type = fields.String()
    url = fields.String()


class DocumentsSchema(Schema):
    items = fields.List(fields.Nested(DocumentLinkSchema))
