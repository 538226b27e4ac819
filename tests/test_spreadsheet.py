"""The .xlsx writer: values read back with openpyxl, print set-up checked by printing with
LibreOffice headless to PDF and reading the PDF with poppler (pdfinfo, pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from umkmkit.errors import UmkmkitError
from umkmkit.spreadsheet import MAX_WIDTH, write_workbook

#: Seconds LibreOffice may take to start and print the small workbook on a busy machine.
CONVERT_TIMEOUT = 240
#: A4 in points, landscape (pdfinfo rounds differently per producer).
A4_LANDSCAPE = (841.9, 595.3)


def test_values_of_every_kind_come_back_as_written(tmp_path):
    table = pd.DataFrame({
        "id_peserta": ["P-00001", "P-00002", None],
        "nama": ['Yosef "Ucok" Mandacan, S.E.', "  spasi di tepi ", "kendali\x01<&>"],
        "jumlah": [1, 2, 3],
        "persen": [87.5, float("nan"), 100.0],
        "lulus": [True, False, True],
        "waktu": pd.to_datetime(["2022-06-10 09:30", None, "2022-08-12 17:00"]),
        "campur": [True, None, 2.5],
    })
    path = write_workbook({"Per peserta": table, "Kosong": pd.DataFrame(columns=["a", "b"])}, tmp_path / "p.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Per peserta", "Kosong"]
    rows = list(book["Per peserta"].values)
    assert rows[0] == tuple(table.columns)
    assert rows[1] == ("P-00001", 'Yosef "Ucok" Mandacan, S.E.', 1, 87.5, True, datetime(2022, 6, 10, 9, 30), True)
    assert rows[2] == ("P-00002", "  spasi di tepi ", 2, None, False, None, None)
    assert rows[3] == (None, "kendali<&>", 3, 100.0, True, datetime(2022, 8, 12, 17, 0), 2.5)
    assert book["Per peserta"]["A1"].font.b and not book["Per peserta"]["A2"].font.b
    assert book["Per peserta"].freeze_panes == "A2"
    assert list(book["Kosong"].values) == [("a", "b")]
    assert book["Kosong"].auto_filter.ref == "A1:B1"


def test_columns_of_python_objects_get_the_formats_of_their_values(tmp_path):
    table = pd.DataFrame({
        "rata_awal_persen": pd.Series([200 / 3, None], dtype=object),
        "catatan": pd.Series(["", "ada"], dtype=object),
        "campur_persen": pd.Series([12.25, "tidak ada"], dtype=object),
        "tanggal": pd.Series([date(2023, 1, 31), datetime(2023, 2, 1, 8, 0)], dtype=object),
    })
    sheet = load_workbook(write_workbook({"Tes awal-akhir": table}, tmp_path / "t.xlsx"))["Tes awal-akhir"]
    assert sheet["A2"].value == pytest.approx(200 / 3) and sheet["A2"].number_format == "0.0"
    assert sheet["A3"].value is None
    assert sheet["B2"].value is None and sheet["B3"].value == "ada"  # an empty text is an empty cell
    assert (sheet["C2"].value, sheet["C2"].number_format) == (12.25, "0.0")
    assert (sheet["C3"].value, sheet["C3"].data_type) == ("tidak ada", "s")
    assert (sheet["D2"].value, sheet["D2"].number_format) == (datetime(2023, 1, 31), "dd/mm/yyyy")
    assert (sheet["D3"].value, sheet["D3"].number_format) == (datetime(2023, 2, 1, 8, 0), "dd/mm/yyyy hh:mm")


def test_many_columns_get_excel_letters(tmp_path):
    table = pd.DataFrame([list(range(30))], columns=[f"k{i}" for i in range(30)])
    book = load_workbook(write_workbook({"Lebar": table}, tmp_path / "lebar.xlsx"))
    assert book["Lebar"]["AD2"].value == 29 and book["Lebar"]["Z1"].value == "k25"


def test_existing_file_is_replaced_whole_and_bad_names_refused(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"laporan lama")
    write_workbook({"A": pd.DataFrame({"x": [1]})}, path)
    assert list(load_workbook(path)["A"].values) == [("x",), (1,)]
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]
    with pytest.raises(UmkmkitError, match="Sheet name 'a/b' is not allowed"):
        write_workbook({"a/b": pd.DataFrame()}, path)
    with pytest.raises(UmkmkitError, match="Sheet name 'ringkasan' is given twice"):
        write_workbook({"Ringkasan": pd.DataFrame(), "ringkasan": pd.DataFrame()}, path)
    assert list(load_workbook(path)["A"].values) == [("x",), (1,)]
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    with pytest.raises(UmkmkitError, match=r"Cannot write .*progres\.xlsx.*run the report again"):
        write_workbook({"A": pd.DataFrame({"x": [1]})}, tmp_path / "tidak-ada" / "progres.xlsx")


# --- Print-ready: the report's own sheet shapes -----------------------------------------------

COHORTS = [f"mkw-{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(5, 25)]  # 20 monthly cohorts
MODULES = [f"{n:02d}" for n in range(1, 8)]


def summary_sheet() -> pd.DataFrame:
    """Shaped like the report's "Ringkasan": 20 cohorts x 7 modules, unrounded percentages."""
    rows = [(cohort, module, 250, 100 * (200 + k % 50) / 250, 100 * (110 + k % 37) / 150)
            for k, (cohort, module) in enumerate((c, m) for c in COHORTS for m in MODULES)]
    return pd.DataFrame(rows, columns=["kohort", "modul", "peserta", "dikumpulkan_persen", "lulus_persen"])


def trainee_sheet(count: int = 40) -> pd.DataFrame:
    """Shaped like the report's "Per peserta": 21 columns, IDs, booleans, per-module percentages."""
    table = pd.DataFrame({
        "id_peserta": [f"P-{n:05d}" for n in range(1, count + 1)],
        "nama": [f"Meiske Sumampouw {n}" for n in range(1, count + 1)],
        "id_umkm": [f"MKW-{n:05d}" for n in range(1, count + 1)],
        "sektor": ["kuliner", "kerajinan"] * (count // 2),
        "distrik": ["Manokwari Selatan", "Warmare"] * (count // 2),
        "kohort_pertama": COHORTS[:1] * count,
        "kohort_terakhir": COHORTS[-1:] * count,
        "jumlah_kohort": [1, 2] * (count // 2),
        "modul_lulus": [n % 8 for n in range(count)],
        "modul_belum_lulus": ["01, 02, 03, 04, 05, 06, 07", ""] * (count // 2),
        "lulus_semua": [False, True] * (count // 2),
        "rata_rata_persen": [200 / 3 + n for n in range(count)],
        "perlu_nilai_manual": [True, False] * (count // 2),
        "tugas_tidak_dikumpulkan": ["", "04-modul-uji-4"] * (count // 2),
    })
    for module in MODULES:
        table[f"persen_modul_{module}"] = [100 * n / 30 % 100 for n in range(count)]
    table["mendaftar"] = pd.to_datetime("2022-06-01") + pd.to_timedelta(range(count), unit="D")
    return table


def invitation_sheet() -> pd.DataFrame:
    """Shaped like "Undangan": a long text column that must wrap."""
    reason = "sektor prioritas (kerajinan); distrik Warmare baru terjangkau 44%; pemilik muda (29 tahun)"
    return pd.DataFrame({"peringkat": [1, 2], "id_umkm": ["MKW-04624", "MKW-00010"], "alasan": [reason, "tidak ada"]})


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, Path]:
    """The workbook of the report's shapes and its PDF printed by LibreOffice (started once)."""
    folder = tmp_path_factory.mktemp("cetak")
    workbook = write_workbook(
        {"Ringkasan": summary_sheet(), "Per peserta": trainee_sheet(), "Undangan": invitation_sheet()},
        folder / "progres.xlsx",
    )
    soffice = _tool("soffice", "libreoffice-calc")
    _tool("pdftotext", "poppler-utils")
    try:
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profil').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
            check=True, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not print {workbook} to PDF within {CONVERT_TIMEOUT} s.", pytrace=False)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"LibreOffice could not print {workbook}: {error.stderr or error.stdout}", pytrace=False)
    pdf = folder / "progres.pdf"
    assert pdf.is_file(), f"LibreOffice wrote no {pdf.name} into {folder}"
    return workbook, pdf


def _tool(name: str, package: str) -> str:
    """The executable; fails the test, with how to install it, when it is missing (never skipped)."""
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found: printing tests need it. Install it (Debian/Ubuntu, as root: "
                    f"apt-get install --no-install-recommends {package}).", pytrace=False)
    return found


def test_columns_are_wide_enough_and_long_text_wraps(printed):
    book = load_workbook(printed[0])
    width = {sheet.title: _widths(sheet) for sheet in book.worksheets}
    # an ID is never cut ("MKW-0000"), nor a header (its filter button takes room too)
    for sheet in ("Per peserta", "Undangan"):
        assert width[sheet]["id_umkm"] >= len("MKW-00001") + 1
        for header, columns in width[sheet].items():
            assert len(header) + 2 <= columns <= MAX_WIDTH + 1, (sheet, header, columns)
    assert width["Per peserta"]["modul_belum_lulus"] >= len("01, 02, 03, 04, 05, 06, 07")
    # fitted, not all the same
    assert width["Ringkasan"]["modul"] < width["Ringkasan"]["kohort"] < width["Ringkasan"]["dikumpulkan_persen"]
    assert width["Undangan"]["alasan"] <= MAX_WIDTH + 1 and book["Undangan"]["C2"].alignment.wrap_text
    assert not book["Undangan"]["C3"].alignment.wrap_text or width["Undangan"]["alasan"] > MAX_WIDTH


def _widths(sheet) -> dict[str, float]:
    """Each column's width by its header (a <col> element may cover neighbours of equal width)."""
    of_column = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            of_column[column] = dimension.width
    return {sheet.cell(1, column).value: of_column[column] for column in range(1, sheet.max_column + 1)}


def test_numbers_dates_ids_and_booleans_have_their_formats(printed):
    book = load_workbook(printed[0])
    summary, people = book["Ringkasan"], book["Per peserta"]
    # percentages: one decimal shown, the full value kept
    assert summary["D2"].number_format == summary["E2"].number_format == "0.0"
    assert summary["E2"].value == pytest.approx(100 * 110 / 150)
    assert summary["E2"].value != round(summary["E2"].value, 1)
    assert people["L2"].number_format == "0.0" and people["O2"].number_format == "0.0"
    assert summary["C2"].value == 250 and summary["C2"].number_format == "General"
    # IDs and codes as text, "01" stays "01"
    for cell in (summary["A2"], summary["B2"], people["A2"], people["C2"]):
        assert cell.data_type == "s" and cell.number_format == "@", cell.coordinate
    assert summary["B2"].value == "01" and people["C2"].value == "MKW-00001"
    # dates as dates
    joined = people.cell(2, people.max_column)
    assert joined.is_date and joined.value == datetime(2022, 6, 1) and joined.number_format == "dd/mm/yyyy"
    assert people["K2"].value is False and people["K3"].value is True


def test_header_filter_panes_and_print_setup(printed):
    book = load_workbook(printed[0])
    assert book.sheetnames == ["Ringkasan", "Per peserta", "Undangan"]
    for sheet in book.worksheets:
        header = sheet["A1"]
        assert header.font.b and header.fill.fill_type == "solid" and header.fill.fgColor.rgb.endswith("DDEBF7")
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", int(sheet.PAPERSIZE_A4))
        # fit to one page wide (1 is SpreadsheetML's default, left out), as many pages high as needed
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        assert "Halaman &P dari &N" in sheet.oddFooter.right.text


def test_libreoffice_prints_the_summary_one_page_wide(printed):
    _, pdf = printed
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = tuple(float(x) for x in re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M).groups())
    assert size == pytest.approx(A4_LANDSCAPE, abs=1), info
    texts = [
        subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                       check=True, capture_output=True, text=True).stdout
        for n in range(1, pages + 1)
    ]
    summary = summary_sheet()
    on_summary = [text for text in texts if re.search(r"^\s*Ringkasan\s+Halaman", text, re.M)]
    # 141 rows: more than one page high, each page with the whole header row (one page wide,
    # header repeated) and no page holding only the columns to the right
    assert 1 < len(on_summary) < 10
    for text in on_summary:
        assert re.search(r"kohort\s+modul\s+peserta\s+dikumpulkan_persen\s+lulus_persen", text), text
    printed_text = "\n".join(on_summary)
    assert all(cohort in printed_text for cohort in COHORTS)
    # percentages with one decimal (in the printing machine's decimal sign)
    assert re.search(r"\b73[.,]3\b", printed_text) and "73.333" not in printed_text and "73,333" not in printed_text
    assert len(re.findall(r"^\s*mkw-\d{4}-\d{2}\s", printed_text, re.M)) == len(summary)
    # the wide sheet too is one page wide: its last column is on its every page
    on_people = [text for text in texts if re.search(r"^\s*Per peserta\s+Halaman", text, re.M)]
    assert on_people and all("id_peserta" in text and "mendaftar" in text for text in on_people)
    assert "01/06/2022" in "\n".join(on_people) and re.search(r"\bya\b.*\btidak\b", "\n".join(on_people), re.S)
