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
- the spreadsheet calculators of `umkmkit.calculators`, in `kalkulator/`.

Nothing here is typed a second time: texts, tables and examples are read from the notebooks
(found by their section titles and table headings, so renumbering a section does not break a
card), figures from the registry and the data sets, results computed by bantu.py. When a lesson
lacks what a card needs, the error names the lesson, the section and what is missing.

PDFs go through the kit's engine `umkmkit.pdf` (ReportLab, DejaVu embedded). It sets one font
per line; this module adds what handouts need on top of its public API: running text that mixes
regular, bold and code words and wraps across pages, lists with bullets or tick boxes, tables
whose cells wrap, boxes, page headers and "Halaman n dari N" footers, and cards that shrink their
type step by step until they fit one page. Body text is 11 pt (cards at least 7.9 pt; today's
cards use 9.2 to 11 pt); glossaries run in two balanced columns. A card or the glossary names the
whole course under its footer. Measured on this project's 2-core machine, with other tests
running: reading the lessons 0.8 s, the PDFs 1.5 s, the phone pages 0.1 s, the calculators 2.0 s.

Everything is built before anything is written; then the files go into a staging folder next to
the target that replaces the previous handouts folder in one step, so a failure leaves the old
folder as it was. A folder that holds other files (no `.umkmkit-lembar` marker) is never replaced.
"""

from __future__ import annotations

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

import jinja2
from markupsafe import Markup, escape

from umkmkit import notebooks, pdf
from umkmkit.curriculum import Curriculum, Module
from umkmkit.errors import UmkmkitError
from umkmkit.facts import Fact, fact_tokens, load_facts
from umkmkit.formats import format_day, format_number, rupiah
from umkmkit.workspace import Kit

#: The folder under the workspace (Workspace.root) that `umkmkit handouts` writes by default.
HANDOUTS_FOLDER = "handouts"
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
    return kit.workspace.root / HANDOUTS_FOLDER


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
                       "section (or change umkmkit/handouts.py to read another), then write the handouts again.")


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


def _check_drawable(sheet: Sheet) -> None:
    text = "\n".join([sheet.title, sheet.subtitle, sheet.footer, *_block_texts(sheet.blocks)])
    for font in (pdf.REGULAR, pdf.BOLD):
        missing = pdf.undrawable_characters(text, font)
        if missing:
            raise UmkmkitError(f"The sheet '{sheet.title}' contains {', '.join(repr(c) for c in missing)}, which the "
                               "PDF fonts cannot draw (an emoji or a script outside Latin, Greek and Cyrillic): "
                               "remove it from the lesson text it comes from, then write the handouts again.")


# --- PDF ------------------------------------------------------------------------------------------

_INK = (0.10, 0.10, 0.10)
_ACCENT = (0.0, 0.345, 0.545)
_MUTED = (0.33, 0.33, 0.33)
_CODE_INK = (0.02, 0.29, 0.42)
_LINE = (0.62, 0.62, 0.62)
_HEAD_FILL = (0.90, 0.93, 0.96)
_BOX_FILL = (0.93, 0.957, 0.98)
_SHADE = (0.95, 0.96, 0.97)
_MARGIN = 42.0
#: a card uses more of its one page
_CARD_MARGIN = 34.0
#: Type sizes a card tries, largest first, until it fits one page (body text 11 pt down to 7.9 pt).
CARD_SCALES = tuple(round(1.0 - 0.02 * step, 2) for step in range(15))


@dataclass
class _Piece:
    text: str
    font: str
    color: tuple[float, float, float]


class _Pdf:
    """Lays a sheet's blocks out on A4 pages, top to bottom, breaking pages where needed."""

    def __init__(self, sheet: Sheet, scale: float, total: int | None):
        self.sheet, self.scale, self.total = sheet, scale, total
        self.doc = pdf.document(sheet.orientation, title=f"{sheet.label}: {sheet.title}", subject=sheet.subtitle,
                                author=ORGANISER)
        self.canvas = self.doc.canvas
        self.margin = margin = _CARD_MARGIN if sheet.one_page else _MARGIN
        self.page_left, self.right = margin, self.doc.width - margin
        self.page_width = self.right - self.page_left
        # the column text flows in: the page's width, or one of two columns (glossaries)
        self.left, self.width = self.page_left, self.page_width
        self.columns, self.column, self.column_top, self.column_floor = 1, 0, 0.0, 0.0
        self.bottom = margin + 16
        self.body = 11.0 * scale
        self.small = 8.8 * scale
        self.page = 0
        self.y = 0.0
        self._new_page()

    # pages

    def _new_page(self) -> None:
        if self.page:
            self.doc.new_page()
        self.page += 1
        left, width = self.page_left, self.page_width
        self.canvas.setStrokeColorRGB(*_LINE)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(left, self.margin + 8, self.right, self.margin + 8)
        footer = f"{self.sheet.footer} · Halaman {self.page}" + (f" dari {self.total}" if self.total else "")
        self._line(pdf.fit_text(footer, width, pdf.REGULAR, 8.0, 6.0), left, self.margin - 2, pdf.REGULAR, _MUTED)
        if self.sheet.series:
            self._line(pdf.fit_text(self.sheet.series, width, pdf.REGULAR, 6.5, 5.0), left, self.margin - 11,
                       pdf.REGULAR, _MUTED)
        top = self.doc.height - self.margin
        if self.page == 1:
            size = 9.5 * self.scale
            self._line(pdf.fit_text(self.sheet.label.upper(), width, pdf.BOLD, size), left, top - size, pdf.BOLD,
                       _ACCENT)
            y = top - size * 1.5
            title = pdf.fit_text(self.sheet.title, width, pdf.BOLD, 22 * self.scale, 14 * self.scale, most_lines=2)
            y = self._line(title, left, y - title.size, pdf.BOLD, _INK, leading=1.15)
            if self.sheet.subtitle:
                sub = pdf.fit_text(self.sheet.subtitle, width, pdf.REGULAR, 11 * self.scale, 8 * self.scale,
                                   most_lines=2)
                y = self._line(sub, left, y + title.size * 0.15 - 2, pdf.REGULAR, _MUTED) + sub.size * 0.4
            self.canvas.setStrokeColorRGB(*_ACCENT)
            self.canvas.setLineWidth(2)
            self.canvas.line(left, y, self.right, y)
            self.y = y - 12 * self.scale
        else:
            size = 8.5 * self.scale
            self._line(pdf.fit_text(f"{self.sheet.label} · {self.sheet.title} (lanjutan)", width, pdf.REGULAR, size),
                       left, top - size, pdf.REGULAR, _MUTED)
            self.canvas.setStrokeColorRGB(*_LINE)
            self.canvas.setLineWidth(0.5)
            self.canvas.line(left, top - size * 1.6, self.right, top - size * 1.6)
            self.y = top - size * 1.6 - 10 * self.scale
        if self.columns > 1:
            self._to_column(0, self.y)

    def _line(self, fitted: pdf.Fitted, x: float, y: float, font: str, color, leading: float = 1.25) -> float:
        self.canvas.setFillColorRGB(*color)
        return pdf.draw_lines(self.canvas, fitted, x, y, font, leading=leading)

    def _room(self, height: float) -> None:
        """Go on in the next column, or on a new page, unless `height` points fit above the bottom margin."""
        if self.y - height < self.bottom:
            if self.column + 1 < self.columns:
                self.column_floor = min(self.column_floor, self.y)
                self._to_column(self.column + 1, self.column_top)
            else:
                self._new_page()

    _GUTTER = 18.0

    def _to_column(self, column: int, top: float) -> None:
        width = (self.page_width - self._GUTTER * (self.columns - 1)) / self.columns
        self.column, self.column_top = column, top
        if column == 0:
            self.column_floor = top
        self.left, self.width, self.y = self.page_left + column * (width + self._GUTTER), width, top

    def in_columns(self, count: int, draw) -> None:
        """Let `draw()` flow its text in `count` columns, then go on below the longest one."""
        self.columns = count
        self._to_column(0, self.y)
        draw()
        bottom = min(self.y, self.column_floor) if self.column else self.y
        self.columns, self.column = 1, 0
        self.left, self.width, self.y = self.page_left, self.page_width, bottom

    # running text

    @staticmethod
    def _groups(spans: Iterable[Span], bold: bool = False) -> list[list[_Piece]]:
        """Words (pieces that no space separates) of the spans, each piece one font and colour."""
        groups: list[list[_Piece]] = []
        current: list[_Piece] = []
        for span in spans:
            font = pdf.BOLD if span.bold or bold else pdf.REGULAR
            color = _CODE_INK if span.code else _ACCENT if span.href else _INK
            for part in re.split(r"(\s+)", span.text):
                if not part:
                    continue
                if part.isspace():
                    if current:
                        groups.append(current)
                        current = []
                else:
                    current.append(_Piece(pdf.clean_text(part), font, color))
        if current:
            groups.append(current)
        return groups

    @staticmethod
    def _space(font: str, size: float) -> float:
        return pdf.text_width("x x", font, size) - pdf.text_width("xx", font, size)

    def _wrap(self, spans: Iterable[Span], width: float, size: float, bold: bool = False) -> list[list[list[_Piece]]]:
        lines: list[list[list[_Piece]]] = [[]]
        used = 0.0
        for group in self._groups(spans, bold):
            measure = sum(pdf.text_width(p.text, p.font, size) for p in group)
            space = self._space(group[0].font, size)
            if lines[-1] and used + space + measure > width:
                lines.append([])
                used = 0.0
            if not lines[-1] and measure > width:  # a word wider than the column: cut it
                for chunk in self._cut(group, width, size):
                    lines[-1].append(chunk)
                    lines.append([])
                lines.pop()
                used = sum(pdf.text_width(p.text, p.font, size) for p in lines[-1][-1])
                continue
            used += (space if lines[-1] else 0.0) + measure
            lines[-1].append(group)
        return [line for line in lines if line] or [[]]

    @staticmethod
    def _cut(group: list[_Piece], width: float, size: float) -> list[list[_Piece]]:
        chunks: list[list[_Piece]] = [[]]
        used = 0.0
        for piece in group:
            for char in piece.text:
                char_width = pdf.text_width(char, piece.font, size)
                if used + char_width > width and chunks[-1]:
                    chunks.append([])
                    used = 0.0
                last = chunks[-1][-1] if chunks[-1] else None
                if last and last.font == piece.font and last.color == piece.color:
                    last.text += char
                else:
                    chunks[-1].append(_Piece(char, piece.font, piece.color))
                used += char_width
        return chunks

    def _draw_text_line(self, line: list[list[_Piece]], x: float, baseline: float, size: float) -> None:
        segments: list[_Piece] = []
        for index, group in enumerate(line):
            for position, piece in enumerate(group):
                text = (" " if index and position == 0 else "") + piece.text
                if segments and segments[-1].font == piece.font and segments[-1].color == piece.color:
                    segments[-1].text += text
                else:
                    segments.append(_Piece(text, piece.font, piece.color))
        for segment in segments:
            self.canvas.setFont(segment.font, size)
            self.canvas.setFillColorRGB(*segment.color)
            self.canvas.drawString(x, baseline, segment.text)
            width = pdf.text_width(segment.text, segment.font, size)
            if segment.text.startswith(" "):
                width += self._space(segment.font, size)
            x += width

    def _leading(self, size: float) -> float:
        return size * 1.36

    def paragraph(self, spans: Spans, size: float | None = None, indent: float = 0.0, bold: bool = False,
                  keep: int = 2) -> None:
        size = size or self.body
        lines = self._wrap(spans, self.width - indent, size, bold)
        leading = self._leading(size)
        self._room(leading * min(keep, len(lines)))
        for line in lines:
            self._room(leading)
            self._draw_text_line(line, self.left + indent, self.y - size, size)
            self.y -= leading
        self.y -= size * 0.45

    def heading(self, spans: Spans, level: int) -> None:
        size = (14.0 if level <= 2 else 11.8) * self.scale
        lines = self._wrap(spans, self.width, size, bold=True)
        self._room(self._leading(size) * len(lines) + self._leading(self.body) * 2 + size)
        self.y -= size * (0.6 if level <= 2 else 0.35)
        for line in lines:
            self._draw_text_line([[_Piece(p.text, p.font, _ACCENT if level <= 2 else _INK) for p in group]
                                  for group in line], self.left, self.y - size, size)
            self.y -= self._leading(size)
        if level <= 2:
            self.canvas.setStrokeColorRGB(*_ACCENT)
            self.canvas.setLineWidth(0.8)
            self.canvas.line(self.left, self.y + size * 0.15, self.left + self.width, self.y + size * 0.15)
        self.y -= size * 0.35

    def items(self, block: ListBlock, size: float | None = None, dry: bool = False, left: float | None = None,
              width: float | None = None) -> float:
        """Draw a list (or with `dry`, only measure it); the height it takes."""
        size = size or self.body
        left = self.left if left is None else left
        width = self.width if width is None else width
        leading = self._leading(size)
        used = 0.0
        for number, item in enumerate(block.items, start=1):
            indent = size * (2.9 if block.checkbox else 1.9 if block.ordered else 1.3) + item.level * size * 1.4
            lines = self._wrap(item.spans, width - indent, size)
            if not dry:
                self._room(leading * min(2, len(lines)))
                top = self.y
                x = left + item.level * size * 1.4
                if block.checkbox:
                    box = size * 0.85
                    self.canvas.setStrokeColorRGB(*_INK)
                    self.canvas.setLineWidth(0.9)
                    self.canvas.rect(x, top - size * 0.95, box, box)
                    marker, marker_x = f"{number}.", x + box + size * 0.35
                elif block.ordered:
                    marker, marker_x = f"{number}.", x
                else:
                    marker, marker_x = "•", x + size * 0.2
                self.canvas.setFont(pdf.BOLD if block.ordered or block.checkbox else pdf.REGULAR, size)
                self.canvas.setFillColorRGB(*(_ACCENT if not block.ordered and not block.checkbox else _INK))
                self.canvas.drawString(marker_x, top - size, marker)
                for line in lines:
                    self._room(leading)
                    self._draw_text_line(line, left + indent, self.y - size, size)
                    self.y -= leading
                self.y -= size * 0.25
            used += leading * len(lines) + size * 0.25
        if not dry:
            self.y -= size * 0.3
        return used + size * 0.3

    def box(self, block: Box) -> None:
        pad = 7.0 * self.scale
        inner_width = self.width - 2 * pad - 3
        size = self.body
        title_size = 10.5 * self.scale
        height = self._leading(title_size) + 2 * pad
        for inner in block.blocks:
            if isinstance(inner, Paragraph):
                height += len(self._wrap(inner.spans, inner_width, self.small if inner.small else size)) \
                    * self._leading(self.small if inner.small else size) + size * 0.45
            elif isinstance(inner, ListBlock):
                height += self.items(inner, size, dry=True, width=inner_width)
        self._room(height)
        top = self.y
        self.canvas.setFillColorRGB(*_BOX_FILL)
        self.canvas.rect(self.left, top - height, self.width, height, stroke=0, fill=1)
        self.canvas.setFillColorRGB(*_ACCENT)
        self.canvas.rect(self.left, top - height, 3, height, stroke=0, fill=1)
        saved_left, saved_width = self.left, self.width
        self.left, self.width = saved_left + pad + 3, inner_width
        self.y = top - pad
        self._draw_text_line([[_Piece(pdf.clean_text(word), pdf.BOLD, _ACCENT)] for word in block.title.split()],
                             self.left, self.y - title_size, title_size)
        self.y -= self._leading(title_size)
        for inner in block.blocks:
            if isinstance(inner, Paragraph):
                self.paragraph(inner.spans, self.small if inner.small else size)
            elif isinstance(inner, ListBlock):
                self.items(inner, size)
        self.left, self.width = saved_left, saved_width
        self.y = top - height - size * 0.6

    def table(self, block: Table) -> None:
        size = self.body * 0.92
        leading = self._leading(size)
        pad = 3.2 * self.scale
        count = len(block.header)
        if block.widths:
            shares = block.widths
        else:
            longest = [max([len(plain(block.header[i]))] + [len(plain(row[i])) for row in block.rows if row[i]])
                       for i in range(count)]
            shares = tuple(min(max(n, 6), 60) for n in longest)
        total = sum(shares)
        widths = [self.width * share / total for share in shares]
        lowest = block.row_height * self.scale

        def layout(cells, bold=False):
            wrapped = [self._wrap(cell, widths[i] - 2 * pad, size, bold) if cell else []
                       for i, cell in enumerate(cells)]
            height = max([len(lines) for lines in wrapped] + [1]) * leading + 2 * pad
            return wrapped, max(height, lowest)

        def draw(wrapped, height, fill=None):
            x = self.left
            top = self.y
            for i, lines in enumerate(wrapped):
                if fill:
                    self.canvas.setFillColorRGB(*fill)
                    self.canvas.rect(x, top - height, widths[i], height, stroke=0, fill=1)
                self.canvas.setStrokeColorRGB(*_LINE)
                self.canvas.setLineWidth(0.6)
                self.canvas.rect(x, top - height, widths[i], height, stroke=1, fill=0)
                y = top - pad
                for line in lines:
                    self._draw_text_line(line, x + pad, y - size, size)
                    y -= leading
                x += widths[i]
            self.y = top - height

        header = layout(block.header, bold=True)
        self._room(header[1] + (layout(block.rows[0])[1] if block.rows else lowest))
        draw(*header, fill=_HEAD_FILL)
        for index, row in enumerate(block.rows):
            wrapped, height = layout(row)
            if self.y - height < self.bottom:
                self._new_page()
                draw(*header, fill=_HEAD_FILL)
            draw(wrapped, height, fill=_SHADE if index < block.shaded_rows else None)
        if block.fill_page:
            blank = [[] for _ in range(count)]
            height = max(lowest, leading + 2 * pad)
            while self.y - height >= self.bottom:
                draw(blank, height)
        self.y -= self.body * 0.7

    def terms(self, block: Terms) -> None:
        """Glossary entries; in columns, the part that fits on a page is split evenly between them."""
        size = self.body * 0.88
        entries = []
        for term in block.terms:
            spans = (*(Span(s.text, True, s.italic, s.code) for s in term.term), Span(": "), *term.definition)
            entries.append((*spans, Span(f" (modul {', '.join(term.modules)})")) if block.show_modules else spans)
        heights = [len(self._wrap(spans, self.width, size)) * self._leading(size) + size * 0.3 for spans in entries]
        plan = None  # (page, half of what is left if it all fits on this page, where the page's columns start)
        for index, spans in enumerate(entries):
            if self.column == 0 and (plan is None or plan[0] != self.page):
                left = sum(heights[index:])
                plan = (self.page, left / 2 if left <= self.columns * (self.y - self.bottom) else None, self.y)
            _, half, start = plan
            past_half = half is not None and start - self.y + heights[index] / 2 > half
            if self.columns > 1 and self.column == 0 and past_half:
                self.column_floor = min(self.column_floor, self.y)
                self._to_column(1, self.column_top)
            self.paragraph(spans, size, keep=2)
            self.y += size * 0.15

    def code(self, block: Code) -> None:
        size = self.body * 0.9
        for line in block.text.splitlines() or [""]:
            self._room(self._leading(size))
            self.canvas.setFont(pdf.REGULAR, size)
            self.canvas.setFillColorRGB(*_CODE_INK)
            self.canvas.drawString(self.left + size, self.y - size, line)
            self.y -= self._leading(size)
        self.y -= size * 0.45

    def blocks(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                if block.small:
                    self.y -= self.small * 0.4
                self.paragraph(block.spans, self.small if block.small else None)
            elif isinstance(block, Heading):
                self.heading(block.spans, block.level)
            elif isinstance(block, ListBlock):
                self.items(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Box):
                self.box(block)
            elif isinstance(block, Terms):
                self.in_columns(2, functools.partial(self.terms, block))
            elif isinstance(block, Quote):
                self.paragraph(block.spans, indent=self.body)
            elif isinstance(block, Code):
                self.code(block)


def render_pdf(sheet: Sheet) -> tuple[bytes, int]:
    """The sheet as PDF bytes and its number of pages; a card shrinks its type until it fits one page."""
    for scale in CARD_SCALES if sheet.one_page else (1.0,):
        draft = _Pdf(sheet, scale, None)
        draft.blocks(sheet.blocks)
        if not sheet.one_page or draft.page == 1:
            final = _Pdf(sheet, scale, draft.page)
            final.blocks(sheet.blocks)
            return final.doc.to_bytes(), final.page
    raise UmkmkitError(f"The card '{sheet.title}' does not fit one A4 page even at {CARD_SCALES[-1] * 11:.1f} pt: "
                       "the lesson text it prints has grown; shorten it, or let the card print less of it "
                       "(umkmkit/handouts.py).")


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
    """`umkmkit.calculators.write_calculators`, or None while that module is not there (a hook)."""
    try:
        from umkmkit.calculators import write_calculators
    except ImportError:
        return None
    return write_calculators


def write_calculators_into(kit: Kit, folder: Path) -> tuple[list[Path], str]:
    """The spreadsheet calculators, written into `folder`; and a note when there are none."""
    writer = _calculators_writer()
    if writer is None:
        return [], "modul kalkulator (umkmkit.calculators) belum ada di kit ini"
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
        _swap(staging, folder)
    except OSError as error:
        raise _unwritable(folder, error) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Handouts(folder, folder / INDEX_FILE, tuple(written), calculators, note, tuple(warnings))


def _swap(staging: Path, folder: Path) -> None:
    """Put the staging folder in the place of `folder` (replacing a previous one) in one rename."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    old = folder.parent / f".{folder.name}.lama-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except OSError:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


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
