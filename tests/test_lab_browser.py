"""`umkmkit lab` in a real browser: participants get an Indonesian, offline JupyterLab with their
lessons and exercises and a working Validate button; a trainer gets the formgrader of a cohort.

Each test starts the real command (`python -m umkmkit.cli lab`) on 127.0.0.1 with a free port,
in a temporary workspace, drives headless Chromium against it, and stops it with Ctrl+C (SIGINT).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import chromium_page, wait_for_kernel

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import Trainee, create_cohort
from umkmkit.grading.grader import grade
from umkmkit.room.lab import EXERCISES, HANDOUTS, LESSONS, WELCOME_NOTEBOOK, prepare_participant_folder
from umkmkit.cohort.simulate import SimulatedTrainee, answer_key, submission_notebooks, write_submission
from umkmkit.workspace import Workspace

ASSIGNMENT = "00-mengenal-jupyter"
COHORT = "uji-lab"
TRAINEE = Trainee("P-00001", "Peserta Uji 1")
#: Seconds nbgrader's Validate may take (it runs the whole notebook in a fresh kernel).
VALIDATE_MS = 60_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ctrl_c_reaches_it() -> None:
    """In the command's process, before it starts: Ctrl+C (SIGINT) does what it does in a terminal.

    A test run started in the background by a shell without job control (`make test &` in a
    script, CI runners) ignores SIGINT, and an ignored signal stays ignored in every program it
    starts: `umkmkit lab` would never see the Ctrl+C that stop() sends (seen: both lab tests timing
    out in stop() under `nohup bash -c '.ci/run' &`).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class LabCommand:
    """`umkmkit lab ...` running in a subprocess, with the URL it printed."""

    def __init__(self, arguments: list[str], workspace: Path):
        self.token = "uji" + os.urandom(6).hex()
        environment = {**os.environ, "UMKMKIT_WORKSPACE": str(workspace), "JUPYTER_TOKEN": self.token}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "umkmkit.cli", "lab", "--port", str(free_port()), *arguments],
            env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", preexec_fn=_ctrl_c_reaches_it,
        )
        self.printed: list[str] = []
        for line in self.process.stdout:
            self.printed.append(line)
            if "Ctrl+C" in line:
                break
        opened = [line.split(": ", 1)[1].strip() for line in self.printed if line.startswith("Open on this machine")]
        assert opened, "umkmkit lab did not start:\n" + "".join(self.printed) + self.process.stdout.read()
        self.url = opened[0]
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.url))

    def stop(self) -> str:
        """Ctrl+C, as a trainer stops it; returns what the command printed afterwards."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=60)
        return rest


@pytest.fixture
def workspace(tmp_path) -> Path:
    return tmp_path / "workspace"


def leaving_the_machine(requests: list[str], origin: str) -> list[str]:
    """Requests to anything but the local server (HTTP and WebSocket alike)."""
    host = urlsplit(origin).netloc
    return [url for url in requests if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != host]


def test_participant_folder_has_lessons_exercises_and_data_but_no_solutions(kit, curriculum, tmp_path):
    folder = prepare_participant_folder(kit, curriculum, tmp_path / "peserta")
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert WELCOME_NOTEBOOK in names
    # the take-home handouts: an index, a PDF and a phone page per module, the calculators
    assert f"{HANDOUTS}/index.html" in names
    for module in curriculum.modules:
        assert any(n.startswith(f"{HANDOUTS}/modul-{module.id}-") and n.endswith(".pdf") for n in names), module.id
    assert any(n.startswith(f"{HANDOUTS}/kalkulator/") and n.endswith(".xlsx") for n in names)
    for module in curriculum.modules:
        assert {f"{LESSONS}/{lesson}" for lesson in module.lessons} <= names
        if module.assignment:  # a module without an exercise (05, done on the phone) has only lessons
            assert f"{EXERCISES}/{module.assignment}/latihan.ipynb" in names
    # every data file a lesson reads is where its ../datasets/ path, or bantu.baca_data, looks for it
    for lesson in (folder / LESSONS).glob("*.ipynb"):
        code = "\n".join(c.source for c in notebooks.read_notebook(lesson).cells if c.cell_type == "code")
        for name in re.findall(r"\.\./datasets/([\w.-]+)", code) + re.findall(r"baca_data\(\"([\w.-]+)\"", code):
            assert (folder / "datasets" / name).is_file(), f"{lesson.name} reads ../datasets/{name}"
    assert not [n for n in names if "kesalahan" in n or "roster" in n or "gradebook" in n]
    secrets = {cell.source for p in kit.solutions_dir.rglob("*.ipynb") for cell in notebooks.read_notebook(p).cells
               if "### BEGIN SOLUTION" in cell.source or "### BEGIN HIDDEN TESTS" in cell.source}
    shown = {cell.source for p in folder.rglob("*.ipynb") for cell in notebooks.read_notebook(p).cells}
    assert not secrets & shown
    assert notebooks.is_clean(notebooks.read_notebook(folder / WELCOME_NOTEBOOK))

    # a participant's work survives the next start; the welcome notebook is the kit's
    exercise = folder / EXERCISES / ASSIGNMENT / "latihan.ipynb"
    notebooks.write_notebook(notebooks.fill_header(notebooks.read_notebook(exercise), "Peserta Uji 3", "P-00003"), exercise)
    edited = exercise.read_bytes()
    (folder / WELCOME_NOTEBOOK).write_text("{}", encoding="utf-8")
    prepare_participant_folder(kit, curriculum, tmp_path / "peserta")
    assert exercise.read_bytes() == edited
    assert notebooks.read_notebook(folder / WELCOME_NOTEBOOK).cells


def test_participant_opens_an_exercise_in_indonesian_and_validates_it_offline(kit, workspace, tmp_path):
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / "latihan.ipynb")
    exercise = notebooks.read_notebook(kit.exercise_dir(ASSIGNMENT) / "latihan.ipynb")
    answer_index = next(i for i, cell in enumerate(exercise.cells) if notebooks.grade_id(cell) == "jawaban_a")
    answer = answer_key(solution)["jawaban_a"]

    lab = LabCommand([], workspace)
    requests: list[str] = []
    try:
        assert (workspace / "lab" / "peserta" / WELCOME_NOTEBOOK).is_file()
        with chromium_page(record=requests) as page:
            page.goto(lab.url)
            # the welcome notebook opens first; menus and file browser speak Indonesian (every text a
            # participant sees: tests/test_lab_indonesian.py)
            page.get_by_role("heading", name="Selamat datang di pelatihan UMKM!").wait_for()
            menu_bar = page.locator("#jp-menu-panel").inner_text()
            assert "Berkas" in menu_bar and "Bantuan" in menu_bar and "File" not in menu_bar
            assert page.locator(".jp-DirListing-headerItem").first.inner_text().strip() == "Nama"  # language pack
            assert page.locator(".jp-DirListing-headerItem").nth(1).inner_text().strip() == "Diubah"  # the kit's
            # nbgrader for a laptop room's participants: Validate only (work goes back by USB stick), no
            # assignment list and none of the trainer's tools
            assert "Latihan" not in menu_bar and "Nbgrader" not in menu_bar
            assert page.request.get(f"{lab.origin}/formgrader?token={lab.token}").status == 404

            # open module 00's exercise from the welcome notebook's table
            page.locator(".jp-RenderedMarkdown table a", has_text="latihan").first.click()
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").nth(answer_index).wait_for()
            wait_for_kernel(page)
            # write part A's answer, run it and its check cell (Shift+Enter twice)
            cell = panel.locator(".jp-Cell").nth(answer_index)
            cell.locator(".cm-content").click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text(answer)
            page.keyboard.press("Shift+Enter")
            page.keyboard.press("Shift+Enter")
            check = panel.locator(".jp-Cell").nth(answer_index + 1)
            check.locator(".jp-InputPrompt", has_text=re.compile(r"\[\d+\]")).wait_for()
            assert check.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0

            # Validate ("Periksa"): saves, runs the whole notebook, shows nbgrader's result
            panel.locator(".validate-button", has_text="Periksa").click()
            result = page.locator("#validation-message")
            result.wait_for(state="visible", timeout=VALIDATE_MS)
            page.screenshot(path=str(tmp_path / "peserta-validasi.png"))
            text = result.inner_text()
            assert "Sel berikut belum lulus" in text  # parts B-D are still empty...
            assert "Cek Bagian B" in text
            assert "Cek Bagian A" not in text  # ...part A passes
        saved = notebooks.read_notebook(workspace / "lab" / "peserta" / EXERCISES / ASSIGNMENT / "latihan.ipynb")
        assert answer.strip() in saved.cells[answer_index].source
    finally:
        after = lab.stop()
    assert "JupyterLab stopped." in after
    assert requests and not leaving_the_machine(requests, lab.origin)


def test_trainer_sees_the_cohorts_assignments_and_submissions_in_the_formgrader(kit, curriculum, workspace, tmp_path):
    assignments = [ASSIGNMENT, "04-izin-usaha-hak-cipta"]
    cohort = create_cohort(kit, curriculum, Workspace(workspace), COHORT, [TRAINEE], assignment_ids=assignments)
    plan = SimulatedTrainee(TRAINEE.trainee_id, TRAINEE.name, "benar", written_answer="Jawaban tertulis.")
    write_submission(cohort, TRAINEE.trainee_id, ASSIGNMENT,
                     submission_notebooks(kit, ASSIGNMENT, ("latihan",), plan), datetime.now())
    assert grade(cohort, ASSIGNMENT, workers=1).graded == [TRAINEE.trainee_id]

    lab = LabCommand(["--trainer", COHORT], workspace)
    requests: list[str] = []
    try:
        assert "/formgrader?" in lab.url
        with chromium_page(record=requests) as page:
            page.goto(lab.url)
            rows = {a: page.locator("#main-table tr", has=page.locator("td.name", has_text=a)) for a in assignments}
            for row in rows.values():
                row.wait_for()
            assert rows[ASSIGNMENT].locator("td.num-submissions").inner_text().strip() == "1"
            assert rows[assignments[1]].locator("td.num-submissions").inner_text().strip() == "0"
            page.screenshot(path=str(tmp_path / "formgrader-tugas.png"))
            page.goto(f"{lab.origin}/formgrader/manage_submissions/{ASSIGNMENT}")
            row = page.locator("#main-table tr", has=page.locator("td.student-id", has_text=TRAINEE.trainee_id))
            row.wait_for()
            # the whole name as the roster writes it, not nbgrader's "last, first" ("Uji 1, Peserta")
            assert row.locator("td.student-name").inner_text().strip() == TRAINEE.name
            page.screenshot(path=str(tmp_path / "formgrader-kiriman.png"))
            page.goto(f"{lab.origin}/formgrader/manage_students")
            row = page.locator("#main-table tr", has=page.locator("td.id", has_text=TRAINEE.trainee_id))
            row.wait_for()
            assert row.locator("td.name").inner_text().strip() == TRAINEE.name
            page.screenshot(path=str(tmp_path / "formgrader-peserta.png"))
    finally:
        after = lab.stop()
    assert "JupyterLab stopped." in after
    assert requests and not leaving_the_machine(requests, lab.origin)
