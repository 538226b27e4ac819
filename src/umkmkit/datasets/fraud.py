"""The community blacklist and the labelled chat messages of the fraud lesson."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from umkmkit.datasets import fictitious, spelling, world
from umkmkit.datasets.dice import Dice
from umkmkit.datasets.people import make_person

Row = dict[str, object]

REPORTED_PHONES = 34
REPORTED_TWICE_PHONES = 10
REPORTED_ACCOUNTS = 16
REPORTED_TWICE_ACCOUNTS = 4
#: Buyers in the order log who send fake transfer proofs use these many blacklisted numbers.
FAKE_PROOF_BUYERS = 2
MESSAGES_PER_SCAM = 15
NORMAL_MESSAGES = 40
_REPORTS_FROM = date(2022, 1, 10)
_REPORTS_TO = date(2022, 11, 25)


@dataclass(frozen=True)
class Blacklist:
    rows: list[Row]
    phones: dict[str, str]  # national digits -> modus
    accounts: list[tuple[str, str, str]]  # (bank, number, name on account)

    def phones_for(self, modus: str) -> list[str]:
        return [number for number, m in self.phones.items() if m == modus]


def _report_day(dice: Dice, after: date = _REPORTS_FROM) -> date:
    span = (_REPORTS_TO - after).days
    return after + timedelta(days=dice.below(max(1, span)))


def make_blacklist(seed: int) -> Blacklist:
    dice = Dice(seed, "daftar_hitam")
    numbers = fictitious.NumberPool(dice, *fictitious.PHONE_SLICES["penipu_terlapor"])
    people: set[str] = set()
    phone_modus = [m for m in world.BLACKLIST_MODUS if m != "rekening_penampung"]
    reports = []
    phones: dict[str, str] = {}
    for index in range(REPORTED_PHONES):
        number = fictitious.phone(numbers.draw())
        modus = "bukti_transfer_palsu" if index < FAKE_PROOF_BUYERS else dice.choice(phone_modus)
        phones[number] = modus
        reports.append(("nomor_hp", number, "", "", modus))
    accounts = []
    for index in range(REPORTED_ACCOUNTS):
        number = fictitious.account(dice.below(100_000_000))
        bank = dice.choice(world.BANKS)
        holder = make_person(dice, world.NAME_GROUP_WEIGHTS["default"], people).name
        modus = dice.choice(("bukti_transfer_palsu", "kelebihan_bayar", "barang_tidak_dikirim",
                             "rekening_penampung", "cs_palsu"))
        accounts.append((bank, number, holder))
        reports.append(("rekening", number, bank, holder, modus))
    twice = (dice.sample(reports[:REPORTED_PHONES], REPORTED_TWICE_PHONES)
             + dice.sample(reports[REPORTED_PHONES:], REPORTED_TWICE_ACCOUNTS))
    dated = []
    for report in reports:
        dated.append((_report_day(dice), report))
    for report in twice:
        first = next(day for day, r in dated if r is report)
        dated.append((_report_day(dice, first + timedelta(days=1)), report))
    dated.sort(key=lambda item: (item[0], item[1][1]))
    rows = []
    for position, (day, (kind, number, bank, holder, modus)) in enumerate(dated, start=1):
        if kind == "nomor_hp":
            written = fictitious.format_phone(number, dice.choice(fictitious.PHONE_STYLES))
        else:
            written = fictitious.format_account(number, dice.choice(fictitious.ACCOUNT_STYLES))
        rows.append({
            "id_laporan": f"DH-{position:03d}",
            "jenis": kind,
            "nilai": written,
            "bank": bank,
            "atas_nama": holder if holder and dice.chance(0.8) else "",
            "modus": modus,
            "tanggal_lapor": day,
            "sumber": dice.weighted(((world.BLACKLIST_SOURCES[0], 45), (world.BLACKLIST_SOURCES[1], 20),
                                     (world.BLACKLIST_SOURCES[2], 15), (world.BLACKLIST_SOURCES[3], 12),
                                     (world.BLACKLIST_SOURCES[4], 8))),
        })
    return Blacklist(rows, phones, accounts)


# --- Messages -----------------------------------------------------------------------------

TEMPLATES = {
    "normal": (
        "Kak, {produk} masih ada? Mau pesan {n} ya",
        "Sore kak, brp ongkir ke {kota}? Mau ambil {produk} {n}",
        "Sudah sy transfer {nominal} ya kak, tolong dicek dulu mutasinya. Trims",
        "Kak paket sdh sampai, makasih ya. {produk} nya mantap",
        "Bisa antar ke {kampung} kah? Sa tinggal dekat gereja",
        "Kak kalau ambil {n} bisa kurang sedikit?",
        "Pesanan sy sdh dikirim kah? Nomor resinya brp kak",
        "Sa mau pesan {produk} {n}, antar ke {kampung} bisa?",
        "Ok kak, sa tunggu di rumah ee",
        "Kak ada QRIS kah? Sa bayar pake QRIS saja",
        "Rekening kakak yg mana? Sy mau tf sekarang {nominal}",
        "Kak besok buka kah? Sa mau ambil langsung {produk}",
        "Mama, {produk} yg kemarin masih ada stok?",
        "Terima kasih kak, barang sdh sa terima dgn baik",
        "Kak, sy dari {kota}. Bisa kirim pakai JNE?",
    ),
    "bukti_transfer_palsu": (
        "Kak sdh sy tf {nominal} ya, ini buktinya. Tolong langsung dikirim hari ini, sy butuh cepat",
        "Transfer sdh masuk ya kak, cek bukti di atas. Barang kirim skrg ke {kota}, jgn lama",
        "Bukti transfer terlampir {nominal}. Mutasi kadang telat masuk kak, kirim saja dulu",
        "Sdh sy bayar via m-banking {nominal}, screenshot sdh sy kirim. Knp blm dikirim? Sy laporkan nanti",
        "Ini bukti tf nya kak {nominal} ke rek {bank} kakak. Langsung proses ya, kurir sdh sy pesan",
        "Kak pesanan {n} {produk} sdh lunas ya, ini struk ATM nya. Tolong kirim malam ini juga",
        "Sy sdh tf {nominal} kak, bukti ada di galeri. Kalau blm masuk itu dari bank, kirim saja ya",
    ),
    "kelebihan_bayar": (
        "Kak maaf sy salah ketik, tadi tf {besar} harusnya {nominal}. Tolong kembalikan {selisih} ke rek {bank} {rek} ya",
        "Aduh kak kelebihan transfer {selisih}, tolong dikembalikan ya, itu uang sekolah anak sy",
        "Kak tadi sy tf {besar}, lebih dari harga. Sisanya {selisih} tolong tf balik ke {rek} a.n. {nama}",
        "Salah transfer kak, {besar} itu harusnya ke toko lain. Tolong kembalikan ke rek {bank} {rek}",
        "Kak cek mutasi, sy kelebihan bayar {selisih}. Kembalikan skrg ya, sy tunggu 10 menit",
    ),
    "apk_resi": (
        "Selamat siang, paket kakak dgn resi {resi} tertahan. Cek foto paket di file ini: Foto_Paket_{resi}.apk",
        "Kak ini resi pengiriman pesanan sy, tolong dibuka ya: Resi_{kurir}_{resi}.apk",
        "Undangan pernikahan digital kami, mohon dibuka dan hadir ya: Undangan_Pernikahan_Digital.apk",
        "{kurir}: Paket Anda gagal dikirim. Unduh aplikasi cek resi: Cek_Resi_{kurir}.apk",
        "Kak ini daftar pesanan kantor kami {n} item, sy kirim filenya: Daftar_Pesanan_{resi}.apk",
        "Tagihan ongkir pesanan {resi} blm dibayar, lihat rincian: Tagihan_{kurir}.apk",
    ),
    "minta_otp": (
        "Kak sy salah masukkan nomor, kode OTP terkirim ke HP kakak. Tolong kirim 6 angkanya ya",
        "Dari {bank}: untuk verifikasi hadiah {nominal}, sebutkan kode OTP yg masuk ke SMS Anda",
        "Kak, tadi ada SMS kode verifikasi WhatsApp ke nomor kakak, itu punya sy. Boleh dikirim?",
        "Untuk mencairkan dana penjualan {nominal}, balas pesan ini dgn kode OTP yg kami kirim",
        "Kode OTP Shopee kakak brp? Sy bantu aktifkan gratis ongkir",
        "Sy dari kurir {kurir}, utk konfirmasi alamat tolong sebutkan kode yg masuk ke HP kakak",
    ),
    "cs_palsu": (
        "Halo, kami CS resmi Shopee. Toko Anda terpilih program bebas biaya admin. Hubungi {hp} utk aktivasi",
        "Yth. Penjual, akun Anda akan dibekukan karena pelanggaran. Segera hubungi CS kami di {hp}",
        "Selamat! Toko Anda lolos seleksi pelatihan UMKM. Biaya pendaftaran {nominal} tf ke {rek}",
        "{bank}: tarif transfer Anda naik jadi Rp150.000/bulan. Jika tidak setuju hubungi {hp}",
        "CS TikTok Shop: dana penjualan Anda {nominal} tertahan. Utk pencairan hubungi admin {hp}",
        "Kami dari tim marketplace, kakak dapat limit PayLater 10 jt. Konfirmasi via WA {hp}",
    ),
    "link_phishing": (
        "Akun Shopee Anda terdeteksi melanggar kebijakan. Verifikasi dlm 1x24 jam: https://{domain_marketplace}/verifikasi",
        "Selamat! UMKM Anda dapat bantuan Rp2,4 jt. Daftar di http://{domain_bantuan}/daftar",
        "Cek status paket {resi} Anda di sini: https://{domain_resi}/resi/{resi}",
        "{bank}: Segera perbarui data rekening Anda di https://{domain_bank}/login agar tidak diblokir",
        "Kak ini link katalog sy, login pakai akun FB dulu ya http://{domain_katalog}/katalog",
        "Voucher gratis ongkir 100% utk seller, klaim di https://{domain_voucher}/klaim sebelum jam 12",
    ),
}
_CHANNELS = {
    "normal": (("WhatsApp", 60), ("Instagram", 20), ("Facebook", 20)),
    "bukti_transfer_palsu": (("WhatsApp", 60), ("Instagram", 25), ("Facebook", 15)),
    "kelebihan_bayar": (("WhatsApp", 80), ("Facebook", 20)),
    "apk_resi": (("WhatsApp", 90), ("SMS", 10)),
    "minta_otp": (("WhatsApp", 55), ("SMS", 45)),
    "cs_palsu": (("WhatsApp", 70), ("SMS", 20), ("Instagram", 10)),
    "link_phishing": (("SMS", 40), ("WhatsApp", 45), ("Facebook", 15)),
}
_COURIERS = ("JNE", "J&T", "POS", "SiCepat")


def _fill(dice: Dice, template: str, blacklist: Blacklist, label: str,
          scam_numbers: fictitious.NumberPool) -> str:
    product = dice.choice(world.PRODUCTS)
    price = product.harga_jual * dice.between(1, 4)
    bigger = price * 10 if dice.chance(0.5) else price + dice.between(2, 20) * 50_000
    bank, account, holder = dice.choice(blacklist.accounts)
    reported = blacklist.phones_for("cs_palsu")
    hp = dice.choice(reported) if reported and dice.chance(0.5) else fictitious.phone(scam_numbers.draw())
    district = dice.choice(world.DISTRICTS[:3])
    values = {
        "produk": product.nama.lower() if dice.chance(0.5) else product.nama,
        "n": str(dice.between(1, 5)),
        "kota": dice.choice(world.DESTINATIONS).kota,
        "kampung": dice.choice(district.kampung)[0],
        "nominal": spelling.pick_amount(dice, price),
        "besar": spelling.rupiah(bigger),
        "selisih": spelling.rupiah(bigger - price),
        "bank": dice.choice(world.BANKS),
        "rek": fictitious.format_account(account, dice.choice(fictitious.ACCOUNT_STYLES)),
        "nama": holder,
        "resi": f"MK{dice.between(10**9, 10**10 - 1)}" if label != "apk_resi" else str(dice.between(1000, 9999)),
        "kurir": dice.choice(_COURIERS),
        "hp": fictitious.format_phone(hp, dice.choice(("08-strip", "08-polos", "+62-spasi"))),
    }
    for theme, domains in world.PHISHING_DOMAINS.items():
        values[f"domain_{theme}"] = dice.choice(domains)
    if label == "kelebihan_bayar":
        values["bank"] = bank
    return template.format(**values)


def make_messages(seed: int, blacklist: Blacklist) -> list[Row]:
    dice = Dice(seed, "pesan")
    buyers = fictitious.NumberPool(dice, *fictitious.PHONE_SLICES["pengirim_pesan"])
    scam_numbers = fictitious.NumberPool(dice, *fictitious.PHONE_SLICES["penipu_lain"])
    drafts = []
    seen: set[str] = set()
    for label in world.MESSAGE_LABELS:
        wanted = NORMAL_MESSAGES if label == "normal" else MESSAGES_PER_SCAM
        templates = TEMPLATES[label]
        made = 0
        for attempt in range(wanted * 50):
            template = templates[attempt % len(templates)] if attempt < len(templates) else dice.choice(templates)
            text = _fill(dice, template, blacklist, label, scam_numbers)
            if text in seen:
                continue
            seen.add(text)
            if label == "normal":
                sender = fictitious.phone(buyers.draw())
            else:
                reported = blacklist.phones_for(label)
                sender = dice.choice(reported) if reported and dice.chance(0.4) else fictitious.phone(scam_numbers.draw())
            day = date(world.YEAR, 9, 1) + timedelta(days=dice.below(91))
            drafts.append((day, label, dice.weighted(_CHANNELS[label]), sender, text))
            made += 1
            if made == wanted:
                break
        else:
            raise ValueError(f"could not write {wanted} distinct '{label}' messages")
    # Labels interleaved: by day, ties in random order.
    rank = {index: position for position, index in enumerate(dice.shuffled(range(len(drafts))))}
    rows = []
    for position, index in enumerate(sorted(rank, key=lambda i: (drafts[i][0], rank[i])), start=1):
        day, label, channel, sender, text = drafts[index]
        rows.append({
            "id_pesan": f"MSG-{position:03d}",
            "tanggal": day,
            "kanal": channel,
            "pengirim": fictitious.format_phone(sender, "+62-spasi"),
            "isi": text,
            "label": label,
        })
    return rows
