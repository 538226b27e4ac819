"""Grading a cohort's submissions with nbgrader: parallel, sandboxed, resumable; then feedback.

Each trainee is graded by nbgrader's own Autograde, in-process in one of several worker
processes (no CLI start-up per trainee), with every kernel started by the sandbox
(`umkmkit.grading.sandbox`). A trainee whose grading finished gets a marker (grading-state/); a run that was killed can simply be run again: finished trainees are skipped,
unfinished ones are graded from scratch. The gradebook is backed up before each run (SQLite:
a copy; PostgreSQL: a pg_dump where the client tools are installed) and the summary says how.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
import traceback
import copy
from collections.abc import Callable
from contextlib import closing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from umkmkit.cohort import feedback as feedback_rendering
from umkmkit.cohort.cohorts import load_cohort_config, open_gradebook
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import atomic_path, write_text_atomic
from umkmkit.logs import run_log
from umkmkit.cohort.release import released_notebooks, zip_folder
from umkmkit.grading.sandbox import SANDBOX_UID_BASE, SandboxPolicy, check_protections, new_run_folder
from umkmkit.workspace import AUTOGRADED, FEEDBACK, SUBMITTED, Cohort, find_kit, nbgrader_api, sqlite_path

log = logging.getLogger(__name__)

#: Called with (done, total, trainee id just handled).
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class GradingResult:
    trainee_id: str
    success: bool
    #: everything nbgrader and the worker said about a failure (for the log file)
    error: str = ""
    #: the failure's real reason in one line (for the screen)
    reason: str = ""


@dataclass
class GradingSummary:
    """What a grading run did, for the trainer's summary."""

    assignment_id: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    already_graded: list[str] = field(default_factory=list)
    needs_manual_grade: list[str] = field(default_factory=list)
    protections: dict[str, str] = field(default_factory=dict)
    backup: Path | None = None
    #: How the gradebook was backed up before grading (or why umkmkit made no copy), for the trainer.
    backup_note: str = ""
    workers: int = 1
    seconds: float = 0.0
    #: The cohort's log of this grading run (logs/grading-<date>-<time>.log): what was graded, and each
    #: failure with its whole text.
    log_file: Path | None = None
    #: trainee id -> the failure's reason in one line; `failed` holds the whole text.
    reasons: dict[str, str] = field(default_factory=dict)


def submitted_trainees(cohort: Cohort, assignment_id: str) -> list[str]:
    """Trainees with a collected submission of this assignment, sorted."""
    return cohort.trainees_with(SUBMITTED, assignment_id)


def submission_fingerprint(cohort: Cohort, assignment_id: str, trainee_id: str) -> str:
    """A hash of everything the trainee submitted: a resubmission changes it."""
    digest = hashlib.sha256()
    folder = cohort.assignment_dir(SUBMITTED, assignment_id, trainee_id)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_graded(cohort: Cohort, assignment_id: str, trainee_id: str) -> bool:
    """True when this exact submission was graded to the end by an earlier run."""
    marker = cohort.graded_marker(assignment_id, trainee_id)
    return marker.is_file() and marker.read_text(encoding="utf-8") == submission_fingerprint(
        cohort, assignment_id, trainee_id
    )


def backup_gradebook(cohort: Cohort) -> tuple[Path | None, str]:
    """Back up the cohort's gradebook into backups/: (the copy, or None; what was done, for the trainer).

    SQLite: a consistent copy through SQLite's backup API, even while the gradebook is in use.
    PostgreSQL: a plain-SQL dump by pg_dump when the PostgreSQL client tools are installed;
    otherwise (or when pg_dump fails) no copy, and the note says so: the server's own backups
    are then what protects the grades.
    """
    url = load_cohort_config(cohort).CourseDirectory.db_url
    stamp = f"{datetime.now():%Y%m%d-%H%M%S-%f}"
    database = sqlite_path(url)
    if database is None:
        return _dump_server_gradebook(url, cohort.backups_dir / f"gradebook-{stamp}.sql")
    if not database.is_file():
        return None, f"no gradebook at {database} yet: nothing to back up"
    target = cohort.backups_dir / f"gradebook-{stamp}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target, f"SQLite gradebook copied to {target}"


def _dump_server_gradebook(url: str, target: Path) -> tuple[Path | None, str]:
    """pg_dump a PostgreSQL gradebook to `target` (written whole or not at all), or say why not."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    not_copied = f"gradebook on the database server {shown} was not copied by umkmkit"
    server_backups = "the server's own backups are what protects these grades"
    if parsed.get_backend_name() != "postgresql":
        return None, f"{not_copied}: {server_backups}"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None, (
            f"{not_copied}, because pg_dump is not installed here; {server_backups}. Install the PostgreSQL "
            "client tools (they hold pg_dump) to have a dump made in backups/ before each grading run."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    if parsed.password:  # never on the command line, where other users of the server could read it
        environment["PGPASSWORD"] = str(parsed.password)
    libpq_url = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        with atomic_path(target) as temporary:
            done = subprocess.run(
                [pg_dump, "--no-owner", "--file", str(temporary), f"--dbname={libpq_url}"],
                env=environment, capture_output=True, text=True, timeout=600,
            )
            if done.returncode:
                raise _DumpFailed((done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1])
    except (OSError, subprocess.TimeoutExpired, _DumpFailed) as error:
        return None, f"{not_copied}: pg_dump failed ({error}); {server_backups}"
    return target, f"PostgreSQL gradebook {shown} dumped by pg_dump to {target} (restore with psql -f)"


class _DumpFailed(Exception):
    """pg_dump ended with an error (its last line of stderr is the message)."""


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def grade(
    cohort: Cohort,
    assignment_id: str,
    *,
    trainee_ids: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    timeout: int | None = None,
    policy: SandboxPolicy | None = None,
    on_progress: ProgressCallback | None = None,
) -> GradingSummary:
    """Autograde the cohort's submissions of one assignment with real nbgrader.

    Trainees already graded (same submission, finished) are skipped unless `force`. One
    trainee's broken or hostile notebook fails only that trainee. Returns a summary.
    `on_progress` is called with (done, total, trainee id).
    """
    wanted = {assignment_id: submitted_trainees(cohort, assignment_id) if trainee_ids is None else list(trainee_ids)}
    return _grade(cohort, wanted, workers=workers, force=force, timeout=timeout, policy=policy,
                  on_progress=on_progress, label=lambda _assignment, trainee: trainee)[0]


def grade_cohort(
    cohort: Cohort,
    assignment_ids: list[str] | None = None,
    *,
    workers: int | None = None,
    force: bool = False,
    timeout: int | None = None,
    policy: SandboxPolicy | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[GradingSummary]:
    """Autograde every collected submission of several assignments (default: every assignment with
    a collected submission, `collected_assignments`) in one run: one gradebook backup, one check of
    the sandbox, one pool of workers (each with one fork server) for all of them, so that a whole
    workshop's grading pays the workers' start once instead of once per assignment.

    Returns one summary per assignment, in the order given; their `seconds`, `workers`, `backup`
    and `protections` are the whole run's. `on_progress` is called with (done, total,
    "assignment trainee").
    """
    if assignment_ids is None:
        assignment_ids = collected_assignments(cohort)
    wanted = {assignment_id: submitted_trainees(cohort, assignment_id) for assignment_id in dict.fromkeys(assignment_ids)}
    return _grade(cohort, wanted, workers=workers, force=force, timeout=timeout, policy=policy,
                  on_progress=on_progress, label=lambda assignment, trainee: f"{assignment} {trainee}")


def collected_assignments(cohort: Cohort) -> list[str]:
    """The assignments of which the cohort holds at least one collected submission, sorted."""
    return cohort.assignments_at(SUBMITTED)


def _grade(
    cohort: Cohort,
    wanted: dict[str, list[str]],
    *,
    workers: int | None,
    force: bool,
    timeout: int | None,
    policy: SandboxPolicy | None,
    on_progress: ProgressCallback | None,
    label: Callable[[str, str], str],
) -> list[GradingSummary]:
    """Grade `wanted` (assignment id: trainee ids) with one pool; one summary per assignment."""
    started = time.perf_counter()
    for assignment_id in wanted:
        released_notebooks(cohort, assignment_id)  # an assignment the cohort does not have is refused by name
    summaries = {assignment_id: GradingSummary(assignment_id) for assignment_id in wanted}
    todo: list[tuple[str, str]] = []
    for assignment_id, trainee_ids in wanted.items():
        for trainee_id in trainee_ids:
            if not force and is_graded(cohort, assignment_id, trainee_id):
                summaries[assignment_id].already_graded.append(trainee_id)
            else:
                todo.append((assignment_id, trainee_id))
    with run_log(_run_log_path(cohort)) as log_file:
        log.info("umkmkit grade %s: %d to grade (%s), %d already graded", cohort.cohort_id, len(todo),
                 ", ".join(f"{a} {sum(1 for x, _ in todo if x == a)}" for a in wanted),
                 sum(len(s.already_graded) for s in summaries.values()))
        backup, backup_note = backup_gradebook(cohort)
        log.info("gradebook backup: %s", backup or backup_note)
        policy, protections = check_protections(_with_hidden_paths(policy or SandboxPolicy(), cohort))
        log.info("protections: %s", "; ".join(f"{name}: {status}" for name, status in protections.items()))
        pool_size = max(1, min(workers or default_workers(), len(todo) or 1))
        log.info("%d worker process(es)", pool_size)

        # one private folder for this run's kernels and fork servers; its workers remove their part
        # even when this process is killed (see _worker_start)
        run = new_run_folder()
        try:
            results = _run_workers(cohort, todo, pool_size, policy, timeout, on_progress, run, label)
            # SQLite can refuse a write while another worker holds the lock: retry those alone.
            retry = [(a, r.trainee_id) for a, r in results if not r.success and "database is locked" in r.error]
            if retry:
                log.warning("gradebook locked for %d submission(s): graded again one at a time", len(retry))
                results = [(a, r) for a, r in results if (a, r.trainee_id) not in retry]
                results += _run_workers(cohort, retry, 1, policy, timeout, None, run, label)
        finally:
            shutil.rmtree(run, ignore_errors=True)
        for assignment_id, result in sorted(results, key=lambda pair: (pair[0], pair[1].trainee_id)):
            summary = summaries[assignment_id]
            if result.success:
                summary.graded.append(result.trainee_id)
                log.info("graded %s %s", assignment_id, result.trainee_id)
            else:
                summary.failed[result.trainee_id] = result.error
                summary.reasons[result.trainee_id] = result.reason or one_line_reason(result.error)
                log.error("FAILED %s %s: %s\n%s", assignment_id, result.trainee_id,
                          summary.reasons[result.trainee_id], result.error)
        log.info("done in %.1f s: %d graded, %d failed", time.perf_counter() - started,
                 sum(len(s.graded) for s in summaries.values()), sum(len(s.failed) for s in summaries.values()))
    seconds = time.perf_counter() - started
    for assignment_id, summary in summaries.items():
        summary.backup, summary.backup_note, summary.protections = backup, backup_note, protections
        summary.workers, summary.log_file = pool_size, log_file
        summary.needs_manual_grade = _needing_manual_grade(cohort, assignment_id, wanted[assignment_id])
        summary.seconds = seconds
    return list(summaries.values())


def _with_hidden_paths(policy: SandboxPolicy, cohort: Cohort) -> SandboxPolicy:
    """Hide every cohort (with its sources, hidden tests and submissions) and the kit's solutions."""
    hidden = [str(cohort.root.parent.resolve())]
    try:
        hidden.append(str(find_kit().solutions_dir.resolve()))
    except UmkmkitError:  # grading a cohort does not need the kit checkout
        pass
    return replace(policy, hidden_paths=tuple(dict.fromkeys((*policy.hidden_paths, *hidden))))


def _run_workers(
    cohort: Cohort, jobs: list[tuple[str, str]], workers: int, policy: SandboxPolicy, timeout: int | None,
    on_progress: ProgressCallback | None, run: Path, label: Callable[[str, str], str],
) -> list[tuple[str, GradingResult]]:
    """Grade each (assignment id, trainee id) of `jobs` in a pool of `workers`; (assignment id, result) each."""
    if not jobs:
        return []
    results = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context,
        initializer=_worker_start, initargs=(str(cohort.root), policy.to_json(), timeout, str(run)),
    ) as pool:
        futures = {pool.submit(_worker_grade, assignment_id, trainee_id): (assignment_id, trainee_id)
                   for assignment_id, trainee_id in jobs}
        for done, future in enumerate(as_completed(futures), start=1):
            assignment_id, trainee_id = futures[future]
            try:
                results.append((assignment_id, future.result()))
            except Exception as error:  # a worker that died takes only its trainee with it
                text = "".join(traceback.format_exception(error))
                results.append((assignment_id, GradingResult(trainee_id, False, text, f"the grading worker died: {error}")))
            if on_progress:
                on_progress(done, len(jobs), label(assignment_id, trainee_id))
    return results


_WORKER: dict = {}

#: nbgrader's words when a kernel failed to start (not the trainee's fault): graded again with the plain launcher.
_KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond", "No module named")


def _worker_start(cohort_root: str, policy_json: str, timeout: int | None, run: str) -> None:
    """Set up one grading worker: nbgrader's API for the cohort, kernels through the sandbox.

    The worker's kernels and fork server live in a folder of its own inside the run folder. If
    the grading process dies, even by kill -9, the worker learns it — from Linux
    (PR_SET_PDEATHSIG) under the Linux sandbox, else from a thread watching its parent — and
    then stops its kernels (the fork server's die with it) and removes its folder.
    """
    import warnings

    from umkmkit.grading.graded_outputs import autograde_preprocessors
    from umkmkit.grading.watchdog import kill_every_kernel_now
    from umkmkit.grading.provisioner import kill_forkserver_now
    from umkmkit.grading.sandbox import linux_sandbox
    from umkmkit.grading.launcher import PR_SET_PDEATHSIG, SandboxPolicy as Policy

    folder = Path(run) / f"w{os.getpid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["UMKMKIT_RUN_FOLDER"] = str(folder)

    def orphaned(signum, frame) -> None:
        # nothing that takes a lock: the signal may arrive in the middle of anything
        # from the watching thread (portable path), not a signal handler, psutil may be used: a kernel
        # the main thread started but had not yet handed to a watchdog is a child of this worker
        # (seen: one kernel outliving a killed grader on the portable path when the kill came mid-start)
        from_thread = signum is None and not linux_sandbox()
        kill_forkserver_now()
        kill_every_kernel_now()
        if from_thread:
            _kill_children_now()
        # dying kernels may write into their folders for a moment, and the other workers are
        # cleaning up theirs: retry for up to two seconds; the last one out removes the run folder
        for _ in range(40):
            shutil.rmtree(folder, ignore_errors=True)
            try:
                os.rmdir(run)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)
        if from_thread:
            _kill_children_now()  # and one started meanwhile
        os._exit(1)

    if linux_sandbox():
        import ctypes

        signal.signal(signal.SIGTERM, orphaned)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the grading process was already gone
            orphaned(None, None)
    else:
        _watch_parent(lambda: orphaned(None, None))
    warnings.filterwarnings("ignore", message=".*not in session.*")
    cohort = Cohort(Path(cohort_root))
    config = load_cohort_config(cohort)
    config.Execute.kernel_manager_class = "umkmkit.grading.sandbox.SandboxKernelManager"
    # a graded kernel has nothing to save: stop it at once instead of waiting for a clean exit
    config.Execute.shutdown_kernel = "immediate"
    config.SandboxKernelManager.policy_json = policy_json
    config.SandboxKernelManager.sandbox_uid = SANDBOX_UID_BASE + os.getpid() % 1000
    if timeout:
        config.ExecutePreprocessor.timeout = timeout
    from nbgrader.converters.autograde import Autograde

    config.Autograde.autograde_preprocessors = autograde_preprocessors(
        Autograde.class_traits()["autograde_preprocessors"].default()
    )
    config.ExplainAndCapOutputs.timeout = int(timeout or config.ExecutePreprocessor.get("timeout", 30) or 30)
    config.ExplainAndCapOutputs.memory_mb = Policy.from_json(policy_json).memory_mb
    plain = copy.deepcopy(config)
    plain.SandboxKernelManager.use_forkserver = False
    share_gradebook_engines()
    _WORKER.update(cohort=cohort, api=nbgrader_api(config), plain_api=nbgrader_api(plain))


def share_gradebook_engines() -> None:
    """Let every nbgrader Gradebook this process opens on one database use one SQLAlchemy engine.

    nbgrader's Gradebook creates an engine of its own each time (nine per autograded submission:
    the assignment, each preprocessor, the late-penalty step), and an engine keeps the SQL it has
    compiled only for itself, so every query of every Gradebook was compiled again: 18% of a
    grading worker's CPU (py-spy, 70 submissions of 02-pembukuan-pesanan; worker CPU per
    submission 0.25 -> 0.20 s). One engine per database is how SQLAlchemy means engines to be
    used; Gradebook.close() still disposes of its pool, which SQLAlchemy replaces with a new one
    while connections other Gradebooks hold stay valid. Called in grading workers, which open
    their Gradebooks one after another. nbgrader names `create_engine` in its module: a test
    (tests/test_grade_cohort.py) fails if a new nbgrader stops creating its engines that way.
    """
    import nbgrader.api
    import sqlalchemy

    if getattr(nbgrader.api.create_engine, "shares_engines", False):
        return
    engines: dict = {}

    def create_engine(url, **options):
        key = (str(url), tuple(sorted(options.items())))
        if key not in engines:
            engines[key] = sqlalchemy.create_engine(url, **options)
        return engines[key]

    create_engine.shares_engines = True
    nbgrader.api.create_engine = create_engine


def _kill_children_now() -> None:
    """Kill every process this one started (and what they started), without waiting."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


def _watch_parent(when_gone: Callable[[], None], interval: float = 0.5) -> None:
    """Call `when_gone` (in a thread) once this process's parent has ended (any platform)."""
    import threading

    import psutil

    parent = psutil.Process().parent()

    def alive() -> bool:
        try:
            return parent is not None and parent.is_running() and parent.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def watch() -> None:
        while alive():
            time.sleep(interval)
        when_gone()

    threading.Thread(target=watch, name="watch-grader", daemon=True).start()


def _worker_grade(assignment_id: str, trainee_id: str) -> GradingResult:
    from umkmkit.grading.watchdog import STOPPED

    cohort, api = _WORKER["cohort"], _WORKER["api"]
    fingerprint = submission_fingerprint(cohort, assignment_id, trainee_id)
    STOPPED.clear()
    outcome = api.autograde(assignment_id, trainee_id, force=True, create=True)
    if not outcome["success"] and any(words in _failure_text(outcome) for words in _KERNEL_START_FAILURES):
        # a kernel that did not start is the grader's problem, not the trainee's: once more, plainly
        first = _failure_text(outcome)
        outcome = _WORKER["plain_api"].autograde(assignment_id, trainee_id, force=True, create=True)
        if not outcome["success"]:
            outcome = {**outcome, "error": f"{first}\n--- again with the plain kernel launcher ---\n{_failure_text(outcome)}"}
    if not outcome["success"]:
        text = _failure_text(outcome)
        reason = one_line_reason(text)
        if STOPPED:  # the portable path's watchdog ended the kernel: say why, on screen and in the log
            text = f"{text}\n{'; '.join(STOPPED)}"
            reason = f"{reason} ({'; '.join(STOPPED)})"[:240]
        return GradingResult(trainee_id, False, text, reason)
    marker = cohort.graded_marker(assignment_id, trainee_id)
    marker.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(marker, fingerprint)
    return GradingResult(trainee_id, True)


def _needing_manual_grade(cohort: Cohort, assignment_id: str, trainee_ids: list[str]) -> list[str]:
    from nbgrader.api import MissingEntry

    waiting = []
    with open_gradebook(cohort) as gradebook:
        for trainee_id in trainee_ids:
            try:
                if gradebook.find_submission(assignment_id, trainee_id).needs_manual_grade:
                    waiting.append(trainee_id)
            except MissingEntry:
                continue
    return waiting


def check_feedback_allowed(cohort: Cohort, curriculum: Curriculum, assignment_id: str) -> None:
    """Refuse feedback on the pre-test until the post-test is graded: it explains the answers."""
    test = curriculum.knowledge_test
    if test is None or assignment_id != test.pre:
        return
    if not cohort.trainees_with(AUTOGRADED, test.post):
        raise UmkmkitError(
            f"Feedback on {test.pre} explains the right answers of the knowledge test, which "
            f"{cohort.cohort_id} still has to take as {test.post}. Grade {test.post} first, then run "
            f"`umkmkit feedback {cohort.cohort_id} {test.pre}`."
        )


@dataclass
class FeedbackSummary:
    assignment_id: str
    written: dict[str, list[Path]] = field(default_factory=dict)
    bundles: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    #: trainee id -> answers still waiting for the trainer, for trainees whose feedback was held back
    held_back: dict[str, list[feedback_rendering.UnmarkedAnswer]] = field(default_factory=dict)
    #: trainee id -> answers still waiting for the trainer, for trainees whose pages were written
    #: anyway (those parts read "menunggu penilaian pelatih")
    waiting: dict[str, list[feedback_rendering.UnmarkedAnswer]] = field(default_factory=dict)


def generate_feedback(
    cohort: Cohort,
    assignment_id: str,
    trainee_ids: list[str] | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    hold_back_unmarked: bool = False,
    curriculum: Curriculum | None = None,
) -> FeedbackSummary:
    """nbgrader feedback for each graded trainee: offline HTML without hidden tests' code, and a zip.

    Writes feedback/<trainee>/<assignment>/*.html (where nbgrader's exchange expects it) and
    feedback-zip/<assignment>/<trainee>.zip to hand back on a USB stick. The pages use the kit's
    Indonesian template (umkmkit.cohort.feedback); an answer the trainer has not marked yet reads
    "menunggu penilaian pelatih" there, not 0.

    With `hold_back_unmarked` (what `umkmkit feedback` does unless given --anyway), a trainee with
    such an answer gets no feedback: they are listed in `held_back` with the answers to mark.
    Otherwise they get their pages and are listed in `waiting`.

    Feedback on the pre-test is refused while the post-test is not graded (`check_feedback_allowed`;
    `curriculum` names them, the kit's by default).
    """
    if curriculum is None:
        from umkmkit.course.curriculum import load_curriculum

        curriculum = load_curriculum(find_kit())
    check_feedback_allowed(cohort, curriculum, assignment_id)
    config = load_cohort_config(cohort)
    feedback_rendering.configure(config)
    api = nbgrader_api(config)
    if trainee_ids is None:
        trainee_ids = [
            t for t in submitted_trainees(cohort, assignment_id)
            if cohort.assignment_dir(AUTOGRADED, assignment_id, t).is_dir()
        ]
    summary = FeedbackSummary(assignment_id)
    with open_gradebook(cohort) as gradebook:
        unmarked = {
            trainee_id: found for trainee_id in trainee_ids
            if (found := feedback_rendering.unmarked_answers(
                gradebook, assignment_id, trainee_id, cohort.assignment_dir(AUTOGRADED, assignment_id, trainee_id)))
        }
    for done, trainee_id in enumerate(trainee_ids, start=1):
        if trainee_id in unmarked and hold_back_unmarked:
            summary.held_back[trainee_id] = unmarked[trainee_id]
        else:
            outcome = api.generate_feedback(assignment_id, trainee_id, force=True)
            if outcome["success"]:
                folder = cohort.assignment_dir(FEEDBACK, assignment_id, trainee_id)
                pages = sorted(folder.glob("*.html"))
                for page in pages:
                    feedback_rendering.make_offline(page)
                summary.written[trainee_id] = pages
                summary.bundles[trainee_id] = _zip_feedback(cohort, assignment_id, trainee_id, folder)
                if trainee_id in unmarked:
                    summary.waiting[trainee_id] = unmarked[trainee_id]
            else:
                summary.failed[trainee_id] = _failure_text(outcome)
        if on_progress:
            on_progress(done, len(trainee_ids), trainee_id)
    return summary


def _zip_feedback(cohort: Cohort, assignment_id: str, trainee_id: str, folder: Path) -> Path:
    target = cohort.feedback_zip(assignment_id, trainee_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    zip_folder(folder, target, inside=assignment_id)
    return target


_ERROR_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception|Interrupt)):\s*(.+)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line_reason(text: str) -> str:
    """A failure's real reason in one line: the last `SomethingError: message` of the text, else its
    last line (for the screen; the whole text goes to the log file)."""
    lines = [_ANSI.sub("", line).strip() for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        found = _ERROR_LINE.match(line)
        # nbgrader ends every failure with the same NbGraderException: the real error is above it
        if found and "Traceback" not in line and "NbGraderException" not in line:
            name, message = found.group(1).rsplit(".", 1)[-1], found.group(3)
            return f"{name}: {message}"[:240]
    return (lines[-1] if lines else "unknown error")[:240]


def _run_log_path(cohort: Cohort) -> Path:
    """A new log file in the cohort's logs/ for this grading run."""
    stem = f"grading-{datetime.now():%Y%m%d-%H%M%S}"
    path, number = cohort.log_file(f"{stem}.log"), 1
    while path.exists():
        number += 1
        path = cohort.log_file(f"{stem}-{number}.log")
    return path


def _failure_text(outcome: dict) -> str:
    """nbgrader's log of the failed step (where the real error is) and its final exception."""
    if outcome.get("success"):
        return ""
    parts = [str(outcome.get(key) or "").strip() for key in ("log", "error")]
    return "\n".join(part for part in parts if part) or "unknown error"
