"""Administrative units by name on pages that only hold their codes (an award round's `admin_unit_code`)."""

from __future__ import annotations

from flask import g

from services.web.auth import call
from services.web.client import ApiError


def unit_name(code: str | None) -> str:
    """The unit's name from the evaluation service ("Phường Vũng Tàu"), asked once per request and code;
    the code itself when there is none or the service cannot say (a page is not refused for a name)."""
    if not code:
        return ""
    names: dict[str, str] = g.setdefault("unit_names", {})
    if code not in names:
        try:
            names[code] = str(call("evaluation", "GET", f"/admin-units/{code}").get("name") or code)
        except ApiError as exc:
            if exc.status == 401:
                raise
            names[code] = code
    return names[code]


def villages_of(commune_code: str | None) -> list[dict[str, str]]:
    """The villages of a commune (code, name), for a filter's choices; none when the code is not a
    commune's or the service cannot say (the filter is then left out, the page still shown)."""
    if not commune_code:
        return []
    try:
        page = call(
            "evaluation",
            "GET",
            "/admin-units",
            params={"parent_code": commune_code, "level": "village", "limit": 500},
        )
    except ApiError as exc:
        if exc.status == 401:
            raise
        return []
    return [{"code": str(u["code"]), "name": str(u["name"])} for u in page.get("items", [])]
