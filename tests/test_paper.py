"""The knowledge test on paper: printable sheets, the trainer's entry of the letters, and grading
of the entered tests by real nbgrader — answered with letters only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from browser import chromium_page, require_chromium
from umkmkit.course import notebooks
from conftest import small_cohort
from umkmkit.cohort.cohorts import load_cohort_config
from umkmkit.errors import UmkmkitError
from umkmkit.grading.grader import grade
from umkmkit.cohort.paper import answers_to_enter, enter_paper_answers, knowledge_test_questions, letters_from_text, paper_sheets, read_answer_form
from umkmkit.workspace import SUBMITTED

ROOT = Path(__file__).resolve().parents[1]
COHORT, RELEASE = "mkw-2022-06", "tes-awal"
TRAINEES = {"P-00003": "Kamaruddin Rahman", "P-00043": "Sutrisno Subagyo", "P-00044": "Femmy Tuhumury"}


def right_letters() -> list[str]:
    solution = notebooks.read_notebook(ROOT / "solutions" / "tes-pengetahuan" / "tes.ipynb")
    return [re.search(r"^jawaban_\d+ = (\w)$", c.source, re.M).group(1)
            for c in solution.cells if notebooks.is_answer_cell(c)]


@pytest.fixture(scope="module")
def cohort(kit, curriculum, tmp_path_factory):
    return small_cohort(kit, curriculum, tmp_path_factory.mktemp("paper"), ["tes-awal", "tes-akhir"])


def test_questions_come_from_the_released_test(cohort, curriculum):
    _, questions = knowledge_test_questions(cohort, curriculum, RELEASE)
    assert [q.number for q in questions] == list(range(1, 13))
    assert all(q.options == ("a", "b", "c", "d") for q in questions)
    assert questions[0].variable == "jawaban_1" and questions[0].answer_cell == "jawaban_01"
    with pytest.raises(UmkmkitError, match="bukan tes pengetahuan"):
        knowledge_test_questions(cohort, curriculum, "00-mengenal-jupyter")


def test_a_booklet_of_every_question_and_an_answer_sheet_per_trainee(cohort, curriculum, tmp_path):
    made = paper_sheets(cohort, curriculum, RELEASE, tmp_path)
    booklet = made.booklet.read_text(encoding="utf-8")
    assert booklet.count('class="soal"') == 12
    assert "sekitar 23%" in booklet and "<details>" not in booklet and "jawaban_1 =" not in booklet
    sheets = made.answer_sheets.read_text(encoding="utf-8")
    for trainee_id, name in TRAINEES.items():
        assert trainee_id in sheets and name in sheets
    assert sheets.count("<span>d</span>") == 12 * len(TRAINEES)
    form = made.answer_form.read_text(encoding="utf-8-sig").splitlines()
    assert form[0] == "id_peserta,nama," + ",".join(str(n) for n in range(1, 13))
    assert [row.split(",")[0] for row in form[1:]] == list(TRAINEES)
    # a form the trainer already filled in is never overwritten
    made.answer_form.write_text(form[0] + "\nP-00003,,a\n", encoding="utf-8")
    paper_sheets(cohort, curriculum, RELEASE, tmp_path)
    assert "P-00003,,a" in made.answer_form.read_text(encoding="utf-8")


def print_to_pdf(page_file: Path, pdf: Path, screenshots: Path) -> list[str]:
    """Print a page as Chromium does (A4), look at it at phone and desk widths; the PDF's page texts."""
    from pypdf import PdfReader

    with chromium_page() as page:
        page.goto(page_file.resolve().as_uri())
        page.pdf(path=str(pdf), format="A4", print_background=True)
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{page_file.name} scrolls sideways at {width} px"
            page.screenshot(path=str(screenshots / f"{page_file.stem}-{width}.png"))
    return [p.extract_text() for p in PdfReader(pdf).pages]


def test_sheets_print_on_a4_and_read_on_a_phone(cohort, curriculum, tmp_path):
    require_chromium()
    made = paper_sheets(cohort, curriculum, RELEASE, tmp_path)
    sheets = print_to_pdf(made.answer_sheets, tmp_path / "lembar-jawaban.pdf", tmp_path)
    assert len(sheets) == len(TRAINEES), "one answer sheet (one page) per trainee"
    assert all(name in text for name, text in zip(TRAINEES.values(), sheets))
    booklet = print_to_pdf(made.booklet, tmp_path / "soal.pdf", tmp_path)
    assert len(booklet) <= 4 and "Soal 12" in booklet[-1]


def test_wrong_rows_are_refused_with_line_and_column_before_anything_is_written(cohort, curriculum, tmp_path):
    _, questions = knowledge_test_questions(cohort, curriculum, RELEASE)
    trainees = dict.fromkeys(TRAINEES)
    header = "id_peserta,nama," + ",".join(str(n) for n in range(1, 13))
    cases = {
        "P-99999,,a": r"baris 2, kolom 1: 'P-99999' tidak ada di daftar peserta",
        "P-00003,,a,b,e": r"baris 2, kolom 5 \(soal 3\): 'e' bukan pilihan",
        "P-00003,,a\nP-00003,,b": r"baris 3: P-00003 sudah diisi",
    }
    for rows, message in cases.items():
        path = tmp_path / "jawaban.csv"
        path.write_text(f"{header}\n{rows}\n", encoding="utf-8")
        with pytest.raises(UmkmkitError, match=message):
            read_answer_form(path, questions, trainees)
    path.write_text("id_peserta,1,2\nP-00003,a,b\n", encoding="utf-8")
    with pytest.raises(UmkmkitError, match=r"baris 1: kolom 3, 4"):
        read_answer_form(path, questions, trainees)
    with pytest.raises(UmkmkitError, match="11 huruf"):
        letters_from_text("abcdabcdabc", questions)
    # one trainee typed in: on the roster, one letter per question
    assert answers_to_enter(cohort, curriculum, RELEASE, trainee_id="P-00003", letters="abcd-abcdabc") == {
        "P-00003": list("abcd-abcdabc")}
    with pytest.raises(UmkmkitError, match="P-99999 tidak ada di daftar peserta mkw-2022-06"):
        answers_to_enter(cohort, curriculum, RELEASE, trainee_id="P-99999", letters="abcdabcdabca")
    assert not cohort.assignment_dir(SUBMITTED, RELEASE, "P-00003").exists()


def test_entered_letters_are_graded_like_typed_answers(cohort, curriculum, tmp_path):
    right = right_letters()
    _, questions = knowledge_test_questions(cohort, curriculum, RELEASE)
    wrong = {0: "a", 4: "a", 7: "a"}  # three wrong answers, two left blank
    partly = [wrong.get(i, letter) for i, letter in enumerate(right)]
    partly[10] = partly[11] = "-"
    form = tmp_path / "jawaban.csv"
    form.write_text(
        "id_peserta,nama," + ",".join(str(n) for n in range(1, 13)) + "\n"
        + "P-00003,Kamaruddin Rahman," + ",".join(letter.upper() + " " for letter in right) + "\n"
        + "P-00043,," + ",".join(partly) + "\n"
        + "P-00044,," + ",".join([""] * 12) + "\n",
        encoding="utf-8-sig",
    )
    entered = enter_paper_answers(cohort, curriculum, RELEASE, read_answer_form(
        form, questions, {t: None for t in TRAINEES}))
    assert set(entered.written) == {"P-00003", "P-00043"} and entered.empty == ("P-00044",)
    nb = notebooks.read_notebook(entered.written["P-00043"])
    assert notebooks.participant_from_header(nb) == ("Sutrisno Subagyo", "P-00043")
    assert "jawaban_11 = ..." in "\n".join(c.source for c in nb.cells)
    summary = grade(cohort, RELEASE, workers=1)
    assert not summary.failed
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=COHORT) as gradebook:
        assert gradebook.find_submission(RELEASE, "P-00003").score == 12
        assert gradebook.find_submission(RELEASE, "P-00043").score == 12 - 3 - 2
