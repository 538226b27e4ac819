"""Benchmark: `umkmkit grade` against plain sequential `nbgrader autograde`, in one run.

Builds one cohort of simulated trainees (the demo's mix: correct, catalogued mistakes, blank,
late) for every assignment of the curriculum, copies it twice, grades one copy with plain
`nbgrader autograde` (one process per assignment, as a trainer would run it) and the other
with `umkmkit grade`, checks that every cell got the same score, and prints both times, the
ratio, and the floor: executing the same notebooks with nbclient, a fresh kernel each,
divided by the number of cores.

Without `--cohort-all`, `umkmkit grade` runs once per assignment (a pool of workers and a fork
server started for each; default 40 trainees). With `--cohort-all`, the whole cohort is graded
as a trainer does after a workshop, `umkmkit grade COHORT --all`: every assignment in one run,
one pool (default 100 trainees; target: at least 5 times as fast as plain nbgrader).

    .venv/bin/python benchmarks/grading.py [--cohort-all] [--trainees N] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.grading import grader as grading
from umkmkit.cohort.cohorts import Trainee, create_cohort, load_cohort_config
from umkmkit.course.curriculum import load_curriculum
from umkmkit.workspace import SUBMITTED, Cohort, Workspace, ensure_scripts_on_path, find_kit


def build_cohort(kit, curriculum, root: Path, count: int) -> Cohort:
    trainees = [Trainee(f"P-{n:05d}", f"Peserta Uji {n}", {}) for n in range(1, count + 1)]
    cohort = create_cohort(kit, curriculum, Workspace(root), "bench", trainees)
    for position, module in enumerate(curriculum.assignments):
        catalog = simulate.load_catalog(kit, module.assignment)
        plans = simulate.plan_trainees([(t.trainee_id, t.name) for t in trainees], catalog, seed=position)
        for plan in plans:
            submitted = simulate.submission_notebooks(kit, module.assignment, module.notebooks, plan)
            simulate.write_submission(cohort, plan.trainee_id, module.assignment, submitted, datetime(2022, 6, 10, 9))
    return cohort


def scores(cohort: Cohort, assignments: list[str]) -> dict[tuple[str, str, str], float]:
    config = load_cohort_config(cohort)
    found = {}
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        for assignment_id in assignments:
            for submission in gradebook.assignment_submissions(assignment_id):
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        found[(submission.student.id, assignment_id, grade.name)] = grade.score
    return found


def plain_nbgrader(cohort: Cohort, assignments: list[str]) -> float:
    started = time.perf_counter()
    for assignment_id in assignments:
        subprocess.run(
            ["nbgrader", "autograde", assignment_id, "--force", "--log-level=ERROR"],
            cwd=cohort.root, check=False, capture_output=True,
        )
    return time.perf_counter() - started


def umkmkit_grade(cohort: Cohort, assignments: list[str], workers: int | None, whole: bool) -> tuple[float, list]:
    started = time.perf_counter()
    if whole:
        summaries = grading.grade_cohort(cohort, assignments, workers=workers, force=True)
    else:
        summaries = [grading.grade(cohort, a, workers=workers, force=True) for a in assignments]
    return time.perf_counter() - started, summaries


def floor(cohort: Cohort, assignments: list[str]) -> tuple[float, int]:
    """nbclient alone, fresh kernel per notebook, one after another."""
    paths = [
        path for a in assignments
        for path in sorted((cohort.root / SUBMITTED).glob(f"*/{a}/*.ipynb"))
    ]
    started = time.perf_counter()
    for path in paths:
        notebooks.execute_notebook(notebooks.read_notebook(path), cwd=cohort.root / "source" / path.parent.name)
    return time.perf_counter() - started, len(paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort-all", action="store_true",
                        help="grade every assignment in one run (`umkmkit grade COHORT --all`), 100 trainees by default")
    parser.add_argument("--trainees", type=int, default=None, help="trainees (default 40; 100 with --cohort-all)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    trainees = args.trainees or (100 if args.cohort_all else 40)
    target = 5 if args.cohort_all else 3
    ours_name = "umkmkit grade --all (one run)" if args.cohort_all else "umkmkit grade (per assignment)"
    ensure_scripts_on_path()
    kit = find_kit()
    curriculum = load_curriculum(kit)
    assignments = [m.assignment for m in curriculum.assignments]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="umkmkit-bench-") as scratch:
        base = build_cohort(kit, curriculum, Path(scratch) / "a", trainees)
        copy_root = Path(scratch) / "b" / "cohorts" / "bench"
        shutil.copytree(base.root, copy_root)
        # the copy's config and gradebook must point at the copy
        config_text = base.config_file.read_text(encoding="utf-8").replace(str(base.root.resolve()), str(copy_root.resolve()))
        (copy_root / "nbgrader_config.py").write_text(config_text, encoding="utf-8")
        copy = Cohort(copy_root)

        plain_seconds = plain_nbgrader(base, assignments)
        ours_seconds, summaries = umkmkit_grade(copy, assignments, args.workers, args.cohort_all)
        floor_seconds, executed = floor(copy, assignments)

        plain_scores, our_scores = scores(base, assignments), scores(copy, assignments)
        same = plain_scores == our_scores and len(plain_scores) > 0
        workers = summaries[0].workers if summaries else 0
        print(f"cohort: {trainees} trainees x {len(assignments)} assignments = {executed} notebooks; "
              f"{cores} cores; umkmkit workers: {workers}")
        print(f"{'plain nbgrader autograde (sequential)':<42}{plain_seconds:8.1f} s  {plain_seconds / executed:6.2f} s/notebook")
        print(f"{ours_name:<42}{ours_seconds:8.1f} s  {ours_seconds / executed:6.2f} s/notebook")
        print(f"{'floor: nbclient fresh kernel each / cores':<42}{floor_seconds / cores:8.1f} s  "
              f"{floor_seconds / cores / executed:6.2f} s/notebook")
        print(f"speed-up over plain nbgrader: {plain_seconds / ours_seconds:.2f}x (target >= {target}x)")
        print(f"umkmkit / floor: {ours_seconds / (floor_seconds / cores):.2f} (target <= 1.3)")
        print(f"identical scores: {same} ({len(plain_scores)} graded cells compared)")
        print("sandbox: " + ", ".join(f"{k}: {v}" for k, v in summaries[0].protections.items()))
        failed = {t: e[-200:] for s in summaries for t, e in s.failed.items()}
        if failed:
            print(f"failed: {failed}")
        return 0 if same and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
