"""What participants take home: printable A4 handouts and cards, and the same pages for a phone.

After the workshop the notebooks stay on the trainer's laptop. `umkmkit handouts` writes, into
workspace/handouts/ (or `--out`):

- per module of curriculum.yml, `modul-<id>-<slug>.pdf`: the module's question (curriculum.yml),
  the key points of each of its lessons (their `## Poin penting`), the worked example and the
  steps for Monday (the `## Contoh lengkap` and `## Yang dilakukan hari Senin` sections of the
  module's last lesson), the module's terms (the lessons' `## Istilah`) and the facts of the
  registry (docs/fakta/) that what it says rests on, with the date each was checked;
- one-page cards, each built from the lessons, the data sets and the registry: `kartu-harga-aman`
  (a worksheet: the lessons' pricing rules and a column worked through with the lesson's own
  `harga_aman` example, computed by the participants' helper module lessons/bantu.py),
  `kartu-ongkir` (the volumetric-weight rules, the divisors of datasets/pembagi_volume.csv and
  the lesson's `berat_tagihan` example for each divisor), `kartu-tanda-bahaya-penipuan` (module
  03's red-flag table, what to do when someone tries, and its table of official channels) and
  `kartu-sudah-tertipu` (its steps once the money is gone, with the same channels: on one card
  both needed 8 pt type), `kartu-izin-usaha` (module 04's six permits as a checklist, its table
  of offices and the registry's DPMPTSP Manokwari), `kartu-buku-pesanan` and `kartu-buku-kas`
  (ruled logs to fill in by hand, the cash book starting with the lesson's example rows);
- `glosarium.pdf`: every module's terms in one list;
- beside each PDF the same content as a self-contained HTML page for a phone (Jinja2 templates
  with autoescape in templates/handouts/, CSS inline, nothing fetched), and `index.html` listing
  them all;
- the spreadsheet calculators of `umkmkit.course.calculators`, in `kalkulator/`.

Nothing here is typed a second time: texts, tables and examples are read from the notebooks
(found by their section titles and table headings, so renumbering a section does not break a
card), figures from the registry and the data sets, results computed by bantu.py. When a lesson
lacks what a card needs, the error names the lesson, the section and what is missing.

PDFs are laid out by ReportLab's Platypus on a canvas of the kit's engine `umkmkit.pdf` (DejaVu Sans
embedded, the same content giving the same bytes), code in DejaVu Sans Mono, which matplotlib ships
beside it. Body text is 11 pt; a card shrinks its type in steps of 2 % until it fits one page, to
7.9 pt at least (today's cards use 9.5 to 11 pt), and a card that does not fit even then is an
error that names it; glossaries run in two balanced columns; every page ends "Halaman n dari N". A
card or the glossary names the whole course under its footer. Measured on this project's 2-core
machine with other work running (load 1.3 to 3.7): reading the lessons 0.2 to 0.5 s, the PDFs 1.3 to
2.0 s, the phone pages 0.02 s, the calculators 0.7 to 1.2 s; `write_handouts` 2.0 s in all (median
of 6, 1.8 to 2.2 s; the hand-made layout took 1.15 s in the same runs).

Why Platypus: the kit's rule is libraries before hand-written code, and this module used to lay its
PDFs out by hand on the canvas: its own word wrap of regular, bold and code words across pages,
bullets, numbers and tick boxes, tables whose cells wrap and whose header repeats on a new page,
boxes, page breaks that keep a heading with two lines of text, two balanced columns, running heads
and footers (422 lines). Platypus has each of these: `Paragraph` markup, `ListFlowable`, `Table` with
`Paragraph` cells and `minRowHeights`, `CondPageBreak`, `BalancedColumns`, `PageTemplate`s with
their `onPage`. What is left here maps the lessons' blocks to flowables, draws the footers, and adds
two small flowables Platypus lacks: a table that fills its page with blank rows (the logs), and a
glossary entry that breaks its lines once while the columns are balanced. The PDF part went from 422
to 318 lines, the module from 1,621 to 1,570 (with this account, and a check that code is drawable
in the code font).

The price is time and size. The 14 PDFs, built from the same sheets in one process, the two layouts
alternating: by hand 0.40 to 0.72 s (the medians of seven series of 7 to 9 runs), with Platypus 1.2
to 2.4 s, in each series 2.9 to 3.7 times as long. Platypus breaks a paragraph's lines again for
every split it tries, and balancing two columns tries several splits of every page: the glossary
takes 0.35 to 0.39 s against 0.09 to 0.11 s. As before, a card is laid out once for each size it
tries (one that does not fit stops at its second page), and each longer sheet twice, the first pass
counting the pages for "Halaman n dari N". The code fonts add some 17 KB to each PDF that uses them
(ReportLab keeps DejaVu's licence text in every subset): a module's handout or the glossary is 81 to
92 KB instead of 46 to 60 KB. The handouts are written once per course, so under a second more is
acceptable, and the PDFs stay under 100 KB to send by WhatsApp.

Everything is built before anything is written; then the files go into a staging folder next to
the target that replaces the previous handouts folder in one step, so a failure leaves the old
folder as it was. A folder that holds other files (no `.umkmkit-lembar` marker) is never replaced.
"""

from __future__ import annotations

import logging
import ast
import csv
import functools
import importlib.util
import inspect
import os
import re
import shutil
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup, escape
from reportlab import platypus
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus.flowables import HRFlowable

from umkmkit import pdf
from umkmkit.course import notebooks
from umkmkit.course.curriculum import Curriculum, Module
from umkmkit.errors import UmkmkitError
from umkmkit.course.facts import Fact, fact_tokens, load_facts
from umkmkit.files import replace_folder
from umkmkit.formats import format_day, format_number, rupiah
from umkmkit.workspace import Kit

log = logging.getLogger(__name__)

#: The spreadsheet calculators' folder inside it.
CALCULATORS_FOLDER = "kalkulator"
#: Marks a folder this module wrote, so that writing again may replace it whole.
MARKER_FILE = ".umkmkit-lembar"
INDEX_FILE = "index.html"

#: The lesson sections handouts are made of (`## <title>` in the notebooks).
KEY_POINTS = "Poin penting"
TERMS = "Istilah"
EXAMPLE = "Contoh lengkap"
MONDAY = "Yang dilakukan hari Senin"

ORGANISER = "Pelatihan UMKM Manokwari"


def default_folder(kit: Kit) -> Path:
    """Where `umkmkit handouts` writes without --out: <workspace>/handouts."""
    return kit.workspace.handouts_dir


# --- Markdown, as the lessons write it ------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A run of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""


Spans = tuple[Span, ...]


def plain(spans: Iterable[Span]) -> str:
    """The text of spans without their markup."""
    return "".join(span.text for span in spans)


_INLINE = re.compile(
    r"`([^`\n]+)`"                                   # code
    r"|\*\*(.+?)\*\*"                                # bold
    r"|(?<![\w*])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![\w*])"  # italic
    r"|\[([^\]\n]+)\]\(([^)\s]+)\)"                  # link
)


def parse_inline(text: str, bold: bool = False, italic: bool = False) -> Spans:
    """Spans of one paragraph's Markdown: `code`, **bold**, *italic* and [links](url)."""
    spans: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position:match.start()], bold, italic))
        code, strong, emphasis, label, href = match.groups()
        if code is not None:
            spans.append(Span(code, bold, italic, code=True))
        elif strong is not None:
            spans.extend(parse_inline(strong, True, italic))
        elif emphasis is not None:
            spans.extend(parse_inline(emphasis, bold, True))
        else:
            spans.extend(Span(s.text, s.bold, s.italic, s.code, href) for s in parse_inline(label, bold, italic))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:], bold, italic))
    return tuple(spans)


def _text(text: str, **style) -> Spans:
    return (Span(text, **style),)


@dataclass(frozen=True)
class Paragraph:
    spans: Spans
    small: bool = False
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Heading:
    spans: Spans
    level: int = 2
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Item:
    spans: Spans
    level: int = 0


@dataclass(frozen=True)
class ListBlock:
    items: tuple[Item, ...]
    ordered: bool = False
    #: numbered with a box to tick (the Monday steps)
    checkbox: bool = False
    kind: ClassVar[str] = "list"


@dataclass(frozen=True)
class Table:
    header: tuple[Spans, ...]
    #: None is a cell left blank to fill in by hand
    rows: tuple[tuple[Spans | None, ...], ...]
    #: column widths as fractions of the text width (default: from the cells' lengths)
    widths: tuple[float, ...] | None = None
    #: the first rows are worked examples (shaded)
    shaded_rows: int = 0
    #: the lowest row height in points, for handwriting
    row_height: float = 0.0
    #: on paper, add blank rows down to the bottom of the page (a log to fill in)
    fill_page: bool = False
    #: blank rows on the phone page of such a log
    phone_blank_rows: int = 0
    caption: str = ""
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Quote:
    spans: Spans
    kind: ClassVar[str] = "quote"


@dataclass(frozen=True)
class Code:
    text: str
    kind: ClassVar[str] = "code"


@dataclass(frozen=True)
class Box:
    title: str
    blocks: tuple
    kind: ClassVar[str] = "box"


@dataclass(frozen=True)
class Term:
    """One entry of a lesson's `## Istilah`: the term, its meaning, the modules that teach it."""

    term: Spans
    definition: Spans
    modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Terms:
    terms: tuple[Term, ...]
    show_modules: bool = False
    kind: ClassVar[str] = "terms"


Block = Paragraph | Heading | ListBlock | Table | Quote | Code | Box | Terms

_ITEM = re.compile(r"^( *)([-*+]|\d+[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def parse_markdown(text: str) -> list[Block]:
    """The blocks of a lesson's Markdown: paragraphs, headings, lists, tables, quotes, code.

    HTML lines (the lessons' folded answers, <details>) are left out: a sheet has no room for them.
    """
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[list] = []  # [level, lines]
    ordered = False
    lines = text.splitlines()

    def close() -> None:
        nonlocal ordered
        if paragraph:
            blocks.append(Paragraph(parse_inline(" ".join(paragraph))))
            paragraph.clear()
        if items:
            blocks.append(ListBlock(tuple(Item(parse_inline(" ".join(words)), level) for level, words in items),
                                    ordered=ordered))
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        if stripped.startswith("```"):
            close()
            body = []
            while index < len(lines) and not lines[index].strip().startswith("```"):
                body.append(lines[index])
                index += 1
            index += 1
            blocks.append(Code("\n".join(body)))
        elif not stripped:
            close()
        elif stripped.startswith("<"):
            close()
        elif line.startswith("#"):
            close()
            marks, _, title = stripped.partition(" ")
            blocks.append(Heading(parse_inline(title.strip()), len(marks)))
        elif stripped.startswith("|"):
            close()
            rows = [stripped]
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(lines[index].strip())
                index += 1
            body_rows = [_cells(row) for row in rows[1:] if not _TABLE_RULE.match(row)]
            blocks.append(Table(tuple(parse_inline(cell) for cell in _cells(rows[0])),
                                tuple(tuple(parse_inline(cell) for cell in row) for row in body_rows)))
        elif stripped.startswith(">"):
            close()
            quoted = [stripped.lstrip(">").strip()]
            while index < len(lines) and lines[index].strip().startswith(">"):
                quoted.append(lines[index].strip().lstrip(">").strip())
                index += 1
            blocks.append(Quote(parse_inline(" ".join(q for q in quoted if q))))
        elif match := _ITEM.match(line):
            if paragraph:
                close()
            if not items:
                ordered = match.group(2)[0].isdigit()
            items.append([1 if len(match.group(1)) >= 2 else 0, [match.group(3).strip()]])
        elif items:
            items[-1][1].append(stripped)  # the item goes on (indented or lazy continuation)
        else:
            paragraph.append(stripped)
    close()
    return blocks


# --- Lessons --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """One `## ` section of a lesson: its Markdown and the code of its code cells."""

    lesson: str
    title: str
    markdown: str
    code: tuple[str, ...]

    @functools.cached_property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(parse_markdown(self.markdown))

    @property
    def where(self) -> str:
        return f"lessons/{self.lesson} § {self.title}"

    def sumber_lines(self) -> list[str]:
        return [line for line in self.markdown.splitlines() if "Sumber" in line]


@dataclass(frozen=True)
class Lesson:
    name: str
    module_id: str
    title: str
    sections: tuple[Section, ...]

    def section(self, title: str) -> Section | None:
        """The section whose title is `title` or starts with it (after a number like "6. ")."""
        for section in self.sections:
            bare = re.sub(r"^\d+[a-z]?\.\s*", "", section.title)
            if section.title == title or bare.startswith(title) or section.title.startswith(title):
                return section
        return None


def read_lesson(kit: Kit, name: str, module_id: str) -> Lesson:
    """A lesson notebook of lessons/ split into its `## ` sections."""
    path = kit.lessons_dir / name
    if not path.is_file():
        raise UmkmkitError(f"lessons/{name} is listed in curriculum.yml but missing: restore it or remove it from "
                           "curriculum.yml, then write the handouts again.")
    nb = notebooks.read_notebook(path)
    title = ""
    sections: list[Section] = []
    current, markdown, code = "(judul)", [], []

    def close() -> None:
        sections.append(Section(name, current, "\n".join(markdown).strip(), tuple(code)))

    for cell in nb.cells:
        if cell.cell_type == "code":
            code.append(cell.source)
            continue
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# ") and not title:
                title = line[2:].strip()
            elif line.startswith("## "):
                close()
                current, markdown, code = line[3:].strip(), [], []
            else:
                markdown.append(line)
        markdown.append("")  # a cell ends its paragraph
    close()
    return Lesson(name, module_id, title, tuple(sections))


def read_lessons(kit: Kit, curriculum: Curriculum) -> dict[str, list[Lesson]]:
    """Module id -> its lessons, in curriculum order."""
    return {m.id: [read_lesson(kit, name, m.id) for name in m.lessons] for m in curriculum.modules}


def _bullets(section: Section) -> tuple[Spans, ...]:
    return tuple(item.spans for block in section.blocks if isinstance(block, ListBlock)
                 for item in block.items if item.level == 0)


def key_points(lesson: Lesson) -> tuple[Spans, ...]:
    """The bullets of a lesson's `## Poin penting`."""
    section = lesson.section(KEY_POINTS)
    if section is None or not _bullets(section):
        raise UmkmkitError(f"lessons/{lesson.name} has no '## {KEY_POINTS}' list: every lesson ends with its key "
                           "points as a bulleted list (see tests/test_curriculum.py), and the handouts print them.")
    return _bullets(section)


def terms(lesson: Lesson) -> tuple[Term, ...]:
    """The entries of a lesson's `## Istilah`, each "**term**: meaning"."""
    section = lesson.section(TERMS)
    if section is None:
        return ()
    found = []
    for spans in _bullets(section):
        found.append(_split_term(spans, section.where))
    return tuple(found)


def _split_term(spans: Spans, where: str) -> Term:
    for index, span in enumerate(spans):
        if span.code or ":" not in span.text:
            continue
        before, _, after = span.text.partition(":")
        term = tuple(s for s in (*spans[:index], Span(before.rstrip(), span.bold, span.italic)) if s.text.strip())
        rest = (Span(after.lstrip(), span.bold, span.italic), *spans[index + 1:])
        if term and plain(rest).strip():
            return Term(term, rest)
    raise UmkmkitError(f"{where}: the entry '{plain(spans)[:60]}' is not written '**term**: meaning'; the handouts "
                       "print each term with its meaning, so write it that way.")


# --- The fact registry ----------------------------------------------------------------------------

_FACT_ID = re.compile(r"`([a-z0-9]+(?:-[a-z0-9]+)*)`")
_ADDRESS = re.compile(r"^[\w.-]+(@[\w-]+)?(\.[a-z]{2,})+$")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def cited_facts(facts: Sequence[Fact], texts: Iterable[str], sumber: Iterable[str] = (),
                ids: Iterable[str] = ()) -> tuple[Fact, ...]:
    """The registry's facts a sheet rests on, by id: those its Sumber lines name, those given by
    `ids`, and the one fact whose quoted form equals a fee, rate, article or deadline the texts state."""
    by_id = {fact.id: fact for fact in facts}
    wanted = dict.fromkeys(i for line in sumber for i in _FACT_ID.findall(line) if i in by_id)
    for fact_id in ids:
        if fact_id not in by_id:
            raise UmkmkitError(f"docs/fakta/{fact_id}.yml is missing: the handouts cite this fact; restore it.")
        wanted[fact_id] = None
    texts = list(texts)
    for fact in facts:  # a web address or e-mail the registry quotes, named in the text
        if any(_ADDRESS.match(quoted) and quoted in text for quoted in fact.dikutip for text in texts):
            wanted[fact.id] = None
    for text in texts:
        for token in fact_tokens(text):
            # a figure two facts quote (Rp500.000: a trademark class, a QRIS limit) names neither
            matches = [f for f in facts if any(_squash(token) == _squash(quoted) for quoted in f.dikutip)]
            if len(matches) == 1:
                wanted[matches[0].id] = None
    return tuple(by_id[i] for i in sorted(wanted))


def _sources_paragraph(facts: Sequence[Fact]) -> Paragraph:
    """One small paragraph naming the facts, grouped by the day they were checked."""
    by_day: dict = {}
    for fact in facts:
        by_day.setdefault(fact.diperiksa, []).append(fact.judul)
    parts = [f"diperiksa {format_day(day)}: {'; '.join(titles)}" for day, titles in sorted(by_day.items())]
    text = (f"daftar fakta pelatihan, {'. '.join(parts)}. Biaya, alamat, dan aturan bisa berubah: pastikan di kantor "
            "atau situs resminya.")
    return Paragraph((Span("Sumber: ", bold=True), Span(text)), small=True)


# --- Sheets ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """One printable sheet and its phone page: a module's handout, a card or the glossary."""

    stem: str
    kind: str  # "modul", "kartu" or "glosarium"
    label: str
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    footer: str
    orientation: str = "portrait"
    one_page: bool = False
    module_ids: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    #: under the footer of a card or the glossary: the whole course it belongs to
    series: str = ""


def _series(modules: Iterable[Module]) -> str:
    return "Modul pelatihan: " + " · ".join(f"{m.id} {m.judul}" for m in modules)


@dataclass
class _Sources:
    """What one sheet read, to cite: texts it states and Sumber lines of the sections it used."""

    texts: list[str] = field(default_factory=list)
    sumber: list[str] = field(default_factory=list)
    modules: dict[str, None] = field(default_factory=dict)

    def use(self, section: Section, lesson: Lesson) -> Section:
        self.sumber += section.sumber_lines()
        self.modules[lesson.module_id] = None
        return section


def _block_texts(blocks: Iterable) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading, Quote)):
            yield plain(block.spans)
        elif isinstance(block, ListBlock):
            yield from (plain(item.spans) for item in block.items)
        elif isinstance(block, Table):
            yield from (plain(cell) for row in (block.header, *block.rows) for cell in row if cell)
        elif isinstance(block, Box):
            yield from _block_texts(block.blocks)
        elif isinstance(block, Terms):
            yield from (plain(t.term) + ": " + plain(t.definition) for t in block.terms)
        elif isinstance(block, Code):
            yield block.text


def _without_sumber(blocks: Iterable[Block]) -> list[Block]:
    """A section's blocks without its Sumber box (the sheet cites its facts in one place)."""
    return [b for b in blocks if not (isinstance(b, Paragraph) and plain(b.spans).lstrip().startswith("Sumber"))]


def _module_label(module: Module) -> str:
    return f"Modul {module.id}"


def module_sheet(module: Module, lessons: list[Lesson], facts: Sequence[Fact], warnings: list[str]) -> Sheet:
    """A module's handout: question, key points, worked example, Monday steps, terms, sources."""
    sources = _Sources()
    blocks: list[Block] = [Box("Pertanyaan", (Paragraph(_text(module.pertanyaan)),))]
    blocks.append(Heading(_text("Poin penting")))
    for lesson in lessons:
        points = key_points(lesson)
        sources.use(lesson.section(KEY_POINTS), lesson)
        if len(lessons) > 1:
            blocks.append(Heading(_text(lesson.title), 3))
        blocks.append(ListBlock(tuple(Item(spans) for spans in points)))
    last = lessons[-1]
    for title, heading in ((EXAMPLE, "Contoh lengkap"), (MONDAY, "Yang dilakukan hari Senin")):
        section = last.section(title)
        if section is None or not section.blocks:
            warnings.append(f"modul {module.id}: lessons/{last.name} belum punya bagian '## {title}'; lembarnya "
                            f"dibuat tanpa bagian itu. (The module's last lesson lacks '## {title}'.)")
            continue
        sources.use(section, last)
        blocks.append(Heading(_text(heading)))
        for block in _without_sumber(section.blocks):
            if title == MONDAY and isinstance(block, ListBlock) and block.ordered:
                block = ListBlock(block.items, ordered=True, checkbox=True)
            blocks.append(block)
    module_terms = _merge_terms((t, module.id) for lesson in lessons for t in terms(lesson))
    if module_terms:
        blocks += [Heading(_text("Istilah")), Terms(module_terms)]
    sources.texts += _block_texts(blocks)
    cited = cited_facts(facts, sources.texts, sources.sumber)
    if cited:
        blocks.append(_sources_paragraph(cited))
    return Sheet(
        stem=f"modul-{module.id}-{module.slug}", kind="modul", label=_module_label(module), title=module.judul,
        subtitle=f"Lembar bawa pulang · {ORGANISER}", blocks=tuple(blocks),
        footer=f"{ORGANISER} · Modul {module.id} {module.judul}", module_ids=(module.id,), facts=cited,
    )


def _merge_terms(entries: Iterable[tuple[Term, str]]) -> tuple[Term, ...]:
    """Terms in the order met; the same term with the same meaning once, with all its modules."""
    merged: dict[tuple[str, str], Term] = {}
    for term, module_id in entries:
        meaning = " ".join(re.sub(r"[^\w\s]", " ", plain(term.definition)).lower().split())  # commas aside
        key = (plain(term.term).strip().lower(), meaning)
        known = merged.get(key)
        modules = (*known.modules, module_id) if known else (module_id,)
        merged[key] = Term(term.term, term.definition, tuple(dict.fromkeys(modules)))
    return tuple(merged.values())


def _sort_key(term: Term) -> str:
    return re.sub(r"^[^0-9a-z]+", "", plain(term.term).lower())


# --- Finding what a card needs in the lessons -----------------------------------------------------

def _all(lessons: dict[str, list[Lesson]]) -> list[Lesson]:
    return [lesson for group in lessons.values() for lesson in group]


def _find_section(lessons: dict[str, list[Lesson]], title: str, card: str) -> tuple[Lesson, Section]:
    for lesson in _all(lessons):
        section = lesson.section(title)
        if section is not None:
            return lesson, section
    raise UmkmkitError(f"The {card} card reads the lesson section '## {title}', and no lesson has it: restore the "
                       "section (or change umkmkit/course/handouts.py to read another), then write the handouts again.")


def _find_key_point(lessons: dict[str, list[Lesson]], start: str, card: str,
                    sources: _Sources) -> Spans:
    for lesson in _all(lessons):
        section = lesson.section(KEY_POINTS)
        for spans in _bullets(section) if section else ():
            if plain(spans).startswith(start):
                sources.use(section, lesson)
                return spans
    raise UmkmkitError(f"The {card} card prints the key point that starts '{start}' (a '## {KEY_POINTS}' bullet of a "
                       "lesson), and no lesson has it: restore it, then write the handouts again.")


def _find_table(section: Section, first_header: str, card: str) -> Table:
    for block in section.blocks:
        if isinstance(block, Table) and plain(block.header[0]).strip().startswith(first_header):
            return block
    raise UmkmkitError(f"The {card} card prints the table of {section.where} whose first column is "
                       f"'{first_header}', and that section has none: restore the table, then write the handouts "
                       "again.")


def _find_paragraph(section: Section, start: str, card: str) -> tuple[int, Paragraph]:
    for index, block in enumerate(section.blocks):
        if isinstance(block, Paragraph) and plain(block.spans).startswith(start):
            return index, block
    raise UmkmkitError(f"The {card} card prints the paragraph of {section.where} that starts '{start}', and that "
                       "section has none: restore it, then write the handouts again.")


def _list_after(section: Section, start: str, card: str) -> tuple[Paragraph, ListBlock]:
    index, paragraph = _find_paragraph(section, start, card)
    for block in section.blocks[index + 1:]:
        if isinstance(block, ListBlock):
            return paragraph, block
        if not isinstance(block, Paragraph):
            break
    raise UmkmkitError(f"The {card} card prints the list after '{start}' in {section.where}, and there is none: "
                       "restore it, then write the handouts again.")


def _columns(table: Table, headers: Sequence[str], where: str) -> Table:
    """The table with only these columns (by the start of their heading), in this order."""
    names = [plain(cell).strip() for cell in table.header]
    picked = []
    for wanted in headers:
        matches = [i for i, name in enumerate(names) if name.startswith(wanted)]
        if not matches:
            raise UmkmkitError(f"{where}: the table has no column '{wanted}' (it has {', '.join(names)}); "
                               "the handouts print that column.")
        picked.append(matches[0])
    return Table(tuple(table.header[i] for i in picked), tuple(tuple(row[i] if i < len(row) else () for i in picked)
                                                               for row in table.rows))


def _literal_calls(lessons: Iterable[Lesson], function: str) -> Iterable[tuple[tuple, str, Lesson, Section]]:
    """Every call `function(...)` with only literal arguments in the lessons' code cells, in order:
    its arguments, its source text, and where it is."""
    for lesson in lessons:
        for section in lesson.sections:
            for source in section.code:
                try:
                    tree = ast.parse(source)
                except SyntaxError:
                    continue
                calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                                and isinstance(node.func, ast.Name) and node.func.id == function
                                and not node.keywords), key=lambda node: (node.lineno, node.col_offset))
                for node in calls:
                    try:
                        args = tuple(ast.literal_eval(arg) for arg in node.args)
                    except ValueError:
                        continue
                    yield args, ast.get_source_segment(source, node) or function, lesson, section


def _first_call(lessons: dict[str, list[Lesson]], function: str, arity: Sequence[int], card: str,
                accept=lambda args: True) -> tuple[tuple, str, Lesson, Section]:
    for args, source, lesson, section in _literal_calls(_all(lessons), function):
        if len(args) in arity and accept(args):
            return args, source, lesson, section
    raise UmkmkitError(f"The {card} card works the lessons' own example of {function}(...) through, and no lesson "
                       f"calls {function} with numbers written out: restore the example, then write the handouts "
                       "again.")


def load_bantu(kit: Kit) -> types.ModuleType:
    """The participants' helper module lessons/bantu.py, whose results the cards print."""
    path = kit.lessons_dir / "bantu.py"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise UmkmkitError(f"{path} is missing: restore it from git (git checkout -- lessons/bantu.py).") from error
    return _load_bantu(path, stamp)


@functools.lru_cache(maxsize=4)
def _load_bantu(path: Path, _stamp: int) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("umkmkit_handouts_bantu", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Numbers as the sheets write them -------------------------------------------------------------

def _rp(amount: float) -> str:
    if float(amount).is_integer():
        return rupiah(amount)
    return "Rp" + format_number(float(amount), decimals=2)


def _dec(value: float) -> str:
    """A rate as a decimal, as the lessons write it on paper: 0,40 and 0,08 and 0,0697."""
    text = format_number(float(value), decimals=4, trim=True)
    whole, _, decimals = text.partition(",")
    return f"{whole},{decimals.ljust(2, '0')}"


def _kg(value: float) -> str:
    return f"{format_number(float(value), decimals=3, trim=True)} kg"


def _whole(value: float) -> str:
    return format_number(value, decimals=0)


# --- Cards ----------------------------------------------------------------------------------------

PRICE_FACTS = ("shopee-biaya-admin", "shopee-biaya-proses-pesanan", "tiktok-shop-biaya")
SHIPPING_FACTS = ("jne-berat-tagihan", "jnt-cargo-berat-volume", "kargo-kapal-berat-volume")
PERMIT_FACTS = ("dpmptsp-manokwari",)


def _card(stem: str, title: str, subtitle: str, blocks: list[Block], sources: _Sources, facts: Sequence[Fact],
          modules: dict[str, Module], *, ids: Sequence[str] = (), orientation: str = "portrait") -> Sheet:
    sources.texts += _block_texts(blocks)
    cited = cited_facts(facts, sources.texts, sources.sumber, ids)
    if cited:
        blocks = [*blocks, _sources_paragraph(cited)]
    used = [modules[m] for m in sources.modules if m in modules]
    origin = ", ".join(f"modul {m.id} {m.judul}" for m in used)
    return Sheet(stem=stem, kind="kartu", label="Kartu", title=title, subtitle=subtitle, blocks=tuple(blocks),
                 footer=f"{ORGANISER} · dari {origin}" if origin else ORGANISER, orientation=orientation,
                 one_page=True, module_ids=tuple(m.id for m in used), facts=cited, series=_series(modules.values()))


def _fact_box(title: str, facts: Sequence[Fact], ids: Sequence[str]) -> Box:
    by_id = {fact.id: fact for fact in facts}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise UmkmkitError(f"docs/fakta/{missing[0]}.yml is missing: the handouts print this fact; restore it.")
    return Box(title, tuple(Paragraph((Span(by_id[i].judul + ". ", bold=True), Span(by_id[i].pernyataan)))
                            for i in ids))


def price_card(lessons: dict[str, list[Lesson]], facts: Sequence[Fact], bantu, modules: dict[str, Module]) -> Sheet:
    """Harga aman: the lessons' pricing rules and a worksheet, with the lesson's example worked through."""
    card, sources = "harga aman", _Sources()
    rules = [_find_key_point(lessons, start, card, sources)
             for start in ("HPP per barang", "Harga aman", "Uang yang masuk")]
    (hpp, margin, percent, per_order), call, lesson, section = _first_call(lessons, "harga_aman", (4,), card)
    sources.use(section, lesson)
    remaining = 1 - margin - percent
    price = bantu.harga_aman(hpp, margin, percent, per_order)
    received = bantu.uang_diterima(price, percent, per_order)
    steps = [
        ("1. HPP per barang", _rp(hpp)),
        ("2. Margin yang diinginkan, sebagai desimal", _dec(margin)),
        ("3. Biaya persen kanal, sebagai desimal (WhatsApp: 0)", _dec(percent)),
        ("4. Biaya per pesanan (WhatsApp: 0)", _rp(per_order)),
        ("5. Sisa = 1 − margin − biaya persen", _dec(remaining)),
        ("6. HPP + biaya per pesanan", _rp(hpp + per_order)),
        ("7. Langkah 6 dibagi langkah 5", _rp(round((hpp + per_order) / remaining, 2))),
        ("8. Harga aman: langkah 7 dibulatkan ke atas ke kelipatan Rp500", _rp(price)),
        ("9. Uang diterima = harga − harga × biaya persen − biaya per pesanan", _rp(received)),
        ("10. Untung = uang diterima − HPP", _rp(received - hpp)),
    ]
    example = f"Contoh modul {lesson.module_id}"
    blocks: list[Block] = [
        Box("Rumus dari pelajaran", (ListBlock(tuple(Item(rule) for rule in rules)),)),
        Paragraph((Span("Isi satu kolom untuk setiap kanal. Kolom contoh memakai angka dari pelajaran (bagian "
                        f"\u201c{section.title}\u201d): "), Span(call, code=True), Span("."))),
        Table((_text("Langkah"), _text(example), _text("Kanal: ………"), _text("Kanal: ………"), _text("Kanal: ………")),
              tuple((_text(label), _text(value), None, None, None) for label, value in steps),
              widths=(0.40, 0.15, 0.15, 0.15, 0.15), row_height=20, caption="Lembar hitung harga aman"),
        _fact_box("Biaya contoh bertanggal: baca biaya toko Anda sendiri di Seller Center", facts, PRICE_FACTS),
    ]
    return _card("kartu-harga-aman", "Harga aman", "Lembar hitung: harga jual yang tetap memberi margin setelah "
                 "biaya kanal dipotong", blocks, sources, facts, modules, ids=PRICE_FACTS)


def read_divisors(kit: Kit) -> list[dict[str, str]]:
    """The rows of datasets/pembagi_volume.csv (kurir, layanan, moda, pembagi, catatan)."""
    path = kit.datasets_dir / "pembagi_volume.csv"
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as error:
        raise UmkmkitError(f"{path} cannot be read ({error.strerror or error}): restore it from git.") from error
    needed = {"kurir", "layanan", "moda", "pembagi", "catatan"}
    if not rows or not needed <= set(rows[0]):
        raise UmkmkitError(f"{path}: expected the columns {', '.join(sorted(needed))}; regenerate the data sets.")
    return rows


def shipping_card(kit: Kit, lessons: dict[str, list[Lesson]], facts: Sequence[Fact], bantu,
                  modules: dict[str, Module]) -> Sheet:
    """Ongkir: berat volume and berat tagihan by the lessons' rules, each divisor of the data set."""
    card, sources = "ongkir", _Sources()
    rules = [_find_key_point(lessons, start, card, sources) for start in ("Berat tagihan", "Ongkir =")]
    saving = _find_key_point(lessons, "Dari Papua", card, sources)
    divisors = read_divisors(kit)
    args, call, lesson, section = _first_call(lessons, "berat_tagihan", (4, 5), card,
                                        accept=lambda a: all(x > 0 for x in a[:4]))
    sources.use(section, lesson)
    weight, length, width, height = args[:4]
    by_divisor: dict[int, list[str]] = {}
    for row in divisors:
        by_divisor.setdefault(int(row["pembagi"]), []).append(row["kurir"])
    volume = length * width * height
    header = [_text("Langkah")]
    columns: list[list[str]] = []
    for divisor, couriers in sorted(by_divisor.items(), reverse=True):
        header.append(_text(f"Contoh ÷ {divisor} ({', '.join(dict.fromkeys(couriers))})"))
        by_volume = volume / divisor
        columns.append([f"{_whole(length)} × {_whole(width)} × {_whole(height)} = {_whole(volume)}", _kg(by_volume),
                        _kg(weight), _kg(max(weight, by_volume)),
                        f"{bantu.berat_tagihan(weight, length, width, height, divisor)} kg", "", ""])
    header.append(_text("Paket Anda"))
    labels = ["Panjang × lebar × tinggi (cm)", "Dibagi pembagi = berat volume", "Berat timbangan",
              "Yang lebih besar", "Berat tagihan (paling sedikit 1 kg; sisa lebih dari 300 gram ke atas)",
              "× tarif per kg (tanyakan di loket kurir)", "= ongkir"]
    rows = tuple((_text(label), *(_text(column[i]) if column[i] else None for column in columns), None)
                 for i, label in enumerate(labels))
    share = 0.55 / (len(columns) + 1)
    blocks: list[Block] = [
        Box("Aturan dari pelajaran", (ListBlock(tuple(Item(rule) for rule in rules)),)),
        Heading(_text("Pembagi berat volume"), 3),
        Table((_text("Kurir"), _text("Layanan"), _text("Moda"), _text("Pembagi"), _text("Catatan")),
              tuple((_text(r["kurir"]), _text(r["layanan"]), _text(r["moda"]), _text(r["pembagi"]),
                     _text(r["catatan"])) for r in divisors),
              widths=(0.14, 0.10, 0.12, 0.10, 0.54), caption="Pembagi berat volume"),
        Heading(_text("Hitung paket Anda"), 3),
        Paragraph((Span(f"Contoh dari pelajaran (bagian \u201c{section.title}\u201d), "), Span(call, code=True),
                   Span(f": berat {_kg(weight)}, kotak {_whole(length)} × {_whole(width)} × {_whole(height)} cm. "
                        "Kotak yang sama, pembagi berbeda."))),
        Table(tuple(header), rows, widths=(0.45, *([share] * (len(columns) + 1))), row_height=20,
              caption="Lembar hitung berat tagihan"),
        Box("Kirim lebih hemat dari Papua", (Paragraph(saving),)),
    ]
    return _card("kartu-ongkir", "Ongkir dan berat volume", "Berat tagihan kurir: berat timbangan atau berat "
                 "volume, mana yang lebih besar", blocks, sources, facts, modules, ids=SHIPPING_FACTS)


def fraud_cards(lessons: dict[str, list[Lesson]], facts: Sequence[Fact], modules: dict[str, Module]) -> list[Sheet]:
    """Module 03 on two cards: the red flags with where to report, and what to do once scammed.

    One card holding both needs 8 pt type; two are read at 9 to 11 pt.
    """
    card, sources = "tanda bahaya penipuan", _Sources()
    lesson, flags = _find_section(lessons, "Tanda bahaya sebuah pesanan", card)
    sources.use(flags, lesson)
    table = _columns(_find_table(flags, "Tanda bahaya", card), ("Tanda bahaya", "Kenapa", "Poin"), flags.where)
    rule = _find_key_point(lessons, "Beberapa tanda bahaya", card, sources)
    lesson, act = _find_section(lessons, "Kalau ada yang mencoba menipu", card)
    sources.use(act, lesson)
    tried = _list_after(act, "Kalau baru dicoba", card)
    channels = _columns(_find_table(act, "Saluran", card), ("Saluran", "Untuk apa"), act.where)
    no_naming = _find_key_point(lessons, "Jangan sebarkan", card, sources)
    channel_blocks = [Heading(_text("Saluran resmi"), 3),
                      Table(channels.header, channels.rows, widths=(0.42, 0.58), caption="Saluran resmi")]
    red_flags = _card("kartu-tanda-bahaya-penipuan", "Tanda bahaya penipuan", "Tahan dulu dan cek mutasi; "
                      "laporkan lewat saluran resmi", [
                          Table(table.header, table.rows, widths=(0.40, 0.52, 0.08), caption="Tanda bahaya"),
                          Box("Aturan toko", (Paragraph(rule),)),
                          Paragraph(tried[0].spans), ListBlock(tried[1].items, ordered=True),
                          *channel_blocks, Paragraph(no_naming),
                      ], sources, facts, modules)
    card, sources = "sudah tertipu", _Sources()
    sources.use(act, lesson)
    scammed = _list_after(act, "Kalau uang Anda sudah terkirim", card)
    scammed_card = _card("kartu-sudah-tertipu", "Sudah tertipu? Lapor secepatnya", "Bank dulu, lalu IASC dan "
                         "polisi, dengan semua buktinya", [
                             Paragraph(scammed[0].spans), ListBlock(scammed[1].items, ordered=True), *channel_blocks,
                         ], sources, facts, modules)
    return [red_flags, scammed_card]


def permit_card(lessons: dict[str, list[Lesson]], facts: Sequence[Fact], modules: dict[str, Module]) -> Sheet:
    """Izin usaha: module 04's six permits as a checklist, which office does what, DPMPTSP Manokwari."""
    card, sources = "izin usaha", _Sources()
    lesson, why = _find_section(lessons, "Kenapa kita membahas izin", card)
    sources.use(why, lesson)
    permits = _find_table(why, "Surat", card)
    lesson, offices = _find_section(lessons, "Kantor-kantor yang membantu", card)
    sources.use(offices, lesson)
    office_table = _find_table(offices, "Urusan", card)
    by_id = {fact.id: fact for fact in facts}
    if "dpmptsp-manokwari" not in by_id:
        raise UmkmkitError("docs/fakta/dpmptsp-manokwari.yml is missing: the permit card prints it; restore it.")
    blocks: list[Block] = [
        Table((_text("Sudah punya?"), *permits.header), tuple((None, *row) for row in permits.rows),
              widths=(0.11, 0.17, 0.27, 0.25, 0.20), caption="Daftar periksa izin"),
        Box("DPMPTSP Manokwari", (Paragraph(_text(by_id["dpmptsp-manokwari"].pernyataan)),)),
        Heading(_text("Urusan mana, kantor mana"), 3),
        Table(office_table.header, office_table.rows, widths=(0.58, 0.42), caption="Kantor"),
    ]
    return _card("kartu-izin-usaha", "Izin usaha dan merek", "Daftar periksa: centang yang sudah Anda punya, "
                 "bawa kartu ini ke DPMPTSP", blocks, sources, facts, modules, ids=PERMIT_FACTS)


#: The columns of the paper order log (a form, not a fact: the lessons' buku pesanan, by hand).
ORDER_LOG_COLUMNS = (
    ("No. pesanan", 0.08), ("Tanggal", 0.08), ("Pembeli (nama, HP)", 0.17), ("Barang", 0.15), ("Jumlah", 0.06),
    ("Harga", 0.09), ("Ongkir", 0.08), ("Total", 0.09), ("Sudah dibayar? (cek mutasi)", 0.11), ("Dikirim", 0.09),
)


def order_log_card(lessons: dict[str, list[Lesson]], facts: Sequence[Fact], modules: dict[str, Module]) -> Sheet:
    """Buku pesanan: a ruled order log to fill in, with the lessons' rules about payment."""
    card, sources = "buku pesanan", _Sources()
    pay_first = _find_key_point(lessons, "Kirim barang setelah", card, sources)
    matching = _find_key_point(lessons, "Cocokkan setiap pesanan", card, sources)
    blocks: list[Block] = [
        ListBlock((Item(pay_first), Item(matching))),
        Table(tuple(_text(name) for name, _ in ORDER_LOG_COLUMNS), (), widths=tuple(w for _, w in ORDER_LOG_COLUMNS),
              row_height=25, fill_page=True, phone_blank_rows=3, caption="Buku pesanan"),
    ]
    return _card("kartu-buku-pesanan", "Buku pesanan", "Satu baris per pesanan. Total = harga × jumlah + ongkir.",
                 blocks, sources, facts, modules, orientation="landscape")


def cash_book_card(lessons: dict[str, list[Lesson]], facts: Sequence[Fact], modules: dict[str, Module]) -> Sheet:
    """Buku kas: the lesson's cash book, its example rows first, then ruled rows to fill in."""
    card, sources = "buku kas", _Sources()
    lesson, section = _find_section(lessons, "Dua buku", card)
    sources.use(section, lesson)
    _, what = _find_paragraph(section, "Buku kas", card)
    _, balance = _find_paragraph(section, "Saldo", card)
    example = _find_table(section, "Tanggal", card)
    blocks: list[Block] = [
        Paragraph(what.spans), Paragraph(balance.spans),
        Paragraph(_text(f"Baris berwarna: contoh dari pelajaran modul {lesson.module_id}. Tulis baris Anda di "
                        "bawahnya."), small=True),
        Table(example.header, example.rows, widths=(0.15, 0.33, 0.11, 0.135, 0.135, 0.14),
              shaded_rows=len(example.rows), row_height=25, fill_page=True, phone_blank_rows=3, caption="Buku kas"),
    ]
    return _card("kartu-buku-kas", "Buku kas", "Setiap uang masuk dan keluar, dengan saldonya", blocks, sources,
                 facts, modules, orientation="landscape")


def glossary_sheet(curriculum: Curriculum, lessons: dict[str, list[Lesson]]) -> Sheet:
    """Every module's terms in one alphabetical list, each with the modules that teach it."""
    merged = _merge_terms((t, m_id) for m_id, group in lessons.items() for lesson in group for t in terms(lesson))
    legend = "; ".join(f"{m.id} {m.judul}" for m in curriculum.modules)
    blocks: list[Block] = [
        Paragraph(_text(f"Angka di belakang setiap istilah adalah nomor modul yang mengajarkannya: {legend}.")),
        Terms(tuple(sorted(merged, key=_sort_key)), show_modules=True),
    ]
    return Sheet(stem="glosarium", kind="glosarium", label="Semua modul", title="Daftar istilah",
                 subtitle=f"Istilah dari semua pelajaran · {ORGANISER}", blocks=tuple(blocks),
                 footer=f"{ORGANISER} · daftar istilah semua modul",
                 module_ids=tuple(m.id for m in curriculum.modules), series=_series(curriculum.modules))


def build_sheets(kit: Kit, curriculum: Curriculum) -> tuple[list[Sheet], list[str]]:
    """Every sheet, read from the lessons, the data sets and the registry; and warnings for the trainer."""
    lessons = read_lessons(kit, curriculum)
    facts = load_facts(kit)
    bantu = load_bantu(kit)
    modules = {m.id: m for m in curriculum.modules}
    warnings: list[str] = []
    sheets = [module_sheet(m, lessons[m.id], facts, warnings) for m in curriculum.modules if lessons[m.id]]
    sheets += [
        price_card(lessons, facts, bantu, modules),
        shipping_card(kit, lessons, facts, bantu, modules),
        *fraud_cards(lessons, facts, modules),
        permit_card(lessons, facts, modules),
        order_log_card(lessons, facts, modules),
        cash_book_card(lessons, facts, modules),
        glossary_sheet(curriculum, lessons),
    ]
    for sheet in sheets:
        _check_drawable(sheet)
    return sheets, warnings


def _code_texts(blocks: Iterable[Block]) -> Iterable[str]:
    """What the PDFs set in the code font: code spans and code blocks."""
    for block in blocks:
        runs: list[Spans] = []
        if isinstance(block, Code):
            yield block.text
        elif isinstance(block, Box):
            yield from _code_texts(block.blocks)
        elif isinstance(block, (Paragraph, Heading, Quote)):
            runs = [block.spans]
        elif isinstance(block, ListBlock):
            runs = [item.spans for item in block.items]
        elif isinstance(block, Table):
            runs = [cell for row in (block.header, *block.rows) for cell in row if cell]
        elif isinstance(block, Terms):
            runs = [spans for term in block.terms for spans in (term.term, term.definition)]
        yield from (span.text for spans in runs for span in spans if span.code)


def _check_drawable(sheet: Sheet) -> None:
    text = "\n".join([sheet.title, sheet.subtitle, sheet.footer, *_block_texts(sheet.blocks)])
    code = "\n".join(_code_texts(sheet.blocks))
    _register_fonts()
    for checked, font in ((text, pdf.REGULAR), (text, pdf.BOLD), (code, MONO), (code, MONO_BOLD)):
        missing = pdf.undrawable_characters(checked, font)
        if missing:
            raise UmkmkitError(f"The sheet '{sheet.title}' contains {', '.join(repr(c) for c in missing)}, which the "
                               "PDF fonts cannot draw (an emoji or a script outside Latin, Greek and Cyrillic): "
                               "remove it from the lesson text it comes from, then write the handouts again.")


# --- PDF ------------------------------------------------------------------------------------------

_INK = colors.Color(0.10, 0.10, 0.10)
_ACCENT = colors.Color(0.0, 0.345, 0.545)
_MUTED = colors.Color(0.33, 0.33, 0.33)
_CODE_INK = colors.Color(0.02, 0.29, 0.42)
_LINE = colors.Color(0.62, 0.62, 0.62)
_HEAD_FILL = colors.Color(0.90, 0.93, 0.96)
_BOX_FILL = colors.Color(0.93, 0.957, 0.98)
_SHADE = colors.Color(0.95, 0.96, 0.97)
_MARGIN = 42.0
#: a card uses more of its one page
_CARD_MARGIN = 34.0
#: between the two columns of a glossary
_GUTTER = 18.0
#: Type sizes a card tries, largest first, until it fits one page (body text 11 pt down to 7.9 pt).
CARD_SCALES = tuple(round(1.0 - 0.02 * step, 2) for step in range(15))
#: Code is set in DejaVu Sans Mono, which matplotlib ships beside the engine's DejaVu Sans.
MONO = "DejaVuSansMono"
MONO_BOLD = "DejaVuSansMono-Bold"
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@functools.cache
def _register_fonts() -> None:
    """The code fonts, and the families that let Paragraph markup's <b> pick each font's bold."""
    pdf.register_fonts()  # first: registering a font maps its bold to itself
    folder = pdf.font_files()[pdf.REGULAR].parent
    for name in (MONO, MONO_BOLD):
        try:
            pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
        except (OSError, ValueError, TTFError) as error:
            raise UmkmkitError(f"Cannot read the font {folder / name}.ttf: {error}. It comes with matplotlib; "
                               "reinstall the kit (make setup) and try again.") from error
    # no italic faces: *text* prints upright, as it always has
    registerFontFamily(pdf.REGULAR, normal=pdf.REGULAR, bold=pdf.BOLD, boldItalic=pdf.BOLD)
    registerFontFamily(MONO, normal=MONO, bold=MONO_BOLD, boldItalic=MONO_BOLD)


def _hex(color: colors.Color) -> str:
    return "#" + color.hexval()[2:]


def _markup(spans: Iterable[Span]) -> str:
    """Paragraph markup of spans: bold, code in the code font and colour, links in the accent colour."""
    parts = []
    for span in spans:
        text = xml_escape(_CONTROLS.sub(" ", span.text))
        text = f"<b>{text}</b>" if span.bold else text  # inside <font face>, so that it picks that face's bold
        if span.code:
            text = f'<font face="{MONO}" color="{_hex(_CODE_INK)}">{text}</font>'
        elif span.href:
            text = f'<font color="{_hex(_ACCENT)}">{text}</font>'
        parts.append(text)
    return "".join(parts)


@functools.lru_cache(maxsize=len(CARD_SCALES))
def _styles(scale: float) -> dict[str, ParagraphStyle]:
    """The paragraph styles of a sheet whose body text is 11 pt times `scale`."""
    body, small, cell, term = 11.0 * scale, 8.8 * scale, 11.0 * scale * 0.92, 11.0 * scale * 0.88

    def style(name: str, size: float, font: str = pdf.REGULAR, color: colors.Color = _INK, leading: float = 1.36,
              **more) -> ParagraphStyle:
        # allowWidows=0: the last line of a paragraph does not start a page or column alone
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * leading, textColor=color,
                              allowWidows=0, **more)

    return {
        "label": style("label", 9.5 * scale, pdf.BOLD, _ACCENT, leading=1.5),
        "title": style("title", 22 * scale, pdf.BOLD, leading=1.15, spaceAfter=9 * scale),
        "subtitle": style("subtitle", 11 * scale, color=_MUTED, leading=1.25, spaceAfter=6 * scale),
        "body": style("body", body, spaceAfter=body * 0.45),
        "small": style("small", small, spaceBefore=small * 0.4, spaceAfter=small * 0.45),
        "quote": style("quote", body, leftIndent=body, spaceAfter=body * 0.45),
        "item": style("item", body, spaceAfter=body * 0.25),
        "heading2": style("heading2", 14 * scale, pdf.BOLD, _ACCENT, spaceBefore=14 * scale * 0.6),
        "heading3": style("heading3", 11.8 * scale, pdf.BOLD, spaceBefore=11.8 * scale * 0.35,
                          spaceAfter=11.8 * scale * 0.35),
        "box title": style("box title", 10.5 * scale, pdf.BOLD, _ACCENT),
        "cell": style("cell", cell),
        "header cell": style("header cell", cell, pdf.BOLD),
        "term": style("term", term, spaceAfter=term * 0.3),
        "code": style("code", body * 0.9, MONO, _CODE_INK, leftIndent=body * 0.9, spaceAfter=body * 0.9 * 0.45),
    }


class _FillPage(platypus.Flowable):
    """A table that adds blank rows down to the bottom of the page it lands on: a log to fill in by hand.

    `make(n)` is the table with `n` blank rows of `row_height` points. It is meant for one-page cards:
    split over pages, the table goes on without the blank rows.
    """

    def __init__(self, make, row_height: float):
        super().__init__()
        self._make, self._row_height = make, row_height
        self._table = make(0)
        self.spaceAfter = self._table.spaceAfter

    def wrap(self, width, height):
        _, used = self._make(0).wrap(width, height)
        self._table = self._make(max(0, int((height - used) // self._row_height)))
        return self._table.wrap(width, height)

    def split(self, width, height):
        return self._make(0).split(width, height)

    def draw(self):
        self._table.drawOn(self.canv, 0, 0)


def _list(block: ListBlock, styles: dict[str, ParagraphStyle]) -> platypus.ListFlowable:
    size = styles["item"].fontSize
    if block.checkbox or block.ordered:
        indent = size * (1.6 if block.checkbox else 1.9)
        marker = {"bulletType": "1", "bulletFormat": "%s.", "bulletFontName": pdf.BOLD, "bulletColor": _INK,
                  "leftIndent": indent, "bulletDedent": indent}
    else:
        marker = {"bulletType": "bullet", "start": "•", "bulletFontName": pdf.REGULAR, "bulletColor": _ACCENT,
                  "leftIndent": size * 1.3, "bulletDedent": size * 1.1}
    groups: list[tuple[Item, list[Item]]] = []  # an item and the items indented under it
    for item in block.items:
        if item.level and groups:
            groups[-1][1].append(item)
        else:
            groups.append((item, []))
    items = []
    for item, under in groups:
        flowables = [platypus.Paragraph(_markup(item.spans), styles["item"])]
        if under:
            flowables.append(_list(ListBlock(tuple(Item(i.spans) for i in under)), styles))
        items.append(platypus.ListItem(flowables))
    if not block.checkbox:
        return platypus.ListFlowable(items, bulletFontSize=size, spaceAfter=size * 0.3, **marker)
    # a box to tick before each number: each item is a one-item numbered list, in a list whose bullet is the box
    # (DejaVu's ballot box at 1.17 times the size is 0.85 of it high, raised to stand on the text's baseline)
    return platypus.ListFlowable(
        [platypus.ListItem(platypus.ListFlowable([item], start=number, bulletFontSize=size, spaceAfter=size * 0.25,
                                                 **marker))
         for number, item in enumerate(items, start=1)],
        bulletType="bullet", start="\u2610", bulletFontName=pdf.REGULAR, bulletFontSize=size * 1.17,
        bulletOffsetY=size * 0.21, bulletColor=_INK, leftIndent=size * 1.3, bulletDedent=size * 1.3,
        spaceAfter=size * 0.3)


def _table(block: Table, styles: dict[str, ParagraphStyle], width: float, scale: float) -> platypus.Flowable:
    count = len(block.header)
    rows = [(*row, *[None] * count)[:count] for row in block.rows]
    if block.widths:
        shares = block.widths
    else:
        longest = [max([len(plain(block.header[i]))] + [len(plain(row[i])) for row in rows if row[i]])
                   for i in range(count)]
        shares = tuple(min(max(n, 6), 60) for n in longest)
    widths = [width * share / sum(shares) for share in shares]
    cell, pad = styles["cell"], 3.2 * scale
    data = [[platypus.Paragraph(_markup(spans), style) if spans else "" for spans in row]
            for row, style in ((block.header, styles["header cell"]), *((row, cell) for row in rows))]
    style = [("FONT", (0, 0), (-1, -1), pdf.REGULAR, cell.fontSize, cell.leading),  # blank cells: one line high
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.6, _LINE),
             ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
             *[(side, (0, 0), (-1, -1), pad) for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING",
                                                          "BOTTOMPADDING")]]
    if block.shaded_rows:
        style.append(("BACKGROUND", (0, 1), (-1, block.shaded_rows), _SHADE))

    def make(blank_rows: int) -> platypus.Table:
        every = data + [[""] * count for _ in range(blank_rows)]
        return platypus.Table(every, colWidths=widths, repeatRows=1, style=style, hAlign="LEFT",
                              minRowHeights=[block.row_height * scale] * len(every),
                              spaceAfter=styles["body"].fontSize * 0.7)

    if block.fill_page:
        return _FillPage(make, max(block.row_height * scale, cell.leading + 2 * pad))
    return make(0)


def _box(block: Box, styles: dict[str, ParagraphStyle], width: float, scale: float) -> platypus.Table:
    """The blocks on a tinted ground with an accent bar on the left, kept on one page."""
    pad, bar = 7.0 * scale, 3.0
    inner = [platypus.Paragraph(xml_escape(block.title), styles["box title"]),
             *_flowables(block.blocks, styles, width - bar - 2 * pad, scale)]
    return platypus.Table([["", inner]], colWidths=[bar, width - bar], hAlign="LEFT",
                          spaceAfter=styles["body"].fontSize * 0.6, style=[
                              ("BACKGROUND", (0, 0), (0, 0), _ACCENT), ("BACKGROUND", (1, 0), (1, 0), _BOX_FILL),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), pdf.REGULAR),
                              ("LEFTPADDING", (0, 0), (0, 0), 0), ("RIGHTPADDING", (0, 0), (0, 0), 0),
                              ("LEFTPADDING", (1, 0), (1, 0), pad), ("RIGHTPADDING", (1, 0), (1, 0), pad),
                              ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad)])


class _Entry(platypus.Paragraph):
    """A glossary entry. Balancing columns wraps each entry many times at one width: break its lines once."""

    def wrap(self, width, height):
        if getattr(self, "_wrapped_at", None) != width:
            self._wrapped_at, self._size = width, super().wrap(width, height)
        return self._size


def _terms(block: Terms, styles: dict[str, ParagraphStyle]) -> platypus.Flowable:
    """Glossary entries in two columns of even length, page after page."""
    entries = []
    for term in block.terms:
        spans = (*(Span(s.text, True, s.italic, s.code) for s in term.term), Span(": "), *term.definition)
        if block.show_modules:
            spans = (*spans, Span(f" (modul {', '.join(term.modules)})"))
        entries.append(_Entry(_markup(spans), styles["term"]))
    return platypus.BalancedColumns(entries, nCols=2, innerPadding=_GUTTER, leftPadding=0, rightPadding=0,
                                    topPadding=0, bottomPadding=0)


def _flowables(blocks: Iterable[Block], styles: dict[str, ParagraphStyle], width: float,
               scale: float) -> list[platypus.Flowable]:
    body = styles["body"]
    story: list[platypus.Flowable] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            story.append(platypus.Paragraph(_markup(block.spans), styles["small" if block.small else "body"]))
        elif isinstance(block, Heading):
            style = styles["heading2" if block.level <= 2 else "heading3"]
            # a heading starts a page rather than end one: it needs room for two lines under it
            story += [platypus.CondPageBreak(style.leading + style.spaceBefore + 2 * body.leading + style.fontSize),
                      platypus.Paragraph(_markup(block.spans), style)]
            if block.level <= 2:
                story.append(HRFlowable(width="100%", thickness=0.8, color=_ACCENT, spaceBefore=0,
                                        spaceAfter=style.fontSize * 0.35))
        elif isinstance(block, ListBlock):
            story.append(_list(block, styles))
        elif isinstance(block, Table):
            story.append(_table(block, styles, width, scale))
        elif isinstance(block, Box):
            story.append(_box(block, styles, width, scale))
        elif isinstance(block, Terms):
            story.append(_terms(block, styles))
        elif isinstance(block, Quote):
            story.append(platypus.Paragraph(_markup(block.spans), styles["quote"]))
        elif isinstance(block, Code):
            code = styles["code"]
            fits = int((width - code.leftIndent) / pdfmetrics.stringWidth("0", MONO, code.fontSize))
            text = "\n".join(_CONTROLS.sub(" ", line) for line in block.text.splitlines())
            story.append(platypus.Preformatted(text, code, maxLineLength=fits, newLineChars="  "))
    return story


class _TooLong(Exception):
    """A one-page card reached a second page."""


def _build(sheet: Sheet, scale: float, total: int | None) -> tuple[bytes, int]:
    """The sheet laid out with its type at `scale`, "Halaman n dari `total`" under each page; and its pages."""
    _register_fonts()
    info = {"title": f"{sheet.label}: {sheet.title}", "subject": sheet.subtitle, "author": ORGANISER}
    document = pdf.document(sheet.orientation, **info)
    margin = _CARD_MARGIN if sheet.one_page else _MARGIN
    width, top, bottom = document.width - 2 * margin, document.height - margin, margin + 16
    running = 8.5 * scale  # the running head of the pages after the first
    pages = 0

    def footer(canvas, doc) -> None:
        nonlocal pages
        pages = doc.page
        canvas.setStrokeColor(_LINE)
        canvas.setLineWidth(0.5)
        canvas.line(margin, margin + 8, margin + width, margin + 8)
        text = f"{sheet.footer} · Halaman {doc.page}" + (f" dari {total}" if total else "")
        canvas.setFillColor(_MUTED)
        pdf.draw_lines(canvas, pdf.fit_text(text, width, pdf.REGULAR, 8.0, 6.0), margin, margin - 2)
        if sheet.series:
            pdf.draw_lines(canvas, pdf.fit_text(sheet.series, width, pdf.REGULAR, 6.5, 5.0), margin, margin - 11)

    def continued(canvas, doc) -> None:
        if sheet.one_page:
            raise _TooLong
        footer(canvas, doc)
        head = pdf.fit_text(f"{sheet.label} · {sheet.title} (lanjutan)", width, pdf.REGULAR, running)
        pdf.draw_lines(canvas, head, margin, top - running)
        canvas.line(margin, top - running * 1.6, margin + width, top - running * 1.6)

    def frame(name: str, height: float) -> platypus.Frame:
        return platypus.Frame(margin, bottom, width, height, leftPadding=0, bottomPadding=0, rightPadding=0,
                              topPadding=0, id=name)

    templates = [
        platypus.PageTemplate("first", [frame("first", top - bottom)], onPage=footer, autoNextPageTemplate="later"),
        platypus.PageTemplate("later", [frame("later", top - running * 1.6 - 10 * scale - bottom)], onPage=continued),
    ]
    styles = _styles(scale)
    story = [platypus.Paragraph(xml_escape(sheet.label.upper()), styles["label"]),
             platypus.Paragraph(xml_escape(sheet.title), styles["title"])]
    if sheet.subtitle:
        story.append(platypus.Paragraph(xml_escape(sheet.subtitle), styles["subtitle"]))
    story.append(HRFlowable(width="100%", thickness=2, color=_ACCENT, spaceBefore=0, spaceAfter=12 * scale))
    story += _flowables(sheet.blocks, styles, width, scale)
    # the engine's canvas (its fonts, fixed bytes, date); Platypus writes the document's properties into it again
    layout = platypus.BaseDocTemplate(None, pagesize=(document.width, document.height), pageTemplates=templates,
                                      creator="umkmkit", **info)
    layout.build(story, canvasmaker=lambda *_, **__: document.canvas)
    # Platypus ended the last page and saved the file into the document's buffer (to_bytes would add a page)
    return document.saved_bytes(), pages


def render_pdf(sheet: Sheet) -> tuple[bytes, int]:
    """The sheet as PDF bytes and its number of pages; a card shrinks its type until it fits one page."""
    if not sheet.one_page:
        _, pages = _build(sheet, 1.0, None)  # a first pass counts the pages for "Halaman n dari N"
        return _build(sheet, 1.0, pages)
    for scale in CARD_SCALES:
        try:
            return _build(sheet, scale, 1)
        except _TooLong:
            continue
    raise UmkmkitError(f"The card '{sheet.title}' does not fit one A4 page even at {CARD_SCALES[-1] * 11:.1f} pt: "
                       "the lesson text it prints has grown; shorten it, or let the card print less of it "
                       "(umkmkit/course/handouts.py).")


# --- HTML -----------------------------------------------------------------------------------------

def _inline_html(spans: Iterable[Span]) -> Markup:
    parts = []
    for span in spans:
        html = escape(span.text)
        if span.code:
            html = Markup("<code>") + html + Markup("</code>")
        if span.italic:
            html = Markup("<em>") + html + Markup("</em>")
        if span.bold:
            html = Markup("<strong>") + html + Markup("</strong>")
        if span.href:
            html = Markup('<a href="') + escape(span.href) + Markup('">') + html + Markup("</a>")
        parts.append(html)
    return Markup("").join(parts)


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates" / "handouts"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
)
_TEMPLATES.filters["inline"] = _inline_html


def render_html(sheet: Sheet) -> str:
    """The sheet's phone page: one self-contained HTML file."""
    return _TEMPLATES.get_template("lembar.html.j2").render(sheet=sheet, index_name=INDEX_FILE)


# --- Writing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WrittenSheet:
    title: str
    kind: str
    label: str
    pdf: Path
    html: Path
    pages: int


@dataclass(frozen=True)
class Handouts:
    """What `write_handouts` wrote."""

    folder: Path
    index: Path
    sheets: tuple[WrittenSheet, ...]
    calculators: tuple[Path, ...]
    #: why there are no calculators, when there are none
    calculators_note: str
    warnings: tuple[str, ...]


def _calculators_writer():
    """`umkmkit.course.calculators.write_calculators`, or None while that module is not there (a hook)."""
    try:
        from umkmkit.course.calculators import write_calculators
    except ImportError:
        return None
    return write_calculators


def write_calculators_into(kit: Kit, folder: Path) -> tuple[list[Path], str]:
    """The spreadsheet calculators, written into `folder`; and a note when there are none."""
    writer = _calculators_writer()
    if writer is None:
        return [], "modul kalkulator (umkmkit.course.calculators) belum ada di kit ini"
    accepts_kit = "kit" in inspect.signature(writer).parameters
    return list(writer(folder, kit=kit) if accepts_kit else writer(folder)), ""


def _unwritable(folder: Path, error: OSError) -> UmkmkitError:
    why = error.strerror or str(error)
    return UmkmkitError(
        f"Tidak bisa menulis lembar bawa pulang ke {folder}: {why}. Pilih folder yang bisa ditulis dengan --out "
        f"(misalnya di flashdisk atau folder rumah Anda), lalu jalankan lagi. "
        f"(Cannot write the handouts to {folder}: {why}. Choose a writable folder with --out.)"
    )


def write_handouts(kit: Kit, curriculum: Curriculum, out: Path | None = None) -> Handouts:
    """Write every handout, card, phone page and calculator into `out` (default: workspace/handouts).

    All is built first; the files are written into a staging folder beside `out` that then
    replaces `out` whole. `out` must be empty, missing, or a folder this function wrote before.

    Raises
    ------
    UmkmkitError
        When a lesson lacks what a sheet prints, or the folder cannot be written.
    """
    folder = Path(out) if out is not None else default_folder(kit)
    sheets, warnings = build_sheets(kit, curriculum)
    rendered = [(sheet, *render_pdf(sheet), render_html(sheet)) for sheet in sheets]
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not (folder / MARKER_FILE).is_file())):
        raise UmkmkitError(
            f"{folder} sudah berisi berkas lain: pilih folder kosong atau nama baru dengan --out, supaya berkas itu "
            f"tidak tertimpa. ({folder} already holds other files; choose an empty or new folder with --out.)"
        )
    staging = folder.parent / f".{folder.name}.baru-{os.getpid()}"
    try:
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        written = []
        for sheet, data, pages, html in rendered:
            (staging / f"{sheet.stem}.pdf").write_bytes(data)
            (staging / f"{sheet.stem}.html").write_text(html, encoding="utf-8", newline="\n")
            written.append(WrittenSheet(sheet.title, sheet.kind, sheet.label, folder / f"{sheet.stem}.pdf",
                                        folder / f"{sheet.stem}.html", pages))
        made, note = write_calculators_into(kit, staging / CALCULATORS_FOLDER)
        calculators = tuple(folder / CALCULATORS_FOLDER / path.name for path in made)
        (staging / INDEX_FILE).write_text(_index_html(curriculum, sheets, written, calculators, note), encoding="utf-8",
                                          newline="\n")
        (staging / MARKER_FILE).write_text("Ditulis oleh `umkmkit handouts`; folder ini diganti utuh setiap kali.\n",
                                           encoding="utf-8")
        replace_folder(staging, folder)
    except OSError as error:
        raise _unwritable(folder, error) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("handouts: %d sheet(s) and %d calculator(s) in %s", len(written), len(calculators), folder)
    for warning in warnings:
        log.warning("handouts: %s", warning)
    return Handouts(folder, folder / INDEX_FILE, tuple(written), calculators, note, tuple(warnings))


def up_to_date(kit: Kit, folder: Path) -> bool:
    """True when `folder` holds handouts written after every file they are read from changed
    (curriculum.yml, the lessons and bantu.py, the registry, the data sets, this module)."""
    marker = Path(folder) / MARKER_FILE
    if not marker.is_file():
        return False
    sources = [kit.curriculum_file, *kit.lessons_dir.iterdir(), *kit.facts_dir.glob("*.yml"),
               *kit.datasets_dir.glob("*.csv"), Path(__file__).resolve()]
    return marker.stat().st_mtime >= max(path.stat().st_mtime for path in sources if path.is_file())


def ensure_handouts(kit: Kit, curriculum: Curriculum, folder: Path | None = None) -> Path:
    """The handouts folder (default: workspace/handouts), written first unless `up_to_date`
    (writing them takes some 3 s: not at every start of the room's server or every release)."""
    folder = Path(folder) if folder is not None else default_folder(kit)
    if not up_to_date(kit, folder):
        write_handouts(kit, curriculum, folder)
    return folder


def module_handouts(kit: Kit, curriculum: Curriculum, assignment_id: str) -> list[Path]:
    """The printable handout of the module whose assignment is `assignment_id` (none for the
    knowledge test or an unknown id), from the kit's handouts folder, written when stale."""
    module = next((m for m in curriculum.assignments if m.assignment == assignment_id), None)
    if module is None:
        return []
    return sorted(ensure_handouts(kit, curriculum).glob(f"modul-{module.id}-*.pdf"))


def _index_html(curriculum: Curriculum, sheets: list[Sheet], written: list[WrittenSheet],
                calculators: tuple[Path, ...], note: str) -> str:
    by_stem = {sheet.stem: sheet for sheet in sheets}
    modules = {m.id: m for m in curriculum.modules}

    def entry(sheet: Sheet, done: WrittenSheet, text: str) -> dict:
        return {"title": f"{sheet.label} · {sheet.title}" if sheet.kind == "modul" else sheet.title,
                "html": done.html.name, "text": text,
                "links": [{"href": done.html.name, "text": "Baca di HP"},
                          {"href": done.pdf.name, "text": f"PDF untuk dicetak ({done.pages} halaman)"}]}

    groups = [
        {"title": "Per modul", "note": "", "entries": [
            entry(by_stem[w.pdf.stem], w, modules[by_stem[w.pdf.stem].module_ids[0]].pertanyaan)
            for w in written if w.kind == "modul"]},
        {"title": "Kartu", "note": "Satu halaman A4 untuk dicetak, ditempel, atau diisi.", "entries": [
            entry(by_stem[w.pdf.stem], w, by_stem[w.pdf.stem].subtitle) for w in written if w.kind != "modul"]},
    ]
    if calculators:
        groups.append({"title": "Kalkulator", "note": "Berkas lembar kerja: buka di Excel, LibreOffice, Google Sheets "
                       "atau WPS Office, juga tanpa internet.", "entries": [
                           {"title": path.stem.replace("-", " ").capitalize(), "html": "", "text": "",
                            "links": [{"href": f"{CALCULATORS_FOLDER}/{path.name}", "text": path.name}]}
                           for path in calculators]})
    return _TEMPLATES.get_template("index.html.j2").render(
        title="Lembar bawa pulang",
        lead="Ringkasan setiap modul, kartu untuk dipakai di usaha Anda, dan daftar istilah. Semua halaman ini "
             "terbuka tanpa internet.",
        groups=groups, footer=f"{ORGANISER} · {', '.join(f'modul {m.id} {m.judul}' for m in curriculum.modules)}",
    )


def summary(result: Handouts) -> list[str]:
    """What `umkmkit handouts` prints for the trainer, in Bahasa Indonesia."""
    lines = [f"Lembar bawa pulang ditulis di {result.folder}"]

    def files(sheet: WrittenSheet) -> str:
        pages = f" ({sheet.pages} halaman)" if sheet.pages > 1 else ""
        return f"{sheet.pdf.name}{pages}, {sheet.html.name}"

    lines.append("  Per modul (PDF A4 untuk dicetak, halaman HTML untuk HP):")
    lines += [f"    {s.label} {s.title}: {files(s)}" for s in result.sheets if s.kind == "modul"]
    lines.append("  Kartu (satu halaman A4 per kartu) dan daftar istilah:")
    lines += [f"    {s.title}: {files(s)}" for s in result.sheets if s.kind != "modul"]
    lines.append(f"  Semua halaman HP dalam satu daftar (buka di browser, tanpa internet): {result.index.name}")
    if result.calculators:
        lines.append(f"  Kalkulator (Excel, LibreOffice, Google Sheets) di {CALCULATORS_FOLDER}/: "
                     + ", ".join(p.name for p in result.calculators))
    else:
        lines.append(f"  Kalkulator tidak ditulis: {result.calculators_note}.")
    lines += [f"Perhatian: {warning}" for warning in result.warnings]
    lines.append("Cetak PDF-nya untuk setiap peserta, atau kirim berkasnya lewat WhatsApp atau flashdisk.")
    return lines
