"""The synthetic data sets: reproducible, documented, as messy as the lessons need, consistent."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from umkmkit import datasets, files
from umkmkit.datasets import fictitious, schema, world
from umkmkit.datasets.shipping import charged_weight_kg
from umkmkit.errors import UmkmkitError

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
GENERATED = [f.name for f in schema.FILES] + [schema.README]


def read(name: str, **options) -> pd.DataFrame:
    """A committed CSV, every cell as text exactly as written ('' for empty)."""
    return pd.read_csv(DATASETS / name, dtype=str, keep_default_na=False, **options)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("datasets")
    datasets.generate(out)
    return out


# --- Reproducible ---------------------------------------------------------------------------

def test_regenerating_gives_the_committed_files_byte_for_byte(fresh):
    stale = [name for name in GENERATED if (fresh / name).read_bytes() != (DATASETS / name).read_bytes()]
    assert not stale, f"datasets/ is stale, run `umkmkit datasets` and commit: {stale}"


def test_the_committed_folder_holds_exactly_the_generated_files():
    assert sorted(p.name for p in DATASETS.iterdir()) == sorted(GENERATED)


def test_generate_returns_the_written_paths_in_schema_order(tmp_path):
    written = datasets.generate(tmp_path)
    assert [p.name for p in written] == GENERATED
    assert all(p.parent == tmp_path and p.is_file() for p in written)


def test_another_seed_gives_other_data_and_says_so_in_the_readme(tmp_path):
    datasets.generate(tmp_path, seed=datasets.SEED + 1)
    assert (tmp_path / "umkm.csv").read_bytes() != (DATASETS / "umkm.csv").read_bytes()
    assert f"seed **{datasets.SEED + 1}**" in (tmp_path / schema.README).read_text(encoding="utf-8")


def test_files_are_utf8_without_bom_with_unix_line_ends():
    for name in GENERATED:
        raw = (DATASETS / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in raw, name
        raw.decode("utf-8")


def test_the_data_folder_stays_small():
    assert sum((DATASETS / name).stat().st_size for name in GENERATED) < 2_000_000


# --- Safe writing ---------------------------------------------------------------------------

def test_generating_over_half_written_files_leaves_correct_files(tmp_path):
    (tmp_path / "pesanan.csv").write_text("id_pesanan,id_umkm\nKRP-001,MKW-", encoding="utf-8")
    # what runs killed while writing left: their hidden temporary files (umkmkit.files)
    (tmp_path / ".pesanan.csv.4242.tmp").write_bytes(b"half a file")
    (tmp_path / ".umkm.csv.77.tmp").write_bytes(b"")
    datasets.generate(tmp_path)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (DATASETS / name).read_bytes(), name
    assert not list(tmp_path.glob(".*"))


def test_an_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    datasets.generate(tmp_path)
    before = (tmp_path / "umkm.csv").read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(UmkmkitError, match="umkm.csv.*No space left"):
        datasets.generate(tmp_path, seed=datasets.SEED + 1)
    assert (tmp_path / "umkm.csv").read_bytes() == before
    assert not list(tmp_path.glob(".*"))


def test_generating_into_a_file_is_refused_with_a_clear_message(tmp_path):
    target = tmp_path / "datasets"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(UmkmkitError, match="is a file"):
        datasets.generate(target)


# --- Documented: the files match the data dictionary -----------------------------------------

@pytest.mark.parametrize("data_file", schema.FILES, ids=lambda f: f.name)
def test_each_file_has_the_columns_and_types_of_the_dictionary(data_file):
    inferred = pd.read_csv(DATASETS / data_file.name)
    assert tuple(inferred.columns) == data_file.column_names
    text = read(data_file.name)
    assert len(text) > 0
    for column in data_file.columns:
        values = text[column.name]
        where = f"{data_file.name}:{column.name}"
        filled = values[values != ""]
        if not column.optional:
            assert len(filled) == len(values), f"{where} has empty values"
        if column.type == "int":
            assert inferred[column.name].dtype == "int64", where
            assert filled.str.fullmatch(r"\d+").all(), where
        elif column.type == "bool":
            assert inferred[column.name].dtype == bool, where
            assert set(filled) <= {"True", "False"}, where
        elif column.type == "date":
            parsed = pd.to_datetime(filled, format="%Y-%m-%d", errors="coerce")
            assert parsed.notna().all(), f"{where}: not YYYY-MM-DD"
        elif column.type == "category":
            assert set(filled) <= set(column.allowed), f"{where}: {set(filled) - set(column.allowed)}"
        elif column.type == "list":
            items = set(filled.str.split(";").explode())
            assert items <= set(column.allowed), f"{where}: {items - set(column.allowed)}"
        else:
            assert column.type == "text", where
            assert (filled == filled.str.strip()).all(), f"{where}: stray spaces"


def test_the_readme_documents_every_file_column_count_and_range():
    text = (DATASETS / schema.README).read_text(encoding="utf-8")
    for data_file in schema.FILES:
        rows = len(read(data_file.name))
        assert f"## {data_file.name}\n" in text
        assert f"- Rows: {rows:,}\n" in text, data_file.name
        for column in data_file.columns:
            assert f"| `{column.name}` | {column.type} |" in text, f"{data_file.name}:{column.name}"
    assert f"seed **{datasets.SEED}**" in text
    assert "0810-00xx-xxxx" in text and "0000-xxxx-xxxx" in text
    assert "fictitious" in text and "not current tariffs" in text


# --- Registry and rosters -------------------------------------------------------------------

def test_the_registry_lists_at_least_1200_businesses_mostly_culinary_and_craft():
    registry = read("umkm.csv")
    assert len(registry) >= 1200
    assert list(registry.id_umkm) == [f"MKW-{n:05d}" for n in range(1, len(registry) + 1)]
    assert registry.sektor.isin(["kuliner", "kerajinan"]).mean() >= 0.75
    assert set(registry.distrik) == set(world.DISTRICT_NAMES)
    assert not registry.nama_usaha.duplicated().any()


def test_the_registry_has_youth_oap_owners_and_blank_spots_where_reported():
    registry = read("umkm.csv")
    youth = registry.tahun_lahir.astype(int) >= 1992
    assert 0.15 <= youth.mean() <= 0.5
    assert 0.2 <= (registry.oap == "True").mean() <= 0.7
    blank = registry[registry.ada_sinyal == "False"]
    assert len(blank) > 50 and set(blank.distrik) <= set(world.BLANK_SPOT_DISTRICTS)
    for district in ("Sidey", "Manokwari Utara", "Tanah Rubuh"):
        assert (registry[registry.distrik == district].ada_sinyal == "False").mean() > 0.5, district


def test_rosters_hold_100_trainees_each_from_the_registry_some_in_both():
    registry = read("umkm.csv").set_index("id_umkm")
    june, august = read("roster-mkw-2022-06.csv"), read("roster-mkw-2022-08.csv")
    for roster in (june, august):
        assert len(roster) == 100 and roster.id_peserta.is_unique
        assert roster.id_umkm.isin(registry.index).all()
        assert (roster.id_peserta == "P-" + roster.id_umkm.str.removeprefix("MKW-")).all()
        owners = registry.loc[roster.id_umkm]
        assert list(roster.nama) == list(owners.nama_pemilik)
        assert list(roster.sektor) == list(owners.sektor)
        assert roster.sektor.isin(["kuliner", "kerajinan"]).mean() >= 0.8
    both = set(june.id_peserta) & set(august.id_peserta)
    assert 5 <= len(both) <= 10


def test_rosters_are_accepted_by_cohort_creation():
    from umkmkit.cohort.cohorts import read_roster

    trainees = read_roster(DATASETS / "roster-mkw-2022-06.csv")
    assert len(trainees) == 100 and trainees[0].trainee_id.startswith("P-")


# --- Products and shipping ------------------------------------------------------------------

def test_products_belong_to_registered_businesses_of_the_same_sector():
    registry = read("umkm.csv").set_index("id_umkm")
    products = read("produk.csv")
    assert products.id_produk.is_unique
    assert products.id_umkm.isin(registry.index).all()
    assert list(products.sektor) == list(registry.loc[products.id_umkm, "sektor"])
    assert (products.harga_jual.astype(int) > products.hpp.astype(int)).all()
    names = " ".join(products.nama_produk).lower()
    for known in ("keripik keladi", "abon tuna", "sari buah merah", "noken", "ukir", "batik", "kopi"):
        assert known in names, known


def test_charged_weight_follows_the_jne_rounding():
    assert charged_weight_kg(200, 100, 6000) == 1  # minimum 1 kg
    assert charged_weight_kg(1300, 100, 6000) == 1  # 0.3 kg over: dropped
    assert charged_weight_kg(1301, 100, 6000) == 2  # more than 0.3 kg over: a whole kg
    assert charged_weight_kg(900, 40 * 30 * 30, 6000) == 6  # bulky: volumetric weight counts
    assert charged_weight_kg(900, 40 * 30 * 30, 4000) == 9
    assert charged_weight_kg(2000, 100, 5000, minimum_kg=5) == 5


def test_order_shipping_follows_the_rate_table_and_divisors():
    orders = pd.read_csv(DATASETS / "pesanan_bersih.csv", dtype={"nomor_hp": str})
    products = pd.read_csv(DATASETS / "produk.csv").set_index("id_produk")
    rates = pd.read_csv(DATASETS / "ongkir.csv").set_index(["kota_tujuan", "kurir", "layanan"])
    divisors = pd.read_csv(DATASETS / "pembagi_volume.csv").set_index(["kurir", "layanan"])
    shipped = orders[orders.kota_tujuan != world.HOME_TOWN]
    assert len(shipped) > 50
    for order in shipped.itertuples():
        p = products.loc[order.id_produk]
        rate = rates.loc[(order.kota_tujuan, order.kurir, order.layanan)]
        kg = charged_weight_kg(order.jumlah * p.berat_gram,
                               order.jumlah * p.panjang_cm * p.lebar_cm * p.tinggi_cm,
                               divisors.loc[(order.kurir, order.layanan), "pembagi"], rate.berat_min_kg)
        assert order.berat_tagih_kg == kg, order.id_pesanan
        assert order.ongkir == kg * rate.tarif_per_kg, order.id_pesanan


# --- The messy order log --------------------------------------------------------------------

MONTHS = {name.lower(): number for number, name in enumerate(
    ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
     "Oktober", "November", "Desember"), start=1)}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["agu"], MONTHS["okt"], MONTHS["des"] = 8, 10, 12
DATE_FORMATS = {
    "iso": r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})",
    "slash": r"(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{4})",
    "short": r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{2})",
    "words": r"(?P<d>\d{1,2}) (?P<m>[A-Za-z]+) (?P<y>\d{4})",
}


def parse_date(text: str) -> tuple[str, date]:
    for kind, pattern in DATE_FORMATS.items():
        found = re.fullmatch(pattern, text)
        if found:
            year = int(found["y"]) + (2000 if kind == "short" else 0)
            month = found["m"]
            month = MONTHS[month.lower()] if kind == "words" else int(month)
            return kind, date(year, month, int(found["d"]))
    raise AssertionError(f"unknown date spelling {text!r}")


def parse_amount(text: str) -> int:
    t = text.strip().lower().removeprefix("rp").strip()
    if t in ("-", ""):
        return 0
    if found := re.fullmatch(r"(\d+(?:,\d+)?)\s*jt", t):
        return int(Decimal(found[1].replace(",", ".")) * 1_000_000)
    if found := re.fullmatch(r"([\d.]+)\s*(?:rb|ribu)", t):
        return int(found[1].replace(".", "")) * 1000
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+|\d+", t):
        return int(t.replace(".", ""))
    raise AssertionError(f"unknown amount spelling {text!r}")


def e164(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits if digits.startswith("62") else "62" + digits.removeprefix("0")


def test_order_log_spells_amounts_in_every_way():
    total = read("pesanan.csv").total
    counts = {
        "Rp": total.str.startswith("Rp").sum(),
        "rb": total.str.endswith("rb").sum(),
        "ribu": total.str.endswith("ribu").sum(),
        "jt": total.str.contains(r"^\d+(?:,\d+)? ?jt$").sum(),
        "digits only": total.str.fullmatch(r"\d+").sum(),
    }
    assert all(count >= 5 for count in counts.values()), counts


def test_order_log_mixes_date_formats():
    kinds = pd.Series([parse_date(text)[0] for text in read("pesanan.csv").tanggal]).value_counts()
    assert (kinds >= 5).sum() >= 3, kinds.to_dict()


def test_order_log_writes_phone_numbers_in_each_format():
    phones = read("pesanan.csv").nomor_hp
    counts = {prefix: phones.str.startswith(prefix).sum() for prefix in ("08", "+62", "62-")}
    assert all(count >= 5 for count in counts.values()), counts


def test_order_log_has_orders_entered_twice():
    log = read("pesanan.csv")
    twice = log[log.id_pesanan.duplicated(keep=False)]
    assert twice.id_pesanan.nunique() >= 5
    exact = log.duplicated().sum()
    assert exact >= 2 and twice.id_pesanan.nunique() > exact, "want pasted and re-typed copies"


def test_order_log_has_typos_in_product_names():
    log = read("pesanan.csv")
    catalog = read("pesanan_bersih.csv").set_index("id_pesanan").nama_produk
    typed = log.produk.str.lower()
    misspelled = typed != log.id_pesanan.map(catalog).str.lower()
    assert misspelled.sum() >= 10


def test_the_messy_log_agrees_with_its_answer_key():
    log = read("pesanan.csv")
    clean = read("pesanan_bersih.csv").set_index("id_pesanan")
    assert set(log.id_pesanan) == set(clean.index) and len(clean) == log.id_pesanan.nunique()
    for row in log.itertuples():
        answer = clean.loc[row.id_pesanan]
        assert row.id_umkm == answer.id_umkm
        assert parse_date(row.tanggal)[1].isoformat() == answer.tanggal, row
        assert parse_amount(row.total) == int(answer.total), row
        assert parse_amount(row.ongkir) == int(answer.ongkir), row
        assert int(row.jumlah.split()[0]) == int(answer.jumlah), row
        assert e164(row.nomor_hp) == answer.nomor_hp, row
        assert row.nama_pembeli.lower() == answer.nama_pembeli.lower(), row


def test_orders_refer_to_catalog_products_of_their_seller():
    orders = pd.read_csv(DATASETS / "pesanan_bersih.csv", dtype={"nomor_hp": str})
    products = pd.read_csv(DATASETS / "produk.csv").set_index("id_produk")
    assert orders.id_pesanan.is_unique
    assert orders.id_produk.isin(products.index).all()
    catalog = products.loc[orders.id_produk]
    assert list(orders.id_umkm) == list(catalog.id_umkm)
    assert list(orders.harga_satuan) == list(catalog.harga_jual)
    assert (orders.subtotal == orders.jumlah * orders.harga_satuan).all()
    assert (orders.total == orders.subtotal + orders.ongkir).all()
    assert orders.tanggal.between("2022-09-01", "2022-11-30").all()
    assert orders.id_umkm.nunique() >= 3 and set(orders.kanal) == set(world.ORDER_CHANNELS)
    assert set(orders.metode_bayar) == set(world.PAYMENT_METHODS)


# --- Bank mutations -------------------------------------------------------------------------

def mutations() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "mutasi_bank.csv", keep_default_na=False,
                       dtype={"id_pesanan_terkait": str, "nama_pengirim": str})


def test_mutation_order_references_exist_and_belong_to_the_account_holder():
    orders = read("pesanan_bersih.csv").set_index("id_pesanan")
    lines = mutations()
    linked = lines[lines.id_pesanan_terkait != ""]
    assert len(linked) > 100
    for line in linked.itertuples():
        for order_id in line.id_pesanan_terkait.split(";"):
            assert order_id in orders.index, order_id
            assert orders.loc[order_id, "id_umkm"] == line.id_umkm


def test_mutations_keep_a_running_balance_that_never_goes_negative():
    for _, account in mutations().groupby("id_umkm", sort=False):
        balance = account.saldo.iloc[0]
        assert account.kasus.iloc[0] == "saldo_awal"
        for line in account.iloc[1:].itertuples():
            balance += line.kredit - line.debit
            assert line.saldo == balance and balance >= 0
        assert account.tanggal.is_monotonic_increasing
        assert account.tanggal.between("2022-09-01", "2022-11-30").all()


def test_most_paid_orders_have_an_exact_credit():
    orders = pd.read_csv(DATASETS / "pesanan_bersih.csv", dtype={"nomor_hp": str}).set_index("id_pesanan")
    lines = mutations()
    credits = lines[lines.kasus == "pembayaran"].set_index("id_pesanan_terkait")
    matched = orders[orders.hasil_cocok == "cocok"]
    assert credits.index.is_unique and set(credits.index) == set(matched.index)
    assert (credits.loc[matched.index, "kredit"].to_numpy() == matched.total.to_numpy()).all()
    direct_paid = orders[~orders.kanal.isin(world.MARKETPLACES)
                         & orders.metode_bayar.isin(["transfer", "QRIS", "e-wallet"])
                         & orders.status.isin(["dibayar", "dikirim", "selesai"])]
    assert (direct_paid.hasil_cocok == "cocok").mean() >= 0.8


def test_mutations_contain_each_reconciliation_case():
    orders = pd.read_csv(DATASETS / "pesanan_bersih.csv", dtype={"nomor_hp": str},
                         keep_default_na=False).set_index("id_pesanan")
    lines = mutations()
    cases = lines.set_index("id_pesanan_terkait")

    def credit(case: str) -> pd.DataFrame:
        found = lines[lines.kasus == case]
        assert len(found) >= 1, f"no '{case}' line"
        return found

    for line in credit("lebih_bayar").itertuples():
        assert line.kredit > int(orders.loc[line.id_pesanan_terkait, "total"])
        refund = cases.loc[[line.id_pesanan_terkait]]
        assert (refund.kasus == "pengembalian").sum() == 1
    for line in credit("kurang_bayar").itertuples():
        assert 0 < line.kredit < int(orders.loc[line.id_pesanan_terkait, "total"])
    for line in credit("nama_lain").itertuples():
        order = orders.loc[line.id_pesanan_terkait]
        assert line.kredit == int(order.total)
        assert line.nama_pengirim != order.nama_pembeli.upper()[:20]
    assert (credit("tanpa_pesanan").id_pesanan_terkait == "").all()
    fake = orders[orders.hasil_cocok == "tanpa_kredit"]
    assert len(fake) >= 1
    referenced = set(lines[lines.kredit > 0].id_pesanan_terkait.str.split(";").explode())
    assert not set(fake.index) & referenced, "a fake 'bukti transfer' must have no credit"
    assert (fake.status.isin(["dibayar", "dikirim", "selesai"])).all() and (fake.tanggal_bayar == "").all()


def test_fake_transfer_proofs_come_from_blacklisted_numbers():
    orders = read("pesanan_bersih.csv")
    blacklist = read("daftar_hitam.csv")
    reported = {e164(value) for value in blacklist[blacklist.jenis == "nomor_hp"].nilai}
    fake = orders[orders.hasil_cocok == "tanpa_kredit"]
    assert fake.nomor_hp.isin(reported).all()


# --- Fraud: blacklist and messages ----------------------------------------------------------

def test_the_blacklist_mixes_spellings_and_repeats_reports():
    blacklist = read("daftar_hitam.csv")
    phones = blacklist[blacklist.jenis == "nomor_hp"].nilai
    assert all(phones.str.startswith(prefix).sum() >= 2 for prefix in ("08", "+62", "62-"))
    accounts = blacklist[blacklist.jenis == "rekening"]
    assert accounts.nilai.str.contains(r"[. -]").sum() >= 3 and (accounts.bank != "").all()
    normalised = blacklist.nilai.str.replace(r"\D", "", regex=True).map(
        lambda digits: "0" + digits[2:] if digits.startswith("62") else digits)
    assert normalised.duplicated().sum() >= 3
    assert (blacklist.nilai[normalised.duplicated(keep=False)].duplicated().sum()
            < normalised.duplicated().sum()), "repeated reports should be spelled differently"


def test_every_message_label_has_at_least_ten_varied_messages():
    messages = read("pesan.csv")
    counts = messages.label.value_counts()
    assert set(counts.index) == set(world.MESSAGE_LABELS)
    assert (counts >= 10).all(), counts.to_dict()
    assert messages.isi.is_unique


def test_message_links_use_reserved_example_domains():
    urls = read("pesan.csv").isi.str.extractall(r"https?://([^/\s]+)")[0]
    assert len(urls) >= 10
    assert urls.str.endswith(".example").all(), set(urls)


# --- Nobody real can be reached -------------------------------------------------------------

PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+?62|0)[\s.\-]?8\d{2}[\s.\-]?\d{3,4}[\s.\-]?\d{3,5}(?![\w])")
ACCOUNT_LIKE = re.compile(r"(?<![\w])\d{4}[\s.\-]?\d{4}[\s.\-]?\d{4}(?![\w])")


def test_every_phone_number_in_every_file_is_in_the_fictitious_block():
    found = 0
    for data_file in schema.FILES:
        table = read(data_file.name)
        for column in table.columns:
            for value in table[column]:
                for number in PHONE_LIKE.findall(value):
                    found += 1
                    assert fictitious.is_fictitious_phone(number), f"{data_file.name}:{column}: {number}"
    assert found > 1500, "the scan should see every owner's, buyer's and sender's number"
    for name, column in (("umkm.csv", "nomor_hp"), ("pesanan.csv", "nomor_hp"),
                         ("pesanan_bersih.csv", "nomor_hp"), ("pesan.csv", "pengirim")):
        assert read(name)[column].map(fictitious.is_fictitious_phone).all(), f"{name}:{column}"


#: Mobile prefixes in use by Indonesian operators (Telkomsel, Indosat, XL/Axis, Tri, Smartfren).
OPERATOR_PREFIXES = {"0811", "0812", "0813", "0821", "0822", "0823", "0851", "0852", "0853",
                     "0814", "0815", "0816", "0855", "0856", "0857", "0858", "0817", "0818",
                     "0819", "0859", "0877", "0878", "0831", "0832", "0833", "0838", "0895",
                     "0896", "0897", "0898", "0899", *(f"088{d}" for d in range(1, 10))}


def test_the_fictitious_phone_block_is_no_operator_prefix_and_is_documented():
    assert fictitious.PHONE_PREFIX[:4] not in OPERATOR_PREFIXES
    readme = (DATASETS / schema.README).read_text(encoding="utf-8")
    block = f"{fictitious.PHONE_PREFIX[:4]}-{fictitious.PHONE_PREFIX[4:]}xx-xxxx"
    assert block in readme


def test_every_account_number_is_in_the_fictitious_range():
    blacklist = read("daftar_hitam.csv")
    accounts = blacklist[blacklist.jenis == "rekening"].nilai
    assert accounts.map(fictitious.is_fictitious_account).all()
    for text in read("pesan.csv").isi:
        for number in ACCOUNT_LIKE.findall(text):
            assert fictitious.is_fictitious_account(number) or fictitious.is_fictitious_phone(number), number


def test_no_generated_person_is_a_public_figure_named_in_the_sources():
    names = set(read("umkm.csv").nama_pemilik) | set(read("pesanan_bersih.csv").nama_pembeli)
    assert not names & world.RESERVED_NAMES
