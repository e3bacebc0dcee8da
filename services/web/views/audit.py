"""Page: is every audit trail intact? (national auditors and administrators). Each service that keeps a
trail — evaluation, awards — recomputes its chains and its anchors (`GET /audit/verify`); the page shows
the verdicts side by side, each problem with what it means."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template

from common.auth import CHAIN_VERIFIERS
from services.web.auth import call, login_required
from services.web.client import ApiError

bp = Blueprint("audit", __name__)
SERVICES = (("evaluation", "Xét công nhận"), ("awards", "Khen thưởng"))


def may_verify(user: dict[str, Any] | None) -> bool:
    """National auditors and administrators (the verification spans the whole country)."""
    return bool(user) and user["role"] in CHAIN_VERIFIERS and not user.get("scope_code")  # type: ignore[index]


@bp.route("/audit")
@login_required
def verify() -> Any:
    if not may_verify(g.user):
        abort(403)
    reports = []
    for service, label in SERVICES:
        try:
            reports.append(
                {"service": service, "label": label, "report": call(service, "GET", "/audit/verify")}
            )
        except ApiError as exc:
            if exc.status == 401:
                raise
            reports.append({"service": service, "label": label, "report": None, "problem": exc.message})
    return render_template("audit.html", reports=reports)
