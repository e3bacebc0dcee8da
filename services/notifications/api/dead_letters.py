"""HTTP API: dead letters and their replay (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.web import Blueprint
from services.notifications.api.access import administrator
from services.notifications.api.container import container, now
from services.notifications.api.schemas import DeadLetterQueryArgsSchema, DeadLetterSchema
from services.notifications.service import dead_letters

blp = Blueprint("dead_letters", __name__, url_prefix="/dead-letters", description="Messages given up on")


@blp.route("")
class DeadLetters(MethodView):
    @blp.arguments(DeadLetterQueryArgsSchema(), location="query")
    @blp.response(200, DeadLetterSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Dead letters, newest first; `replayed=false` for the ones still waiting."""
        administrator()
        return dead_letters.list_dead_letters(container().uow(), **args)


@blp.route("/<int:dead_letter_id>/replay")
class DeadLetterReplay(MethodView):
    @blp.response(200, DeadLetterSchema)
    @blp.alt_response(409, description="Already replayed")
    @blp.alt_response(503, description="The broker is unavailable; nothing was marked")
    def post(self, dead_letter_id: int) -> Any:
        """Publish a dead letter to the events exchange again and mark it replayed."""
        administrator()
        c = container()
        return dead_letters.replay_dead_letter(
            c.uow(), dead_letter_id=dead_letter_id, publisher=c.publisher, now=now()
        )
