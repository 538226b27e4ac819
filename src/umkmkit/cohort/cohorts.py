"""Cohorts: create a cohort's nbgrader course directory, import and validate its roster.

A cohort is one nbgrader course (course_id = cohort id) with its own directory and gradebook,
holding a snapshot of the curriculum's assignments as they were when the cohort was created.
"""

from __future__ import annotations

import logging
import codecs
import csv
import difflib
import importlib
import io
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets.config import Config

from umkmkit.course.curriculum import Curriculum
from umkmkit.datasets.registry import trainee_id as trainee_id_of_business
from umkmkit.datasets.schema import ROSTER_COLUMNS
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import (
    GRADEBOOK_FILE, RELEASE, SOURCE, Cohort, Kit, Workspace, create_gradebook_tables, ensure_scripts_on_path, nbgrader_api,
    sqlite_path,
)
from traitlets.config.loader import PyFileConfigLoader

log = logging.getLogger(__name__)

#: The roster's columns, in their order: the data dictionary (datasets/schema.py) owns the list.
ROSTER_COLUMN_NAMES = tuple(column.name for column in ROSTER_COLUMNS)
#: Columns with a role of their own (the others are checked against the schema's categories).
TRAINEE_ID, NAME, BUSINESS_ID, COHORT = "id_peserta", "nama", "id_umkm", "kohort"
#: A refused roster lists at most this many problems.
MAX_PROBLEMS = 30
SAVE_AS_CSV_UTF8 = "in Excel: File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"
#: Separators a roster may use: Excel writes ';' where the list separator is ';' (Indonesian settings).
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_COHORT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_TRAINEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Trainee:
    """One trainee: id, name, and the roster's other columns by name."""

    trainee_id: str
    name: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Roster(Sequence):
    """The trainees of a roster file, in file order, and notes on how the file was read."""

    source: Path
    trainees: tuple[Trainee, ...]
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.trainees)

    def __getitem__(self, index):
        return self.trainees[index]


def read_roster(path: Path, registry: Path | None = None, cohort_id: str | None = None) -> Roster:
    """Read a trainer's roster file and check every row; refuse it with all its problems.

    The columns are the data dictionary's roster columns (datasets/schema.py ROSTER_COLUMNS), in
    any order. Accepted: UTF-8 with or without BOM; comma, semicolon or tab separated (Excel
    writes semicolons with Indonesian regional settings; the roster has no numbers, so comma
    decimals cannot be misread), which is said in the returned `notes`. Refused with the file,
    line and column of each problem (up to MAX_PROBLEMS): any other encoding (Excel's plain
    'CSV' is Windows-1252: guessing it could garble names silently, so the trainer re-saves as
    CSV UTF-8), an Excel workbook, an empty file, missing, unknown or repeated columns, rows
    with too many or too few values, empty values, duplicate or malformed trainee ids, sektor or
    distrik outside the schema's categories, a kohort other than `cohort_id`, an id_peserta that
    does not follow its id_umkm (P-00042 for MKW-00042) and, given the office's `registry`
    (datasets/umkm.csv), an id_umkm that is not in it.
    """
    return _read_roster(Path(path), registry=registry, cohort_id=cohort_id, check_values=True)


def _read_roster(path: Path, *, registry: Path | None, cohort_id: str | None, check_values: bool) -> Roster:
    text = _roster_text(path)
    separator = _separator(text)
    records = _records(text, separator)
    if not records:
        raise UmkmkitError(f"{path}: the file is empty; {_COLUMNS_HINT}")
    header_line, header = records[0]
    columns, width = _header_columns(path, header_line, header)
    registry_ids = _registry_ids(registry) if registry else None
    problems: list[str] = []
    trainees: list[Trainee] = []
    seen: dict[str, int] = {}
    for line, cells in records[1:]:
        shape_problem = _shape_problem(path, line, cells, width, separator)
        if shape_problem:
            problems.append(shape_problem)
            continue
        values = {name: cells[index].strip() for name, index in columns.items()}
        row_problems = _id_problems(path, line, columns, values, seen)
        if not row_problems:
            seen[values[TRAINEE_ID]] = line
        if check_values:
            row_problems += _value_problems(path, line, columns, values, registry_ids, registry, cohort_id)
        problems += row_problems
        if not row_problems:
            extra = {name: values[name] for name in ROSTER_COLUMN_NAMES if name not in (TRAINEE_ID, NAME)}
            trainees.append(Trainee(values[TRAINEE_ID], values[NAME], extra))
    if problems:
        raise _refused(path, problems)
    if not trainees:
        raise UmkmkitError(f"{path}: the roster has a header but no trainees; add one row per trainee.")
    notes = () if separator == "," else (
        f"{path}: read as {_SEPARATORS[separator]}-separated (Excel with Indonesian regional settings "
        "saves CSV with semicolons); the cohort keeps its roster comma-separated.",
    )
    return Roster(path, tuple(trainees), notes)


_COLUMNS_HINT = (
    f"a roster has a header row with the columns {', '.join(ROSTER_COLUMN_NAMES)} (any order) "
    "and one row per trainee."
)


def _refused(path: Path, problems: list[str], headline: str = "", footer: str = "") -> UmkmkitError:
    shown = "\n  ".join(problems[:MAX_PROBLEMS])
    more = f"\n  ... and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
    headline = headline or (
        f"{path}: the roster has {len(problems)} problem(s); nothing was written. "
        "Fix them and run the command again"
    )
    return UmkmkitError(f"{headline}:\n  {shown}{more}" + (f"\n{footer}" if footer else ""))


def _roster_text(path: Path) -> str:
    """The file's text, or a refusal that says what the file is and how to save it as CSV UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise UmkmkitError(f"{path}: roster file not found; check the path.") from error
    except OSError as error:
        raise UmkmkitError(f"{path}: cannot read the roster ({error.strerror}).") from error
    if data.startswith(b"PK\x03\x04"):
        raise UmkmkitError(f"{path} is an Excel workbook, not a CSV file: save it {SAVE_AS_CSV_UTF8}.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UmkmkitError(f"{path} is UTF-16 ('Unicode Text'), not CSV UTF-8: save it {SAVE_AS_CSV_UTF8}.")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused(path, _encoding_problems(path, data), headline=(
            f"{path} is not UTF-8 text; nothing was written. It looks like Excel's plain 'CSV "
            f"(Comma delimited)', which writes Windows-1252. Save it again {SAVE_AS_CSV_UTF8} "
            "and run the command again. Bytes that are not UTF-8"
        )) from None


def _encoding_problems(path: Path, data: bytes) -> list[str]:
    """The first byte that is not UTF-8 on each line, with its roster column."""
    lines = data.split(b"\n")
    separator = _separator(data.decode("utf-8", errors="replace"))
    header = next(csv.reader([lines[0].decode("utf-8", errors="replace")], delimiter=separator), [])
    problems = []
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            before = raw[: error.start].decode("utf-8", errors="replace")
            column = len(next(csv.reader([before], delimiter=separator), [""])) or 1
            name = f" ({header[column - 1].strip()})" if column <= len(header) else ""
            byte = raw[error.start: error.start + 1]
            problems.append(
                f"{path}, line {number}, column {column}{name}: byte 0x{byte.hex().upper()} "
                f"(in Windows-1252: '{byte.decode('cp1252', errors='replace')}')"
            )
    return problems


def _separator(text: str) -> str:
    """The separator under which the first line reads as the most roster column names."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def known(separator: str) -> int:
        cells = next(csv.reader([first], delimiter=separator), [])
        return sum(cell.strip().lower() in ROSTER_COLUMN_NAMES for cell in cells)

    return max(_SEPARATORS, key=known)  # ties keep the first: comma


def _records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """(first line number, cells) of every row that holds anything (Excel adds rows of empty cells)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records, next_line = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            records.append((next_line, cells))
        next_line = reader.line_num + 1
    return records


def _header_columns(path: Path, line: int, header: list[str]) -> tuple[dict[str, int], int]:
    """Column name -> index, and the row width; refuses missing, unknown, unnamed or repeated columns."""
    names = [cell.strip().lower() for cell in header]
    width = max(i for i, name in enumerate(names) if name) + 1  # Excel may add empty columns at the end
    columns: dict[str, int] = {}
    problems = []
    for index, name in enumerate(names[:width]):
        where = f"{path}, line {line}, column {index + 1}"
        if not name:
            problems.append(f"{where}: a column without a name")
        elif name not in ROSTER_COLUMN_NAMES:
            problems.append(f"{where}: '{header[index].strip()}' is not a roster column")
        elif name in columns:
            problems.append(f"{where}: column '{name}' again (first in column {columns[name] + 1})")
        else:
            columns[name] = index
    missing = [name for name in ROSTER_COLUMN_NAMES if name not in columns]
    if missing:
        problems.append(f"{path}, line {line}: missing column(s) {', '.join(missing)}")
    if problems:
        raise _refused(path, problems, footer=_COLUMNS_HINT[0].upper() + _COLUMNS_HINT[1:])
    return columns, width


def _shape_problem(path: Path, line: int, cells: list[str], width: int, separator: str) -> str:
    """A row with more or fewer values than the header has columns (empty cells at the end don't count)."""
    while len(cells) > width and not cells[-1].strip():
        cells.pop()
    if len(cells) > width:
        return (
            f"{path}, line {line}, column {width + 1}: {len(cells)} values for {width} columns; "
            f"a value holding '{separator}' must be in double quotes"
        )
    if len(cells) < width:
        return f"{path}, line {line}: {len(cells)} values for {width} columns"
    return ""


def _id_problems(path: Path, line: int, columns: dict[str, int], values: dict[str, str], seen: dict[str, int]) -> list[str]:
    trainee_id = values[TRAINEE_ID]
    where = f"{path}, line {line}, column {columns[TRAINEE_ID] + 1} ({TRAINEE_ID})"
    if not trainee_id:
        return [f"{where}: empty trainee id"]
    if not _TRAINEE_ID.match(trainee_id):
        return [f"{where}: '{trainee_id}' may only hold letters, digits, - and _"]
    if trainee_id in seen:
        return [f"{where}: '{trainee_id}' already used on line {seen[trainee_id]}"]
    return []


def _value_problems(
    path: Path, line: int, columns: dict[str, int], values: dict[str, str],
    registry_ids: set[str] | None, registry: Path | None, cohort_id: str | None,
) -> list[str]:
    problems = []
    for column in ROSTER_COLUMNS:
        value = values[column.name]
        where = f"{path}, line {line}, column {columns[column.name] + 1} ({column.name})"
        if column.name == TRAINEE_ID:
            continue
        if not value:
            if not column.optional:
                problems.append(f"{where}: empty; every trainee needs a value here")
        elif column.name == COHORT:
            if cohort_id and value != cohort_id:
                problems.append(f"{where}: '{value}', but the cohort is {cohort_id}; one roster file per cohort")
            elif not _COHORT_ID.match(value):
                problems.append(f"{where}: '{value}' is not a cohort id like mkw-2022-06")
        elif column.allowed and value not in column.allowed:
            close = difflib.get_close_matches(value.lower(), column.allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{where}: '{value}' is not one of {', '.join(column.allowed)}{hint}")
    business_id, trainee_id = values[BUSINESS_ID], values[TRAINEE_ID]
    if business_id and registry_ids is not None and business_id not in registry_ids:
        problems.append(
            f"{path}, line {line}, column {columns[BUSINESS_ID] + 1} ({BUSINESS_ID}): "
            f"'{business_id}' is not in the registry {registry}"
        )
    elif business_id and trainee_id and trainee_id != trainee_id_of_business(business_id):
        problems.append(
            f"{path}, line {line}, column {columns[TRAINEE_ID] + 1} ({TRAINEE_ID}): '{trainee_id}' does not "
            f"match {BUSINESS_ID} '{business_id}'; it should be '{trainee_id_of_business(business_id)}'"
        )
    return problems


def _registry_ids(registry: Path) -> set[str]:
    """Every id_umkm of the office's registry (umkm.csv names the column as rosters do)."""
    if not registry.is_file():
        raise UmkmkitError(f"The registry {registry} is missing: regenerate the data sets with `umkmkit datasets`.")
    with registry.open(encoding="utf-8-sig", newline="") as stream:
        return {row[BUSINESS_ID].strip() for row in csv.DictReader(stream)}


def write_roster(trainees: Iterable[Trainee], path: Path) -> None:
    """Write trainees as a roster: UTF-8, comma separated, the schema's columns in order."""
    with Path(path).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(ROSTER_COLUMN_NAMES)
        for trainee in trainees:
            values = {**trainee.extra, TRAINEE_ID: trainee.trainee_id, NAME: trainee.name}
            writer.writerow([values.get(name, "") for name in ROSTER_COLUMN_NAMES])


def _checked_trainees(trainees: Iterable[Trainee]) -> list[Trainee]:
    """Trainees given by code (not read from a file): ids must be usable as nbgrader student ids."""
    trainees = list(trainees)
    ids = [t.trainee_id for t in trainees]
    bad = sorted({i for i in ids if not _TRAINEE_ID.match(i) or ids.count(i) > 1})
    if not trainees or bad:
        raise UmkmkitError(f"Trainee ids must be unique letters, digits, - and _; got {bad or 'no trainees'}.")
    return trainees


def cohort_config(kit: Kit, cohort: Cohort, db_url: str | None = None, exchange_root: Path | None = None) -> Config:
    """The kit's nbgrader settings, pointed at this cohort's directory, gradebook and exchange."""
    config = kit.nbgrader_base_config()
    config.CourseDirectory.root = str(cohort.root.resolve())
    config.CourseDirectory.course_id = cohort.cohort_id
    config.CourseDirectory.source_directory = SOURCE
    config.CourseDirectory.release_directory = RELEASE
    config.CourseDirectory.db_url = with_gradebook_driver(db_url) if db_url else cohort.default_db_url
    config.Exchange.root = str(Path(exchange_root).resolve()) if exchange_root else str(nbgrader_exchange_root())
    return config


#: The course nbgrader's own preprocessors add to every gradebook they open (Gradebook(db_url)).
NBGRADER_DEFAULT_COURSE = "default_course"
#: PostgreSQL driver the kit uses (psycopg2-binary, umkmkit's `postgres` extra), named in a cohort's
#: gradebook URL because SQLAlchemy's default for a bare postgresql:// changed from psycopg2 (up to
#: 2.0) to psycopg 3 (2.1).
POSTGRES_DRIVER = "postgresql+psycopg2"
#: The module of that driver; only a PostgreSQL gradebook imports it (SQLite needs nothing).
POSTGRES_MODULE = "psycopg2"
POSTGRES_INSTALL_HINT = (
    'pip install "umkmkit[postgres]" (in the kit\'s folder: .venv/bin/python -m pip install -e ".[postgres]"; '
    "with conda: conda install -c conda-forge psycopg2-binary)"
)


def with_gradebook_driver(db_url: str) -> str:
    """The gradebook URL with the kit's PostgreSQL driver named: postgresql://... -> postgresql+psycopg2://..."""
    scheme, separator, rest = db_url.partition("://")
    return f"{POSTGRES_DRIVER}://{rest}" if separator and scheme in ("postgresql", "postgres") else db_url


def require_gradebook_driver(db_url: str, cohort_id: str) -> None:
    """Refuse a PostgreSQL gradebook URL, saying what to install, when psycopg2 is not installed.

    psycopg2 comes with umkmkit's `postgres` extra only, so a laptop with SQLite gradebooks
    carries no database driver; SQLAlchemy alone would fail with "No module named 'psycopg2'".
    """
    if with_gradebook_driver(db_url).partition("://")[0] != POSTGRES_DRIVER:
        return
    try:
        importlib.import_module(POSTGRES_MODULE)
    except ImportError as error:
        raise UmkmkitError(
            f"The gradebook of cohort {cohort_id} is a PostgreSQL database, and its driver ({POSTGRES_MODULE}) "
            f"is not installed here ({error}). Install it with {POSTGRES_INSTALL_HINT}, then run the command again."
        ) from error


def nbgrader_exchange_root() -> Path:
    """nbgrader's default exchange folder (/usr/local/share/nbgrader/exchange)."""
    from nbgrader.exchange.default.exchange import Exchange

    return Path(Exchange.class_traits()["root"].default_value)


def exchange_root(config: Config) -> Path:
    """A cohort's exchange folder: Exchange.root of its nbgrader_config.py, else nbgrader's default."""
    return Path(config.Exchange.get("root") or nbgrader_exchange_root())


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
    config = PyFileConfigLoader(cohort.config_file.name, path=str(cohort.root)).load_config()
    # a cohort folder copied or moved elsewhere is graded where it is now: its course directory
    # is the folder itself, and a SQLite gradebook always lives inside it
    config.CourseDirectory.root = str(cohort.root.resolve())
    url = str(config.CourseDirectory.get("db_url", ""))
    database = sqlite_path(url)
    if database is not None and database.name == GRADEBOOK_FILE:
        config.CourseDirectory.db_url = cohort.default_db_url
    require_gradebook_driver(url, cohort.cohort_id)
    return config


def cohort_api(cohort: Cohort):
    """nbgrader's API for this cohort's course."""
    return nbgrader_api(load_cohort_config(cohort))


def open_gradebook(cohort: Cohort) -> Gradebook:
    ensure_scripts_on_path()
    config = load_cohort_config(cohort)
    return Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id)


def check_gradebook_database(db_url: str, cohort_id: str) -> None:
    """Refuse a gradebook database that cannot be reached or that holds another gradebook.

    nbgrader keeps assignment names unique across its whole database, so each cohort needs a
    database of its own (on a PostgreSQL server: one database per cohort). A database holding
    only this cohort's course without submissions (an interrupted `cohort create`) is accepted.
    """
    import sqlalchemy as sa
    from nbgrader.api import Course, SubmittedAssignment

    require_gradebook_driver(db_url, cohort_id)
    try:
        url = sa.engine.make_url(with_gradebook_driver(db_url))
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as error:
        raise UmkmkitError(
            f"Gradebook URL '{db_url}' for cohort {cohort_id} is not usable ({error}); write it like "
            f"postgresql://user@server/{cohort_id.replace('-', '_')}, or leave --db-url out for SQLite."
        ) from error
    shown = url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            courses = set(connection.execute(sa.select(Course.id)).scalars()) if Course.__tablename__ in tables else set()
            submissions = SubmittedAssignment.__tablename__ in tables and connection.execute(
                sa.select(sa.func.count()).select_from(SubmittedAssignment.__table__)
            ).scalar()
    except sa.exc.SQLAlchemyError as error:
        raise UmkmkitError(
            f"Cannot open the gradebook database {shown} for cohort {cohort_id}: "
            f"{str(error).strip().splitlines()[0]}. Create the database first (PostgreSQL: "
            f"`createdb {url.database or cohort_id.replace('-', '_')}` on the server), and check the user, "
            "password, host and port."
        ) from error
    finally:
        engine.dispose()
    others = sorted(courses - {cohort_id, NBGRADER_DEFAULT_COURSE})
    if others or submissions:
        holds = f"the gradebook of {', '.join(others)}" if others else f"graded work of {cohort_id}"
        raise UmkmkitError(
            f"The database {shown} already holds {holds}; nbgrader needs an empty database for each "
            f"cohort. Create a new one (e.g. `createdb {cohort_id.replace('-', '_')}`) and pass its URL."
        )


def roster(cohort: Cohort) -> Roster:
    """The cohort's trainees (its roster.csv, written and checked by create_cohort)."""
    return _read_roster(cohort.roster_file, registry=None, cohort_id=None, check_values=False)


def create_cohort(
    kit: Kit,
    curriculum: Curriculum,
    workspace: Workspace,
    cohort_id: str,
    roster_file: Path | Sequence[Trainee],
    db_url: str | None = None,
    duedates: dict[str, datetime] | None = None,
    assignment_ids: list[str] | None = None,
    exchange_root: Path | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Cohort:
    """Create a cohort: course directory, gradebook with its trainees, released assignments.

    `roster_file` is a trainer's roster file, checked by `read_roster` against the kit's
    registry before anything is written (notes on how it was read go to `on_note`), or
    trainees made by code (the verification's scenario trainees). Assignments (every module's,
    the pre-test and the post-test; or `assignment_ids`) are copied from solutions/ so the
    cohort keeps the version it was taught with. `exchange_root` (default: nbgrader's) is written to the
    cohort's nbgrader_config.py as Exchange.root. `db_url` (default: SQLite gradebook.db in the cohort
    folder) names a database for this cohort alone, e.g. on PostgreSQL; `check_gradebook_database`
    refuses one that cannot be opened or holds another gradebook before anything is written.
    """
    if not _COHORT_ID.match(cohort_id):
        raise UmkmkitError(
            f"Cohort id '{cohort_id}' must be lower-case letters, digits and '-', e.g. mkw-2022-06."
        )
    if isinstance(roster_file, (str, os.PathLike)):
        read = read_roster(Path(roster_file), registry=kit.registry_file, cohort_id=cohort_id)
        trainees = list(read)
        for note in read.notes if on_note else ():
            on_note(note)
    else:
        trainees = _checked_trainees(roster_file)
    releases = curriculum.cohort_assignments(assignment_ids)
    cohort = workspace.cohort(cohort_id)
    if cohort.root.exists():
        raise UmkmkitError(
            f"Cohort {cohort_id} already exists at {cohort.root}; choose another id or remove that folder."
        )
    if db_url:
        check_gradebook_database(db_url, cohort_id)
    cohort.root.parent.mkdir(parents=True, exist_ok=True)
    staging = cohort.root.with_name(f".{cohort_id}.creating")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staged = Cohort(staging)
        staging.mkdir()
        config = cohort_config(kit, staged, db_url, exchange_root)
        # the gradebook's course is the cohort, not the staging folder (a shared server lists courses)
        config.CourseDirectory.course_id = cohort_id
        staged.config_file.write_text(render_config(config, cohort_id), encoding="utf-8")
        write_roster(trainees, staged.roster_file)
        for assignment_id, source in releases:
            shutil.copytree(kit.solution_dir(source.assignment), staged.assignment_dir(SOURCE, assignment_id))
        create_gradebook_tables(config.CourseDirectory.db_url)
        api = nbgrader_api(config)
        for assignment_id, _ in releases:
            result = api.generate_assignment(assignment_id, force=True, create=True)
            if not result["success"]:
                raise UmkmkitError(
                    f"nbgrader could not release {assignment_id} for {cohort_id}:\n"
                    f"{result.get('error') or result.get('log')}"
                )
        with Gradebook(config.CourseDirectory.db_url, course_id=cohort_id) as gradebook:
            for trainee in trainees:
                # the whole name as the roster writes it: an Indonesian name has no "first" and
                # "last" part to split ("Meiske Sumampouw, S.E." is not "Sumampouw, S.E., Meiske").
                # nbgrader's formgrader writes "last_name, first_name" where both are set, so the
                # name goes in last_name alone and first_name stays empty
                gradebook.update_or_create_student(trainee.trainee_id, first_name="", last_name=trainee.name)
            for assignment_id, duedate in (duedates or {}).items():
                gradebook.update_or_create_assignment(assignment_id, duedate=duedate)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # The SQLite gradebook inside the staging folder moves with it: its URL must follow.
    final_config = cohort_config(kit, cohort, db_url, exchange_root)
    staged.config_file.write_text(render_config(final_config, cohort_id), encoding="utf-8")
    staging.rename(cohort.root)
    log.info("created cohort %s in %s: %d trainee(s), gradebook %s", cohort_id, cohort.root, len(trainees),
             final_config.CourseDirectory.db_url)
    return cohort


def parse_due_date(text: str) -> datetime:
    """A due date a trainer types, "YYYY-MM-DD HH:MM" in this computer's time zone (or with an
    offset, "2026-12-10 17:00+09:00"), as nbgrader stores it: UTC without a time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UmkmkitError(
            f"'{text}' bukan tanggal dan jam: tulis seperti \"2026-12-10 17:00\" (tahun-bulan-tanggal jam:menit). "
            f"('{text}' is not a date and time.)"
        ) from None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def set_due_date(cohort: Cohort, assignment_id: str, due: datetime) -> datetime:
    """Set one assignment's due date (UTC, naive) in the cohort's gradebook; return it."""
    if not cohort.assignment_dir(SOURCE, assignment_id).is_dir():
        known = cohort.assignments_at(SOURCE, ".")
        raise UmkmkitError(
            f"Kohort {cohort.cohort_id} tidak punya latihan '{assignment_id}'; yang ada: {', '.join(known) or '-'}. "
            f"({cohort.cohort_id} has no assignment '{assignment_id}'.)"
        )
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        gradebook.update_or_create_assignment(assignment_id, duedate=due)
    log.info("due date of %s in %s: %s UTC", assignment_id, cohort.cohort_id, due)
    return due
