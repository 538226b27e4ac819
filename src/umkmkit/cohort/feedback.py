"""Feedback pages a trainee may keep: which checks failed and why, never the hidden tests' code,
readable offline (no CDN) and on a phone, in Indonesian.

nbgrader's GenerateFeedback renders each page with the kit's own nbconvert template
(templates/feedback/, set through HTMLExporter.template_name as nbgrader documents) after three
preprocessors: `GetGradesForTrainee` (nbgrader's GetGrades, also naming each graded part and
telling which still wait for the trainer), `HideHiddenTests`, and nbconvert's
CSSHTMLHeaderPreprocessor (the code colours, inlined).

`FeedbackExporter` is nbconvert's HTMLExporter made cheaper for a cohort's hundreds of pages, with
the same page. Measured on 15 demo pages of 02-pembukuan-pesanan (6.3 s CPU with HTMLExporter):
nbconvert compiled the Jinja templates again for every page (nbgrader makes one exporter per
trainee), 0.9 s, now compiled once per process through Jinja's own bytecode cache; and its
accessibility pass parsed and re-serialised each whole page (~100 KB) with BeautifulSoup's
pure-Python parser, 2.3 s, although with this classic-based template it can only change a page
that shows an image (it gives an <img> without alt text a description; the tabindex it adds is
for the lab template's cells, which this page has none of). A notebook that may show an image
still takes HTMLExporter's whole path. Both together: 6.3 s -> 3.6 s.
Of what was left, half was bleach (nbconvert's `clean_html`, run on every cell's highlighted code,
markdown and HTML output), and most cells are the same on every trainee's page (the lesson's text
and the given code; only answers and their checks' outputs differ): the exporter keeps bleach's
result per distinct piece of HTML for the process (a pure function of its input, so the page is
the same). A demo cohort's 75 pages (15 trainees, 5 assignments): 15.1 -> 10.7 s CPU, same bytes.

A written answer nobody has marked yet has no score in the gradebook: nbgrader counts it as 0,
the page says "menunggu penilaian pelatih" instead (`is_waiting`, `unmarked_answers`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BytecodeCache
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.strings import clean_html
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat import NotebookNode
from nbgrader.preprocessors import GetGrades
from nbgrader.preprocessors.base import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution, is_task
from traitlets.config import Config

from umkmkit.course import notebooks
from umkmkit.files import write_text_atomic
from umkmkit.formats import format_number

#: What a trainee sees in place of the hidden tests' code.
HIDDEN_PLACEHOLDER = "# (pemeriksaan tersembunyi: kodenya tidak ditampilkan)"
#: What a page shows for a part the trainer has not marked yet, instead of a score of 0.
WAITING = "menunggu penilaian pelatih"
#: The folder holding the kit's nbconvert templates (one sub-folder per template), and ours.
TEMPLATE_BASEDIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "feedback"
#: The key of cell metadata and resources where the template finds what the kit worked out.
PART_KEY = "umkmkit_part"

_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>\s*", re.IGNORECASE)
_MATHJAX_CONFIG = re.compile(r"<script[^>]*text/x-mathjax-config[^>]*>.*?</script>\s*", re.IGNORECASE | re.DOTALL)
_REMOTE_STYLESHEET = re.compile(r"<link[^>]*\bhref=[\"']https?://[^>]*>\s*", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
# "Bagian A (2 poin)", "Tantangan (2 poin tambahan, tidak wajib)": the part's name without its points
_POINTS_NOTE = re.compile(r"\s*\([^()]*\bpoin\b[^()]*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class UnmarkedAnswer:
    """A manually graded answer of a trainee's submission that no trainer has scored yet."""

    notebook: str
    grade_id: str
    #: the part of the notebook it answers (its section heading, e.g. "Bagian E"), or the grade id
    section: str
    points: float

    def describe(self) -> str:
        """For the trainer, e.g. "latihan, Bagian E (jawaban_tulis, 2 poin)"."""
        return f"{self.notebook}, {self.section} ({self.grade_id}, {format_points(self.points)} poin)"


def format_points(value: float | None) -> str:
    """Points the Indonesian way: 2, 1,5, 0,25 (never 2.0)."""
    return format_number(float(value or 0), "id", 2, trim=True)


def score_text(score: float | None, points: float | None) -> str:
    """e.g. "2 dari 2", "1,5 dari 2"."""
    return f"{format_points(score)} dari {format_points(points)}"


def is_waiting(grade) -> bool:
    """True when an nbgrader Grade still waits for the trainer: it needs a manual grade and has none.

    nbgrader leaves `manual_score` empty until a trainer scores the answer in the formgrader (which
    also clears `needs_manual_grade`); autograding sets `needs_manual_grade` for every cell it could
    not score itself. A re-graded answer the trainer had scored keeps its manual score: not waiting.
    """
    return bool(grade.needs_manual_grade) and grade.manual_score is None


def section_titles(nb: NotebookNode) -> dict[str, str]:
    """grade id -> the part of the notebook it belongs to: the nearest heading above it.

    "## Bagian A (2 poin)" gives "Bagian A"; a graded cell with no heading above it gets its grade id.
    """
    titles, current = {}, None
    for cell in nb.cells:
        grade_id = notebooks.grade_id(cell)
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not (nbgrader.get("solution") or nbgrader.get("grade")):
            fenced = False  # a "# comment" inside a ``` code block is no heading
            for line in cell.source.splitlines():
                if line.lstrip().startswith(("```", "~~~")):
                    fenced = not fenced
                found = None if fenced else _HEADING.match(line)
                if found:
                    current = _POINTS_NOTE.sub("", found.group(1)).strip() or current
        if grade_id and (nbgrader.get("grade") or nbgrader.get("task") or nbgrader.get("solution")):
            titles[grade_id] = current or grade_id
    return titles


def unmarked_answers(gradebook, assignment_id: str, trainee_id: str, autograded: Path) -> list[UnmarkedAnswer]:
    """The trainee's answers to this assignment still waiting for the trainer, in notebook order.

    `gradebook` is an open nbgrader Gradebook; `autograded` the trainee's autograded folder of the
    assignment, whose notebooks name each answer's section. A trainee without a submission has none.
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment_id, trainee_id)
    except MissingEntry:
        return []
    found = []
    for notebook in sorted(submission.notebooks, key=lambda n: n.name):
        waiting = [grade for grade in notebook.grades if is_waiting(grade)]
        if not waiting:
            continue
        path = autograded / f"{notebook.name}.ipynb"
        titles = section_titles(notebooks.read_notebook(path)) if path.is_file() else {}
        order = {grade_id: position for position, grade_id in enumerate(titles)}
        for grade in sorted(waiting, key=lambda g: (order.get(g.name, len(order)), g.name)):
            found.append(UnmarkedAnswer(notebook.name, grade.name, titles.get(grade.name, grade.name),
                                        float(grade.max_score or 0)))
    return found


class GetGradesForTrainee(GetGrades):
    """nbgrader's GetGrades, plus what the kit's template shows for each graded part.

    Each nbgrader cell gets `metadata.umkmkit_part` (kind, section, score text, status: "lulus",
    "belum", "menunggu" or "" for an answer without a score of its own); the resources get
    `umkmkit_part` with the notebook's score text (required parts apart from challenges, as in the
    report), the parts for the summary and the points still waiting for the trainer.
    """

    def _get_score(self, cell: NotebookNode, resources: dict) -> None:
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id)
        cell.metadata.nbgrader["score"] = grade.score
        cell.metadata.nbgrader["points"] = grade.max_score
        cell.metadata.nbgrader["waiting"] = is_waiting(grade)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb, resources = super().preprocess(nb, resources)
        titles = section_titles(nb)
        parts, waiting_points = [], 0.0
        required, challenge = [0.0, 0.0], [0.0, 0.0]  # [score, points]
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata or not (is_grade(cell) or is_solution(cell) or is_task(cell)):
                continue
            grade_id = notebooks.grade_id(cell) or ""
            part = describe_part(cell, titles.get(grade_id, ""))
            cell.metadata[PART_KEY] = part
            if not part["scored"]:
                continue
            parts.append(part)
            points = float(cell.metadata.nbgrader.get("points") or 0)
            if part["status"] == "menunggu":
                waiting_points += points
            total = challenge if notebooks.is_challenge(grade_id) else required
            total[0] += float(cell.metadata.nbgrader.get("score") or 0)
            total[1] += points
        late_penalty = float(resources["nbgrader"].get("late_penalty") or 0)
        resources[PART_KEY] = {
            "parts": parts,
            # passing is decided on the required parts; a challenge only adds points (as in the report)
            "score": score_text(max(0.0, required[0] - late_penalty), required[1]),
            "challenge": score_text(*challenge) if challenge[1] else "",
            "waiting_points": format_points(waiting_points) if waiting_points else "",
            "waiting_sections": [p["section"] for p in parts if p["status"] == "menunggu"],
            "late_penalty": format_points(late_penalty) if late_penalty else "",
        }
        return nb, resources


def describe_part(cell: NotebookNode, section: str) -> dict:
    """What the page says about one nbgrader cell: its kind in Indonesian, score text and status."""
    nbgrader = cell.metadata.nbgrader
    scored = bool(nbgrader.get("grade") or nbgrader.get("task"))
    if nbgrader.get("task"):
        kind = "Tugas"
    elif not nbgrader.get("solution"):
        kind = "Pemeriksaan"
    elif cell.cell_type == "markdown":
        kind = "Jawaban tertulis Anda" if scored else "Jawaban Anda"
    else:
        kind = "Jawaban Anda (dinilai pelatih)" if scored else "Jawaban Anda"
    status, text = "", ""
    if scored and nbgrader.get("waiting"):
        status, text = "menunggu", WAITING
    elif scored:
        score, points = float(nbgrader.get("score") or 0), float(nbgrader.get("points") or 0)
        status = "lulus" if score >= points else "belum"
        text = score_text(score, points)
    return {
        "anchor": f"nilai-{nbgrader.get('grade_id', '')}",
        "kind": kind,
        "section": section,
        "scored": scored,
        "status": status,
        "score": text,
    }


class HideHiddenTests(NbGraderPreprocessor):
    """Replace hidden tests by a placeholder and cut tracebacks down to the assert message."""

    def preprocess_cell(self, cell, resources, index):
        if notebooks.is_test_cell(cell):
            cell.source = hide_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    message = f"{output.ename}: {output.evalue}" if output.evalue else output.ename
                    output.traceback = [message]
        return cell, resources


def hide_hidden_tests(source: str) -> str:
    """The test cell's source with each hidden block replaced by one placeholder line."""
    kept, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == notebooks.BEGIN_HIDDEN_TESTS:
            inside = True
            kept.append(line[: len(line) - len(line.lstrip())] + HIDDEN_PLACEHOLDER)
        elif marker == notebooks.END_HIDDEN_TESTS:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


class _CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache kept in this process: each template is compiled once, and again only
    when its source changes (Jinja compares a checksum of the source)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (compiled := self._compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")


def may_show_an_image(nb: NotebookNode) -> bool:
    """True when a page of this notebook could hold an <img>: an image output or attachment, or
    markdown or HTML that names one. (When unsure, True: the page then takes nbconvert's path.)"""
    for cell in nb.cells:
        if cell.get("attachments"):
            return True
        if cell.cell_type == "markdown" and ("![" in cell.source or "<img" in cell.source.lower()):
            return True
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(kind in data for kind in _IMAGE_TYPES):
                return True
            if any("<img" in str(data.get(kind, "")).lower() for kind in ("text/html", "text/markdown")):
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _clean_html_remembered(element: str | bytes) -> str:
    """nbconvert's clean_html (bleach), computed once per distinct piece of HTML in this process."""
    return clean_html(element)


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter for the kit's feedback template, without its per-page costs that
    change nothing on these pages (see the module docstring)."""

    def default_filters(self):
        yield from super().default_filters()
        yield ("clean_html", _clean_html_remembered)

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _COMPILED_TEMPLATES
        return environment

    def from_notebook_node(self, nb: NotebookNode, resources: dict | None = None, **kw):
        if may_show_an_image(nb):
            return super().from_notebook_node(nb, resources, **kw)
        # HTMLExporter.from_notebook_node (nbconvert 7.17) up to its accessibility pass
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def configure(config: Config) -> None:
    """Make nbgrader's generate_feedback use the kit's preprocessors, exporter and Indonesian template.

    nbgrader's GenerateFeedback keeps HTMLExporter.template_name and extra_template_basedirs when
    they are configured (its own "feedback" template is only the default); FeedbackExporter, an
    HTMLExporter, takes them too.
    """
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.GenerateFeedback.preprocessors = [GetGradesForTrainee, HideHiddenTests, CSSHTMLHeaderPreprocessor]
    config.HTMLExporter.template_name = TEMPLATE_NAME
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATE_BASEDIR)]


def make_offline(page: Path) -> None:
    """Drop references to the internet (MathJax from a CDN) from a feedback page, in place.

    The kit's template asks for nothing outside the page; this also catches what a trainee's own
    output brought in.
    """
    text = page.read_text(encoding="utf-8")
    cleaned = _REMOTE_STYLESHEET.sub("", _REMOTE_SCRIPT.sub("", _MATHJAX_CONFIG.sub("", text)))
    if cleaned != text:
        write_text_atomic(page, cleaned)
