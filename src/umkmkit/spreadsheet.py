"""Writing .xlsx workbooks of plain tables that read well on screen and print well, with XlsxWriter.

The coordinator's workbook (progres.xlsx, some 155,000 cells for 5,000 trainees) is opened in
Excel or LibreOffice and printed. That needs more of the format than values: column widths,
number formats (percentages with one decimal, dates as dates, IDs as text), a styled header
row with an autofilter and frozen panes, and print set-up (A4 landscape, one page wide, the
header row repeated, page numbers). Each is its own corner of SpreadsheetML (styles.xml and
its indexes, the `_xlnm._FilterDatabase` and `_xlnm.Print_Titles` defined names, pageSetup
with fitToPage in sheetPr) that Excel answers with a repair prompt when slightly wrong, so this
module no longer writes the XML by hand. XlsxWriter writes all of it, is tested against files
Excel itself saves, is pure Python without dependencies (it installs from the lock on the
trainers' Windows laptops and from the USB stick's wheelhouse like everything else) and, in
`constant_memory` mode, writes each row out as soon as the next one starts.

Cost, measured on the full-size benchmark's sheets (20 cohorts x 250 trainees x 7
assignments, about 155,000 cells): about 1.2 s of CPU time, against 0.2 s for the hand-written
writer it replaced (which wrote no formatting at all); nearly all of it is XlsxWriter's own
per-cell work. constant_memory is as fast as the shared-string mode and peaks at 2 MB of
Python allocations instead of 21 MB. openpyxl, a test tool here, reads the result back in the
tests, and LibreOffice prints it to PDF there.

What each column becomes is decided by its dtype and, for numbers, its name:

- text: a string cell with the text format `@` (an ID such as "P-00007" or "01" stays text,
  also when edited); an empty text is an empty cell; characters XML cannot hold are dropped;
- a number column whose name holds "persen" (values 0 to 100): format `0.0`, the value keeps
  all its digits;
- other numbers: whole numbers as they are, fractions with two decimals (`0.00`);
- dates and times (datetime64 columns, or `date` and `datetime` values in a mixed column): real
  dates, `dd/mm/yyyy`, or `dd/mm/yyyy hh:mm` when a time of day is set;
- booleans: "ya" and "tidak" in LibreOffice (Excel shows TRUE and FALSE in its own language).
"""

from __future__ import annotations

import csv
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError, XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from umkmkit.errors import UmkmkitError
from umkmkit.files import atomic_path, cannot_write

#: Characters XML 1.0 cannot hold (a name pasted from a chat can carry them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
_EPOCH = pd.Timestamp(1899, 12, 30)
_SHEET_NAME = re.compile(r"^[^\[\]:*?/\\]{1,31}$")
#: A column whose name holds this is a percentage (0 to 100) shown with one decimal.
PERCENT_MARK = "persen"
TEXT_FORMAT = "@"
PERCENT_FORMAT = "0.0"
DECIMAL_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
#: LibreOffice shows a boolean through its number format (without one it shows 1 and 0 in some
#: columns); Excel shows TRUE and FALSE in its own language whatever the format.
BOOLEAN_FORMAT = '"ya";"ya";"tidak"'
#: Column widths in Excel's units (the width of a digit in the default font).
MIN_WIDTH, MAX_WIDTH = 6, 50
#: Room for the header's autofilter button, and for a cell's margins.
_FILTER_BUTTON, _PADDING = 3, 2
#: Bold header text is about this much wider than regular text.
_BOLD_FACTOR = 1.1
HEADER_FILL = "#DDEBF7"
#: XlsxWriter's paper index for A4.
_A4 = 9
#: Printed at the foot of every page: the sheet's name, and page x of y.
FOOTER = "&L&A&RHalaman &P dari &N"
#: XlsxWriter's options: write every value as given (no formulas, URLs or numbers guessed from
#: text), each row to disk as soon as the next starts.
_OPTIONS = {
    "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    "remove_timezone": True,
}

Writer = Callable[[int, int, Any, Format | None], Any]


@dataclass(frozen=True)
class _Column:
    """One column ready to write: a value per row (None where missing), how, in what format, how wide."""

    values: list
    write: Writer
    style: Format | None
    width: float


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write one sheet per table to `path`, replacing it whole, ready to read and to print.

    Every sheet has its header row in bold on a fill, frozen, with an autofilter; columns as
    wide as their content (at most MAX_WIDTH, longer text wraps); number formats by column (see
    the module's docstring); A4 landscape, one page wide, the header row on every page.
    """
    _check_sheet_names(list(sheets))

    def build(book: xlsxwriter.Workbook) -> None:
        formats = _Formats(book)
        for name, table in sheets.items():
            _write_sheet(book.add_worksheet(name), table, formats)

    return xlsx_file(path, build, _OPTIONS, again="run the report again")


def xlsx_file(path: Path, build: Callable[[xlsxwriter.Workbook], None], options: Mapping[str, Any], *,
              again: str, properties: Mapping[str, str] | None = None) -> Path:
    """Have `build` fill a new XlsxWriter workbook, written beside `path` and put in its place in one
    step (an old file stays whole until the new one is complete). `again` ends the error message:
    what the reader runs once the cause is fixed."""
    path = Path(path)
    try:
        with atomic_path(path) as temporary:
            book = xlsxwriter.Workbook(str(temporary), dict(options))
            if properties:
                book.set_properties(dict(properties))
            build(book)
            book.close()
    except (OSError, FileCreateError) as error:
        cause = error.args[0] if isinstance(error, FileCreateError) and error.args else error
        raise cannot_write(path, cause, "Check that its folder exists and can be written to, close the file if it "
                                        "is open in Excel or LibreOffice, check that the disk is not full, "
                                        f"then {again}.") from error
    except XlsxWriterException as error:
        raise UmkmkitError(
            f"Cannot write {path}: {error}. This is a bug in umkmkit: please report it with this message."
        ) from error
    return path


def write_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write `table` as CSV that Excel on Windows opens right: UTF-8 with a byte-order mark (names
    with accents shown correctly), a header row, decimal points, quotes only where needed."""
    path = Path(path)
    try:
        table.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    except OSError as error:
        raise cannot_write(path, error, "Check that its folder can be written to, close the file if it is open in "
                                        "Excel, check that the disk is not full, then run the report again.") from error
    return path


def _check_sheet_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not _SHEET_NAME.match(name) or name.startswith("'") or name.endswith("'"):
            raise UmkmkitError(
                f"Sheet name '{name}' is not allowed in Excel: 1 to 31 characters, none of []:*?/\\, "
                "not starting or ending with an apostrophe. Rename the sheet in the code that names it."
            )
        if name.casefold() in seen:
            raise UmkmkitError(
                f"Sheet name '{name}' is given twice (Excel does not tell upper from lower case). "
                "Rename one of the sheets in the code that names them."
            )
        seen.add(name.casefold())


class _Formats:
    """The workbook's cell formats, made once (XlsxWriter keeps one style record per Format)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({
            "bold": True, "bg_color": HEADER_FILL, "bottom": 1, "valign": "vcenter", "num_format": TEXT_FORMAT,
        })
        self.text = book.add_format({"num_format": TEXT_FORMAT})
        self.wrapped_text = book.add_format({"num_format": TEXT_FORMAT, "text_wrap": True, "valign": "top"})
        self.boolean = book.add_format({"num_format": BOOLEAN_FORMAT})
        self.percent = book.add_format({"num_format": PERCENT_FORMAT})
        self.decimal = book.add_format({"num_format": DECIMAL_FORMAT})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.datetime = book.add_format({"num_format": DATETIME_FORMAT})

    def for_text(self, width: float) -> Format:
        """Text too wide for a column of MAX_WIDTH wraps onto more lines."""
        return self.wrapped_text if width > MAX_WIDTH else self.text


def _write_sheet(sheet: Worksheet, table: pd.DataFrame, formats: _Formats) -> None:
    headers = [_ILLEGAL.sub("", str(name)) for name in table.columns]
    columns = [_column(sheet, table.iloc[:, i], headers[i], formats) for i in range(len(headers))]
    for c, (header, column) in enumerate(zip(headers, columns)):
        header_width = math.ceil(len(header) * _BOLD_FACTOR) + _FILTER_BUTTON
        sheet.set_column(c, c, min(MAX_WIDTH, max(MIN_WIDTH, header_width, column.width)))
        sheet.write_string(0, c, header, formats.header)
    # constant_memory: row by row, each row is written out when the next starts
    writers = [(c, column.write, column.style) for c, column in enumerate(columns)]
    for r, row in enumerate(zip(*(column.values for column in columns)), start=1):
        for (c, write, style), value in zip(writers, row):
            if value is not None:
                write(r, c, value, style)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, len(table), len(headers) - 1)
    sheet.set_landscape()
    sheet.set_paper(_A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.hide_gridlines(0)  # gridlines on paper too: long rows are easier to follow
    sheet.set_footer(FOOTER)


def _column(sheet: Worksheet, values: pd.Series, header: str, formats: _Formats) -> _Column:
    """How one column is written, its values as Python objects (None where missing) and its width."""
    if values.dtype == object:
        values = values.infer_objects()  # numbers (or texts) with None among them
    if pd.api.types.is_bool_dtype(values):
        return _Column(_missing_as_none(values), sheet.write_boolean, formats.boolean, len("FALSE") + _PADDING)
    if pd.api.types.is_numeric_dtype(values):
        return _number_column(sheet, values, header, formats)
    if pd.api.types.is_datetime64_any_dtype(values):
        moments = values.dt.tz_localize(None) if values.dt.tz is not None else values
        present = moments.dropna()
        with_time = bool((present.dt.normalize() != present).any())
        style, shown = (formats.datetime, DATETIME_FORMAT) if with_time else (formats.date, DATE_FORMAT)
        serials = (moments - _EPOCH) / pd.Timedelta(days=1)
        return _Column(_missing_as_none(serials), sheet.write_number, style, len(shown) + _PADDING)
    texts = values.dropna().astype(str)
    width = (int(texts.str.len().max()) if len(texts) else 0) + _PADDING
    if pd.api.types.is_string_dtype(values):
        if texts.str.contains(_ILLEGAL).any():
            values = values.where(values.isna(), values.astype(str).str.replace(_ILLEGAL, "", regex=True))
        # an empty text is an empty cell
        return _Column(_missing_as_none(values.mask(values.eq(""))), sheet.write_string, formats.for_text(width), width)
    number_style = formats.percent if PERCENT_MARK in header.casefold() else None
    writer = _mixed_writer(sheet, formats, number_style)
    return _Column(_missing_as_none(values), writer, formats.for_text(width), width)


def _number_column(sheet: Worksheet, values: pd.Series, header: str, formats: _Formats) -> _Column:
    as_float = values.astype(float)
    finite = as_float.notna() & as_float.abs().ne(math.inf)
    shown = as_float[finite]
    if PERCENT_MARK in header.casefold():
        style, decimals = formats.percent, 1
    elif not (shown == shown.round()).all():
        style, decimals = formats.decimal, 2
    else:
        style, decimals = None, 0
    widest = max(len(f"{shown.min():.{decimals}f}"), len(f"{shown.max():.{decimals}f}")) if len(shown) else 1
    # missing and infinite values are left empty (a cell cannot hold NaN)
    return _Column(values.astype(object).where(finite, None).tolist(), sheet.write_number, style, widest + _PADDING)


def _mixed_writer(sheet: Worksheet, formats: _Formats, number_style: Format | None) -> Writer:
    """Writes a value of any kind (a column of Python objects) as what it is, a number in `number_style`."""

    def write(row: int, col: int, value: Any, style: Format | None) -> Any:
        if isinstance(value, bool):
            return sheet.write_boolean(row, col, value, formats.boolean)
        if isinstance(value, numbers.Real):
            return sheet.write_number(row, col, value, number_style) if math.isfinite(value) else None
        if isinstance(value, datetime):
            with_time = value.time() != datetime.min.time()
            return sheet.write_datetime(row, col, value, formats.datetime if with_time else formats.date)
        if isinstance(value, date):
            return sheet.write_datetime(row, col, value, formats.date)
        return sheet.write_string(row, col, _ILLEGAL.sub("", str(value)), style)

    return write


def _missing_as_none(values: pd.Series) -> list:
    return values.astype(object).where(values.notna(), None).tolist()
