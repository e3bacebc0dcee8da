"""Tokens and scopes: a token carries the principal and nothing else, expires, and refuses tampering;
scope is a subtree of the admin tree; only staff may act on behalf of someone."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from common.auth import (
    ADMINISTRATOR,
    ALL_ROLES,
    AUDITOR,
    CASE_WRITERS,
    HOUSEHOLD_REPRESENTATIVE,
    ROLES,
    STAFF_ROLES,
    VILLAGE_OFFICER,
    AuthenticationFailed,
    PermissionDenied,
    Principal,
    in_scope,
    is_within,
    issue_token,
    verify_token,
)
from common.settings import DEFAULT_SECRET_KEY, CommonSettings

KEY = "a-test-secret-key-of-some-length"
T0 = 1_800_000_000.0

OFFICER = Principal(
    user_id="u-1",
    username="can-bo-thon",
    role=VILLAGE_OFFICER,
    scope_code="00070",
    scope_path="01/00070",
)
NATIONAL = Principal(user_id="u-2", username="thanh-tra", role=AUDITOR, scope_code=None, scope_path="")


def _at(t: float):
    return lambda: t


def test_a_token_round_trips_the_principal_and_states_its_expiry() -> None:
    issued = issue_token(OFFICER, secret_key=KEY, max_age_seconds=3600, clock=_at(T0))
    assert issued.expires_at.timestamp() == T0 + 3600
    assert verify_token(issued.token, secret_key=KEY, max_age_seconds=3600, clock=_at(T0 + 3600)) == OFFICER


def test_a_national_principal_round_trips() -> None:
    token = issue_token(NATIONAL, secret_key=KEY).token
    assert verify_token(token, secret_key=KEY) == NATIONAL


def test_acting_on_behalf_is_never_part_of_the_token() -> None:
    token = issue_token(OFFICER.acting_for("HH-7"), secret_key=KEY).token
    assert verify_token(token, secret_key=KEY).on_behalf_of is None


def test_an_expired_token_is_refused_as_expired() -> None:
    token = issue_token(OFFICER, secret_key=KEY, max_age_seconds=60, clock=_at(T0)).token
    with pytest.raises(AuthenticationFailed) as err:
        verify_token(token, secret_key=KEY, max_age_seconds=60, clock=_at(T0 + 61))
    assert err.value.reason == "expired" and err.value.status == 401


def test_a_token_verified_once_still_expires_on_time() -> None:
    """The signature's verdict is remembered per token (no HMAC on every request); the age is not."""
    token = issue_token(OFFICER, secret_key=KEY, max_age_seconds=60, clock=_at(T0)).token
    assert verify_token(token, secret_key=KEY, max_age_seconds=60, clock=_at(T0 + 1)) == OFFICER
    assert verify_token(token, secret_key=KEY, max_age_seconds=60, clock=_at(T0 + 59)) == OFFICER
    with pytest.raises(AuthenticationFailed) as err:
        verify_token(token, secret_key=KEY, max_age_seconds=60, clock=_at(T0 + 61))
    assert err.value.reason == "expired"
    with pytest.raises(AuthenticationFailed) as foreign:  # remembered for its key only
        verify_token(token, secret_key="another-secret-key-0123456789", max_age_seconds=60, clock=_at(T0 + 1))
    assert foreign.value.reason == "invalid"


def test_a_shorter_max_age_at_the_verifier_wins() -> None:
    token = issue_token(OFFICER, secret_key=KEY, max_age_seconds=3600, clock=_at(T0)).token
    with pytest.raises(AuthenticationFailed):
        verify_token(token, secret_key=KEY, max_age_seconds=60, clock=_at(T0 + 61))


def _tamper_role(token: str, role: str) -> str:
    """Rewrite the payload's role, keeping the original signature."""
    compressed = token.startswith(".")
    payload, timestamp, signature = token.lstrip(".").split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    data["rol"] = role
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{encoded}.{timestamp}.{signature}"


@pytest.mark.parametrize(
    "make_bad",
    [
        lambda t: _tamper_role(t, ADMINISTRATOR),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: issue_token(OFFICER, secret_key="another-secret-key-entirely").token,
        lambda t: "not-a-token",
        lambda t: "",
    ],
    ids=["payload-rewritten", "signature-changed", "other-key", "garbage", "empty"],
)
def test_a_tampered_or_foreign_token_is_invalid(make_bad) -> None:
    token = issue_token(OFFICER, secret_key=KEY).token
    with pytest.raises(AuthenticationFailed) as err:
        verify_token(make_bad(token), secret_key=KEY)
    assert err.value.reason == "invalid"


def test_a_token_signed_for_an_unknown_role_is_invalid() -> None:
    token = issue_token(
        Principal(user_id="u", username="u", role="king", scope_code=None, scope_path=""), secret_key=KEY
    ).token
    with pytest.raises(AuthenticationFailed):
        verify_token(token, secret_key=KEY)


@pytest.mark.parametrize(
    ("unit_path", "scope_path", "inside"),
    [
        ("01/00070", "01/00070", True),
        ("01/00070/00070.TDP1", "01/00070", True),
        ("01", "01/00070", False),  # the province above the commune
        ("01/00071", "01/00070", False),  # a sibling commune
        ("01/000701", "01/00070", False),  # a code sharing the prefix is no child
        ("010/01001", "01", False),
        ("79/26506", "", True),  # the national scope holds everything
        ("", "01", False),  # the top of the tree lies in no unit's scope
    ],
)
def test_scope_is_a_subtree_of_the_admin_tree(unit_path: str, scope_path: str, inside: bool) -> None:
    assert is_within(unit_path, scope_path) is inside
    principal = Principal(
        user_id="u", username="u", role=AUDITOR, scope_code=scope_path or None, scope_path=scope_path
    )
    assert in_scope(principal, unit_path) is inside


def test_only_staff_may_act_on_behalf_of_someone() -> None:
    assert OFFICER.acting_for("HH-7").on_behalf_of == "HH-7"
    assert OFFICER.acting_for(None).on_behalf_of is None
    for role in (HOUSEHOLD_REPRESENTATIVE, AUDITOR):
        with pytest.raises(PermissionDenied):
            Principal(user_id="u", username="u", role=role, scope_code=None, scope_path="").acting_for("HH-7")


def test_role_groups() -> None:
    assert len(ROLES) == 8 and ALL_ROLES == set(ROLES)
    assert AUDITOR not in STAFF_ROLES and HOUSEHOLD_REPRESENTATIVE not in STAFF_ROLES
    assert AUDITOR not in CASE_WRITERS and HOUSEHOLD_REPRESENTATIVE in CASE_WRITERS


def test_the_secret_comes_from_the_environment_and_never_shows_in_repr() -> None:
    settings = CommonSettings.from_env(
        {"SECRET_KEY": "a-production-secret-0123", "TOKEN_MAX_AGE_SECONDS": "600"}
    )
    assert settings.secret_key == "a-production-secret-0123" and settings.token_max_age_seconds == 600
    assert not settings.uses_dev_secret
    assert "a-production-secret" not in repr(settings)
    defaults = CommonSettings.from_env({})
    assert defaults.secret_key == DEFAULT_SECRET_KEY and defaults.token_max_age_seconds == 12 * 3600
    assert defaults.uses_dev_secret


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        CommonSettings.from_env({"SECRET_KEY": "short"})


OLD_KEY, NEW_KEY = "the-key-being-rotated-out-0001", "the-key-that-replaces-it-0002"


def test_a_rotated_key_keeps_its_tokens_valid_while_it_is_a_fallback() -> None:
    old = issue_token(OFFICER, secret_key=OLD_KEY, clock=_at(T0)).token
    new = issue_token(OFFICER, secret_key=NEW_KEY, clock=_at(T0)).token
    rotating = {
        "secret_key": NEW_KEY,
        "fallback_keys": ("some-other-old-key-0003", OLD_KEY),
        "clock": _at(T0),
    }
    assert verify_token(old, **rotating) == verify_token(new, **rotating) == OFFICER
    with pytest.raises(AuthenticationFailed) as dropped:  # the fallback dropped: old tokens end
        verify_token(old, secret_key=NEW_KEY, clock=_at(T0))
    with pytest.raises(AuthenticationFailed) as untold:  # a process not yet told of the new key
        verify_token(new, secret_key=OLD_KEY, clock=_at(T0))
    assert dropped.value.reason == untold.value.reason == "invalid"
    # the first step of a rotation: the new key is known everywhere before anyone signs with it
    assert verify_token(new, secret_key=OLD_KEY, fallback_keys=(NEW_KEY,), clock=_at(T0)) == OFFICER


def test_a_fallback_key_never_extends_a_tokens_life() -> None:
    old = issue_token(OFFICER, secret_key=OLD_KEY, max_age_seconds=600, clock=_at(T0)).token
    with pytest.raises(AuthenticationFailed) as err:
        verify_token(
            old, secret_key=NEW_KEY, fallback_keys=(OLD_KEY,), max_age_seconds=600, clock=_at(T0 + 601)
        )
    assert err.value.reason == "expired"


def test_fallback_keys_come_from_the_environment_in_order() -> None:
    settings = CommonSettings.from_env(
        {
            "SECRET_KEY": NEW_KEY,
            "SECRET_KEY_FALLBACKS": f" {OLD_KEY} ,, {NEW_KEY}, {OLD_KEY},other-old-key-00004",
        }
    )
    assert settings.secret_key_fallbacks == (OLD_KEY, "other-old-key-00004")  # no blank, repeat or current
    assert OLD_KEY not in repr(settings)
    assert CommonSettings.from_env({}).secret_key_fallbacks == ()
    with pytest.raises(ValueError, match="SECRET_KEY_FALLBACKS: key 2 must have at least 16"):
        CommonSettings.from_env({"SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": f"{OLD_KEY},short"})
