"""Who may do what on award rounds: roles × scope (entrypoint layer).

Out of scope answers 404 like a missing round, so nothing leaks.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from common.auth import (
    ADMINISTRATOR,
    AUDITOR,
    COMMUNE_ASSOCIATION_OFFICER,
    COMMUNE_CHAIRMAN,
    STAFF_ROLES,
    UNIT_HEAD,
    Principal,
    in_scope,
    is_within,
)
from common.web_auth import require_roles
from services.awards.domain.errors import NominationNotFound, RoundNotFound
from services.awards.domain.model import AwardRound, Nomination
from services.awards.service import nominations, rounds

# Open a round, name its council, close its phases early.
ROUND_MANAGERS = frozenset({ADMINISTRATOR, COMMUNE_ASSOCIATION_OFFICER, COMMUNE_CHAIRMAN, UNIT_HEAD})
# Propose nominees (from their own unit, below the round's).
NOMINATORS = STAFF_ROLES
# Sign the award decision (the head of the conferring level).
SIGNERS = frozenset({ADMINISTRATOR, COMMUNE_CHAIRMAN, UNIT_HEAD})
READERS = STAFF_ROLES | {AUDITOR}
# Score and vote (the service also requires membership of the round's council).
SCORERS = STAFF_ROLES


def container() -> Any:
    """This process's adapters."""
    return current_app.extensions["awards"]


def round_for(round_id: str, roles: frozenset[str]) -> tuple[AwardRound, Principal]:
    """The round, if the caller's role is allowed and the round's unit is within their scope."""
    who = require_roles(roles)
    item = rounds.get_round_or_raise(container().uow(), round_id=round_id)
    if not in_scope(who, item.admin_unit_path):
        raise RoundNotFound(round_id)
    return item, who


def round_for_nominator(round_id: str) -> tuple[AwardRound, Principal]:
    """The round, for staff of its unit or of a unit below it (the level below proposes)."""
    who = require_roles(NOMINATORS)
    item = rounds.get_round_or_raise(container().uow(), round_id=round_id)
    if not (in_scope(who, item.admin_unit_path) or is_within(who.scope_path, item.admin_unit_path)):
        raise RoundNotFound(round_id)
    return item, who


def nomination_for(nomination_id: str, roles: frozenset[str]) -> tuple[Nomination, AwardRound, Principal]:
    """The nomination, if the caller may see its round (its nominator always may)."""
    who = require_roles(roles)
    n, item = nominations.get_nomination_or_raise(container().uow(), nomination_id=nomination_id)
    if not (in_scope(who, item.admin_unit_path) or n.nominated_by == who.username):
        raise NominationNotFound(nomination_id)
    return n, item, who
