"""Spreadsheet calculators participants take home: .xlsx workbooks in Bahasa Indonesia with live
formulas, one per calculator.

Participants own phones, not laptops, and many live where there is no signal. A workbook opens
offline in Excel, LibreOffice, Google Sheets and WPS Office, and keeps working after the training.
Each calculator computes what a function of the participants' helper module (lessons/bantu.py)
computes, with the same rounding, so that the workbook and the lesson agree to the rupiah:

- kalkulator-buku-kas.xlsx: buku pesanan and buku kas, laba rugi per month (`bantu.laba_rugi` on
  one month's paid orders) and omzet per week Monday to Sunday (`bantu.omzet_mingguan`), by
  SUMIFS over the two logs;
- kalkulator-harga-aman.xlsx: harga aman per channel (`bantu.harga_aman`) and the money the
  seller receives at that price (`bantu.uang_diterima`);
- kalkulator-ongkir.xlsx: berat volume, berat tagihan and ongkir (`bantu.berat_volume`,
  `bantu.berat_tagihan`, `bantu.ongkir`) from the kit's example rate tables
  (datasets/ongkir.csv and datasets/pembagi_volume.csv, copied into an editable sheet);
- kalkulator-omzet-pajak.xlsx: monthly and cumulative omzet against the PPh final UMKM thresholds
  of the fact registry (fact pph-final-umkm), as lesson 02 computes the tax.

Decisions, each for a reason a participant would notice:

- Formulas use only functions Excel 2007 already had (SUMIFS, COUNTIFS, IFERROR, ROUNDUP, ...),
  which every target app has; no dynamic arrays, LET or XLOOKUP.
- Formula cells are written without a cached result (an empty <v>). Excel recalculates on load
  anyway (XlsxWriter sets fullCalcOnLoad), but LibreOffice by default keeps whatever result the
  file holds: with XlsxWriter's default of 0 every result would read Rp0 until an input changed.
  A formula without a result LibreOffice computes when it opens the file.
- Rounding follows Python's round() as bantu uses it, half to even: uang_diterima rounds a tie
  such as Rp13.954,5 to the even rupiah (2*ROUND(v/2)); berat_tagihan rounds grams half to even,
  so a remainder of exactly 300,5 g is "300 g or less" (the sheet compares with 300.5).
- Inputs are yellow, unlocked, and say "Isi di sini" when selected (a data validation's input
  message, which also keeps out text where a number belongs); results are green and locked.
  Sheets are protected without a password: only so that a formula is not typed over by mistake.
- Every fee, threshold and divisor a sheet states names its fact in the registry and the date the
  fact was checked. The figure must still be quoted by the fact when the workbook is written, so a
  registry update stops the build with a message instead of shipping a stale figure.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from math import ceil
from pathlib import Path

import xlsxwriter
from babel.numbers import format_compact_decimal
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from umkmkit.errors import UmkmkitError
from umkmkit.course.facts import load_fact
from umkmkit.formats import LOCALES, format_day, format_number, format_percent, month_names
from umkmkit.spreadsheet import FOOTER, HEADER_FILL, xlsx_file
from umkmkit.workspace import Kit, find_kit

#: One file per calculator, in the order participants meet them in the lessons.
CASH_BOOK_FILE = "kalkulator-buku-kas.xlsx"
PRICE_FILE = "kalkulator-harga-aman.xlsx"
SHIPPING_FILE = "kalkulator-ongkir.xlsx"
TAX_FILE = "kalkulator-omzet-pajak.xlsx"

INPUT_FILL = "#FFF2CC"
OUTPUT_FILL = "#E2EFDA"
INPUT_HINT = "isi di sini"
RUPIAH_FORMAT = '"Rp"#,##0;-"Rp"#,##0'
PERCENT_FORMAT = "0.0#%"
KG_FORMAT = '0.0##" kg"'
KG_WHOLE_FORMAT = '0" kg"'
DATE_FORMAT = "dd/mm/yyyy"
COUNT_FORMAT = "#,##0"
#: XlsxWriter's paper index for A4.
PAPER_A4 = 9
#: Rows of the two logs (orders, cash) that are ready to fill: a year of a small seller's orders.
LOG_ROWS = 1000
MONTHS = month_names("id")
#: Functions the formulas may use: all in Excel 2007, LibreOffice, Google Sheets and WPS.
FUNCTIONS = frozenset({
    "AND", "COUNTIF", "COUNTIFS", "DATE", "IF", "IFERROR", "INDEX", "INT", "ISNUMBER", "MATCH", "MAX",
    "MOD", "OR", "ROUND", "ROUNDUP", "SUM", "SUMIFS", "TRIM", "WEEKDAY",
})
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


# ---------------------------------------------------------------------------------------------
# Inputs (the sample a workbook is written with; tests write others)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Order:
    """One row of the buku pesanan, the columns bantu.laba_rugi and bantu.omzet_mingguan read."""

    tanggal: date
    nomor: str
    keterangan: str
    jumlah: int
    harga_satuan: int
    hpp_satuan: int
    biaya_admin: int = 0
    ongkir_penjual: int = 0
    sudah_bayar: bool = True


@dataclass(frozen=True)
class CashEntry:
    """One row of the buku kas: money in or out."""

    tanggal: date
    keterangan: str
    bukti: str = ""
    masuk: int = 0
    keluar: int = 0


@dataclass(frozen=True)
class CashBookInputs:
    tahun: int
    saldo_awal: int
    orders: tuple[Order, ...]
    cash: tuple[CashEntry, ...]


@dataclass(frozen=True)
class Channel:
    """A sales channel's fees. A fee taken from the fact registry names its fact."""

    nama: str
    biaya_persen: float = 0.0
    biaya_per_pesanan: int = 0
    fakta_persen: str | None = None
    fakta_per_pesanan: str | None = None


@dataclass(frozen=True)
class PriceInputs:
    barang: str
    hpp: int
    margin: float
    channels: tuple[Channel, ...]


@dataclass(frozen=True)
class ParcelInputs:
    berat_kg: float
    panjang: float
    lebar: float
    tinggi: float
    kota_tujuan: str
    layanan: str


@dataclass(frozen=True)
class TaxInputs:
    omzet_bulanan: tuple[int, ...] = field(default=(0,) * 12)


# The samples: Pak Arif's keripik from Masni, as in lesson 02 (buku kas: the lesson's own table).
SAMPLE_CASH_BOOK = CashBookInputs(
    tahun=2022,
    saldo_awal=500_000,
    orders=(
        Order(date(2022, 9, 1), "KRP-001", "Paket Keripik 4 Rasa, tunai", 1, 75_000, 48_000),
        Order(date(2022, 9, 1), "KRP-002", "Paket Keripik 4 Rasa, ke Jakarta", 1, 75_000, 48_000),
        Order(date(2022, 9, 3), "KRP-003", "Paket Keripik 4 Rasa, antar Sanggeng", 1, 75_000, 48_000),
        Order(date(2022, 9, 5), "KRP-005", "Keripik Keladi", 2, 20_000, 12_000),
        Order(date(2022, 9, 6), "KRP-006", "Keripik Singkong Balado", 4, 20_000, 11_000),
        Order(date(2022, 10, 3), "KRP-041", "Keripik Sukun, Shopee", 5, 20_000, 12_500, biaya_admin=4_000),
        Order(date(2022, 10, 4), "KRP-042", "Keripik Keladi, belum dibayar", 3, 20_000, 12_000, sudah_bayar=False),
    ),
    cash=(
        CashEntry(date(2022, 9, 1), "Jual paket keripik, tunai", "KRP-001", masuk=75_000),
        CashEntry(date(2022, 9, 2), "Beli keladi dan minyak goreng", "Nota 17", keluar=150_000),
        CashEntry(date(2022, 9, 3), "Transfer dari pembeli", "KRP-003", masuk=85_000),
    ),
)
SAMPLE_PRICE = PriceInputs(
    barang="Keripik sukun",
    hpp=12_500,
    margin=0.30,
    channels=(
        Channel("WhatsApp"),
        Channel("Facebook / Instagram"),
        Channel("Shopee (contoh)", 0.08, 1_250, "shopee-biaya-admin", "shopee-biaya-proses-pesanan"),
        Channel("TikTok Shop (contoh)", 0.0697, 1_250, "tiktok-shop-biaya", "tiktok-shop-biaya"),
        Channel(""),
        Channel(""),
    ),
)
SAMPLE_PARCEL = ParcelInputs(berat_kg=2.0, panjang=25, lebar=16, tinggi=16, kota_tujuan="Surabaya", layanan="REG")
SAMPLE_TAX = TaxInputs((41_500_000, 39_000_000, 44_000_000, 43_500_000, 45_000_000, 47_000_000,
                        46_500_000, 48_000_000, 44_500_000, 46_000_000, 49_000_000, 54_000_000))

#: PPh final UMKM (fact pph-final-umkm): omzet up to this much a year is not taxed ...
PPH_FACT = "pph-final-umkm"
PPH_RECORDS_FACT = "pph-umkm-pencatatan"
TAX_FREE_TURNOVER = 500_000_000
#: ... the part above it is taxed at this rate ...
FINAL_TAX_RATE = 0.005
#: ... as long as the year's omzet is not above this.
FINAL_TAX_CAP = 4_800_000_000
#: The facts that give each courier's volumetric divisor (datasets/pembagi_volume.csv).
DIVISOR_FACTS = {"JNE": "jne-berat-tagihan", "J&T Cargo": "jnt-cargo-berat-volume", "Kargo laut": "kargo-kapal-berat-volume"}


# ---------------------------------------------------------------------------------------------
# Where things are (the tests read the same addresses)
# ---------------------------------------------------------------------------------------------

# kalkulator-harga-aman.xlsx
PRICE_SHEET = "Harga aman"
PRICE_ITEM, PRICE_HPP, PRICE_MARGIN = "B13", "B14", "B15"
#: Excel row of the first channel; columns A kanal, B persen, C per pesanan, D harga aman,
#: E uang diterima, F untung per barang.
PRICE_FIRST_CHANNEL_ROW = 19

# kalkulator-ongkir.xlsx
SHIPPING_SHEET = "Ongkir"
RATES_SHEET = "Tarif contoh"
PARCEL_CELLS = {"berat_kg": "B14", "panjang": "B15", "lebar": "B16", "tinggi": "B17", "kota_tujuan": "B18",
                "layanan": "B19"}
SHIPPING_RESULTS = {"keterangan": "B22", "kurir": "B23", "pembagi": "B24", "berat_volume": "B25",
                    "berat_tagihan": "B26", "berat_minimal": "B27", "tarif_per_kg": "B28", "ongkir": "B29"}
#: Excel row of the first service in the comparison table; columns A layanan ... H ongkir.
SHIPPING_FIRST_SERVICE_ROW = 33
SERVICE_ROWS = 6
#: What the sheet says when the town is not in the rate table (bantu.ongkir's advice).
CITY_MISSING = "Kota ini tidak ada di lembar Tarif contoh. Tanyakan tarifnya ke loket kurir, jangan menebak."
#: Excel rows of the divisor table and of the rate table on RATES_SHEET.
DIVISOR_FIRST_ROW, RATE_FIRST_ROW, RATE_ROWS = 7, 17, 100

# kalkulator-buku-kas.xlsx
ORDERS_SHEET, CASH_SHEET, PROFIT_SHEET, WEEKS_SHEET = "Buku pesanan", "Buku kas", "Laba rugi", "Omzet mingguan"
#: Excel row of the first order and of the first cash entry.
LOG_FIRST_ROW = 6
CASH_OPENING = "B3"
PROFIT_YEAR = "B4"
#: Excel row of January on PROFIT_SHEET; columns B pendapatan ... G laba bersih, H biaya lain,
#: I laba sesudah biaya lain, J uang masuk, K uang keluar. The year's total is 12 rows below.
PROFIT_FIRST_ROW = 8
PROFIT_COLUMNS = ("pendapatan", "hpp", "laba_kotor", "biaya_admin", "ongkir_penjual", "laba_bersih")
WEEKS_FIRST_ROW, WEEK_ROWS = 6, 53

# kalkulator-omzet-pajak.xlsx
TAX_SHEET = "Omzet dan pajak"
TAX_FIRST_MONTH_ROW = 19
TAX_RESULTS = {"omzet_setahun": "B33", "di_atas_batas": "B34", "pph_final": "B35", "keterangan": "B36"}


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def write_calculators(folder: Path, kit: Kit | None = None) -> list[Path]:
    """Write the four calculators into `folder` (created if missing), each file replaced whole.

    Returns the files in the order participants meet them: harga aman and ongkir (module 01),
    buku kas and omzet-pajak (module 02). `kit` gives the fact registry and the example rate
    tables (default: the kit this package belongs to).
    """
    kit = kit or find_kit()
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UmkmkitError(
            f"Cannot create the folder {folder}: {error.strerror or error}. Choose a folder you can write to "
            "(for example on the USB stick or in your home folder), then write the calculators again."
        ) from error
    return [
        write_price_calculator(folder / PRICE_FILE, kit),
        write_shipping_calculator(folder / SHIPPING_FILE, kit),
        write_cash_book(folder / CASH_BOOK_FILE),
        write_tax_calculator(folder / TAX_FILE, kit),
    ]


def write_price_calculator(path: Path, kit: Kit, inputs: PriceInputs = SAMPLE_PRICE) -> Path:
    """kalkulator-harga-aman.xlsx: bantu.harga_aman and bantu.uang_diterima for several channels."""
    sources = _channel_sources(kit, inputs.channels)
    return _write(path, lambda book, st: _price_sheet(book, st, inputs, sources))


def write_shipping_calculator(path: Path, kit: Kit, inputs: ParcelInputs = SAMPLE_PARCEL) -> Path:
    """kalkulator-ongkir.xlsx: bantu.berat_volume, berat_tagihan and ongkir, rates on a second sheet."""
    divisors = _read_csv(kit.datasets_dir / "pembagi_volume.csv")
    rates = _read_csv(kit.datasets_dir / "ongkir.csv")
    sources = [_cite(kit, DIVISOR_FACTS[row["kurir"]], row["pembagi"]) for row in divisors if row["kurir"] in DIVISOR_FACTS]

    def build(book, st):
        _shipping_sheet(book, st, inputs, divisors)
        _rates_sheet(book, st, divisors, rates, sorted(set(sources)))

    return _write(path, build)


def write_cash_book(path: Path, inputs: CashBookInputs = SAMPLE_CASH_BOOK) -> Path:
    """kalkulator-buku-kas.xlsx: buku pesanan, buku kas, laba rugi per bulan, omzet per minggu."""

    def build(book, st):
        _cash_book_guide(book, st)
        _orders_sheet(book, st, inputs.orders)
        _cash_sheet(book, st, inputs.saldo_awal, inputs.cash)
        _profit_sheet(book, st, inputs.tahun)
        _weeks_sheet(book, st)

    return _write(path, build)


def write_tax_calculator(path: Path, kit: Kit, inputs: TaxInputs = SAMPLE_TAX) -> Path:
    """kalkulator-omzet-pajak.xlsx: omzet per bulan, kumulatif, and PPh final UMKM for the year."""
    if len(inputs.omzet_bulanan) != 12:
        raise UmkmkitError(f"TaxInputs needs 12 monthly amounts, got {len(inputs.omzet_bulanan)}.")
    sources = [
        _cite(kit, PPH_FACT, spoken_rupiah(TAX_FREE_TURNOVER), spoken_percent(FINAL_TAX_RATE), spoken_rupiah(FINAL_TAX_CAP)),
        _cite(kit, PPH_RECORDS_FACT, "catat omzet setiap bulan", "KPP Pratama Manokwari"),
    ]
    return _write(path, lambda book, st: _tax_sheet(book, st, inputs, sources))


def _write(path: Path, build: Callable[[xlsxwriter.Workbook, _Styles], None]) -> Path:
    """Build a workbook into a temporary file beside `path`, then put it in place in one step."""
    path = Path(path)
    return xlsx_file(
        path, lambda book: build(book, _Styles(book)), _OPTIONS, again="write the calculators again",
        properties={"title": path.stem.replace("-", " ").capitalize(), "author": "umkmkit",
                    "comments": "Kalkulator pelatihan UMKM Manokwari"},
    )


# ---------------------------------------------------------------------------------------------
# Facts and figures as the texts say them
# ---------------------------------------------------------------------------------------------

def spoken_rupiah(amount: int) -> str:
    """How the kit's texts say a large amount: Rp500 juta, Rp4,8 miliar, Rp1.250."""
    if amount >= 1_000_000:
        return "Rp" + format_compact_decimal(amount, format_type="long", locale=LOCALES["id"], fraction_digits=2)
    return "Rp" + spoken_count(amount)


def spoken_count(count: int) -> str:
    """A whole number with the Indonesian thousands separator: 1.000."""
    return format_number(int(count), "id")


def spoken_percent(rate: float) -> str:
    """How the kit's texts say a rate: 0,5%, 6,97%, 8%."""
    return format_percent(rate * 100, "id", 2, trim=True)


def spoken_date(day: date) -> str:
    return format_day(day, "id")


def _cite(kit: Kit, fact_id: str, *figures: str) -> str:
    """'fakta <id>, diperiksa <date>', after checking that the fact still quotes every figure."""
    fact = load_fact(kit.facts_dir / f"{fact_id}.yml")
    missing = [figure for figure in figures if figure not in fact.dikutip]
    if missing:
        raise UmkmkitError(
            f"{fact.path}: the calculators state {', '.join(missing)} from fact '{fact_id}', but the fact no longer "
            f"quotes {'it' if len(missing) == 1 else 'them'} (dikutip: {', '.join(fact.dikutip)}). Update the figure "
            "in src/umkmkit/course/calculators.py to the registry's, then write the calculators again."
        )
    return f"fakta {fact_id}, diperiksa {spoken_date(fact.diperiksa)}"


def _channel_sources(kit: Kit, channels: Sequence[Channel]) -> list[str]:
    sources: list[str] = []
    for channel in channels:
        for fact_id, figure in ((channel.fakta_persen, spoken_percent(channel.biaya_persen)),
                                (channel.fakta_per_pesanan, spoken_rupiah(channel.biaya_per_pesanan))):
            if fact_id:
                cited = _cite(kit, fact_id, figure)
                if cited not in sources:
                    sources.append(cited)
    return sources


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise UmkmkitError(
            f"Cannot read {path}: {error.strerror or error}. Regenerate the data sets with `umkmkit datasets`."
        ) from error


# ---------------------------------------------------------------------------------------------
# Styles and the pieces every sheet has
# ---------------------------------------------------------------------------------------------

class _Styles:
    """The workbook's cell formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        def make(**options) -> Format:
            return book.add_format({"valign": "top", **options})

        inputs = {"bg_color": INPUT_FILL, "locked": False, "border": 1, "border_color": "#BF9000"}
        outputs = {"bg_color": OUTPUT_FILL, "border": 1, "border_color": "#70AD47"}
        self.title = make(bold=True, font_size=14)
        self.lead = make(italic=True)
        self.heading = make(bold=True, font_size=12, bottom=1)
        self.text = make(text_wrap=True)
        self.label = make()
        self.bold_label = make(bold=True)
        self.note = make(text_wrap=True, italic=True, font_color="#595959")
        self.hint = make(italic=True, font_color="#9C5700")
        self.header = make(bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True)
        self.in_text = make(num_format="@", **inputs)
        self.in_rupiah = make(num_format=RUPIAH_FORMAT, **inputs)
        self.in_percent = make(num_format=PERCENT_FORMAT, **inputs)
        self.in_kg = make(num_format=KG_FORMAT, **inputs)
        self.in_number = make(num_format="General", **inputs)
        self.in_count = make(num_format=COUNT_FORMAT, **inputs)
        self.in_date = make(num_format=DATE_FORMAT, **inputs)
        self.out_text = make(text_wrap=True, **outputs)
        self.out_rupiah = make(num_format=RUPIAH_FORMAT, **outputs)
        self.out_rupiah_bold = make(num_format=RUPIAH_FORMAT, bold=True, **outputs)
        self.out_kg = make(num_format=KG_FORMAT, **outputs)
        self.out_kg_whole = make(num_format=KG_WHOLE_FORMAT, **outputs)
        self.out_count = make(num_format=COUNT_FORMAT, **outputs)
        self.out_date = make(num_format=DATE_FORMAT, **outputs)
        self.out_percent = make(num_format=PERCENT_FORMAT, **outputs)
        self.legend_input = make(bg_color=INPUT_FILL, border=1, border_color="#BF9000")
        self.legend_output = make(bg_color=OUTPUT_FILL, border=1, border_color="#70AD47")
        self.fixed_rupiah = make(num_format=RUPIAH_FORMAT, border=1)
        self.fixed_percent = make(num_format=PERCENT_FORMAT, border=1)


def _formula(sheet: Worksheet, cell: str, formula: str, style: Format) -> None:
    # no cached result: LibreOffice then computes the cell on load (see the module's docstring)
    sheet.write_formula(cell, formula, style, "")


def _intro(sheet: Worksheet, st: _Styles, title: str, lead: str, steps: Sequence[str], last_col: int,
           width: float) -> int:
    """Title, one-line purpose, the 'Cara memakai' block and the colour legend; returns the next free row."""
    sheet.write(0, 0, title, st.title)
    sheet.write(1, 0, lead, st.lead)
    sheet.write(3, 0, "Cara memakai", st.heading)
    row = 4
    for number, step in enumerate(steps, start=1):
        _paragraph(sheet, st.text, row, last_col, f"{number}. {step}", width)
        row += 1
    sheet.write(row, 0, "Sel kuning", st.legend_input)
    sheet.write(row, 1, f"{INPUT_HINT.capitalize()}.", st.label)
    sheet.write(row + 1, 0, "Sel hijau", st.legend_output)
    sheet.write(row + 1, 1, "Dihitung otomatis dengan rumus; terkunci supaya rumusnya tidak terhapus.", st.label)
    return row + 3


def _paragraph(sheet: Worksheet, style: Format, row: int, last_col: int, text: str, width: float) -> None:
    """Wrapped text across columns A to last_col; merged cells do not grow by themselves, so set the height."""
    if last_col > 0:
        sheet.merge_range(row, 0, row, last_col, text, style)
    else:
        sheet.write(row, 0, text, style)
    lines = sum(max(1, ceil(len(part) / max(width * 1.05, 1))) for part in text.split("\n"))
    sheet.set_row(row, 15 * lines + 2)


def _input_message(sheet: Worksheet, cell_range: tuple[int, int, int, int], message: str,
                   validation: dict | None = None) -> None:
    """The 'Isi di sini' message a cell shows when selected, and what it accepts."""
    options = {"validate": "any"} if validation is None else dict(validation)
    options.update({"input_title": INPUT_HINT.capitalize(), "input_message": message[:255]})
    if validation is not None:
        options.setdefault("error_title", "Isian belum tepat")
    sheet.data_validation(*cell_range, options)


def _single_input(sheet: Worksheet, st: _Styles, cell: str, label: str, value, style: Format, message: str,
                  validation: dict | None = None, hint: str = "") -> None:
    row, col = _row_col(cell)
    sheet.write(row, col - 1, label, st.label)
    if value is None or value == "":
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, style)
    else:
        sheet.write_number(row, col, value, style)
    sheet.write(row, col + 1, f"← {INPUT_HINT}" + (f" ({hint})" if hint else ""), st.hint)
    _input_message(sheet, (row, col, row, col), message, validation)


def _row_col(cell: str) -> tuple[int, int]:
    return xl_cell_to_rowcol(cell)


def _finish(sheet: Worksheet, *, landscape: bool = False, header_row: int | None = None) -> None:
    """A4, one page wide, page numbers; protected without a password (inputs stay editable)."""
    sheet.set_paper(PAPER_A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer(FOOTER)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
                       "format_rows": True})


_AMOUNT = {"validate": "decimal", "criteria": ">=", "value": 0,
           "error_message": "Tulis angka saja, tanpa Rp dan tanpa titik, misalnya 25000."}
_WHOLE = {"validate": "decimal", "criteria": ">=", "value": 0, "error_message": "Tulis angka saja, misalnya 3."}
_RATE = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 0.99,
         "error_message": "Tulis persen dengan tanda %, misalnya 8%. Harus kurang dari 100%."}
_DATE = {"validate": "date", "criteria": "between", "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31),
         "error_message": "Tulis tanggal seperti 05/09/2022 (hari/bulan/tahun)."}
_PAID = {"validate": "list", "source": ["ya", "tidak"], "error_message": "Pilih ya atau tidak."}


# ---------------------------------------------------------------------------------------------
# Harga aman
# ---------------------------------------------------------------------------------------------

def _price_sheet(book: xlsxwriter.Workbook, st: _Styles, inputs: PriceInputs, sources: list[str]) -> None:
    sheet = book.add_worksheet(PRICE_SHEET)
    widths = (24, 16, 16, 16, 16, 16)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    next_row = _intro(sheet, st, "Kalkulator harga aman",
                      "Harga jual terendah yang tetap memberi untung setelah biaya kanal dipotong.", (
                          "Tulis HPP satu barang (semua biaya membuat satu barang) dan margin yang Anda "
                          "inginkan, misalnya 30%. Margin dihitung dari harga jual, bukan dari HPP.",
                          "Di tabel kanal, tulis biaya admin (persen) dan biaya per pesanan setiap kanal. "
                          "Untuk WhatsApp dan Facebook keduanya 0.",
                          "Baca kolom Harga aman: harga jual terendah di kanal itu, dibulatkan ke atas ke "
                          "kelipatan Rp500. Jual dengan harga ini atau lebih.",
                          "Uang diterima: uang yang sampai ke Anda setelah biaya kanal dipotong. Untung per "
                          "barang: uang diterima dikurangi HPP.",
                      ), len(widths) - 1, sum(widths))
    assert next_row <= _row_col(PRICE_ITEM)[0] - 1, "the introduction runs into the inputs"
    item_row = _row_col(PRICE_ITEM)[0]
    sheet.write(item_row - 1, 0, "Barang Anda", st.heading)
    _single_input(sheet, st, PRICE_ITEM, "Nama barang", inputs.barang, st.in_text,
                  "Nama barang, misalnya Keripik sukun.")
    _single_input(sheet, st, PRICE_HPP, "HPP satu barang", inputs.hpp, st.in_rupiah,
                  "Biaya membuat satu barang (bahan, kemasan, upah), tanpa Rp dan titik: 12500.", _AMOUNT)
    _single_input(sheet, st, PRICE_MARGIN, "Margin yang diinginkan", inputs.margin, st.in_percent,
                  "Untung sebagai persen dari harga jual, dengan tanda %: 30%.", _RATE, hint="dari harga jual")
    first = PRICE_FIRST_CHANNEL_ROW - 1
    sheet.write(first - 2, 0, "Harga aman per kanal", st.heading)
    headers = ("Kanal", "Biaya admin (persen)", "Biaya per pesanan", "Harga aman", "Uang diterima", "Untung per barang")
    for col, header in enumerate(headers):
        sheet.write(first - 1, col, header, st.header)
    sheet.set_row(first - 1, 32)
    hpp, margin = _absolute(PRICE_HPP), _absolute(PRICE_MARGIN)
    for index, channel in enumerate(inputs.channels):
        row = first + index
        n = row + 1
        sheet.write_string(row, 0, channel.nama, st.in_text)
        sheet.write_number(row, 1, channel.biaya_persen, st.in_percent)
        sheet.write_number(row, 2, channel.biaya_per_pesanan, st.in_rupiah)
        rest = f"(1-{margin}-B{n})"
        _formula(sheet, f"D{n}", f'=IF(A{n}="","",IF({rest}<=0,"margin + biaya 100% atau lebih",'
                                 f"ROUNDUP(ROUND(({hpp}+C{n})/{rest},6)/500,0)*500))", st.out_rupiah_bold)
        received = f"(D{n}-D{n}*B{n}-C{n})"
        # half to even, as Python's round() in bantu.uang_diterima
        _formula(sheet, f"E{n}", f'=IF(ISNUMBER(D{n}),IF(MOD({received},1)=0.5,2*ROUND({received}/2,0),'
                                 f'ROUND({received},0)),"")', st.out_rupiah)
        _formula(sheet, f"F{n}", f'=IF(ISNUMBER(E{n}),E{n}-{hpp},"")', st.out_rupiah)
    last = first + len(inputs.channels) - 1
    _input_message(sheet, (first, 0, last, 0), "Nama kanal, misalnya Shopee. Baris kosong tidak dihitung.")
    _input_message(sheet, (first, 1, last, 1), "Biaya admin kanal dalam persen, dengan tanda %: 8%. "
                   "WhatsApp: 0%.", _RATE)
    _input_message(sheet, (first, 2, last, 2), "Biaya tetap setiap pesanan, tanpa Rp dan titik: 1250. "
                   "WhatsApp: 0.", _AMOUNT)
    row = last + 2
    width = sum(widths)
    notes = [
        "Rumus harga aman: (HPP + biaya per pesanan) ÷ (1 − margin − biaya persen), dibulatkan ke atas ke "
        "kelipatan Rp500. Sama dengan harga_aman dan uang_diterima di modul bantu pelatihan.",
        "Biaya kanal berubah-ubah dan berbeda per kategori barang: periksa angka toko Anda sendiri di Seller "
        "Center sebelum memakai angka contoh.",
    ]
    if sources:
        notes.append("Sumber biaya contoh: " + "; ".join(sources) + ".")
    for text in notes:
        _paragraph(sheet, st.note, row, len(widths) - 1, text, width)
        row += 1
    sheet.print_area(0, 0, row, len(widths) - 1)
    _finish(sheet)


def _absolute(cell: str) -> str:
    row, col = _row_col(cell)
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


# ---------------------------------------------------------------------------------------------
# Ongkir
# ---------------------------------------------------------------------------------------------

def _rate_range(col: int) -> str:
    letter = xl_col_to_name(col)
    return f"'{RATES_SHEET}'!${letter}${RATE_FIRST_ROW}:${letter}${RATE_FIRST_ROW + RATE_ROWS - 1}"


def _divisor_range(col: int) -> str:
    letter = xl_col_to_name(col)
    return f"'{RATES_SHEET}'!${letter}${DIVISOR_FIRST_ROW}:${letter}${DIVISOR_FIRST_ROW + SERVICE_ROWS - 1}"


# columns of the rate table on RATES_SHEET
_KOTA, _PROVINSI, _KURIR, _LAYANAN, _TARIF, _MINIMAL, _CEPAT, _LAMA, _PEMBAGI = range(9)
_CITY_LIST_COL = 10


def _chargeable(weight: str) -> str:
    """bantu.berat_tagihan on a weight in kg: at least 1 kg; a remainder above 300 g (grams rounded
    half to even, so exactly 300,5 g is not above) counts as a whole kg."""
    return f"MAX(1,INT({weight})+IF(MOD({weight}*1000,1000)>300.5,1,0))"


def _shipping_sheet(book: xlsxwriter.Workbook, st: _Styles, inputs: ParcelInputs, divisors: list[dict]) -> None:
    sheet = book.add_worksheet(SHIPPING_SHEET)
    widths = (26, 16, 14, 14, 14, 14, 14, 16, 14)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    next_row = _intro(sheet, st, "Kalkulator berat tagihan dan ongkir",
                      "Berapa kg yang ditagih kurir, dan berapa ongkirnya dari Manokwari.", (
                          "Timbang paket yang sudah dibungkus, ukur kotaknya, lalu pilih kota tujuan dan layanan.",
                          "Berat volume = panjang × lebar × tinggi (cm) ÷ pembagi. Pembagi tergantung layanan "
                          "(lihat lembar Tarif contoh).",
                          "Berat tagihan: yang lebih besar dari berat timbangan dan berat volume, paling sedikit "
                          "1 kg. Sisa lebih dari 300 gram dibulatkan ke atas, 300 gram atau kurang ke bawah.",
                          "Ongkir = berat tagihan × tarif per kg. Kalau layanan punya berat minimal, yang dipakai "
                          "berat minimal itu.",
                          "Tarif di lembar Tarif contoh hanya contoh pelatihan, BUKAN tarif resmi. Ganti dengan "
                          "tarif dari loket atau aplikasi kurir.",
                      ), len(widths) - 1, sum(widths))
    first_input = _row_col(PARCEL_CELLS["berat_kg"])[0]
    assert next_row <= first_input - 1, "the introduction runs into the inputs"
    sheet.write(first_input - 1, 0, "Paket Anda", st.heading)
    _single_input(sheet, st, PARCEL_CELLS["berat_kg"], "Berat timbangan (kg)", inputs.berat_kg, st.in_kg,
                  "Berat paket sesudah dibungkus, dalam kg: 350 gram ditulis 0,35.",
                  {**_AMOUNT, "error_message": "Tulis berat dalam kg, misalnya 0,35 untuk 350 gram."})
    for key, label in (("panjang", "Panjang kotak (cm)"), ("lebar", "Lebar kotak (cm)"), ("tinggi", "Tinggi kotak (cm)")):
        _single_input(sheet, st, PARCEL_CELLS[key], label, getattr(inputs, key), st.in_number,
                      "Ukuran kotak dalam cm, angka saja: 25.",
                      {**_AMOUNT, "error_message": "Tulis ukuran dalam cm, angka saja, misalnya 25."})
    # named lists: a drop-down from another sheet works in every app through a defined name
    book.define_name("DaftarKota", f"={_rate_range(_CITY_LIST_COL)}")
    book.define_name("DaftarLayanan", f"={_divisor_range(1)}")
    _single_input(sheet, st, PARCEL_CELLS["kota_tujuan"], "Kota tujuan", inputs.kota_tujuan, st.in_text,
                  "Pilih kota dari daftar, atau tulis nama kota seperti di lembar Tarif contoh.",
                  {"validate": "list", "source": "=DaftarKota", "error_type": "warning",
                   "error_message": "Kota ini tidak ada di daftar. Tanyakan tarifnya ke loket kurir."})
    services = list(dict.fromkeys(row["layanan"] for row in divisors))
    _single_input(sheet, st, PARCEL_CELLS["layanan"], "Layanan", inputs.layanan, st.in_text,
                  "Pilih layanan: " + ", ".join(services) + ".",
                  {"validate": "list", "source": "=DaftarLayanan", "error_type": "warning",
                   "error_message": "Layanan ini tidak ada di tabel pembagi."})

    weight, length, width_, height = (_absolute(PARCEL_CELLS[k]) for k in ("berat_kg", "panjang", "lebar", "tinggi"))
    city = f"TRIM({_absolute(PARCEL_CELLS['kota_tujuan'])})"
    service = f"TRIM({_absolute(PARCEL_CELLS['layanan'])})"
    kota, layanan = _rate_range(_KOTA), _rate_range(_LAYANAN)
    results = {key: _absolute(cell) for key, cell in SHIPPING_RESULTS.items()}
    top = _row_col(SHIPPING_RESULTS["keterangan"])[0]
    sheet.write(top - 1, 0, "Hasil", st.heading)
    found = f"COUNTIFS({kota},{city},{layanan},{service})"
    labels = {"keterangan": "Keterangan", "kurir": "Kurir", "pembagi": "Pembagi volume",
              "berat_volume": "Berat volume", "berat_tagihan": "Berat tagihan", "berat_minimal": "Berat minimal layanan",
              "tarif_per_kg": "Tarif per kg", "ongkir": "Ongkir"}
    for key, cell in SHIPPING_RESULTS.items():
        row, _ = _row_col(cell)
        sheet.write(row, 0, labels[key], st.bold_label if key == "ongkir" else st.label)
    sheet.merge_range(f"{SHIPPING_RESULTS['keterangan']}:I{top + 1}", "", st.out_text)
    _formula(sheet, SHIPPING_RESULTS["keterangan"],
             f'=IF(COUNTIF({kota},{city})=0,"{CITY_MISSING}",IF({found}=0,'
             f'"Layanan ini tidak ada ke kota itu. Lihat tabel Bandingkan layanan di bawah.",IF({found}>1,'
             f'"Kota dan layanan ini tertulis lebih dari sekali di lembar Tarif contoh: hapus salah satu.",'
             f'IF({results["pembagi"]}=0,"Pembagi layanan ini belum ada di lembar Tarif contoh.",'
             f'"Ongkir ke "&{city}&" lewat "&{service}&" (tarif contoh)."))))', st.out_text)
    sheet.set_row(top, 30)
    _formula(sheet, SHIPPING_RESULTS["kurir"],
             f'=IFERROR(INDEX({_divisor_range(0)},MATCH({service},{_divisor_range(1)},0)),"")', st.out_text)
    _formula(sheet, SHIPPING_RESULTS["pembagi"],
             f"=IF({found}=1,SUMIFS({_rate_range(_PEMBAGI)},{kota},{city},{layanan},{service}),"
             f'IFERROR(INDEX({_divisor_range(3)},MATCH({service},{_divisor_range(1)},0)),0))', st.out_count)
    pembagi = results["pembagi"]
    volume = f"{length}*{width_}*{height}/{pembagi}"
    _formula(sheet, SHIPPING_RESULTS["berat_volume"], f'=IF({pembagi}>0,{volume},"")', st.out_kg)
    volume_cell = results["berat_volume"]
    _formula(sheet, SHIPPING_RESULTS["berat_tagihan"],
             f'=IF({pembagi}>0,{_chargeable(f"MAX({weight},{volume_cell})")},"")', st.out_kg_whole)
    ok = f"AND({found}=1,{pembagi}>0)"
    _formula(sheet, SHIPPING_RESULTS["berat_minimal"],
             f'=IF({ok},SUMIFS({_rate_range(_MINIMAL)},{kota},{city},{layanan},{service}),"")', st.out_kg_whole)
    _formula(sheet, SHIPPING_RESULTS["tarif_per_kg"],
             f'=IF({ok},SUMIFS({_rate_range(_TARIF)},{kota},{city},{layanan},{service}),"")', st.out_rupiah)
    _formula(sheet, SHIPPING_RESULTS["ongkir"],
             f'=IF({ok},MAX({results["berat_tagihan"]},{results["berat_minimal"]})*{results["tarif_per_kg"]},"")',
             st.out_rupiah_bold)

    first = SHIPPING_FIRST_SERVICE_ROW - 1
    sheet.write(first - 2, 0, "Bandingkan layanan ke kota ini", st.heading)
    headers = ("Layanan", "Kurir", "Pembagi", "Berat volume", "Berat tagihan", "Berat minimal", "Tarif per kg",
               "Ongkir", "Lama kirim (hari)")
    for col, header in enumerate(headers):
        sheet.write(first - 1, col, header, st.header)
    sheet.set_row(first - 1, 32)
    for index in range(SERVICE_ROWS):
        n = first + index + 1
        source = DIVISOR_FIRST_ROW + index
        svc = f"'{RATES_SHEET}'!$B${source}"
        here = f"COUNTIFS({kota},{city},{layanan},A{n})"
        _formula(sheet, f"A{n}", f'=IF({svc}="","",{svc})', st.out_text)
        _formula(sheet, f"B{n}", f"=IF(A{n}=\"\",\"\",'{RATES_SHEET}'!$A${source})", st.out_text)
        _formula(sheet, f"C{n}", f"=IF(A{n}=\"\",\"\",'{RATES_SHEET}'!$D${source})", st.out_count)
        _formula(sheet, f"D{n}", f'=IF(AND(A{n}<>"",C{n}>0),{length}*{width_}*{height}/C{n},"")', st.out_kg)
        _formula(sheet, f"E{n}", f'=IF(ISNUMBER(D{n}),{_chargeable(f"MAX({weight},D{n})")},"")', st.out_kg_whole)
        _formula(sheet, f"F{n}", f'=IF(AND(ISNUMBER(E{n}),{here}>0),SUMIFS({_rate_range(_MINIMAL)},{kota},{city},'
                                 f'{layanan},A{n}),"")', st.out_kg_whole)
        _formula(sheet, f"G{n}", f'=IF(AND(ISNUMBER(E{n}),{here}>0),SUMIFS({_rate_range(_TARIF)},{kota},{city},'
                                 f'{layanan},A{n}),"")', st.out_rupiah)
        _formula(sheet, f"H{n}", f'=IF(A{n}="","",IF(ISNUMBER(G{n}),MAX(E{n},F{n})*G{n},"tidak ada"))',
                 st.out_rupiah_bold)
        _formula(sheet, f"I{n}", f'=IF(ISNUMBER(G{n}),SUMIFS({_rate_range(_CEPAT)},{kota},{city},{layanan},A{n})'
                                 f'&"–"&SUMIFS({_rate_range(_LAMA)},{kota},{city},{layanan},A{n}),"")', st.out_text)
    row = first + SERVICE_ROWS + 1
    for text in (
        "Aturan berat tagihan di sini sama dengan berat_tagihan dan ongkir di modul bantu pelatihan: aturan JNE "
        "REG dipakai untuk semua layanan (penyederhanaan). Kurir lain bisa membulatkan berbeda: tanyakan di agen.",
        "Ongkir di sini memakai tarif contoh pelatihan, BUKAN tarif resmi. Sebelum memberi harga ke pembeli, cek "
        "tarif di loket atau aplikasi kurir.",
    ):
        _paragraph(sheet, st.note, row, len(widths) - 1, text, sum(widths))
        row += 1
    sheet.print_area(0, 0, row, len(widths) - 1)
    _finish(sheet)


def _rates_sheet(book: xlsxwriter.Workbook, st: _Styles, divisors: list[dict], rates: list[dict],
                 sources: list[str]) -> None:
    if len(divisors) > SERVICE_ROWS:
        raise UmkmkitError(f"pembagi_volume.csv has {len(divisors)} services; the calculator has room for {SERVICE_ROWS}.")
    sheet = book.add_worksheet(RATES_SHEET)
    widths = (16, 18, 14, 10, 14, 12, 12, 12, 12, 3, 18)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Tarif contoh dari Manokwari", st.title)
    sheet.write(1, 0, "Contoh untuk latihan, BUKAN tarif resmi. Ganti sel kuning dengan tarif dari loket atau "
                      "aplikasi kurir; sel hijau dihitung otomatis.", st.lead)
    # divisors: kurir, layanan, moda, pembagi, catatan
    top = DIVISOR_FIRST_ROW - 1
    sheet.write(top - 3, 0, "Pembagi berat volume per layanan", st.heading)
    sheet.write(top - 2, 0, "Berat volume (kg) = panjang × lebar × tinggi (cm) ÷ pembagi.", st.label)
    for col, header in enumerate(("Kurir", "Layanan", "Moda", "Pembagi", "Catatan")):
        sheet.write(top - 1, col, header, st.header)
    for index in range(SERVICE_ROWS):
        row = top + index
        entry = divisors[index] if index < len(divisors) else None
        sheet.write_string(row, 0, entry["kurir"] if entry else "", st.in_text)
        sheet.write_string(row, 1, entry["layanan"] if entry else "", st.in_text)
        sheet.write_string(row, 2, entry["moda"] if entry else "", st.in_text)
        if entry:
            sheet.write_number(row, 3, int(entry["pembagi"]), st.in_count)
        else:
            sheet.write_blank(row, 3, None, st.in_count)
        sheet.merge_range(row, 4, row, 8, entry["catatan"] if entry else "", st.in_text)
    end = top + SERVICE_ROWS - 1
    _input_message(sheet, (top, 0, end, 2), "Kurir, layanan dan moda, seperti tertulis di tabel tarif di bawah.")
    _input_message(sheet, (top, 3, end, 3), "Pembagi berat volume layanan ini, misalnya 6000.", _WHOLE)
    _input_message(sheet, (top, 4, end, 4), "Aturan pembulatan atau catatan lain.")
    note_row = end + 1
    if sources:
        _paragraph(sheet, st.note, note_row, 8, "Sumber pembagi: " + "; ".join(sources) + ".", sum(widths[:9]))

    first = RATE_FIRST_ROW - 1
    sheet.write(first - 3, 0, "Tarif per kg dari Manokwari (contoh)", st.heading)
    headers = ("Kota tujuan", "Provinsi", "Kurir", "Layanan", "Tarif per kg", "Berat minimal", "Lama kirim paling cepat (hari)",
               "Lama kirim paling lama (hari)", "Pembagi (otomatis)")
    for col, header in enumerate(headers):
        sheet.write(first - 1, col, header, st.header)
    sheet.write(first - 1, _CITY_LIST_COL, "Daftar kota (untuk pilihan)", st.header)
    sheet.set_row(first - 1, 45)
    if len(rates) > RATE_ROWS:
        raise UmkmkitError(f"ongkir.csv has {len(rates)} rows; the calculator has room for {RATE_ROWS}.")
    cities = list(dict.fromkeys(entry["kota_tujuan"] for entry in rates))
    for index in range(RATE_ROWS):
        row = first + index
        n = row + 1
        entry = rates[index] if index < len(rates) else None
        for col, key in ((_KOTA, "kota_tujuan"), (_PROVINSI, "provinsi"), (_KURIR, "kurir"), (_LAYANAN, "layanan")):
            sheet.write_string(row, col, entry[key] if entry else "", st.in_text)
        for col, key, style in ((_TARIF, "tarif_per_kg", st.in_rupiah), (_MINIMAL, "berat_min_kg", st.in_count),
                                (_CEPAT, "estimasi_min_hari", st.in_count), (_LAMA, "estimasi_maks_hari", st.in_count)):
            if entry:
                sheet.write_number(row, col, int(entry[key]), style)
            else:
                sheet.write_blank(row, col, None, style)
        # bantu.ongkir joins the rates with the divisors on kurir and layanan
        _formula(sheet, f"{xl_col_to_name(_PEMBAGI)}{n}",
                 f'=IF(D{n}="","",SUMIFS({_divisor_range(3)},{_divisor_range(0)},C{n},{_divisor_range(1)},D{n}))',
                 st.out_count)
        city = cities[index] if index < len(cities) else ""
        sheet.write_string(row, _CITY_LIST_COL, city, st.in_text)
    last = first + RATE_ROWS - 1
    _input_message(sheet, (first, 0, last, 3), "Kota, provinsi, kurir dan layanan. Baris kosong boleh diisi tarif baru.")
    _input_message(sheet, (first, 4, last, 4), "Tarif per kg dalam rupiah, angka saja: 72000.", _AMOUNT)
    _input_message(sheet, (first, 5, last, 7), "Angka saja: berat minimal dalam kg, lama kirim dalam hari.", _WHOLE)
    _input_message(sheet, (first, _CITY_LIST_COL, last, _CITY_LIST_COL),
                   "Kalau menambah kota baru di tabel tarif, tulis juga namanya di sini supaya muncul di pilihan.")
    sheet.freeze_panes(first, 1)
    sheet.print_area(0, 0, first + len(rates), _CITY_LIST_COL)
    _finish(sheet, landscape=True, header_row=first - 1)


# ---------------------------------------------------------------------------------------------
# Buku kas
# ---------------------------------------------------------------------------------------------

#: Columns of the orders log: A tanggal ... I sudah bayar (inputs), J subtotal, K HPP total, L minggu (formulas).
_ORDER_HEADERS = ("Tanggal", "No. pesanan", "Keterangan (pembeli, barang)", "Jumlah barang", "Harga satuan",
                  "HPP satuan", "Biaya admin", "Ongkir ditanggung penjual", "Sudah bayar? (ya/tidak)",
                  "Subtotal (otomatis)", "HPP total (otomatis)", "Minggu mulai Senin (otomatis)")


def _log_range(sheet: str, letter: str) -> str:
    return f"'{sheet}'!${letter}${LOG_FIRST_ROW}:${letter}${LOG_FIRST_ROW + LOG_ROWS - 1}"


def _cash_book_guide(book: xlsxwriter.Workbook, st: _Styles) -> None:
    sheet = book.add_worksheet("Cara memakai")
    sheet.set_column(0, 0, 90)
    sheet.write(0, 0, "Buku pesanan, buku kas, dan laba rugi", st.title)
    sheet.write(1, 0, "Untuk usaha kecil: catat setiap pesanan dan setiap uang masuk dan keluar; laba rugi "
                      "dan omzet dihitung otomatis.", st.lead)
    sheet.write(3, 0, "Cara memakai", st.heading)
    steps = (
        "Baris contoh (pesanan Pak Arif, keripik dari Masni) boleh Anda hapus: pilih sel kuning yang berisi "
        "contoh, lalu tekan Delete.",
        f"Lembar {ORDERS_SHEET}: satu baris untuk setiap pesanan ({spoken_count(LOG_ROWS)} baris siap diisi). "
        "Tulis tanggal pesanan (hari/bulan/tahun), jumlah barang, harga satuan, HPP satuan, biaya admin marketplace, dan ongkir yang Anda tanggung sendiri. "
        "Kolom Sudah bayar: tulis ya setelah uangnya benar-benar masuk, bukan setelah menerima foto bukti transfer.",
        f"Lembar {CASH_SHEET}: setiap uang yang masuk dan keluar, dengan keterangannya. Saldo dihitung otomatis: "
        "saldo sebelumnya + uang masuk − uang keluar. Tulis saldo awal di atas tabel.",
        f"Lembar {PROFIT_SHEET}: tulis tahunnya. Laba rugi setiap bulan dihitung dari pesanan yang sudah dibayar: "
        "pendapatan − HPP − biaya admin − ongkir yang ditanggung penjual. Ongkir yang dibayar pembeli bukan "
        "pendapatan.",
        f"Lembar {WEEKS_SHEET}: omzet setiap minggu, Senin sampai Minggu, dari pesanan yang sudah dibayar.",
        "Buku kas bukan laba rugi: saldo yang naik belum tentu berarti untung. Buku kas menjawab berapa uang "
        "yang ada; laba rugi menjawab apakah usaha ini menghasilkan.",
        "Sel kuning: isi di sini. Sel hijau: dihitung otomatis, terkunci supaya rumusnya tidak terhapus.",
        "Tanggal ditulis hari/bulan/tahun, misalnya 05/09/2022. Kalau aplikasi Anda membacanya sebagai bulan "
        "dulu, ubah bahasa atau wilayah aplikasinya ke Indonesia.",
        "Simpan salinan berkas ini di tempat lain (HP lain, flashdisk) setiap minggu.",
    )
    for number, step in enumerate(steps, start=1):
        _paragraph(sheet, st.text, 3 + number, 0, f"{number}. {step}", 90)
    sheet.write(4 + len(steps) + 1, 0, "Rumusnya sama dengan laba_rugi dan omzet_mingguan di modul bantu pelatihan.",
                st.note)
    _finish(sheet)
    sheet.activate()


def _orders_sheet(book: xlsxwriter.Workbook, st: _Styles, orders: Sequence[Order]) -> None:
    sheet = book.add_worksheet(ORDERS_SHEET)
    widths = (12, 11, 30, 9, 13, 13, 12, 14, 11, 14, 14, 13)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Buku pesanan", st.title)
    sheet.write(1, 0, "Satu baris untuk setiap pesanan. Sel kuning: isi di sini. Sel hijau: dihitung otomatis.",
                st.lead)
    sheet.write(2, 0, "Sudah bayar = ya hanya kalau uangnya sudah terlihat di mutasi rekening atau sudah Anda "
                      "terima tunai.", st.lead)
    header = LOG_FIRST_ROW - 2
    for col, text in enumerate(_ORDER_HEADERS):
        sheet.write(header, col, text, st.header)
    sheet.set_row(header, 45)
    if len(orders) > LOG_ROWS:
        raise UmkmkitError(f"The orders log has room for {LOG_ROWS} orders, not {len(orders)}.")
    styles = (st.in_date, st.in_text, st.in_text, st.in_count, st.in_rupiah, st.in_rupiah, st.in_rupiah,
              st.in_rupiah, st.in_text)
    for index in range(LOG_ROWS):
        row = LOG_FIRST_ROW - 1 + index
        n = row + 1
        if index < len(orders):
            order = orders[index]
            sheet.write_datetime(row, 0, order.tanggal, st.in_date)
            sheet.write_string(row, 1, order.nomor, st.in_text)
            sheet.write_string(row, 2, order.keterangan, st.in_text)
            for col, value in enumerate((order.jumlah, order.harga_satuan, order.hpp_satuan, order.biaya_admin,
                                         order.ongkir_penjual), start=3):
                sheet.write_number(row, col, value, styles[col])
            sheet.write_string(row, 8, "ya" if order.sudah_bayar else "tidak", st.in_text)
        else:
            for col, style in enumerate(styles):
                sheet.write_blank(row, col, None, style)
        _formula(sheet, f"J{n}", f'=IF(OR(D{n}="",E{n}=""),"",D{n}*E{n})', st.out_rupiah)
        _formula(sheet, f"K{n}", f'=IF(OR(D{n}="",F{n}=""),"",D{n}*F{n})', st.out_rupiah)
        _formula(sheet, f"L{n}", f'=IF(A{n}="","",A{n}-WEEKDAY(A{n},2)+1)', st.out_date)
    first, last = LOG_FIRST_ROW - 1, LOG_FIRST_ROW + LOG_ROWS - 2
    _input_message(sheet, (first, 0, last, 0), "Tanggal pesanan: hari/bulan/tahun, misalnya 05/09/2022.", _DATE)
    _input_message(sheet, (first, 1, last, 2), "Nomor pesanan dan keterangan, misalnya KRP-001, Keripik keladi.")
    _input_message(sheet, (first, 3, last, 3), "Jumlah barang, angka saja: 3.", _WHOLE)
    _input_message(sheet, (first, 4, last, 7), "Rupiah, angka saja tanpa Rp dan titik: 20000. Kosong berarti 0.",
                   _AMOUNT)
    _input_message(sheet, (first, 8, last, 8), "ya kalau uangnya sudah masuk; tidak kalau belum.", _PAID)
    sheet.freeze_panes(header + 1, 0)
    sheet.print_area(0, 0, LOG_FIRST_ROW + max(len(orders), 30), len(widths) - 1)
    _finish(sheet, landscape=True, header_row=header)


def _cash_sheet(book: xlsxwriter.Workbook, st: _Styles, opening: int, entries: Sequence[CashEntry]) -> None:
    sheet = book.add_worksheet(CASH_SHEET)
    widths = (12, 34, 12, 14, 14, 15)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Buku kas", st.title)
    sheet.write(1, 0, "Setiap uang yang masuk dan keluar. Sel kuning: isi di sini. Sel hijau: dihitung otomatis.",
                st.lead)
    opening_row, opening_col = _row_col(CASH_OPENING)
    sheet.write(opening_row, opening_col - 1, "Saldo awal", st.bold_label)
    sheet.write_number(opening_row, opening_col, opening, st.in_rupiah)
    sheet.write(opening_row, opening_col + 1, f"← {INPUT_HINT}: uang yang ada saat mulai mencatat", st.hint)
    _input_message(sheet, (opening_row, opening_col, opening_row, opening_col),
                   "Uang usaha yang ada saat Anda mulai mencatat, angka saja: 500000.", _AMOUNT)
    header = LOG_FIRST_ROW - 2
    for col, text in enumerate(("Tanggal", "Keterangan", "No. bukti", "Uang masuk", "Uang keluar", "Saldo (otomatis)")):
        sheet.write(header, col, text, st.header)
    if len(entries) > LOG_ROWS:
        raise UmkmkitError(f"The cash book has room for {LOG_ROWS} entries, not {len(entries)}.")
    saldo = _absolute(CASH_OPENING)
    for index in range(LOG_ROWS):
        row = LOG_FIRST_ROW - 1 + index
        n = row + 1
        if index < len(entries):
            entry = entries[index]
            sheet.write_datetime(row, 0, entry.tanggal, st.in_date)
            sheet.write_string(row, 1, entry.keterangan, st.in_text)
            sheet.write_string(row, 2, entry.bukti, st.in_text)
            for col, value in ((3, entry.masuk), (4, entry.keluar)):
                if value:
                    sheet.write_number(row, col, value, st.in_rupiah)
                else:
                    sheet.write_blank(row, col, None, st.in_rupiah)
        else:
            for col, style in enumerate((st.in_date, st.in_text, st.in_text, st.in_rupiah, st.in_rupiah)):
                sheet.write_blank(row, col, None, style)
        # a sum from the top, not the row above: an empty row in between does not break the balance
        _formula(sheet, f"F{n}", f'=IF(AND(D{n}="",E{n}=""),"",{saldo}+SUM(D${LOG_FIRST_ROW}:D{n})'
                                 f'-SUM(E${LOG_FIRST_ROW}:E{n}))', st.out_rupiah)
    first, last = LOG_FIRST_ROW - 1, LOG_FIRST_ROW + LOG_ROWS - 2
    _input_message(sheet, (first, 0, last, 0), "Tanggal: hari/bulan/tahun, misalnya 02/09/2022.", _DATE)
    _input_message(sheet, (first, 1, last, 2), "Untuk apa uang ini, dan nomor nota atau nomor pesanan.")
    _input_message(sheet, (first, 3, last, 4), "Rupiah, angka saja tanpa Rp dan titik: 150000. Isi uang masuk "
                   "ATAU uang keluar.", _AMOUNT)
    sheet.freeze_panes(header + 1, 0)
    sheet.print_area(0, 0, LOG_FIRST_ROW + max(len(entries), 30), len(widths) - 1)
    _finish(sheet, header_row=header)


def _profit_sheet(book: xlsxwriter.Workbook, st: _Styles, year: int) -> None:
    sheet = book.add_worksheet(PROFIT_SHEET)
    widths = (12, 14, 14, 14, 14, 14, 14, 13, 14, 14, 14)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Laba rugi per bulan", st.title)
    sheet.write(1, 0, f"Dari pesanan yang sudah dibayar di lembar {ORDERS_SHEET}, menurut tanggal pesanan.", st.lead)
    year_row, year_col = _row_col(PROFIT_YEAR)
    sheet.write(year_row, 0, "Tahun", st.bold_label)
    sheet.write_number(year_row, year_col, year, st.in_number)
    sheet.write(year_row, year_col + 1, f"← {INPUT_HINT}", st.hint)
    _input_message(sheet, (year_row, year_col, year_row, year_col), "Tahun yang ingin dilihat, misalnya 2022.",
                   {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
                    "error_message": "Tulis tahun dengan empat angka, misalnya 2022."})
    headers = ("Bulan", "Pendapatan penjualan", "HPP", "Laba kotor", "Biaya admin marketplace",
               "Ongkir ditanggung penjual", "Laba bersih", "Biaya lain (isi sendiri)", "Laba sesudah biaya lain",
               "Uang masuk (buku kas)", "Uang keluar (buku kas)")
    header = PROFIT_FIRST_ROW - 2
    for col, text in enumerate(headers):
        sheet.write(header, col, text, st.header)
    sheet.set_row(header, 45)
    dates, paid = _log_range(ORDERS_SHEET, "A"), _log_range(ORDERS_SHEET, "I")
    cash_dates = _log_range(CASH_SHEET, "A")
    y = _absolute(PROFIT_YEAR)
    for month in range(1, 13):
        n = PROFIT_FIRST_ROW + month - 1
        row = n - 1
        sheet.write(row, 0, MONTHS[month - 1], st.label)
        within = f'{dates},">="&DATE({y},{month},1),{dates},"<"&DATE({y},{month + 1},1)'
        for col, letter in ((1, "J"), (2, "K"), (4, "G"), (5, "H")):
            _formula(sheet, xl_rowcol_to_cell(row, col),
                     f'=SUMIFS({_log_range(ORDERS_SHEET, letter)},{within},{paid},"ya")', st.out_rupiah)
        _formula(sheet, f"D{n}", f"=B{n}-C{n}", st.out_rupiah)
        _formula(sheet, f"G{n}", f"=D{n}-E{n}-F{n}", st.out_rupiah_bold)
        sheet.write_blank(row, 7, None, st.in_rupiah)
        _formula(sheet, f"I{n}", f"=G{n}-H{n}", st.out_rupiah)
        cash_within = f'{cash_dates},">="&DATE({y},{month},1),{cash_dates},"<"&DATE({y},{month + 1},1)'
        for col, letter in ((9, "D"), (10, "E")):
            _formula(sheet, xl_rowcol_to_cell(row, col), f"=SUMIFS({_log_range(CASH_SHEET, letter)},{cash_within})",
                     st.out_rupiah)
    first, last = PROFIT_FIRST_ROW, PROFIT_FIRST_ROW + 11
    _input_message(sheet, (first - 1, 7, last - 1, 7), "Biaya yang tidak ada di buku pesanan (biaya bank, listrik, "
                   "sewa), angka saja: 10000.", _AMOUNT)
    total = last + 1
    sheet.write(total - 1, 0, "Setahun", st.bold_label)
    for col in range(1, len(headers)):
        letter = xl_col_to_name(col)
        _formula(sheet, f"{letter}{total}", f"=SUM({letter}{first}:{letter}{last})", st.out_rupiah_bold)
    row = total + 1
    for text in (
        "Laba bersih = pendapatan − HPP − biaya admin − ongkir yang ditanggung penjual. Ongkir yang dibayar pembeli "
        "bukan pendapatan. Sama dengan laba_rugi di modul bantu pelatihan.",
        "Uang masuk dan keluar dari buku kas ditampilkan untuk perbandingan saja: buku kas bukan laba rugi.",
        "Omzet setiap bulan (kolom Pendapatan penjualan) juga yang ditulis di kalkulator omzet dan pajak.",
    ):
        _paragraph(sheet, st.note, row, len(widths) - 1, text, sum(widths))
        row += 1
    sheet.freeze_panes(header + 1, 1)
    sheet.print_area(0, 0, row, len(widths) - 1)
    _finish(sheet, landscape=True)


def _weeks_sheet(book: xlsxwriter.Workbook, st: _Styles) -> None:
    sheet = book.add_worksheet(WEEKS_SHEET)
    widths = (18, 18, 20)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Omzet per minggu", st.title)
    sheet.write(1, 0, "Minggu dimulai hari Senin dan berakhir hari Minggu; hanya pesanan yang sudah dibayar.",
                st.lead)
    sheet.write(2, 0, "Tahun", st.bold_label)
    year = f"'{PROFIT_SHEET}'!{_absolute(PROFIT_YEAR)}"
    _formula(sheet, "B3", f"={year}", st.out_count)
    sheet.write(2, 2, f"(ubah di lembar {PROFIT_SHEET})", st.note)
    header = WEEKS_FIRST_ROW - 2
    for col, text in enumerate(("Minggu mulai (Senin)", "Sampai (Minggu)", "Omzet")):
        sheet.write(header, col, text, st.header)
    dates, paid, subtotal = (_log_range(ORDERS_SHEET, letter) for letter in ("A", "I", "J"))
    for index in range(WEEK_ROWS):
        n = WEEKS_FIRST_ROW + index
        if index == 0:
            # the Monday on or before 1 January
            start = "=DATE($B$3,1,1)-WEEKDAY(DATE($B$3,1,1),2)+1"
        else:
            start = f"=A{n - 1}+7"
        _formula(sheet, f"A{n}", start, st.out_date)
        _formula(sheet, f"B{n}", f"=A{n}+6", st.out_date)
        _formula(sheet, f"C{n}", f'=SUMIFS({subtotal},{dates},">="&A{n},{dates},"<"&A{n}+7,{paid},"ya")',
                 st.out_rupiah)
    last = WEEKS_FIRST_ROW + WEEK_ROWS
    _paragraph(sheet, st.note, last, 2, "Minggu pertama dan terakhir bisa berisi hari dari tahun sebelum atau "
               "sesudahnya. Sama dengan omzet_mingguan di modul bantu pelatihan.", sum(widths))
    sheet.freeze_panes(header + 1, 0)
    sheet.print_area(0, 0, last, len(widths) - 1)
    _finish(sheet, header_row=header)


# ---------------------------------------------------------------------------------------------
# Omzet dan pajak
# ---------------------------------------------------------------------------------------------

def _tax_sheet(book: xlsxwriter.Workbook, st: _Styles, inputs: TaxInputs, sources: list[str]) -> None:
    sheet = book.add_worksheet(TAX_SHEET)
    widths = (34, 20, 20, 18)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    free, rate, cap = spoken_rupiah(TAX_FREE_TURNOVER), spoken_percent(FINAL_TAX_RATE), spoken_rupiah(FINAL_TAX_CAP)
    next_row = _intro(sheet, st, "Omzet setahun dan PPh final UMKM",
                      "Untuk UMKM orang pribadi (usaha perorangan, bukan CV atau PT).", (
                          "Tulis omzet setiap bulan: uang penjualan barang dari pesanan yang sudah dibayar, "
                          "sebelum dikurangi biaya, tanpa ongkir. Angkanya ada di lembar Laba rugi kalkulator "
                          "buku kas (kolom Pendapatan penjualan).",
                          f"PPh final dihitung dari omzet setahun, bukan dari laba. Omzet setahun sampai {free} "
                          f"tidak dikenai PPh. Hanya bagian di atas {free} yang dikenai PPh final {rate}, selama "
                          f"omzet setahun tidak lebih dari {cap}.",
                          f"Omzet kumulatif menunjukkan kapan omzet tahun ini melewati {free}. Karena itu: "
                          f"catat omzet setiap bulan, walaupun omzet Anda jauh di bawah batas itu.",
                          "Aturan pajak bisa berubah, dan tarif ini hanya untuk jangka waktu tertentu. Kalkulator "
                          "ini bukan nasihat pajak: tanyakan ke KPP Pratama Manokwari atau pajak.go.id.",
                      ), len(widths) - 1, sum(widths))
    rules = next_row
    sheet.write(rules, 0, "Aturan yang dipakai", st.heading)
    sheet.write(rules + 1, 0, "Omzet setahun tanpa PPh, sampai", st.label)
    sheet.write_number(rules + 1, 1, TAX_FREE_TURNOVER, st.fixed_rupiah)
    sheet.write(rules + 2, 0, "Tarif PPh final", st.label)
    sheet.write_number(rules + 2, 1, FINAL_TAX_RATE, st.fixed_percent)
    sheet.write(rules + 3, 0, "Tarif ini hanya sampai omzet setahun", st.label)
    sheet.write_number(rules + 3, 1, FINAL_TAX_CAP, st.fixed_rupiah)
    free_cell = xl_rowcol_to_cell(rules + 1, 1, row_abs=True, col_abs=True)
    rate_cell = xl_rowcol_to_cell(rules + 2, 1, row_abs=True, col_abs=True)
    cap_cell = xl_rowcol_to_cell(rules + 3, 1, row_abs=True, col_abs=True)
    first = TAX_FIRST_MONTH_ROW
    assert rules + 5 <= first - 2, "the rules run into the monthly table"
    sheet.write(first - 3, 0, "Omzet per bulan", st.heading)
    for col, text in enumerate(("Bulan", "Omzet bulan ini", "Omzet kumulatif", f"Sudah lewat {free}?")):
        sheet.write(first - 2, col, text, st.header)
    sheet.set_row(first - 2, 32)
    for month in range(12):
        n = first + month
        sheet.write(n - 1, 0, MONTHS[month], st.label)
        sheet.write_number(n - 1, 1, inputs.omzet_bulanan[month], st.in_rupiah)
        _formula(sheet, f"C{n}", f"=SUM(B${first}:B{n})", st.out_rupiah)
        _formula(sheet, f"D{n}", f'=IF(C{n}>{free_cell},"ya","belum")', st.out_text)
    last = first + 11
    _input_message(sheet, (first - 1, 1, last - 1, 1), "Omzet bulan ini, angka saja tanpa Rp dan titik: 41500000. "
                   "Bulan yang belum lewat biarkan 0.", _AMOUNT)
    top = _row_col(TAX_RESULTS["omzet_setahun"])[0]
    assert top >= last + 1, "the results run into the monthly table"
    sheet.write(top - 1, 0, "Hasil setahun", st.heading)
    total, above = _absolute(TAX_RESULTS["omzet_setahun"]), _absolute(TAX_RESULTS["di_atas_batas"])
    sheet.write(top, 0, "Omzet setahun", st.bold_label)
    _formula(sheet, TAX_RESULTS["omzet_setahun"], f"=SUM(B{first}:B{last})", st.out_rupiah_bold)
    sheet.write(top + 1, 0, f"Bagian omzet di atas {free}", st.label)
    _formula(sheet, TAX_RESULTS["di_atas_batas"], f"=MAX(0,{total}-{free_cell})", st.out_rupiah)
    sheet.write(top + 2, 0, f"PPh final setahun ({rate})", st.bold_label)
    _formula(sheet, TAX_RESULTS["pph_final"], f'=IF({total}>{cap_cell},"tanyakan ke KPP",{above}*{rate_cell})',
             st.out_rupiah_bold)
    sheet.write(top + 3, 0, "Keterangan", st.label)
    sheet.merge_range(top + 3, 1, top + 3, 3, "", st.out_text)
    _formula(sheet, TAX_RESULTS["keterangan"],
             f'=IF({total}>{cap_cell},"Omzet setahun lebih dari {cap}: tarif {rate} ini tidak berlaku. Tanyakan ke '
             f'KPP Pratama Manokwari.",IF({total}>{free_cell},"Hanya bagian omzet di atas {free} yang dikenai PPh '
             f'final {rate}.","Omzet setahun tidak lebih dari {free}: tidak ada PPh final. Tetap catat omzet '
             f'setiap bulan."))', st.out_text)
    sheet.set_row(top + 3, 45)
    row = top + 5
    _paragraph(sheet, st.note, row, len(widths) - 1, "Sumber: " + "; ".join(sources) + " (PP 55/2022 Pasal 60; "
               "Direktorat Jenderal Pajak, pajak.go.id). Aturan pajak bisa berubah: tanyakan yang terbaru di KPP.",
               sum(widths))
    sheet.print_area(0, 0, row, len(widths) - 1)
    _finish(sheet)
