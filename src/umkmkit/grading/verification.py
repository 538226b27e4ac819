"""Proof that an assignment grades as intended, with real nbgrader and real kernels.

Three kinds of simulated submission are graded in a throw-away cohort: the solution
("passes-all"), the untouched exercise ("unchanged"), and one submission per catalogued
mistake. The solution must earn every autograded point, the untouched exercise none, and
each mistake must lose points on the test cell its catalog entry names.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.grading import grader as grading
from umkmkit.cohort.cohorts import Trainee, create_cohort, load_cohort_config
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Cohort, Kit, Workspace

PASSES_ALL = "passes-all"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class GradedScenario:
    """What nbgrader gave one scenario submission."""

    trainee_id: str
    score: float
    auto_max: float
    cell_scores: dict[str, float]
    cell_max: dict[str, float]
    needs_manual_grade: bool

    @property
    def challenge_max(self) -> float:
        """Points of the optional challenges (extra credit) among the autograded ones."""
        return sum(points for name, points in self.cell_max.items() if notebooks.is_challenge(name))


@dataclass(frozen=True)
class AssignmentVerification:
    assignment_id: str
    solution: GradedScenario
    untouched: GradedScenario
    mistakes: dict[str, tuple[simulate.Mistake, GradedScenario]]

    def problems(self) -> list[str]:
        """Every way in which the assignment does not grade as intended (empty when it does)."""
        found = []
        if self.solution.auto_max <= 0:
            found.append("the assignment has no autograded points")
        if self.solution.score != self.solution.auto_max:
            lost = {k: v for k, v in self.solution.cell_scores.items() if v < self.solution.cell_max[k]}
            found.append(f"the solution loses points: {lost}")
        if self.untouched.score != 0:
            found.append(f"the untouched exercise scores {self.untouched.score}")
        for mistake, graded in self.mistakes.values():
            if graded.cell_scores.get(mistake.test, 0) >= graded.cell_max.get(mistake.test, 0):
                found.append(f"mistake {mistake.id} is not caught by {mistake.test}")
            elif graded.score >= self.solution.score:
                found.append(f"mistake {mistake.id} scores as much as the solution")
        return found


def mistake_trainee(mistake: simulate.Mistake) -> str:
    return f"mistake-{mistake.id}"


def verify_assignments(
    kit: Kit, curriculum: Curriculum, assignment_ids: list[str] | None = None, workdir: Path | None = None,
    on_progress: grading.ProgressCallback | None = None,
) -> dict[str, AssignmentVerification]:
    """Grade the scenario submissions of each assignment (default: every one the kit builds) in one
    throw-away cohort, in one grading run."""
    if assignment_ids is None:
        assignment_ids = [module.assignment for module in curriculum.buildable]
    with tempfile.TemporaryDirectory(prefix="umkmkit-verify-") as scratch:
        workspace = Workspace(Path(workdir or scratch))
        catalogs = {a: simulate.load_catalog(kit, a) for a in assignment_ids}
        trainee_ids = [PASSES_ALL, UNCHANGED] + sorted(
            {mistake_trainee(m) for catalog in catalogs.values() for m in catalog.mistakes}
        )
        # scenario trainees are not in the office's registry: they are handed over as trainees, not a roster file
        scenario_trainees = [Trainee(trainee_id, "Peserta Uji") for trainee_id in trainee_ids]
        cohort = create_cohort(kit, curriculum, workspace, "verifikasi", scenario_trainees, assignment_ids=assignment_ids)
        plans = {assignment_id: _hand_in(kit, curriculum, cohort, catalogs[assignment_id]) for assignment_id in assignment_ids}
        # every assignment's scenarios in one grading run: one pool of workers for all of them
        summaries = grading.grade_cohort(cohort, assignment_ids, on_progress=on_progress)
        failed = [f"{s.assignment_id} {trainee_id}: {error[-500:]}" for s in summaries for trainee_id, error in s.failed.items()]
        if failed:
            raise UmkmkitError("nbgrader could not grade every scenario submission:\n" + "\n".join(failed))
        return {
            assignment_id: _verification(cohort, catalogs[assignment_id], plans[assignment_id])
            for assignment_id in assignment_ids
        }


def _hand_in(kit, curriculum, cohort: Cohort, catalog: simulate.Catalog) -> list[simulate.SimulatedTrainee]:
    """Write the assignment's scenario submissions into the cohort: the solution, the untouched
    exercise, one per catalogued mistake."""
    module = curriculum.module_for(catalog.assignment_id)
    written = "Jawaban tertulis peserta uji."
    plans = [
        simulate.SimulatedTrainee(PASSES_ALL, "Peserta Uji", "benar", written_answer=written),
        simulate.SimulatedTrainee(UNCHANGED, "Peserta Uji", "kosong"),
    ] + [
        simulate.SimulatedTrainee(mistake_trainee(m), "Peserta Uji", "salah", [m], written)
        for m in catalog.mistakes
    ]
    stamp = datetime(2022, 6, 10, 9, 0)
    for plan in plans:
        submitted = simulate.submission_notebooks(kit, module.assignment, module.notebooks, plan)
        simulate.write_submission(cohort, plan.trainee_id, module.assignment, submitted, stamp)
    return plans


def _verification(cohort: Cohort, catalog: simulate.Catalog, plans: list[simulate.SimulatedTrainee]) -> AssignmentVerification:
    scores = _read_scores(cohort, catalog.assignment_id, [p.trainee_id for p in plans])
    return AssignmentVerification(
        assignment_id=catalog.assignment_id,
        solution=scores[PASSES_ALL],
        untouched=scores[UNCHANGED],
        mistakes={m.id: (m, scores[mistake_trainee(m)]) for m in catalog.mistakes},
    )


def _read_scores(cohort: Cohort, assignment_id: str, trainee_ids: list[str]) -> dict[str, GradedScenario]:
    config = load_cohort_config(cohort)
    scores = {}
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        for trainee_id in trainee_ids:
            submission = gradebook.find_submission(assignment_id, trainee_id)
            grades = [grade for nb in submission.notebooks for grade in nb.grades]
            scores[trainee_id] = GradedScenario(
                trainee_id=trainee_id,
                score=float(submission.score),
                auto_max=float(sum(g.max_score for g in grades if g.cell.cell_type == "code")),
                cell_scores={g.name: float(g.score) for g in grades},
                cell_max={g.name: float(g.max_score) for g in grades},
                needs_manual_grade=bool(submission.needs_manual_grade),
            )
    return scores
