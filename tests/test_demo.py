"""The newcomer's demo, end to end with real nbgrader: the CLI as a trainer runs it."""

from __future__ import annotations

import os
import subprocess
import sysconfig
from pathlib import Path

import pandas as pd

from umkmkit.curriculum import load_curriculum
from umkmkit.demo import run_demo
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]


def test_demo_command_grades_twenty_trainees(tmp_path):
    environment = {**os.environ, "UMKMKIT_WORKSPACE": str(tmp_path)}
    # a trainer's shell may not have the venv's bin/ on PATH: the kit must cope
    environment["PATH"] = os.pathsep.join(
        p for p in environment["PATH"].split(os.pathsep) if p != sysconfig.get_path("scripts")
    )
    done = subprocess.run(
        [str(Path(sysconfig.get_path("scripts")) / "umkmkit"), "demo"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    progress_file = tmp_path / "demo" / "progress.csv"
    assert str(progress_file) in done.stdout

    table = pd.read_csv(progress_file)
    assignments = [m.assignment for m in load_curriculum(Kit(ROOT)).assignments]
    assert list(table.columns[:5]) == ["trainee", "cohort", "assignment", "score", "max_score"]
    assert table["trainee"].nunique() == 20
    assert len(table) == 20 * len(assignments)  # one row per trainee and graded module
    for assignment_id, scores in table.groupby("assignment")["score"]:
        assert scores.nunique() >= 3, f"{assignment_id}: simulated trainees should score differently"
        assert (scores == 0).any()
    assert table.groupby("assignment")["late"].sum().eq(1).all()
    assert (table["status"] == "graded").all()

    feedback = list((tmp_path / "demo" / "cohorts" / "mkw-2022-06" / "feedback").rglob("*.html"))
    assert len(feedback) == 20 * len(assignments)
    assert (tmp_path / "demo" / "cohorts" / "mkw-2022-06" / "gradebook.db").is_file()


def test_demo_runs_twice_in_a_row(kit, curriculum, monkeypatch, tmp_path):
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path))
    first = run_demo(kit, curriculum, trainees=3)
    second = run_demo(kit, curriculum, trainees=4)
    assert second.progress_file == first.progress_file
    assert [c.cohort_id for c in second.cohorts] == ["mkw-2022-06"]
    assignments = len(curriculum.assignments)
    assert len(pd.read_csv(second.progress_file)) == 4 * assignments
    assert pd.read_csv(second.progress_file)["trainee"].nunique() == 4


def test_full_demo_takes_both_cohorts_with_their_whole_rosters(kit, curriculum, monkeypatch, tmp_path):
    """The --full path, with the rosters cut short so the test stays quick."""
    import umkmkit.demo as demo

    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path))
    real_roster = demo.demo_roster
    monkeypatch.setattr(demo, "demo_roster", lambda k, count, cohort_id: real_roster(k, 2, cohort_id))
    result = demo.run_demo(kit, curriculum, full=True)
    table = pd.read_csv(result.progress_file)
    assert sorted(table["cohort"].unique()) == ["mkw-2022-06", "mkw-2022-08"]
    assert len(table) == 4 * len(curriculum.assignments)
