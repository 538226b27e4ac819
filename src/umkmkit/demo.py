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

DEMO_COHORT = "mkw-2022-06"
DEMO_SEED = 20220610
DEFAULT_TRAINEES = 20
#: Papua's time zone (WIT, UTC+9); the demo's deadline is the last workshop day, 17:00 WIT.
WIT = timezone(timedelta(hours=9))
DEMO_DUEDATE = datetime(2022, 6, 10, 17, 0, tzinfo=WIT)

#: Called with (phase, done, total, label); phases: "cohort", "submissions", "grading", "feedback".
PhaseCallback = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    cohort: Cohort
    progress_file: Path
    progress: pd.DataFrame
    grading: list[grading.GradingSummary]


def demo_roster(kit: Kit, count: int) -> list[Trainee]:
    """The first `count` trainees of the June 2022 roster in datasets/."""
    source = kit.datasets_dir / f"roster-{DEMO_COHORT}.csv"
    if not source.is_file():
        raise UmkmkitError(f"{source} is missing: regenerate the data sets with `umkmkit datasets`.")
    trainees = read_roster(source)
    if not 1 <= count <= len(trainees):
        raise UmkmkitError(f"The demo can use 1 to {len(trainees)} trainees of {source.name}, not {count}.")
    return trainees[:count]


def run_demo(
    kit: Kit,
    curriculum: Curriculum,
    trainees: int = DEFAULT_TRAINEES,
    on_progress: PhaseCallback | None = None,
    workers: int | None = None,
) -> DemoResult:
    """Build workspace/demo/ from scratch (an earlier demo there is replaced)."""
    report = on_progress or (lambda *args: None)
    workspace = Workspace(kit.workspace_dir / "demo")
    if workspace.root.exists():
        shutil.rmtree(workspace.root)
    workspace.root.mkdir(parents=True)

    report("cohort", 0, 1, DEMO_COHORT)
    people = demo_roster(kit, trainees)
    roster_file = workspace.root / f"roster-{DEMO_COHORT}.csv"
    write_roster(people, roster_file)
    duedate_utc = DEMO_DUEDATE.astimezone(timezone.utc).replace(tzinfo=None)
    cohort = create_cohort(
        kit, curriculum, workspace, DEMO_COHORT, roster_file,
        duedates={module.assignment: duedate_utc for module in curriculum.assignments},
    )
    report("cohort", 1, 1, DEMO_COHORT)

    summaries: list[grading.GradingSummary] = []
    inbox = workspace.root / "kiriman"
    for position, module in enumerate(curriculum.assignments):
        released = release_assignment(cohort, module.assignment, exchange=False)
        bundles = {bundle.trainee_id: bundle for bundle in released.bundles}
        catalog = simulate.load_catalog(kit, module.assignment)
        plans = simulate.plan_trainees(
            [(t.trainee_id, t.name) for t in people], catalog, seed=DEMO_SEED + position,
        )
        # Trainees hand back their notebooks under whatever name WhatsApp or a USB stick gives them.
        arrived = inbox / module.assignment
        arrived.mkdir(parents=True)
        for done, plan in enumerate(plans, start=1):
            on_time = DEMO_DUEDATE - timedelta(hours=6) + timedelta(minutes=13 * done)
            stamp = DEMO_DUEDATE + timedelta(hours=16) if plan.late else on_time
            submitted = simulate.submission_notebooks(
                kit, module.assignment, module.notebooks, plan, handed_out=bundles[plan.trainee_id].folder,
            )
            for notebook_id, nb in submitted.items():
                path = arrived / f"{notebook_id} ({done}).ipynb"
                notebooks.write_notebook(nb, path)
                os.utime(path, (stamp.timestamp(), stamp.timestamp()))
            report("submissions", done, len(plans), plan.trainee_id)
        intake = collect_submissions(cohort, module.assignment, [arrived], exchange=False)
        if intake.refused:
            reasons = "; ".join(f"{r.source}: {r.reason}" for r in intake.refused)
            raise UmkmkitError(f"The demo's own submissions were refused: {reasons}")

        def graded(done: int, total: int, trainee_id: str, phase: str = "grading") -> None:
            report(phase, done, total, f"{module.assignment} {trainee_id}")

        summaries.append(grading.grade(cohort, module.assignment, workers=workers, on_progress=graded))
        grading.generate_feedback(
            cohort, module.assignment,
            on_progress=lambda d, t, sid: graded(d, t, sid, phase="feedback"),
        )

    table = cohort_progress(cohort, curriculum)
    table.to_csv(workspace.progress_file, index=False)
    return DemoResult(workspace, cohort, workspace.progress_file, table, summaries)


def feedback_dir(result: DemoResult) -> Path:
    return result.cohort.root / FEEDBACK
