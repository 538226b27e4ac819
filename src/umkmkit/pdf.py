"""The kit's one PDF engine: thin helpers around ReportLab that every printable document uses.

Certificates use it today; handouts and printable cards are meant to. It gives

- `document`: an A4 portrait or landscape PDF with DejaVu Sans and DejaVu Sans Bold (the
  TrueType fonts matplotlib ships, so no font package is needed) embedded as subsets, so any
  name written in Latin, Greek or Cyrillic letters prints exactly: "Ŋgwe Đặng", "Yohana Wanma'";
  `Document.to_bytes` ends it and returns the file;
- `text_width`, `wrap_text` and `fit_text`: text that wraps and shrinks to fit a width, and
  `draw_lines` to set it left, centred or right;
- `undrawable_characters`: what the fonts cannot draw, so callers refuse it with a clear message
  instead of printing an empty box;
- `load_image` and `draw_image`: PNG and JPEG files, checked once (a clear `UmkmkitError` names
  the file, why it cannot be used and what to do) and reused by every document of the process.

Why ReportLab and not fpdf2: `benchmarks/certificates.py` builds the same 200 certificates
(5 modules each, DejaVu embedded, names with letters outside cp1252 and some 60 characters long)
with both in one run. On this project's 2-core machine (ReportLab 5.1.0 with rl_accel 0.9.1,
fpdf2 2.8.9, Python 3.11), one run of each:

==================================  ================  ============  ===================
engine                              ms a certificate  200 in        average PDF size
==================================  ================  ============  ===================
ReportLab (chosen)                  5.3               1.1 s         43 KB
fpdf2                               133               26.6 s        22 KB
ReportLab, logo, signature, stamp   6.1               1.2 s         56 KB
fpdf2, logo, signature, stamp       125               25.0 s        36 KB
==================================  ================  ============  ===================

Other work kept the load average at 2 to 3 during these runs; repeated runs gave ReportLab 5.1
to 6.4 ms (5.4 to 7.2 with images) and fpdf2 116 to 195 ms. The sizes do not vary.

- Speed decides: the report writes one certificate per graduate (up to ~400), the budget is
  10 ms each. ReportLab parses a font once per process (`registerFont`) and writes each
  document's subset with its own small TrueType writer. fpdf2 parses the whole font with
  fontTools for every document (its subsetter changes the parsed font in place, so it cannot be
  shared) and runs fontTools' general subsetter: with DejaVu pre-slimmed to Latin, Greek and
  Cyrillic without hinting it still took 46 ms a certificate.
- ReportLab's C accelerator `rl_accel` (the `accel` extra, declared in pyproject.toml) matters:
  in alternating runs a certificate took 4.0 to 5.0 ms with it, 6.0 to 8.3 ms without (ReportLab
  then formats every number of the PDF in Python).
- fpdf2's files are smaller: it trims each font's name table, where ReportLab keeps DejaVu's
  15 KB licence text, and its subsets carry fewer glyphs. Some 20 KB a certificate, 8 MB for
  400 certificates: acceptable.
- Licence: ReportLab is BSD like the kit; fpdf2 is LGPL-3.0. ReportLab needs only pillow
  (already there with matplotlib) and charset-normalizer.

Two ReportLab limits this module works around, both checked by tests: its subsets write a
character beyond U+FFFF wrongly into the text layer (an emoji extracts as another letter), and a
character the font lacks is drawn as an empty box; `undrawable_characters` reports both. Its
image drawing decodes, hashes and compresses a PNG again for every document (some 8 ms per
image); `draw_image` builds each image's PDF object once per process and reuses it.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import io
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from umkmkit.errors import UmkmkitError

__all__ = [
    "A4_LANDSCAPE",
    "A4_PORTRAIT",
    "BOLD",
    "REGULAR",
    "Document",
    "Fitted",
    "Image",
    "clean_text",
    "document",
    "draw_image",
    "draw_lines",
    "fit_text",
    "font_files",
    "load_image",
    "register_fonts",
    "text_width",
    "undrawable_characters",
    "wrap_text",
]

#: Page sizes in PDF points (1/72 inch).
A4_PORTRAIT = (595.28, 841.89)
A4_LANDSCAPE = (841.89, 595.28)

#: The fonts every document has, by the names ReportLab knows them under.
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

#: An image adds its bytes to every document that shows it (hundreds of certificates).
IMAGE_BYTES_LIMIT = 512 * 1024

# Plain binary streams: ASCII85 only helps 7-bit mail and makes images a quarter larger.
# ReportLab reads this when a stream is written; the kit is its only user in the process.
rl_config.useA85 = 0


def font_files() -> dict[str, Path]:
    """Font name -> the TrueType file matplotlib ships it in."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {name: folder / file_name for name, file_name in _FONT_FILES.items()}


@functools.cache
def register_fonts() -> None:
    """Parse the fonts once per process; every document then embeds the subset it uses.

    Call it before registering other fonts or font families (ReportLab maps a newly registered
    font's bold to itself): `document` calls it; Platypus layouts that add fonts call it first."""
    for name, path in font_files().items():
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (OSError, ValueError, TTFError) as error:
            raise UmkmkitError(
                f"Cannot read the font {path}: {error}. It comes with matplotlib; reinstall the kit "
                "(make setup, or pip install --force-reinstall matplotlib) and try again."
            ) from error


# --- documents ------------------------------------------------------------------------------

@dataclass
class Document:
    """A PDF under construction: draw on `canvas` (origin bottom left, points), then `to_bytes`."""

    canvas: Canvas
    width: float
    height: float
    _buffer: io.BytesIO

    def new_page(self) -> None:
        """End the current page and start another of the same size."""
        self.canvas.showPage()

    def to_bytes(self) -> bytes:
        """End the last page and the file; the PDF's bytes."""
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()

    def saved_bytes(self) -> bytes:
        """The PDF's bytes once something else ended the file on `canvas` (a Platypus build saves it)."""
        return self._buffer.getvalue()


def document(orientation: str = "portrait", *, title: str = "", subject: str = "", author: str = "",
             created: datetime.date | None = None) -> Document:
    """A new A4 document with the kit's fonts, `orientation` "portrait" or "landscape".

    The same content gives the same bytes (no clock time, a content-derived file id); `created`
    is the creation date written into the file's properties (the day of issue of a certificate),
    today when not given.
    """
    if orientation not in ("portrait", "landscape"):
        raise UmkmkitError(f"Unknown page orientation {orientation!r}; use 'portrait' or 'landscape'.")
    register_fonts()
    width, height = A4_PORTRAIT if orientation == "portrait" else A4_LANDSCAPE
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True, initialFontName=REGULAR,
                    initialFontSize=12, pageCompression=1)
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor(author)
    canvas.setCreator("umkmkit")
    created = created or datetime.date.today()
    stamp = f"D:{created.year:04d}{created.month:02d}{created.day:02d}000000"
    canvas.setDateFormatter(lambda *_: stamp)
    return Document(canvas, width, height, buffer)


# --- text -----------------------------------------------------------------------------------

# C0 controls, DEL and the line/paragraph separators become spaces (then runs are collapsed).
_CONTROLS_TO_SPACE = {code: " " for code in [*range(32), 127, 0x2028, 0x2029]}
# Most text (labels, titles, scores) repeats across a report's hundreds of documents.
_CACHE_SIZE = 8192


@functools.lru_cache(maxsize=_CACHE_SIZE)
def clean_text(text: str) -> str:
    """One line of text as it is drawn: controls made spaces, runs of spaces one, NFC letters."""
    text = " ".join(str(text).translate(_CONTROLS_TO_SPACE).split())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=64)
def _covered(font: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def undrawable_characters(text: str, font: str = REGULAR) -> str:
    """The characters of `text` (once each, in order) that `font` cannot draw and keep searchable.

    Those the font has no glyph for (Chinese, most emoji: drawn as an empty box) and those beyond
    U+FFFF (ReportLab writes them wrongly into the text layer). Empty when all is well.
    """
    covered = _covered(font)
    found = dict.fromkeys(c for c in clean_text(text) if ord(c) > 0xFFFF or ord(c) not in covered)
    return "".join(found)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _width_units(text: str, font: str) -> float:
    return pdfmetrics.stringWidth(text, font, 1000.0)


def text_width(text: str, font: str = REGULAR, size: float = 12.0) -> float:
    """Width in points of one line of `text` in `font` at `size` points, cleaned as it is drawn."""
    if font not in _FONT_FILES:
        raise UmkmkitError(f"Unknown font {font!r}; use one of {', '.join(_FONT_FILES)}.")
    register_fonts()
    return _width_units(clean_text(text), font) * size / 1000.0


def wrap_text(text: str, width: float, font: str = REGULAR, size: float = 12.0) -> list[str]:
    """Greedy word wrap of `text` into lines at most `width` wide (a longer word keeps its line)."""
    register_fonts()
    limit = width * 1000.0 / size
    space = _width_units(" ", font)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in clean_text(text).split(" "):
        units = _width_units(word, font)
        if current and used + space + units > limit:
            lines.append(" ".join(current))
            current, used = [], 0.0
        used += (space if current else 0.0) + units
        current.append(word)
    lines.append(" ".join(current))
    return lines


def _wrap_balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """As few lines as a greedy wrap gives, but of even lengths (the narrowest such column)."""
    lines = wrap_text(text, width, font, size)
    if len(lines) < 2:
        return lines
    low, high = 0.0, width
    for _ in range(12):
        middle = (low + high) / 2
        if len(wrap_text(text, middle, font, size)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap_text(text, high, font, size)


@dataclass(frozen=True)
class Fitted:
    """Text set to fit a width: the font size and the lines."""

    size: float
    lines: tuple[str, ...]


def _shrunk(units: float, width: float) -> float:
    """The size at which text `units` wide fills `width`, rounded down to what the PDF states."""
    return math.floor(width * 100_000.0 / units) / 100.0


@functools.lru_cache(maxsize=_CACHE_SIZE)
def fit_text(text: str, width: float, font: str = REGULAR, size: float = 12.0,
             smallest: float | None = None, most_lines: int = 1) -> Fitted:
    """`text` set within `width` points: shrunk, then wrapped, never wider.

    One line at `size` when it fits; else one line shrunk down to `smallest` (default `size`);
    past that, at most `most_lines` lines of even length at `smallest`, shrunk further only when
    a single word is still too wide.
    """
    register_fonts()
    text = clean_text(text)
    smallest = size if smallest is None else min(smallest, size)
    units = _width_units(text, font)
    if units * size <= width * 1000.0 or not units:
        return Fitted(size, (text,))
    if units * smallest <= width * 1000.0 or most_lines <= 1:
        return Fitted(min(size, _shrunk(units, width)), (text,))
    column = width
    while len(wrap_text(text, column, font, smallest)) > most_lines:
        column *= 1.1
    lines = _wrap_balanced(text, font, smallest, column)
    widest = max(_width_units(line, font) for line in lines)
    return Fitted(min(smallest, _shrunk(widest, width)), tuple(lines))


def draw_lines(canvas: Canvas, fitted: Fitted, x: float, y: float, font: str = REGULAR,
               align: str = "left", leading: float = 1.25) -> float:
    """Draw fitted lines, the first with its baseline at `y`; the baseline after the last line.

    `x` is the left edge, the centre or the right edge, for `align` "left", "centre" or "right".
    """
    draw = {"left": canvas.drawString, "centre": canvas.drawCentredString,
            "right": canvas.drawRightString}[align]
    canvas.setFont(font, fitted.size)
    for line in fitted.lines:
        draw(x, y, line)
        y -= fitted.size * leading
    return y


# --- images ---------------------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


@dataclass(frozen=True)
class Image:
    """A PNG or JPEG checked and turned into a PDF image object once, to draw in any document."""

    path: Path
    width_px: int
    height_px: int
    _key: str
    _xobject: pdfdoc.PDFImageXObject
    _mask: pdfdoc.PDFImageXObject | None

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.width_px / self.height_px


def load_image(path: Path) -> Image:
    """The PNG or JPEG file at `path`, ready to draw; read once per process while it is unchanged.

    Raises
    ------
    UmkmkitError
        Naming the file, why it cannot be used (missing, unreadable, not a PNG or JPEG, damaged,
        too large for every document to carry) and what to do.
    """
    path = Path(path)
    try:
        status = path.stat()
    except OSError as error:
        raise UmkmkitError(_image_problem(path, error.strerror or str(error),
                                          "check the file name and folder")) from error
    return _load_image(path.resolve(), status.st_mtime_ns, status.st_size)


def _image_problem(path: Path, why: str, what_to_do: str) -> str:
    return f"Cannot use the image {path}: {why}. {what_to_do[0].upper()}{what_to_do[1:]}, then try again."


@functools.lru_cache(maxsize=64)
def _load_image(path: Path, _mtime_ns: int, _size: int) -> Image:
    # the modification time and size are part of the cache key: a replaced file is read again
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UmkmkitError(_image_problem(path, error.strerror or str(error),
                                          "check that the file can be opened")) from error
    if not data.startswith((_PNG, _JPEG)):
        raise UmkmkitError(_image_problem(
            path, "it is not a PNG or JPEG image", "save it as PNG (or JPEG) in an image editor"))
    try:
        reader = ImageReader(io.BytesIO(data))
        width, height = reader.getSize()
        reader.getRGBData()  # decodes all of it: a damaged file fails here, not in a report
        key = "umkmkit-" + hashlib.sha1(data).hexdigest()
        xobject = pdfdoc.PDFImageXObject(key, reader, mask="auto")
    except Exception as error:  # PIL and ReportLab raise many kinds for a damaged file
        raise UmkmkitError(_image_problem(
            path, f"the image is damaged or in a form that cannot be read ({error})",
            "open it in an image editor and save it again as PNG")) from error
    mask = getattr(xobject, "_smask", None)
    if mask is not None:
        del xobject._smask
    weight = len(xobject.streamContent) + (len(mask.streamContent) if mask is not None else 0)
    if weight > IMAGE_BYTES_LIMIT:
        raise UmkmkitError(_image_problem(
            path, f"it is {width} x {height} pixels and would add {weight / 1024 / 1024:.1f} MB to every "
            f"document (at most {IMAGE_BYTES_LIMIT // 1024} KB)",
            "make it smaller in an image editor (about 600 pixels on its longest side is plenty for print)"))
    return Image(path, width, height, key, xobject, mask)


def draw_image(canvas: Canvas, image: Image, x: float, y: float, width: float, height: float,
               anchor: str = "c", multiply: bool = False) -> tuple[float, float, float, float]:
    """Draw `image` as large as it fits the box (x, y, width, height), keeping its proportions.

    `anchor` places it in the box by compass point ("c", "n", "sw", ...). `multiply` blends it
    like ink on paper: white shows what is underneath, so a stamp photographed on white paper can
    overlap a signature. Returns the drawn box (x, y, width, height).
    """
    scale = min(width / image.width_px, height / image.height_px)
    drawn_width, drawn_height = image.width_px * scale, image.height_px * scale
    free_x, free_y = width - drawn_width, height - drawn_height
    left = x + free_x * (0.0 if "w" in anchor else 1.0 if "e" in anchor else 0.5)
    bottom = y + free_y * (0.0 if "s" in anchor else 1.0 if "n" in anchor else 0.5)
    if not canvas.hasForm(image._key):
        # ReportLab's drawImage would decode, hash and compress the image again for every document
        xobject = copy.copy(image._xobject)
        if image._mask is not None:
            mask_name = canvas._doc.getXObjectName(image._key + "-mask")
            xobject.smask = canvas._doc.Reference(copy.copy(image._mask), mask_name)
        canvas._doc.addForm(image._key, xobject)
    canvas.saveState()
    if multiply:
        canvas.setBlendMode("Multiply")
    canvas.translate(left, bottom)
    canvas.scale(drawn_width, drawn_height)
    canvas.doForm(image._key)
    canvas.restoreState()
    return left, bottom, drawn_width, drawn_height
