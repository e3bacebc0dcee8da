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
