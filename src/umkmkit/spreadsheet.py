"""Writing .xlsx workbooks (Office Open XML) of plain tables, fast.

The coordinator's workbook holds some 150,000 cells for 5,000 trainees; openpyxl's writer
spends about 12 microseconds a cell, most of the report's time budget. A workbook of plain
tables needs little of the format: one sheet part per table with inline strings, numbers,
booleans and dates, a bold header row, a frozen first row. This module writes exactly that
(ECMA-376 SpreadsheetML, the parts Excel, LibreOffice and openpyxl require) with string
joins. openpyxl reads the result back in the tests.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from umkmkit.errors import UmkmkitError

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: Characters XML 1.0 cannot hold (a name pasted from a chat can carry them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
_EPOCH = datetime(1899, 12, 30)
#: Style indexes in styles.xml: 0 normal, 1 bold header, 2 date and time.
_BOLD, _DATETIME = 1, 2
_SHEET_NAME = re.compile(r"^[^\[\]:*?/\\]{1,31}$")


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write one sheet per table (header row in bold, frozen) to `path`, replacing it whole."""
    for name in sheets:
        if not _SHEET_NAME.match(name):
            raise UmkmkitError(f"Sheet name '{name}' is not allowed in Excel: 1 to 31 characters, none of []:*?/\\.")
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
            archive.writestr("_rels/.rels", _package_rels())
            archive.writestr("xl/workbook.xml", _workbook(list(sheets)))
            archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
            archive.writestr("xl/styles.xml", _STYLES)
            for number, table in enumerate(sheets.values(), start=1):
                archive.writestr(f"xl/worksheets/sheet{number}.xml", _sheet(table))
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UmkmkitError(
            f"Cannot write {path}: {error.strerror or error}. Close the file if it is open in Excel, "
            "check that the disk is not full, then run the report again."
        ) from error
    return path


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    text = _ILLEGAL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t{space}>{escape(text)}</t></is></c>'


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(count):
        name, number = "", index + 1
        while number:
            number, remainder = divmod(number - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _cells(values: pd.Series, letter: str, first_row: int) -> list[str]:
    """The cells of one column, from row `first_row` down ("" for a missing value)."""
    rows = range(first_row, first_row + len(values))
    if pd.api.types.is_bool_dtype(values):
        return [f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>' for r, v in zip(rows, values)]
    if pd.api.types.is_numeric_dtype(values):
        return [
            "" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f'<c r="{letter}{r}"><v>{v!r}</v></c>'
            for r, v in zip(rows, values.astype(object).where(values.notna(), None).tolist())
        ]
    if pd.api.types.is_datetime64_any_dtype(values):
        days = ((values - pd.Timestamp(_EPOCH)) / pd.Timedelta(days=1)).tolist()
        return [
            "" if pd.isna(v) else f'<c r="{letter}{r}" s="{_DATETIME}"><v>{v!r}</v></c>' for r, v in zip(rows, days)
        ]
    cells = []
    for r, v in zip(rows, values.astype(object).tolist()):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
            cells.append("")
        elif isinstance(v, bool):
            cells.append(f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            cells.append(f'<c r="{letter}{r}"><v>{v!r}</v></c>')
        elif isinstance(v, (datetime, date)):
            moment = v if isinstance(v, datetime) else datetime(v.year, v.month, v.day)
            serial = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
            cells.append(f'<c r="{letter}{r}" s="{_DATETIME}"><v>{serial!r}</v></c>')
        else:
            cells.append(_text_cell(f"{letter}{r}", str(v)))
    return cells


def _sheet(table: pd.DataFrame) -> str:
    letters = _column_letters(len(table.columns))
    header = "".join(_text_cell(f"{letter}1", str(name), _BOLD) for letter, name in zip(letters, table.columns))
    columns = [_cells(table.iloc[:, i], letter, 2) for i, letter in enumerate(letters)]
    rows = [f'<row r="1">{header}</row>']
    rows += [f'<row r="{n}">{"".join(cells)}</row>' for n, cells in enumerate(zip(*columns), start=2)]
    last = f"{letters[-1] if letters else 'A'}{len(table) + 1}"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f'<sheetData>{"".join(rows)}</sheetData></worksheet>'
    )


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{sheets}</Types>'
    )


def _package_rels() -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">{sheets}'
        f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    )


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
