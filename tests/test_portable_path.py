"""Grading as on a Windows laptop: the grading modules see sys.platform "win32" and an `os` and
`signal` without the calls Windows lacks (tests/pretend_windows/sitecustomize.py), so any
Unix-only call reached on the portable path fails here as it would there. Real nbgrader, real
kernels, real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import Trainee, create_cohort
from umkmkit.workspace import Workspace

ASSIGNMENT, NOTEBOOK = "00-mengenal-jupyter", "latihan"
DUE = datetime(2022, 6, 10, 8, 0)
PRETEND = Path(__file__).resolve().parent / "pretend_windows"
CASES = {
    "benar": None,
    "makan-memori": "simpan = []\nwhile True:\n    simpan.append(bytearray(16 * 2**20))",
    "tak-berhenti": "while True:\n    pass",
}
GRADE = """
import json, sys
from pathlib import Path
from umkmkit.grading import sandbox
from umkmkit.grading.grader import grade
from umkmkit.grading.sandbox import SandboxPolicy
from umkmkit.workspace import Cohort
assert sandbox.sys.platform == "win32" and sandbox.sandbox_mode() == "portable"
summary = grade(Cohort(Path(sys.argv[1])), sys.argv[2], workers=2, timeout=5, policy=SandboxPolicy(memory_mb=600))
print(json.dumps({"graded": summary.graded, "reasons": summary.reasons, "protections": summary.protections}))
"""


def pretending_windows() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PRETEND), os.environ.get("PYTHONPATH")]))}


@pytest.fixture(scope="module")
def graded(kit, curriculum, tmp_path_factory):
    root = tmp_path_factory.mktemp("windows")
    people = [Trainee(case, f"Peserta {case}", {}) for case in CASES]
    cohort = create_cohort(kit, curriculum, Workspace(root / "ws"), "uji-windows", people,
                           duedates={ASSIGNMENT: DUE}, assignment_ids=[ASSIGNMENT])
    exercise = notebooks.read_notebook(kit.exercise_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    answers = simulate.answer_key(notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb"))
    for case, hostile in CASES.items():
        mine = dict(answers)
        if hostile:
            mine["jawaban_a"] = hostile + "\n\n" + answers["jawaban_a"]
        simulate.write_submission(cohort, case, ASSIGNMENT, {NOTEBOOK: simulate.fill_answers(exercise, mine)},
                                  DUE.replace(tzinfo=timezone.utc) - timedelta(hours=1))
    done = subprocess.run([sys.executable, "-c", GRADE, str(cohort.root), ASSIGNMENT], capture_output=True,
                          text=True, env=pretending_windows(), timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_unix_only_call_is_reached_and_honest_work_is_graded(graded):
    assert "benar" in graded["graded"] and "tak-berhenti" in graded["graded"]  # the loop is interrupted


def test_the_watchdog_stops_a_memory_hog_and_the_reason_says_so(graded):
    assert "makan-memori" in graded["reasons"], graded
    assert "more memory than the limit (600 MB)" in graded["reasons"]["makan-memori"]


def test_the_summary_says_what_windows_does_not_give(graded):
    protections = graded["protections"]
    assert protections["private folder"] == protections["limits"] == "on"
    for missing in ("no network", "grader's files hidden", "read-only outside its folder", "separate user"):
        assert protections[missing].startswith("off: not available on Windows"), (missing, protections[missing])


def test_doctor_runs_as_on_windows():
    done = subprocess.run([sys.executable, "-m", "umkmkit.cli", "doctor"], capture_output=True, text=True,
                          env=pretending_windows(), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Tidak ada di Windows/macOS" in done.stdout and "(limits: on)" in done.stdout
