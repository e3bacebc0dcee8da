"""Pages: the task inbox (mine and my unit's; escalated, then overdue, then soonest due), a household's
own cases, and opening a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from common.auth import HISTORY_READERS, HOUSEHOLD_REPRESENTATIVE
from common.workdays import VIETNAM_TZ
from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import STATUS_NAMES, TITLE_NAMES, reason
from services.web.units import villages_of
from services.web.views.cases import STAFF

bp = Blueprint("tasks", __name__)

# The titles a household representative opens for its own household (the others name a clan, a unit,
# a community or a citizen: staff open those).
HOUSEHOLD_TITLES = ["learning_family"]

PAGE_SIZE = 50
OPENERS = {
    "household_representative",
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "unit_head",
    "administrator",
}


def _filters() -> dict[str, Any]:
    args = request.args
    return {
        "mine": args.get("mine") == "1",
        # every case of the unit, whatever it waits on (staff and auditors): `mine=all`
        "all": args.get("mine") == "all" and g.user["role"] in HISTORY_READERS,
        "title": args.get("title") if args.get("title") in TITLE_NAMES else "",
        "status": args.get("status") if args.get("status") in STATUS_NAMES else "",
        "village": args.get("village", "").strip()[:40],
        "offset": max(0, int(args["offset"])) if args.get("offset", "").isdigit() else 0,
    }


def _ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Escalated first, then overdue, then soonest due (the API already orders by escalation and due
    date; overdue among the same escalation level comes before the rest)."""
    return sorted(items, key=lambda t: (not t.get("escalated"), not t.get("overdue")))


def _load(filters: dict[str, Any]) -> tuple[list[dict[str, Any]], int, str | None]:
    """The inbox's page of tasks, or with `all` the page of every case of the unit (newest year first)."""
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": filters["offset"]}
    if not filters["all"]:
        query["mine"] = "true" if filters["mine"] else "false"
    for key in ("title", "status", "village"):
        if filters[key]:
            query[key] = filters[key]
    try:
        page = call("evaluation", "GET", "/cases" if filters["all"] else "/tasks", params=query)
    except ApiError as exc:
        if exc.status == 401:
            raise
        return [], 0, exc.message
    return (page["items"] if filters["all"] else _ordered(page["items"])), page["total"], None


@bp.route("/")
@login_required
def home() -> Any:
    return redirect(url_for("tasks.inbox"))


@bp.route("/tasks")
@login_required
def inbox() -> Any:
    filters = _filters()
    if request.headers.get("HX-Request"):  # a filter changed: the list alone is redrawn
        items, total, problem = _load(filters)
        return render_template(
            "_task_list.html",
            items=items,
            total=total,
            problem=problem,
            filters=filters,
            page_size=PAGE_SIZE,
            can_claim=g.user["role"] in STAFF and not filters["all"],
        )
    open_form = {
        "year": datetime.now(VIETNAM_TZ).year,  # the year of the plans' dates, Vietnam's
        "title": "learning_family",
        "subject_id": "",
    }
    return render_template("tasks.html", **_page(filters, open_form, {}))


def _page(
    filters: dict[str, Any], open_form: dict[str, Any], open_errors: dict[str, list[str]]
) -> dict[str, Any]:
    """What the inbox page shows: the tasks, the opening form, and for a household representative its
    household and every case of it (those past its own steps too: its inbox holds only what waits on it)."""
    items, total, problem = _load(filters)
    role = g.user["role"]
    household, own_cases = (_household(), _own_cases()) if role == HOUSEHOLD_REPRESENTATIVE else (None, [])
    return {
        "items": items,
        "total": total,
        "problem": problem,
        "filters": filters,
        "page_size": PAGE_SIZE,
        "can_open": role in OPENERS,
        "can_claim": role in STAFF and not filters["all"],  # an unclaimed task is taken from the list itself
        "can_list_all": role in HISTORY_READERS,
        "holds_tasks": role in STAFF,  # "Của tôi": the cases a staff member has claimed
        # staff of a commune filter its tasks by village (a village's own staff see only theirs)
        "villages": villages_of(g.user.get("scope_code")) if role in STAFF else [],
        "is_household": role == HOUSEHOLD_REPRESENTATIVE,
        "household": household,
        "own_cases": own_cases,
        # a household representative opens its own household's case: a household title, its household
        "open_titles": HOUSEHOLD_TITLES if role == HOUSEHOLD_REPRESENTATIVE else list(TITLE_NAMES),
        "open_form": open_form,
        "open_errors": open_errors,
    }


def _household() -> dict[str, Any] | None:
    """The signed-in representative's household as the register holds it (name, code, village)."""
    subject_id = g.user.get("subject_id")
    if not subject_id:
        return None
    try:
        return call("evaluation", "GET", f"/subjects/household/{subject_id}")  # type: ignore[no-any-return]
    except ApiError as exc:
        if exc.status == 401:
            raise
        return None


def _own_cases() -> list[dict[str, Any]]:
    """Every case of the signed-in representative's household, newest year first."""
    try:
        return call("evaluation", "GET", "/cases", params={"limit": 50})["items"]  # type: ignore[no-any-return]
    except ApiError as exc:
        if exc.status == 401:
            raise
        return []


def _check_open(form: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not form["year"].isdigit() or not 2023 <= int(form["year"]) <= 2030:
        errors["year"] = [reason("year")]
    if form["title"] not in TITLE_NAMES:
        errors["title"] = [reason("choice")]
    if not form["subject_id"]:
        errors["subject_id"] = [reason("required")]
    elif len(form["subject_id"]) > 120:
        errors["subject_id"] = [reason("too_long", n=120)]
    return errors


@bp.route("/cases/open", methods=["POST"])
@login_required
def open_case() -> Any:
    form = {k: request.form.get(k, "").strip() for k in ("year", "title", "subject_id")}
    if g.user["role"] == HOUSEHOLD_REPRESENTATIVE:  # its own household, whatever the form says
        form["subject_id"] = g.user.get("subject_id") or ""
    errors = _check_open(form)
    if not errors:
        body = {
            "year": int(form["year"]),
            "title": form["title"],
            "subject_id": form["subject_id"],
            "admin_unit_code": g.user.get("scope_code") or "",
        }
        try:
            opened = call("evaluation", "POST", "/cases", json=body)
            return redirect(url_for("cases.show", case_id=opened["case_id"], opened=1))
        except ApiError as exc:
            if exc.status == 401:
                raise
            fields = exc.field_messages()
            errors = {k: v for k, v in fields.items() if k in form} or {"subject_id": [exc.message]}
            if "admin_unit_code" in fields:
                errors.setdefault("subject_id", []).extend(fields["admin_unit_code"])
    return render_template("tasks.html", **_page(_filters(), form, errors)), 422
