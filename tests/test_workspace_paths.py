"""umkmkit.workspace is the one home of the workspace's layout: nbgrader's folders as nbgrader has
them, the gradebook's SQLite URL built and read in one place, and no other module spelling a
workspace name out."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from nbgrader.coursedir import CourseDirectory

from umkmkit.workspace import (
    AUTOGRADED, FEEDBACK, GRADEBOOK_FILE, PATH_TEMPLATE, RELEASE, SOURCE, SUBMITTED, Cohort, Kit, Workspace,
    gradebook_url, sqlite_path,
)

SOURCE_DIR = Path(__file__).resolve().parents[1] / "src" / "umkmkit"
#: Names of the workspace's folders and files: outside workspace.py a module uses its constants
#: (SUBMITTED, TIMESTAMP_FILE, ...) or its path helpers (Cohort.assignment_dir, Workspace.cohorts_dir, ...).
WORKSPACE_NAMES = {
    "source", "release", "submitted", "autograded", "feedback",  # nbgrader's steps in a course directory
    "inbound", "outbound",  # a cohort's boxes in nbgrader's exchange
    "gradebook.db", "timestamp.txt", "roster.csv", "ceklis.csv", "tes-kertas",  # a cohort's files and folders
    "umkm.csv",  # the office's registry in the kit's datasets/
    "cohorts", "reports", "demo", "kiriman",  # the workspace's folders
    "umkmkit-kernels",  # the grading sandbox's old shared folder: its run folders are sandbox.new_run_folder's now
}
#: Where such a string is not a workspace path: (module, string) -> (how many times, why).
ALLOWED = {
    ("course/calculators.py", "source"): (3, "XlsxWriter's data validation option (the list a cell takes values from)"),
    ("cohort/feedback.py", "feedback"): (1, "the kit's nbconvert template of that name (cohort/templates/feedback/)"),
    ("room/hub.py", "cohorts"): (4, "a key of the room's room.json"),
    ("report/build.py", "cohorts"): (3, "a key of the report's figures and their labels"),
    ("datasets/schema.py", "demo"): (2, "a data file's use in the data dictionary"),
    ("cli.py", "feedback"): (1, "a progress phase's name"),
    ("demo.py", "feedback"): (1, "a progress phase's name"),
}
#: Workspace paths still spelled out in modules another change is editing: (module, string) -> (times, use instead).
PENDING: dict[tuple[str, str], tuple[int, str]] = {}
#: Modules that still spell a SQLite URL out: module -> use instead.
SQLITE_PENDING: dict[str, str] = {}


def string_constants(path: Path) -> list[ast.Constant]:
    """The module's string constants, docstrings left out (f-strings' literal parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def modules() -> list[tuple[str, Path]]:
    return [(path.relative_to(SOURCE_DIR).as_posix(), path) for path in sorted(SOURCE_DIR.rglob("*.py"))
            if path.name != "workspace.py"]


# --- nbgrader's layout ---------------------------------------------------------------------------

def test_the_step_folders_and_path_template_are_nbgraders_defaults():
    traits = CourseDirectory.class_traits()
    defaults = {name: traits[name].default_value for name in (
        "source_directory", "release_directory", "submitted_directory", "autograded_directory",
        "feedback_directory", "directory_structure",
    )}
    assert defaults == {
        "source_directory": SOURCE, "release_directory": RELEASE, "submitted_directory": SUBMITTED,
        "autograded_directory": AUTOGRADED, "feedback_directory": FEEDBACK,
        # nbgrader joins it with os.path.join: backslashes on Windows
        "directory_structure": str(Path(*PurePosixPath(PATH_TEMPLATE).parts)),
    }


@pytest.mark.parametrize(("step", "trainee"), [(SUBMITTED, "t01"), (AUTOGRADED, "t01"), (FEEDBACK, "t01"),
                                               (SOURCE, "."), (RELEASE, ".")])
def test_an_assignment_folder_is_where_nbgrader_looks(tmp_path, step, trainee):
    nbgrader = CourseDirectory(root=str(tmp_path)).format_path(step, trainee, "02-kalkulator-ongkir")
    assert Cohort(tmp_path).assignment_dir(step, "02-kalkulator-ongkir", trainee) == Path(nbgrader)


def test_a_cohort_configured_with_other_folders_is_laid_out_as_nbgrader_lays_it_out(tmp_path):
    """A trainer's nbgrader_config.py may name the folders and the template otherwise: the kit
    reads them there, as nbgrader does (CourseDirectory reading the same file)."""
    from traitlets.config.loader import PyFileConfigLoader

    settings = ("c = get_config()\n"
                "c.CourseDirectory.submitted_directory = 'kiriman'\n"
                "c.CourseDirectory.directory_structure = '{nbgrader_step}/{assignment_id}/peserta-{student_id}'\n")
    (tmp_path / "nbgrader_config.py").write_text(settings, encoding="utf-8")
    cohort = Cohort(tmp_path)
    nbgrader = CourseDirectory(config=PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config(),
                               root=str(tmp_path))
    for step, setting, trainee in ((SUBMITTED, "submitted_directory", "P-00003"),
                                   (AUTOGRADED, "autograded_directory", "P-00003"), (RELEASE, "release_directory", ".")):
        expected = Path(nbgrader.format_path(getattr(nbgrader, setting), trainee, "02-kalkulator-ongkir"))
        assert cohort.assignment_dir(step, "02-kalkulator-ongkir", trainee) == expected
    for trainee, assignment in (("P-00003", "02-kalkulator-ongkir"), ("P-00044", "02-kalkulator-ongkir"),
                                ("P-00044", "03-buku-pesanan")):
        cohort.assignment_dir(SUBMITTED, assignment, trainee).mkdir(parents=True)
    (tmp_path / "kiriman" / "02-kalkulator-ongkir" / "catatan.txt").write_text("bukan folder", encoding="utf-8")
    assert cohort.trainees_with(SUBMITTED, "02-kalkulator-ongkir") == ["P-00003", "P-00044"]
    assert cohort.assignments_at(SUBMITTED) == ["02-kalkulator-ongkir", "03-buku-pesanan"]
    assert cohort.assignments_at(SUBMITTED, "P-00003") == ["02-kalkulator-ongkir"]
    assert cohort.trainees_with(AUTOGRADED, "02-kalkulator-ongkir") == []


def test_who_handed_in_what_in_nbgraders_default_layout(tmp_path):
    cohort = Cohort(tmp_path)  # no nbgrader_config.py yet: nbgrader's defaults
    for trainee, assignment in (("P-00003", "01-jualan-digital"), ("P-00043", "01-jualan-digital"),
                                ("P-00043", "tes-awal")):
        cohort.assignment_dir(SUBMITTED, assignment, trainee).mkdir(parents=True)
    cohort.assignment_dir(RELEASE, "01-jualan-digital").mkdir(parents=True)
    assert cohort.trainees_with(SUBMITTED, "01-jualan-digital") == ["P-00003", "P-00043"]
    assert cohort.assignments_at(SUBMITTED) == ["01-jualan-digital", "tes-awal"]
    assert cohort.assignments_at(RELEASE, ".") == ["01-jualan-digital"]
    assert cohort.step_dir(FEEDBACK) == tmp_path / "feedback"


def test_the_workspace_folders(tmp_path):
    kit, workspace = Kit(tmp_path), Workspace(tmp_path / "ws")
    assert workspace.cohorts_dir == tmp_path / "ws" / "cohorts"
    assert kit.demo_workspace.root.parent == kit.workspace_dir
    assert workspace.cohort("mkw").checklist_file.parent == workspace.cohorts_dir / "mkw"


# --- the gradebook's SQLite URL ------------------------------------------------------------------

def test_a_gradebook_path_and_its_url_round_trip(tmp_path):
    database = tmp_path / "cohorts" / "mkw-2022-06" / GRADEBOOK_FILE
    url = gradebook_url(database)
    assert url == "sqlite:///" + database.as_posix()
    assert url.startswith("sqlite:////")  # an absolute POSIX path after the three slashes
    assert sqlite_path(url) == database
    assert Cohort(database.parent).default_db_url == url


def test_a_windows_gradebook_url_has_forward_slashes_and_round_trips():
    database = PureWindowsPath(r"C:\Users\pelatih\umkm-kit\workspace\cohorts\mkw-2022-06\gradebook.db")
    url = gradebook_url(database)
    assert url == "sqlite:///C:/Users/pelatih/umkm-kit/workspace/cohorts/mkw-2022-06/gradebook.db"
    assert PureWindowsPath(str(sqlite_path(url))) == database  # what Path makes of it on Windows
    assert sqlite_path(url).name == GRADEBOOK_FILE


def test_a_relative_path_stays_relative():
    assert gradebook_url("gradebook.db") == "sqlite:///gradebook.db"
    assert sqlite_path("sqlite:///gradebook.db") == Path("gradebook.db")


def test_a_read_only_url_opens_the_same_file(tmp_path):
    database = tmp_path / GRADEBOOK_FILE
    assert gradebook_url(database, read_only=True) == f"sqlite:///file:{database.as_posix()}?mode=ro&uri=true"


@pytest.mark.parametrize("url", [
    "postgresql://umkm@db.example/mkw_2022_06", "postgresql+psycopg2://u:p@localhost:5432/x", "", "sqlite://",
])
def test_other_databases_have_no_sqlite_path(url):
    assert sqlite_path(url) is None


# --- one home ----------------------------------------------------------------------------------

def test_no_other_module_spells_a_workspace_name_out():
    found = Counter(
        (module, node.value) for module, path in modules() for node in string_constants(path)
        if node.value in WORKSPACE_NAMES
    )
    expected = {key: count for key, (count, _) in {**ALLOWED, **PENDING}.items()}
    unexpected = {key: count for key, count in found.items() if count > expected.get(key, 0)}
    assert not unexpected, (
        "Use umkmkit.workspace's constants or path helpers (or add one there) instead of these names: "
        + ", ".join(f"src/umkmkit/{module}: {name!r} x{count}" for (module, name), count in sorted(unexpected.items()))
        + ". A string that is no path (a key, a label) goes into ALLOWED with its reason."
    )
    # an allowance no longer needed (the pending ones once changed) leaves the lists
    assert {key: count for key, count in found.items() if key in expected} == expected


def test_only_the_workspace_builds_or_reads_a_sqlite_url():
    found = sorted(
        f"src/umkmkit/{module}:{node.lineno}" for module, path in modules() for node in string_constants(path)
        if "sqlite:" in node.value and module not in SQLITE_PENDING
    )
    assert not found, f"Use umkmkit.workspace.gradebook_url / sqlite_path: {', '.join(found)}"

