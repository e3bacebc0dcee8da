"""HTTP API: sign-in, the signed-in user, and accounts (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from marshmallow import fields, validate

from common.audit_schemas import ChainHistorySchema
from common.auth import ADMINISTRATOR, AUDITOR, ROLES, AuthenticationFailed, issue_token
from common.web import MAX_OFFSET, Blueprint, Schema, TypedText
from common.web_auth import public, require_roles
from services.evaluation.api.access import signed_in
from services.evaluation.api.container import container
from services.evaluation.domain.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from services.evaluation.service import users

blp = Blueprint("auth", __name__, description="Sign-in and accounts")


ACCOUNT_HISTORY_READERS = frozenset({ADMINISTRATOR, AUDITOR})


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class UserSchema(Schema):
    id = fields.String()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    email = fields.String(allow_none=True)
    scope_code = fields.String(allow_none=True)
    scope_path = fields.String()
    subject_id = fields.String(allow_none=True)
    subject_code = fields.String(
        allow_none=True,
        metadata={"description": "Listings: the household's register code (household accounts)"},
    )
    active = fields.Boolean()
    created_at = fields.DateTime()


class MeSchema(UserSchema):
    on_behalf_of = fields.String(allow_none=True)


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class UserCreateSchema(Schema):
    """Types and presence only: the account's rules (username shape, name and password length, role,
    household link) are checked together by the domain (`check_new_user`), so one answer names every
    field at fault; the same rules are stated here for the OpenAPI document."""

    username = fields.String(
        required=True,
        metadata={
            "minLength": 3,
            "maxLength": 80,
            "description": "Lower-case letters, digits, '.', '_', '-'",
        },
    )
    full_name = fields.String(required=True, metadata={"minLength": 1, "maxLength": 200})
    password = fields.String(
        required=True,
        load_only=True,
        metadata={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH},
    )
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    scope_code = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(min=2, max=40),
        metadata={"description": "The admin unit the user answers for; null for the whole country"},
    )
    subject_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=36),
        metadata={
            "description": "household_representative only (required): its household's id, or its register "
            "code in the account's commune"
        },
    )


class UserQueryArgsSchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    covering = fields.String(
        validate=validate.Length(min=2, max=40),
        metadata={"description": "Only users whose scope contains this admin unit"},
    )
    subject_id = fields.String(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "Only the household representatives linked to this household"},
    )
    q = TypedText(
        load_default="",
        validate=validate.Length(max=100),
        metadata={
            "description": "Only users whose username or full name holds every word (case and accents aside)"
        },
    )
    username = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "Only the account of this username, active or locked"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class UserAccessSchema(Schema):
    active = fields.Boolean(metadata={"description": "false locks the account, true unlocks it"})
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=200))
    reason = TypedText(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Why (recorded in the account's audit chain)"},
    )


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    total = fields.Integer()


@blp.route("/auth/login")
@public
class Login(MethodView):
    @blp.arguments(LoginSchema())
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Unknown user or wrong password (one answer for both)")
    @blp.alt_response(
        429, description="Too many failed sign-ins for this account from this address (Retry-After)"
    )
    @blp.doc(security=[])
    def post(self, body: dict[str, Any]) -> Any:
        """Sign in with username and password; the token goes in `Authorization: Bearer <token>`.
        Failed sign-ins are throttled per account and address (common/login_guard.py)."""
        c = container()
        guard = current_app.extensions["login_guard"]
        address = request.remote_addr or "unknown"
        guard.check(body["username"], address)
        try:
            user = users.authenticate(c.uow(), c.passwords, **body)
        except AuthenticationFailed:
            guard.failed(body["username"], address)
            raise
        guard.succeeded(body["username"], address)
        issued = issue_token(
            user.principal(),
            secret_key=c.settings.common.secret_key,
            max_age_seconds=c.settings.common.token_max_age_seconds,
        )
        return {"token": issued.token, "token_type": "Bearer", "expires_at": issued.expires_at, "user": user}


@blp.route("/auth/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> Any:
        """The signed-in user (and whom they act for in this request)."""
        principal = signed_in()
        user = users.current_user(container().reader(), principal=principal)
        return {**user.__dict__, "on_behalf_of": principal.on_behalf_of}


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserCreateSchema())
    @blp.response(201, UserSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create an account within my scope (administrators)."""
        admin = require_roles(ADMINISTRATOR)
        c = container()
        return users.create_user(c.uow(), c.passwords, created_by=admin, **body)

    @blp.arguments(UserQueryArgsSchema(), location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Accounts within my scope, by username (administrators)."""
        admin = require_roles(ADMINISTRATOR)
        return users.list_users(container().reader(), within_path=admin.scope_path, **args)


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> Any:
        """Sign out everywhere: every token of mine, this one included, stops counting."""
        principal = signed_in()
        c = container()
        users.sign_out_everywhere(c.uow(), principal=principal)
        c.tokens.forget(principal.user_id)
        return None


@blp.route("/users/<user_id>/access")
class UserAccess(MethodView):
    @blp.arguments(UserAccessSchema())
    @blp.response(200, UserSchema)
    def post(self, body: dict[str, Any], user_id: str) -> Any:
        """Lock or unlock an account within my scope, or set its password (administrators); either way
        the account's tokens issued until now stop counting. The reason is recorded."""
        admin = require_roles(ADMINISTRATOR)
        c = container()
        user = users.change_access(c.uow(), c.passwords, user_id=user_id, by=admin, **body)
        c.tokens.forget(user_id)
        return user


@blp.route("/users/<user_id>/history")
class UserHistory(MethodView):
    @blp.response(200, ChainHistorySchema)
    def get(self, user_id: str) -> Any:
        """An account's audit entries in order — created, locked, unlocked, password set, signed out
        everywhere, each with who and why — and whether its chain verifies (administrators and auditors,
        an account within their scope)."""
        who = require_roles(ACCOUNT_HISTORY_READERS)
        return users.account_history(container().reader(), user_id=user_id, by=who)
