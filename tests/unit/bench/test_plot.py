"""The benchmark chart: goal texts read as ratios, a PNG written for the results that have a ratio."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run
from bench._plot import goal_ratio, plot, rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≤ 3×", 3.0),
        ("≥ 0.8×", 0.8),
        ("≤ 1.5× (10× the rows)", 1.5),
        ("< 500 MB", None),
        ("—", None),
        ("", None),
    ],
)
def test_goal_ratio(text: str, expected: float | None) -> None:
    assert goal_ratio(text) == expected


def _report() -> dict:
    def result(name: str, ratio: float | None, goal: str, passed: bool | None) -> dict:
        return {
            "name": name,
            "measured": 1.0,
            "baseline": 1.0,
            "ratio": ratio,
            "unit": "s",
            "goal": goal,
            "passed": passed,
            "notes": "",
        }

    return {
        "date": "2026-11-24 10:00 UTC",
        "quick": True,
        "benchmarks": {
            "a": {"results": [result("a fast", 0.5, "≤ 1×", True), result("a skipped", None, "≤ 1×", None)]},
            "b": {"results": [result("b slow", 4.0, "≥ 0.8×", True), result("b info", 1.2, "—", None)]},
        },
    }


def test_rows_keep_only_results_with_a_ratio() -> None:
    assert [r["name"] for r in rows(_report())] == ["a fast", "b slow", "b info"]


def test_plot_writes_a_png(tmp_path: Path) -> None:
    path = plot(_report(), tmp_path / "latest.png")
    assert path is not None
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_ratios_writes_nothing(tmp_path: Path) -> None:
    assert plot({"benchmarks": {}}, tmp_path / "latest.png") is None
    assert not (tmp_path / "latest.png").exists()


def test_markdown_links_the_chart() -> None:
    report = {
        **_report(),
        "machine": {
            "cores": 2,
            "cpu": "x",
            "memory_gib": 1,
            "os": "L",
            "python": "3.11",
            "sqlite": "3",
            "postgresql": None,
        },
    }
    for b in report["benchmarks"].values():
        b.update(date="d", seconds=1.0, goal="g")
    assert "![ratio vs goal per result](latest.png)" in run.markdown(report)


def test_a_run_writes_json_markdown_and_the_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from bench.harness import Result

    fake = types.SimpleNamespace(
        NAME="fake",
        GOAL="be quick",
        run=lambda quick: [Result.compare("fake: product vs raw", 2.0, 1.0, "s", max_ratio=3)],
    )
    monkeypatch.setattr(run, "discover", lambda: {"fake": fake})
    monkeypatch.setattr(run, "postgres_version", lambda: None)
    assert run.main(["--quick", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} >= {"latest.json", "latest.md", "latest.png"}
    assert (
        "| fake: product vs raw | 2.00 s | 1.00 s | 2.00× | ≤ 3× | yes |"
        in (tmp_path / "latest.md").read_text()
    )
