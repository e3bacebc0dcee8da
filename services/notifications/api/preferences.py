"""HTTP API: per-user notification preferences (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.web import Blueprint
from services.notifications.api.access import preferences_owner
from services.notifications.api.container import container, now
from services.notifications.api.schemas import PreferencesSchema, PreferencesUpdateSchema
from services.notifications.service import preferences

blp = Blueprint("preferences", __name__, url_prefix="/preferences", description="Notification preferences")


@blp.route("/<username>")
class PreferencesByUser(MethodView):
    @blp.response(200, PreferencesSchema)
    def get(self, username: str) -> Any:
        """A user's preferences (the defaults when they never chose)."""
        return preferences.get_preferences(container().uow(), username=preferences_owner(username))

    @blp.arguments(PreferencesUpdateSchema())
    @blp.response(200, PreferencesSchema)
    def put(self, args: dict[str, Any], username: str) -> Any:
        """Replace a user's preferences: language, digest mode, channels per category."""
        owner = preferences_owner(username)
        return preferences.put_preferences(container().uow(), username=owner, now=now(), **args)
