"""Feedback pages opened in headless Chromium: fully offline, the score shown, hidden tests unseen.

A tiny cohort (one correct and one mistaken submission of module 00) is graded by real nbgrader;
each trainee's feedback page is then opened the way the trainee opens it from a USB stick.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from browser import require_chromium, visit
from nbgrader.api import Gradebook

from umkmkit import notebooks, simulate
from umkmkit.cohorts import Trainee, create_cohort, load_cohort_config
from umkmkit.grading import generate_feedback, grade
from umkmkit.workspace import Workspace

ASSIGNMENT = "00-mengenal-jupyter"
NOTEBOOK = "latihan"
HANDED_IN = datetime(2022, 6, 10, 8, 0)


@pytest.fixture(scope="module")
def feedback(kit, curriculum, tmp_path_factory):
    """(cohort, feedback summary) for a graded cohort: one correct trainee, one with a mistake."""
    require_chromium()  # fail before grading, not after
    mistake = simulate.load_catalog(kit, ASSIGNMENT).mistakes[0]
    plans = [
        simulate.SimulatedTrainee("P-00001", "Peserta Uji 1", "benar", written_answer="Jawaban tertulis."),
        simulate.SimulatedTrainee("P-00002", "Peserta Uji 2", "salah", mistakes=[mistake],
                                  written_answer="Jawaban tertulis."),
    ]
    roster = [Trainee(plan.trainee_id, plan.name, {}) for plan in plans]
    cohort = create_cohort(kit, curriculum, Workspace(tmp_path_factory.mktemp("umpan-balik") / "ws"),
                           "uji-peramban", roster, assignment_ids=[ASSIGNMENT])
    for plan in plans:
        submitted = simulate.submission_notebooks(kit, ASSIGNMENT, (NOTEBOOK,), plan)
        simulate.write_submission(cohort, plan.trainee_id, ASSIGNMENT, submitted, HANDED_IN)
    graded = grade(cohort, ASSIGNMENT, workers=2)
    assert not graded.failed, graded.failed
    summary = generate_feedback(cohort, ASSIGNMENT)
    assert set(summary.written) == {plan.trainee_id for plan in plans}, summary.failed
    return cohort, summary


def total_scores(cohort) -> dict[str, tuple[float, float]]:
    """trainee id -> (score, max score) of the assignment, read back through nbgrader's API."""
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        return {s.student.id: (s.score, s.max_score) for s in gradebook.assignment_submissions(ASSIGNMENT)}


def hidden_test_lines(kit) -> list[str]:
    """Every non-blank line of the solution's hidden tests."""
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    return [
        line.strip() for cell in solution.cells
        for block in notebooks.marked_blocks(cell.source, notebooks.BEGIN_HIDDEN_TESTS, notebooks.END_HIDDEN_TESTS)
        for line in block.splitlines() if line.strip()
    ]


@pytest.mark.parametrize("trainee_id, fails_a_check", [("P-00001", False), ("P-00002", True)])
def test_feedback_page_works_offline_and_hides_hidden_tests(feedback, kit, tmp_path, trainee_id, fails_a_check):
    cohort, summary = feedback
    [page] = summary.written[trainee_id]
    seen = visit(page, tmp_path / f"{trainee_id}.png")

    assert seen.requests == [], f"the feedback page asks the network for: {seen.requests}"
    assert seen.console_errors == []
    assert seen.unrendered_images == []
    score, max_score = total_scores(cohort)[trainee_id]
    # nbgrader's feedback heading, e.g. "latihan (Score: 6.0 / 10.0)"
    assert f"{NOTEBOOK} (Score: {round(score, 2)} / {round(max_score, 2)})" in seen.text
    # the trainee still sees why a check failed
    assert ("AssertionError" in seen.text) == fails_a_check
    hidden = hidden_test_lines(kit)
    assert hidden
    for line in hidden:
        assert line not in seen.text, f"hidden test visible on {trainee_id}'s page: {line}"
    assert "pemeriksaan tersembunyi" in seen.text
    assert seen.screenshot.is_file() and seen.screenshot.stat().st_size > 10_000
