"""Synthetic submissions for the demo, the tests and benchmarks.

A simulated trainee starts from the released exercise and fills each answer cell with the
solution, except where a typical mistake from the assignment's catalog (kesalahan.yml) is
applied. This is also how the tests prove that every catalogued mistake loses points.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbformat import NotebookNode

from umkmkit.course import notebooks
from umkmkit.course.curriculum import load_yaml_with_lines
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import SUBMITTED, Cohort, Kit, nbgrader_timestamp

CATALOG_FILE = "kesalahan.yml"

#: Written answers a simulated trainee gives to manually graded questions.
WRITTEN_ANSWERS = (
    "Menurut saya, print hanya menampilkan hasil di layar, sedangkan return mengembalikan "
    "hasil supaya bisa dipakai lagi.",
    "Saya akan mencatat setiap pesanan keripik di Jupyter supaya total jualan minggu ini "
    "langsung terhitung.",
    "Dengan Jupyter saya bisa menghitung untung noken tanpa salah hitung.",
)


@dataclass(frozen=True)
class Mistake:
    """One typical mistake: the wrong code a participant writes in one answer cell."""

    id: str
    notebook: str
    cell: str
    test: str
    explanation: str
    code: str


@dataclass(frozen=True)
class Catalog:
    assignment_id: str
    mistakes: tuple[Mistake, ...]


def load_catalog(kit: Kit, assignment_id: str) -> Catalog:
    """Read solutions/<assignment>/kesalahan.yml and check it against the solution notebook."""
    path = kit.solution_dir(assignment_id) / CATALOG_FILE
    data = load_yaml_with_lines(path)
    if not isinstance(data, dict) or not isinstance(data.get("kesalahan"), list):
        raise UmkmkitError(f"{path}: expected 'notebook:' and a 'kesalahan:' list of mistakes.")
    notebook = str(data.get("notebook", ""))
    solution_path = kit.solution_dir(assignment_id) / f"{notebook}.ipynb"
    if not solution_path.is_file():
        raise UmkmkitError(f"{path}, line {data['__line__']}: notebook '{notebook}' has no {solution_path.name}.")
    cells = notebooks.cells_by_grade_id(notebooks.read_notebook(solution_path))
    mistakes, seen = [], set()
    for entry in data["kesalahan"]:
        where = f"{path}, line {entry.get('__line__', '?') if isinstance(entry, dict) else '?'}"
        if not isinstance(entry, dict):
            raise UmkmkitError(f"{where}: each mistake needs id, sel, tes, penjelasan, kode.")
        missing = [key for key in ("id", "sel", "tes", "penjelasan", "kode") if not entry.get(key)]
        if missing:
            raise UmkmkitError(f"{where}: mistake is missing {', '.join(missing)}.")
        if entry["id"] in seen:
            raise UmkmkitError(f"{where}: mistake id '{entry['id']}' is used twice.")
        seen.add(entry["id"])
        for key, kind in (("sel", notebooks.is_answer_cell), ("tes", notebooks.is_test_cell)):
            cell = cells.get(entry[key])
            if cell is None or not kind(cell):
                role = "an answer cell" if key == "sel" else "a test cell"
                raise UmkmkitError(f"{where}: {key}: '{entry[key]}' is not {role} of {solution_path.name}.")
        mistakes.append(Mistake(
            id=str(entry["id"]), notebook=notebook, cell=str(entry["sel"]), test=str(entry["tes"]),
            explanation=str(entry["penjelasan"]), code=str(entry["kode"]).rstrip("\n"),
        ))
    return Catalog(assignment_id, tuple(mistakes))


def answer_key(solution: NotebookNode) -> dict[str, str]:
    """What a participant who knows the answers types in each answer cell (by grade_id)."""
    return {
        notebooks.grade_id(cell): notebooks.without_solution_markers(cell.source)
        for cell in solution.cells
        if notebooks.is_answer_cell(cell)
    }


def fill_answers(exercise: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of the released exercise with the given answer cells replaced."""
    filled = copy.deepcopy(exercise)
    for cell in filled.cells:
        gid = notebooks.grade_id(cell)
        if gid in answers and notebooks.is_answer_cell(cell):
            cell.source = answers[gid]
    return filled


@dataclass
class SimulatedTrainee:
    """What one simulated trainee hands in for one assignment."""

    trainee_id: str
    name: str
    kind: str  # "benar", "salah", "kosong" (untouched) or "terlambat" (correct, late)
    mistakes: list[Mistake] = field(default_factory=list)
    written_answer: str = ""
    late: bool = False


def plan_trainees(
    trainees: list[tuple[str, str]], catalog: Catalog, seed: int,
) -> list[SimulatedTrainee]:
    """Spread a cohort over correct, mistaken, blank and late submissions.

    About a quarter are correct, one is late, about one in seven hand in the untouched
    exercise, and the rest each make one or two catalogued mistakes, so that every mistake
    of the catalog appears at least once when the cohort is large enough.
    """
    rng = random.Random(seed)
    count = len(trainees)
    blank = max(1, count // 7)
    correct = max(1, count // 4)
    plans = []
    mistakes = list(catalog.mistakes)
    for index, (trainee_id, name) in enumerate(trainees):
        plan = SimulatedTrainee(trainee_id, name, "benar", written_answer=rng.choice(WRITTEN_ANSWERS))
        if index == count - 1 and count > 1:
            plan.kind, plan.late = "terlambat", True
        elif index < blank:
            plan.kind, plan.written_answer = "kosong", ""
        elif index < blank + correct or not mistakes:
            plan.kind = "benar"
        else:
            plan.kind = "salah"
            first = mistakes[(index - blank - correct) % len(mistakes)]
            plan.mistakes = [first]
            others = [m for m in mistakes if m.cell != first.cell and m.notebook == first.notebook]
            if others and rng.random() < 0.4:
                plan.mistakes.append(rng.choice(others))
        plans.append(plan)
    return plans


def submission_notebooks(
    kit: Kit, assignment_id: str, notebook_ids: tuple[str, ...], plan: SimulatedTrainee,
    handed_out: Path | None = None,
) -> dict[str, NotebookNode]:
    """The notebooks this simulated trainee submits, by notebook id.

    They start from what the trainee was handed: `handed_out` (e.g. the trainee's release
    bundle) or else the kit's exercises/ folder.
    """
    result = {}
    for notebook_id in notebook_ids:
        exercise = notebooks.read_notebook((handed_out or kit.exercise_dir(assignment_id)) / f"{notebook_id}.ipynb")
        submitted = notebooks.fill_header(exercise, plan.name, plan.trainee_id)
        if plan.kind != "kosong":
            solution = notebooks.read_notebook(kit.solution_dir(assignment_id) / f"{notebook_id}.ipynb")
            answers = answer_key(solution)
            for cell in solution.cells:
                if notebooks.is_answer_cell(cell) and cell.cell_type == "markdown":
                    answers[notebooks.grade_id(cell)] = plan.written_answer
            for mistake in plan.mistakes:
                if mistake.notebook == notebook_id:
                    answers[mistake.cell] = mistake.code
            submitted = fill_answers(submitted, answers)
        result[notebook_id] = submitted
    return result


def write_submission(
    cohort: Cohort, trainee_id: str, assignment_id: str,
    submitted: dict[str, NotebookNode], timestamp: datetime,
) -> Path:
    """Place notebooks where nbgrader expects a collected submission, with its timestamp."""
    folder = cohort.assignment_dir(SUBMITTED, assignment_id, trainee_id)
    for notebook_id, nb in submitted.items():
        notebooks.write_notebook(nb, folder / f"{notebook_id}.ipynb")
    cohort.timestamp_file(SUBMITTED, assignment_id, trainee_id).write_text(
        nbgrader_timestamp(timestamp), encoding="utf-8",
    )
    return folder


def mark_written_answers(cohort, assignment_id: str, trainee_id: str) -> int:
    """As a trainer does in the formgrader: full points to every answer of the trainee's
    submission still waiting for a manual grade. Returns how many were marked."""
    from umkmkit.cohort.cohorts import open_gradebook

    marked = 0
    with open_gradebook(cohort) as gradebook:
        for notebook in gradebook.find_submission(assignment_id, trainee_id).notebooks:
            for grade in notebook.grades:
                if grade.needs_manual_grade and grade.manual_score is None:
                    grade.manual_score = grade.max_score
                    grade.needs_manual_grade = False
                    marked += 1
        gradebook.db.commit()
    return marked
