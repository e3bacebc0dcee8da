"""Summaries of py-spy's raw profiles (bench/pyspy.py)."""

from __future__ import annotations

from pathlib import Path

from bench import pyspy

RAW = [
    "main (app.py:10);handle (app.py:20);query (db.py:5) 6",
    "main (app.py:10);handle (app.py:21);render (web.py:7) 3",
    "main (app.py:10);loop (app.py:30);loop (app.py:31) 1",
    "",
    "garbage without a count",
]


def test_samples_are_counted_inclusive_and_self_without_line_numbers() -> None:
    inclusive, own, total = pyspy.tally(RAW)
    assert total == 10
    assert inclusive["main (app.py)"] == 10
    assert inclusive["handle (app.py)"] == 9  # two lines of one function: one function
    assert inclusive["loop (app.py)"] == 1  # recursion counts once per sample
    assert own == {"query (db.py)": 6, "render (web.py)": 3, "loop (app.py)": 1}


def test_a_summary_names_the_largest_shares(tmp_path: Path) -> None:
    raw = tmp_path / "evaluation-worker.raw"
    raw.write_text("\n".join(RAW), encoding="utf-8")
    text = pyspy.summary(raw, top=4)
    assert text.splitlines()[0] == "evaluation-worker: 10 samples (0.1 s holding the GIL)"
    assert "100.0%  main (app.py)" in text and " 60.0%  query (db.py)" in text
    assert "no profile written" in pyspy.summary(tmp_path / "missing.raw")
    (tmp_path / "empty.raw").write_text("", encoding="utf-8")
    assert pyspy.summary(tmp_path / "empty.raw") == "empty.raw: no samples"
