"""Sampling profiles of a benchmark's processes with py-spy (`python -m bench.case_lifecycle --profile`).

py-spy attaches to running processes from outside (ptrace: root, or CAP_SYS_PTRACE in a container)
and samples only the thread holding the GIL (`--gil`), so a profile shows where each process spends
its Python CPU, not where its threads wait. Samples are written as raw collapsed stacks
("frame;frame;frame count" per line) and summarised here as the functions with the largest share of
samples, inclusive (the function and what it calls) and self (the function's own code).
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

RATE = 200  # samples per second
_LINE_NUMBER = re.compile(r":\d+\)$")


@contextlib.contextmanager
def recording(pids: dict[str, int], out_dir: Path, rate: int = RATE) -> Iterator[dict[str, Path]]:
    """Record each named process while the block runs; yields the raw file of each name."""
    py_spy = Path(sys.executable).parent / "py-spy"
    files = {name: out_dir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.raw" for name in pids}
    procs = [
        subprocess.Popen(
            [str(py_spy), "record", "--gil", "--nonblocking", "-r", str(rate), "-f", "raw"]
            + ["-o", str(files[name]), "-p", str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name, pid in pids.items()
    ]
    try:
        yield files
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def tally(lines: Iterable[str]) -> tuple[Counter[str], Counter[str], int]:
    """Samples per function, inclusive and self, and the total, from raw collapsed stacks. A function
    counts once per sample however often it recurs in the stack; line numbers are dropped."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_LINE_NUMBER.sub(")", f) for f in stack.split(";")]
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    return inclusive, own, total


def summary(raw: Path, top: int = 30) -> str:
    """The `top` functions by inclusive share, then by self share, of one raw profile."""
    if not raw.exists():
        return f"{raw.name}: no profile written (py-spy needs ptrace: run as root or with CAP_SYS_PTRACE)"
    inclusive, own, total = tally(raw.read_text(encoding="utf-8", errors="replace").splitlines())
    if not total:
        return f"{raw.name}: no samples"
    lines = [f"{raw.stem}: {total} samples ({total / RATE:.1f} s holding the GIL)", "  inclusive:"]
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self:")
    lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top // 2)]
    return "\n".join(lines)
