"""Exercises a participant who met Python this morning can finish.

Every auto-graded part that counts toward passing is at most 3 short lines built only from
what module 00 teaches plus the helper module (bantu.py); longer work is an optional challenge
(Tantangan) worth at most 20% of the points; every check prints a success line when the part
is right and explains in Indonesian when it is not; no part's check reads another part's answer.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.course.curriculum import assignment_files, load_curriculum
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]
CURRICULUM = load_curriculum(Kit(ROOT))
NOTEBOOKS = [(m.assignment, name) for m in CURRICULUM.buildable for name in m.notebooks]
IDS = [f"{a}/{n}" for a, n in NOTEBOOKS]

MAX_LINES = 3
MAX_LINE_LENGTH = 80
BUILTINS = {"round", "min", "max", "sum", "len"}
#: Python that module 00 teaches: numbers, strings (f-strings too), variables, arithmetic,
#: comparisons, lists, indexing a list or a row by a constant, calling a function.
ALLOWED_NODES = (
    ast.Module, ast.Assign, ast.Expr, ast.Name, ast.Load, ast.Store, ast.Constant,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.UnaryOp, ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
    ast.GtE, ast.In, ast.NotIn, ast.List, ast.Call, ast.keyword, ast.Subscript,
    ast.JoinedStr, ast.FormattedValue,
)


def helper_names() -> set[str]:
    spec = importlib.util.spec_from_file_location("bantu_for_tests", ROOT / "lessons" / "bantu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.__all__) - {"cek", "cocok", "sidik"}


def solution(assignment_id: str, name: str):
    return notebooks.read_notebook(ROOT / "solutions" / assignment_id / f"{name}.ipynb")


def solution_regions(source: str) -> list[str]:
    return [
        notebooks.without_solution_markers(block)
        for block in notebooks.marked_blocks(source, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION)
    ]


def beginner_problems(code: str, allowed_calls: set[str]) -> list[str]:
    """Why this answer is not a beginner's (empty when it is)."""
    code = "\n".join(line for line in code.splitlines() if line.strip() and not line.strip().startswith("#"))
    tree = ast.parse(code)
    problems = []
    if len(tree.body) > MAX_LINES:
        problems.append(f"{len(tree.body)} lines (at most {MAX_LINES})")
    problems += [f"line longer than {MAX_LINE_LENGTH}: {line!r}" for line in code.splitlines() if len(line) > MAX_LINE_LENGTH]
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            problems.append(f"uses {type(node).__name__}")
        elif isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in allowed_calls):
            problems.append(f"calls {ast.unparse(node.func)}, which is neither {sorted(BUILTINS)} nor bantu's")
        elif isinstance(node, ast.Subscript) and not (
            isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant)
        ):
            problems.append(f"indexes {ast.unparse(node)}: only name[constant] is taught")
    return problems


def test_the_beginner_rule_catches_what_it_should():
    allowed = BUILTINS | {"harga_aman"}
    assert beginner_problems("x = harga_aman(12_500, 0.30)\ny = x * 2", allowed) == []
    assert beginner_problems("a = 1\nb = 2\nc = 3\nd = 4", allowed)
    assert beginner_problems("tabel = pesanan.groupby('kanal').sum()", allowed)
    assert beginner_problems("def f(x):\n    return x", allowed)
    assert beginner_problems("t = [x * 2 for x in harga]", allowed)
    assert beginner_problems("for x in harga:\n    print(x)", allowed)
    assert beginner_problems("f = lambda x: x", allowed)
    assert beginner_problems("x = open('a.csv')", allowed)
    assert beginner_problems("x = pesanan[pesanan['status'] == 'lunas']", allowed)


@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_required_parts_are_three_short_lines_of_module_00_python(assignment_id, name):
    allowed = BUILTINS | helper_names()
    found = {}
    for cell in solution(assignment_id, name).cells:
        if notebooks.is_answer_cell(cell) and cell.cell_type == "code" and not notebooks.is_challenge(cell):
            for region in solution_regions(cell.source):
                problems = beginner_problems(region, allowed)
                if problems:
                    found[notebooks.grade_id(cell)] = problems
    assert found == {}, f"required parts a beginner cannot write: {found}"


@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_challenges_are_at_most_a_fifth_of_the_points(assignment_id, name):
    points = {
        notebooks.grade_id(c): float(c.metadata["nbgrader"].get("points", 0))
        for c in solution(assignment_id, name).cells if c.metadata.get("nbgrader", {}).get("grade")
    }
    challenge = sum(p for gid, p in points.items() if notebooks.is_challenge(gid))
    assert challenge <= 0.2 * sum(points.values()), f"challenges {challenge} of {sum(points.values())} points"


def parts(nb) -> list[tuple[list, list]]:
    """(answer cells, test cells) of each part, in order: answers up to the tests after them."""
    found, answers, tests = [], [], []
    for cell in nb.cells:
        if notebooks.is_answer_cell(cell) and cell.cell_type == "code":
            if tests:
                found.append((answers, tests))
                answers, tests = [], []
            answers.append(cell)
        elif notebooks.is_test_cell(cell):
            tests.append(cell)
    if tests:
        found.append((answers, tests))
    return found


def assigned_names(cell) -> set[str]:
    tree = ast.parse(notebooks.without_solution_markers(cell.source))
    names = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    return names | {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_no_check_reads_another_parts_answer(assignment_id, name):
    nb = solution(assignment_id, name)
    owner = {}
    for index, (answers, _) in enumerate(parts(nb)):
        for cell in answers:
            for assigned in assigned_names(cell):
                owner.setdefault(assigned, set()).add(index)
    for index, (_, tests) in enumerate(parts(nb)):
        for cell in tests:
            read = {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name)}
            foreign = {n for n in read if n in owner and index not in owner[n]}
            assert not foreign, f"{notebooks.grade_id(cell)} reads {sorted(foreign)}, answers of another part"


@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_every_check_uses_cek_and_says_when_it_only_checks_the_form(assignment_id, name):
    for cell in solution(assignment_id, name).cells:
        if not notebooks.is_test_cell(cell):
            continue
        gid = notebooks.grade_id(cell)
        body = cell.source.lstrip()
        # the check imports its tools itself: it works even when the setup cell was not run
        assert re.match(r'"""Cek[^\n]*"""\nfrom bantu import cek(, cocok)?\nwith cek\(', body), (
            f"{gid}: docstring, `from bantu import cek[, cocok]`, then `with cek(...)`"
        )
        has_hidden = notebooks.BEGIN_HIDDEN_TESTS in cell.source
        later = "nanti=True" in body.split("\n", 3)[2]
        assert has_hidden == later, (
            f"{gid}: a check with hidden tests must say so (cek(..., nanti=True)) and one without must not"
        )


def run_released(kit: Kit, assignment_id: str, name: str, tmp_path: Path, answers: dict[str, str]) -> list:
    """The released exercise with these answers, run top to bottom in its own folder: its test cells."""
    module = CURRICULUM.module_for(assignment_id)
    folder = tmp_path / assignment_id
    shutil.copytree(kit.exercise_dir(assignment_id), folder)
    for file_name, source in assignment_files(kit, module).items():
        shutil.copy(source, folder / file_name)
    exercise = notebooks.read_notebook(folder / f"{name}.ipynb")
    executed = notebooks.execute_notebook(simulate.fill_answers(exercise, answers), cwd=folder)
    return [cell for cell in executed.cells if notebooks.is_test_cell(cell)]


def outputs(cell) -> tuple[str, str]:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    errors = "\n".join(f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error")
    return text, errors


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_every_visible_check_prints_its_success_line_on_the_solution(kit, assignment_id, name, tmp_path):
    answers = simulate.answer_key(solution(assignment_id, name))
    for cell in run_released(kit, assignment_id, name, tmp_path, answers):
        text, errors = outputs(cell)
        assert not errors, f"{notebooks.grade_id(cell)} fails on the solution: {errors}"
        assert re.search(r"^✔ .+ (benar\.|lolos pemeriksaan awal\.)", text, re.MULTILINE), (
            f"{notebooks.grade_id(cell)} prints no success line: {text!r}"
        )


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id,name", NOTEBOOKS, ids=IDS)
def test_an_untouched_part_gets_an_indonesian_explanation_not_a_python_error(kit, assignment_id, name, tmp_path):
    for cell in run_released(kit, assignment_id, name, tmp_path, {}):
        text, errors = outputs(cell)
        assert "✔" not in text, f"{notebooks.grade_id(cell)} passes untouched"
        assert errors.startswith("AssertionError: ✘ "), f"{notebooks.grade_id(cell)}: {errors}"
