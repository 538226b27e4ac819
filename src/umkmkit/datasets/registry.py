"""The office's registry of UMKM and the two 2022 cohort rosters drawn from it."""

from __future__ import annotations

from dataclasses import dataclass

from umkmkit.datasets import fictitious, world
from umkmkit.datasets.dice import Dice
from umkmkit.datasets.people import Person, make_person

#: Businesses in the registry (the office reported 1,000+; KemenKopUKM counted 3,247 in 2022).
N_BUSINESSES = 1250
COHORTS = ("mkw-2022-06", "mkw-2022-08")
TRAINEES_PER_COHORT = 100
#: Trainees who attended both workshops.
TRAINED_TWICE = 6
#: Born in or after this year: aged 30 or less in 2022 (pemuda, UU 40/2009: 16-30 years).
YOUTH_BORN_FROM = world.YEAR - 30

Row = dict[str, object]


@dataclass(frozen=True)
class Registry:
    rows: list[Row]
    owners: dict[str, Person]  # id_umkm -> owner
    featured: dict[str, str]  # featured seller key -> id_umkm

    def row(self, business_id: str) -> Row:
        return self.rows[int(business_id.removeprefix("MKW-")) - 1]


def business_id(n: int) -> str:
    return f"MKW-{n:05d}"


def trainee_id(business: str) -> str:
    """``MKW-00042`` -> ``P-00042``: a trainee keeps this id in every cohort."""
    return "P-" + business.removeprefix("MKW-")


def _kampung_signal(district: str, kampung: str) -> bool:
    for d in world.DISTRICTS:
        if d.name == district:
            return dict(d.kampung)[kampung]
    raise KeyError(district)


def _sector(dice: Dice, district: world.District) -> str:
    weights = []
    for name, weight in world.SECTORS:
        if name == "pertanian" and not district.urban:
            weight *= 1.6
        elif name in ("jasa", "perdagangan") and district.urban:
            weight *= 1.5
        weights.append((name, weight))
    return dice.weighted(weights)


def _channels(dice: Dice, signal: bool, young: bool) -> list[str]:
    reach = 1.0 if signal else 0.35
    odds = {
        "WhatsApp": 0.65,
        "Facebook": 0.35,
        "Instagram": 0.18 + (0.17 if young else 0),
        "Shopee": 0.05 + (0.05 if young else 0),
        "TikTok Shop": 0.02 + (0.06 if young else 0),
    }
    online = [c for c in world.CHANNELS[1:] if dice.chance(odds[c] * reach)]
    in_person = not online or dice.chance(0.95)
    return (["langsung"] if in_person else []) + online


def _business_name(pattern: str, owner: Person, kampung: str) -> str:
    return pattern.format(given=owner.given, family=owner.family, place=kampung)


def make_registry(seed: int) -> Registry:
    """The registry rows, in id order, with the featured sellers placed among them."""
    dice = Dice(seed, "umkm")
    numbers = fictitious.NumberPool(dice, *fictitious.PHONE_SLICES["pemilik"])
    featured_at = dict(zip(dice.sample(range(N_BUSINESSES), len(world.FEATURED_SELLERS)),
                           world.FEATURED_SELLERS))
    people: set[str] = set()
    business_names: set[str] = set()
    rows: list[Row] = []
    owners: dict[str, Person] = {}
    featured: dict[str, str] = {}
    for index in range(N_BUSINESSES):
        bid = business_id(index + 1)
        seller = featured_at.get(index)
        if seller:
            district = next(d for d in world.DISTRICTS if d.name == seller.distrik)
            kampung, sector = seller.kampung, seller.sektor
            owner = make_person(dice, (), people, female=seller.female, group=seller.name_group)
            born = dice.between(1993, 2000) if seller.pemuda else dice.between(1966, 1986)
            name = _business_name(seller.name_pattern, owner, kampung)
            channels, nib = list(seller.channels), seller.punya_nib
            featured[seller.key] = bid
        else:
            district = dice.weighted([(d, d.weight) for d in world.DISTRICTS])
            kampung = dice.choice(district.kampung)[0]
            sector = _sector(dice, district)
            weights = world.NAME_GROUP_WEIGHTS["kerajinan" if sector == "kerajinan" else "default"]
            female_odds = {"kuliner": 0.6, "kerajinan": 0.65, "fesyen": 0.7}.get(sector, 0.35)
            owner = make_person(dice, weights, people, female=dice.chance(female_odds))
            young = dice.chance(0.28)
            born = dice.between(YOUTH_BORN_FROM, world.YEAR - 18) if young else dice.between(1957, YOUTH_BORN_FROM - 1)
            name = ""
            patterns = [p for p in world.BUSINESS_NAMES[sector] if owner.female or "Mama" not in p]
            for _ in range(20):
                name = _business_name(dice.choice(patterns), owner, kampung)
                if name not in business_names:
                    break
            else:
                name = f"{name} {owner.family}"
            signal = _kampung_signal(district.name, kampung)
            channels = _channels(dice, signal, young)
            nib = dice.chance(0.32 if district.urban else 0.18)
        if name in business_names:
            name = f"{name} ({kampung})"
        business_names.add(name)
        owners[bid] = owner
        rows.append({
            "id_umkm": bid,
            "nama_usaha": name,
            "nama_pemilik": owner.name,
            "jenis_kelamin": "P" if owner.female else "L",
            "tahun_lahir": born,
            "oap": owner.papuan,
            "sektor": sector,
            "distrik": district.name,
            "kampung": kampung,
            "ada_sinyal": _kampung_signal(district.name, kampung),
            "punya_nib": nib,
            "kanal_jualan": ";".join(channels),
            "nomor_hp": fictitious.format_phone(fictitious.phone(numbers.draw()), "08-strip"),
        })
    return Registry(rows, owners, featured)


def _weighted_distinct(dice: Dice, candidates: list[tuple[Row, float]], k: int) -> list[Row]:
    """k distinct rows, each draw in proportion to the remaining weights."""
    pool = list(candidates)
    chosen = []
    for _ in range(k):
        total = sum(weight for _, weight in pool)
        point = dice.random() * total
        for position, (row, weight) in enumerate(pool):
            point -= weight
            if point < 0 or position == len(pool) - 1:
                chosen.append(row)
                del pool[position]
                break
    return chosen


def make_rosters(seed: int, registry: Registry) -> dict[str, list[Row]]:
    """Cohort id -> roster rows (sorted by id_peserta), mostly kuliner and kerajinan."""
    dice = Dice(seed, "roster")
    forced = {cohort: [registry.featured[s.key] for s in world.FEATURED_SELLERS if s.cohort == cohort]
              for cohort in COHORTS}
    forced_ids = {bid for ids in forced.values() for bid in ids}

    def weight(row: Row) -> float:
        sector = 10.0 if row["sektor"] in ("kuliner", "kerajinan") else 3.0
        return sector * (1.0 if row["ada_sinyal"] else 0.6)

    candidates = [(row, weight(row)) for row in registry.rows if row["id_umkm"] not in forced_ids]
    distinct = 2 * TRAINEES_PER_COHORT - TRAINED_TWICE - len(forced_ids)
    drawn = _weighted_distinct(dice, candidates, distinct)
    twice, rest = drawn[:TRAINED_TWICE], drawn[TRAINED_TWICE:]
    first_only = TRAINEES_PER_COHORT - TRAINED_TWICE - len(forced[COHORTS[0]])
    members = {
        COHORTS[0]: [registry.row(b) for b in forced[COHORTS[0]]] + twice + rest[:first_only],
        COHORTS[1]: [registry.row(b) for b in forced[COHORTS[1]]] + twice + rest[first_only:],
    }
    rosters = {}
    for cohort, rows in members.items():
        if len(rows) != TRAINEES_PER_COHORT:
            raise ValueError(f"roster {cohort} has {len(rows)} trainees, expected {TRAINEES_PER_COHORT}")
        rosters[cohort] = [
            {
                "id_peserta": trainee_id(str(row["id_umkm"])),
                "nama": row["nama_pemilik"],
                "id_umkm": row["id_umkm"],
                "nama_usaha": row["nama_usaha"],
                "sektor": row["sektor"],
                "distrik": row["distrik"],
                "kohort": cohort,
            }
            for row in sorted(rows, key=lambda r: str(r["id_umkm"]))
        ]
    return rosters
