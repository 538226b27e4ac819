"""What the feedback page says about each graded part, without nbgrader or a browser
(tests/test_feedback_browser.py renders real pages)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from umkmkit.cohort.feedback import (
    WAITING, describe_part, format_points, is_waiting, may_show_an_image, score_text, section_titles,
)


def nbgrader_cell(cell, grade_id: str, *, grade: bool = False, solution: bool = False, **extra):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": grade, "solution": solution, "task": False,
                                 "locked": False, **extra}
    return cell


def test_each_graded_cell_is_named_after_the_heading_above_it():
    nb = new_notebook(cells=[
        new_markdown_cell("# Latihan 00\n\n## Bagian A (2 poin)\n\nSoalnya."),
        nbgrader_cell(new_code_cell("total = ..."), "jawaban_a", solution=True),
        nbgrader_cell(new_code_cell("assert total"), "tes_a", grade=True, points=2),
        new_markdown_cell("## Bagian E (2 poin, dinilai pelatih)\n\n```python\n# bukan judul\n```"),
        nbgrader_cell(new_markdown_cell("## Jawaban saya"), "jawaban_tulis", grade=True, solution=True, points=2),
        nbgrader_cell(new_code_cell("assert f"), "tes_tantangan_1", grade=True, points=2),
    ])
    # a trainee's own heading in a written answer names nothing
    assert section_titles(nb) == {
        "jawaban_a": "Bagian A", "tes_a": "Bagian A", "jawaban_tulis": "Bagian E", "tes_tantangan_1": "Bagian E",
    }


@pytest.mark.parametrize("score, points, text", [(2.0, 2.0, "2 dari 2"), (1.5, 2, "1,5 dari 2"), (None, 10, "0 dari 10")])
def test_scores_read_the_indonesian_way(score, points, text):
    assert score_text(score, points) == text
    assert format_points(1234.5) == "1.234,5"


@pytest.mark.parametrize("needs_manual_grade, manual_score, waiting", [
    (True, None, True),    # autograded, nobody marked it yet
    (False, 2.0, False),   # the trainer marked it in the formgrader
    (True, 2.0, False),    # graded again after the trainer marked it: the trainer's score stands
    (False, None, False),  # scored by the autograder
])
def test_an_answer_waits_for_the_trainer_only_while_it_has_no_manual_score(needs_manual_grade, manual_score, waiting):
    assert is_waiting(SimpleNamespace(needs_manual_grade=needs_manual_grade, manual_score=manual_score)) is waiting


def test_a_written_answer_not_marked_yet_says_waiting_never_zero():
    cell = nbgrader_cell(new_markdown_cell("Jawaban."), "jawaban_tulis", grade=True, solution=True,
                         points=2, score=0.0, waiting=True)
    part = describe_part(cell, "Bagian E")
    assert (part["kind"], part["status"], part["score"]) == ("Jawaban tertulis Anda", "menunggu", WAITING)
    cell.metadata.nbgrader.update(waiting=False, score=2.0)
    assert (describe_part(cell, "Bagian E")["status"], describe_part(cell, "Bagian E")["score"]) == ("lulus", "2 dari 2")
    check = nbgrader_cell(new_code_cell("assert x"), "tes_a", grade=True, points=2, score=0.0, waiting=False)
    assert (describe_part(check, "Bagian A")["kind"], describe_part(check, "Bagian A")["status"]) == ("Pemeriksaan", "belum")


@pytest.mark.parametrize("cell, shows", [
    (new_code_cell("print(total)", outputs=[new_output("stream", text="12000\n")]), False),
    (new_code_cell("df", outputs=[new_output("execute_result", data={"text/html": "<table></table>"})]), False),
    (new_markdown_cell("## Bagian A\n\nHitung `total`."), False),
    (new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": "iVBORw0KGgo="})]), True),
    (new_code_cell("html", outputs=[new_output("display_data", data={"text/html": "<IMG src='x.png'>"})]), True),
    (new_markdown_cell("Lihat ![grafik](grafik.png)"), True),
    (new_markdown_cell("<img src='logo.png'>"), True),
])
def test_a_page_that_may_show_an_image_takes_nbconverts_own_path(cell, shows):
    """FeedbackExporter leaves out HTMLExporter's pass that describes images without alt text: only
    for notebooks that can show none."""
    assert may_show_an_image(new_notebook(cells=[new_markdown_cell("# Latihan"), cell])) is shows


def test_the_feedback_exporter_sanitises_as_nbconvert_does_once_per_piece_of_html():
    """FeedbackExporter keeps nbconvert's clean_html (bleach) and remembers its result per input."""
    from markupsafe import Markup
    from nbconvert.filters.strings import clean_html

    from umkmkit.cohort.feedback import FeedbackExporter, _clean_html_remembered

    assert dict(FeedbackExporter().default_filters())["clean_html"] is _clean_html_remembered
    pieces = ['<div class="highlight"><pre><span class="n">harga</span></pre></div>',
              '<p onclick="curi()">Halo</p><script>alert(1)</script>', Markup("<b>tebal</b>"), b"<svg><g/></svg>"]
    for piece in pieces:
        assert _clean_html_remembered(piece) == clean_html(piece)
        assert _clean_html_remembered(piece) == clean_html(piece)  # the remembered answer
    assert "<script" not in _clean_html_remembered(pieces[1]) and "<p " not in _clean_html_remembered(pieces[1])  # escaped
