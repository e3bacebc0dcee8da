"""HTTP API: subjects — households, citizens, clans, units (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from common.auth import HOUSEHOLD_REPRESENTATIVE, REGISTER_READERS
from common.errors import NotFound
from common.web import MAX_OFFSET, Blueprint, Schema
from services.evaluation.adapters.subject_repository import SUBJECT_KINDS
from services.evaluation.api.access import own_household, register_filters, subject_in_scope
from services.evaluation.api.container import container
from services.evaluation.service import subjects

# A household representative reads its own household (its name, code and members on its pages).
SUBJECT_READERS = REGISTER_READERS | {HOUSEHOLD_REPRESENTATIVE}

blp = Blueprint("subjects", __name__, url_prefix="/subjects", description="Subjects of recognition")


class SubjectQueryArgsSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    within = fields.String(validate=validate.Length(max=40))
    village = fields.String(validate=validate.Length(max=40))
    q = fields.String(validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class MemberSchema(Schema):
    id = fields.String()
    citizen_key = fields.String()
    full_name = fields.String()
    birth_year = fields.Integer()
    gender = fields.String()
    citizen_group = fields.String()
    relation = fields.String(allow_none=True)


class SubjectSchema(Schema):
    id = fields.String()
    kind = fields.String()
    code = fields.String()
    name = fields.String()
    commune_code = fields.String()
    village_code = fields.String(allow_none=True)
    member_count = fields.Integer()
    members = fields.List(fields.Nested(MemberSchema))


class SubjectPageSchema(Schema):
    items = fields.List(fields.Nested(SubjectSchema))
    total = fields.Integer()


@blp.route("")
class Subjects(MethodView):
    @blp.arguments(SubjectQueryArgsSchema(), location="query")
    @blp.response(200, SubjectPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Subjects of one kind within my scope, paged, filtered by admin unit, village and name."""
        args.update(register_filters(args.get("within"), args.get("village")))
        return subjects.list_subjects(container().reader(), **args)


@blp.route("/<any(household,citizen,clan,unit):kind>/<subject_id>")
class SubjectById(MethodView):
    @blp.response(200, SubjectSchema)
    def get(self, kind: str, subject_id: str) -> Any:
        """One subject (a household with its members) within my scope; a household representative reads
        its own household only (any other subject: 404, as a missing one)."""
        who = subject_in_scope(kind, subject_id, SUBJECT_READERS)
        if who.role == HOUSEHOLD_REPRESENTATIVE and (
            kind != "household" or not own_household(who, subject_id)
        ):
            raise NotFound(f"Không tìm thấy đối tượng {subject_id}.", f"Subject {subject_id} not found.")
        return subjects.get_subject_or_raise(container().reader(), kind=kind, subject_id=subject_id)
