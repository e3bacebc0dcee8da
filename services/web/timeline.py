"""The timeline page of any audit chain — a case's, a yearly round's, an award round's, an account's: its
entries by their names and the chain's verdict, under a heading, with a link back to what it is of."""

from __future__ import annotations

from typing import Any

from flask import render_template


def render_timeline(history: dict[str, Any], *, heading: str, back_url: str, back_label: str) -> str:
    """The page of one chain's history as a service answered it (`GET …/history`)."""
    return render_template(
        "timeline.html", history=history, heading=heading, back_url=back_url, back_label=back_label
    )
