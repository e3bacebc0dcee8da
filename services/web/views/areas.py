"""Pages: progress reports (table per unit and title, chart, Excel export) and awards (rounds, their
nominations and eligibility results), over those services' APIs. An API that is not there yet (404 on
its endpoint) shows a plain "not available yet" page rather than an error."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import TITLE_NAMES, reason
from services.web.i18n import gettext as _
from services.web.timeline import render_timeline
from services.web.units import unit_name

bp = Blueprint("areas", __name__)
LEVELS = ("province", "commune", "village")


def _try(service: str, path: str, **params: Any) -> tuple[Any, str | None, bool]:
    """(answer, problem message, available)."""
    try:
        return call(service, "GET", path, params={k: v for k, v in params.items() if v} or None), None, True
    except ApiError as exc:
        if exc.status == 401:
            raise
        if exc.status in (404, 405) and not exc.errors:
            return None, None, False
        return None, exc.message, True


def _report_query() -> tuple[dict[str, Any], dict[str, list[str]]]:
    a = request.args
    query = {
        "year": a.get("year", str(date.today().year)).strip(),
        "title": a.get("title", ""),
        "level": a.get("level", ""),
    }
    errors: dict[str, list[str]] = {}
    if not query["year"].isdigit() or not 2023 <= int(query["year"]) <= 2030:
        errors["year"] = [reason("year")]
    if query["title"] and query["title"] not in TITLE_NAMES:
        errors["title"] = [reason("choice")]
    if query["level"] and query["level"] not in LEVELS:
        errors["level"] = [reason("choice")]
    return query, errors


@bp.route("/reports")
@login_required
def reports() -> Any:
    query, errors = _report_query()
    answer, problem, available = (None, None, True)
    if not errors:
        answer, problem, available = _try("evaluation", "/reports/progress", **query)
    return render_template(
        "reports.html",
        answer=answer,
        problem=problem,
        available=available,
        query=query,
        errors=errors,
        levels=LEVELS,
    ), (422 if errors else 200)


@bp.route("/reports/<any(chart, export):kind>")
@login_required
def report_file(kind: str) -> Any:
    """The chart (SVG) or the Excel table, fetched with the signed-in user's token and passed on."""
    query, errors = _report_query()
    if errors:
        return Response(status=422)
    params = {k: v for k, v in query.items() if v}
    path = "/reports/progress/chart" if kind == "chart" else "/reports/progress/export"
    if kind == "chart":
        params["format"] = "svg"
    response = call("evaluation", "GET", path, params=params)
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-disposition",)}
    return Response(response.content, mimetype=response.headers.get("content-type"), headers=headers)


@bp.route("/awards")
@login_required
def awards() -> Any:
    year = request.args.get("year", "").strip()
    year = year if year.isdigit() else ""
    answer, problem, available = _try("awards", "/rounds", year=year)
    rounds = answer if isinstance(answer, list) else (answer or {}).get("items", [])
    return render_template("awards.html", rounds=rounds, problem=problem, available=available, year=year)


@bp.route("/awards/<round_id>")
@login_required
def award_round(round_id: str) -> Any:
    rnd = call("awards", "GET", f"/rounds/{round_id}")
    nominations, problem, _ = _try("awards", f"/rounds/{round_id}/nominations")
    items = nominations if isinstance(nominations, list) else (nominations or {}).get("items", [])
    return render_template("award_round.html", rnd=rnd, nominations=items, problem=problem)


@bp.route("/awards/<round_id>/timeline")
@login_required
def award_round_timeline(round_id: str) -> Any:
    """The award round's audit trail: nominations, refusals, council scores and votes, the decision and the
    dossiers with their digests."""
    rnd = call("awards", "GET", f"/rounds/{round_id}")
    history = call("awards", "GET", f"/rounds/{round_id}/history")
    return render_timeline(
        history,
        heading=f"{_('Khen thưởng')} {rnd['year']} · {unit_name(rnd['admin_unit_code'])}",
        back_url=url_for("areas.award_round", round_id=round_id),
        back_label=_("Quay lại khen thưởng"),
    )
