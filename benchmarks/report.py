"""Benchmark: the coordinator's progress ledger and report over many synthetic cohorts.

Builds, in a temporary folder, a workspace of N cohorts x M trainees x 7 assignments: each
cohort a course directory with its roster.csv, nbgrader_config.py and a real nbgrader SQLite
gradebook (automatic and manual scores, grades still to be given by hand, missing and late
work, extensions, and a share of trainees retaking in a later cohort), plus a synthetic
registry of twice as many businesses as roster places. It then times, at 1/4, 1/2 and full
size, building the ledger (workspace_cohorts + ledger + module_results + trainee_summary) and
building the whole report (build_report, which computes the ledger again); generating the data
is not timed. At full size it then times the coordinator's next report, a week later, when every
certificate is already in the workspace's archive (umkmkit.report.certificates links it, not drawn again). It checks the ledger against the gradebooks (rows, and the scores summed in plain
SQL as nbgrader defines a score) and exits non-zero when they disagree.

    .venv/bin/python benchmarks/report.py [--cohorts 20] [--trainees 250] [--scratch DIR] [--profile]

At full size it also prints where the report's time went (ledger and tables, certificates and
trainee sheets, charts and page, then waiting for the two child processes that write the
workbook and CSV files, and the trainee sheets and certificates, meanwhile), the CPU seconds the report's process
and those writers spent in their own code (user) and in the kernel (system: mostly creating a
file per trainee), and the machine's load average: a busy
machine (a CI run, a demo) stretches the wall-clock time of the same code, and these say how much.

The gradebook schema and the assignments' cells come from nbgrader's own Gradebook API, once;
students and submissions are inserted in bulk with sqlite3 (20 x 250 x 7 submissions one by
one through the API would take far longer than the report itself).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import math
import os
import pstats
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook

from umkmkit.cohort.cohorts import Trainee, cohort_config, render_config, write_roster
from umkmkit.course.curriculum import Curriculum, Module
from umkmkit.datasets import fictitious, world
from umkmkit.datasets.registry import trainee_id as trainee_id_of_business
from umkmkit.datasets.schema import FILE
from umkmkit.ledger.progress import LATE, MISSING, ledger, module_results, trainee_summary, workspace_cohorts
from umkmkit.report.build import build_report
from umkmkit.workspace import GRADEBOOK_FILE, Kit, Workspace, ensure_scripts_on_path, find_kit

#: Every random choice below comes from generators seeded from this constant.
SEED = 20220608
TARGET_SECONDS = 5.0
ASSIGNMENTS = 7
NOTEBOOK = "latihan"
#: Grade cells of every notebook: (name, cell type); markdown cells are graded by hand.
GRADE_CELLS = (("tes_1", "code"), ("tes_2", "code"), ("tes_3", "code"), ("tes_4", "code"),
               ("jawaban_1", "markdown"), ("jawaban_2", "markdown"))
#: The last assignment also has a task cell (graded by hand, counted in the maximum).
TASK_CELL = "tugas_1"
#: Share of a cohort (after the first) retaking from an earlier cohort: the same person twice.
RETAKE_SHARE = 0.10
MISSING_SHARE = 0.08
LATE_SHARE = 0.10
EXTENSION_SHARE = 0.03
#: Share of hand-graded cells not graded yet (needs_manual_grade, no manual score).
PENDING_MANUAL_SHARE = 0.06
#: Share of autograded cells whose score a trainer overrode by hand.
OVERRIDE_SHARE = 0.03
EXTRA_CREDIT_SHARE = 0.02
EXTRA_CREDIT = 0.5
#: The day the report is made: after the last of 20 monthly cohorts.
REPORT_DAY = date(2024, 3, 1)
FIRST_COHORT = date(2022, 6, 1)
REGISTRY_PER_PLACE = 2
SQL_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime (and Interval) in SQLite
EPOCH = datetime(1970, 1, 1)


def synthetic_curriculum() -> Curriculum:
    """Seven modules with one notebook each and pass marks between 50 and 70 percent."""
    modules = []
    for n in range(1, ASSIGNMENTS + 1):
        module_id = f"{n:02d}"
        modules.append(Module(
            id=module_id, slug=f"modul-uji-{n}", judul=f"Modul uji {n}", title=f"Test module {n}",
            pertanyaan="Pertanyaan uji?", question="Test question?", lessons=(),
            assignment=f"{module_id}-modul-uji-{n}", notebooks=(NOTEBOOK,), data=(), helpers=(),
            minutes_teaching=60, minutes_exercises=45, pass_mark=float(50 + 5 * (n % 5)),
        ))
    return Curriculum(tuple(modules))


# --- The registry ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Business:
    business_id: str
    name: str
    owner: str
    sector: str
    district: str


def write_registry(path: Path, count: int) -> list[Business]:
    """A registry of `count` synthetic businesses with umkm.csv's columns; returns them in order."""
    rng = random.Random(SEED)
    sectors, weights = zip(*world.SECTORS)
    businesses, rows = [], []
    for n in range(1, count + 1):
        district = rng.choice(world.DISTRICTS)
        kampung, signal = rng.choice(district.kampung)
        business = Business(f"MKW-{n:05d}", f"Usaha Uji {n}", f"Peserta Uji {n}",
                            rng.choices(sectors, weights)[0], district.name)
        businesses.append(business)
        rows.append({
            "id_umkm": business.business_id, "nama_usaha": business.name, "nama_pemilik": business.owner,
            "jenis_kelamin": rng.choice("LP"), "tahun_lahir": rng.randint(1960, 2005),
            "oap": rng.random() < 0.4, "sektor": business.sector, "distrik": business.district,
            "kampung": kampung, "ada_sinyal": signal, "punya_nib": rng.random() < 0.3,
            "kanal_jualan": ";".join(["langsung", *rng.sample(world.CHANNELS[1:], rng.randint(0, 3))]),
            "nomor_hp": fictitious.format_phone(fictitious.phone(n), "08-strip"),
        })
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=FILE["umkm.csv"].column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return businesses


# --- The gradebooks -------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    cell_id: str
    max_score: float
    by_hand: bool


@dataclass(frozen=True)
class Template:
    """One gradebook made by nbgrader's API: schema, assignments, notebooks and cells."""

    path: Path
    assignment_ids: dict[str, str]  # assignment name -> id
    notebook_ids: dict[str, str]  # assignment name -> id of its notebook
    cells: dict[str, list[Cell]]  # assignment name -> graded cells


def make_template(folder: Path, curriculum: Curriculum) -> Template:
    rng = random.Random(SEED)
    path = folder / "template.db"
    names = [m.assignment for m in curriculum.assignments]
    with Gradebook("sqlite:///" + path.as_posix(), course_id="template") as gradebook:
        for position, name in enumerate(names):
            gradebook.add_assignment(name, duedate=datetime(2022, 6, 1))
            gradebook.add_notebook(NOTEBOOK, name)
            for cell, kind in GRADE_CELLS:
                gradebook.add_grade_cell(cell, NOTEBOOK, name, max_score=float(rng.randint(1, 4)), cell_type=kind)
            if position == len(names) - 1:
                gradebook.add_task_cell(TASK_CELL, NOTEBOOK, name, max_score=2.0, cell_type="markdown")
    with sqlite3.connect(path) as connection:
        assignment_ids = dict(connection.execute("SELECT name, id FROM assignment"))
        notebook_ids = {
            a: n for a, n in connection.execute(
                "SELECT assignment.name, notebook.id FROM notebook JOIN assignment ON notebook.assignment_id = assignment.id"
            )
        }
        cells: dict[str, list[Cell]] = {name: [] for name in names}
        # ordered by name, not by nbgrader's random ids, so the same seed gives the same grades
        for assignment, cell_id, max_score, kind in connection.execute(
            "SELECT a.name, b.id, c.max_score, c.cell_type FROM base_cell b "
            "JOIN (SELECT id, max_score, cell_type FROM grade_cells UNION ALL SELECT id, max_score, cell_type FROM task_cells) c "
            "ON c.id = b.id JOIN notebook n ON b.notebook_id = n.id JOIN assignment a ON n.assignment_id = a.id "
            "ORDER BY a.name, b.name"
        ):
            cells[assignment].append(Cell(cell_id, max_score, by_hand=kind == "markdown"))
    connection.close()
    return Template(path, assignment_ids, notebook_ids, cells)


def cohort_ids(count: int) -> list[str]:
    """Monthly cohorts from June 2022: uji-2022-06, uji-2022-07, ..."""
    ids = []
    for k in range(count):
        month = FIRST_COHORT.month - 1 + k
        ids.append(f"uji-{FIRST_COHORT.year + month // 12}-{month % 12 + 1:02d}")
    return ids


def cohort_members(cohorts: int, trainees: int) -> list[list[int]]:
    """Per cohort, registry positions of its trainees: new people, and a share retaking from earlier cohorts."""
    rng = random.Random(SEED + 1)
    members, trained, next_new = [], [], 0
    for k in range(cohorts):
        retaking = rng.sample(trained, min(len(trained), round(trainees * RETAKE_SHARE))) if k else []
        new = list(range(next_new, next_new + trainees - len(retaking)))
        next_new += len(new)
        members.append(sorted(retaking + new))
        trained.extend(new)
    return members


def write_cohort(
    kit: Kit, workspace: Workspace, template: Template, curriculum: Curriculum, cohort_id: str, position: int,
    people: list[Business],
) -> None:
    """A cohort's roster.csv, nbgrader_config.py and gradebook.db (a copy of the template, filled in bulk)."""
    rng = random.Random(SEED * 1000 + position)
    cohort = workspace.cohort(cohort_id)
    cohort.root.mkdir(parents=True)
    trainees = [
        Trainee(trainee_id_of_business(b.business_id), b.owner, {
            "id_umkm": b.business_id, "nama_usaha": b.name, "sektor": b.sector, "distrik": b.district,
            "kohort": cohort_id,
        })
        for b in people
    ]
    write_roster(trainees, cohort.roster_file)
    cohort.config_file.write_text(render_config(cohort_config(kit, cohort), cohort_id), encoding="utf-8")
    gradebook = cohort.root / GRADEBOOK_FILE
    shutil.copyfile(template.path, gradebook)

    start = datetime(2022, 6, 1) + timedelta(days=30 * position)
    duedates = {m.assignment: start + timedelta(days=3 * (i + 1), hours=23, minutes=59)
                for i, m in enumerate(curriculum.assignments)}
    students, submissions, notebooks, grades = [], [], [], []
    for trainee in trainees:
        first, _, last = trainee.name.partition(" ")
        students.append((trainee.trainee_id, first, last, None, None))
        skill = rng.uniform(0.25, 0.95)  # differs per cohort: a retake scores differently
        for assignment, duedate in duedates.items():
            if rng.random() < MISSING_SHARE:
                continue
            late = rng.random() < LATE_SHARE
            handed_in = duedate + timedelta(hours=rng.uniform(1, 72)) if late else duedate - timedelta(hours=rng.uniform(1, 96))
            extension = (EPOCH + timedelta(days=2)).strftime(SQL_TIME) if rng.random() < EXTENSION_SHARE else None
            submission_id, notebook_id = _uuid(rng), _uuid(rng)
            submissions.append((submission_id, template.assignment_ids[assignment], trainee.trainee_id,
                                handed_in.strftime(SQL_TIME), extension))
            notebooks.append((notebook_id, submission_id, template.notebook_ids[assignment], False, None))
            for cell in template.cells[assignment]:
                grades.append((_uuid(rng), notebook_id, cell.cell_id, *_grade(rng, cell, skill)))
    with sqlite3.connect(gradebook) as connection:
        connection.execute("UPDATE course SET id = ?", (cohort_id,))
        connection.execute("UPDATE assignment SET course_id = ?", (cohort_id,))
        connection.executemany("UPDATE assignment SET duedate = ? WHERE name = ?",
                               [(d.strftime(SQL_TIME), a) for a, d in duedates.items()])
        connection.executemany("INSERT INTO student VALUES (?, ?, ?, ?, ?)", students)
        connection.executemany("INSERT INTO submitted_assignment VALUES (?, ?, ?, ?, ?)", submissions)
        connection.executemany("INSERT INTO submitted_notebook VALUES (?, ?, ?, ?, ?)", notebooks)
        connection.executemany(
            "INSERT INTO grade (id, notebook_id, cell_id, auto_score, manual_score, extra_credit, needs_manual_grade) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", grades,
        )
    connection.close()


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _grade(rng: random.Random, cell: Cell, skill: float) -> tuple:
    """(auto_score, manual_score, extra_credit, needs_manual_grade) the way nbgrader leaves them."""
    wants_extra = rng.random() < EXTRA_CREDIT_SHARE
    if cell.by_hand:
        if rng.random() < PENDING_MANUAL_SHARE:
            return None, None, None, True
        auto, manual = None, round(cell.max_score * min(1.0, rng.uniform(0, 2 * skill)) * 2) / 2
    else:
        auto = cell.max_score if rng.random() < skill else 0.0
        manual = round(cell.max_score * rng.uniform(0.3, 1.0) * 2) / 2 if rng.random() < OVERRIDE_SHARE else None
    # extra credit only below the cell's maximum: the report refuses a certificate above 100%
    score = manual if manual is not None else auto
    extra = EXTRA_CREDIT if wants_extra and score + EXTRA_CREDIT <= cell.max_score else None
    return auto, manual, extra, False


def build_workspace(root: Path, kit: Kit, template: Template, curriculum: Curriculum, cohorts: int,
                    trainees: int) -> tuple[Workspace, Path]:
    """The synthetic workspace and its registry file."""
    members = cohort_members(cohorts, trainees)
    root.mkdir(parents=True)
    registry_file = root / "umkm.csv"
    businesses = write_registry(registry_file, max(REGISTRY_PER_PLACE * cohorts * trainees, 1))
    workspace = Workspace(root / "workspace")
    for position, (cohort_id, people) in enumerate(zip(cohort_ids(cohorts), members)):
        write_cohort(kit, workspace, template, curriculum, cohort_id, position, [businesses[p] for p in people])
    return workspace, registry_file


# --- Checks ---------------------------------------------------------------------------------

#: nbgrader's Grade.score, written out in plain SQL: manual over automatic, plus extra credit.
_SCORE_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN manual_score IS NOT NULL THEN manual_score + COALESCE(extra_credit, 0) "
    "WHEN auto_score IS NOT NULL THEN auto_score + COALESCE(extra_credit, 0) ELSE 0 END), 0) FROM grade"
)
_LATE_SQL = (
    "SELECT COUNT(*) FROM submitted_assignment s JOIN assignment a ON s.assignment_id = a.id "
    "WHERE julianday(s.timestamp) > julianday(a.duedate) + COALESCE(julianday(s.extension) - julianday('1970-01-01'), 0)"
)


def check_ledger(table, workspace: Workspace, cohorts: int, trainees: int) -> list[str]:
    """What disagrees between the ledger and the gradebooks read directly with sqlite3."""
    score = handed_in = late = 0.0
    for folder in sorted(workspace.cohorts_dir.iterdir()):
        connection = sqlite3.connect(f"file:{(folder / GRADEBOOK_FILE).as_posix()}?mode=ro", uri=True)
        try:
            score += connection.execute(_SCORE_SQL).fetchone()[0]
            handed_in += connection.execute("SELECT COUNT(*) FROM submitted_notebook").fetchone()[0]
            late += connection.execute(_LATE_SQL).fetchone()[0]
        finally:
            connection.close()
    problems = []
    expected_rows = cohorts * trainees * ASSIGNMENTS
    if len(table) != expected_rows:
        problems.append(f"ledger has {len(table)} rows, expected {cohorts} x {trainees} x {ASSIGNMENTS} = {expected_rows}")
    if not math.isclose(table["nilai"].sum(), score, rel_tol=1e-9, abs_tol=1e-6):
        problems.append(f"ledger scores sum to {table['nilai'].sum():.2f}, the gradebooks to {score:.2f}")
    if (table["status"] != MISSING).sum() != handed_in:
        problems.append(f"ledger has {(table['status'] != MISSING).sum()} notebooks handed in, the gradebooks {handed_in:.0f}")
    if (table["status"] == LATE).sum() != late:
        problems.append(f"ledger has {(table['status'] == LATE).sum()} late notebooks, the gradebooks {late:.0f}")
    return problems


# --- Timing ---------------------------------------------------------------------------------

def time_ledger(workspace: Workspace, curriculum: Curriculum):
    started = time.perf_counter()
    table = ledger(workspace_cohorts(workspace), curriculum)
    module_results(table, curriculum)
    trainee_summary(table, curriculum)
    return time.perf_counter() - started, table


@dataclass
class ReportTiming:
    """One build_report: wall-clock seconds, CPU seconds (user, system) of the report's process and of
    its writers (child processes, umkmkit.report.background), and seconds per phase."""

    seconds: float
    user: float
    system: float
    writer_user: float
    writer_system: float
    phases: dict[str, float]


#: build_report's progress labels, each announcing the phase that starts, and what the phase before it did.
PHASES = {"trainee sheets": "ledger and tables", "charts": "certificates and trainee sheets",
          "files": "charts and page", "done": "waiting for the workbook and file writers"}


def time_report(workspace: Workspace, kit: Kit, curriculum: Curriculum, registry_file: Path,
                today: date = REPORT_DAY) -> ReportTiming:
    marks: list[tuple[str, float]] = []
    started, cpu = time.perf_counter(), os.times()
    build_report(workspace, kit, curriculum, registry_file=registry_file, today=today,
                 on_progress=lambda _phase, _done, _total, label: marks.append((label, time.perf_counter())))
    seconds, used = time.perf_counter() - started, os.times()
    phases, previous = {}, started
    for label, moment in marks:
        if label in PHASES:
            phases[PHASES[label]] = moment - previous
            previous = moment
    return ReportTiming(seconds, used.user - cpu.user, used.system - cpu.system,
                        used.children_user - cpu.children_user, used.children_system - cpu.children_system, phases)


def sizes(cohorts: int, trainees: int) -> list[tuple[str, int, int]]:
    """(label, cohorts, trainees) at 1/4, 1/2 and full size: fewer cohorts, or fewer trainees if too few cohorts."""
    result = []
    for label, share in (("1/4", 0.25), ("1/2", 0.5), ("1", 1.0)):
        if cohorts >= 4:
            result.append((label, max(1, round(cohorts * share)), trainees))
        else:
            result.append((label, cohorts, max(1, round(trainees * share))))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=20)
    parser.add_argument("--trainees", type=int, default=250, help="trainees per cohort")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="folder to build the workspaces in (default: the system's temporary folder); "
                             "e.g. /dev/shm to time the code apart from the disk")
    parser.add_argument("--profile", action="store_true",
                        help="profile one more full-size report build and print its top functions (cumulative)")
    args = parser.parse_args()
    ensure_scripts_on_path()
    kit = find_kit()
    curriculum = synthetic_curriculum()
    failed = False
    with tempfile.TemporaryDirectory(prefix="umkmkit-bench-report-", dir=args.scratch) as scratch:
        scratch = Path(scratch)
        started = time.perf_counter()
        template = make_template(scratch, curriculum)
        print(f"template gradebook through nbgrader's API: {time.perf_counter() - started:.1f} s")
        # a first, small report loads matplotlib, openpyxl and the fonts, so no size pays for that
        warm, warm_registry = build_workspace(scratch / "warm-up", kit, template, curriculum, 1, 5)
        print(f"warm-up report (imports, fonts): {time_report(warm, kit, curriculum, warm_registry).seconds:.1f} s")
        print(f"\n{'size':>4} {'cohorts':>7} {'x trainees':>10} {'ledger rows':>11} {'generate s':>10} "
              f"{'ledger s':>8} {'report s':>8}   per 1,000 trainees: {'ledger s':>8} {'report s':>8}")
        for label, cohorts, trainees in sizes(args.cohorts, args.trainees):
            started = time.perf_counter()
            workspace, registry_file = build_workspace(scratch / f"size-{cohorts}x{trainees}", kit, template,
                                                       curriculum, cohorts, trainees)
            generate_seconds = time.perf_counter() - started
            ledger_seconds, table = time_ledger(workspace, curriculum)
            timing = time_report(workspace, kit, curriculum, registry_file)
            report_seconds = timing.seconds
            places = cohorts * trainees
            print(f"{label:>4} {cohorts:>7} {trainees:>10} {len(table):>11,} {generate_seconds:>10.1f} "
                  f"{ledger_seconds:>8.2f} {report_seconds:>8.2f}   {'':>20}{1000 * ledger_seconds / places:>8.3f} "
                  f"{1000 * report_seconds / places:>8.3f}")
            problems = check_ledger(table, workspace, cohorts, trainees)
            for problem in problems:
                print(f"     MISMATCH: {problem}")
            failed = failed or bool(problems)
            last = (workspace, registry_file, report_seconds, timing)
        # the coordinator's next report, a week later: every certificate is in the archive already
        following = time_report(last[0], kit, curriculum, last[1], today=REPORT_DAY + timedelta(days=7))
        load = (f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (above the CPU count, other "
                "programs stretch the wall-clock time)") if hasattr(os, "getloadavg") else ""
        for title, timing in (("first report (every certificate drawn)", last[3]),
                              ("next report (issued certificates linked from the archive)", following)):
            print(f"\nfull size, {title}: {timing.seconds:.2f} s; where the time went: "
                  + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timing.phases.items()))
            print(f"CPU: report process {timing.user:.2f} s in the kit's code, {timing.system:.2f} s in the kernel; "
                  f"its workbook and file writers (beside it, on the other core) {timing.writer_user:.2f} s + "
                  f"{timing.writer_system:.2f} s in the kernel{load}")
        print(f"\ntarget: report <= {TARGET_SECONDS:.0f} s at full size; first report of the workspace "
              f"{last[2]:.2f} s ({'met' if last[2] <= TARGET_SECONDS else 'NOT met'}), every later report "
              f"{following.seconds:.2f} s ({'met' if following.seconds <= TARGET_SECONDS else 'NOT met'})")
        print("ledger checked against the gradebooks (rows, score sum, handed in, late): "
              + ("MISMATCH" if failed else "identical"))
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(time_report, last[0], kit, curriculum, last[1])
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
