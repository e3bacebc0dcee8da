"""Charts of progress against target as PNG or SVG, drawn with matplotlib's Agg backend in the shipped
Liberation Serif, so every Vietnamese letter renders whatever fonts the machine has (reports layer).

The object-oriented API (Figure + its own canvas), never pyplot: no global state, safe in threads.
SVG text is drawn as paths (``svg.fonttype = "path"``) and carries no date, so the same report gives
the same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the Agg raster backend (SVG has its own canvas)

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from common.typefaces import FILES, FONT_DIR  # noqa: E402
from services.evaluation.reports.labels import chart_title  # noqa: E402
from services.evaluation.service.progress import ProgressReport  # noqa: E402

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
# The shipped faces under a family name of their own: a machine with Debian's fonts-liberation 1.07 (a
# Chromium dependency) has a "Liberation Serif" without Vietnamese letters, which matplotlib would
# otherwise pick by the same name and draw "ạ", "ợ" as empty boxes.
FAMILY = "Liberation Serif (shipped)"
MAX_BARS = 40
_RC = {
    "font.family": FAMILY,
    "svg.fonttype": "path",
    "svg.hashsalt": "learning-society",
    "axes.unicode_minus": False,
}


@functools.cache
def _register_font() -> None:
    """Add the shipped faces to matplotlib's font manager as `FAMILY` (once per process, on first
    use), as `FontManager.addfont` does but under their own family name."""
    for filename in FILES.values():
        entry = font_manager.ttfFontProperty(font_manager.get_font(str(FONT_DIR / filename)))
        font_manager.fontManager.ttflist.append(dataclasses.replace(entry, name=FAMILY))


def _bars(report: ProgressReport) -> tuple[list[str], list[float], list[float | None], str]:
    """Labels, achieved shares and target shares: per unit for one title, else per title (totals)."""
    names = {t["title"]: t["name_vi"] for t in report.titles}
    if len(report.titles) == 1:
        rows = [r for r in report.rows if r["share"] is not None][:MAX_BARS]
        return (
            [r["unit_name"] for r in rows],
            [100 * r["share"] for r in rows],
            [None if r["target_share"] is None else 100 * r["target_share"] for r in rows],
            names[report.titles[0]["title"]],
        )
    totals = [t for t in report.totals if t["share"] is not None]
    return (
        [names[t["title"]] for t in totals],
        [100 * t["share"] for t in totals],
        [None if t["target_share"] is None else 100 * t["target_share"] for t in totals],
        "Các danh hiệu",
    )


def _draw(fig: Figure, report: ProgressReport) -> None:
    labels, shares, targets, subtitle = _bars(report)
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(labels)))
    ax.barh(positions, shares, color="#2f6f9f", label="Đã đạt (%)")
    marks = [(p, t) for p, t in zip(positions, targets, strict=True) if t is not None]
    if marks:
        ax.scatter(
            [t for _, t in marks],
            [p for p, _ in marks],
            marker="|",
            s=400,
            color="#c0392b",
            label="Chỉ tiêu (%)",
        )
    for p, share in zip(positions, shares, strict=True):
        ax.annotate(
            f"{share:.1f}%", (share, p), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9
        )
    ax.set_yticks(positions, labels=labels, fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel("Tỷ lệ (%)")
    ax.set_title(f"{chart_title(report)}\n{subtitle}", fontsize=12)
    if not labels:
        ax.text(50, 0, "Chưa có số liệu", ha="center", va="center")
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", alpha=0.3)


def render_chart(report: ProgressReport, fmt: str) -> bytes:
    """The chart as PNG or SVG bytes; ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt}")
    _register_font()
    with matplotlib.rc_context(_RC):
        rows = len(report.rows) if len(report.titles) == 1 else len(report.totals)
        fig = Figure(figsize=(10, max(3.5, 1.2 + 0.35 * min(rows, MAX_BARS))), dpi=100)
        _draw(fig, report)
        fig.tight_layout()
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
