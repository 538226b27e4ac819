"""Certificates of completion: one A4 landscape PDF page per trainee, in Bahasa Indonesia.

A coordinator's report may write thousands of certificates, so the PDF is written by hand
instead of through a plotting or PDF library: one page, the standard-14 Helvetica fonts
(not embedded, /WinAnsiEncoding), an uncompressed content stream and an exact xref table.
Building one certificate costs a fraction of a millisecond.

Text is encoded as cp1252 (what /WinAnsiEncoding draws); a character cp1252 cannot hold is
replaced by its base letter ("Ŋ" -> "N") or "?", never an error. Lines are centred and shrunk
to fit with the fonts' real glyph widths (the Adobe AFM metrics below).
"""

from __future__ import annotations

import codecs
import datetime
import functools
import math
import numbers
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from umkmkit.datasets.spelling import MONTHS
from umkmkit.errors import UmkmkitError

__all__ = [
    "COURSE_TITLE", "CertificateData", "PAGE_HEIGHT", "PAGE_WIDTH", "certificate_pdf",
    "indonesian_date", "text_width", "write_certificate",
]

#: The training every module of the curriculum belongs to, as the certificate names it.
COURSE_TITLE = "Pelatihan Jualan Online, Pembukuan Pesanan, dan Pencegahan Penipuan untuk UMKM"

#: A4 landscape, in PDF points (1/72 inch).
PAGE_WIDTH = 841.89
PAGE_HEIGHT = 595.28
#: The inner border; every line of text stays inside it, with MARGIN to spare.
BORDER_INSET = 30.0
MARGIN = 40.0
TEXT_LEFT = BORDER_INSET + MARGIN
TEXT_RIGHT = PAGE_WIDTH - BORDER_INSET - MARGIN

# Advance widths (1/1000 em) of cp1252 codes 32..255, sixteen codes a line, from Adobe's
# Helvetica and Helvetica-Bold AFM files (Core 14 metrics; Helvetica-Oblique has Helvetica's
# widths). "667/722" is Helvetica 667, Helvetica-Bold 722; one number is both. Codes cp1252
# leaves undefined (127, 129, 141, 143, 144, 157) are never written: width 0.
_WIDTHS_32_255 = """
278 278/333 355/474 556 556 889 667/722 191/238 333 333 389 584 278 333 278 278
556 556 556 556 556 556 556 556 556 556 278/333 278/333 584 584 584 556/611
1015/975 667/722 667/722 722 722 667 611 778 722 278 500/556 667/722 556/611 833 722 778
667 778 722 667 611 722 667 944 667 667 611 278/333 278 278/333 469/584 556
333 556 556/611 500/556 556/611 556 278/333 556/611 556/611 222/278 222/278 500/556 222/278 833/889 556/611 556/611
556/611 556/611 333/389 500/556 278/333 556/611 500/556 722/778 500/556 500/556 500 334/389 260/280 334/389 584 0
556 0 222/278 556 333/500 1000 556 556 333 1000 667 333 1000 0 611 0
0 222/278 222/278 333/500 333/500 350 556 1000 333 1000 500/556 333 944 0 500 667
278 333 556 556 556 556 260/280 556 333 737 370 556 584 333 737 333
400 584 333 333 333 556/611 537/556 278 333 333 365 556 834 834 834 611
667/722 667/722 667/722 667/722 667/722 667/722 1000 722 667 667 667 667 278 278 278 278
722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611
556 556 556 556 556 556 889 500/556 556 556 556 556 278 278 278 278
556/611 556/611 556/611 556/611 556/611 556/611 556/611 584 611 556/611 556/611 556/611 556/611 500/556 556/611 500/556
"""


def _width_tables(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two 256-entry tables byte -> width (regular, bold); codes 0..31 are never written."""
    regular: list[int] = [0] * 32
    bold: list[int] = [0] * 32
    for token in text.split():
        plain, _, heavy = token.partition("/")
        regular.append(int(plain))
        bold.append(int(heavy or plain))
    assert len(regular) == 256, len(regular)
    return tuple(regular), tuple(bold)


_HELVETICA, _HELVETICA_BOLD = _width_tables(_WIDTHS_32_255)

#: Font name -> (resource name in the page, width table).
_FONTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "Helvetica": ("F1", _HELVETICA),
    "Helvetica-Bold": ("F2", _HELVETICA_BOLD),
    "Helvetica-Oblique": ("F3", _HELVETICA),
}
REGULAR, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"

# --- text: cleaning, cp1252 with a fallback, widths ---------------------------------------

_ERROR_HANDLER = "umkmkit-certificate-ascii"
#: Letters NFKD does not take apart into a base letter and a mark.
_CLOSE_ASCII = {
    "Ŋ": "N", "ŋ": "n", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
    "Ŧ": "T", "ŧ": "t", "ĸ": "k", "Ə": "E", "ə": "e", "Ɛ": "E", "ɛ": "e", "Ɔ": "O", "ɔ": "o",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u2044": "/", "\u2032": "'",
    "\u2033": '"', "\u2039": "<", "\u203a": ">",
}
# C0 controls, DEL and the line/paragraph separators become spaces (then collapsed).
_CONTROLS_TO_SPACE = {code: " " for code in [*range(32), 127, 0x2028, 0x2029]}


def _close_form(character: str) -> str:
    """The closest cp1252 text for one character cp1252 cannot hold ('' for a lone accent)."""
    if character in _CLOSE_ASCII:
        return _CLOSE_ASCII[character]
    if unicodedata.combining(character):
        return ""
    kept = []
    for part in unicodedata.normalize("NFKD", character):
        if unicodedata.combining(part):
            continue
        try:
            part.encode("cp1252")
        except UnicodeEncodeError:
            part = _CLOSE_ASCII.get(part, "?")
        kept.append(part)
    return "".join(kept) or "?"


def _replace_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    return "".join(_close_form(character) for character in chunk), error.end


codecs.register_error(_ERROR_HANDLER, _replace_unencodable)


# Most text on a certificate (labels, module titles, scores, the issuer) repeats across a
# report's thousands of certificates: caching its encoding, widths and fitting halves the time.
_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _encode(text: str) -> bytes:
    """Text as the cp1252 bytes a /WinAnsiEncoding font draws: one line, no control codes."""
    text = " ".join(str(text).translate(_CONTROLS_TO_SPACE).split())
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.encode("cp1252", _ERROR_HANDLER)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _units(data: bytes, font: str) -> int:
    """Width of encoded text in 1/1000 of the font size."""
    return sum(map(_FONTS[font][1].__getitem__, data))


def text_width(text: str, font: str = REGULAR, size: float = 12.0) -> float:
    """Width in points of `text` set in one of the certificate's fonts at `size` points.

    The text is cleaned and encoded exactly as the certificate writes it, so the width is
    the one drawn on the page. `font` is "Helvetica", "Helvetica-Bold" or "Helvetica-Oblique".
    """
    if font not in _FONTS:
        raise UmkmkitError(f"Unknown certificate font {font!r}; use one of {', '.join(_FONTS)}.")
    return _units(_encode(text), font) * size / 1000.0


# --- layout ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=_CACHE_SIZE)
def _escape(data: bytes) -> str:
    """Encoded text as the inside of a PDF literal string (bytes kept one-to-one as latin-1)."""
    escaped = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return escaped.decode("latin-1")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _text_operators(data: bytes, font: str, size: float, x: float, y: float) -> str:
    """Operators that draw encoded text with its baseline starting at (x, y)."""
    return f"BT /{_FONTS[font][0]} {size:.2f} Tf {x:.2f} {y:.2f} Td ({_escape(data)}) Tj ET"


@dataclass
class _Page:
    """The content stream under construction, as PDF operators."""

    ops: list[str] = field(default_factory=list)

    def text(self, data: bytes, font: str, size: float, x: float, y: float) -> None:
        self.ops.append(_text_operators(data, font, size, x, y))

    def centred(self, data: bytes, font: str, size: float, centre: float, y: float) -> None:
        self.text(data, font, size, centre - _units(data, font) * size / 2000.0, y)

    def right(self, data: bytes, font: str, size: float, right: float, y: float) -> None:
        self.text(data, font, size, right - _units(data, font) * size / 1000.0, y)

    def colour(self, rgb: str) -> None:
        self.ops.append(f"{rgb} rg")


def _shrunk(units: int, width: float) -> float:
    """The size at which text `units` wide fills `width`, rounded down to what the PDF states."""
    return math.floor(width * 100_000.0 / units) / 100.0


def _wrap(data: bytes, font: str, size: float, width: float) -> list[bytes]:
    """Greedy word wrap; a single word wider than `width` stays whole on its own line."""
    limit = width * 1000.0 / size
    space = _FONTS[font][1][32]
    lines: list[bytes] = []
    current: list[bytes] = []
    used = 0
    for word in data.split(b" "):
        word_units = _units(word, font)
        if current and used + space + word_units > limit:
            lines.append(b" ".join(current))
            current, used = [], 0
        used += (space if current else 0) + word_units
        current.append(word)
    lines.append(b" ".join(current))
    return lines


@functools.lru_cache(maxsize=256)
def _wrap_balanced(data: bytes, font: str, size: float, width: float) -> tuple[bytes, ...]:
    """As few lines as a greedy wrap gives, but of even lengths (the narrowest such column).

    Cached: the sentence and the issuer are the same on every certificate of a report.
    """
    lines = _wrap(data, font, size, width)
    if len(lines) < 2:
        return tuple(lines)
    low, high = 0.0, width
    for _ in range(12):
        middle = (low + high) / 2
        if len(_wrap(data, font, size, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return tuple(_wrap(data, font, size, high))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _fit(text: str, font: str, size: float, smallest: float, width: float,
         most_lines: int) -> tuple[float, tuple[bytes, ...]]:
    """Font size and lines that set `text` within `width`.

    Shrinks one line down to `smallest`; past that, wraps into at most `most_lines` even
    lines at `smallest` and, if they are still too wide, shrinks them below `smallest`.
    """
    data = _encode(text)
    units = _units(data, font)
    if units * size <= width * 1000.0:
        return size, (data,)
    if units * smallest <= width * 1000.0 or most_lines == 1:
        return min(size, _shrunk(units, width)), (data,)
    column = width
    while len(_wrap(data, font, smallest, column)) > most_lines:
        column *= 1.1
    lines = _wrap_balanced(data, font, smallest, column)
    widest = max(_units(line, font) for line in lines)
    return min(smallest, _shrunk(widest, width)), lines


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _percent(score: float) -> str:
    """87.5 -> '87,5%', 100.0 -> '100%' (Indonesian decimal comma)."""
    rounded = round(score, 1)
    text = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}".replace(".", ",")
    return f"{text}%"


def indonesian_date(day: datetime.date) -> str:
    """A date as written on Indonesian letters: 27 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class CertificateData:
    """What one certificate says about one trainee."""

    trainee_id: str
    name: str
    business: str
    modules: list[tuple[str, float]]
    cohorts: list[str]
    issued: datetime.date
    issuer: str = "Dinas penyelenggara pelatihan UMKM Kabupaten Manokwari"
    place: str = "Manokwari"
    number: str = ""

    @property
    def certificate_number(self) -> str:
        """The given number, or UMKM/<trainee id>/<year of issue>."""
        return self.number or f"UMKM/{self.trainee_id}/{self.issued.year:04d}"


_INK = "0.13 0.13 0.13"
_ACCENT = "0.07 0.27 0.45"
_MUTED = "0.35 0.35 0.35"
_CENTRE = PAGE_WIDTH / 2
_TEXT_WIDTH = TEXT_RIGHT - TEXT_LEFT
# The signature block (place and date, space to sign, issuer) sits bottom right; the
# centred content above it must end at _CONTENT_FLOOR.
_SIGNATURE_CENTRE = PAGE_WIDTH - BORDER_INSET - 150.0
_SIGNATURE_WIDTH = 240.0
_CONTENT_FLOOR = 160.0


def _check(data: CertificateData) -> None:
    where = f"certificate of {data.trainee_id or '(no trainee id)'}"
    if not str(data.trainee_id).strip():
        raise UmkmkitError("A certificate needs a trainee id; give CertificateData(trainee_id=...).")
    if not str(data.name).strip():
        raise UmkmkitError(f"{where}: the trainee's name is empty; fill in the name in the roster.")
    if not isinstance(data.issued, datetime.date):
        raise UmkmkitError(f"{where}: the date of issue must be a datetime.date, got {data.issued!r}.")
    for title, score in data.modules:
        # numbers.Real also admits the numpy scores a pandas ledger hands over.
        if not isinstance(score, numbers.Real) or not math.isfinite(score) or not 0 <= score <= 100:
            raise UmkmkitError(
                f"{where}: module {title!r} has score {score!r}; give a percentage from 0 to 100."
            )


def _heading(page: _Page, data: CertificateData) -> float:
    """Title, number and the trainee's name and business; returns the next baseline."""
    page.colour(_ACCENT)
    title = _encode("SERTIFIKAT")
    page.centred(title, BOLD, 40, _CENTRE, 502)
    page.ops.append(f"{_ACCENT} RG 1.2 w {_CENTRE - 60:.2f} 486 m {_CENTRE + 60:.2f} 486 l S")
    page.colour(_MUTED)
    size, lines = _fit(f"Nomor: {data.certificate_number}", REGULAR, 11, 8, _TEXT_WIDTH, 1)
    page.centred(lines[0], REGULAR, size, _CENTRE, 468)
    page.colour(_INK)
    page.centred(_encode("diberikan kepada"), ITALIC, 14, _CENTRE, 432)
    size, lines = _fit(data.name, BOLD, 32, 20, _TEXT_WIDTH, 2)
    page.colour(_ACCENT)
    y = 396.0 + size * 1.15
    for line in lines:
        y -= size * 1.15
        page.centred(line, BOLD, size, _CENTRE, y)
    page.colour(_INK)
    y -= size * 0.25 + 12  # below the name's descenders
    if str(data.business).strip():
        size, lines = _fit(data.business, REGULAR, 16, 10, _TEXT_WIDTH, 2)
        for index, line in enumerate(lines):
            y -= size * (1.25 if index else 0.75)
            page.centred(line, REGULAR, size, _CENTRE, y)
        y -= size * 0.25
    return y - 26


def _achievement(page: _Page, data: CertificateData, y: float) -> float:
    """The sentence, the table of modules and the cohorts; returns the next baseline."""
    sentence = f"telah menyelesaikan seluruh modul {COURSE_TITLE}"
    sentence += " dengan hasil berikut:" if data.modules else "."
    for line in _wrap_balanced(_encode(sentence), REGULAR, 13, _TEXT_WIDTH)[:3]:
        page.centred(line, REGULAR, 13, _CENTRE, y)
        y -= 17
    cohorts = ", ".join(str(cohort) for cohort in data.cohorts)
    if data.modules:
        y = _module_table(page, data.modules, y - 8, cohort_room=32 if cohorts else 0)
    if cohorts:
        size, lines = _fit(f"Angkatan: {cohorts}", REGULAR, 11, 10, _TEXT_WIDTH, 2)
        page.colour(_MUTED)
        for line in lines:
            page.centred(line, REGULAR, size, _CENTRE, y)
            y -= size * 1.3
        page.colour(_INK)
    return y


def _module_table(page: _Page, modules: list[tuple[str, float]], top: float, cohort_room: float) -> float:
    """Module titles and scores in two columns under a header; returns the next baseline."""
    rows = len(modules) + 1
    leading = max(9.0, min(18.0, (top - _CONTENT_FLOOR - cohort_room) / rows))
    size = math.floor(min(11.0, leading * 0.72) * 100) / 100
    scores = [_encode(_percent(float(score))) for _, score in modules]
    score_width = max(_units(score, REGULAR) for score in scores) * size / 1000.0
    header_score = _encode("Nilai")
    score_width = max(score_width, _units(header_score, BOLD) * size / 1000.0)
    titles = [_encode(title) for title, _ in modules]
    widest_title = max(_units(title, REGULAR) for title in titles) * size / 1000.0
    width = min(_TEXT_WIDTH, max(380.0, widest_title + score_width + 40.0))
    left, right = _CENTRE - width / 2, _CENTRE + width / 2
    title_room = width - score_width - 24.0

    page.text(_encode("Modul"), BOLD, size, left, top)
    page.right(header_score, BOLD, size, right, top)
    rule = top - leading * 0.35
    page.ops.append(f"{_MUTED} RG 0.6 w {left:.2f} {rule:.2f} m {right:.2f} {rule:.2f} l S")
    y = top - leading
    for title, score in zip(titles, scores):
        units = _units(title, REGULAR)
        title_size = min(size, _shrunk(units, title_room)) if units else size
        page.text(title, REGULAR, title_size, left, y)
        page.right(score, REGULAR, size, right, y)
        y -= leading
    rule = y + leading * 0.65
    page.ops.append(f"{left:.2f} {rule:.2f} m {right:.2f} {rule:.2f} l S")
    return y - 8


def _signature(page: _Page, data: CertificateData) -> None:
    """Place and date of issue, room to sign, a signature line and the issuer, bottom right."""
    centre = _SIGNATURE_CENTRE
    size, lines = _fit(f"{data.place}, {indonesian_date(data.issued)}", REGULAR, 12, 8,
                       _SIGNATURE_WIDTH, 1)
    page.centred(lines[0], REGULAR, size, centre, 140)
    half = _SIGNATURE_WIDTH / 2 - 20
    page.ops.append(f"{_INK} RG 0.8 w {centre - half:.2f} 92 m {centre + half:.2f} 92 l S")
    size, lines = _fit(data.issuer, REGULAR, 11, 11, _SIGNATURE_WIDTH, 3)
    y = 78.0
    for line in lines:
        page.centred(line, REGULAR, size, centre, y)
        y -= size * 1.25


def _border() -> str:
    outer = BORDER_INSET - 8
    return (
        f"{_ACCENT} RG 2.5 w {outer:.2f} {outer:.2f} {PAGE_WIDTH - 2 * outer:.2f} "
        f"{PAGE_HEIGHT - 2 * outer:.2f} re S\n"
        f"0.8 w {BORDER_INSET:.2f} {BORDER_INSET:.2f} {PAGE_WIDTH - 2 * BORDER_INSET:.2f} "
        f"{PAGE_HEIGHT - 2 * BORDER_INSET:.2f} re S"
    )


_BORDER = _border()

# --- PDF file -------------------------------------------------------------------------------

_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
_FONT_OBJECTS = tuple(
    f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>".encode("ascii")
    for font in _FONTS
)
_FONT_RESOURCES = " ".join(f"/{resource} {5 + index} 0 R" for index, (resource, _) in enumerate(_FONTS.values()))
_FIXED_OBJECTS = (
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
     f"/Resources << /Font << {_FONT_RESOURCES} >> >> /Contents 4 0 R >>").encode("ascii"),
)


def _info_string(text: str) -> bytes:
    """A document information string: UTF-16BE with a byte-order mark, as hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _assemble(content: bytes, info: bytes) -> bytes:
    """The PDF file: catalog 1, pages 2, page 3, content 4, fonts 5-7, info 8, then xref."""
    stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    objects = (*_FIXED_OBJECTS, stream, *_FONT_OBJECTS, info)
    parts = [_HEADER]
    offsets = []
    position = len(_HEADER)
    for number, body in enumerate(objects, start=1):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        offsets.append(position)
        position += len(chunk)
        parts.append(chunk)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)]
    xref += [b"%010d 00000 n \n" % offset for offset in offsets]
    parts += xref
    parts.append(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                 % (len(objects) + 1, len(objects), position))
    return b"".join(parts)


def certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as the bytes of a one-page A4 landscape PDF.

    Raises
    ------
    UmkmkitError
        When the trainee id or name is empty, the date is not a date, or a score is not a
        percentage from 0 to 100.
    """
    _check(data)
    page = _Page([_BORDER])
    y = _heading(page, data)
    _achievement(page, data, y)
    _signature(page, data)
    content = "\n".join(page.ops).encode("latin-1")
    issued = data.issued
    info = b"<< /Title %s /Subject %s /Creator (umkmkit) /CreationDate (D:%04d%02d%02d000000) >>" % (
        _info_string(f"Sertifikat {' '.join(str(data.name).split())}"),
        _info_string(COURSE_TITLE), issued.year, issued.month, issued.day,
    )
    return _assemble(content, info)


def write_certificate(data: CertificateData, path: Path) -> Path:
    """Write the certificate to `path` atomically (creating its folder); returns `path`.

    The PDF goes to a temporary file beside `path` first, then replaces `path` whole, so a
    crash never leaves half a certificate.
    """
    pdf = certificate_pdf(data)
    path = Path(path)
    # Named by process so two reports writing the same folder never share a temporary file;
    # opened normally (not mkstemp) so the certificate gets the usual permissions.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pdf)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UmkmkitError(f"Cannot write {path}: {error.strerror or error}. Check that the folder is "
                           "writable, the disk is not full and the file is not open in a PDF viewer, "
                           "then run the report again.") from error
    return path
