"""Where things live: the kit's folders, the workspace, cohort course directories, config files.

Every path the kit uses is built here, from one layout and one path template, so no other
module pastes path strings together.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import sysconfig
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime
from pathlib import Path, PurePath

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from umkmkit.errors import UmkmkitError

CURRICULUM_FILE = "curriculum.yml"
NBGRADER_CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"
ROSTER_FILE = "roster.csv"
#: The trainer's ticks of a cohort's checklist (umkmkit.cohort.checklist), in the cohort folder.
CHECKLIST_FILE = "ceklis.csv"
#: The office's registry of UMKM in datasets/: every rostered trainee's id_umkm must be in it.
REGISTRY_FILE = "umkm.csv"
#: nbgrader's timestamp file in a submission folder.
TIMESTAMP_FILE = "timestamp.txt"

#: nbgrader's steps in a cohort's course directory, named as nbgrader names their folders by
#: default, and its default path template of one assignment there (CourseDirectory's
#: source_directory ... feedback_directory and directory_structure; tests/test_workspace_paths.py
#: checks they still are). A cohort whose nbgrader_config.py sets other folders or another
#: template is laid out as it says (`CourseLayout`): nbgrader reads that file too. The defaults are
#: written here, not read from nbgrader.coursedir: importing it takes some 2 s, which every umkmkit
#: command would pay.
SOURCE, RELEASE, SUBMITTED, AUTOGRADED, FEEDBACK = (
    "source", "release", "submitted", "autograded", "feedback",
)
PATH_TEMPLATE = "{nbgrader_step}/{student_id}/{assignment_id}"
#: Stand-ins for "any trainee" and "any assignment" while a layout's folders are matched.
_ASSIGNMENT_MARK, _TRAINEE_MARK = "\x00assignment\x00", "\x00trainee\x00"
_MARK_GROUPS = {_ASSIGNMENT_MARK: "assignment", _TRAINEE_MARK: "trainee"}
#: The CourseDirectory setting that names each step's folder.
_STEP_SETTINGS = {step: f"{step}_directory" for step in (SOURCE, RELEASE, SUBMITTED, AUTOGRADED, FEEDBACK)}
#: The boxes of a cohort in nbgrader's exchange: releases go out, submissions come in.
OUTBOUND, INBOUND = "outbound", "inbound"

#: A SQLite database's URL as nbgrader and SQLAlchemy take it: the prefix, then the file's path.
_SQLITE_URL_PREFIX = "sqlite:///"


def gradebook_url(path: PurePath | str, *, read_only: bool = False) -> str:
    """The URL of the SQLite gradebook at `path` (forward slashes, also on Windows: sqlite:///C:/...).

    `read_only`: a URL through which nothing can be written (SQLite's mode=ro), for reading a
    gradebook another process may be grading into.
    """
    posix = (path if isinstance(path, PurePath) else Path(path)).as_posix()
    return f"{_SQLITE_URL_PREFIX}file:{posix}?mode=ro&uri=true" if read_only else _SQLITE_URL_PREFIX + posix


def create_gradebook_tables(db_url: str) -> None:
    """Create nbgrader's tables in an empty gradebook database, stamped with nbgrader's newest
    migration, as nbgrader does itself the first time it opens an empty database; a database that
    has tables is left alone.

    nbgrader asks for that migration by running `alembic heads` as a new process: 2.6 to 2.9 s of
    the 7.7 s a cohort took to create on the 2-core machine, against 0.09 s for alembic's own
    ScriptDirectory in this process (the same answer: tests/test_cohorts.py compares both). Used
    for a cohort's gradebook and for the throw-away one `umkmkit build` generates exercises with.
    """
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR

    engine = sa.create_engine(db_url)
    try:
        if sa.inspect(engine).get_table_names():
            return
        newest = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        with engine.begin() as connection:
            Base.metadata.create_all(bind=connection)
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:newest)"), {"newest": newest})
    finally:
        engine.dispose()


def read_only_connection(path: PurePath | str) -> sqlite3.Connection:
    """A plain sqlite3 connection to the SQLite gradebook at `path` through which nothing can be
    written: the file `gradebook_url(path, read_only=True)` opens through SQLAlchemy, the same way."""
    posix = (path if isinstance(path, PurePath) else Path(path)).as_posix()
    return sqlite3.connect(f"file:{posix}?mode=ro", uri=True)


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (`gradebook_url`'s inverse); None for any other database
    (postgresql://...)."""
    return Path(url.removeprefix(_SQLITE_URL_PREFIX)) if url.startswith(_SQLITE_URL_PREFIX) else None


@dataclass(frozen=True)
class Kit:
    """The checked-out kit: curriculum, lessons, solutions, exercises, data sets."""

    root: Path

    @property
    def curriculum_file(self) -> Path:
        return self.root / CURRICULUM_FILE

    @property
    def nbgrader_config_file(self) -> Path:
        return self.root / NBGRADER_CONFIG_FILE

    @property
    def lessons_dir(self) -> Path:
        return self.root / "lessons"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    @property
    def facts_dir(self) -> Path:
        """The fact registry: one .yml per fee, threshold, law or deadline the kit states."""
        return self.root / "docs" / "fakta"

    @property
    def workspace_dir(self) -> Path:
        """Git-ignored folder for cohorts, gradebooks, submissions and reports."""
        override = os.environ.get("UMKMKIT_WORKSPACE")
        return Path(override) if override else self.root / "workspace"

    @property
    def workspace(self) -> Workspace:
        """The trainer's workspace of cohorts (workspace/, or UMKMKIT_WORKSPACE)."""
        return Workspace(self.workspace_dir)

    @property
    def demo_workspace(self) -> Workspace:
        """The demo's workspace (umkmkit.demo): its cohorts apart from the trainer's."""
        return Workspace(self.workspace_dir / "demo")

    @property
    def registry_file(self) -> Path:
        return self.datasets_dir / REGISTRY_FILE

    def solution_dir(self, assignment_id: str) -> Path:
        return self.solutions_dir / assignment_id

    def exercise_dir(self, assignment_id: str) -> Path:
        return self.exercises_dir / assignment_id

    def nbgrader_base_config(self) -> Config:
        """The kit's nbgrader settings (stubs, ignore patterns, timeouts) from nbgrader_config.py.

        This file is the one owner of nbgrader settings; cohorts extend it.
        """
        if not self.nbgrader_config_file.is_file():
            raise UmkmkitError(
                f"{self.nbgrader_config_file} is missing: restore it from git "
                "(git checkout -- nbgrader_config.py)."
            )
        loader = PyFileConfigLoader(NBGRADER_CONFIG_FILE, path=str(self.root))
        return loader.load_config()


def find_kit(start: Path | None = None) -> Kit:
    """Locate the kit folder: UMKMKIT_ROOT, else the nearest folder above `start` with curriculum.yml.

    Falls back to the checkout this package was installed from (editable install).
    """
    override = os.environ.get("UMKMKIT_ROOT")
    if override:
        root = Path(override).resolve()
        if not (root / CURRICULUM_FILE).is_file():
            raise UmkmkitError(
                f"UMKMKIT_ROOT={override} has no {CURRICULUM_FILE}: point it at the kit folder."
            )
        return Kit(root)
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents, *Path(__file__).resolve().parents):
        if (candidate / CURRICULUM_FILE).is_file() and (candidate / NBGRADER_CONFIG_FILE).is_file():
            return Kit(candidate)
    raise UmkmkitError(
        f"Cannot find the kit folder (the one with {CURRICULUM_FILE}) from {here}: "
        "run umkmkit inside the kit folder or set UMKMKIT_ROOT to it."
    )


@dataclass(frozen=True)
class CourseLayout:
    """Where nbgrader keeps a course's assignments: each step's folder and the path template."""

    #: step (SOURCE, ..., FEEDBACK) -> its folder in the course directory
    folders: dict[str, str]
    directory_structure: str = PATH_TEMPLATE

    @classmethod
    def of(cls, config: Config) -> CourseLayout:
        """The layout `config` sets (nbgrader's defaults where it sets nothing)."""
        course = config.CourseDirectory if "CourseDirectory" in config else Config()
        folders = {step: str(course[setting]) if setting in course else step for step, setting in _STEP_SETTINGS.items()}
        template = str(course["directory_structure"]) if "directory_structure" in course else PATH_TEMPLATE
        # nbgrader writes it with os.path.join (backslashes on Windows): one form here
        return cls(folders, template.replace("\\", "/"))

    @classmethod
    def read(cls, config_file: Path) -> CourseLayout:
        """The layout a cohort's nbgrader_config.py sets; nbgrader's defaults when there is none yet."""
        if not config_file.is_file():
            return cls({step: step for step in _STEP_SETTINGS})
        return cls.of(PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config())

    def path(self, step: str, assignment_id: str, trainee_id: str = ".") -> PurePath:
        """One assignment's folder at one step, relative to the course directory."""
        return PurePath(self.directory_structure.format(
            nbgrader_step=self.folders.get(step, step), student_id=trainee_id, assignment_id=assignment_id,
        ))

    def find(self, root: Path, step: str, assignment_id: str = "*", trainee_id: str = "*") -> list[tuple[str, str]]:
        """(trainee id, assignment id) of every assignment folder under `root` at `step` ("*": any;
        trainee "." for source and release), sorted."""
        marked = self.path(step, _ASSIGNMENT_MARK if assignment_id == "*" else assignment_id,
                           _TRAINEE_MARK if trainee_id == "*" else trainee_id).parts
        parts = [re.compile("".join(
            f"(?P<{_MARK_GROUPS[piece]}>.+)" if piece in _MARK_GROUPS else re.escape(piece)
            for piece in re.split(f"({_ASSIGNMENT_MARK}|{_TRAINEE_MARK})", part) if piece
        )) for part in marked]
        found = set()
        for folder in root.glob(self.path(step, assignment_id, trainee_id).as_posix()):
            matches = [rule.fullmatch(part) for rule, part in zip(parts, folder.relative_to(root).parts)]
            if folder.is_dir() and all(matches):
                groups = {name: value for match in matches for name, value in match.groupdict().items()}
                found.add((groups.get("trainee", trainee_id), groups.get("assignment", assignment_id)))
        return sorted(found)


@dataclass(frozen=True)
class Cohort:
    """One cohort = one nbgrader course directory with its own gradebook."""

    root: Path

    @cached_property
    def layout(self) -> CourseLayout:
        """Where this cohort's nbgrader keeps assignments, as its nbgrader_config.py says (read once)."""
        return CourseLayout.read(self.config_file)

    @property
    def cohort_id(self) -> str:
        return self.root.name

    @property
    def config_file(self) -> Path:
        return self.root / NBGRADER_CONFIG_FILE

    @property
    def roster_file(self) -> Path:
        return self.root / ROSTER_FILE

    @property
    def checklist_file(self) -> Path:
        """The trainer's ticks of the cohort's checklist (it may not exist yet: nothing ticked)."""
        return self.root / CHECKLIST_FILE

    @property
    def default_db_url(self) -> str:
        return gradebook_url(self.root / GRADEBOOK_FILE)

    def assignment_dir(self, step: str, assignment_id: str, trainee_id: str = ".") -> Path:
        """Folder of one assignment at one nbgrader step (trainee "." for source and release)."""
        # pathlib drops the "." that nbgrader uses for source/ and release/
        return self.root / self.layout.path(step, assignment_id, trainee_id)

    def trainees_with(self, step: str, assignment_id: str) -> list[str]:
        """Trainees with a folder of `assignment_id` at `step` (SUBMITTED: who handed it in), sorted."""
        return sorted({trainee for trainee, _ in self.layout.find(self.root, step, assignment_id=assignment_id)})

    def assignments_at(self, step: str, trainee_id: str = "*") -> list[str]:
        """Assignments with a folder at `step`: of any trainee ("*"), of one, or "." for source and release."""
        return sorted({assignment for _, assignment in self.layout.find(self.root, step, trainee_id=trainee_id)})

    def step_dir(self, step: str) -> Path:
        """The folder of one step (e.g. FEEDBACK: every trainee's feedback), as nbgrader's default layout has it."""
        return self.root / self.layout.folders.get(step, step)

    def notebook_file(self, step: str, assignment_id: str, notebook_id: str, trainee_id: str = ".") -> Path:
        return self.assignment_dir(step, assignment_id, trainee_id) / f"{notebook_id}.ipynb"

    @property
    def backups_dir(self) -> Path:
        """Copies of the gradebook (before each grading run) and of replaced submissions."""
        return self.root / "backups"

    def log_file(self, name: str) -> Path:
        """A log the kit writes for the trainer, e.g. each failure of a grading run in full."""
        return self.root / "logs" / name

    def graded_marker(self, assignment_id: str, trainee_id: str) -> Path:
        """Written once nbgrader finished grading this exact submission (see grading.is_graded)."""
        return self.root / "grading-state" / assignment_id / trainee_id

    @property
    def paper_test_dir(self) -> Path:
        """The knowledge test on paper (umkmkit.cohort.paper): booklet, answer sheets, the answer form."""
        return self.root / "tes-kertas"

    def feedback_zip(self, assignment_id: str, trainee_id: str) -> Path:
        """One trainee's feedback pages for one assignment, zipped to hand back on a USB stick."""
        return self.root / "feedback-zip" / assignment_id / f"{trainee_id}.zip"

    def worked_solutions_dir(self, assignment_id: str) -> Path:
        """The worked solution of one assignment (umkmkit.cohort.worked_solutions), once handed out."""
        return self.root / "pembahasan" / assignment_id

    def worked_solutions_marker(self, assignment_id: str) -> Path:
        """Holds when the worked solution was handed out; later submissions are not graded."""
        return self.worked_solutions_dir(assignment_id) / "DIBAGIKAN.txt"

    def worked_solutions_zip(self, assignment_id: str, trainee_id: str) -> Path:
        """One trainee's copy of a worked solution, zipped to hand out on a USB stick or WhatsApp."""
        return self.root / "pembahasan-zip" / assignment_id / f"{trainee_id}.zip"

    def timestamp_file(self, step: str, assignment_id: str, trainee_id: str) -> Path:
        return self.assignment_dir(step, assignment_id, trainee_id) / TIMESTAMP_FILE

    def bundles_dir(self, assignment_id: str) -> Path:
        """Per-trainee release bundles of one assignment, for a USB stick or WhatsApp."""
        return self.root / "bundles" / assignment_id

    def bundle_dir(self, assignment_id: str, trainee_id: str) -> Path:
        return self.bundles_dir(assignment_id) / trainee_id

    def bundle_zip(self, assignment_id: str, trainee_id: str) -> Path:
        return self.bundles_dir(assignment_id) / f"{trainee_id}.zip"

    def exchange_dir(self, exchange_root: Path, box: str) -> Path:
        """This cohort's folder in nbgrader's exchange: box OUTBOUND (releases) or INBOUND (submissions)."""
        return Path(exchange_root) / self.cohort_id / box

    def submission_backup_dir(self, stamp: str, assignment_id: str, trainee_id: str) -> Path:
        """Where a submission is copied before collect replaces it: backups/submitted/<stamp>/<trainee>/<assignment>/."""
        return self.backups_dir / SUBMITTED / stamp / trainee_id / assignment_id


@dataclass(frozen=True)
class Workspace:
    """A folder of cohorts (the default workspace, or workspace/demo for the demo)."""

    root: Path

    @property
    def cohorts_dir(self) -> Path:
        return self.root / "cohorts"

    def cohort(self, cohort_id: str) -> Cohort:
        return Cohort(self.cohorts_dir / cohort_id)

    def report_dir(self, day: date) -> Path:
        """The coordinator's report of one day (umkmkit.report.build)."""
        return self.root / "reports" / day.isoformat()

    @property
    def handouts_dir(self) -> Path:
        """The participants' take-home handouts, cards and calculators (umkmkit.course.handouts)."""
        return self.root / "handouts"

    def inbox_dir(self, cohort_id: str) -> Path:
        """Submissions of a cohort copied off participants' USB sticks, waiting for `umkmkit collect`
        (the demo's simulated participants hand theirs in here)."""
        return self.root / "kiriman" / cohort_id

    @property
    def lab_dir(self) -> Path:
        """The laptop lab (umkmkit.room.lab): the participants' folder and the JupyterLab settings."""
        return self.root / "lab"

    @property
    def hub_dir(self) -> Path:
        """The room server's folder (umkmkit.room.hub) when no other is given."""
        return self.root / "hub"

    @property
    def certificates_dir(self) -> Path:
        """Every certificate issued, with its register daftar.csv (umkmkit.report.certificates); reports link to them."""
        return self.root / "sertifikat"


def ensure_scripts_on_path() -> None:
    """Put this environment's scripts folder (venv bin/ or Scripts\\) first on PATH.

    nbgrader runs `alembic` as a subprocess when it creates a gradebook; without the venv's
    bin/ on PATH the gradebook is left half-made.
    """
    scripts = sysconfig.get_path("scripts")
    candidates = [scripts, str(Path(sys.executable).parent)]
    current = os.environ.get("PATH", "").split(os.pathsep)
    for folder in reversed(candidates):
        if folder and folder not in current[:len(candidates)]:
            current.insert(0, folder)
    os.environ["PATH"] = os.pathsep.join(current)


def nbgrader_timestamp(moment: datetime) -> str:
    """A submission time as nbgrader's timestamp.txt holds it.

    ISO offsets ("+09:00"): nbgrader's parse_utc reads "+0900" as 900 seconds, not 9 hours.
    """
    return moment.isoformat(sep=" ", timespec="seconds")


def nbgrader_api(config: Config):
    """An in-process nbgrader API for one course configuration (no CLI start-up per call)."""
    from nbgrader.apps import NbGraderAPI

    ensure_scripts_on_path()
    check_metadata_schema_once()
    return NbGraderAPI(config=config)


def check_metadata_schema_once() -> None:
    """Let nbgrader check its cell-metadata schema against JSON Schema's metaschema once per process.

    nbgrader validates every graded cell's metadata with `jsonschema.validate(metadata, schema)`
    each time it reads or writes a notebook, and that function first validates the schema itself
    against the metaschema: 2.3 ms a call, against 0.11 ms for the cell with a validator kept
    (1000 calls each, this machine). This keeps one checked validator per schema and validates
    the same way (`best_match` of its errors, raised), so nbgrader sees the same errors.
    `nbgrader_api` calls it: creating a cohort, grading and feedback all gain. nbgrader names
    `jsonschema` in its module nbgrader.nbgraderformat.common: a test (tests/test_grade_cohort.py)
    fails if that changes.
    """
    import json
    import types

    import jsonschema
    from nbgrader.nbgraderformat import common

    if getattr(common.jsonschema, "checks_schema_once", False):
        return
    validators: dict[str, object] = {}

    def validate(instance, schema) -> None:
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            kind = jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validators[key] = kind(schema)
        error = jsonschema.exceptions.best_match(validators[key].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate, checks_schema_once=True)
