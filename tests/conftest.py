"""Shared fixtures: the kit checkout, and one cohort graded once by real nbgrader for all
scenario tests (the solution, the untouched exercise, and each catalogued mistake)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from umkmkit import grading, simulate
from umkmkit.cohorts import create_cohort, load_cohort_config
from umkmkit.curriculum import load_curriculum
from umkmkit.workspace import Kit, Workspace, ensure_scripts_on_path

ROOT = Path(__file__).resolve().parents[1]
PASSES_ALL = "passes-all"
UNCHANGED = "unchanged"


@pytest.fixture(scope="session")
def kit() -> Kit:
    ensure_scripts_on_path()
    return Kit(ROOT)


@pytest.fixture(scope="session")
def curriculum(kit):
    return load_curriculum(kit)


@dataclass
class GradedScenario:
    """Scores nbgrader gave one scenario submission, per grade_id, plus totals."""

    trainee_id: str
    score: float
    max_score: float
    auto_max: float
    cell_scores: dict[str, float]
    cell_max: dict[str, float]
    needs_manual_grade: bool


def mistake_trainee(mistake: simulate.Mistake) -> str:
    return f"mistake-{mistake.id}"


@pytest.fixture(scope="session")
def graded_scenarios(kit, curriculum, tmp_path_factory) -> dict[str, dict[str, GradedScenario]]:
    """assignment id -> trainee id -> what nbgrader's autograde gave that submission."""
    workspace = Workspace(tmp_path_factory.mktemp("scenarios"))
    catalogs = {m.assignment: simulate.load_catalog(kit, m.assignment) for m in curriculum.assignments}
    trainee_ids = [PASSES_ALL, UNCHANGED] + sorted(
        {mistake_trainee(mistake) for catalog in catalogs.values() for mistake in catalog.mistakes}
    )
    roster = workspace.root / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id_peserta", "nama"])
        writer.writerows([trainee_id, f"Peserta {trainee_id}"] for trainee_id in trainee_ids)
    cohort = create_cohort(kit, curriculum, workspace, "scenarios", roster)
    stamp = datetime(2022, 6, 10, 9, 0)
    results: dict[str, dict[str, GradedScenario]] = {}
    for module in curriculum.assignments:
        plans = [
            simulate.SimulatedTrainee(PASSES_ALL, "Peserta", "benar", written_answer="Jawaban tertulis."),
            simulate.SimulatedTrainee(UNCHANGED, "Peserta", "kosong"),
        ] + [
            simulate.SimulatedTrainee(mistake_trainee(m), "Peserta", "salah", [m], "Jawaban tertulis.")
            for m in catalogs[module.assignment].mistakes
        ]
        for plan in plans:
            submitted = simulate.submission_notebooks(kit, module.assignment, module.notebooks, plan)
            simulate.write_submission(cohort, plan.trainee_id, module.assignment, submitted, stamp)
        outcomes = grading.autograde(cohort, module.assignment, [p.trainee_id for p in plans])
        assert all(o.success for o in outcomes), [o.error for o in outcomes if not o.success]
        results[module.assignment] = _read_scores(cohort, module.assignment, [p.trainee_id for p in plans])
    return results


def _read_scores(cohort, assignment_id, trainee_ids) -> dict[str, GradedScenario]:
    config = load_cohort_config(cohort)
    scores = {}
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        for trainee_id in trainee_ids:
            submission = gradebook.find_submission(assignment_id, trainee_id)
            grades = [grade for nb in submission.notebooks for grade in nb.grades]
            scores[trainee_id] = GradedScenario(
                trainee_id=trainee_id,
                score=float(submission.score),
                max_score=float(submission.max_score),
                auto_max=float(sum(g.max_score for g in grades if g.cell.cell_type == "code")),
                cell_scores={g.name: float(g.score) for g in grades},
                cell_max={g.name: float(g.max_score) for g in grades},
                needs_manual_grade=bool(submission.needs_manual_grade),
            )
    return scores
