"""HTTP API: recognition cases (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.evaluation.api.container import actor, container
from services.evaluation.api.schemas import CaseCreateSchema, CaseOpenedSchema, CaseSchema
from services.evaluation.service import cases

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Recognition cases")


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseCreateSchema)
    @blp.response(202, CaseOpenedSchema)
    @blp.alt_response(200, schema=CaseOpenedSchema, description="The case already exists; nothing new opened")
    def post(self, body: dict[str, Any]) -> Any:
        """Open a recognition case (idempotent per year, title and subject)."""
        opened = cases.open_case(container().gateway, opened_by=actor(), **body)
        return opened, (202 if opened.created else 200)


@blp.route("/<case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseSchema)
    def get(self, case_id: str) -> Any:
        """Get one case."""
        return cases.get_case(container().uow(), case_id=case_id)
