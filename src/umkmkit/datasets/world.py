"""The vocabulary of the synthetic world: places, names, sectors, products, channels, couriers.

Sourced facts live in the kit's fact registry, docs/fakta/ (the blank-spot districts:
`blank-spot-manokwari`; the volumetric divisors: `jne-berat-tagihan`, `jnt-cargo-berat-volume`,
`kargo-kapal-berat-volume`); prices are typical market ranges chosen as examples, and everything
else is made up to look plausible. Persons and businesses
are fictitious: names are random combinations of common given names and family names.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The year the data describe (cohorts in June and August 2022, orders Sep-Nov 2022).
YEAR = 2022

# --- Places -----------------------------------------------------------------------------

@dataclass(frozen=True)
class District:
    name: str
    weight: float  # share of registered businesses, relative
    urban: bool
    kampung: tuple[tuple[str, bool], ...]  # (kampung or kelurahan, has mobile signal)


#: The nine distrik of Kabupaten Manokwari in 2022 (after Manokwari Selatan and Pegunungan
#: Arfak became regencies in 2012 and before five new distrik were created in 2025). Distrik
#: Manokwari Selatan is a distrik of Kabupaten Manokwari, not the regency of the same name.
#: Signal: the 2021 report names Sidey, Manokwari Utara, Tanah Rubuh and Masni as the
#: districts with kampung without cellular signal; which kampung is illustrative.
DISTRICTS: tuple[District, ...] = (
    District("Manokwari Barat", 30, True, (
        ("Sanggeng", True), ("Wosi", True), ("Amban", True), ("Padarni", True),
        ("Manokwari Barat", True), ("Udopi", True), ("Inggramui", True), ("Soribo", True),
        ("Tanah Merah", True),
    )),
    District("Manokwari Timur", 12, True, (
        ("Pasir Putih", True), ("Ayambori", True), ("Arowi", True), ("Bakaro", True),
        ("Mansinam", True),
    )),
    District("Manokwari Selatan", 8, True, (
        ("Arfai", True), ("Andai", True), ("Maripi", True), ("Sowi", True),
    )),
    District("Manokwari Utara", 5, False, (
        ("Mubraidiba", False), ("Mandopi", False), ("Mubri", False), ("Teluk Mubri", False),
        ("Meyes", True), ("Warbefor", False), ("Yonggam", False), ("Singgimeba", False),
    )),
    District("Prafi", 12, False, (
        ("Prafi Mulya", True), ("Aimasi", True), ("Kerenu", True), ("Wasegi Indah", True),
        ("Udapi Hilir", True), ("Kali Amin", True), ("Bogor", True), ("Bedip Matoa", True),
    )),
    District("Masni", 11, False, (
        ("Macuan", True), ("Sibuni", True), ("Kali Merah", True), ("Prafi Barat", True),
        ("Membowi", True), ("Wariori Indah", True), ("Muara Prafi", False), ("Makwan", False),
        ("Urey", False), ("Mantedi", False), ("Aska", False), ("Muara Wariori", False),
    )),
    District("Warmare", 9, False, (
        ("Kwau", True), ("Mokwam", True), ("Duweibey", True), ("Mingre", True),
        ("Syou", True), ("Aiwow", True), ("Aserbey", True),
    )),
    District("Sidey", 6, False, (
        ("Sidey Baru", True), ("Sidey Makmur", False), ("Kaironi", False), ("Manggupi", False),
        ("Warikon", False),
    )),
    District("Tanah Rubuh", 5, False, (
        ("Imhasuma", True), ("Mbatma", False), ("Imboiti", False), ("Umnum", False),
    )),
)
DISTRICT_NAMES = tuple(d.name for d in DISTRICTS)
BLANK_SPOT_DISTRICTS = ("Sidey", "Manokwari Utara", "Tanah Rubuh", "Masni")

# --- Businesses ---------------------------------------------------------------------------

#: Sector -> relative weight in the registry (kuliner and kerajinan dominate, as reported).
SECTORS = (("kuliner", 52), ("kerajinan", 30), ("fesyen", 5), ("pertanian", 5), ("jasa", 4),
           ("perdagangan", 4))
SECTOR_NAMES = tuple(name for name, _ in SECTORS)

#: Where a business sells. "langsung" = in person (home, kiosk, market, fairs).
CHANNELS = ("langsung", "WhatsApp", "Facebook", "Instagram", "Shopee", "TikTok Shop")
ORDER_CHANNELS = ("WhatsApp", "Instagram", "Facebook", "Shopee", "TikTok Shop")
MARKETPLACES = ("Shopee", "TikTok Shop")
PAYMENT_METHODS = ("transfer", "QRIS", "e-wallet", "COD", "tunai")
ORDER_STATUSES = ("baru", "dibayar", "dikirim", "selesai", "batal")
BANKS = ("Bank Papua", "BRI", "BNI", "Mandiri", "BSI")

#: Business-name patterns per sector; {given}, {family} and {place} are filled in. Patterns
#: with "Mama" are used for women owners only.
BUSINESS_NAMES = {
    "kuliner": ("Dapur Mama {given}", "Keripik {place}", "Abon Ikan {given}", "Warung {given}",
                "Kue {given}", "Sagu Lempeng {place}", "Kedai {place} Rasa", "{given} Snack",
                "Olahan Ikan {place}", "Katering {given}", "Kue Kering {family}", "Pisang Goreng {place}"),
    "kerajinan": ("Noken Mama {given}", "Sanggar Ukir {family}", "Anyaman {place}",
                  "Kerajinan {place}", "Noken {place}", "Galeri {family}", "Manik-Manik {given}",
                  "Ukiran {place}", "Tas Anyaman {given}"),
    "fesyen": ("Jahit {given}", "Butik {given}", "Konveksi {place}", "Sablon {family}"),
    "pertanian": ("Kebun {given}", "Kopi {place}", "Tani {place} Makmur", "Sayur {place}",
                  "Buah Merah {place}"),
    "jasa": ("Servis HP {given}", "Laundry {place}", "Salon {given}", "Fotokopi {place}",
             "Rental Motor {given}"),
    "perdagangan": ("Kios {given}", "Toko {given}", "Sembako {place}", "Kios Pinang {place}"),
}

# --- People -------------------------------------------------------------------------------

@dataclass(frozen=True)
class NameGroup:
    key: str
    papuan: bool
    male: tuple[str, ...]
    female: tuple[str, ...]
    family_male: tuple[str, ...]
    family_female: tuple[str, ...] = ()

    def family(self, female: bool) -> tuple[str, ...]:
        return self.family_female if female and self.family_female else self.family_male


#: Given names and family names commonly met in Manokwari. Combinations are random.
NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        "papua", True,
        male=("Yohanes", "Yulianus", "Marthen", "Obeth", "Frans", "Agustinus", "Petrus", "Yakob",
              "Musa", "Elias", "Nikolas", "Simon", "Daniel", "Markus", "Benny", "Otniel",
              "Hendrik", "Lukas", "Paulus", "Zakeus", "Yonas", "Demianus", "Korinus", "Abner",
              "Melkias", "Yermias", "Set", "Piter", "Hans", "Alfons"),
        female=("Maria", "Yosina", "Agustina", "Ester", "Martha", "Ruth", "Yohana", "Naomi",
                "Selfina", "Debora", "Lea", "Marice", "Yuliana", "Dorkas", "Priska", "Mince",
                "Orpa", "Fransina", "Regina", "Elsye", "Margaretha", "Sara", "Ribka", "Hana",
                "Kristina", "Yakomina", "Salomina", "Antoneta"),
        family_male=("Mandacan", "Rumbiak", "Wompere", "Kafiar", "Mansoben", "Rumere",
                     "Ayamiseba", "Sawaki", "Indouw", "Saiba", "Dowansiba", "Ullo", "Iba",
                     "Mansim", "Rumbruren", "Rumbekwan", "Mandowen", "Rumfabe", "Wanma",
                     "Kapisa", "Msen", "Rumaropen", "Aronggear", "Rumbarar", "Warfandu",
                     "Meidodga", "Ariks", "Mayor", "Awom", "Korwa", "Sroyer", "Kambu", "Krey",
                     "Rumsayor", "Manim", "Inden", "Wonggor", "Prawar", "Rumainum", "Burwos"),
    ),
    NameGroup(
        "jawa", False,
        male=("Budi", "Slamet", "Agus", "Joko", "Wahyu", "Eko", "Sugeng", "Suparman", "Heru",
              "Teguh", "Rudi", "Dwi", "Yanto", "Sutrisno", "Hadi", "Bayu", "Arif", "Imam",
              "Bambang", "Didik", "Gunawan", "Hari", "Supri", "Tono", "Wawan", "Yudi"),
        female=("Sri", "Siti", "Endang", "Wulan", "Tri", "Rina", "Yuni", "Dewi", "Ratna",
                "Sumarni", "Suryani", "Ani", "Nur", "Retno", "Puji", "Sulastri", "Indah",
                "Lilik", "Murni", "Ninik", "Partini", "Rini", "Sumiati", "Tutik", "Umi", "Yanti"),
        family_male=("Santoso", "Wibowo", "Susanto", "Purnomo", "Hidayat", "Setiawan",
                     "Prasetyo", "Nugroho", "Kurniawan", "Saputra", "Pratama", "Riyanto",
                     "Sutanto", "Wijaya", "Haryanto", "Suharto", "Mulyono", "Subagyo"),
        family_female=("Rahayu", "Lestari", "Wahyuni", "Handayani", "Susanti", "Wulandari",
                       "Astuti", "Kusumawati", "Rahmawati", "Suryaningsih", "Purwanti",
                       "Setyowati", "Widayati", "Utami", "Mulyani", "Ningsih"),
    ),
    NameGroup(
        "bugis", False,
        male=("Andi", "Muhammad", "Ahmad", "Hasan", "Syamsul", "Ridwan", "Irwan", "Haris",
              "Nurdin", "Ismail", "Rusdi", "Jufri", "Baharuddin", "Saiful", "Asri", "Kamaruddin",
              "Mustafa", "Darwis"),
        female=("Nurhayati", "Hasnah", "Rosmini", "Hasna", "Mardiana", "Rahma", "Fatimah",
                "Sitti", "Nurul", "Asmawati", "Sukmawati", "Hasmiah", "Rosdiana", "Jumriah",
                "Nurjannah", "Hartati", "Megawati", "Suriani"),
        family_male=("Syamsuddin", "Rahman", "Hamzah", "Amir", "Latif", "Basri", "Tahir",
                     "Arifin", "Ramli", "Nasir", "Halim", "Yusuf", "Saleh", "Patta", "Daeng",
                     "Mansyur"),
    ),
    NameGroup(
        "toraja", False,
        male=("Yance", "Yunus", "Stevanus", "Ronald", "Marthinus", "Yusuf", "Yohanis", "Paulus",
              "Agustinus", "Daniel", "Simon", "Frans"),
        female=("Merry", "Yanti", "Novita", "Dessy", "Meilani", "Grace", "Ribka", "Yuliana",
                "Sarce", "Ester", "Lince", "Dorce"),
        family_male=("Palimbong", "Pakiding", "Tandirerung", "Rante", "Sampe", "Pasang",
                     "Patandung", "Bua", "Tulak", "Sarungu", "Tandiayu", "Parura", "Ranteallo",
                     "Sambo"),
    ),
    NameGroup(
        "maluku", False,
        male=("Jefri", "Frengky", "Anton", "Costan", "Max", "Wellem", "Johan", "Nus", "Octo",
              "Dominikus", "Semuel", "Ricky"),
        female=("Femmy", "Nona", "Yolanda", "Christin", "Olivia", "Helen", "Mercy", "Jolanda",
                "Anace", "Welmina", "Theresia", "Brenda"),
        family_male=("Latuconsina", "Pattinama", "Tuhumury", "Lekahena", "Sahetapy",
                     "Wattimena", "Leiwakabessy", "Parinussa", "Sopacua", "Rahangmetan",
                     "Renyaan", "Ohoiwutun", "Tomasoa", "Manuputty"),
    ),
    NameGroup(
        "batak", False,
        male=("Jhon", "Roy", "Parulian", "Hotman", "Togar", "Benhur", "Maruli", "Sahat",
              "Binsar", "Tumpal"),
        female=("Rosmawati", "Lamria", "Tiurma", "Dame", "Nurmala", "Rotua", "Lasma", "Mariana",
                "Sondang", "Romauli"),
        family_male=("Situmorang", "Simanjuntak", "Siregar", "Nainggolan", "Sihombing",
                     "Hutapea", "Manurung", "Panjaitan", "Silalahi", "Pardede", "Tambunan"),
    ),
    NameGroup(
        "manado", False,
        male=("Ferry", "Steven", "Jemmy", "Denny", "Roni", "Arnold", "Meky", "Fredy", "Hendra",
              "Richard"),
        female=("Vivi", "Meiske", "Lenny", "Shinta", "Ivone", "Stella", "Deisy", "Marlin",
                "Jenny", "Rully"),
        family_male=("Wenas", "Lumenta", "Rumengan", "Tumbelaka", "Mandagi", "Sumampouw",
                     "Rondonuwu", "Pangemanan", "Kalangi", "Tumewu", "Walangitan"),
    ),
)
NAME_GROUP = {group.key: group for group in NAME_GROUPS}
#: Share of owners per name group, by sector (Papuan owners dominate crafts).
NAME_GROUP_WEIGHTS = {
    "kerajinan": (("papua", 75), ("jawa", 6), ("bugis", 5), ("toraja", 5), ("maluku", 5),
                  ("batak", 2), ("manado", 2)),
    "default": (("papua", 32), ("jawa", 25), ("bugis", 18), ("toraja", 8), ("maluku", 8),
                ("batak", 5), ("manado", 4)),
}
#: Full names of public figures named in the sources; a generated name never equals one.
RESERVED_NAMES = frozenset({
    "Dominggus Mandacan", "Hermus Indou", "Hermus Indouw", "Deria Mandacan",
    "Nataniel Mandacan", "Marinus Mandacan", "Yosias Saroy", "Edi Budoyo", "Herman Rona",
    "Bondan Santoso", "Samoel Aronggear", "Musa Rumbarar", "Nixon Saiba", "Yusak Infarido",
    "Jeffry Sahuburua",
})

# --- Products -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Product:
    key: str
    seller: str  # key of a FeaturedSeller
    nama: str
    kategori: str
    satuan: str
    hpp: int
    harga_jual: int
    berat_gram: int  # packed
    panjang_cm: int
    lebar_cm: int
    tinggi_cm: int
    #: How sellers mistype the name in their order log.
    typos: tuple[str, ...] = ()
    #: Relative popularity among the seller's orders.
    popularity: float = 1.0


@dataclass(frozen=True)
class FeaturedSeller:
    """A business of the registry whose products, orders and bank account the lessons use."""

    key: str
    sektor: str
    distrik: str
    kampung: str
    name_pattern: str
    name_group: str
    female: bool
    channels: tuple[str, ...]
    punya_nib: bool
    bank: str = "Bank Papua"
    order_prefix: str = ""  # sellers with an order log; empty = catalogue only
    cohort: str = ""  # the cohort the owner was trained in
    pemuda: bool = False  # owner aged 16-30 in 2022


FEATURED_SELLERS: tuple[FeaturedSeller, ...] = (
    FeaturedSeller("keripik", "kuliner", "Masni", "Macuan", "Keripik Masni Jaya", "jawa", False,
                   ("langsung", "WhatsApp", "Facebook", "Shopee"), True, "BRI", "KRP",
                   "mkw-2022-06"),
    FeaturedSeller("abon", "kuliner", "Manokwari Barat", "Wosi", "Abon Tuna Doreri {given}",
                   "bugis", True, ("langsung", "WhatsApp", "Instagram", "Shopee", "TikTok Shop"),
                   True, "Bank Papua", "ABN", "mkw-2022-08", pemuda=True),
    FeaturedSeller("noken", "kerajinan", "Manokwari Timur", "Ayambori", "Noken Mama {given}",
                   "papua", True, ("langsung", "WhatsApp", "Facebook", "Instagram"), False,
                   "Bank Papua", "NKN", "mkw-2022-06"),
    FeaturedSeller("kopi", "pertanian", "Warmare", "Mokwam", "Kopi Warmare {family}", "papua",
                   False, ("langsung", "WhatsApp", "Instagram", "Shopee", "TikTok Shop"), True,
                   "BNI", "KPI", "mkw-2022-08", pemuda=True),
    FeaturedSeller("buah_merah", "kuliner", "Manokwari Timur", "Pasir Putih",
                   "Sari Buah Merah {family}", "papua", True,
                   ("langsung", "WhatsApp", "Facebook"), False, cohort="mkw-2022-06"),
    FeaturedSeller("ukiran", "kerajinan", "Manokwari Barat", "Amban", "Sanggar Ukir {family}",
                   "papua", False, ("langsung", "Facebook", "Instagram"), True,
                   cohort="mkw-2022-08"),
    FeaturedSeller("batik", "kerajinan", "Manokwari Barat", "Padarni", "Batik Kasuari {place}",
                   "papua", True, ("langsung", "WhatsApp", "Instagram"), True),
)
FEATURED = {seller.key: seller for seller in FEATURED_SELLERS}

#: The catalog. Prices are example market ranges (keripik about Rp20.000 a pack; noken of thread
#: Rp100-200 ribu, of bark Rp200-600 ribu; sari buah merah 330 ml Rp55-100 ribu), not graded
#: facts; HPP, weights and package sizes are plausible inventions.
PRODUCTS: tuple[Product, ...] = (
    Product("keladi", "keripik", "Keripik Keladi", "makanan ringan", "bungkus 200 g", 12_000,
            20_000, 230, 20, 14, 6, ("kripik keladi", "keripik kladi", "krpk keladi",
                                     "keripik keldi", "kripik kelady"), 3.0),
    Product("singkong", "keripik", "Keripik Singkong Balado", "makanan ringan", "bungkus 200 g",
            11_000, 20_000, 230, 20, 14, 6, ("kripik singkong balado", "keripik singkong blado",
                                             "kripik singkong", "keripik singkong balad"), 2.5),
    Product("sukun", "keripik", "Keripik Sukun", "makanan ringan", "bungkus 200 g", 12_500,
            20_000, 230, 20, 14, 6, ("kripik sukun", "keripik sukum", "krpk sukun"), 1.5),
    Product("betatas", "keripik", "Keripik Betatas", "makanan ringan", "bungkus 200 g", 12_000,
            20_000, 230, 20, 14, 6, ("kripik betatas", "keripik betatass", "kripik ubi betatas"),
            1.0),
    Product("paket_keripik", "keripik", "Paket Keripik 4 Rasa", "makanan ringan",
            "kotak isi 4 bungkus", 48_000, 75_000, 950, 30, 22, 14,
            ("paket kripik 4 rasa", "pkt keripik 4rasa", "paket keripik 4 rsa"), 1.2),
    Product("abon_ori", "abon", "Abon Tuna Original 100 g", "lauk kering", "toples 100 g",
            22_000, 35_000, 180, 9, 9, 10, ("abon tuna ori", "abon tunah original",
                                            "abon tuna orginal", "abon tna original"), 3.0),
    Product("abon_pedas", "abon", "Abon Tuna Pedas 100 g", "lauk kering", "toples 100 g", 23_000,
            37_000, 180, 9, 9, 10, ("abon tuna pedes", "abon tunah pedas", "abon pedas"), 2.0),
    Product("abon_250", "abon", "Abon Tuna Original 250 g", "lauk kering", "toples 250 g",
            50_000, 80_000, 380, 12, 12, 12, ("abon tuna 250gr", "abon tunah 250 g",
                                              "abon tuna ori 250"), 1.0),
    Product("rendang", "abon", "Rendang Tuna", "lauk kering", "toples 200 g", 38_000, 60_000,
            320, 10, 10, 11, ("rendang tunah", "redang tuna", "rendang tuna 200gr"), 1.2),
    Product("abon_gulung", "abon", "Abon Gulung", "kue", "kotak isi 10", 15_000, 25_000, 300, 20,
            12, 6, ("abon gullung", "abon gulung isi 10", "abon glung"), 1.0),
    Product("noken_kecil", "noken", "Noken Benang Kecil", "tas anyaman", "buah", 55_000, 100_000,
            150, 25, 20, 5, ("noken benang kcl", "nokem benang kecil", "noken kecil"), 2.5),
    Product("noken_besar", "noken", "Noken Benang Besar", "tas anyaman", "buah", 110_000, 200_000,
            300, 35, 30, 6, ("noken benang bsr", "nokem besar", "noken benang besarr"), 2.0),
    Product("noken_kayu", "noken", "Noken Kulit Kayu", "tas anyaman", "buah", 180_000, 350_000,
            400, 35, 30, 8, ("noken kulit kayuu", "noken kulit kyu", "nokenn kulit kayu"), 1.0),
    Product("noken_nanas", "noken", "Noken Serat Nanas", "tas anyaman", "buah", 280_000, 550_000,
            350, 35, 30, 8, ("noken serat nenas", "noken srat nanas", "noken nanas"), 0.8),
    Product("kopi_bubuk", "kopi", "Kopi Arabika Warmare Bubuk 250 g", "kopi", "bungkus 250 g",
            32_000, 60_000, 280, 18, 10, 6, ("kopi warmare bubuk", "kopi arabika warmre bubuk",
                                             "kopi bubuk warmare 250gr"), 3.0),
    Product("kopi_sangrai", "kopi", "Kopi Arabika Warmare Biji Sangrai 500 g", "kopi",
            "bungkus 500 g", 60_000, 110_000, 540, 22, 14, 7,
            ("kopi biji sangrai warmare", "kopi warmare biji 500gr", "kopi arabica sangrai"), 1.5),
    Product("kopi_hijau", "kopi", "Kopi Arabika Warmare Biji Mentah 1 kg", "kopi", "bungkus 1 kg",
            65_000, 95_000, 1_050, 25, 16, 8, ("kopi biji mentah 1kg", "kopi hijau warmare",
                                               "kopi warmare mentah"), 0.8),
    Product("sari_buah_merah", "buah_merah", "Sari Buah Merah 330 ml", "minuman", "botol 330 ml",
            40_000, 75_000, 520, 10, 10, 24),
    Product("sarang_semut", "buah_merah", "Sarang Semut Kering 100 g", "minuman", "bungkus 100 g",
            25_000, 50_000, 130, 18, 12, 5),
    Product("ukiran_dinding", "ukiran", "Ukiran Kayu Hiasan Dinding", "ukiran", "buah", 200_000,
            450_000, 1_500, 60, 30, 8),
    Product("patung_kecil", "ukiran", "Patung Ukir Kecil", "ukiran", "buah", 90_000, 250_000, 800,
            15, 15, 35),
    Product("rumah_kaki_seribu", "ukiran", "Miniatur Rumah Kaki Seribu", "miniatur", "buah",
            150_000, 300_000, 900, 40, 30, 30),
    Product("gantungan_kunci", "ukiran", "Gantungan Kunci Ukir", "suvenir", "buah", 6_000, 15_000,
            30, 8, 5, 2),
    Product("kain_batik", "batik", "Kain Batik Motif Kasuari", "kain", "lembar 2 m", 130_000,
            250_000, 350, 30, 25, 3),
    Product("kemeja_batik", "batik", "Kemeja Batik Motif Papua", "pakaian", "buah", 150_000,
            275_000, 400, 32, 25, 5),
)

# --- Shipping -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Destination:
    kota: str
    provinsi: str
    base_per_kg: int  # JNE REG, illustrative
    days: tuple[int, int]  # JNE REG estimate
    port: bool  # reachable by sea cargo from Manokwari
    big_city: bool  # express service available
    share: float  # relative share of out-of-town orders


#: Destinations for shipping from Manokwari. Rates are illustrative examples, not tariffs: no
#: current published Manokwari rates were found (one 2019 J&T rate: about Rp48.000/kg
#: Makassar -> Jayapura), so no rate is a fact of the registry and none is graded.
DESTINATIONS: tuple[Destination, ...] = (
    Destination("Ransiki", "Papua Barat", 25_000, (2, 3), False, False, 1.0),
    Destination("Bintuni", "Papua Barat", 45_000, (3, 5), True, False, 1.0),
    Destination("Wasior", "Papua Barat", 45_000, (3, 6), True, False, 0.6),
    Destination("Fakfak", "Papua Barat", 50_000, (3, 5), True, False, 0.6),
    Destination("Kaimana", "Papua Barat", 55_000, (3, 6), True, False, 0.5),
    Destination("Sorong", "Papua Barat Daya", 38_000, (2, 4), True, True, 2.5),
    Destination("Jayapura", "Papua", 48_000, (2, 4), True, True, 1.5),
    Destination("Biak", "Papua", 42_000, (2, 4), True, False, 1.0),
    Destination("Nabire", "Papua Tengah", 50_000, (3, 5), True, False, 0.8),
    Destination("Timika", "Papua Tengah", 58_000, (3, 5), True, False, 0.6),
    Destination("Merauke", "Papua Selatan", 70_000, (4, 7), True, False, 0.4),
    Destination("Makassar", "Sulawesi Selatan", 55_000, (3, 5), True, True, 1.2),
    Destination("Ambon", "Maluku", 52_000, (3, 5), True, True, 0.6),
    Destination("Manado", "Sulawesi Utara", 60_000, (3, 6), True, True, 0.5),
    Destination("Surabaya", "Jawa Timur", 72_000, (4, 6), True, True, 1.0),
    Destination("Jakarta", "DKI Jakarta", 78_000, (4, 6), True, True, 1.4),
    Destination("Denpasar", "Bali", 80_000, (4, 7), False, True, 0.4),
)
DESTINATION = {d.kota: d for d in DESTINATIONS}
HOME_TOWN = "Manokwari"

@dataclass(frozen=True)
class Service:
    kurir: str
    layanan: str
    moda: str
    pembagi: int
    sumber: str
    catatan: str
    rate_factor: float  # x the destination's base rate
    extra_days: tuple[int, int]
    berat_min_kg: int
    needs: str = ""  # "port" or "big_city": where the service runs


#: Volumetric divisors per service, from the fact registry (docs/fakta: jne-berat-tagihan,
#: jnt-cargo-berat-volume, kargo-kapal-berat-volume): JNE 6000; J&T Cargo 5000; sea/land cargo
#: 4000, air 6000. POS and SiCepat divisors were not found, so they are not listed.
SERVICES: tuple[Service, ...] = (
    Service("JNE", "REG", "udara", 6000,
            "https://www.jne.co.id",
            "P x L x T (cm) / 6000; minimal 1 kg; lebih dari 1 kg: pecahan sampai 0,3 kg "
            "dibulatkan ke bawah, di atas 0,3 kg ke atas", 1.0, (0, 0), 1),
    Service("JNE", "YES", "udara", 6000,
            "https://www.jne.co.id",
            "layanan kilat, hanya ke kota besar; aturan berat sama dengan REG", 1.6, (-2, -2), 1,
            "big_city"),
    Service("J&T Cargo", "Cargo", "darat/laut", 5000,
            "https://www.jtcargo.id",
            "untuk paket berat; ada berat minimal (di sini contoh 5 kg)", 0.65, (2, 4), 5),
    Service("Kargo laut", "Kapal", "laut", 4000,
            "https://www.papandayancargo.com/cara-menghitung-kubikasi",
            "kargo darat/laut membagi 4000, kargo udara 6000; hanya ke kota pelabuhan; "
            "berat minimal di sini contoh 10 kg", 0.35, (5, 10), 10, "port"),
)
#: Delivery inside Manokwari (not in ongkir.csv): the seller or an ojek brings the parcel.
LOCAL_COURIER = "antar sendiri"
LOCAL_SERVICE = "lokal"
LOCAL_DELIVERY_FEE = 10_000
PICKUP_COURIER = "ambil sendiri"

# --- Fraud --------------------------------------------------------------------------------

MESSAGE_LABELS = ("normal", "bukti_transfer_palsu", "kelebihan_bayar", "apk_resi", "minta_otp",
                  "cs_palsu", "link_phishing")
SCAM_LABELS = MESSAGE_LABELS[1:]
BLACKLIST_MODUS = (*SCAM_LABELS, "barang_tidak_dikirim", "rekening_penampung")
BLACKLIST_SOURCES = ("grup WhatsApp UMKM", "laporan anggota", "laporan peserta pelatihan",
                     "unggahan Facebook", "cekrekening.id")
#: Reserved example domains (RFC 2606/6761), by what the fake page pretends to be: no real
#: site is ever named.
PHISHING_DOMAINS = {
    "marketplace": ("shopee-verifikasi.example", "seller-center-id.example"),
    "bantuan": ("klaim-bantuan-umkm.example", "daftar-bpum.example"),
    "resi": ("cek-resi-paket.example", "lacak-kiriman.example"),
    "bank": ("perbarui-data-rekening.example", "bank-update.example"),
    "katalog": ("katalog-toko.example", "login-akun.example"),
    "voucher": ("voucher-ongkir.example", "promo-seller.example"),
}
