"""The data dictionary: one declarative schema per data file.

This is the only list of files and columns. It renders datasets/README.md and it is what the
tests check every CSV against, so the documentation cannot drift from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from umkmkit.datasets import fictitious, world
from umkmkit.workspace import REGISTRY_FILE

#: Column types and how they are written in the CSV files.
TYPES = {
    "int": "whole number, digits only (money in whole Rupiah)",
    "text": "free text, written as is",
    "bool": "`True` or `False`",
    "date": "date as `YYYY-MM-DD`",
    "category": "exactly one of the listed values",
    "list": "one or more of the listed values, separated by `;`",
}

#: Who uses the data: the modules of the curriculum (id and judul as in curriculum.yml; a test keeps
#: them in step) and the coordinator's report.
USERS = {
    "01": "01 jualan digital",
    "02": "02 pembukuan pesanan online",
    "03": "03 menghindari penipuan",
    "04": "04 izin usaha dan hak cipta",
    "koordinator": "coordinator's progress report (registry + rosters)",
    "demo": "`umkmkit demo` and cohort creation (`--roster FILE`)",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    allowed: tuple[str, ...] = ()
    optional: bool = False  # True: the value may be empty

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")
        if (self.type in ("category", "list")) != bool(self.allowed):
            raise ValueError(f"column {self.name}: allowed values go with category and list types")


@dataclass(frozen=True)
class DataFile:
    name: str
    title: str
    description: str
    used_by: tuple[str, ...]
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def _roster_file(cohort: str, month: str) -> DataFile:
    return DataFile(
        f"roster-{cohort}.csv",
        f"Roster of cohort {cohort}",
        f"The 100 trainees of the {month} 2022 workshop, drawn from the registry (mostly kuliner "
        "and kerajinan). A few trainees attended both workshops and appear in both rosters with "
        "the same `id_peserta`. Usable as is with `umkmkit cohort create ... --roster FILE`.",
        ("koordinator", "demo"),
        ROSTER_COLUMNS,
    )


_PHONE_NOTE = f"fictitious, in the block {fictitious.PHONE_RANGE}"
_MONEY = "in Rupiah"

ROSTER_COLUMNS = (
    Column("id_peserta", "text", "trainee id, `P-` + the registry number (`P-00042` for "
           "`MKW-00042`); the same in every cohort"),
    Column("nama", "text", "trainee's name (the business owner)"),
    Column("id_umkm", "text", "registry id of the trainee's business (`umkm.csv`)"),
    Column("nama_usaha", "text", "business name"),
    Column("sektor", "category", "sector of the business", world.SECTOR_NAMES),
    Column("distrik", "category", "distrik of the business", world.DISTRICT_NAMES),
    Column("kohort", "category", "cohort id (one nbgrader course per cohort)",
           ("mkw-2022-06", "mkw-2022-08")),
)

MATCH_RESULTS = ("cocok", "tanpa_kredit", "kurang_bayar", "lebih_bayar", "nama_lain",
                 "lewat_marketplace", "tanpa_bank", "belum_bayar")
MUTATION_CASES = ("saldo_awal", "pembayaran", "kurang_bayar", "lebih_bayar", "nama_lain",
                  "tanpa_pesanan", "pengembalian", "penarikan_marketplace", "ongkir",
                  "pengeluaran", "biaya_admin", "setor_tunai")

FILES: tuple[DataFile, ...] = (
    DataFile(
        REGISTRY_FILE,
        "Registry of UMKM (the office's list)",
        "Businesses registered with the office in Kabupaten Manokwari, one row per business. "
        "Culinary (kuliner) and craft (kerajinan) businesses dominate.",
        ("koordinator", "02"),
        (
            Column("id_umkm", "text", "registry number, stable: `MKW-00001`, `MKW-00002`, ..."),
            Column("nama_usaha", "text", "business name"),
            Column("nama_pemilik", "text", "owner's name (fictitious)"),
            Column("jenis_kelamin", "category", "owner's sex: L (laki-laki) or P (perempuan)",
                   ("L", "P")),
            Column("tahun_lahir", "int", "owner's birth year; owners born 1992 or later were "
                   "pemuda (aged 16-30, UU 40/2009) in 2022"),
            Column("oap", "bool", "owner is Orang Asli Papua. Report only in aggregate (counts "
                   "and shares), never per person. Here derived from the family name of the "
                   "synthetic owner; in reality OAP status is not read from a name"),
            Column("sektor", "category", "sector", world.SECTOR_NAMES),
            Column("distrik", "category", "distrik of Kabupaten Manokwari", world.DISTRICT_NAMES),
            Column("kampung", "text", "kampung or kelurahan inside the distrik"),
            Column("ada_sinyal", "bool", "the kampung has mobile signal (False = blank spot)"),
            Column("punya_nib", "bool", "the business has an NIB (Nomor Induk Berusaha, from OSS)"),
            Column("kanal_jualan", "list", "where the business sells; `langsung` = in person "
                   "(home, kiosk, market, fairs)", world.CHANNELS),
            Column("nomor_hp", "text", f"owner's phone, {_PHONE_NOTE}"),
        ),
    ),
    _roster_file("mkw-2022-06", "June"),
    _roster_file("mkw-2022-08", "August"),
    DataFile(
        "produk.csv",
        "Product catalog",
        "Culinary and craft products of the featured businesses, with cost per unit (HPP), "
        "selling price, packed weight and package size, for pricing (margin vs markup, "
        "marketplace fees) and shipping (volumetric weight) exercises.",
        ("01", "02"),
        (
            Column("id_produk", "text", "product id, `PRD-001`, ..."),
            Column("id_umkm", "text", "registry id of the business that makes it"),
            Column("nama_produk", "text", "product name as in the catalog"),
            Column("sektor", "category", "sector of the maker", world.SECTOR_NAMES),
            Column("kategori", "text", "product category (makanan ringan, tas anyaman, ...)"),
            Column("satuan", "text", "selling unit (bungkus 200 g, botol 330 ml, buah, ...)"),
            Column("hpp", "int", f"cost of one unit (harga pokok produksi), {_MONEY}"),
            Column("harga_jual", "int", f"selling price of one unit, {_MONEY}"),
            Column("berat_gram", "int", "weight of one packed unit, in grams"),
            Column("panjang_cm", "int", "package length, cm"),
            Column("lebar_cm", "int", "package width, cm"),
            Column("tinggi_cm", "int", "package height, cm"),
        ),
        notes=("Prices follow published reports: keripik from Masni about Rp20.000 a pack "
               "(papuabarat.tribunnews.com, 14 Aug 2022); noken of thread Rp100.000-200.000, of "
               "bark Rp200.000-600.000 (Antara 2021, via berandalappung.com); sari buah merah "
               "330 ml Rp55.000-100.000 (salampapua.com, 2024); Warmare arabica beans Rp70.000-"
               "80.000/kg from farmers (antaranews.com). HPP, weights and package sizes are "
               "plausible inventions.",),
    ),
    DataFile(
        "pesanan.csv",
        "Order log, as the sellers kept it (messy)",
        "Online orders of four featured businesses, September to November 2022, typed by the "
        "sellers into a spreadsheet. Every column is text exactly as written: amounts as "
        "`Rp25.000`, `25rb`, `25 ribu`, `1,5 jt`; dates in several day-first formats; phone "
        "numbers as `0810...`, `+62 810...`, `62-810...`; typos in product names; abbreviations "
        "of channels and payment methods; some orders entered twice, and a few typed days late "
        "(out of date order), as when a seller back from a blank spot catches up. "
        "`pesanan_bersih.csv` is the cleaned answer key.",
        ("02",),
        (
            Column("id_pesanan", "text", "seller's order number (`KRP-001`); the same on both "
                   "rows when an order was entered twice"),
            Column("id_umkm", "text", "registry id of the seller"),
            Column("tanggal", "text", "order date as written (`05/09/2022`, `5 Sep 2022`, "
                   "`2022-09-05`, `5-9-22`, `5 September 2022`), always day first"),
            Column("kanal", "text", "channel as written (WhatsApp, WA, IG, FB, Shopee, ...)"),
            Column("nama_pembeli", "text", "buyer's name (fictitious)"),
            Column("nomor_hp", "text", f"buyer's phone as written, {_PHONE_NOTE}"),
            Column("kota_tujuan", "text", "destination town as written"),
            Column("produk", "text", "product as typed by the seller (may be misspelled)"),
            Column("jumlah", "text", "quantity as written (`2`, `2 pcs`)"),
            Column("ongkir", "text", "shipping charged to the buyer as written (`-` = none)"),
            Column("total", "text", "total paid by the buyer (goods + shipping) as written"),
            Column("metode_bayar", "text", "payment method as written (transfer, tf, QRIS, "
                   "e-wallet, COD, tunai, cash, ...)"),
            Column("status", "text", "order status as the seller recorded it"),
            Column("catatan", "text", "seller's note", optional=True),
        ),
    ),
    DataFile(
        "pesanan_bersih.csv",
        "Order log, cleaned (answer key)",
        "The same orders as `pesanan.csv`, one row per order, parsed: ISO dates, whole-Rupiah "
        "amounts, catalog products, canonical channels and payment methods, and what the bank "
        "mutations show for each order (`hasil_cocok`).",
        ("02", "03"),
        (
            Column("id_pesanan", "text", "order number, unique"),
            Column("id_umkm", "text", "registry id of the seller"),
            Column("tanggal", "date", "order date"),
            Column("kanal", "category", "channel", world.ORDER_CHANNELS),
            Column("nama_pembeli", "text", "buyer's name"),
            Column("nomor_hp", "text", "buyer's phone, normalised: `62` + number without the "
                   "leading 0, digits only (`6281000123456`); read it as text"),
            Column("kota_tujuan", "text", "destination town (`Manokwari` = local delivery)"),
            Column("id_produk", "text", "product id in `produk.csv`"),
            Column("nama_produk", "text", "product name as in the catalog"),
            Column("jumlah", "int", "quantity"),
            Column("harga_satuan", "int", f"unit price, {_MONEY}"),
            Column("subtotal", "int", f"jumlah x harga_satuan, {_MONEY}"),
            Column("kurir", "text", "courier (`antar sendiri` = seller delivers in town, "
                   "`ambil sendiri` = buyer picks up)"),
            Column("layanan", "text", "courier service (REG, YES, Cargo, Kapal, lokal)",
                   optional=True),
            Column("berat_tagih_kg", "int", "charged weight in kg: the larger of actual and "
                   "volumetric weight, rounded by the JNE rule (0 for local delivery)"),
            Column("ongkir", "int", f"shipping charged to the buyer, {_MONEY}"),
            Column("total", "int", f"subtotal + ongkir, {_MONEY}"),
            Column("metode_bayar", "category", "payment method", world.PAYMENT_METHODS),
            Column("status", "category", "status as the seller recorded it",
                   world.ORDER_STATUSES),
            Column("tanggal_bayar", "date", "when the buyer really paid (into the seller's "
                   "account, in cash, or to the marketplace); empty if no money ever came, "
                   "whatever the seller recorded", optional=True),
            Column("tanggal_kirim", "date", "when the goods left; empty if not shipped",
                   optional=True),
            Column("hasil_cocok", "category", "what the bank mutations show for this order: "
                   "`cocok` exact credit from the buyer; `tanpa_kredit` seller recorded a "
                   "payment (a 'bukti transfer') but no credit exists; `kurang_bayar` partial "
                   "payment; `lebih_bayar` overpayment; `nama_lain` exact amount from another "
                   "name; `lewat_marketplace` paid through Shopee/TikTok Shop, arrives in a "
                   "withdrawal; `tanpa_bank` cash or local COD; `belum_bayar` new or cancelled",
                   MATCH_RESULTS),
        ),
    ),
    DataFile(
        "mutasi_bank.csv",
        "Bank mutations (mutasi rekening) of the four sellers",
        "Each seller's bank statement for September to November 2022: credits for most paid "
        "orders, marketplace withdrawals, refunds and expenses, with a running balance. The "
        "last two columns are the answer key for reconciliation.",
        ("02", "03"),
        (
            Column("id_umkm", "text", "registry id of the account holder"),
            Column("bank", "category", "bank", world.BANKS),
            Column("tanggal", "date", "booking date"),
            Column("keterangan", "text", "description as the bank prints it"),
            Column("nama_pengirim", "text", "sender's name for incoming transfers, as the bank "
                   "prints it (upper case, cut at 20 characters)", optional=True),
            Column("kredit", "int", f"money in, {_MONEY} (0 if none)"),
            Column("debit", "int", f"money out, {_MONEY} (0 if none)"),
            Column("saldo", "int", f"balance after this line, {_MONEY}"),
            Column("id_pesanan_terkait", "text", "answer key: the order(s) this line belongs to, "
                   "separated by `;` (marketplace withdrawals cover several orders)",
                   optional=True),
            Column("kasus", "category", "answer key: what this line is. `tanpa_pesanan` is a "
                   "credit no order explains: ask the bank before spending it, it may be a "
                   "triangulation scam; `setor_tunai` is cash the seller deposited when the "
                   "balance ran short", MUTATION_CASES),
        ),
        notes=("Marketplace withdrawals are the orders' subtotals minus an example admin fee "
               "of 4%, and the monthly bank fee is Rp10.000: both are illustrative. Real "
               "marketplace fees differ by category and change often; check Seller Center.",
               "Payments by transfer and e-wallet show the payer's name; QRIS credits show only a "
               "reference, so match them by amount and date. Cash and local COD payments are "
               "not credited order by order.",),
    ),
    DataFile(
        "ongkir.csv",
        "Shipping rates from Manokwari (illustrative)",
        "Rate per kg by destination, courier and service. These are made-up examples for the "
        "pricing exercise, not current tariffs: no current Manokwari rates were found (check "
        "the couriers' own rate checkers before quoting a price).",
        ("01",),
        (
            Column("asal", "category", "origin", (world.HOME_TOWN,)),
            Column("kota_tujuan", "text", "destination town"),
            Column("provinsi", "text", "destination province"),
            Column("kurir", "category", "courier", tuple(dict.fromkeys(s.kurir for s in world.SERVICES))),
            Column("layanan", "category", "service", tuple(dict.fromkeys(s.layanan for s in world.SERVICES))),
            Column("tarif_per_kg", "int", f"price per charged kg, {_MONEY} (example)"),
            Column("berat_min_kg", "int", "minimum charged weight, kg"),
            Column("estimasi_min_hari", "int", "fastest delivery, days"),
            Column("estimasi_maks_hari", "int", "slowest delivery, days"),
        ),
    ),
    DataFile(
        "pembagi_volume.csv",
        "Volumetric divisors",
        "Volumetric weight (kg) = length x width x height (cm) / divisor; the charged weight is "
        "the larger of actual and volumetric weight.",
        ("01",),
        (
            Column("kurir", "text", "courier"),
            Column("layanan", "text", "service"),
            Column("moda", "text", "transport mode"),
            Column("pembagi", "int", "divisor (cm3 per kg)"),
            Column("sumber", "text", "source of the divisor"),
            Column("catatan", "text", "rounding and other rules"),
        ),
        notes=("Divisors differ by service; POS and SiCepat divisors were not found.",),
    ),
    DataFile(
        "daftar_hitam.csv",
        "Blacklist of reported phone numbers and bank accounts",
        "What UMKM pass around in their WhatsApp groups: numbers and accounts reported for "
        "scams, written the way people write them (`0810...`, `+62 810...`, `62-810...`, "
        "dots and spaces in account numbers). Some are reported more than once in different "
        "spellings. Normalise before you compare.",
        ("03",),
        (
            Column("id_laporan", "text", "report number"),
            Column("jenis", "category", "what is reported", ("nomor_hp", "rekening")),
            Column("nilai", "text", f"the number as reported; phones {_PHONE_NOTE}; accounts "
                   f"in {fictitious.ACCOUNT_RANGE}"),
            Column("bank", "category", "bank of a reported account (empty for phones)",
                   world.BANKS, optional=True),
            Column("atas_nama", "text", "name on the account as reported", optional=True),
            Column("modus", "category", "the scam reported", world.BLACKLIST_MODUS),
            Column("tanggal_lapor", "date", "date of the report"),
            Column("sumber", "category", "where the report came from", world.BLACKLIST_SOURCES),
        ),
    ),
    DataFile(
        "pesan.csv",
        "Chat messages, labelled (normal or scam type)",
        "Short Indonesian chat messages as sellers receive them, with the informal spelling "
        "people use, each labelled `normal` or by scam type. Links use reserved example domains "
        "(`.example`), so no real site is named.",
        ("03",),
        (
            Column("id_pesan", "text", "message id"),
            Column("tanggal", "date", "date received"),
            Column("kanal", "category", "app", ("WhatsApp", "Instagram", "Facebook", "SMS")),
            Column("pengirim", "text", f"sender's number, {_PHONE_NOTE}"),
            Column("isi", "text", "the message"),
            Column("label", "category", "`normal`, or the scam: `bukti_transfer_palsu` fake "
                   "transfer proof; `kelebihan_bayar` 'I overpaid, send it back'; `apk_resi` an "
                   "APK file posing as a parcel receipt or invitation; `minta_otp` asks for an "
                   "OTP code; `cs_palsu` fake marketplace or bank customer service; "
                   "`link_phishing` a link to a fake login page", world.MESSAGE_LABELS),
        ),
    ),
)

FILE = {data_file.name: data_file for data_file in FILES}
README = "README.md"
