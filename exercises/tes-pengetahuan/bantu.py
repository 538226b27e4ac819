"""Modul bantu untuk pelatihan UMKM: kalkulator usaha dan pemeriksa jawaban.

Cara memakai di notebook (sel persiapan sudah melakukannya untuk Anda):

    from bantu import *
    help(harga_aman)        # membaca penjelasan sebuah fungsi

Isi modul ini, menurut modul pelatihan:

- umum: rupiah, baca_data
- 01 Jualan digital: hpp_satuan, harga_markup, harga_margin, harga_aman, uang_diterima,
  berat_volume, berat_tagihan, ongkir
- 02 Pembukuan pesanan: ubah_rupiah, ubah_tanggal, nama_di_bank, hapus_dobel, cek_pembayaran,
  omzet_mingguan, laba_rugi
- 03 Menghindari penipuan: hanya_angka, normalisasi_nomor, ada_di_daftar_hitam, skor_risiko,
  jenis_pesan
- 04 Izin usaha: bisa_spp_irt, biaya_merek, daftar_periksa
- pemeriksa jawaban (dipakai sel cek): cek, cocok, sidik

Semua angka uang ditulis dalam Rupiah bulat, misalnya 25_000 untuk Rp25.000. Persen ditulis
sebagai desimal: 30% ditulis 0.30.

(For the kit's developers: this file is the single source of the participants' helper module.
`umkmkit build` copies it beside every exercise that declares it in curriculum.yml, and the
lab copies it beside the lessons. Docstrings are Indonesian on purpose: participants read
them with help().)
"""

from __future__ import annotations

import hashlib
import math
import numbers
import sys
from pathlib import Path

__all__ = [
    # umum
    "rupiah", "baca_data",
    # 01 jualan digital
    "hpp_satuan", "harga_markup", "harga_margin", "harga_aman", "uang_diterima",
    "berat_volume", "berat_tagihan", "ongkir",
    # 02 pembukuan pesanan
    "NOMOR_BULAN", "ubah_rupiah", "ubah_tanggal", "nama_di_bank", "hapus_dobel",
    "cek_pembayaran", "omzet_mingguan", "laba_rugi",
    # 03 menghindari penipuan
    "KATA_KUNCI", "hanya_angka", "normalisasi_nomor", "ada_di_daftar_hitam",
    "skor_risiko", "jenis_pesan",
    # 04 izin usaha
    "KATA_BUKAN_SPP_IRT", "bisa_spp_irt", "biaya_merek", "daftar_periksa",
    # pemeriksa jawaban
    "cek", "cocok", "sidik",
]


# ---------------------------------------------------------------------------------------------
# Umum
# ---------------------------------------------------------------------------------------------

def rupiah(angka):
    """Tulis angka sebagai Rupiah: Rp di depan, titik sebagai pemisah ribuan.

    Pecahan dibulatkan ke rupiah terdekat. Angka negatif (rugi) diberi tanda minus di depan.

    Contoh:
        rupiah(25_000)      menghasilkan "Rp25.000"
        rupiah(1_250_000)   menghasilkan "Rp1.250.000"
        rupiah(-6_000)      menghasilkan "-Rp6.000"
    """
    if isinstance(angka, str) or not isinstance(angka, numbers.Real):
        raise TypeError(
            f"rupiah(...) perlu angka, bukan {_jenis(angka)} {angka!r}. "
            "Tulis angkanya tanpa tanda petik, misalnya rupiah(25_000)."
        )
    bulat = round(angka)
    teks = f"{abs(bulat):,}".replace(",", ".")
    return ("-Rp" if bulat < 0 else "Rp") + teks


def baca_data(nama_berkas):
    """Baca tabel data latihan (berkas .csv) menjadi tabel pandas.

    Berkas dicari di folder notebook ini, lalu di folder datasets di sebelahnya. Kolom nomor
    (nomor HP, nomor rekening, nilai di daftar hitam) dibaca sebagai teks, supaya angka 0 di
    depan tidak hilang.

    Contoh:
        pesanan = baca_data("pesanan_bersih.csv")
    """
    import pandas as pd

    tempat = [Path(nama_berkas), Path("..") / "datasets" / nama_berkas]
    for berkas in tempat:
        if berkas.is_file():
            return pd.read_csv(berkas, dtype={kolom: str for kolom in _KOLOM_TEKS})
    raise FileNotFoundError(
        f"Berkas {nama_berkas} tidak ditemukan di folder ini maupun di ../datasets. "
        "Periksa ejaan namanya, atau minta pelatih menyalin berkas data latihan."
    )


_KOLOM_TEKS = ("nomor_hp", "nilai", "nomor_rekening", "rekening", "pengirim", "id_pesanan")


# ---------------------------------------------------------------------------------------------
# 01 Jualan digital
# ---------------------------------------------------------------------------------------------

def hpp_satuan(daftar_biaya, jumlah_barang):
    """HPP satu barang: jumlah semua biaya satu kali produksi dibagi jumlah barang jadi,
    dibulatkan ke atas ke rupiah penuh.

    Contoh: benang Rp300.000, pewarna Rp50.000, upah Rp200.000, jadi 10 noken:
        hpp_satuan([300_000, 50_000, 200_000], 10)   menghasilkan 55000
    """
    _perlu_angka_positif(jumlah_barang, "jumlah_barang")
    return math.ceil(sum(daftar_biaya) / jumlah_barang)


def harga_markup(hpp, markup):
    """Harga jual dengan MARKUP: HPP ditambah persen dari HPP.

    Contoh: HPP Rp10.000, markup 30% (0.30):
        harga_markup(10_000, 0.30)   menghasilkan 13000
    """
    _perlu_desimal(markup, "markup", batas=5)
    return round(hpp * (1 + markup))


def harga_margin(hpp, margin):
    """Harga jual dengan MARGIN: untung adalah persen dari HARGA JUAL, bukan dari HPP.

    Rumusnya hpp / (1 - margin), dibulatkan ke rupiah terdekat.

    Contoh: HPP Rp10.000, margin 30% (0.30):
        harga_margin(10_000, 0.30)   menghasilkan 14286
    """
    _perlu_desimal(margin, "margin")
    return round(hpp / (1 - margin))


def harga_aman(hpp, margin, biaya_persen=0, biaya_per_pesanan=0):
    """Harga jual terendah yang tetap memberi margin setelah biaya kanal dipotong.

    Rumus: (hpp + biaya_per_pesanan) / (1 - margin - biaya_persen), lalu dibulatkan KE ATAS
    ke kelipatan Rp500. Untuk WhatsApp, kedua biaya 0 (tidak perlu ditulis).

    Contoh: keripik sukun, HPP Rp12.500, margin 30%:
        harga_aman(12_500, 0.30)                 WhatsApp: menghasilkan 18000
        harga_aman(12_500, 0.30, 0.08, 1_250)    marketplace dengan biaya 8% dan Rp1.250
                                                 per pesanan: menghasilkan 22500
    """
    _perlu_desimal(margin, "margin")
    _perlu_desimal(biaya_persen, "biaya_persen")
    sisa = 1 - margin - biaya_persen
    if sisa <= 0:
        raise ValueError(
            f"margin ({margin}) ditambah biaya_persen ({biaya_persen}) sudah 100% atau lebih: "
            "tidak ada harga yang bisa memberi margin itu. Periksa lagi angkanya."
        )
    harga = (hpp + biaya_per_pesanan) / sisa
    return math.ceil(round(harga, 6) / 500) * 500


def uang_diterima(harga, biaya_persen=0, biaya_per_pesanan=0):
    """Uang yang diterima penjual dari satu pesanan setelah biaya kanal dipotong.

    Biaya persen dihitung dari harga barang (bukan dari ongkir). Hasilnya dibulatkan ke rupiah.

    Contoh: keripik Rp25.000, biaya admin 8%, biaya per pesanan Rp1.250:
        uang_diterima(25_000, 0.08, 1_250)   menghasilkan 21750
    """
    _perlu_desimal(biaya_persen, "biaya_persen")
    return round(harga - harga * biaya_persen - biaya_per_pesanan)


def berat_volume(p, l, t, pembagi=6000):
    """Berat volume paket dalam kg: panjang x lebar x tinggi (cm) dibagi pembagi kurir.

    JNE membagi 6000, J&T Cargo 5000, kapal 4000 (contoh di pelajaran; cek aturan kurir Anda).

    Contoh: kotak 35 x 30 x 8 cm lewat JNE:
        berat_volume(35, 30, 8)   menghasilkan 1.4
    """
    return p * l * t / pembagi


def berat_tagihan(berat_kg, p, l, t, pembagi=6000):
    """Berat yang ditagih kurir (kg, angka bulat), dengan aturan JNE dari pelajaran:

    1. pakai yang lebih besar: berat timbangan atau berat volume;
    2. paling sedikit 1 kg;
    3. sisa lebih dari 300 gram dibulatkan ke atas, sisa 300 gram atau kurang ke bawah.

    Contoh:
        berat_tagihan(0.35, 35, 30, 8)         noken di kotak besar: menghasilkan 2
        berat_tagihan(1.3, 10, 10, 10)         sisa tepat 300 gram: menghasilkan 1
        berat_tagihan(0.9, 40, 30, 30, 5000)   J&T Cargo: menghasilkan 7
    """
    berat = max(berat_kg, berat_volume(p, l, t, pembagi))
    gram = round(berat * 1000)
    kg = gram // 1000
    if gram % 1000 > 300:
        kg = kg + 1
    return max(kg, 1)


def ongkir(berat_kg, p, l, t, kota_tujuan, layanan="REG"):
    """Ongkir dari Manokwari menurut tabel contoh ongkir.csv (BUKAN tarif resmi).

    Langkahnya: cari tarif kota dan layanan itu, hitung berat tagihan dengan pembagi layanan
    itu, pakai berat minimal layanan kalau beratnya kurang, lalu kalikan dengan tarif per kg.
    Layanan: "REG" atau "YES" (JNE), "Cargo" (J&T Cargo), "Kapal".

    Contoh:
        ongkir(2.0, 25, 16, 16, "Surabaya", "REG")     menghasilkan 144000
        ongkir(2.0, 25, 16, 16, "Surabaya", "Cargo")   minimal 5 kg: menghasilkan 235000
    """
    tarif = baca_data("ongkir.csv")
    pembagi = baca_data("pembagi_volume.csv")[["kurir", "layanan", "pembagi"]]
    tarif = tarif.merge(pembagi, on=["kurir", "layanan"])
    cocok_kota = tarif["kota_tujuan"].str.lower() == str(kota_tujuan).strip().lower()
    cocok_layanan = tarif["layanan"].str.lower() == str(layanan).strip().lower()
    baris = tarif[cocok_kota & cocok_layanan]
    if len(baris) == 0:
        ada = sorted(tarif.loc[cocok_kota, "layanan"])
        if ada:
            raise ValueError(
                f"Ke {kota_tujuan} tidak ada layanan {layanan} di tabel ongkir. "
                f"Layanan yang ada: {', '.join(ada)}."
            )
        raise ValueError(
            f"{kota_tujuan} tidak ada di tabel ongkir. Tanyakan tarifnya ke loket kurir, "
            "jangan menebak."
        )
    baris = baris.iloc[0]
    berat = max(berat_tagihan(berat_kg, p, l, t, int(baris["pembagi"])), int(baris["berat_min_kg"]))
    return int(berat * int(baris["tarif_per_kg"]))


# ---------------------------------------------------------------------------------------------
# 02 Pembukuan pesanan online
# ---------------------------------------------------------------------------------------------

#: Nama bulan (lengkap dan singkat) dan nomornya.
NOMOR_BULAN = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "desember": 12, "des": 12,
}


def ubah_rupiah(teks):
    """Ubah tulisan uang dari buku pesanan menjadi angka Rupiah bulat.

    Titik memisahkan ribuan, koma adalah tanda desimal. "rb"/"ribu" berarti kali 1.000,
    "jt"/"juta" kali 1.000.000. Tanda "-" atau tulisan kosong berarti 0.

    Contoh:
        ubah_rupiah("Rp25.000")   menghasilkan 25000
        ubah_rupiah("25rb")       menghasilkan 25000
        ubah_rupiah("1,5 jt")     menghasilkan 1500000
    """
    if isinstance(teks, numbers.Real) and not isinstance(teks, bool):
        return 0 if teks != teks else round(teks)  # angka kosong (NaN) dari tabel berarti 0
    asli = teks
    teks = str(teks).strip().lower().replace("rp", "").replace(" ", "")
    if teks.endswith(",-"):
        teks = teks[:-2]
    if teks in ("", "-", "nan"):
        return 0
    pengali = 1
    for akhiran, kali in (("ribu", 1_000), ("rb", 1_000), ("juta", 1_000_000), ("jt", 1_000_000)):
        if teks.endswith(akhiran):
            teks, pengali = teks[: -len(akhiran)], kali
            break
    teks = teks.replace(".", "").replace(",", ".")
    try:
        return round(float(teks) * pengali)
    except ValueError:
        raise ValueError(f"Tulisan uang {asli!r} tidak bisa dibaca sebagai Rupiah.") from None


def ubah_tanggal(teks):
    """Ubah tulisan tanggal menjadi tanggal pandas (pd.Timestamp).

    Hari selalu ditulis dulu ("5/9/2022" adalah 5 September), kecuali tulisan yang diawali
    tahun ("2022-09-05"). Nama bulan Indonesia boleh lengkap atau singkat; tahun dua angka
    berarti 20xx.

    Contoh:
        ubah_tanggal("5 Okt 2022")   menghasilkan Timestamp('2022-10-05 00:00:00')
    """
    import pandas as pd

    kata = str(teks).strip().lower().replace("/", " ").replace("-", " ").split()
    if len(kata) != 3:
        raise ValueError(f"Tanggal {teks!r} tidak terbaca: perlu hari, bulan, dan tahun.")
    pertama = int(kata[0])
    bulan = int(NOMOR_BULAN.get(kata[1], kata[1]))
    terakhir = int(kata[2])
    tahun, hari = (pertama, terakhir) if pertama > 31 else (terakhir, pertama)
    if tahun < 100:
        tahun = tahun + 2000
    return pd.Timestamp(tahun, bulan, hari)


def nama_di_bank(nama):
    """Tulis nama seperti bank menulisnya di mutasi: huruf besar, paling banyak 20 huruf.

    Contoh: nama_di_bank("lukas kafiar") menghasilkan "LUKAS KAFIAR".
    """
    return " ".join(str(nama).split()).upper()[:20].strip()


def hapus_dobel(pesanan):
    """Tabel pesanan tanpa baris dobel: satu baris per id_pesanan, yang pertama dicatat.

    id_pesanan ditulis rapi dulu (huruf besar, tanpa spasi di depan dan belakang), jadi
    " krp-033" dan "KRP-033" dianggap pesanan yang sama.

    Contoh:
        rapi = hapus_dobel(baca_data("pesanan.csv"))
    """
    hasil = pesanan.copy()
    hasil["id_pesanan"] = hasil["id_pesanan"].astype(str).str.strip().str.upper()
    return hasil.drop_duplicates(subset="id_pesanan", keep="first")


def cek_pembayaran(nama_pembeli, tanggal, total, mutasi):
    """Periksa satu pesanan transfer terhadap mutasi rekening.

    Hasilnya salah satu dari tiga:
    - "lunas": ada uang masuk dari nama pembeli dengan jumlah persis sama dengan total;
    - "tidak_cocok": ada uang dari nama pembeli dengan jumlah lain, atau uang sejumlah total
      dari nama lain (tanyakan dulu kepada pembeli);
    - "belum_bayar": tidak ada keduanya.
    Hanya uang masuk dari tanggal pesanan sampai 7 hari sesudahnya yang dilihat.

    Contoh:
        cek_pembayaran("Ester Mandowen", "3 Okt 2022", 230_000, mutasi)   menghasilkan "lunas"
    """
    import pandas as pd

    mulai = ubah_tanggal(tanggal) if isinstance(tanggal, str) else pd.Timestamp(tanggal)
    batas = mulai + pd.Timedelta(days=7)
    waktu = pd.to_datetime(mutasi["tanggal"])
    kredit = mutasi[(mutasi["kredit"] > 0) & (waktu >= mulai) & (waktu <= batas)]
    nama_sama = kredit["nama_pengirim"].astype(str).str.upper() == nama_di_bank(nama_pembeli)
    jumlah_sama = kredit["kredit"] == total
    if (nama_sama & jumlah_sama).any():
        return "lunas"
    if nama_sama.any() or jumlah_sama.any():
        return "tidak_cocok"
    return "belum_bayar"


def omzet_mingguan(pesanan):
    """Omzet (jumlah subtotal) per minggu dari pesanan yang sudah dibayar.

    Tabel pesanan perlu kolom tanggal, subtotal dan sudah_bayar (True/False). Minggu dimulai
    hari Senin; hasilnya diberi label tanggal hari Senin itu.

    Contoh: pesanan hari Minggu 2 Oktober 2022 masuk minggu yang dimulai Senin 26 September.
        omzet_mingguan(pesanan)
    """
    import pandas as pd

    lunas = pesanan[pesanan["sudah_bayar"].astype(bool)]
    awal_minggu = pd.to_datetime(lunas["tanggal"]).dt.to_period("W-SUN").dt.start_time
    return lunas.groupby(awal_minggu)["subtotal"].sum()


def laba_rugi(pesanan):
    """Laba rugi sederhana dari pesanan yang sudah dibayar (pd.Series dengan enam baris).

    Baris: pendapatan (jumlah x harga_satuan), hpp (jumlah x hpp_satuan), laba_kotor,
    biaya_admin, ongkir_penjual, laba_bersih. Ongkir yang dibayar pembeli bukan pendapatan:
    uang itu diteruskan ke kurir.

    Contoh: satu pesanan lunas, 3 bungkus Rp20.000 dengan HPP Rp12.000, biaya admin Rp2.400:
    pendapatan 60000, hpp 36000, laba_kotor 24000, laba_bersih 21600.
        laba_rugi(pesanan)["laba_bersih"]
    """
    import pandas as pd

    lunas = pesanan[pesanan["sudah_bayar"].astype(bool)]
    pendapatan = int((lunas["jumlah"] * lunas["harga_satuan"]).sum())
    hpp = int((lunas["jumlah"] * lunas["hpp_satuan"]).sum())
    biaya_admin = int(lunas["biaya_admin"].sum())
    ongkir_penjual = int(lunas["ongkir_penjual"].sum())
    return pd.Series({
        "pendapatan": pendapatan,
        "hpp": hpp,
        "laba_kotor": pendapatan - hpp,
        "biaya_admin": biaya_admin,
        "ongkir_penjual": ongkir_penjual,
        "laba_bersih": pendapatan - hpp - biaya_admin - ongkir_penjual,
    })


# ---------------------------------------------------------------------------------------------
# 03 Menghindari penipuan
# ---------------------------------------------------------------------------------------------

#: Aturan kata kunci untuk jenis_pesan, diperiksa berurutan dari atas.
KATA_KUNCI = {
    "minta_otp": ["otp", "kode verifikasi", "kode yg masuk", "kode yang masuk"],
    "apk_resi": [".apk"],
    "link_phishing": ["http://", "https://"],
    "kelebihan_bayar": ["kelebihan", "salah transfer", "salah ketik", "kembalikan"],
    "cs_palsu": ["cs ", "hubungi", "paylater", "pendaftaran"],
}
#: Bukti transfer saja tidak mencurigakan (pembeli jujur juga mengirim bukti). Yang patut dicurigai:
#: bukti yang datang bersama desakan untuk mengirim barang sebelum uangnya terlihat di mutasi.
_KATA_BUKTI = ["bukti", "struk", "screenshot", "ss "]
_KATA_DESAK_KIRIM = ["kirim dulu", "kirim saja", "kirim skrg", "kirim sekarang", "blm masuk",
                     "belum masuk", "bank yg telat", "bank yang telat", "malam ini juga"]


def hanya_angka(teks):
    """Ambil angka-angkanya saja dari sebuah teks (spasi, strip, titik dan + dibuang).

    Contoh: hanya_angka("+62 810-0092-4853") menghasilkan "6281000924853".
    """
    return "".join(huruf for huruf in str(teks) if huruf.isdigit())


def normalisasi_nomor(teks):
    """Tulis nomor HP dalam satu bentuk: 62 lalu nomor tanpa 0 di depan, hanya angka.

    Contoh:
        normalisasi_nomor("0810-0092-4853")      menghasilkan "6281000924853"
        normalisasi_nomor("+62 810 0092 4853")   menghasilkan "6281000924853"
    """
    angka = hanya_angka(teks)
    if angka.startswith("0"):
        return "62" + angka[1:]
    if angka.startswith("8"):
        return "62" + angka
    return angka


def ada_di_daftar_hitam(nilai, jenis, daftar):
    """True kalau nomor HP atau rekening ada di tabel daftar hitam dengan jenis yang sama.

    jenis adalah "nomor_hp" atau "rekening". Nomor ditulis rapi dulu, jadi "0810 0092 4853"
    dan "+62 810-0092-4853" dianggap sama. Ingat: daftar hitam dari grup WhatsApp bisa salah.
    Jangan menyebarkan nama atau nomor orang; laporkan ke cekrekening.id atau polisi.

    Contoh:
        ada_di_daftar_hitam("0810 0092 4853", "nomor_hp", baca_data("daftar_hitam.csv"))
    """
    rapikan = normalisasi_nomor if jenis == "nomor_hp" else hanya_angka
    dicari = rapikan(nilai)
    if dicari == "":
        return False
    laporan = daftar[daftar["jenis"] == jenis]
    return any(rapikan(tertulis) == dicari for tertulis in laporan["nilai"])


def skor_risiko(di_daftar_hitam=False, minta_kirim_dulu=False, bukti_tanpa_uang=False,
                uang_tidak_sama=False, minta_otp_atau_file=False, nomor_baru=False, buru_buru=False):
    """Jumlah poin tanda bahaya sebuah pesanan. Tulis True untuk tanda yang muncul.

    Poinnya: di_daftar_hitam 5, minta_kirim_dulu 3, bukti_tanpa_uang 3 (ada bukti transfer
    tetapi uangnya tidak ada di mutasi), uang_tidak_sama 2, minta_otp_atau_file 3,
    nomor_baru 1, buru_buru 1. Aturan toko di pelajaran: skor 3 atau lebih, pesanan ditahan.

    Contoh:
        skor_risiko(minta_kirim_dulu=True, nomor_baru=True)   menghasilkan 4
    """
    tanda = {
        "di_daftar_hitam": (di_daftar_hitam, 5), "minta_kirim_dulu": (minta_kirim_dulu, 3),
        "bukti_tanpa_uang": (bukti_tanpa_uang, 3), "uang_tidak_sama": (uang_tidak_sama, 2),
        "minta_otp_atau_file": (minta_otp_atau_file, 3), "nomor_baru": (nomor_baru, 1),
        "buru_buru": (buru_buru, 1),
    }
    for nama, (nilai, _) in tanda.items():
        if nilai is Ellipsis:
            raise TypeError(f"{nama} belum diisi: ganti ... dengan True atau False (tanpa tanda petik).")
        if not isinstance(nilai, bool):
            raise TypeError(f"{nama} harus True atau False (tanpa tanda petik), bukan {nilai!r}.")
    return sum(poin for nilai, poin in tanda.values() if nilai)


def jenis_pesan(isi):
    """Jenis sebuah pesan chat menurut aturan kata kunci KATA_KUNCI, atau "normal".

    Huruf besar dan kecil tidak dibedakan. Bukti transfer saja tidak dicurigai: pesan baru
    dianggap "bukti_transfer_palsu" kalau bukti itu datang bersama desakan mengirim barang
    sebelum uangnya terlihat di mutasi.

    Contoh:
        jenis_pesan("Kode OTP nya tolong dikirim ya")          menghasilkan "minta_otp"
        jenis_pesan("Ini bukti transfernya kak, makasih")       menghasilkan "normal"
        jenis_pesan("Sdh tf, ini buktinya. Kirim dulu ya kak")  menghasilkan "bukti_transfer_palsu"
    """
    teks = " ".join(str(isi).lower().split()) + " "
    for jenis, daftar_kata in KATA_KUNCI.items():
        if any(kata in teks for kata in daftar_kata):
            return jenis
    if any(kata in teks for kata in _KATA_BUKTI) and any(kata in teks for kata in _KATA_DESAK_KIRIM):
        return "bukti_transfer_palsu"
    return "normal"


# ---------------------------------------------------------------------------------------------
# 04 Izin usaha dan hak cipta
# ---------------------------------------------------------------------------------------------

#: Kata dalam nama produk pangan yang menandakan produk itu TIDAK bisa diurus dengan SPP-IRT
#: (perlu izin edar BPOM MD): disimpan beku atau dingin, dikalengkan atau disterilkan/
#: dipasteurisasi, susu dan olahannya, makanan bayi, air minum dalam kemasan. Olahan ikan,
#: daging dan unggas yang KERING (abon, dendeng, keripik ikan) bisa SPP-IRT.
KATA_BUKAN_SPP_IRT = ["beku", "frozen", "dingin", "kaleng", "steril", "pasteurisasi",
                      "susu", "keju", "yogurt", "bayi", "air minum"]


def bisa_spp_irt(produk):
    """True kalau nama produk pangan tidak memuat kata di KATA_BUKAN_SPP_IRT.

    Ini aturan latihan yang hanya membaca nama produk. Keputusan akhirnya ada di Dinas
    Kesehatan, DPMPTSP, atau BPOM.

    Contoh:
        bisa_spp_irt("Abon Tuna Pedas")       menghasilkan True  (olahan ikan kering)
        bisa_spp_irt("Nugget Ikan Beku")      menghasilkan False (disimpan beku)
    """
    nama = str(produk).lower()
    return not any(kata in nama for kata in KATA_BUKAN_SPP_IRT)


def biaya_merek(jumlah_kelas, umkm=True):
    """Biaya pendaftaran merek secara online di DJKI: per kelas, Rp500.000 untuk UMK (dengan
    surat keterangan UMK) atau Rp1.800.000 untuk pemohon umum. Tarif bisa berubah: cek di DJKI.

    Contoh:
        biaya_merek(3)               menghasilkan 1500000
        biaya_merek(1, umkm=False)   menghasilkan 1800000
    """
    return jumlah_kelas * (500_000 if umkm else 1_800_000)


def daftar_periksa(sektor, produk, jualan_online, punya_nib):
    """Daftar langkah izin untuk sebuah usaha, berurutan.

    Kode langkah: "nib", "spp_irt", "izin_edar_bpom", "halal", "hak_cipta", "merek".
    sektor: "kuliner" atau "kerajinan"; produk: daftar nama produk.

    Contoh:
        daftar_periksa("kerajinan", ["noken kulit kayu"], False, True)   menghasilkan ["hak_cipta"]
    """
    langkah = [] if punya_nib else ["nib"]
    if sektor == "kuliner":
        if any(bisa_spp_irt(nama) for nama in produk):
            langkah.append("spp_irt")
        if not all(bisa_spp_irt(nama) for nama in produk):
            langkah.append("izin_edar_bpom")
        langkah.append("halal")
    if sektor == "kerajinan":
        langkah.append("hak_cipta")
    if jualan_online:
        langkah.append("merek")
    return langkah


# ---------------------------------------------------------------------------------------------
# Pemeriksa jawaban (dipakai sel cek di latihan)
# ---------------------------------------------------------------------------------------------

#: Jenis jawaban yang bisa diminta sebuah sel cek, dengan cara menyebutnya kepada peserta.
_JENIS_JAWABAN = {
    "angka": "angka, misalnya 25000 (tanpa Rp, tanpa titik, tanpa tanda petik)",
    "teks": 'teks di antara tanda petik, misalnya "Rp25.000"',
    "daftar": 'daftar di antara kurung siku, misalnya ["KRP-001", "KRP-004"]',
    "huruf": "satu huruf pilihan, misalnya b",
    "benar/salah": "True atau False (tanpa tanda petik)",
    "fungsi": "fungsi yang ditulis dengan def",
}

#: Penjelasan singkat untuk kesalahan Python yang sering muncul saat jawaban diperiksa.
_PENJELASAN_ERROR = {
    "TypeError": "Biasanya jenis jawabannya keliru, misalnya teks (dengan tanda petik) padahal yang "
                 "diminta angka, atau sebuah fungsi dipanggil dengan isi kurung yang kurang atau lebih.",
    "ValueError": "Ada nilai yang tidak bisa dipakai di sini. Periksa lagi angka atau tulisan di jawaban Anda.",
    "ZeroDivisionError": "Ada pembagian dengan nol. Periksa angka pembagi di jawaban Anda.",
    "KeyError": "Ada nama kolom atau nama kunci yang tidak ditemukan. Periksa ejaannya.",
    "IndexError": "Ada daftar yang diambil isinya di urutan yang tidak ada. Periksa panjang daftarnya.",
    "AttributeError": "Ada nama yang ditulis sesudah titik tetapi tidak dikenal. Periksa ejaannya.",
    "NameError": "Ada nama yang belum dikenal Python. Jalankan dulu sel persiapan dan sel jawaban "
                 "(Shift+Enter), lalu periksa ejaan nama-nama di jawaban Anda.",
    "NotImplementedError": "Bagian ini belum dikerjakan: ganti baris raise NotImplementedError() "
                           "dengan jawaban Anda.",
}


class cek:
    """Pemeriksa satu bagian latihan. Sel cek memakainya seperti ini:

        with cek("Bagian B", harga_wa="angka"):
            assert cocok(harga_wa, "..."), "pesan untuk peserta"

    Sebelum memeriksa, cek memastikan setiap jawaban yang disebut sudah ada, sudah diisi
    (bukan ... lagi), dan jenisnya benar. Kalau semua pemeriksaan lolos, muncul tanda ✔.
    Kalau ada yang salah, muncul pesan yang menjelaskan apa yang perlu diperbaiki.

    nanti=True berarti sebagian pemeriksaan baru dilakukan saat latihan dinilai (misalnya
    benar-salahnya pilihan ganda), jadi tanda ✔ hanya berarti jawabannya sudah tertulis benar.
    """

    def __init__(self, bagian, nanti=False, **jawaban):
        self.bagian = bagian
        self.nanti = nanti
        self.jawaban = jawaban
        for jenis in jawaban.values():
            if jenis not in _JENIS_JAWABAN:
                raise ValueError(f"cek: jenis jawaban {jenis!r} tidak dikenal; pilih {sorted(_JENIS_JAWABAN)}")

    def __enter__(self):
        __tracebackhide__ = True
        tempat = sys._getframe(1).f_globals
        for nama, jenis in self.jawaban.items():
            if nama not in tempat:
                self._gagal(
                    f"{nama} belum ada. Tulis jawaban Anda di sel jawaban {self.bagian}, lalu jalankan "
                    f"sel itu (Shift+Enter) sebelum sel cek ini. Periksa juga ejaan {nama}."
                )
            nilai = tempat[nama]
            if nilai is Ellipsis:
                self._gagal(f"{nama} belum diisi: ganti tanda ... dengan jawaban Anda, lalu jalankan selnya.")
            masalah = _masalah_jenis(nama, nilai, jenis)
            if masalah:
                self._gagal(masalah)
        return self

    def __exit__(self, jenis_error, error, jejak):
        __tracebackhide__ = True
        if jenis_error is None:
            if self.nanti:
                print(f"✔ {self.bagian} lolos pemeriksaan awal. Pemeriksaan lengkapnya dilakukan saat latihan dinilai.")
            else:
                print(f"✔ {self.bagian} benar.")
            return False
        if not issubclass(jenis_error, Exception):
            return False  # Ctrl+C atau kernel dihentikan: biarkan lewat
        if issubclass(jenis_error, AssertionError):
            self._gagal(str(error) or "jawaban belum tepat.")
        nama_error = jenis_error.__name__
        penjelasan = _PENJELASAN_ERROR.get(nama_error, "Periksa lagi jawaban Anda di bagian ini.")
        self._gagal(f"jawaban Anda membuat Python error saat diperiksa ({nama_error}: {error}). {penjelasan}")

    def _gagal(self, pesan):
        __tracebackhide__ = True
        raise AssertionError(f"✘ {self.bagian}: {pesan}") from None


def _jenis(nilai):
    """Nama jenis sebuah nilai, dalam bahasa peserta."""
    if isinstance(nilai, bool):
        return "True/False"
    if isinstance(nilai, str):
        return "teks"
    if isinstance(nilai, numbers.Number):
        return "angka"
    if isinstance(nilai, (list, tuple)):
        return "daftar"
    if nilai is None:
        return "None (kosong)"
    return type(nilai).__name__


def _masalah_jenis(nama, nilai, jenis):
    """Kalimat yang menjelaskan kenapa nilai bukan jenis yang diminta (None kalau sudah benar)."""
    if jenis == "angka":
        benar = isinstance(nilai, numbers.Real) and not isinstance(nilai, bool)
        if isinstance(nilai, str):
            return (f"{nama} berisi teks {nilai!r}, padahal yang diminta angka. Hapus tanda petik, "
                    "Rp, dan titik pemisah ribuan: tulis misalnya 25000 atau 25_000.")
    elif jenis == "teks":
        benar = isinstance(nilai, str)
    elif jenis == "daftar":
        benar = isinstance(nilai, (list, tuple))
    elif jenis == "huruf":
        benar = isinstance(nilai, str) and len(nilai.strip()) == 1 and nilai.strip().isalpha()
        if isinstance(nilai, str) and not benar:
            return f"{nama} berisi {nilai!r}: tulis satu huruf saja, misalnya b."
    elif jenis == "benar/salah":
        benar = isinstance(nilai, bool)
        if isinstance(nilai, str) and nilai.strip().lower() in ("true", "false"):
            return f"{nama} berisi teks {nilai!r}: tulis True atau False tanpa tanda petik."
    else:  # fungsi
        benar = callable(nilai)
    if benar:
        return None
    if nilai is None:
        return (f"{nama} berisi None (kosong). Kalau Anda memakai print(...), hasilnya hanya tampil "
                "di layar: simpan hasilnya di variabel, tanpa print.")
    return f"{nama} berisi {_jenis(nilai)} ({nilai!r}), padahal yang diminta {_JENIS_JAWABAN[jenis]}."


def _bentuk_baku(nilai, urut):
    """Bentuk baku sebuah jawaban, supaya 25000, 25000.0 dan numpy 25000 dianggap sama,
    dan teks tidak membedakan huruf besar-kecil dan spasi di depan-belakang."""
    if isinstance(nilai, bool):
        return "b:" + str(nilai).lower()
    if isinstance(nilai, numbers.Real):
        if nilai != nilai:
            return "n:nan"
        if abs(nilai - round(nilai)) < 1e-6:
            return f"n:{int(round(nilai))}"
        return f"n:{nilai:.2f}"
    if isinstance(nilai, str):
        return "s:" + " ".join(nilai.split()).lower()
    if nilai is None:
        return "none"
    if isinstance(nilai, dict):
        return "d:{" + ",".join(sorted(f"{_bentuk_baku(k, urut)}={_bentuk_baku(v, urut)}" for k, v in nilai.items())) + "}"
    if hasattr(nilai, "tolist") and not isinstance(nilai, (list, tuple)):
        nilai = nilai.tolist()  # Series pandas atau array numpy: bandingkan isinya
    if isinstance(nilai, (set, frozenset)):
        nilai, urut = list(nilai), False
    if isinstance(nilai, (list, tuple)):
        isi = [_bentuk_baku(x, urut) for x in nilai]
        return "l:[" + ",".join(isi if urut else sorted(isi)) + "]"
    return "r:" + repr(nilai)


def sidik(nilai, urut=True):
    """Sidik jari sebuah jawaban: teks pendek yang sama untuk jawaban yang sama.

    Dipakai penulis latihan supaya sel cek bisa memeriksa jawaban tanpa menuliskan jawabannya.
    urut=False: urutan isi daftar tidak dipentingkan.
    """
    return hashlib.sha256(("umkmkit:" + _bentuk_baku(nilai, urut)).encode("utf-8")).hexdigest()[:16]


def cocok(nilai, sidik_benar, urut=True):
    """True kalau jawaban sama dengan jawaban benar yang sidik jarinya sidik_benar.

    Angka 25000 dan 25000.0 dianggap sama; pecahan dibandingkan sampai dua angka di belakang
    koma; teks tidak membedakan huruf besar-kecil dan spasi di depan-belakang.
    urut=False: urutan isi daftar tidak dipentingkan.
    """
    return sidik(nilai, urut) == sidik_benar


# ---------------------------------------------------------------------------------------------
# Pemeriksaan isi fungsi (pesan dalam bahasa peserta)
# ---------------------------------------------------------------------------------------------

def _perlu_desimal(nilai, nama, batas=1):
    if isinstance(nilai, str) or not isinstance(nilai, numbers.Real):
        raise TypeError(f"{nama} harus angka desimal, misalnya 0.30 untuk 30%, bukan {nilai!r}.")
    if nilai >= batas:
        raise ValueError(
            f"{nama} = {nilai}: persen ditulis sebagai desimal. 30% ditulis 0.30, bukan 30; "
            "8% ditulis 0.08."
        )


def _perlu_angka_positif(nilai, nama):
    if isinstance(nilai, str) or not isinstance(nilai, numbers.Real) or nilai <= 0:
        raise ValueError(f"{nama} harus angka lebih dari 0, bukan {nilai!r}.")
