"""Grading a cohort's submissions with nbgrader: autograde, then feedback.

nbgrader runs in-process through its API, one trainee at a time, so a progress callback can
report each trainee and one trainee's broken notebook does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from umkmkit.cohorts import cohort_api
from umkmkit.workspace import SUBMITTED, Cohort

#: Called with (done, total, trainee id just handled).
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class GradingResult:
    trainee_id: str
    success: bool
    error: str = ""


def submitted_trainees(cohort: Cohort, assignment_id: str) -> list[str]:
    """Trainees with a collected submission of this assignment, sorted."""
    folder = cohort.root / SUBMITTED
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment_id).is_dir())


def autograde(
    cohort: Cohort,
    assignment_id: str,
    trainee_ids: list[str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[GradingResult]:
    """Autograde each trainee's submission (regrading any earlier grade); never stops early."""
    api = cohort_api(cohort)
    return _each_trainee(
        lambda trainee_id: api.autograde(assignment_id, trainee_id, force=True, create=True),
        submitted_trainees(cohort, assignment_id) if trainee_ids is None else trainee_ids,
        on_progress,
    )


def generate_feedback(
    cohort: Cohort,
    assignment_id: str,
    trainee_ids: list[str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[GradingResult]:
    """Write each graded trainee's feedback HTML under feedback/<trainee>/<assignment>/."""
    api = cohort_api(cohort)
    return _each_trainee(
        lambda trainee_id: api.generate_feedback(assignment_id, trainee_id, force=True),
        submitted_trainees(cohort, assignment_id) if trainee_ids is None else trainee_ids,
        on_progress,
    )


def _each_trainee(
    step: Callable[[str], dict], trainee_ids: list[str], on_progress: ProgressCallback | None,
) -> list[GradingResult]:
    """Run one nbgrader step per trainee, collecting outcomes instead of stopping at a failure."""
    results = []
    for done, trainee_id in enumerate(trainee_ids, start=1):
        outcome = step(trainee_id)
        results.append(GradingResult(trainee_id, bool(outcome["success"]), _failure_text(outcome)))
        if on_progress:
            on_progress(done, len(trainee_ids), trainee_id)
    return results


def _failure_text(outcome: dict) -> str:
    if outcome.get("success"):
        return ""
    return (outcome.get("error") or outcome.get("log") or "unknown error").strip()
