"""The newcomer's demo: one synthetic cohort taken through the trainer's whole cycle.

roster -> cohort course (`cohort create`) -> per-trainee bundles (`release`) -> simulated
trainees hand back their notebooks under WhatsApp-style names (correct, catalogued mistakes,
blank, late) -> `collect` -> `grade` (nbgrader, parallel, sandboxed) -> `feedback` ->
progress.csv, all under workspace/demo/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from umkmkit import grading, notebooks, simulate
from umkmkit.cohorts import Trainee, create_cohort, read_roster, write_roster
from umkmkit.collect import collect_submissions
from umkmkit.release import release_assignment
from umkmkit.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.progress import cohort_progress
from umkmkit.workspace import FEEDBACK, Cohort, Kit, Workspace

DEMO_SEED = 20220610
DEFAULT_TRAINEES = 20
#: Papua's time zone (WIT, UTC+9); each cohort's deadline is its last workshop day, 17:00 WIT.
WIT = timezone(timedelta(hours=9))
#: The two 2022 cohorts of datasets/, with their deadlines; the sample demo uses the first.
DEMO_COHORTS = {
    "mkw-2022-06": datetime(2022, 6, 10, 17, 0, tzinfo=WIT),
    "mkw-2022-08": datetime(2022, 8, 12, 17, 0, tzinfo=WIT),
}
DEMO_COHORT = next(iter(DEMO_COHORTS))

#: Called with (phase, done, total, label); phases: "cohort", "submissions", "grading", "feedback".
PhaseCallback = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    cohorts: list[Cohort]
    progress_file: Path
    progress: pd.DataFrame
    grading: list[grading.GradingSummary]


def demo_roster(kit: Kit, count: int | None, cohort_id: str = DEMO_COHORT) -> list[Trainee]:
    """The first `count` trainees (all when None) of a 2022 cohort's roster in datasets/."""
    source = kit.datasets_dir / f"roster-{cohort_id}.csv"
    if not source.is_file():
        raise UmkmkitError(f"{source} is missing: regenerate the data sets with `umkmkit datasets`.")
    trainees = read_roster(source)
    if count is None:
        return list(trainees)
    if not 1 <= count <= len(trainees):
        raise UmkmkitError(f"The demo can use 1 to {len(trainees)} trainees of {source.name}, not {count}.")
    return trainees[:count]


def run_demo(
    kit: Kit,
    curriculum: Curriculum,
    trainees: int = DEFAULT_TRAINEES,
    on_progress: PhaseCallback | None = None,
    workers: int | None = None,
    full: bool = False,
) -> DemoResult:
    """Build workspace/demo/ from scratch (an earlier demo there is replaced).

    By default one cohort (June 2022) with its first `trainees` trainees; with `full`, both
    2022 cohorts with all their trainees (200, a few of them in both).
    """
    report = on_progress or (lambda *args: None)
    workspace = Workspace(kit.workspace_dir / "demo")
    if workspace.root.exists():
        shutil.rmtree(workspace.root)
    workspace.root.mkdir(parents=True)
    chosen = list(DEMO_COHORTS) if full else [DEMO_COHORT]
    cohorts, summaries, tables = [], [], []
    for position, cohort_id in enumerate(chosen):
        people = demo_roster(kit, None if full else trainees, cohort_id)
        cohort, graded = _run_cohort(
            kit, curriculum, workspace, cohort_id, people, DEMO_COHORTS[cohort_id],
            DEMO_SEED + 100 * position, report, workers,
        )
        cohorts.append(cohort)
        summaries += graded
        tables.append(cohort_progress(cohort, curriculum))
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(workspace.progress_file, index=False)
    return DemoResult(workspace, cohorts, workspace.progress_file, table, summaries)


def _run_cohort(
    kit: Kit, curriculum: Curriculum, workspace: Workspace, cohort_id: str, people: list[Trainee],
    duedate: datetime, seed: int, report: PhaseCallback, workers: int | None,
) -> tuple[Cohort, list[grading.GradingSummary]]:
    """One cohort through the trainer's cycle: create, release, hand back, collect, grade, feedback."""
    report("cohort", 0, 1, cohort_id)
    roster_file = workspace.root / f"roster-{cohort_id}.csv"
    write_roster(people, roster_file)
    duedate_utc = duedate.astimezone(timezone.utc).replace(tzinfo=None)
    cohort = create_cohort(
        kit, curriculum, workspace, cohort_id, roster_file,
        duedates={module.assignment: duedate_utc for module in curriculum.assignments},
    )
    report("cohort", 1, 1, cohort_id)

    summaries: list[grading.GradingSummary] = []
    inbox = workspace.root / "kiriman" / cohort_id
    for position, module in enumerate(curriculum.assignments):
        released = release_assignment(cohort, module.assignment, exchange=False)
        bundles = {bundle.trainee_id: bundle for bundle in released.bundles}
        catalog = simulate.load_catalog(kit, module.assignment)
        plans = simulate.plan_trainees(
            [(t.trainee_id, t.name) for t in people], catalog, seed=seed + position,
        )
        # Trainees hand back their notebooks under whatever name WhatsApp or a USB stick gives them.
        arrived = inbox / module.assignment
        arrived.mkdir(parents=True)
        for done, plan in enumerate(plans, start=1):
            on_time = duedate - timedelta(hours=6) + timedelta(minutes=13 * done % 300)
            stamp = duedate + timedelta(hours=16) if plan.late else on_time
            submitted = simulate.submission_notebooks(
                kit, module.assignment, module.notebooks, plan, handed_out=bundles[plan.trainee_id].folder,
            )
            for notebook_id, nb in submitted.items():
                path = arrived / f"{notebook_id} ({done}).ipynb"
                notebooks.write_notebook(nb, path)
                os.utime(path, (stamp.timestamp(), stamp.timestamp()))
            report("submissions", done, len(plans), f"{cohort_id} {plan.trainee_id}")
        intake = collect_submissions(cohort, module.assignment, [arrived], exchange=False)
        if intake.refused:
            reasons = "; ".join(f"{r.source}: {r.reason}" for r in intake.refused)
            raise UmkmkitError(f"The demo's own submissions were refused: {reasons}")

        def graded(done: int, total: int, trainee_id: str, phase: str = "grading") -> None:
            report(phase, done, total, f"{cohort_id} {module.assignment} {trainee_id}")

        summaries.append(grading.grade(cohort, module.assignment, workers=workers, on_progress=graded))
        grading.generate_feedback(
            cohort, module.assignment,
            on_progress=lambda d, t, sid: graded(d, t, sid, phase="feedback"),
        )
    return cohort, summaries


def feedback_dirs(result: DemoResult) -> list[Path]:
    return [cohort.root / FEEDBACK for cohort in result.cohorts]
