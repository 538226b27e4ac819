"""Feedback pages opened in headless Chromium: offline, in Indonesian, readable on a phone, the score
shown, hidden tests unseen; and `umkmkit feedback` holding back trainees whose written answers wait
for the trainer.

A tiny cohort (one correct and one mistaken submission of module 00, both with a written answer)
is graded by real nbgrader. The trainer marks the first trainee's written answer in the gradebook
(as the formgrader does) and runs `umkmkit feedback`: the second trainee is held back. Run again
with --anyway, the second trainee's page says "menunggu penilaian pelatih" for that part. Each page
is then opened the way the trainee opens it from a USB stick, on a 390-px phone and a 1366-px laptop.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from browser import SCREENS, require_chromium, screen, visit
from click.testing import CliRunner

from nbconvert.exporters import HTMLExporter

from umkmkit.cohort import feedback as feedback_rendering
from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, create_cohort, open_gradebook
from umkmkit.cohort.feedback import WAITING, format_points, score_text
from umkmkit.grading.grader import generate_feedback, grade
from umkmkit.workspace import AUTOGRADED, FEEDBACK, Workspace

ASSIGNMENT = "00-mengenal-jupyter"
NOTEBOOK = "latihan"
HANDED_IN = datetime(2022, 6, 10, 8, 0)
MARKED, UNMARKED = "P-00001", "P-00002"  # the trainer marks the first one's written answer only
#: (width, height, a phone?) of each screen a page is looked at on.


@pytest.fixture(scope="module")
def feedback(kit, curriculum, tmp_path_factory):
    """(cohort, pages: trainee id -> [page], CLI output held back, CLI output with --anyway)."""
    require_chromium()  # fail before grading, not after
    mistake = simulate.load_catalog(kit, ASSIGNMENT).mistakes[0]
    plans = [
        simulate.SimulatedTrainee(MARKED, "Peserta Uji 1", "benar", written_answer="Jawaban tertulis."),
        simulate.SimulatedTrainee(UNMARKED, "Peserta Uji 2", "salah", mistakes=[mistake],
                                  written_answer="Jawaban tertulis."),
    ]
    roster = [Trainee(plan.trainee_id, plan.name, {}) for plan in plans]
    workspace = Workspace(tmp_path_factory.mktemp("umpan-balik") / "ws")
    cohort = create_cohort(kit, curriculum, workspace, "uji-peramban", roster, assignment_ids=[ASSIGNMENT])
    for plan in plans:
        submitted = simulate.submission_notebooks(kit, ASSIGNMENT, (NOTEBOOK,), plan)
        simulate.write_submission(cohort, plan.trainee_id, ASSIGNMENT, submitted, HANDED_IN)
    graded = grade(cohort, ASSIGNMENT, workers=2)
    assert not graded.failed, graded.failed
    assert sorted(graded.needs_manual_grade) == [MARKED, UNMARKED]
    simulate.mark_written_answers(cohort, ASSIGNMENT, MARKED)

    def run(*extra: str):
        done = CliRunner().invoke(main, ["feedback", cohort.cohort_id, ASSIGNMENT, *extra],
                                  env={"UMKMKIT_WORKSPACE": str(workspace.root)})
        assert done.exit_code == 0, done.output
        return done.stdout

    held_back = run()
    written_first = sorted(p.name for p in cohort.root.joinpath(FEEDBACK).iterdir())
    anyway = run("--anyway")
    pages = {
        trainee_id: sorted(cohort.assignment_dir(FEEDBACK, ASSIGNMENT, trainee_id).glob("*.html"))
        for trainee_id in (MARKED, UNMARKED)
    }
    return cohort, pages, (held_back, written_first), anyway


def required_scores(cohort) -> dict[str, tuple[float, float, float]]:
    """trainee id -> (score, max score, points not marked yet) of the required parts (challenges
    apart), read back through nbgrader's API."""
    found = {}
    with open_gradebook(cohort) as gradebook:
        for trainee_id in (MARKED, UNMARKED):
            grades = [g for g in gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, trainee_id).grades
                      if not notebooks.is_challenge(g.name)]
            found[trainee_id] = (
                sum(g.score for g in grades), sum(g.max_score for g in grades),
                sum(g.max_score for g in grades if g.manual_score is None and g.needs_manual_grade),
            )
    return found


def hidden_test_lines(kit) -> list[str]:
    """Every non-blank line of the solution's hidden tests."""
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    return [
        line.strip() for cell in solution.cells
        for block in notebooks.marked_blocks(cell.source, notebooks.BEGIN_HIDDEN_TESTS, notebooks.END_HIDDEN_TESTS)
        for line in block.splitlines() if line.strip()
    ]


def failed_check_messages(cohort, trainee_id: str) -> list[str]:
    """The message of each check the trainee failed, as nbgrader recorded it (e.g. the Indonesian hint)."""
    graded = notebooks.read_notebook(cohort.assignment_dir(AUTOGRADED, ASSIGNMENT, trainee_id) / f"{NOTEBOOK}.ipynb")
    return [f"{output.ename}: {output.evalue}" for cell in graded.cells if notebooks.is_test_cell(cell)
            for output in cell.get("outputs", []) if output.output_type == "error"]


def test_feedback_is_held_back_for_a_trainee_waiting_for_the_trainer(feedback):
    _, _, (held_back, written_first), _ = feedback
    assert written_first == [MARKED], "only the trainee whose written answer is marked gets feedback"
    assert UNMARKED in held_back and "ditahan" in held_back and "held back" in held_back
    # Indonesian first, then English; and which answer waits
    assert held_back.index("ditahan") < held_back.index("held back")
    line = next(line for line in held_back.splitlines() if line.strip().startswith(UNMARKED))
    assert "Bagian E" in line and "jawaban_tulis" in line
    assert "--anyway" in held_back and "umkmkit lab --trainer" in held_back
    assert MARKED not in held_back.split("ditahan", 1)[1]


def test_feedback_anyway_says_waiting_for_the_trainer_instead_of_zero(feedback, tmp_path):
    cohort, pages, _, anyway = feedback
    assert "ditahan" not in anyway and UNMARKED in anyway and WAITING in anyway
    scores = required_scores(cohort)
    waiting, _ = look(pages[UNMARKED][0], "ponsel", tmp_path / "menunggu.png")
    score, maximum, unmarked = scores[UNMARKED]
    assert unmarked > 0
    assert f"Nilai sementara: {score_text(score, maximum)}" in waiting["text"]
    assert f"{format_points(unmarked)} poin menunggu penilaian pelatih" in waiting["text"]
    [part_e] = [part for part in waiting["parts"] if part.startswith("Bagian E")]
    assert WAITING in part_e and "dari" not in part_e, part_e
    [heading] = [h for h in waiting["headings"] if "Jawaban tertulis" in h]
    assert f"Nilai: {WAITING}" in heading
    marked, _ = look(pages[MARKED][0], "ponsel", tmp_path / "dinilai.png")
    score, maximum, unmarked = scores[MARKED]
    assert unmarked == 0 and f"Nilai: {score_text(score, maximum)}" in marked["text"]
    assert WAITING not in marked["text"] and "sementara" not in marked["text"]
    [part_e] = [part for part in marked["parts"] if part.startswith("Bagian E")]
    assert part_e.endswith("2 dari 2"), part_e


def test_the_kits_exporter_writes_the_page_nbconverts_html_exporter_writes(feedback, tmp_path, monkeypatch):
    """FeedbackExporter skips HTMLExporter's whole-page BeautifulSoup pass and compiles the templates
    once: the pages must come out as HTMLExporter's, but for that pass's re-serialising."""
    cohort, pages, _, _ = feedback
    copy = Workspace(tmp_path / "ws")
    shutil.copytree(cohort.root, copy.cohort(cohort.cohort_id).root)
    monkeypatch.setattr(feedback_rendering, "FeedbackExporter", HTMLExporter)
    theirs = generate_feedback(copy.cohort(cohort.cohort_id), ASSIGNMENT)
    assert sorted(theirs.written) == [MARKED, UNMARKED] and not theirs.failed
    for trainee_id in (MARKED, UNMARKED):
        ours = [page.read_text(encoding="utf-8") for page in pages[trainee_id]]
        nbconverts = [page.read_text(encoding="utf-8") for page in theirs.written[trainee_id]]
        assert [str(BeautifulSoup(page, "html.parser")) for page in ours] == nbconverts, trainee_id


@pytest.mark.parametrize("trainee_id, fails_a_check", [(MARKED, False), (UNMARKED, True)])
def test_feedback_page_works_offline_and_hides_hidden_tests(feedback, kit, tmp_path, trainee_id, fails_a_check):
    cohort, pages, _, _ = feedback
    [page] = pages[trainee_id]
    seen = visit(page, tmp_path / f"{trainee_id}.png")

    assert seen.requests == [], f"the feedback page asks the network for: {seen.requests}"
    assert seen.console_errors == []
    assert seen.unrendered_images == []
    score, maximum, _ = required_scores(cohort)[trainee_id]
    assert score_text(score, maximum) in seen.text
    # the trainee still sees why a check failed
    assert ("AssertionError" in seen.text) == fails_a_check
    hidden = hidden_test_lines(kit)
    assert hidden
    for line in hidden:
        assert line not in seen.text, f"hidden test visible on {trainee_id}'s page: {line}"
    assert "pemeriksaan tersembunyi" in seen.text
    assert seen.screenshot.is_file() and seen.screenshot.stat().st_size > 10_000


# What a reader sees of the page: its width, the wrapped check messages and the code boxes.
_LAYOUT_JS = """
() => {
    const box = (element) => {
        const r = element.getBoundingClientRect();
        return {left: r.left, right: r.right, scrollWidth: element.scrollWidth, clientWidth: element.clientWidth,
                height: r.height, lineHeight: parseFloat(getComputedStyle(element).lineHeight) || 20,
                text: element.innerText};
    };
    return {
        innerWidth: innerWidth,
        scrollWidth: document.scrollingElement.scrollWidth,
        viewport: document.querySelector('meta[name="viewport"]')?.content ?? null,
        lang: document.documentElement.lang,
        messages: [...document.querySelectorAll(".output_error pre")].map(box),
        codeBoxes: [...document.querySelectorAll(".input_area")].map(box),
        parts: [...document.querySelectorAll(".daftar-bagian li")].map((li) => li.innerText.replace(/\\s+/g, " ")),
        headings: [...document.querySelectorAll(".bagian-kepala")].map((h) => h.innerText.replace(/\\s+/g, " ")),
        text: document.body.innerText,
    };
}
"""


def look(page_file: Path, screen_name: str, shot: Path) -> tuple[dict, list[str]]:
    """(what _LAYOUT_JS saw, requests made) of the page on one of SCREENS; a full-page screenshot saved."""
    width, height, phone = SCREENS[screen_name]
    own_url = unquote(page_file.resolve().as_uri())
    requests: list[str] = []
    with screen(width, height, phone, requests, own_url) as page:
        page.goto(own_url, wait_until="load")
        seen = page.evaluate(_LAYOUT_JS)
        page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file() and shot.stat().st_size > 10_000
    return seen, requests


@pytest.mark.parametrize("screen_name", SCREENS)
@pytest.mark.parametrize("trainee_id", [MARKED, UNMARKED])
def test_feedback_page_reads_well_on_a_phone_and_a_laptop(feedback, tmp_path, screen_name, trainee_id):
    cohort, pages, _, _ = feedback
    [page_file] = pages[trainee_id]
    width, _, phone = SCREENS[screen_name]
    seen, requests = look(page_file, screen_name, tmp_path / f"{trainee_id}-{screen_name}-{width}.png")

    assert requests == [], f"the feedback page asks the network for: {requests}"
    # a phone lays the page out at its own width (the viewport tag), with nothing to scroll sideways
    assert seen["viewport"] == "width=device-width, initial-scale=1"
    assert seen["innerWidth"] == width, "without the viewport tag a phone renders the page 980 px wide"
    assert seen["scrollWidth"] <= seen["innerWidth"], f"page {seen['scrollWidth']} px wide on a {width}-px screen"
    # in Indonesian, never nbgrader's English labels
    assert seen["lang"] == "id"
    for label in ("Nilai", "Bagian", "Pemeriksaan", "Jawaban Anda", "dari"):
        assert label in seen["text"], f"{label!r} missing on {trainee_id}'s page"
    for english in ("Student's answer", "Score", "Grade cell", "Test cell", "Comments"):
        assert english not in seen["text"], f"English {english!r} on {trainee_id}'s page"
    # each failed check's message (the Indonesian hint) is wrapped whole inside the screen
    expected = failed_check_messages(cohort, trainee_id)
    assert len(seen["messages"]) == len(expected)
    for message, box in zip(expected, seen["messages"]):
        assert message in box["text"]
        assert box["scrollWidth"] <= box["clientWidth"], f"message scrolls sideways: {message}"
        assert 0 <= box["left"] and box["right"] <= width, f"message outside the screen: {box}"
        if phone:
            assert box["height"] > 1.5 * box["lineHeight"], "a long message on a phone wraps over several lines"
    # code may scroll, but inside its own box within the screen
    assert seen["codeBoxes"]
    for box in seen["codeBoxes"]:
        assert 0 <= box["left"] and box["right"] <= width
