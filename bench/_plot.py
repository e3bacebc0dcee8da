"""The benchmark report as a picture: each result's ratio beside its goal (bench, matplotlib Agg).

One horizontal bar per result with a ratio, on a log scale (ratios span 0.1× to 10×), coloured by
whether the goal was met (green), missed (red) or there is none (grey); the goal is a black tick
with its text. Goals that are not ratios ("< 500 MB") have no tick: the bar's colour still says
whether they were met.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_GOAL = re.compile(r"^\s*(≤|≥|<=|>=|<|>)\s*([0-9]+(?:[.,][0-9]+)?)\s*×")
COLOURS = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}


def goal_ratio(goal: str) -> float | None:
    """The ratio a goal text names ("≤ 3×" → 3.0, "≥ 0.8×" → 0.8); None when it names no ratio."""
    match = _GOAL.match(goal or "")
    return float(match.group(2).replace(",", ".")) if match else None


def rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The results that have a ratio, in report order, each with its benchmark's name."""
    out = []
    for bench_name, b in report.get("benchmarks", {}).items():
        for r in b.get("results", []):
            ratio = r.get("ratio")
            if isinstance(ratio, int | float) and ratio > 0 and ratio != float("inf"):
                out.append({**r, "benchmark": bench_name, "goal_ratio": goal_ratio(r.get("goal", ""))})
    return out


def _label(name: str, width: int = 70) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def plot(report: dict[str, Any], path: Path) -> Path | None:
    """Write the chart to `path` (PNG); None (nothing written) when no result has a ratio."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = rows(report)
    if not data:
        return None
    height = 1.2 + 0.42 * len(data)
    fig, ax = plt.subplots(figsize=(11, height), dpi=110)
    ys = list(range(len(data)))[::-1]
    for y, r in zip(ys, data, strict=True):
        ax.barh(y, r["ratio"], color=COLOURS[r.get("passed")], height=0.6)
        ax.text(r["ratio"] * 1.04, y, f"{r['ratio']:.2f}×", va="center", fontsize=8)
        if r["goal_ratio"]:
            ax.plot([r["goal_ratio"]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
            ax.text(r["goal_ratio"], y + 0.42, r["goal"], ha="center", va="bottom", fontsize=7)
    ax.set_yticks(ys, [_label(r["name"]) for r in data], fontsize=8)
    ax.set_xscale("log")
    ax.axvline(1.0, color="#555555", linestyle=":", linewidth=1)
    ax.set_xlabel("ratio measured / baseline (log scale; black tick = goal)")
    quick = " (quick runs)" if report.get("quick") else ""
    ax.set_title(
        f"Benchmarks side by side with their baselines{quick} — {report.get('date', '')}", fontsize=10
    )
    lo = min(min(r["ratio"], r["goal_ratio"] or r["ratio"]) for r in data)
    hi = max(max(r["ratio"], r["goal_ratio"] or r["ratio"]) for r in data)
    ax.set_xlim(lo / 1.6, hi * 1.8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in COLOURS.values()]
    ax.legend(
        handles,
        ["goal met", "goal missed", "no goal"],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
    )
    fig.tight_layout()
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
    tmp.replace(path)
    return path
