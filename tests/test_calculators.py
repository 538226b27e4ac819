"""The take-home calculators (umkmkit.course.calculators): every workbook, written with several inputs and
recalculated by LibreOffice headless with its default settings (as on a participant's laptop),
gives what the participants' helper module lessons/bantu.py gives for the same inputs; results are
formulas in locked cells, inputs are unlocked and marked, and every text is Bahasa Indonesia."""

from __future__ import annotations

import functools
import importlib.util
import random
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from umkmkit.course.calculators import (
    CASH_BOOK_FILE, CASH_SHEET, CITY_MISSING, FUNCTIONS, INPUT_FILL, INPUT_HINT, KG_FORMAT, KG_WHOLE_FORMAT,
    LOG_FIRST_ROW, ORDERS_SHEET, OUTPUT_FILL, PARCEL_CELLS, PPH_FACT, PRICE_FILE, PRICE_FIRST_CHANNEL_ROW,
    PRICE_HPP, PRICE_MARGIN, PRICE_SHEET, PROFIT_COLUMNS, PROFIT_FIRST_ROW, PROFIT_SHEET,
    RUPIAH_FORMAT, SAMPLE_CASH_BOOK, SAMPLE_PARCEL, SAMPLE_PRICE, SAMPLE_TAX, SHIPPING_FILE,
    SHIPPING_FIRST_SERVICE_ROW, SHIPPING_RESULTS, SHIPPING_SHEET, TAX_FILE, TAX_FIRST_MONTH_ROW, TAX_RESULTS,
    TAX_SHEET, WEEK_ROWS, WEEKS_FIRST_ROW, WEEKS_SHEET, CashBookInputs, CashEntry, Channel, Order, ParcelInputs,
    PriceInputs, TaxInputs, write_calculators, write_cash_book, write_price_calculator, write_shipping_calculator,
    write_tax_calculator,
)
from umkmkit.errors import UmkmkitError
from umkmkit.course.facts import load_fact
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]
#: Seconds LibreOffice may take to start and recalculate every workbook on a busy machine.
CONVERT_TIMEOUT = 240
#: Seeds the random order logs.
SEED = 20220601


def load_bantu():
    spec = importlib.util.spec_from_file_location("bantu_for_calculators", ROOT / "lessons" / "bantu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bantu = load_bantu()
#: Month number -> its name, from bantu (the first, full name of each month).
MONTH_NAMES: dict[int, str] = {}
for _name, _number in bantu.NOMOR_BULAN.items():
    MONTH_NAMES.setdefault(_number, _name)


# --- the inputs each calculator is written with ------------------------------------------------

PRICE_CASES = {
    "keripik-sukun": SAMPLE_PRICE,
    "noken-margin-40": PriceInputs("Noken benang", 55_000, 0.40, (
        Channel("WhatsApp"), Channel("Shopee", 0.08, 1_250), Channel("Toko teman", 0.065, 2_000))),
    # 15000 - 15000 x 6,97% = 13954,5: bantu's round() gives the even 13954, ROUND alone 13955
    "seri-dibulatkan-genap": PriceInputs("Abon tuna", 9_300, 0.30, (
        Channel("TikTok Shop", 0.0697, 0), Channel("Lain", 0.085, 1_000), Channel(""))),
    "margin-terlalu-besar": PriceInputs("Kopi Warmare", 20_000, 0.60, (
        Channel("WhatsApp"), Channel("Marketplace mahal", 0.45, 1_250), Channel("Pas 100%", 0.40, 0))),
    "abon-tuna": PriceInputs("Abon tuna 250 g", 31_750, 0.25, (
        Channel("Facebook"), Channel("Shopee", 0.1, 3_000), Channel("TikTok Shop", 0.0697, 1_250))),
}

PARCEL_CASES = {
    "contoh-pelajaran": SAMPLE_PARCEL,
    "cargo-berat-minimal": ParcelInputs(2.0, 25, 16, 16, "Surabaya", "Cargo"),
    "noken-kotak-besar": ParcelInputs(0.35, 35, 30, 8, "Jayapura", "REG"),
    "sisa-tepat-300-gram": ParcelInputs(1.3, 10, 10, 10, "Sorong", "YES"),
    "sisa-301-gram": ParcelInputs(1.301, 10, 10, 10, "Biak", "REG"),
    # 27 x 17 x 17 / 6000 = 1,3005 kg: 1300,5 g rounds half to even, to 1300 g, so 1 kg
    "volume-setengah-gram": ParcelInputs(0.5, 27, 17, 17, "Ambon", "REG"),
    "huruf-kecil-dan-spasi": ParcelInputs(0.9, 50, 40, 30, " jakarta ", "cargo"),
    "kapal-ke-merauke": ParcelInputs(3.2, 60, 40, 40, "Merauke", "Kapal"),
    "kota-tidak-ada": ParcelInputs(1.0, 10, 10, 10, "Wamena", "REG"),
    "layanan-tidak-ada": ParcelInputs(2.0, 25, 16, 16, "Bintuni", "YES"),
}


def random_cash_book(year: int, count: int, seed: int) -> CashBookInputs:
    """A year of orders (some unpaid, some with fees), with edges: 1 January, 31 December, a few days
    from the neighbouring years, Sundays and Mondays."""
    rng = random.Random(seed)
    start = date(year, 1, 1)
    days = [start, date(year, 12, 31), start - timedelta(days=2), date(year + 1, 1, 1), date(year + 1, 1, 3)]
    days += [start + timedelta(days=rng.randrange(365)) for _ in range(count - len(days))]
    orders = []
    for number, day in enumerate(days, start=1):
        price = rng.choice([20_000, 25_000, 55_000, 75_000, 150_000])
        orders.append(Order(
            day, f"P-{number:03d}", f"pesanan {number}", rng.randint(1, 6), price, price * rng.choice([55, 60, 64]) // 100,
            biaya_admin=rng.choice([0, 0, 0, 2_400, 6_000]), ongkir_penjual=rng.choice([0, 0, 10_000, 15_000]),
            sudah_bayar=rng.random() > 0.15,
        ))
    cash = [CashEntry(start + timedelta(days=rng.randrange(365)), f"catatan {n}", f"N-{n}",
                      **({"masuk": rng.randrange(1, 500) * 1_000} if rng.random() < 0.6 else
                         {"keluar": rng.randrange(1, 300) * 1_000}))
            for n in range(40)]
    cash.sort(key=lambda entry: entry.tanggal)
    return CashBookInputs(year, rng.randrange(0, 2_000) * 1_000, tuple(orders), tuple(cash))


CASH_CASES = {
    "contoh-pak-arif": SAMPLE_CASH_BOOK,
    "setahun-2022": random_cash_book(2022, 150, SEED),
    "setahun-2025": random_cash_book(2025, 80, SEED + 1),  # 1 January 2025 is a Wednesday
}

TAX_CASES = {
    "contoh-mama-ruth": SAMPLE_TAX,
    "di-bawah-batas": TaxInputs((2_500_000,) * 12),
    "tepat-di-batas": TaxInputs((40_000_000,) * 11 + (60_000_000,)),
    "lewat-di-bulan-juni": TaxInputs((90_000_000,) * 12),
    "pecahan-rupiah": TaxInputs((0,) * 11 + (500_000_001,)),
    "di-atas-4-8-miliar": TaxInputs((450_000_000,) * 12),
}


# --- writing every case and letting LibreOffice recalculate them, once --------------------------

@pytest.fixture(scope="module")
def recalculated(kit, tmp_path_factory) -> dict[str, Path]:
    """name -> the workbook as LibreOffice saved it after opening it: every case of every calculator,
    the four shipped workbooks, and a canary (see test_libreoffice_computed_every_result_itself)."""
    written = tmp_path_factory.mktemp("ditulis")
    files = {path.stem: path for path in write_calculators(written / "kit", kit)}
    for case, inputs in PRICE_CASES.items():
        files[f"harga-{case}"] = write_price_calculator(written / f"harga-{case}.xlsx", kit, inputs)
    for case, inputs in PARCEL_CASES.items():
        files[f"ongkir-{case}"] = write_shipping_calculator(written / f"ongkir-{case}.xlsx", kit, inputs)
    for case, inputs in CASH_CASES.items():
        files[f"kas-{case}"] = write_cash_book(written / f"kas-{case}.xlsx", inputs)
    for case, inputs in TAX_CASES.items():
        files[f"pajak-{case}"] = write_tax_calculator(written / f"pajak-{case}.xlsx", kit, inputs)
    files["kanari"] = _canary(written / "kanari.xlsx")
    out = tmp_path_factory.mktemp("dihitung")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail("soffice not found: these tests need LibreOffice Calc. Install it (Debian/Ubuntu, as root: "
                    "apt-get install --no-install-recommends libreoffice-calc).", pytrace=False)
    profile = tmp_path_factory.mktemp("profil-libreoffice")  # a fresh profile: default settings, no collisions
    try:
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
             "--convert-to", "xlsx", "--outdir", str(out), *map(str, files.values())],
            check=True, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not convert {len(files)} workbooks within {CONVERT_TIMEOUT} s.", pytrace=False)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"LibreOffice could not convert the workbooks: {error.stderr or error.stdout}", pytrace=False)
    result = {name: out / path.name for name, path in files.items()}
    missing = [name for name, path in result.items() if not path.is_file()]
    assert not missing, f"LibreOffice wrote no file for {missing}"
    return result | {f"ditulis:{name}": path for name, path in files.items()}


def _canary(path: Path) -> Path:
    """A formula whose file holds a wrong result: LibreOffice's default is to keep it."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Kanari")
    sheet.write_number("A1", 21)
    sheet.write_formula("B1", "=A1*2", None, 999)
    book.close()
    return path


def values(path: Path, sheet: str):
    """A sheet as LibreOffice computed it (its results, not its formulas)."""
    return _computed(path)[sheet]


@functools.cache
def _computed(path: Path):
    return load_workbook(path, data_only=True, read_only=False)


# --- LibreOffice computes, the workbook holds no results of its own -----------------------------

def test_libreoffice_computed_every_result_itself(recalculated):
    # LibreOffice, as installed, keeps a result a file holds: it did not compute 21 x 2 here ...
    assert values(recalculated["kanari"], "Kanari")["B1"].value == 999
    # ... so our workbooks hold none: every formula cell's stored result is empty, and every number the
    # tests below compare was computed by LibreOffice
    for name in ("kalkulator-harga-aman", "kalkulator-ongkir", "kalkulator-buku-kas", "kalkulator-omzet-pajak"):
        cached = []
        with zipfile.ZipFile(recalculated[f"ditulis:{name}"]) as archive:
            for member in archive.namelist():
                if member.startswith("xl/worksheets/sheet"):
                    xml = archive.read(member).decode("utf-8")
                    results = re.findall(r"<c [^>]*><f>.*?</f><v>(.*?)</v></c>", xml)
                    assert xml.count("<f>") == len(results), f"{name} {member}: a formula not written as expected"
                    cached += results
        assert cached and set(cached) == {""}, f"{name}: a formula cell holds a cached result"
    price = values(recalculated["kalkulator-harga-aman"], PRICE_SHEET)
    assert price[f"D{PRICE_FIRST_CHANNEL_ROW}"].value == bantu.harga_aman(SAMPLE_PRICE.hpp, SAMPLE_PRICE.margin) > 0


# --- each calculator against bantu ---------------------------------------------------------------

@pytest.mark.parametrize("case", PRICE_CASES)
def test_harga_aman_and_uang_diterima_are_bantus(recalculated, case):
    inputs = PRICE_CASES[case]
    sheet = values(recalculated[f"harga-{case}"], PRICE_SHEET)
    assert (sheet[PRICE_HPP].value, sheet[PRICE_MARGIN].value) == (inputs.hpp, inputs.margin)
    for index, channel in enumerate(inputs.channels):
        n = PRICE_FIRST_CHANNEL_ROW + index
        shown = (sheet[f"D{n}"].value, sheet[f"E{n}"].value, sheet[f"F{n}"].value)
        if not channel.nama:
            assert shown == (None, None, None) or set(shown) == {""}, f"{case}: an empty row shows {shown}"
            continue
        try:
            price = bantu.harga_aman(inputs.hpp, inputs.margin, channel.biaya_persen, channel.biaya_per_pesanan)
        except ValueError:
            assert "100%" in shown[0] and shown[1:] in ((None, None), ("", "")), f"{case} {channel.nama}: {shown}"
            continue
        received = bantu.uang_diterima(price, channel.biaya_persen, channel.biaya_per_pesanan)
        assert shown == (price, received, received - inputs.hpp), f"{case} {channel.nama}"


@pytest.mark.parametrize("case", PARCEL_CASES)
def test_berat_tagihan_and_ongkir_are_bantus(recalculated, case, monkeypatch):
    monkeypatch.chdir(ROOT / "lessons")  # bantu.ongkir reads ../datasets/ongkir.csv
    parcel = PARCEL_CASES[case]
    sheet = values(recalculated[f"ongkir-{case}"], SHIPPING_SHEET)
    shown = {key: sheet[cell].value for key, cell in SHIPPING_RESULTS.items()}
    divisors = pd.read_csv(ROOT / "datasets" / "pembagi_volume.csv")
    divisor_of = dict(zip(divisors["layanan"].str.lower(), divisors["pembagi"]))
    size = (parcel.berat_kg, parcel.panjang, parcel.lebar, parcel.tinggi)
    divisor = divisor_of[parcel.layanan.strip().lower()]
    assert shown["pembagi"] == divisor
    assert shown["berat_volume"] == pytest.approx(bantu.berat_volume(*size[1:], divisor))
    assert shown["berat_tagihan"] == bantu.berat_tagihan(*size, divisor), case
    try:
        expected = bantu.ongkir(*size, parcel.kota_tujuan, parcel.layanan)
    except ValueError as error:
        assert shown["ongkir"] in (None, ""), f"{case}: bantu says {error}, the sheet {shown['ongkir']}"
        wanted = CITY_MISSING if "tidak ada di tabel ongkir" in str(error) else "Layanan ini tidak ada ke kota itu"
        assert wanted in shown["keterangan"], shown["keterangan"]
    else:
        assert shown["ongkir"] == expected, case
        assert shown["keterangan"].startswith("Ongkir ke "), shown["keterangan"]
    # the comparison table: every service to the same town
    for index, row in enumerate(divisors.itertuples()):
        n = SHIPPING_FIRST_SERVICE_ROW + index
        assert sheet[f"A{n}"].value == row.layanan
        assert sheet[f"E{n}"].value == bantu.berat_tagihan(*size, row.pembagi), (case, row.layanan)
        try:
            expected = bantu.ongkir(*size, parcel.kota_tujuan, row.layanan)
        except ValueError:
            expected = "tidak ada"
        assert sheet[f"H{n}"].value == expected, (case, row.layanan)


def orders_table(orders) -> pd.DataFrame:
    """The orders as the lesson's tables: the columns bantu.laba_rugi and omzet_mingguan read."""
    table = pd.DataFrame([vars(order) for order in orders])
    table["tanggal"] = pd.to_datetime(table["tanggal"])
    table["subtotal"] = table["jumlah"] * table["harga_satuan"]
    return table


@pytest.mark.parametrize("case", CASH_CASES)
def test_laba_rugi_per_month_is_bantus(recalculated, case):
    inputs = CASH_CASES[case]
    sheet = values(recalculated[f"kas-{case}"], PROFIT_SHEET)
    table = orders_table(inputs.orders)
    for month in range(1, 13):
        n = PROFIT_FIRST_ROW + month - 1
        in_month = table[(table["tanggal"].dt.year == inputs.tahun) & (table["tanggal"].dt.month == month)]
        expected = bantu.laba_rugi(in_month)
        shown = [sheet.cell(n, 2 + col).value for col in range(len(PROFIT_COLUMNS))]
        assert shown == [int(expected[key]) for key in PROFIT_COLUMNS], (case, month)
    year = table[table["tanggal"].dt.year == inputs.tahun]
    total = [sheet.cell(PROFIT_FIRST_ROW + 12, 2 + col).value for col in range(len(PROFIT_COLUMNS))]
    assert total == [int(bantu.laba_rugi(year)[key]) for key in PROFIT_COLUMNS]
    assert total[0] > 0, "no paid order in the year: the case tests nothing"


@pytest.mark.parametrize("case", CASH_CASES)
def test_omzet_per_week_is_bantus(recalculated, case):
    inputs = CASH_CASES[case]
    sheet = values(recalculated[f"kas-{case}"], WEEKS_SHEET)
    weekly = bantu.omzet_mingguan(orders_table(inputs.orders))
    shown = {}
    for n in range(WEEKS_FIRST_ROW, WEEKS_FIRST_ROW + WEEK_ROWS):
        monday, sunday = sheet[f"A{n}"].value, sheet[f"B{n}"].value
        assert monday.weekday() == 0 and sunday - monday == timedelta(days=6), (case, n, monday)
        shown[pd.Timestamp(monday)] = sheet[f"C{n}"].value
    first, last = min(shown), max(shown)
    assert first <= pd.Timestamp(inputs.tahun, 1, 1) < first + pd.Timedelta(days=7)
    assert last <= pd.Timestamp(inputs.tahun, 12, 31) < last + pd.Timedelta(days=7)
    for monday, amount in shown.items():
        assert amount == int(weekly.get(monday, 0)), (case, monday.date())
    assert sum(shown.values()) > 0


@pytest.mark.parametrize("case", CASH_CASES)
def test_buku_kas_balance_and_order_columns(recalculated, case):
    inputs = CASH_CASES[case]
    cash = values(recalculated[f"kas-{case}"], CASH_SHEET)
    balance = inputs.saldo_awal
    for index, entry in enumerate(inputs.cash):
        balance += entry.masuk - entry.keluar
        assert cash[f"F{LOG_FIRST_ROW + index}"].value == balance, (case, index)
    assert cash[f"F{LOG_FIRST_ROW + len(inputs.cash)}"].value in (None, "")
    orders = values(recalculated[f"kas-{case}"], ORDERS_SHEET)
    table = orders_table(inputs.orders)
    for index, order in enumerate(table.itertuples()):
        n = LOG_FIRST_ROW + index
        assert orders[f"J{n}"].value == order.subtotal
        assert orders[f"K{n}"].value == order.jumlah * order.hpp_satuan
        assert pd.Timestamp(orders[f"L{n}"].value) == order.tanggal.to_period("W-SUN").start_time
    if case == "contoh-pak-arif":
        # the lesson's own buku kas: Rp500.000, +75.000, -150.000, +85.000
        assert [cash[f"F{LOG_FIRST_ROW + i}"].value for i in range(3)] == [575_000, 425_000, 510_000]


def spoken_figure(text: str) -> float:
    """'Rp500 juta' -> 500000000, 'Rp4,8 miliar' -> 4800000000, '0,5%' -> 0.005, as the registry writes them."""
    number = re.search(r"[\d.,]+", text).group().replace(".", "").replace(",", ".")
    for word, size in (("miliar", 1e9), ("juta", 1e6), ("%", 0.01)):
        if word in text:
            return round(float(number) * size, 10)
    return float(number)


@pytest.fixture(scope="module")
def tax_rule(kit) -> tuple[float, float, float]:
    """(tax-free turnover, rate, cap) as the fact registry quotes them."""
    fact = load_fact(kit.facts_dir / f"{PPH_FACT}.yml")
    amounts = sorted(spoken_figure(q) for q in fact.dikutip if q.startswith("Rp"))
    rates = [spoken_figure(q) for q in fact.dikutip if q.endswith("%")]
    assert len(amounts) == 2 and len(rates) == 1, fact.dikutip
    return amounts[0], rates[0], amounts[1]


@pytest.mark.parametrize("case", TAX_CASES)
def test_pph_final_is_the_lessons_rule_with_the_registrys_figures(recalculated, case, tax_rule):
    free, rate, cap = tax_rule
    monthly = TAX_CASES[case].omzet_bulanan
    sheet = values(recalculated[f"pajak-{case}"], TAX_SHEET)
    running = 0
    for month, amount in enumerate(monthly):
        running += amount
        n = TAX_FIRST_MONTH_ROW + month
        assert (sheet[f"B{n}"].value, sheet[f"C{n}"].value) == (amount, running)
        assert sheet[f"D{n}"].value == ("ya" if running > free else "belum"), (case, month)
    shown = {key: sheet[cell].value for key, cell in TAX_RESULTS.items()}
    year = sum(monthly)
    assert shown["omzet_setahun"] == year
    assert shown["di_atas_batas"] == max(0, year - free)
    if year > cap:
        assert shown["pph_final"] == "tanyakan ke KPP" and "4,8 miliar" in shown["keterangan"]
    elif year > free:
        # lesson 02, section 8: pajak = (omzet_setahun - 500_000_000) * 0.005
        assert shown["pph_final"] == pytest.approx((year - free) * rate)
        assert "di atas Rp500 juta" in shown["keterangan"]
    else:
        assert shown["pph_final"] == 0 and "tidak ada PPh final" in shown["keterangan"]


def test_the_tax_sheet_names_its_facts_and_their_dates(recalculated, kit):
    texts = " ".join(str(c.value) for row in values(recalculated["kalkulator-omzet-pajak"], TAX_SHEET).iter_rows()
                     for c in row if isinstance(c.value, str))
    for fact_id in (PPH_FACT, "pph-umkm-pencatatan"):
        checked = load_fact(kit.facts_dir / f"{fact_id}.yml").diperiksa
        month = MONTH_NAMES[checked.month].capitalize()
        assert f"fakta {fact_id}, diperiksa {checked.day} {month} {checked.year}" in texts, fact_id
    price = " ".join(str(c.value) for row in values(recalculated["kalkulator-harga-aman"], PRICE_SHEET).iter_rows()
                     for c in row if isinstance(c.value, str))
    for fact_id in ("shopee-biaya-admin", "shopee-biaya-proses-pesanan", "tiktok-shop-biaya"):
        assert f"fakta {fact_id}, diperiksa" in price


def test_a_figure_the_registry_no_longer_quotes_stops_the_build(kit, tmp_path):
    root = tmp_path / "kit"
    shutil.copytree(kit.facts_dir, root / "docs" / "fakta")
    fact = root / "docs" / "fakta" / f"{PPH_FACT}.yml"
    fact.write_text(fact.read_text(encoding="utf-8").replace("  - Rp500 juta\n", "  - Rp600 juta\n"), encoding="utf-8")
    with pytest.raises(UmkmkitError, match=r"Rp500 juta.*no longer quotes it"):
        write_tax_calculator(tmp_path / TAX_FILE, Kit(root))
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.tmp"))


# --- the workbooks as files: formulas, protection, formats, language ------------------------------

@pytest.fixture(scope="module")
def shipped(recalculated) -> dict[str, object]:
    """The four workbooks as write_calculators writes them, read with their formulas."""
    return {name: load_workbook(recalculated[f"ditulis:{name}"])
            for name in ("kalkulator-harga-aman", "kalkulator-ongkir", "kalkulator-buku-kas", "kalkulator-omzet-pajak")}


def test_write_calculators_writes_one_file_per_calculator(kit, tmp_path):
    folder = tmp_path / "untuk peserta"
    paths = write_calculators(folder, kit)
    assert [p.name for p in paths] == [PRICE_FILE, SHIPPING_FILE, CASH_BOOK_FILE, TAX_FILE]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)  # no temporary file left
    again = write_calculators(folder, kit)
    assert again == paths and all(load_workbook(p).sheetnames for p in paths)


def test_a_folder_that_cannot_be_written_is_a_clear_error(kit, tmp_path):
    blocker = tmp_path / "bukan-folder.txt"
    blocker.write_text("x")
    with pytest.raises(UmkmkitError, match="Cannot create the folder .*bukan-folder.txt"):
        write_calculators(blocker / "kalkulator", kit)
    folder = tmp_path / "kalkulator"
    (folder / PRICE_FILE).mkdir(parents=True)  # the file's place is taken by a folder
    with pytest.raises(UmkmkitError, match=f"Cannot write .*{PRICE_FILE}.*can be written to"):
        write_calculators(folder, kit)
    assert [p.name for p in folder.iterdir()] == [PRICE_FILE], "a temporary file was left behind"


def results_of(book) -> dict[str, list[str]]:
    """Sheet -> the cells that hold formulas."""
    return {sheet.title: [cell.coordinate for row in sheet.iter_rows() for cell in row
                          if isinstance(cell.value, str) and cell.value.startswith("=")]
            for sheet in book.worksheets}


def test_results_are_formulas(shipped):
    price, shipping, cash, tax = (shipped[n] for n in ("kalkulator-harga-aman", "kalkulator-ongkir",
                                                       "kalkulator-buku-kas", "kalkulator-omzet-pajak"))
    for column in "DEF":
        for index in range(len(SAMPLE_PRICE.channels)):
            assert price[PRICE_SHEET][f"{column}{PRICE_FIRST_CHANNEL_ROW + index}"].value.startswith("=")
    for cell in SHIPPING_RESULTS.values():
        assert shipping[SHIPPING_SHEET][cell].value.startswith("="), cell
    for cell in TAX_RESULTS.values():
        assert tax[TAX_SHEET][cell].value.startswith("="), cell
    assert tax[TAX_SHEET][TAX_RESULTS["pph_final"]].value.count("$B$") >= 2, "the rate and cap are cells, not typed in"
    for column in "BCDEFGIJK":
        for row in range(PROFIT_FIRST_ROW, PROFIT_FIRST_ROW + 13):
            assert cash[PROFIT_SHEET][f"{column}{row}"].value.startswith("="), (column, row)
    assert "SUMIFS(" in cash[PROFIT_SHEET][f"B{PROFIT_FIRST_ROW}"].value
    # inputs are values
    assert price[PRICE_SHEET][PRICE_HPP].value == SAMPLE_PRICE.hpp
    assert shipping[SHIPPING_SHEET][PARCEL_CELLS["kota_tujuan"]].value == SAMPLE_PARCEL.kota_tujuan


def test_results_are_locked_inputs_unlocked_and_marked(shipped):
    for name, book in shipped.items():
        for sheet in book.worksheets:
            assert sheet.protection.sheet and not sheet.protection.password, f"{name}/{sheet.title} not protected"
            prompts = [dv for dv in sheet.data_validations.dataValidation
                       if dv.promptTitle == INPUT_HINT.capitalize() and dv.showInputMessage and dv.prompt]
            inputs = 0
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell, MergedCell):
                        continue  # covered by the merged range's first cell
                    where = f"{name}/{sheet.title}!{cell.coordinate}"
                    formula = isinstance(cell.value, str) and cell.value.startswith("=")
                    fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
                    if formula:
                        assert cell.protection.locked, f"{where}: a formula cell is not locked"
                        assert fill == "FF" + OUTPUT_FILL[1:], f"{where}: a result is not green"
                    if not cell.protection.locked:
                        inputs += 1
                        assert fill == "FF" + INPUT_FILL[1:], f"{where}: an unlocked cell is not yellow"
                        assert any(cell.coordinate in dv.sqref for dv in prompts), f"{where}: no 'Isi di sini'"
                    elif fill == "FF" + INPUT_FILL[1:]:
                        assert cell.value == "Sel kuning", f"{where}: a yellow cell is locked"
            assert inputs or sheet.title in ("Cara memakai", WEEKS_SHEET), f"{name}/{sheet.title} has no input"


def test_numbers_are_in_rupiah_and_kg(shipped):
    price = shipped["kalkulator-harga-aman"][PRICE_SHEET]
    assert price[PRICE_HPP].number_format == RUPIAH_FORMAT
    for column in "DEF":
        assert price[f"{column}{PRICE_FIRST_CHANNEL_ROW}"].number_format == RUPIAH_FORMAT
    assert price[PRICE_MARGIN].number_format.endswith("%")
    shipping = shipped["kalkulator-ongkir"][SHIPPING_SHEET]
    assert shipping[PARCEL_CELLS["berat_kg"]].number_format == KG_FORMAT
    assert shipping[SHIPPING_RESULTS["berat_volume"]].number_format == KG_FORMAT
    assert shipping[SHIPPING_RESULTS["berat_tagihan"]].number_format == KG_WHOLE_FORMAT
    assert shipping[SHIPPING_RESULTS["ongkir"]].number_format == RUPIAH_FORMAT
    tax = shipped["kalkulator-omzet-pajak"][TAX_SHEET]
    assert tax[TAX_RESULTS["pph_final"]].number_format == RUPIAH_FORMAT
    assert shipped["kalkulator-buku-kas"][ORDERS_SHEET][f"A{LOG_FIRST_ROW}"].number_format == "dd/mm/yyyy"
    assert isinstance(shipped["kalkulator-buku-kas"][ORDERS_SHEET][f"A{LOG_FIRST_ROW}"].value, datetime)


def test_every_sheet_prints_on_a4_one_page_wide(shipped):
    for name, book in shipped.items():
        for sheet in book.worksheets:
            where = f"{name}/{sheet.title}"
            assert sheet.page_setup.paperSize == 9, where
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1), where
            assert sheet.page_setup.fitToHeight == 0, where
            assert "Halaman" in sheet.oddFooter.right.text, where
            widths = [dimension.width for dimension in sheet.column_dimensions.values() if dimension.width]
            assert widths and min(widths) >= 3, where


def test_formulas_use_only_functions_every_phone_app_has(shipped):
    used = set()
    for book in shipped.values():
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        without_text = re.sub(r'"[^"]*"', '""', cell.value)
                        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", without_text))
    assert used <= FUNCTIONS, f"not in every app: {sorted(used - FUNCTIONS)}"
    assert {"SUMIFS", "ROUNDUP", "MOD"} <= used


#: English words that would give away an untranslated text (the participants read Indonesian only).
ENGLISH = {"the", "and", "of", "to", "for", "with", "is", "are", "enter", "input", "output", "price", "weight",
           "cost", "fee", "fees", "shipping", "profit", "loss", "income", "expense", "expenses", "month", "year",
           "week", "here", "fill", "date", "amount", "balance", "sheet", "paid", "not", "cell"}


def test_every_text_a_participant_reads_is_indonesian(shipped):
    for name, book in shipped.items():
        texts = list(book.sheetnames)
        for sheet in book.worksheets:
            texts += [dv.prompt or "" for dv in sheet.data_validations.dataValidation]
            texts += [dv.error or "" for dv in sheet.data_validations.dataValidation]
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        texts += re.findall(r'"([^"]*)"', cell.value) if cell.value.startswith("=") else [cell.value]
        words = {word for text in texts for word in re.findall(r"[a-z]+", text.lower())}
        assert not words & ENGLISH, f"{name}: English words {sorted(words & ENGLISH)}"
        joined = "\n".join(texts)
        assert "Cara memakai" in joined and INPUT_HINT in joined.lower(), name
    assert "Rp500 juta" in "\n".join(str(c.value) for row in shipped["kalkulator-omzet-pajak"][TAX_SHEET].iter_rows()
                                      for c in row)


def test_town_and_service_are_chosen_from_the_rate_sheet(shipped):
    book = shipped["kalkulator-ongkir"]
    lists = {dv.formula1: dv.sqref for dv in book[SHIPPING_SHEET].data_validations.dataValidation if dv.type == "list"}
    assert PARCEL_CELLS["kota_tujuan"] in lists["DaftarKota"] and PARCEL_CELLS["layanan"] in lists["DaftarLayanan"]
    towns = [cell.value for (sheet, cells) in book.defined_names["DaftarKota"].destinations
             for row in book[sheet][cells.replace("$", "")] for cell in row if cell.value]
    assert towns == list(dict.fromkeys(pd.read_csv(ROOT / "datasets" / "ongkir.csv")["kota_tujuan"]))
