"""Benchmark: how long each lesson takes to run top to bottom in a fresh kernel.

The target for every lesson is under 15 s on a 2-core laptop (a participant runs a lesson
with *Run All* when they missed a part). Prints one line per lesson, the slowest last.

    .venv/bin/python benchmarks/lessons.py
"""

from __future__ import annotations

import sys
import time

from umkmkit.course import notebooks
from umkmkit.course.curriculum import load_curriculum
from umkmkit.workspace import find_kit

TARGET_SECONDS = 15.0


def main() -> int:
    kit = find_kit()
    timings = []
    for module in load_curriculum(kit).modules:
        for name in module.lessons:
            path = kit.lessons_dir / name
            started = time.perf_counter()
            executed = notebooks.execute_notebook(notebooks.read_notebook(path), cwd=kit.lessons_dir)
            seconds = time.perf_counter() - started
            problems = notebooks.cell_problems(executed)
            timings.append((seconds, name, problems))
    for seconds, name, problems in sorted(timings):
        verdict = "ok" if seconds < TARGET_SECONDS and not problems else "OVER" if not problems else "ERROR"
        print(f"{name:<40}{seconds:6.1f} s  {verdict}{'  ' + problems[0] if problems else ''}")
    slowest = max(timings)[0]
    print(f"slowest lesson: {slowest:.1f} s (target < {TARGET_SECONDS:.0f} s, kernel start included)")
    return 0 if all(s < TARGET_SECONDS and not p for s, _, p in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
