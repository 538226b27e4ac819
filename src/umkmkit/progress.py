"""The progress ledger: one tidy table of scores per trainee x cohort x assignment."""

from __future__ import annotations

import pandas as pd
from nbgrader.api import MissingEntry

from umkmkit.cohorts import open_gradebook, roster
from umkmkit.curriculum import Curriculum
from umkmkit.workspace import Cohort

PROGRESS_COLUMNS = [
    "trainee", "cohort", "assignment", "score", "max_score", "status", "late", "needs_manual_grade",
]


def cohort_progress(cohort: Cohort, curriculum: Curriculum) -> pd.DataFrame:
    """One row per rostered trainee and assignment, read from the cohort's gradebook.

    status is "graded" (autograded), "submitted" (collected, not yet graded) or "missing".
    A missing submission scores 0 of the assignment's maximum.
    """
    rows = []
    with open_gradebook(cohort) as gradebook:
        for module in curriculum.assignments:
            try:
                max_score = gradebook.find_assignment(module.assignment).max_score
            except MissingEntry:
                max_score = float("nan")
            for trainee in roster(cohort):
                row = {
                    "trainee": trainee.trainee_id, "cohort": cohort.cohort_id,
                    "assignment": module.assignment, "score": 0.0, "max_score": max_score,
                    "status": "missing", "late": False, "needs_manual_grade": False,
                }
                try:
                    submission = gradebook.find_submission(module.assignment, trainee.trainee_id)
                except MissingEntry:
                    rows.append(row)
                    continue
                graded = all(nb.grades for nb in submission.notebooks) and submission.notebooks
                row.update(
                    score=float(submission.score), status="graded" if graded else "submitted",
                    late=submission.total_seconds_late > 0,
                    needs_manual_grade=bool(submission.needs_manual_grade),
                )
                rows.append(row)
    table = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    return table.astype({"score": "float64", "max_score": "float64", "late": "bool", "needs_manual_grade": "bool"})
