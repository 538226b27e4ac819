"""The newcomer's demo: the two 2022 cohorts taken through the trainer's whole cycle.

For each cohort (June, then August): roster -> cohort course (`cohort create`) -> per-trainee
bundles (`release`) -> simulated trainees hand back their notebooks under WhatsApp-style names
(correct, catalogued mistakes, blank, late) -> `collect` -> `grade --all` (nbgrader, every
assignment in one parallel, sandboxed run) -> `feedback`. Trainees who are in both rosters come back in August to retake the
modules they failed in June. It ends with the coordinator's report over both cohorts
(`umkmkit report`), all under workspace/demo/.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.grading import grader as grading
from umkmkit.cohort.cohorts import Trainee, create_cohort, read_roster, write_roster
from umkmkit.cohort.collect import collect_submissions
from umkmkit.cohort.release import release_assignment
from umkmkit.course.curriculum import Curriculum, KnowledgeTest, Module
from umkmkit.errors import UmkmkitError
from umkmkit.ledger.progress import ledger, module_results
from umkmkit.report.build import Report, build_report
from umkmkit.workspace import FEEDBACK, Cohort, Kit, Workspace

DEMO_SEED = 20220610
#: Trainees per cohort in the sample demo (those in both rosters are always among them).
DEFAULT_TRAINEES = 15
#: Papua's time zone (WIT, UTC+9); each cohort's deadline is its last workshop day, 17:00 WIT.
WIT = timezone(timedelta(hours=9))
#: The two 2022 cohorts of datasets/, in order, with their deadlines.
DEMO_COHORTS = {
    "mkw-2022-06": datetime(2022, 6, 10, 17, 0, tzinfo=WIT),
    "mkw-2022-08": datetime(2022, 8, 12, 17, 0, tzinfo=WIT),
}

#: Called with (phase, done, total, label); phases: "cohort", "submissions", "grading", "feedback".
PhaseCallback = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    cohorts: list[Cohort]
    ledger: pd.DataFrame
    grading: list[grading.GradingSummary]
    report: Report
    retakes: dict[str, list[str]]


def demo_roster(kit: Kit, count: int | None, cohort_id: str) -> list[Trainee]:
    """`count` trainees (all when None) of a 2022 cohort's roster in datasets/.

    Trainees who are in both 2022 rosters come first, so that a sample shows people coming back.
    """
    rosters = {c: _dataset_roster(kit, c) for c in DEMO_COHORTS}
    trainees = rosters[cohort_id]
    if count is None:
        return trainees
    if not 1 <= count <= len(trainees):
        raise UmkmkitError(f"The demo can use 1 to {len(trainees)} trainees per cohort, not {count}.")
    in_both = set.intersection(*({t.trainee_id for t in roster} for roster in rosters.values()))
    returning = [t for t in trainees if t.trainee_id in in_both]
    others = [t for t in trainees if t.trainee_id not in in_both]
    return (returning + others)[:count]


def _dataset_roster(kit: Kit, cohort_id: str) -> list[Trainee]:
    source = kit.datasets_dir / f"roster-{cohort_id}.csv"
    if not source.is_file():
        raise UmkmkitError(f"{source} is missing: regenerate the data sets with `umkmkit datasets`.")
    return list(read_roster(source))


def run_demo(
    kit: Kit,
    curriculum: Curriculum,
    trainees: int = DEFAULT_TRAINEES,
    on_progress: PhaseCallback | None = None,
    workers: int | None = None,
    full: bool = False,
    today: date | None = None,
) -> DemoResult:
    """Build workspace/demo/ from scratch (an earlier demo there is replaced).

    Both 2022 cohorts: by default `trainees` of each roster, with `full` all of them (200
    enrolments, a few people in both). Ends with the coordinator's report.
    """
    report = on_progress or (lambda *args: None)
    workspace = kit.demo_workspace
    if workspace.root.exists():
        shutil.rmtree(workspace.root)
    workspace.root.mkdir(parents=True)
    cohorts, summaries, retakes = [], [], {}
    failed: dict[str, set[str]] = {}
    for position, cohort_id in enumerate(DEMO_COHORTS):
        people = demo_roster(kit, None if full else trainees, cohort_id)
        report("cohort", position, len(DEMO_COHORTS), cohort_id)
        cohort, graded = _run_cohort(
            kit, curriculum, workspace, cohort_id, people, DEMO_COHORTS[cohort_id],
            DEMO_SEED + 100 * position, report, workers, failed,
        )
        report("cohort", position + 1, len(DEMO_COHORTS), cohort_id)
        retakes[cohort_id] = sorted(t.trainee_id for t in people if failed.get(t.trainee_id))
        cohorts.append(cohort)
        summaries += graded
        results = module_results(ledger(cohorts, curriculum), curriculum)
        # everyone trained so far, with the modules they have not passed (an empty set: none)
        failed = {
            trainee_id: set(group.loc[~group["lulus"], "tugas"])
            for trainee_id, group in results.groupby("id_peserta")
        }
    written = build_report(workspace, kit, curriculum, today=today,
                           on_progress=lambda phase, d, t, label: report("report", d, t, label))
    table = pd.read_csv(written.ledger_csv, encoding="utf-8-sig", dtype={"modul": str})
    return DemoResult(workspace, cohorts, table, summaries, written, retakes)


def _run_cohort(
    kit: Kit, curriculum: Curriculum, workspace: Workspace, cohort_id: str, people: list[Trainee],
    duedate: datetime, seed: int, report: PhaseCallback, workers: int | None, failed: dict[str, set[str]],
) -> tuple[Cohort, list[grading.GradingSummary]]:
    """One cohort through the trainer's cycle: create, release, hand back, collect, grade, feedback.

    Someone in `failed` (trained before) hands in only the modules listed there (not passed
    before), done right this time. The pre-test comes first and the post-test last.
    """
    roster_file = workspace.root / f"roster-{cohort_id}.csv"
    write_roster(people, roster_file)
    duedate_utc = duedate.astimezone(timezone.utc).replace(tzinfo=None)
    cohort = create_cohort(
        kit, curriculum, workspace, cohort_id, roster_file,
        duedates={assignment_id: duedate_utc for assignment_id, _ in curriculum.cohort_assignments()},
    )
    inbox = workspace.inbox_dir(cohort_id)
    steps: list[tuple[str, Module, list[simulate.SimulatedTrainee], datetime]] = []
    test = curriculum.knowledge_test
    if test:
        pre, post = knowledge_test_plans(kit, test, people, seed)
        steps.append((test.pre, test.source, pre, duedate - timedelta(days=2, hours=8)))
    for position, module in enumerate(curriculum.assignments):
        catalog = simulate.load_catalog(kit, module.assignment)
        newcomers = [(t.trainee_id, t.name) for t in people if t.trainee_id not in failed]
        plans = simulate.plan_trainees(newcomers, catalog, seed=seed + position) if newcomers else []
        plans += [
            simulate.SimulatedTrainee(t.trainee_id, t.name, "benar", written_answer=simulate.WRITTEN_ANSWERS[0])
            for t in people if module.assignment in failed.get(t.trainee_id, ())
        ]
        steps.append((module.assignment, module, plans, duedate - timedelta(hours=6)))
    if test:
        steps.append((test.post, test.source, post, duedate - timedelta(hours=2)))

    handed = [(assignment_id, source) for assignment_id, source, plans, _ in steps if plans]
    for assignment_id, source, plans, handed_in in steps:
        if plans:  # not when everyone coming back passed this module before
            _hand_in(kit, cohort, assignment_id, source, plans, handed_in, duedate, inbox / assignment_id, report)
    # the whole day's work graded in one run, as a trainer does after the workshop (`grade --all`)
    summaries = grading.grade_cohort(
        cohort, [assignment_id for assignment_id, _ in handed], workers=workers,
        on_progress=lambda done, total, what: report("grading", done, total, f"{cohort_id} {what}"),
    )
    for (assignment_id, source), summary in zip(handed, summaries):
        # the trainer has marked the written answers of every other trainee so far: the report
        # and the feedback show both a final result and "menunggu penilaian pelatih"
        for trainee_id in sorted(summary.needs_manual_grade)[::2]:
            simulate.mark_written_answers(cohort, assignment_id, trainee_id)
        if source in curriculum.assignments:  # the knowledge test's answers stay unexplained
            grading.generate_feedback(
                cohort, assignment_id, curriculum=curriculum,
                on_progress=lambda d, t, sid, what=assignment_id: report("feedback", d, t, f"{cohort_id} {what} {sid}"),
            )
    return cohort, summaries


def knowledge_test_plans(
    kit: Kit, test: KnowledgeTest, people: list[Trainee], seed: int,
) -> tuple[list[simulate.SimulatedTrainee], list[simulate.SimulatedTrainee]]:
    """What each trainee answers in the pre-test and the post-test.

    Wrong answers come from the test's catalog: many before the workshop, fewer after. One
    trainee misses the post-test and, in a cohort of more than two, another misses the
    pre-test, so the report has people who took only one test to count apart.
    """
    rng = random.Random(seed)
    catalog = simulate.load_catalog(kit, test.source.assignment).mistakes
    pre, post = [], []
    for index, trainee in enumerate(people):
        wrong_before = rng.randint(len(catalog) // 3, 3 * len(catalog) // 4)
        wrong_after = rng.randint(0, max(0, wrong_before - 3))
        if not (index == 1 and len(people) > 2):
            pre.append(simulate.SimulatedTrainee(trainee.trainee_id, trainee.name, "salah", rng.sample(catalog, wrong_before)))
        if index != len(people) - 1:
            post.append(simulate.SimulatedTrainee(trainee.trainee_id, trainee.name, "salah", rng.sample(catalog, wrong_after)))
    return pre, post


def _hand_in(
    kit: Kit, cohort: Cohort, assignment_id: str, source: Module, plans: list[simulate.SimulatedTrainee],
    handed_in: datetime, duedate: datetime, arrived: Path, report: PhaseCallback,
) -> None:
    """Release the assignment and let the simulated trainees hand it back, then collect it.

    Trainees hand back their notebooks under whatever name WhatsApp or a USB stick gives them;
    a late one the morning after the deadline.
    """
    released = release_assignment(cohort, assignment_id, exchange=False)
    bundles = {bundle.trainee_id: bundle for bundle in released.bundles}
    arrived.mkdir(parents=True)
    for done, plan in enumerate(plans, start=1):
        on_time = handed_in + timedelta(minutes=13 * done % 300)
        stamp = duedate + timedelta(hours=16) if plan.late else on_time
        submitted = simulate.submission_notebooks(
            kit, source.assignment, source.notebooks, plan, handed_out=bundles[plan.trainee_id].folder,
        )
        for notebook_id, nb in submitted.items():
            path = arrived / f"{notebook_id} ({done}).ipynb"
            notebooks.write_notebook(nb, path)
            os.utime(path, (stamp.timestamp(), stamp.timestamp()))
        report("submissions", done, len(plans), f"{cohort.cohort_id} {assignment_id} {plan.trainee_id}")
    intake = collect_submissions(cohort, assignment_id, [arrived], exchange=False)
    if intake.refused:
        reasons = "; ".join(f"{r.source}: {r.reason}" for r in intake.refused)
        raise UmkmkitError(f"The demo's own submissions were refused: {reasons}")


def feedback_dirs(result: DemoResult) -> list[Path]:
    return [cohort.step_dir(FEEDBACK) for cohort in result.cohorts]
