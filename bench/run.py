"""Run the benchmarks: `python -m bench.run [names...] [--quick] [--check] [--out DIR]` (bench).

Finds every module in `bench/` that defines NAME, GOAL and run(quick), runs the named ones (all by
default), prints a table of measured vs baseline ratios and writes `latest.json`, `latest.md` and `latest.png` (ratio
vs goal per result) to
`bench/results/` (a full run) or to a temporary folder (`--quick`, a smoke run on small data, whose
figures are not worth keeping). A partial full run replaces only the benchmarks it ran.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib
import json
import os
import pkgutil
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import bench
from bench._plot import plot
from bench.harness import Result, postgres_version

RESULTS = Path(__file__).resolve().parent / "results"


def discover() -> dict[str, ModuleType]:
    """Benchmark modules by NAME: those of the `bench` package with NAME, GOAL and run()."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda i: i.name):
        if info.ispkg or info.name.startswith("_") or info.name == "run":
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if all(hasattr(module, attr) for attr in ("NAME", "GOAL", "run")):
            found[module.NAME] = module
    return found


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
    }


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (other work on the machine skews timings)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if value == float("inf"):
        return "∞"
    text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("yes" if passed else "NO")


def table(results: list[dict[str, Any]]) -> list[str]:
    """Markdown table rows: benchmark, measured, baseline, ratio, goal, met."""
    lines = [
        "| benchmark | measured | baseline | ratio | goal | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(
            f"| {r['name']} | {_fmt(r['measured'], r['unit'])} | {_fmt(r['baseline'], r['unit'])} "
            f"| {ratio} | {r['goal']} | {_verdict(r['passed'])} |"
        )
    return lines


def _loads(b: dict[str, Any]) -> str:
    load = b.get("load_average") or {}
    before, after = load.get("before"), load.get("after")
    if not before:
        return ""
    return f" Load average {before[0]:.2f} before, {after[0]:.2f} after." if after else ""


def markdown(report: dict[str, Any]) -> str:
    """The report as a small Markdown page."""
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Written {report['date']}{' (quick runs)' if report['quick'] else ''}; machine: {m['cores']} cores, {m['cpu']}, "
        f"{m['memory_gib']} GiB, {m['os']}; Python {m['python']}, SQLite {m['sqlite']}, "
        f"PostgreSQL {m['postgresql'] or 'not reachable'}. Regenerate: `make bench`.",
        "",
        "![ratio vs goal per result](latest.png)",
        "",
    ]
    rows = [r for b in report["benchmarks"].values() for r in b["results"]]
    lines += table(rows)
    for name, b in report["benchmarks"].items():
        ran = f"Ran {b['date']} in {b['seconds']:.0f} s.{_loads(b)}"
        lines += ["", f"## {name}", "", f"Goal: {b['goal']}", "", ran]
        if b.get("error"):
            lines += ["", f"Error: `{b['error']}`"]
        notes = [f"- {r['name']}: {r['notes']}" for r in b["results"] if r["notes"]]
        if notes:
            lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the results folder (POSIX), for read-merge-write of its files."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _picture(report: dict[str, Any], path: Path) -> Path | None:
    """The chart beside the tables; a failure to draw never loses the figures already written."""
    try:
        return plot(report, path)
    except Exception:  # matplotlib missing or broken: the JSON and Markdown are what count
        traceback.print_exc()
        return None


def _compile_project() -> None:
    """Bytecode for the project's modules, as `make install` and the image build write it: measured
    processes load it instead of compiling from source (PYTHONDONTWRITEBYTECODE may be set)."""
    root = Path(__file__).resolve().parent.parent
    for folder in ("common", "services", "workflows", "infra", "bench"):
        compileall.compile_dir(root / folder, quiet=1, workers=0)


def main(argv: list[str] | None = None) -> int:
    """Run, print, write; exit 1 with --check when a goal is missed, 2 when a benchmark failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small data: a smoke run in seconds")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--out", type=Path, help="folder for latest.json/.md (default: bench/results)")
    args = parser.parse_args(argv)

    modules = discover()
    unknown = [n for n in args.names if n not in modules]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(modules)}")
    selected = {n: modules[n] for n in (args.names or modules)}
    _compile_project()
    out: Path = args.out or (Path(tempfile.gettempdir()) / "bench-results" if args.quick else RESULTS)
    out.mkdir(parents=True, exist_ok=True)

    ran: dict[str, Any] = {}
    failed = False
    for name, module in selected.items():
        print(f"{name}: {module.GOAL}", flush=True)
        started, load_before = time.perf_counter(), _load()
        error = None
        results: list[Result] = []
        try:
            results = module.run(args.quick)
        except Exception as exc:  # report the failure, run the other benchmarks
            traceback.print_exc()
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            failed = True
        ran[name] = {
            "goal": module.GOAL,
            "date": _now(),
            "seconds": round(time.perf_counter() - started, 1),
            "load_average": {"before": load_before, "after": _load()},
            "results": [r.to_json() for r in results],
            **({"error": error} if error else {}),
        }
    with _locked(out):  # other runs may write the same files: merge into what is there now
        report = {"date": _now(), "quick": args.quick, "machine": machine(), "benchmarks": {}}
        previous = out / "latest.json"
        if args.names and previous.exists():  # a partial run keeps the other benchmarks' last figures
            with open(previous, encoding="utf-8") as f:
                kept = json.load(f)
            if kept.get("quick") == args.quick:
                report["benchmarks"] = dict(kept.get("benchmarks", {}))
        report["benchmarks"].update(ran)
        report["benchmarks"] = dict(sorted(report["benchmarks"].items()))
        _write(out / "latest.json", json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        _write(out / "latest.md", markdown(report))
        picture = _picture(report, out / "latest.png")

    rows = [r for b in ran.values() for r in b["results"]]
    print()
    print("\n".join(table(rows)))
    print(f"\nwritten: {out / 'latest.json'}, {out / 'latest.md'}{', ' + str(picture) if picture else ''}")
    if failed:
        return 2
    missed = [r["name"] for r in rows if r["passed"] is False]
    if missed:
        print("goal missed: " + "; ".join(missed))
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
