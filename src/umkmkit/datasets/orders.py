"""Online orders of the featured sellers (messy log + clean answer key) and their bank mutations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from umkmkit.datasets import fictitious, shipping, spelling, world
from umkmkit.datasets.catalog import product_id
from umkmkit.datasets.dice import Dice
from umkmkit.datasets.people import Person, make_person, relative_of
from umkmkit.datasets.registry import Registry

PERIOD_START = date(2022, 9, 1)
PERIOD_END = date(2022, 11, 30)
ORDER_COUNTS = {"keripik": 85, "abon": 80, "noken": 55, "kopi": 70}
#: Share of out-of-town buyers' orders that stay in Manokwari, per seller.
LOCAL_SHARE = {"keripik": 0.6, "abon": 0.55, "noken": 0.35, "kopi": 0.35}
#: Example marketplace admin fee, percent of the subtotal (illustrative, not a current tariff).
MARKETPLACE_FEE_PERCENT = 4
#: Example monthly bank fee (illustrative).
BANK_MONTHLY_FEE = 10_000
#: Special cases of reconciliation, per seller (at least one of each across sellers).
SPECIAL_CASES = {
    "keripik": ("lebih_bayar", "kurang_bayar"),
    "abon": ("tanpa_kredit", "nama_lain"),
    "noken": ("tanpa_kredit", "nama_lain", "kurang_bayar"),
    "kopi": ("lebih_bayar",),
}
#: Sellers who receive a credit that no order explains (possible triangulation scam).
UNEXPLAINED_CREDIT = ("keripik", "abon")
DUPLICATE_SHARE = 0.06

Row = dict[str, object]


@dataclass
class Order:
    order_id: str
    seller: world.FeaturedSeller
    seller_id: str
    day: date
    kanal: str
    buyer: Person
    phone: str  # national digits
    town: str
    product: world.Product
    qty: int
    bulk: bool
    method: str
    kurir: str = ""
    layanan: str = ""
    charged_kg: int = 0
    ongkir: int = 0
    status: str = "baru"
    paid: date | None = None
    shipped: date | None = None
    completed: date | None = None
    pay_later: bool = False
    result: str = "belum_bayar"
    note: str = ""
    paid_amount: int | None = None  # when the credit differs from the total
    payer: Person | None = None  # when someone else paid

    @property
    def marketplace(self) -> bool:
        return self.kanal in world.MARKETPLACES

    @property
    def local(self) -> bool:
        return self.town == world.HOME_TOWN

    @property
    def subtotal(self) -> int:
        return self.qty * self.product.harga_jual

    @property
    def total(self) -> int:
        return self.subtotal + self.ongkir


@dataclass
class OrderBook:
    orders: list[Order]
    clean: list[Row] = field(default_factory=list)
    messy: list[Row] = field(default_factory=list)
    mutations: list[Row] = field(default_factory=list)


def _day_in_period(dice: Dice) -> date:
    month = dice.weighted(((9, 28), (10, 34), (11, 38)))
    last = 30 if month in (9, 11) else 31
    return date(world.YEAR, month, dice.between(1, last))


def _clip(day: date | None) -> date | None:
    return day if day is not None and day <= PERIOD_END else None


def _ship(dice: Dice, order: Order) -> int:
    """Choose courier and service, set the charged weight and shipping fee; return transit days."""
    if order.local:
        if order.method == "tunai" and dice.chance(0.6):
            order.kurir = world.PICKUP_COURIER
        else:
            order.kurir, order.layanan, order.ongkir = (world.LOCAL_COURIER, world.LOCAL_SERVICE,
                                                        world.LOCAL_DELIVERY_FEE)
        return 0
    destination = world.DESTINATION[order.town]
    p = order.product
    weight, volume = order.qty * p.berat_gram, order.qty * p.panjang_cm * p.lebar_cm * p.tinggi_cm
    services = {(s.kurir, s.layanan): s for s in world.SERVICES if shipping.available(s, destination)}
    regular = services[("JNE", "REG")]
    kg = shipping.charged_weight_kg(weight, volume, regular.pembagi)
    choice = regular
    if kg >= 10 and ("Kargo laut", "Kapal") in services:
        choice = dice.choice((services[("Kargo laut", "Kapal")], services[("J&T Cargo", "Cargo")], regular))
    elif kg >= 5:
        choice = services[("J&T Cargo", "Cargo")] if dice.chance(0.6) else regular
    elif ("JNE", "YES") in services and dice.chance(0.15):
        choice = services[("JNE", "YES")]
    order.kurir, order.layanan = choice.kurir, choice.layanan
    order.charged_kg = shipping.charged_weight_kg(weight, volume, choice.pembagi, choice.berat_min_kg)
    order.ongkir = order.charged_kg * shipping.rate_per_kg(choice, destination)
    low, high = shipping.delivery_days(choice, destination)
    return dice.between(low, high)


def _payment_method(dice: Dice, order: Order) -> str:
    if order.marketplace:
        return dice.weighted((("e-wallet", 40), ("transfer", 35), ("COD", 25)))
    if order.local:
        return dice.weighted((("tunai", 25), ("COD", 25), ("transfer", 30), ("QRIS", 12), ("e-wallet", 8)))
    return dice.weighted((("transfer", 70), ("QRIS", 15), ("e-wallet", 15)))


def _schedule(dice: Dice, order: Order, transit: int) -> None:
    """Dates of payment, shipping and completion, and the status the seller recorded."""
    d = order.day
    if dice.chance(0.04):
        order.status = "batal"
        return
    if order.method == "tunai":
        paid = shipped = completed = d
    elif order.method == "COD" and not order.marketplace:
        shipped = d + timedelta(days=dice.below(2))
        paid = completed = shipped
    elif order.marketplace:
        shipped = d + timedelta(days=dice.below(3))
        delivered = shipped + timedelta(days=transit)
        paid = delivered if order.method == "COD" else d
        completed = delivered + timedelta(days=dice.below(3))
    else:
        if order.method == "transfer" and dice.chance(0.05):
            order.pay_later = True
            shipped = d
            paid = d + timedelta(days=dice.between(2, 6))
        else:
            paid = d + timedelta(days=dice.weighted(((0, 70), (1, 25), (2, 5))))
            shipped = paid + timedelta(days=dice.weighted(((0, 40), (1, 45), (2, 15))))
        completed = shipped + timedelta(days=transit)
    order.paid, order.shipped, order.completed = _clip(paid), _clip(shipped), _clip(completed)
    if order.shipped is None:
        order.status = "dibayar" if order.paid else "baru"
    else:
        order.status = "selesai" if order.completed else "dikirim"


def _result(order: Order) -> str:
    if order.paid is None:
        return "belum_bayar"
    if order.method == "tunai" or (order.method == "COD" and not order.marketplace):
        return "tanpa_bank"
    if order.marketplace:
        return "lewat_marketplace"
    return "cocok"


def _new_buyer(dice: Dice, seller_key: str, people: set[str], numbers: fictitious.NumberPool
               ) -> tuple[Person, str, str]:
    local = dice.chance(LOCAL_SHARE[seller_key])
    weights = world.NAME_GROUP_WEIGHTS["default"] if local else (
        ("papua", 20), ("jawa", 35), ("bugis", 18), ("toraja", 7), ("maluku", 8), ("batak", 7),
        ("manado", 5))
    buyer = make_person(dice, weights, people)
    town = world.HOME_TOWN if local else dice.weighted([(d.kota, d.share) for d in world.DESTINATIONS])
    return buyer, fictitious.phone(numbers.draw()), town


def _quantity(dice: Dice, product: world.Product) -> tuple[int, bool]:
    if dice.chance(0.08):
        # A reseller or an office: enough to pass Rp1 juta, in a round amount.
        qty = -(-1_000_000 // product.harga_jual) + dice.between(0, 5 if product.harga_jual < 100_000 else 1)
        while qty * product.harga_jual % 10_000:
            qty += 1
        return qty, True
    return dice.weighted(((1, 55), (2, 30), (3, 10), (4, 5))), False


def make_orders(seed: int, registry: Registry, fake_proof_numbers: list[str]) -> OrderBook:
    """The orders of every seller with an order log, with the reconciliation cases planted."""
    people: set[str] = set(person.name for person in registry.owners.values())
    orders: list[Order] = []
    fake_numbers = list(fake_proof_numbers)
    for seller in world.FEATURED_SELLERS:
        if not seller.order_prefix:
            continue
        dice = Dice(seed, f"pesanan/{seller.key}")
        numbers = fictitious.NumberPool(dice, *fictitious.PHONE_SLICES["pembeli"])
        products = [p for p in world.PRODUCTS if p.seller == seller.key]
        channels = [(c, {"WhatsApp": 50, "Facebook": 15, "Instagram": 15, "Shopee": 12,
                         "TikTok Shop": 8}[c]) for c in seller.channels if c != "langsung"]
        direct = [(c, w) for c, w in channels if c not in world.MARKETPLACES]
        buyers: list[tuple[Person, str, str]] = []
        drafts = []
        for _ in range(ORDER_COUNTS[seller.key]):
            repeat = bool(buyers) and dice.chance(0.25)
            buyer = dice.choice(buyers) if repeat else _new_buyer(dice, seller.key, people, numbers)
            if not repeat:
                buyers.append(buyer)
            drafts.append((_day_in_period(dice), buyer, repeat))
        drafts.sort(key=lambda draft: draft[0])
        seller_orders = []
        for number, (day, (person, phone, town), repeat) in enumerate(drafts, start=1):
            kanal = dice.weighted(channels)
            if town == world.HOME_TOWN and kanal in world.MARKETPLACES:
                kanal = dice.weighted(direct)
            product = dice.weighted([(p, p.popularity) for p in products])
            qty, bulk = _quantity(dice, product)
            order = Order(f"{seller.order_prefix}-{number:03d}", seller, registry.featured[seller.key],
                          day, kanal, person, phone, town, product, qty, bulk, "")
            order.method = _payment_method(dice, order)
            transit = _ship(dice, order)
            _schedule(dice, order, transit)
            order.result = _result(order)
            if order.pay_later and repeat:
                order.note = "pelanggan lama, kirim dulu bayar belakangan"
            elif order.pay_later:
                order.note = "kirim dulu, bayar nanti"
            seller_orders.append(order)
        _plant_cases(dice, seller, seller_orders, people, fake_numbers)
        orders += seller_orders
    book = OrderBook(orders)
    book.clean = [_clean_row(order) for order in orders]
    book.messy = _messy_rows(seed, orders)
    book.mutations = _mutation_rows(seed, registry, orders, people)
    return book


def _plant_cases(dice: Dice, seller: world.FeaturedSeller, orders: list[Order], people: set[str],
                 fake_numbers: list[str]) -> None:
    eligible = [o for o in orders if not o.marketplace and o.method == "transfer" and o.paid
                and o.shipped and not o.bulk and not o.pay_later and o.result == "cocok"]
    cases = SPECIAL_CASES[seller.key]
    if len(eligible) < len(cases):
        raise ValueError(f"{seller.key}: only {len(eligible)} orders can carry {len(cases)} cases")
    for case, order in zip(cases, dice.sample(eligible, len(cases))):
        order.result = case
        if case == "tanpa_kredit":
            # A new 'buyer' whose number is on the community blacklist sends an edited receipt.
            order.buyer = make_person(dice, world.NAME_GROUP_WEIGHTS["default"], people)
            order.phone = fake_numbers.pop(0)
            order.paid = None
            order.note = dice.choice(("bukti tf sdh dikirim via WA", "katanya sdh tf, bukti ada di chat"))
        elif case == "lebih_bayar":
            order.paid_amount = order.total * 10 if dice.chance(0.5) else order.total + 100_000
            order.note = "pembeli tf lebih, sdh dikembalikan"
        elif case == "kurang_bayar":
            order.paid_amount = order.subtotal if order.ongkir else order.total // 2000 * 1000
        elif case == "nama_lain":
            order.payer = relative_of(dice, order.buyer, people)
            if dice.chance(0.5):
                order.note = "tf pakai rek keluarga"


def _clean_row(order: Order) -> Row:
    return {
        "id_pesanan": order.order_id,
        "id_umkm": order.seller_id,
        "tanggal": order.day,
        "kanal": order.kanal,
        "nama_pembeli": order.buyer.name,
        "nomor_hp": fictitious.phone_e164(order.phone),
        "kota_tujuan": order.town,
        "id_produk": product_id(order.product),
        "nama_produk": order.product.nama,
        "jumlah": order.qty,
        "harga_satuan": order.product.harga_jual,
        "subtotal": order.subtotal,
        "kurir": order.kurir,
        "layanan": order.layanan,
        "berat_tagih_kg": order.charged_kg,
        "ongkir": order.ongkir,
        "total": order.total,
        "metode_bayar": order.method,
        "status": order.status,
        "tanggal_bayar": order.paid,
        "tanggal_kirim": order.shipped,
        "hasil_cocok": order.result,
    }


# --- The messy log ------------------------------------------------------------------------

_CHANNEL_SPELLINGS = {
    "WhatsApp": ("WhatsApp", "WA", "wa", "Whatsapp"),
    "Instagram": ("Instagram", "IG", "ig"),
    "Facebook": ("Facebook", "FB", "fb"),
    "Shopee": ("Shopee", "shopee"),
    "TikTok Shop": ("TikTok Shop", "Tiktok", "tiktok shop"),
}
_METHOD_SPELLINGS = {
    "transfer": ("transfer", "tf", "Transfer", "trf"),
    "QRIS": ("QRIS", "qris", "Qris"),
    "e-wallet": ("e-wallet", "ewallet", "dompet digital"),
    "COD": ("COD", "cod"),
    "tunai": ("tunai", "cash", "Tunai"),
}
_TOWN_SPELLINGS = {"Manokwari": ("mkw", "Mkw", "Manokwari kota"), "Jakarta": ("Jkt",),
                   "Surabaya": ("Sby",), "Makassar": ("Mks",)}
_UNIT_WORDS = {"bungkus": ("bks", "bungkus"), "toples": ("toples",), "kotak": ("kotak", "ktk"),
               "buah": ("pcs", "bh"), "botol": ("btl",), "lembar": ("lbr",)}
_EXTRA_NOTES = ("minta dikirim cepat", "bungkus kado", "alamat lengkap di chat", "pelanggan lama",
                "titip di kios depan", "sdh konfirmasi")
_DATE_WEIGHTS = (("dd/mm/yyyy", 30), ("d Mon yyyy", 20), ("yyyy-mm-dd", 15), ("d-m-yy", 20),
                 ("d Month yyyy", 15))
_PHONE_WEIGHTS = (("08-strip", 20), ("08-polos", 30), ("08-spasi", 10), ("+62-spasi", 15),
                  ("+62-polos", 10), ("62-strip", 15))


def _spell(dice: Dice, canonical: str, spellings: tuple[str, ...], keep: float) -> str:
    return canonical if dice.chance(keep) else dice.choice(spellings)


def _messy_row(dice: Dice, order: Order) -> Row:
    p = order.product
    if p.typos and dice.chance(0.3):
        produk = dice.choice(p.typos)
    else:
        produk = p.nama.lower() if dice.chance(0.2) else p.nama
    unit = p.satuan.split()[0]
    jumlah = str(order.qty)
    if unit in _UNIT_WORDS and dice.chance(0.2):
        jumlah += " " + dice.choice(_UNIT_WORDS[unit])
    if order.ongkir:
        ongkir = spelling.write_amount(order.ongkir, dice.weighted(
            [(s, 3 if s.startswith("Rp") else 2) for s in spelling.amount_styles_for(order.ongkir)
             if not s.startswith("jt")]))
    else:
        ongkir = dice.choice(("-", "0", "-"))
    note = order.note
    if not note and order.bulk:
        note = dice.choice(("reseller", "pesanan kantor", "utk acara gereja", "borongan"))
    if not note and order.method == "COD" and not order.marketplace:
        note = "bayar di tempat" if dice.chance(0.5) else ""
    if not note and dice.chance(0.12):
        note = dice.choice(_EXTRA_NOTES)
    status = order.status.capitalize() if dice.chance(0.15) else order.status
    return {
        "id_pesanan": order.order_id,
        "id_umkm": order.seller_id,
        "tanggal": spelling.write_date(order.day, dice.weighted(_DATE_WEIGHTS)),
        "kanal": _spell(dice, order.kanal, _CHANNEL_SPELLINGS[order.kanal], 0.7),
        "nama_pembeli": order.buyer.name if dice.chance(0.85) else order.buyer.name.lower(),
        "nomor_hp": fictitious.format_phone(order.phone, dice.weighted(_PHONE_WEIGHTS)),
        "kota_tujuan": _spell(dice, order.town, _TOWN_SPELLINGS.get(order.town, (order.town.lower(),)), 0.8),
        "produk": produk,
        "jumlah": jumlah,
        "ongkir": ongkir,
        "total": spelling.pick_amount(dice, order.total),
        "metode_bayar": _spell(dice, order.method, _METHOD_SPELLINGS[order.method], 0.7),
        "status": status,
        "catatan": note,
    }


def _messy_rows(seed: int, orders: list[Order]) -> list[Row]:
    """Each seller's log in the order it was typed, some orders typed twice."""
    dice = Dice(seed, "pesanan/tulisan")
    rows: list[Row] = []
    for seller in world.FEATURED_SELLERS:
        own = [o for o in orders if o.seller is seller]
        if not own:
            continue
        # Entries made when the seller is back in signal come a few days late.
        typed = sorted(own, key=lambda o: (o.day + timedelta(days=dice.between(1, 6) if dice.chance(0.08) else 0),
                                           o.order_id))
        log = [_messy_row(dice, order) for order in typed]
        for position in sorted(dice.sample(range(len(log)), round(len(log) * DUPLICATE_SHARE)), reverse=True):
            first = log[position]
            if dice.chance(0.5):
                copy = dict(first)  # the same line pasted twice
            else:
                order = next(o for o in own if o.order_id == first["id_pesanan"])
                copy = _messy_row(dice, order)  # typed again from the chat, spelled differently
                for _ in range(10):
                    if copy != first:
                        break
                    copy = _messy_row(dice, order)
            log.insert(min(len(log), position + 1 + dice.below(4)), copy)
        rows += log
    return rows


# --- Bank mutations -----------------------------------------------------------------------

@dataclass
class _Line:
    day: date
    rank: int  # 0 opening, 1 money in, 2 money out
    keterangan: str
    nama: str = ""
    kredit: int = 0
    debit: int = 0
    ref: str = ""
    kasus: str = "pembayaran"
    optional: bool = False  # an expense the seller skips when the balance is low


def _bank_name(person: Person) -> str:
    return person.name.upper()[:20].rstrip()


def _round_up(amount: int, step: int) -> int:
    return max(step, -(-amount // step) * step)


def _mondays() -> list[date]:
    day = PERIOD_START + timedelta(days=(7 - PERIOD_START.weekday()) % 7)
    result = []
    while day <= PERIOD_END:
        result.append(day)
        day += timedelta(days=7)
    return result


def _mutation_rows(seed: int, registry: Registry, orders: list[Order], people: set[str]) -> list[Row]:
    rows: list[Row] = []
    for seller in world.FEATURED_SELLERS:
        own = [o for o in orders if o.seller is seller]
        if not own:
            continue
        dice = Dice(seed, f"mutasi/{seller.key}")
        lines = [_Line(PERIOD_START, 0, "SALDO AWAL", kasus="saldo_awal")]
        for order in own:
            if order.result in ("cocok", "kurang_bayar", "lebih_bayar", "nama_lain") and not order.marketplace:
                payer = order.payer or order.buyer
                amount = order.paid_amount or order.total
                if order.method == "QRIS":
                    line = _Line(order.paid, 1, f"QRIS CR {dice.between(100000, 999999)}", "", amount)
                elif order.method == "e-wallet":
                    line = _Line(order.paid, 1, f"TRF E-WALLET {_bank_name(payer)}", _bank_name(payer), amount)
                else:
                    prefix = dice.choice(("TRF DARI", "BI-FAST CR", "TRF DARI"))
                    line = _Line(order.paid, 1, f"{prefix} {_bank_name(payer)}", _bank_name(payer), amount)
                line.ref = order.order_id
                line.kasus = "pembayaran" if order.result == "cocok" else order.result
                lines.append(line)
                if order.result == "lebih_bayar":
                    lines.append(_Line(min(order.paid + timedelta(days=1), PERIOD_END), 2,
                                       f"TRF KE {_bank_name(payer)}", debit=amount - order.total,
                                       ref=order.order_id, kasus="pengembalian"))
            if order.shipped and not order.marketplace and not order.local:
                lines.append(_Line(order.shipped, 2, f"QRIS {order.kurir.upper()} AGEN MANOKWARI",
                                   debit=order.ongkir, ref=order.order_id, kasus="ongkir"))
        pending: dict[str, list[Order]] = {m: [] for m in world.MARKETPLACES}
        for order in own:
            if order.marketplace and order.status == "selesai" and order.completed:
                pending[order.kanal].append(order)
        for monday in _mondays():
            for market, queue in pending.items():
                due = [o for o in queue if o.completed < monday]
                if not due:
                    continue
                net = sum(o.subtotal - o.subtotal * MARKETPLACE_FEE_PERCENT // 100 for o in due)
                lines.append(_Line(monday, 1, f"PENARIKAN SALDO {market.upper()}", market.upper(), net,
                                   ref=";".join(o.order_id for o in due), kasus="penarikan_marketplace"))
                pending[market] = [o for o in queue if o not in due]
        if seller.key in UNEXPLAINED_CREDIT:
            stranger = make_person(dice, world.NAME_GROUP_WEIGHTS["default"], people)
            day = PERIOD_START + timedelta(days=dice.between(20, 80))
            lines.append(_Line(day, 1, f"TRF DARI {_bank_name(stranger)}", _bank_name(stranger),
                               dice.between(10, 30) * 50_000, kasus="tanpa_pesanan"))
        # Expenses follow the seller's turnover: raw materials weekly, cash now and then.
        weekly = sum(line.kredit for line in lines
                     if line.kasus in ("pembayaran", "penarikan_marketplace")) // len(_mondays())
        suppliers = [make_person(dice, world.NAME_GROUP_WEIGHTS["default"], people) for _ in range(2)]
        for monday in _mondays():
            day = monday + timedelta(days=dice.below(5))
            if day <= PERIOD_END:
                lines.append(_Line(day, 2, f"TRF KE {_bank_name(dice.choice(suppliers))}",
                                   debit=_round_up(weekly * dice.between(30, 55) // 100, 50_000),
                                   kasus="pengeluaran", optional=True))
            if dice.chance(0.5):
                day = monday + timedelta(days=dice.below(7))
                if day <= PERIOD_END:
                    lines.append(_Line(day, 2, "TARIK TUNAI ATM",
                                       debit=_round_up(weekly * dice.between(10, 30) // 100, 100_000),
                                       kasus="pengeluaran", optional=True))
        for month in (9, 10, 11):
            last = date(world.YEAR, month + 1, 1) - timedelta(days=1)
            lines.append(_Line(last, 2, "BIAYA ADM BULANAN", debit=BANK_MONTHLY_FEE, kasus="biaya_admin"))
        balance = dice.between(10, 30) * 100_000
        ordered = [line for _, line in sorted(enumerate(lines), key=lambda i: (i[1].day, i[1].rank, i[0]))]
        booked = []
        for line in ordered:
            if line.optional and balance - line.debit < 300_000:
                continue  # the seller postpones a purchase when money is short
            if balance - line.debit < 0:
                # Not enough money for a payment that cannot wait: cash from sales is deposited.
                deposit = _round_up(line.debit - balance + 200_000, 100_000)
                booked.append((_Line(line.day, 1, "SETOR TUNAI", kredit=deposit, kasus="setor_tunai"),
                               balance + deposit))
                balance += deposit
            balance += line.kredit - line.debit
            booked.append((line, balance))
        for line, saldo in booked:
            rows.append({
                "id_umkm": registry.featured[seller.key],
                "bank": seller.bank,
                "tanggal": line.day,
                "keterangan": line.keterangan,
                "nama_pengirim": line.nama,
                "kredit": line.kredit,
                "debit": line.debit,
                "saldo": saldo,
                "id_pesanan_terkait": line.ref,
                "kasus": line.kasus,
            })
    return rows
