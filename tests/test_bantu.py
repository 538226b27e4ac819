"""The participants' helper module, lessons/bantu.py: its calculators and its answer checker."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_bantu():
    spec = importlib.util.spec_from_file_location("bantu", ROOT / "lessons" / "bantu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bantu = load_bantu()


# --- the module as participants meet it ------------------------------------------------------

def test_every_public_function_has_an_indonesian_docstring_with_an_example():
    for name in bantu.__all__:
        value = getattr(bantu, name)
        if callable(value):
            doc = inspect.getdoc(value) or ""
            assert doc, f"{name} has no docstring for help()"
            assert "Contoh" in doc or name in ("cek", "cocok", "sidik"), f"{name}: no 'Contoh' in its docstring"
            assert not any(word in doc.split() for word in ("Return", "Returns", "the", "and")), name


def test_star_import_gives_every_public_name_and_nothing_private(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "lessons"))
    monkeypatch.delitem(__import__("sys").modules, "bantu", raising=False)
    namespace = {}
    exec("from bantu import *", namespace)
    names = set(namespace) - {"__builtins__"}
    assert names == set(bantu.__all__)
    assert not [n for n in names if n.startswith("_")]


# --- umum ------------------------------------------------------------------------------------

@pytest.mark.parametrize("angka,teks", [
    (25_000, "Rp25.000"), (1_250_000, "Rp1.250.000"), (500, "Rp500"), (0, "Rp0"),
    (-6_000, "-Rp6.000"), (17_857.14, "Rp17.857"), (12_500_000, "Rp12.500.000"),
])
def test_rupiah_writes_money_the_indonesian_way(angka, teks):
    assert bantu.rupiah(angka) == teks


def test_rupiah_refuses_text_in_indonesian():
    with pytest.raises(TypeError, match="tanpa tanda petik"):
        bantu.rupiah("175000")


def test_baca_data_finds_the_datasets_folder_and_keeps_leading_zeros(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT / "lessons")
    hitam = bantu.baca_data("daftar_hitam.csv")
    assert hitam["nilai"].map(type).eq(str).all()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="tidak ditemukan"):
        bantu.baca_data("tidak_ada.csv")


# --- 01 jualan digital -----------------------------------------------------------------------

def test_pricing_calculators():
    assert bantu.hpp_satuan([300_000, 50_000, 200_000], 10) == 55_000
    assert bantu.hpp_satuan([300_000, 50_000, 200_000], 9) == 61_112
    assert bantu.harga_markup(10_000, 0.30) == 13_000
    assert bantu.harga_margin(10_000, 0.30) == 14_286
    assert bantu.harga_aman(12_500, 0.30) == 18_000
    assert bantu.harga_aman(12_500, 0.30, 0.08, 1_250) == 22_500
    assert bantu.harga_aman(9_000, 0.25, 0.25, 1_000) == 20_000  # exactly a multiple of 500 stays
    assert bantu.uang_diterima(25_000, 0.08, 1_250) == 21_750


@pytest.mark.parametrize("call", [
    lambda: bantu.harga_aman(12_500, 30),
    lambda: bantu.harga_margin(12_500, 30),
    lambda: bantu.harga_aman(12_500, 0.6, 0.5),
])
def test_percent_written_as_a_whole_number_is_explained(call):
    with pytest.raises(ValueError, match=r"0\.30|100%"):
        call()


@pytest.mark.parametrize("args,kg", [
    ((0.35, 35, 30, 8), 2), ((1.3, 10, 10, 10), 1), ((1.31, 10, 10, 10), 2), ((0.23, 20, 14, 6), 1),
    ((0.9, 40, 30, 30, 5000), 7), ((0.5, 30, 26, 10), 1), ((0.8, 15, 15, 35), 2), ((0, 0, 0, 0), 1),
])
def test_charged_weight_follows_the_300_gram_rule(args, kg):
    assert bantu.berat_tagihan(*args) == kg


def test_ongkir_reads_the_rate_table(monkeypatch):
    monkeypatch.chdir(ROOT / "lessons")
    assert bantu.ongkir(2.0, 25, 16, 16, "Surabaya", "REG") == 144_000
    assert bantu.ongkir(2.0, 25, 16, 16, "Surabaya", "Cargo") == 235_000
    assert bantu.ongkir(0.9, 50, 40, 30, "Jakarta", "Cargo") == 612_000
    with pytest.raises(ValueError, match="tidak ada di tabel"):
        bantu.ongkir(2.0, 25, 16, 16, "Wamena", "REG")
    with pytest.raises(ValueError, match="Layanan yang ada"):
        bantu.ongkir(2.0, 25, 16, 16, "Bintuni", "YES")


# --- 02 pembukuan pesanan --------------------------------------------------------------------

@pytest.mark.parametrize("teks,angka", [
    ("Rp25.000", 25_000), ("  Rp 25.000 ", 25_000), ("25rb", 25_000), ("25 RB", 25_000),
    ("1,5 jt", 1_500_000), ("2 juta", 2_000_000), ("Rp 1.250.000,-", 1_250_000),
    ("Rp25.000,75", 25_001), ("4,1 jt", 4_100_000), ("-", 0), ("", 0), (85_000, 85_000),
])
def test_ubah_rupiah_reads_how_sellers_write_money(teks, angka):
    assert bantu.ubah_rupiah(teks) == angka


@pytest.mark.parametrize("teks,tanggal", [
    ("05/09/2022", (2022, 9, 5)), ("5-9-22", (2022, 9, 5)), ("2022-09-05", (2022, 9, 5)),
    ("5 Okt 2022", (2022, 10, 5)), ("  12 NOVEMBER 2022 ", (2022, 11, 12)), ("24 Des 2022", (2022, 12, 24)),
])
def test_ubah_tanggal_reads_day_first_and_indonesian_months(teks, tanggal):
    assert bantu.ubah_tanggal(teks) == pd.Timestamp(*tanggal)


def test_payment_check_against_bank_mutations():
    mutasi = pd.DataFrame({
        "tanggal": ["2022-10-03", "2022-10-04", "2022-09-30"],
        "nama_pengirim": ["ESTER MANDOWEN", "YOHANES KAFIAR", "LUKAS RUMBIAK"],
        "kredit": [230_000, 115_000, 90_000],
    })
    assert bantu.cek_pembayaran("Ester Mandowen", "3 Okt 2022", 230_000, mutasi) == "lunas"
    assert bantu.cek_pembayaran("Ester Mandowen", "3 Okt 2022", 250_000, mutasi) == "tidak_cocok"
    assert bantu.cek_pembayaran("Maria Wanma", "3 Okt 2022", 115_000, mutasi) == "tidak_cocok"
    assert bantu.cek_pembayaran("Lukas Rumbiak", "1 Okt 2022", 90_000, mutasi) == "belum_bayar"


def test_laba_rugi_and_weekly_revenue():
    pesanan = pd.DataFrame({
        "tanggal": pd.to_datetime(["2022-10-02", "2022-10-03", "2022-10-09", "2022-10-10"]),
        "jumlah": [3, 2, 1, 4], "harga_satuan": [35_000, 80_000, 60_000, 37_000],
        "hpp_satuan": [22_000, 50_000, 38_000, 23_000], "subtotal": [105_000, 160_000, 60_000, 148_000],
        "biaya_admin": [0, 6_400, 0, 0], "ongkir_penjual": [0, 0, 15_000, 0],
        "sudah_bayar": [True, True, True, False],
    })
    laba = bantu.laba_rugi(pesanan)
    assert list(laba.index) == ["pendapatan", "hpp", "laba_kotor", "biaya_admin", "ongkir_penjual", "laba_bersih"]
    assert laba["pendapatan"] == 325_000 and laba["laba_bersih"] == 99_600
    mingguan = bantu.omzet_mingguan(pesanan)
    assert dict(mingguan) == {pd.Timestamp(2022, 9, 26): 105_000, pd.Timestamp(2022, 10, 3): 220_000}


# --- 03 menghindari penipuan -----------------------------------------------------------------

def test_phone_numbers_and_blacklist():
    assert bantu.normalisasi_nomor("0810-0092-4853") == "6281000924853"
    assert bantu.normalisasi_nomor("+62 810 0092 4853") == "6281000924853"
    assert bantu.normalisasi_nomor("810 0092 4853") == "6281000924853"
    daftar = pd.DataFrame({"jenis": ["nomor_hp", "rekening"], "nilai": ["+62 810-0092-4853", "0000 0091 9459"]})
    assert bantu.ada_di_daftar_hitam("0810 0092 4853", "nomor_hp", daftar)
    assert bantu.ada_di_daftar_hitam("000000919459", "rekening", daftar)
    assert not bantu.ada_di_daftar_hitam("000000919459", "nomor_hp", daftar)
    assert not bantu.ada_di_daftar_hitam("", "rekening", daftar)


def test_risk_score_and_message_kinds():
    assert bantu.skor_risiko() == 0
    assert bantu.skor_risiko(minta_kirim_dulu=True, nomor_baru=True) == 4
    assert bantu.skor_risiko(True, True, True, True, True, True, True) == 18
    with pytest.raises(TypeError, match="True atau False"):
        bantu.skor_risiko(nomor_baru="ya")
    with pytest.raises(TypeError, match="buru_buru belum diisi: ganti ... dengan True atau False"):
        bantu.skor_risiko(nomor_baru=True, buru_buru=...)
    assert bantu.jenis_pesan("Kak, sy salah masukkan nomor. Kode OTP nya tolong dikirim ya") == "minta_otp"
    assert bantu.jenis_pesan("Ini resi sy kak: Resi_JNE_2291.apk") == "apk_resi"
    assert bantu.jenis_pesan("Ini bukti transfernya kak, makasih") == "normal"
    assert bantu.jenis_pesan("Sdh tf, ini buktinya. Kirim dulu ya kak") == "bukti_transfer_palsu"
    assert bantu.jenis_pesan("") == "normal"


# --- 04 izin usaha ---------------------------------------------------------------------------

def test_spp_irt_rule_follows_the_bpom_food_list():
    # dried fish, meat and poultry products are on BPOM's SPP-IRT list (Peraturan BPOM 22/2018)
    for produk in ("Keripik Keladi", "Abon Tuna Pedas", "Dendeng Rusa", "Keripik Ikan", "Abon Ayam", "Keripik Bayam"):
        assert bantu.bisa_spp_irt(produk), produk
    for produk in ("Nugget Ikan Beku", "Susu Kedelai", "Rendang Tuna Kaleng", "Bubur Bayi", "Air Minum Isi Ulang"):
        assert not bantu.bisa_spp_irt(produk), produk


def test_checklist_and_trademark_fees():
    assert bantu.daftar_periksa("kuliner", ["keripik keladi"], True, False) == ["nib", "spp_irt", "halal", "merek"]
    assert bantu.daftar_periksa("kuliner", ["abon tuna", "nugget ikan beku"], False, True) == [
        "spp_irt", "izin_edar_bpom", "halal"]
    assert bantu.daftar_periksa("kerajinan", ["noken kulit kayu"], False, True) == ["hak_cipta"]
    assert bantu.biaya_merek(3) == 1_500_000
    assert bantu.biaya_merek(1, umkm=False) == 1_800_000


# --- the answer checker ----------------------------------------------------------------------

def run_check(namespace: dict, source: str) -> tuple[str, Exception | None]:
    """Run a check cell's code with these answers defined, as a notebook would: (stdout, error)."""
    import contextlib
    import io

    out = io.StringIO()
    scope = {"cek": bantu.cek, "cocok": bantu.cocok, **namespace}
    try:
        with contextlib.redirect_stdout(out):
            exec(source, scope)
    except Exception as error:  # the cell's error, as the participant would see it
        return out.getvalue(), error
    return out.getvalue(), None


CHECK = 'with cek("Bagian B", untung="angka"):\n    assert untung != 200_000, "itu omzet"\n    assert cocok(untung, SIDIK), "belum tepat"'


def test_a_right_answer_prints_the_success_line():
    out, error = run_check({"untung": 80_000.0, "SIDIK": bantu.sidik(80_000)}, CHECK)
    assert error is None and out == "✔ Bagian B benar.\n"


@pytest.mark.parametrize("namespace,expected", [
    ({}, "untung belum ada"),
    ({"untung": ...}, "untung belum diisi: ganti tanda ..."),
    ({"untung": "80000"}, "berisi teks '80000', padahal yang diminta angka"),
    ({"untung": None}, "berisi None"),
    ({"untung": 200_000}, "itu omzet"),
    ({"untung": 79_000}, "belum tepat"),
])
def test_a_wrong_answer_gets_an_indonesian_reason(namespace, expected):
    out, error = run_check({"SIDIK": bantu.sidik(80_000), **namespace}, CHECK)
    assert out == ""
    assert isinstance(error, AssertionError) and str(error).startswith("✘ Bagian B: ")
    assert expected in str(error)


def test_a_python_error_inside_a_check_is_explained():
    out, error = run_check({"untung": 5}, 'with cek("Bagian C", untung="angka"):\n    assert untung["a"] == 1, "x"')
    assert isinstance(error, AssertionError)
    assert "Python error saat diperiksa (TypeError" in str(error) and "jenis jawabannya keliru" in str(error)


def test_a_form_only_check_says_the_rest_is_checked_later():
    out, error = run_check({"jawaban_1": " B "}, 'with cek("Soal 1", nanti=True, jawaban_1="huruf"):\n    assert jawaban_1.strip().lower() in "abcd", "pilih"')
    assert error is None and "Pemeriksaan lengkapnya dilakukan saat latihan dinilai" in out


@pytest.mark.parametrize("a,b,urut", [
    (25_000, 25_000.0, True), (0.1 + 0.2, 0.3, True), ("  Rp25.000 ", "rp25.000", True),
    (["B", "A"], ["A", "B"], False), ({"x": 1}, {"x": 1.0}, True), (pd.Series([1, 2]), [1, 2], True),
])
def test_cocok_accepts_the_same_answer_in_another_shape(a, b, urut):
    assert bantu.cocok(a, bantu.sidik(b, urut), urut)


@pytest.mark.parametrize("a,b", [(1, True), ("25000", 25_000), (["B", "A"], ["A", "B"]), (17_857.14, 17_857.15)])
def test_cocok_tells_different_answers_apart(a, b):
    assert not bantu.cocok(a, bantu.sidik(b))


def test_sidik_is_stable():
    # checks in committed notebooks hold these: changing the form would fail every check
    assert bantu.sidik(175_000) == "0955024194f33f30"
