"""The knowledge test on paper: a question booklet, an answer sheet per trainee, and the
trainer's entry of the letters circled on it.

Many participants have never used a keyboard before the workshop; the pre-test should measure
what they know about selling online, not their Jupyter skills. So the test can be taken on
paper. `paper_sheets` writes a question booklet (printed once per desk, collected and reused for
the post-test) and one answer sheet per rostered trainee (name and id printed; circle a letter
per question). After the test, the trainer types the letters into a CSV (one row per trainee,
one column per question) or on the command line; `enter_paper_answers` turns each row into the
trainee's test notebook with those letters, placed in submitted/ like a collected submission,
so `umkmkit grade` scores it as any other.

Questions, options and answer cells are read from the cohort's released notebook, not a second
copy: a question is the markdown cell headed "### Soal N" before answer cell `jawaban_NN`, its
options the lines "- a. ...".
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
from nbconvert.filters import markdown2html

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import Trainee, roster
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic
from umkmkit.cohort.release import released_notebooks
from umkmkit.cohort.simulate import fill_answers
from umkmkit.workspace import SUBMITTED, Cohort, nbgrader_timestamp

log = logging.getLogger(__name__)

#: What the trainer writes for a question left blank on the sheet.
BLANK = "-"
_QUESTION = re.compile(r"^###\s+Soal\s+(\d+)", re.MULTILINE)
_OPTION = re.compile(r"^-\s+([a-z])\.\s+", re.MULTILINE)
_QUESTION_HEADING = re.compile(r"^###\s+Soal\s+\d+[^\n]*\n", re.MULTILINE)
_ANSWER_LINE = re.compile(r"^(jawaban_\d+)\s*=\s*\.\.\.\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Question:
    number: int
    #: The markdown of the question (hint folded away), options included.
    text: str
    options: tuple[str, ...]
    #: grade_id of its answer cell, and the variable the participant fills in.
    answer_cell: str
    variable: str


def knowledge_test_questions(cohort: Cohort, curriculum: Curriculum, release_id: str) -> tuple[str, list[Question]]:
    """(notebook id, its questions in order) of a knowledge-test release of this cohort."""
    test = curriculum.knowledge_test
    if not test or release_id not in test.releases:
        known = ", ".join(test.releases) if test else "none"
        raise UmkmkitError(
            f"{release_id} bukan tes pengetahuan; yang ada: {known}. ({release_id} is not a knowledge-test release.)"
        )
    files = released_notebooks(cohort, release_id)
    notebook_id, path = next(iter(files.items()))
    nb = notebooks.read_notebook(path)
    questions, text = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _QUESTION.search(cell.source):
            text = cell.source.split("<details>")[0].strip()
        elif notebooks.is_answer_cell(cell) and cell.cell_type == "code" and text:
            found = _ANSWER_LINE.search(cell.source)
            if not found:
                raise UmkmkitError(f"{path}: answer cell {notebooks.grade_id(cell)} has no `jawaban_N = ...` line.")
            questions.append(Question(
                int(_QUESTION.search(text).group(1)), text, tuple(_OPTION.findall(text)),
                notebooks.grade_id(cell), found.group(1),
            ))
            text = None
    if not questions:
        raise UmkmkitError(f"{path} holds no question (### Soal N) with an answer cell.")
    return notebook_id, questions


_STYLE = """
  @page { size: A4; margin: 12mm; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.3; color: #000;
         max-width: 190mm; margin: 0 auto; padding: 4mm; }
  h1 { font-size: 15pt; margin: 0 0 2mm; }
  .lembar { break-after: page; page-break-after: always; }
  .lembar:last-child { break-after: auto; page-break-after: auto; }
  .identitas { border: 1px solid #000; padding: 2mm 3mm; margin: 3mm 0; display: flex; gap: 8mm; flex-wrap: wrap; }
  .cara { margin: 2mm 0 4mm; }
  .soal { break-inside: avoid; page-break-inside: avoid; border-top: 1px solid #999; padding: 1.5mm 0; }
  .soal h3 { font-size: 10pt; margin: 0 0 1mm; }
  .soal p { margin: 1mm 0; }
  .soal ul { margin: 1mm 0; padding-left: 6mm; }
  .jawaban { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2mm 8mm; margin-top: 4mm; }
  .jawaban div { border-bottom: 1px solid #999; padding: 2.5mm 0; font-size: 12pt; }
  .jawaban span { display: inline-block; width: 8mm; height: 8mm; line-height: 8mm; margin-left: 2mm;
                  border: 1.5px solid #000; border-radius: 50%; text-align: center; }
  @media screen and (max-width: 480px) { body { font-size: 15px; padding: 2mm; } .jawaban { grid-template-columns: 1fr; } }
"""

_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_BOOKLET = _ENVIRONMENT.from_string("""\
<!DOCTYPE html>
<html lang="id">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}: soal</title><style>{{ style | safe }}</style></head>
<body>
<h1>{{ title }}: soal</h1>
<p class="cara">Baca setiap soal, lalu <strong>lingkari satu huruf</strong> di lembar jawaban Anda. Jangan menulis
di lembar soal ini: lembar ini dipakai lagi. Kalau belum tahu, pilih yang menurut Anda paling masuk akal.
Nilai tes ini tidak menentukan lulus.</p>
{% for q in questions %}<div class="soal"><h3>Soal {{ q.number }}</h3>{{ q.html | safe }}</div>
{% endfor %}
</body></html>
""")
_ANSWER_SHEETS = _ENVIRONMENT.from_string("""\
<!DOCTYPE html>
<html lang="id">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}: lembar jawaban {{ cohort_id }}</title><style>{{ style | safe }}</style></head>
<body>
{% for trainee in trainees %}<section class="lembar">
<h1>{{ title }}: lembar jawaban</h1>
<div class="identitas"><span>Nama: <strong>{{ trainee.name }}</strong></span><span>ID peserta: <strong>{{ trainee.trainee_id }}</strong></span><span>Kohort: {{ cohort_id }}</span><span>Tes: {{ release_id }}</span></div>
<p class="cara">Untuk setiap soal, <strong>lingkari satu huruf</strong>. Kalau salah melingkari, coret lingkaran itu
dengan tanda X dan lingkari huruf yang lain.</p>
<div class="jawaban">{% for q in questions %}<div>Soal {{ q.number }}{% for option in q.options %} <span>{{ option }}</span>{% endfor %}</div>{% endfor %}</div>
</section>
{% endfor %}
</body></html>
""")


@dataclass(frozen=True)
class PaperSheets:
    #: The questions, printed once per desk and collected again (the same for every trainee).
    booklet: Path
    #: One answer sheet per rostered trainee, name and id printed: circle a letter per question.
    answer_sheets: Path
    #: A CSV to fill in after the test: one row per trainee, one column per question.
    answer_form: Path


def paper_sheets(cohort: Cohort, curriculum: Curriculum, release_id: str, folder: Path | None = None) -> PaperSheets:
    """Write the question booklet, an answer sheet per rostered trainee, and the empty answer form."""
    _, questions = knowledge_test_questions(cohort, curriculum, release_id)
    folder = Path(folder) if folder else cohort.paper_test_dir
    folder.mkdir(parents=True, exist_ok=True)
    trainees = roster(cohort)
    title = curriculum.knowledge_test.source.judul
    booklet = folder / f"{release_id}-soal.html"
    # the question's own markdown (from the kit's notebook, so trusted) without its heading
    write_text_atomic(booklet, _BOOKLET.render(title=title, style=_STYLE, questions=[
        {"number": q.number, "html": markdown2html(_QUESTION_HEADING.sub("", q.text))} for q in questions
    ]), newline="")
    sheets = folder / f"{release_id}-lembar-jawaban.html"
    write_text_atomic(sheets, _ANSWER_SHEETS.render(
        title=title, style=_STYLE, cohort_id=cohort.cohort_id, release_id=release_id,
        trainees=trainees, questions=questions,
    ), newline="")
    form = folder / f"jawaban-{release_id}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id_peserta", "nama", *[str(q.number) for q in questions]])
    for trainee in trainees:
        writer.writerow([trainee.trainee_id, trainee.name, *[""] * len(questions)])
    if not form.exists():  # never overwrite letters a trainer has already typed
        write_text_atomic(form, "\ufeff" + buffer.getvalue(), newline="")
    return PaperSheets(booklet, sheets, form)


@dataclass(frozen=True)
class EnteredAnswers:
    release_id: str
    #: trainee id -> the notebook written into submitted/
    written: dict[str, Path]
    #: trainee ids whose row was left empty (no letter at all): nothing written for them
    empty: tuple[str, ...]


def read_answer_form(path: Path, questions: list[Question], trainees: dict[str, Trainee]) -> dict[str, list[str]]:
    """trainee id -> one letter (or BLANK) per question, from the trainer's CSV; every problem
    is refused with its line and column, before anything is written."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UmkmkitError(f"{path} tidak ada. ({path} does not exist.)") from None
    except UnicodeDecodeError as error:
        raise UmkmkitError(f"{path}: bukan teks UTF-8 (byte {error.start}); simpan ulang sebagai CSV UTF-8.") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise UmkmkitError(f"{path} kosong: isi satu baris per peserta di bawah judul kolom.")
    header = [cell.strip() for cell in rows[0]]
    numbers = [str(q.number) for q in questions]
    missing = [name for name in ["id_peserta", *numbers] if name not in header]
    if missing:
        raise UmkmkitError(
            f"{path}, baris 1: kolom {', '.join(missing)} tidak ada. Judul kolom harus id_peserta, lalu "
            f"{', '.join(numbers)} (pakai berkas dari `umkmkit paper-sheet`)."
        )
    id_column = header.index("id_peserta")
    answers: dict[str, list[str]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        trainee_id = row[id_column].strip() if id_column < len(row) else ""
        if trainee_id not in trainees:
            raise UmkmkitError(
                f"{path}, baris {line}, kolom {id_column + 1}: '{trainee_id}' tidak ada di daftar peserta "
                f"kohort ini. Periksa ID-nya di lembar jawaban."
            )
        if trainee_id in answers:
            raise UmkmkitError(f"{path}, baris {line}: {trainee_id} sudah diisi di baris sebelumnya; hapus salah satunya.")
        letters = []
        for question in questions:
            column = header.index(str(question.number))
            letter = (row[column] if column < len(row) else "").strip().lower() or BLANK
            if letter != BLANK and letter not in question.options:
                raise UmkmkitError(
                    f"{path}, baris {line}, kolom {column + 1} (soal {question.number}): '{row[column].strip()}' "
                    f"bukan pilihan; tulis salah satu dari {', '.join(question.options)}, atau {BLANK} kalau kosong."
                )
            letters.append(letter)
        answers[trainee_id] = letters
    return answers


def letters_from_text(letters: str, questions: list[Question]) -> list[str]:
    """One trainee's answers typed as one string ("cbbbdbacbdac", "-" for a blank), checked."""
    cleaned = [c for c in letters.strip().lower() if not c.isspace() and c != ","]
    if len(cleaned) != len(questions):
        raise UmkmkitError(
            f"Ada {len(cleaned)} huruf, padahal soalnya {len(questions)}: tulis satu huruf per soal, {BLANK} kalau kosong."
        )
    for position, (letter, question) in enumerate(zip(cleaned, questions), start=1):
        if letter != BLANK and letter not in question.options:
            raise UmkmkitError(f"Huruf ke-{position} '{letter}' bukan pilihan soal {question.number} ({', '.join(question.options)}).")
    return cleaned


def answers_to_enter(cohort: Cohort, curriculum: Curriculum, release_id: str, *, answer_file: Path | None = None,
                     trainee_id: str | None = None, letters: str | None = None) -> dict[str, list[str]]:
    """trainee id -> letters, checked, from the trainer's answer form (CSV) or for one trainee typed
    as one string; for `enter_paper_answers`. Give `answer_file`, or `trainee_id` with `letters`."""
    _, questions = knowledge_test_questions(cohort, curriculum, release_id)
    trainees = {t.trainee_id: t for t in roster(cohort)}
    if answer_file is not None:
        return read_answer_form(answer_file, questions, trainees)
    if trainee_id is None or letters is None:
        raise UmkmkitError("Berikan berkas jawaban (CSV), atau ID peserta dan hurufnya. "
                           "(Give the answer form, or a trainee id with the letters.)")
    if trainee_id not in trainees:
        raise UmkmkitError(f"{trainee_id} tidak ada di daftar peserta {cohort.cohort_id}: periksa ID di lembar jawabannya. "
                           f"({trainee_id} is not on the roster of {cohort.cohort_id}.)")
    return {trainee_id: letters_from_text(letters, questions)}


def enter_paper_answers(
    cohort: Cohort, curriculum: Curriculum, release_id: str, answers: dict[str, list[str]],
    handed_in: datetime | None = None,
) -> EnteredAnswers:
    """Write each trainee's test notebook with these letters into submitted/ (replacing an earlier
    entry), ready for `umkmkit grade`. A row with no letter at all writes nothing."""
    notebook_id, questions = knowledge_test_questions(cohort, curriculum, release_id)
    trainees = {t.trainee_id: t for t in roster(cohort)}
    released = notebooks.read_notebook(released_notebooks(cohort, release_id)[notebook_id])
    moment = (handed_in or datetime.now()).astimezone()
    written, empty = {}, []
    for trainee_id, letters in answers.items():
        if all(letter == BLANK for letter in letters):
            empty.append(trainee_id)
            continue
        trainee = trainees[trainee_id]
        filled = {
            q.answer_cell: _ANSWER_LINE.sub(f"{q.variable} = {letter}", _cell_source(released, q.answer_cell))
            for q, letter in zip(questions, letters) if letter != BLANK
        }
        nb = notebooks.fill_header(released, trainee.name, trainee.trainee_id)
        nb = fill_answers(nb, filled)
        nb = notebooks.stamped(nb, cohort=cohort.cohort_id, assignment=release_id, trainee_id=trainee_id,
                               notebook=notebook_id, source="kertas")
        target = cohort.notebook_file(SUBMITTED, release_id, notebook_id, trainee_id)
        notebooks.write_notebook(nb, target)
        cohort.timestamp_file(SUBMITTED, release_id, trainee_id).write_text(nbgrader_timestamp(moment), encoding="utf-8")
        written[trainee_id] = target
    log.info("paper answers of %s entered in %s: %d written, %d empty row(s)", release_id, cohort.cohort_id,
             len(written), len(empty))
    return EnteredAnswers(release_id, written, tuple(empty))


def _cell_source(nb, grade_id: str) -> str:
    return notebooks.cells_by_grade_id(nb)[grade_id].source

