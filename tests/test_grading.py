"""Real nbgrader autograde on real kernels: solutions score full marks, untouched exercises
score zero, and every catalogued mistake loses points on the test it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from umkmkit.cohort import simulate
from umkmkit.course.curriculum import load_curriculum
from umkmkit.workspace import Kit

_KIT = Kit(Path(__file__).resolve().parents[1])
_ASSIGNMENTS = [m.assignment for m in load_curriculum(_KIT).buildable]
#: Modules end with a written answer for the trainer; the knowledge test is fully auto-graded.
_MODULES = {m.assignment for m in load_curriculum(_KIT).assignments}
_MISTAKES = [
    pytest.param(assignment_id, mistake.id, id=f"{assignment_id}:{mistake.id}")
    for assignment_id in _ASSIGNMENTS
    for mistake in simulate.load_catalog(_KIT, assignment_id).mistakes
]


@pytest.mark.parametrize("assignment_id", _ASSIGNMENTS)
def test_solution_scores_every_autograded_point(verified, assignment_id):
    solution = verified[assignment_id].solution
    assert solution.auto_max > 0
    assert solution.score == solution.auto_max, solution.cell_scores
    # a module's written answer waits for the trainer; the knowledge test has none
    assert solution.needs_manual_grade == (assignment_id in _MODULES)


@pytest.mark.parametrize("assignment_id", _ASSIGNMENTS)
def test_untouched_exercise_scores_zero(verified, assignment_id):
    untouched = verified[assignment_id].untouched
    assert untouched.score == 0, untouched.cell_scores
    assert not untouched.needs_manual_grade


@pytest.mark.parametrize("assignment_id, mistake_id", _MISTAKES)
def test_catalogued_mistake_loses_points_on_its_test(verified, assignment_id, mistake_id):
    verification = verified[assignment_id]
    mistake, graded = verification.mistakes[mistake_id]
    assert graded.cell_scores[mistake.test] < graded.cell_max[mistake.test], (
        f"{mistake.id} ({mistake.explanation}) is not caught by {mistake.test}"
    )
    assert graded.score < verification.solution.score


@pytest.mark.parametrize("assignment_id", _ASSIGNMENTS)
def test_verification_reports_no_problem(verified, assignment_id):
    assert verified[assignment_id].problems() == []


@pytest.mark.parametrize("assignment_id", _ASSIGNMENTS)
def test_catalog_has_at_least_five_mistakes(assignment_id):
    catalog = simulate.load_catalog(_KIT, assignment_id)
    assert len(catalog.mistakes) >= 5
    assert all(m.explanation.strip() for m in catalog.mistakes)
