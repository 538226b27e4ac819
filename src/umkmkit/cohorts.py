"""Cohorts: create a cohort's nbgrader course directory, import and validate its roster.

A cohort is one nbgrader course (course_id = cohort id) with its own directory and gradebook,
holding a snapshot of the curriculum's assignments as they were when the cohort was created.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets.config import Config

from umkmkit.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import RELEASE, SOURCE, Cohort, Kit, Workspace, ensure_scripts_on_path, nbgrader_api
from traitlets.config.loader import PyFileConfigLoader

#: Columns every roster must have; other columns are kept in the cohort's roster.csv.
ROSTER_REQUIRED = ("id_peserta", "nama")
_COHORT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_TRAINEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Trainee:
    trainee_id: str
    name: str
    extra: dict[str, str]


def read_roster(path: Path) -> list[Trainee]:
    """Read and validate a roster CSV (UTF-8, comma separated, header row).

    Raises an UmkmkitError naming the file, line and column of the first problems found.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise UmkmkitError(f"{path}: roster file not found.") from error
    except UnicodeDecodeError as error:
        raise UmkmkitError(
            f"{path}: byte {error.start} is not UTF-8; save the roster as 'CSV UTF-8' and try again."
        ) from error
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise UmkmkitError(f"{path}: the roster is empty; it needs a header row with {', '.join(ROSTER_REQUIRED)}.")
    header = [cell.strip() for cell in rows[0]]
    missing = [name for name in ROSTER_REQUIRED if name not in header]
    if missing:
        raise UmkmkitError(
            f"{path}, line 1: missing column(s) {', '.join(missing)}; the header has {', '.join(header)}."
        )
    column = {name: header.index(name) for name in header}
    problems, trainees, seen = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"{path}, line {line}: {len(row)} values for {len(header)} columns")
            continue
        trainee_id = row[column["id_peserta"]].strip()
        where = f"{path}, line {line}, column {column['id_peserta'] + 1} (id_peserta)"
        if not trainee_id:
            problems.append(f"{where}: empty trainee id")
        elif not _TRAINEE_ID.match(trainee_id):
            problems.append(f"{where}: '{trainee_id}' may only hold letters, digits, - and _")
        elif trainee_id in seen:
            problems.append(f"{where}: '{trainee_id}' already used on line {seen[trainee_id]}")
        else:
            seen[trainee_id] = line
            extra = {name: row[i].strip() for name, i in column.items() if name not in ROSTER_REQUIRED}
            trainees.append(Trainee(trainee_id, row[column["nama"]].strip(), extra))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise UmkmkitError(f"The roster has problems; nothing was created:\n  {shown}{more}")
    if not trainees:
        raise UmkmkitError(f"{path}: the roster has a header but no trainees.")
    return trainees


def write_roster(trainees: list[Trainee], path: Path) -> None:
    extra_columns = list(dict.fromkeys(name for t in trainees for name in t.extra))
    with Path(path).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([*ROSTER_REQUIRED, *extra_columns])
        for t in trainees:
            writer.writerow([t.trainee_id, t.name, *(t.extra.get(name, "") for name in extra_columns)])


def cohort_config(kit: Kit, cohort: Cohort, db_url: str | None = None) -> Config:
    """The kit's nbgrader settings, pointed at this cohort's directory and gradebook."""
    config = kit.nbgrader_base_config()
    config.CourseDirectory.root = str(cohort.root.resolve())
    config.CourseDirectory.course_id = cohort.cohort_id
    config.CourseDirectory.source_directory = SOURCE
    config.CourseDirectory.release_directory = RELEASE
    config.CourseDirectory.db_url = db_url or cohort.default_db_url
    return config


def render_config(config: Config, cohort_id: str) -> str:
    """A cohort's nbgrader_config.py, so trainers can also run nbgrader or the formgrader there."""
    lines = [
        f'"""nbgrader course of cohort {cohort_id}, written by `umkmkit cohort create`."""',
        "",
        "c = get_config()  # noqa: F821",
    ]
    for section in sorted(config):
        for key in sorted(config[section]):
            lines.append(f"c.{section}.{key} = {config[section][key]!r}")
    return "\n".join(lines) + "\n"


def load_cohort_config(cohort: Cohort) -> Config:
    if not cohort.config_file.is_file():
        raise UmkmkitError(
            f"{cohort.root} is not a cohort (no nbgrader_config.py); "
            f"create it with `umkmkit cohort create {cohort.cohort_id} --roster FILE`."
        )
    return PyFileConfigLoader(cohort.config_file.name, path=str(cohort.root)).load_config()


def cohort_api(cohort: Cohort):
    """nbgrader's API for this cohort's course."""
    return nbgrader_api(load_cohort_config(cohort))


def open_gradebook(cohort: Cohort) -> Gradebook:
    ensure_scripts_on_path()
    config = load_cohort_config(cohort)
    return Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id)


def roster(cohort: Cohort) -> list[Trainee]:
    return read_roster(cohort.roster_file)


def create_cohort(
    kit: Kit,
    curriculum: Curriculum,
    workspace: Workspace,
    cohort_id: str,
    roster_file: Path,
    db_url: str | None = None,
    duedates: dict[str, datetime] | None = None,
    assignment_ids: list[str] | None = None,
) -> Cohort:
    """Create a cohort: course directory, gradebook with its trainees, released assignments.

    The roster is validated before anything is written. Assignments (all of the curriculum's,
    or `assignment_ids`) are copied from solutions/ so the cohort keeps the version it was
    taught with.
    """
    if not _COHORT_ID.match(cohort_id):
        raise UmkmkitError(
            f"Cohort id '{cohort_id}' must be lower-case letters, digits and '-', e.g. mkw-2022-06."
        )
    trainees = read_roster(roster_file)
    modules = [curriculum.module_for(a) for a in assignment_ids] if assignment_ids else curriculum.assignments
    cohort = workspace.cohort(cohort_id)
    if cohort.root.exists():
        raise UmkmkitError(
            f"Cohort {cohort_id} already exists at {cohort.root}; choose another id or remove that folder."
        )
    cohort.root.parent.mkdir(parents=True, exist_ok=True)
    staging = cohort.root.with_name(f".{cohort_id}.creating")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staged = Cohort(staging)
        staging.mkdir()
        config = cohort_config(kit, staged, db_url)
        staged.config_file.write_text(render_config(config, cohort_id), encoding="utf-8")
        write_roster(trainees, staged.roster_file)
        for module in modules:
            shutil.copytree(kit.solution_dir(module.assignment), staged.assignment_dir(SOURCE, module.assignment))
        api = nbgrader_api(config)
        for module in modules:
            result = api.generate_assignment(module.assignment, force=True, create=True)
            if not result["success"]:
                raise UmkmkitError(
                    f"nbgrader could not release {module.assignment} for {cohort_id}:\n"
                    f"{result.get('error') or result.get('log')}"
                )
        with Gradebook(config.CourseDirectory.db_url, course_id=cohort_id) as gradebook:
            for trainee in trainees:
                first, _, last = trainee.name.partition(" ")
                gradebook.update_or_create_student(trainee.trainee_id, first_name=first, last_name=last)
            for assignment_id, duedate in (duedates or {}).items():
                gradebook.update_or_create_assignment(assignment_id, duedate=duedate)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # The SQLite gradebook inside the staging folder moves with it: its URL must follow.
    final_config = cohort_config(kit, cohort, db_url)
    staged.config_file.write_text(render_config(final_config, cohort_id), encoding="utf-8")
    staging.rename(cohort.root)
    return cohort
