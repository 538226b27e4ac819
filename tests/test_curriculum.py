"""The curriculum manifest, the build of exercises/ from solutions/, and notebook hygiene."""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from umkmkit.course import notebooks
from umkmkit.course.curriculum import (
    build, generate_exercises, lesson_minute_problems, load_curriculum, stamp_participant_headers, structure_problems,
)
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]


def tracked_notebooks() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    # before the first commit, fall back to the folders that hold notebooks
    paths = [ROOT / name for name in listed] or [
        p for top in ("lessons", "solutions", "exercises") for p in (ROOT / top).rglob("*.ipynb")
    ]
    return sorted(p for p in paths if p.exists())


def copy_kit(kit: Kit, target: Path) -> Kit:
    for name in ("curriculum.yml", "nbgrader_config.py"):
        shutil.copy(kit.root / name, target / name)
    for name in ("lessons", "solutions", "exercises", "datasets"):
        if (kit.root / name).exists():
            shutil.copytree(kit.root / name, target / name)
    return Kit(target)


def test_curriculum_and_folders_agree(kit, curriculum):
    assert structure_problems(kit, curriculum) == []


def test_lessons_minutes_add_up_to_the_modules_minutes(curriculum):
    assert lesson_minute_problems(curriculum) == []
    module = curriculum.modules[1]
    from dataclasses import replace

    changed = replace(curriculum, modules=(replace(module, minutes_teaching=module.minutes_teaching + 5),))
    assert "add up to" in lesson_minute_problems(changed)[0]


def test_stray_notebook_is_reported(kit, curriculum, tmp_path):
    copy = copy_kit(kit, tmp_path)
    (copy.lessons_dir / "Untitled.ipynb").write_text("{}", encoding="utf-8")
    stray_solution = copy.solutions_dir / curriculum.assignments[0].assignment / "Untitled1.ipynb"
    stray_solution.write_text("{}", encoding="utf-8")
    problems = structure_problems(copy, curriculum)
    assert any("lessons/Untitled.ipynb" in p for p in problems)
    assert any("Untitled1.ipynb" in p for p in problems)


def test_unknown_assignment_folder_is_reported(kit, curriculum, tmp_path):
    copy = copy_kit(kit, tmp_path)
    (copy.exercises_dir / "99-lama").mkdir()
    assert any("exercises/99-lama/" in p for p in structure_problems(copy, curriculum))


def test_broken_curriculum_names_line_and_column(tmp_path):
    (tmp_path / "curriculum.yml").write_text("modules:\n  - id: '00'\n    slug: [oops\n", encoding="utf-8")
    with pytest.raises(UmkmkitError, match=r"curriculum.yml, line \d+, column \d+"):
        load_curriculum(Kit(tmp_path))


def test_module_missing_fields_names_its_line(tmp_path):
    (tmp_path / "curriculum.yml").write_text(
        "modules:\n  - id: '00'\n    slug: a\n", encoding="utf-8"
    )
    with pytest.raises(UmkmkitError, match=r"line 2: module is missing judul"):
        load_curriculum(Kit(tmp_path))


def test_exercises_are_up_to_date(kit, curriculum, tmp_path):
    """Rebuilding from solutions/ gives exactly the committed exercises/."""
    assert stamp_participant_headers(kit, curriculum.buildable) == [], "a solution lacks the current header"
    built = build(kit, curriculum, release_dir=tmp_path)
    for folder in built:
        committed = kit.exercise_dir(folder.name)
        comparison = filecmp.dircmp(folder, committed)
        assert not comparison.left_only and not comparison.right_only, "exercises/ has other files: run umkmkit build"
        for name in comparison.common_files:
            assert (folder / name).read_bytes() == (committed / name).read_bytes(), (
                f"exercises/{folder.name}/{name} is stale: run `umkmkit build` and commit"
            )


def test_generating_an_exercise_starts_no_alembic_process(kit, tmp_path, monkeypatch):
    """The build's throw-away gradebook gets its tables in this process (create_gradebook_tables),
    not through nbgrader's `alembic heads` subprocess (about a second of CPU per assignment)."""
    import nbgrader.api

    def alembic_process():
        raise AssertionError("nbgrader started `alembic heads`")

    monkeypatch.setattr(nbgrader.api, "get_alembic_version", alembic_process)
    folder = generate_exercises(kit, "00-mengenal-jupyter", tmp_path)
    assert (folder / "latihan.ipynb").read_bytes() == (kit.exercise_dir("00-mengenal-jupyter") / "latihan.ipynb").read_bytes()


def test_failing_solution_stops_the_build_naming_the_cell(kit, curriculum, tmp_path):
    copy = copy_kit(kit, tmp_path)
    module = curriculum.assignments[0]
    path = copy.solution_dir(module.assignment) / f"{module.notebooks[0]}.ipynb"
    nb = notebooks.read_notebook(path)
    answer = next(c for c in nb.cells if notebooks.is_answer_cell(c) and c.cell_type == "code")
    answer.source = answer.source.replace(notebooks.BEGIN_SOLUTION, notebooks.BEGIN_SOLUTION + "\n    return None")
    notebooks.write_notebook(nb, path)
    before = {p: p.read_bytes() for p in copy.exercises_dir.rglob("*") if p.is_file()}
    test_cell = next(
        notebooks.grade_id(c) for c in nb.cells[nb.cells.index(answer):] if notebooks.is_test_cell(c)
    )
    with pytest.raises(UmkmkitError, match=rf"does not pass its own tests:[\s\S]*\({test_cell}\)"):
        build(copy, curriculum)
    assert before == {p: p.read_bytes() for p in copy.exercises_dir.rglob("*") if p.is_file()}


def _marked_text(path: Path) -> list[str]:
    """Lines of the solution's solution and hidden-test blocks that are not also shown openly."""
    nb = notebooks.read_notebook(path)
    found, shown = [], []
    for cell in nb.cells:
        open_text = cell.source
        for begin, end in (
            (notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION),
            (notebooks.BEGIN_HIDDEN_TESTS, notebooks.END_HIDDEN_TESTS),
        ):
            for block in notebooks.marked_blocks(cell.source, begin, end):
                found += [line.strip() for line in block.splitlines() if len(line.strip()) >= 12]
                open_text = open_text.replace(block, "")
        shown += [line.strip() for line in open_text.splitlines()]
    # a hidden test may repeat a line the participant sees anyway (its test data): not a leak
    return [line for line in found if line not in set(shown)]


def test_no_solution_or_hidden_test_text_reaches_exercises(kit, curriculum):
    # notebooks compared by their cells' text: in the raw JSON a quoted answer ("c") is escaped
    helpers = {name for module in curriculum.buildable for name in module.helpers}
    released = "\n".join(
        "\n".join(cell.source for cell in notebooks.read_notebook(p).cells) if p.suffix == ".ipynb"
        else p.read_text(encoding="utf-8", errors="replace")
        for p in kit.exercises_dir.rglob("*") if p.is_file() and p.name not in helpers
    )
    # the helper module is public by design (a challenge may rewrite one of its functions); its
    # copies are the kit's lessons/bantu.py exactly (tests/test_helper_module.py)
    for module in curriculum.buildable:
        for name in module.notebooks:
            secrets = _marked_text(kit.solution_dir(module.assignment) / f"{name}.ipynb")
            assert secrets, f"{module.assignment}/{name} has no solution or hidden tests?"
            for line in secrets:
                assert line not in released, f"exercises/ reveals: {line!r}"
        assert not list(kit.exercise_dir(module.assignment).rglob("kesalahan.yml"))


@pytest.mark.parametrize("path", tracked_notebooks(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_is_committed_clean(path):
    assert notebooks.is_clean(notebooks.read_notebook(path)), "clear outputs and execution counts"


@pytest.mark.parametrize("module_index", range(len(load_curriculum(Kit(ROOT)).modules)))
def test_lessons_run_top_to_bottom(kit, curriculum, module_index):
    for name in curriculum.modules[module_index].lessons:
        executed = notebooks.execute_notebook(notebooks.read_notebook(kit.lessons_dir / name), cwd=kit.lessons_dir)
        assert notebooks.cell_problems(executed) == []
        stderr = [
            o.text for c in executed.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "stream" and o.name == "stderr"
        ]
        assert stderr == [], f"{name} writes warnings a participant would see"


def test_lessons_follow_the_skeleton(kit, curriculum):
    for module in curriculum.modules:
        for name in module.lessons:
            nb = notebooks.read_notebook(kit.lessons_dir / name)
            markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
            assert markdown[0].startswith("# "), f"{name}: first cell must be the H1 title"
            assert re.search(r"Waktu mengajar: \d+ menit · Latihan: \d+ menit", markdown[0]), name
            headings = [line for text in markdown for line in text.splitlines() if line.startswith("## ")]
            assert headings[:2] == ["## Pertanyaan", "## Tujuan"], f"{name}: {headings[:2]}"
            assert headings[-1] == "## Poin penting", f"{name}: last section is {headings[-1]}"
            assert "Coba sendiri" in "\n".join(markdown), f"{name}: no 'Coba sendiri' exercise"


def test_exercises_follow_the_grammar(kit, curriculum):
    """Header first; each answer cell has a hint before it and a test cell after it;
    each test cell has a docstring and visible asserts (hidden ones, where the visible check
    cannot tell right from wrong without giving the answer away, after them), all with messages."""
    for module in curriculum.buildable:
        for name in module.notebooks:
            nb = notebooks.read_notebook(kit.solution_dir(module.assignment) / f"{name}.ipynb")
            assert nb.cells[0].metadata.get("umkmkit", {}).get("role") == "participant-header"
            for index, cell in enumerate(nb.cells):
                if notebooks.is_answer_cell(cell) and cell.cell_type == "code":
                    before = "\n".join(c.source for c in nb.cells[:index] if c.cell_type == "markdown")
                    assert "<summary>Petunjuk</summary>" in before.rsplit("## ", 1)[-1], (
                        f"{name}: {notebooks.grade_id(cell)} has no hint in its part"
                    )
                    assert any(notebooks.is_test_cell(c) for c in nb.cells[index + 1:index + 3])
                if notebooks.is_test_cell(cell):
                    source = cell.source
                    assert source.lstrip().startswith('"""Cek'), f"{notebooks.grade_id(cell)} docstring"
                    visible, marker, hidden = source.partition(notebooks.BEGIN_HIDDEN_TESTS)
                    assert "assert" in visible, notebooks.grade_id(cell)
                    assert not marker or "assert" in hidden, notebooks.grade_id(cell)
                    for line in source.splitlines():
                        if line.strip().startswith("assert "):
                            assert re.search(r",\s*[f]?[\"']", line) or line.rstrip().endswith(("(", ",")), (
                                f"{notebooks.grade_id(cell)}: assert without a message: {line.strip()}"
                            )


def test_readme_curriculum_table_matches_curriculum_yml(curriculum):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if re.match(r"\| \d\d ", line)]
    expected = [
        f"| {m.id} {m.judul} | {m.minutes_teaching} + {m.minutes_exercises} | {m.question} |"
        for m in curriculum.modules
    ]
    assert rows == expected
