"""The curriculum manifest (curriculum.yml), the build of exercises/ from solutions/, and the
structural checks that keep the manifest and the folders in agreement."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from umkmkit.course import notebooks
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import GRADEBOOK_FILE, Kit, create_gradebook_tables, gradebook_url, nbgrader_api

log = logging.getLogger(__name__)

#: Called with (done, total, what is being done now).
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a participant shows the trainer in a module (curriculum.yml `ceklis:`), e.g. a
    WhatsApp Business profile set up on their phone; the trainer ticks it (umkmkit.cohort.checklist)."""

    id: str
    teks: str
    module_id: str


@dataclass(frozen=True)
class Module:
    """One module of the curriculum, as declared in curriculum.yml."""

    id: str
    slug: str
    judul: str
    title: str
    pertanyaan: str
    question: str
    lessons: tuple[str, ...]
    assignment: str | None
    notebooks: tuple[str, ...]
    data: tuple[str, ...]
    #: Python modules of lessons/ (the participants' helper, bantu.py) the assignment imports.
    helpers: tuple[str, ...]
    minutes_teaching: int
    minutes_exercises: int
    #: Percent needed to pass; None for a module without a graded assignment.
    pass_mark: float | None
    #: (teaching, exercise) minutes of each lesson, from its title cell ("Waktu mengajar: N menit ·
    #: Latihan: M menit"), in lesson order; empty when a lesson is missing or has no such line.
    lesson_minutes: tuple[tuple[int, int], ...] = ()
    #: What participants show the trainer (`ceklis:`), in order; empty for most modules.
    checklist: tuple[ChecklistItem, ...] = ()


@dataclass(frozen=True)
class KnowledgeTest:
    """The pre-test and post-test: one auto-graded assignment, released twice in every cohort.

    `source` is the test as an assignment of solutions/ (built and verified like a module's);
    each cohort gets it as two nbgrader assignments, `pre` before the workshop and `post` after.
    """

    source: Module
    pre: str
    post: str

    @property
    def releases(self) -> tuple[str, str]:
        return (self.pre, self.post)


@dataclass(frozen=True)
class Curriculum:
    modules: tuple[Module, ...]
    knowledge_test: KnowledgeTest | None = None
    #: Days the workshop takes (`hari_pelatihan` in curriculum.yml): the agenda must fit them.
    workshop_days: int = 2

    @property
    def assignments(self) -> tuple[Module, ...]:
        """Modules that have a graded assignment, in curriculum order."""
        return tuple(module for module in self.modules if module.assignment)

    @property
    def checklist(self) -> tuple[ChecklistItem, ...]:
        """Every module's checklist items (`ceklis:`), in curriculum order; their ids are unique."""
        return tuple(item for module in self.modules for item in module.checklist)

    @property
    def buildable(self) -> tuple[Module, ...]:
        """Every assignment of solutions/: the modules' and the knowledge test's."""
        return self.assignments + ((self.knowledge_test.source,) if self.knowledge_test else ())

    def module_for(self, assignment_id: str) -> Module:
        for module in self.buildable:
            if module.assignment == assignment_id:
                return module
        known = ", ".join(m.assignment for m in self.buildable)
        raise UmkmkitError(f"No assignment '{assignment_id}' in curriculum.yml; known: {known}.")

    def cohort_assignments(self, assignment_ids: list[str] | None = None) -> list[tuple[str, Module]]:
        """(a cohort's assignment id, the assignment of solutions/ it is made from).

        By default every module's assignment, then the knowledge test twice (pre, post). Ids
        given may be any of those, or the knowledge test's own id (as the verification uses it).
        """
        releases = {m.assignment: m for m in self.assignments}
        if self.knowledge_test:
            releases.update(dict.fromkeys(self.knowledge_test.releases, self.knowledge_test.source))
        if assignment_ids is None:
            return list(releases.items())
        known = releases | {m.assignment: m for m in self.buildable}
        unknown = [a for a in assignment_ids if a not in known]
        if unknown:
            raise UmkmkitError(f"No assignment '{unknown[0]}' in curriculum.yml; known: {', '.join(known)}.")
        return [(a, known[a]) for a in assignment_ids]


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, for error messages."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)

_REQUIRED = ("id", "slug", "judul", "title", "pertanyaan", "question", "lessons", "minutes", "pass_mark")
#: Keys of one `ceklis:` item.
_CHECKLIST_KEYS = ("id", "teks")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def load_yaml_with_lines(path: Path) -> object:
    """Parse YAML; every mapping carries its line as "__line__". Syntax errors name line and column."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UmkmkitError(f"{path} is missing.") from error
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise UmkmkitError(
            f"{path}, line {mark.line + 1}, column {mark.column + 1}: {error.problem}; "
            "fix the YAML there (indent with spaces, quote text that contains a colon)."
        ) from error


def load_curriculum(kit: Kit) -> Curriculum:
    """Read and validate curriculum.yml."""
    path = kit.curriculum_file
    data = load_yaml_with_lines(path)
    if not isinstance(data, dict) or not isinstance(data.get("modules"), list) or not data["modules"]:
        raise UmkmkitError(f"{path}: expected a 'modules:' list with at least one module.")
    modules, seen, checklist_lines = [], set(), {}
    for entry in data["modules"]:
        line = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
        where = f"{path}, line {line}"
        if not isinstance(entry, dict):
            raise UmkmkitError(f"{where}: each module must be a mapping with {', '.join(_REQUIRED)}.")
        # pass_mark belongs to the graded assignment: a module without one may leave it out
        missing = [key for key in _REQUIRED if key not in entry and (key != "pass_mark" or entry.get("assignment"))]
        if missing:
            raise UmkmkitError(f"{where}: module is missing {', '.join(missing)}.")
        module_id = str(entry["id"])
        if module_id in seen:
            raise UmkmkitError(f"{where}: module id '{module_id}' appears twice; ids must be unique.")
        seen.add(module_id)
        minutes = entry["minutes"]
        if not isinstance(minutes, dict) or not {"mengajar", "latihan"} <= minutes.keys():
            raise UmkmkitError(f"{where}: 'minutes' needs 'mengajar' and 'latihan' (whole minutes).")
        assignment = entry.get("assignment")
        if assignment and not entry.get("notebooks"):
            raise UmkmkitError(f"{where}: assignment '{assignment}' needs a 'notebooks' list.")
        pass_mark = float(entry["pass_mark"]) if "pass_mark" in entry else None
        if pass_mark is not None and not 0 < pass_mark <= 100:
            raise UmkmkitError(f"{where}: pass_mark {pass_mark} must be a percent between 0 and 100.")
        modules.append(Module(
            id=module_id, slug=str(entry["slug"]), judul=str(entry["judul"]), title=str(entry["title"]),
            pertanyaan=str(entry["pertanyaan"]), question=str(entry["question"]),
            lessons=tuple(str(name) for name in entry["lessons"]),
            assignment=str(assignment) if assignment else None,
            notebooks=tuple(str(name) for name in entry.get("notebooks") or ()),
            data=tuple(str(name) for name in entry.get("data") or ()),
            helpers=tuple(str(name) for name in entry.get("helpers") or ()),
            minutes_teaching=int(minutes["mengajar"]), minutes_exercises=int(minutes["latihan"]),
            pass_mark=pass_mark,
            lesson_minutes=_lesson_minutes(kit, [str(name) for name in entry["lessons"]]),
            checklist=_checklist(path, entry, module_id, checklist_lines),
        ))
    days = data.get("hari_pelatihan", 2)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 10:
        raise UmkmkitError(f"{path}: 'hari_pelatihan' must be a whole number of days (1 to 10), not {days!r}.")
    return Curriculum(tuple(modules), _knowledge_test(path, data.get("tes_pengetahuan"), modules), days)


def _checklist(path: Path, entry: dict, module_id: str, seen: dict[str, int]) -> tuple[ChecklistItem, ...]:
    """A module's optional `ceklis:` list; `seen` holds the line of every item id met so far."""
    items = entry.get("ceklis")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise UmkmkitError(
            f"{path}, line {entry.get('__line__', '?')}: 'ceklis' of module {module_id} must be a list of items, "
            "each with id and teks."
        )
    found = []
    for item in items:
        line = item.get("__line__", "?") if isinstance(item, dict) else entry.get("__line__", "?")
        where = f"{path}, line {line}"
        if not isinstance(item, dict):
            raise UmkmkitError(f"{where}: each 'ceklis' item of module {module_id} is a mapping with id and teks.")
        unknown = sorted(str(key) for key in item if key != "__line__" and key not in _CHECKLIST_KEYS)
        if unknown:
            raise UmkmkitError(
                f"{where}: unknown key {', '.join(repr(k) for k in unknown)} in a 'ceklis' item; an item has only "
                f"{' and '.join(_CHECKLIST_KEYS)}."
            )
        missing = [key for key in _CHECKLIST_KEYS if not str(item.get(key) or "").strip()]
        if missing:
            raise UmkmkitError(f"{where}: the 'ceklis' item has no {' and '.join(missing)}.")
        item_id = str(item["id"])
        if not _SLUG.match(item_id):
            raise UmkmkitError(
                f"{where}: ceklis id '{item_id}' must be lower-case letters and digits joined by '-', e.g. profil-bisnis."
            )
        if item_id in seen:
            raise UmkmkitError(
                f"{where}: ceklis id '{item_id}' appears twice (first at line {seen[item_id]}); ids must be unique "
                "across the curriculum."
            )
        seen[item_id] = line
        found.append(ChecklistItem(item_id, " ".join(str(item["teks"]).split()), module_id))
    return tuple(found)


_LESSON_MINUTES = re.compile(r"Waktu mengajar: (\d+) menit · Latihan: (\d+) menit")


def _lesson_minutes(kit: Kit, names: list[str]) -> tuple[tuple[int, int], ...]:
    """Each lesson's own minutes, from the first cell of its notebook (see Module.lesson_minutes)."""
    found = []
    for name in names:
        path = kit.lessons_dir / name
        try:
            title = notebooks.read_notebook(path).cells[0].source
        except (OSError, UmkmkitError, IndexError):
            return ()
        match = _LESSON_MINUTES.search(title)
        if not match:
            return ()
        found.append((int(match.group(1)), int(match.group(2))))
    return tuple(found)


def curriculum_problems(kit: Kit, curriculum: Curriculum) -> list[str]:
    """Everything `umkmkit check` reports: where curriculum.yml and the folders disagree, and
    lessons whose minutes do not add up."""
    return structure_problems(kit, curriculum) + lesson_minute_problems(curriculum)


def lesson_minute_problems(curriculum: Curriculum) -> list[str]:
    """Modules whose lessons' own minutes do not add up to the module's minutes in curriculum.yml."""
    problems = []
    for module in curriculum.modules:
        if not module.lessons:
            continue
        if not module.lesson_minutes:
            problems.append(f"module {module.id}: a lesson has no 'Waktu mengajar: N menit · Latihan: M menit' line")
            continue
        teaching = sum(t for t, _ in module.lesson_minutes)
        exercise = sum(e for _, e in module.lesson_minutes)
        if (teaching, exercise) != (module.minutes_teaching, module.minutes_exercises):
            problems.append(
                f"module {module.id}: its lessons' titles add up to {teaching} + {exercise} minutes, curriculum.yml "
                f"says {module.minutes_teaching} + {module.minutes_exercises}; make them agree"
            )
    return problems


_TEST_REQUIRED = ("assignment", "notebooks", "judul", "title", "awal", "akhir", "menit")


def _knowledge_test(path: Path, entry: object, modules: list[Module]) -> KnowledgeTest | None:
    """The optional `tes_pengetahuan:` block: the pre-test and post-test."""
    if entry is None:
        return None
    where = f"{path}, line {entry.get('__line__', '?') if isinstance(entry, dict) else '?'}"
    if not isinstance(entry, dict) or [key for key in _TEST_REQUIRED if key not in entry]:
        raise UmkmkitError(f"{where}: 'tes_pengetahuan' needs {', '.join(_TEST_REQUIRED)}.")
    releases = (str(entry["awal"]), str(entry["akhir"]))
    taken = {m.assignment for m in modules} | {str(entry["assignment"])}
    if releases[0] == releases[1] or taken & set(releases):
        raise UmkmkitError(
            f"{where}: 'awal' and 'akhir' must be two new assignment ids, different from each other, "
            "from 'assignment' and from every module's assignment."
        )
    source = Module(
        id="tes", slug=str(entry["assignment"]), judul=str(entry["judul"]), title=str(entry["title"]),
        pertanyaan="", question="", lessons=(), assignment=str(entry["assignment"]),
        notebooks=tuple(str(name) for name in entry["notebooks"]), data=(),
        helpers=tuple(str(name) for name in entry.get("helpers") or ()),
        minutes_teaching=0, minutes_exercises=int(entry["menit"]), pass_mark=100.0,
    )
    return KnowledgeTest(source, *releases)


def structure_problems(kit: Kit, curriculum: Curriculum, assignment_ids: list[str] | None = None) -> list[str]:
    """Every disagreement between curriculum.yml and the lessons/, solutions/, exercises/ folders.

    With `assignment_ids`, only those assignments' own files and folders are checked.
    """
    problems = []
    modules = [curriculum.module_for(a) for a in assignment_ids] if assignment_ids else [
        *curriculum.modules, *([curriculum.knowledge_test.source] if curriculum.knowledge_test else []),
    ]
    declared_lessons = {name for module in modules for name in module.lessons}
    for name in sorted(declared_lessons):
        if not (kit.lessons_dir / name).is_file():
            problems.append(f"lessons/{name} is listed in curriculum.yml but missing")
    if assignment_ids is None:
        for path in sorted(kit.lessons_dir.glob("*.ipynb")):
            if path.name not in declared_lessons:
                problems.append(f"lessons/{path.name} is not listed in curriculum.yml (remove it or list it)")
    declared = {m.assignment: set(m.notebooks) for m in modules if m.assignment}
    for top in (kit.solutions_dir, kit.exercises_dir):
        folders = sorted(p for p in top.iterdir() if p.is_dir()) if top.is_dir() else []
        for folder in folders:
            if folder.name not in declared:
                if assignment_ids is None:
                    problems.append(f"{top.name}/{folder.name}/ is not an assignment in curriculum.yml")
                continue
            for path in sorted(folder.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in path.parts:
                    continue
                if path.parent != folder or path.stem not in declared[folder.name]:
                    problems.append(
                        f"{path.relative_to(kit.root).as_posix()} is not a notebook of "
                        f"{folder.name} in curriculum.yml"
                    )
        for assignment_id, names in declared.items():
            for name in sorted(names):
                if not (top / assignment_id / f"{name}.ipynb").is_file():
                    problems.append(f"{top.name}/{assignment_id}/{name}.ipynb is missing")
    for module in modules:
        for name in module.data:
            if not (kit.datasets_dir / name).is_file():
                problems.append(f"datasets/{name} (data of {module.assignment}) is missing")
        for name in module.helpers:
            if not (kit.lessons_dir / name).is_file():
                problems.append(f"lessons/{name} (helper module of {module.assignment}) is missing")
    return problems


def assignment_files(kit: Kit, module: Module) -> dict[str, Path]:
    """The files an assignment carries beside its notebooks, by name: its data sets (from
    datasets/) and the participants' helper module (from lessons/)."""
    files = {name: kit.datasets_dir / name for name in module.data}
    files.update({name: kit.lessons_dir / name for name in module.helpers})
    return files


def copy_data_files(kit: Kit, module: Module) -> list[Path]:
    """Copy the data files and helper modules an assignment declares into its solution folder.

    Both are written in one place (datasets/, lessons/bantu.py); an assignment carries copies so
    that the released exercise and nbgrader's autograde find them beside the notebook
    (autograde puts the kit's copy back over a participant's edited one).
    """
    changed = []
    for name, source in assignment_files(kit, module).items():
        target = kit.solution_dir(module.assignment) / name
        if not target.is_file() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
            changed.append(target)
    return changed


def check_solution(kit: Kit, assignment_id: str, notebook_id: str) -> None:
    """Run one solution notebook against all its tests; raise naming each failing cell."""
    folder = kit.solution_dir(assignment_id)
    path = folder / f"{notebook_id}.ipynb"
    executed = notebooks.execute_notebook(notebooks.read_notebook(path), cwd=folder)
    problems = notebooks.cell_problems(executed)
    if problems:
        listing = "\n  ".join(problems)
        raise UmkmkitError(
            f"solutions/{assignment_id}/{notebook_id}.ipynb does not pass its own tests:\n  {listing}\n"
            "Fix the solution or the test, then run `umkmkit build` again."
        )


def stamp_participant_headers(kit: Kit, modules: list[Module] | tuple[Module, ...]) -> list[Path]:
    """Insert or refresh the participant header in these modules' solution notebooks.

    Returns the notebooks that changed.
    """
    changed = []
    for module in modules:
        if not module.assignment:
            continue
        for name in module.notebooks:
            path = kit.solution_dir(module.assignment) / f"{name}.ipynb"
            nb = notebooks.read_notebook(path)
            stamped = notebooks.with_participant_header(nb)
            if stamped != nb:
                notebooks.write_notebook(stamped, path)
                changed.append(path)
    return changed


def generate_exercises(kit: Kit, assignment_id: str, release_dir: Path) -> Path:
    """Run nbgrader generate_assignment for one assignment into release_dir/<assignment>.

    The gradebook nbgrader needs for this lives in a temporary folder: exercises/ is the only
    product of a build.
    """
    with tempfile.TemporaryDirectory(prefix="umkmkit-build-") as scratch:
        config = kit.nbgrader_base_config()
        config.CourseDirectory.root = str(kit.root)
        config.CourseDirectory.release_directory = str(Path(release_dir).resolve())
        config.CourseDirectory.db_url = gradebook_url(Path(scratch) / GRADEBOOK_FILE)
        create_gradebook_tables(config.CourseDirectory.db_url)  # saves nbgrader's `alembic heads` process
        result = nbgrader_api(config).generate_assignment(assignment_id, force=True, create=True)
    if not result["success"]:
        raise UmkmkitError(
            f"nbgrader could not generate the exercise {assignment_id}:\n{result.get('error') or result.get('log')}"
        )
    target = Path(release_dir) / assignment_id
    for path in target.glob("*.ipynb"):
        nb = notebooks.read_notebook(path)
        if not notebooks.is_clean(nb):
            notebooks.write_notebook(notebooks.clean_notebook(nb), path)
    return target


def build(
    kit: Kit,
    curriculum: Curriculum,
    release_dir: Path | None = None,
    on_progress: ProgressCallback | None = None,
    assignment_ids: list[str] | None = None,
) -> list[Path]:
    """Build exercises/ from solutions/: copy data, stamp headers, prove each solution, generate.

    Builds every assignment of the curriculum, or only `assignment_ids`. Returns the exercise
    folders written. Nothing in exercises/ changes if any solution fails its tests.
    """
    modules = [curriculum.module_for(a) for a in assignment_ids] if assignment_ids else curriculum.buildable
    problems = structure_problems(kit, curriculum, assignment_ids)
    problems = [p for p in problems if not p.startswith("exercises/")]
    if problems:
        raise UmkmkitError("curriculum.yml and the folders disagree:\n  " + "\n  ".join(problems))
    release_dir = Path(release_dir) if release_dir else kit.exercises_dir
    for module in modules:
        copy_data_files(kit, module)
    stamp_participant_headers(kit, modules)
    steps = [(m.assignment, name) for m in modules for name in m.notebooks]
    total = len(steps) + len(modules)
    done = 0
    for assignment_id, name in steps:
        _report(on_progress, done, total, f"checking solutions/{assignment_id}/{name}.ipynb")
        check_solution(kit, assignment_id, name)
        done += 1
    built = []
    for module in modules:
        _report(on_progress, done, total, f"generating exercises/{module.assignment}")
        with tempfile.TemporaryDirectory(prefix="umkmkit-release-", dir=release_dir.parent) as staging:
            fresh = generate_exercises(kit, module.assignment, Path(staging))
            target = release_dir / module.assignment
            if target.exists():
                shutil.rmtree(target)
            release_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(fresh), str(target))
        log.info("built %s from solutions/%s", target, module.assignment)
        built.append(target)
        done += 1
    _report(on_progress, done, total, "done")
    return built


def _report(on_progress: ProgressCallback | None, done: int, total: int, what: str) -> None:
    if on_progress:
        on_progress(done, total, what)
