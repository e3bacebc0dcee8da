"""HTTP API: verifying every audit chain of a service at once (entrypoint layer, shared by the services
that keep an audit trail). National auditors and administrators only: it spans the whole country."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask.views import MethodView

from common.audit_anchor import Anchor, AnchorStore
from common.audit_schemas import AuditReportSchema
from common.auth import CHAIN_VERIFIERS
from common.errors import DependencyUnavailable
from common.settings import CommonSettings
from common.storage import ObjectStorage
from common.web import Blueprint
from common.web_auth import require_roles, require_scope

MAX_PROBLEMS = 100  # listed in one report; the counts cover every chain


def stored_anchors(common: CommonSettings, service: str) -> Callable[[], list[Anchor]]:
    """Reads a service's anchors from the anchors' bucket (`infra/audit_anchors.py` writes them)."""
    store = AnchorStore(ObjectStorage.on(common, common.audit_anchor_bucket), service)
    return store.all


def verify_blueprint(
    reader: Callable[[], Any], anchors: Callable[[], list[Anchor]] | None = None
) -> Blueprint:
    """`GET /audit/verify` over the audit trail that the units of work `reader()` give read, and over its
    anchors (`anchors()` reads them from object storage): a chain rewritten consistently is visible to the
    anchors only. The object store unreachable, the chains are still verified (`anchors.checked` false)."""
    blp = Blueprint("audit_verify", __name__, description="Audit trail verification (kiểm tra nhật ký)")

    @blp.route("/audit/verify")
    class AuditVerify(MethodView):
        @blp.response(200, AuditReportSchema)
        def get(self) -> Any:
            """Recompute every audit chain and every anchor of the trail; `ok` is false when either shows
            tampering (`problems` names the chains, `anchors.problems` the anchored ranges)."""
            require_roles(CHAIN_VERIFIERS)
            require_scope(None)  # the whole country: national users only
            uow = reader()
            with uow:
                report = uow.audit.verify_all(max_problems=MAX_PROBLEMS)
                anchored = _check_anchors(uow, anchors) if anchors else None
            ok = report.ok and not (anchored and anchored["problems"])
            return {**asdict(report), "ok": ok, "anchors": anchored}

    return blp


def _check_anchors(uow: Any, anchors: Callable[[], list[Anchor]]) -> dict[str, Any]:
    """The anchors recomputed on the unit of work's connection, or why they could not be read."""
    try:
        stored = anchors()
    except DependencyUnavailable as exc:
        return {"checked": False, "anchors": 0, "problems": [], "unavailable": exc.dependency}
    problems = [asdict(p) for p in uow.audit.check_anchors(stored)]
    return {"checked": True, "anchors": len(stored), "problems": problems, "unavailable": None}
