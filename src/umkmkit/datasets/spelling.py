"""How people write amounts, dates and names by hand: the messiness of real logs."""

from __future__ import annotations

from datetime import date

from umkmkit.datasets.dice import Dice
from umkmkit.formats import format_number, month_names

MONTHS = month_names("id")
MONTHS_SHORT = month_names("id", "abbreviated")

#: Date spellings, all day first: style -> example for 5 September 2022.
DATE_STYLES = {
    "dd/mm/yyyy": "05/09/2022",
    "d Mon yyyy": "5 Sep 2022",
    "yyyy-mm-dd": "2022-09-05",
    "d-m-yy": "5-9-22",
    "d Month yyyy": "5 September 2022",
}


def write_date(day: date, style: str) -> str:
    if style == "dd/mm/yyyy":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "d Mon yyyy":
        return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year}"
    if style == "yyyy-mm-dd":
        return day.isoformat()
    if style == "d-m-yy":
        return f"{day.day}-{day.month}-{day.year % 100:02d}"
    if style == "d Month yyyy":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    raise ValueError(f"unknown date style {style!r}")


def thousands(amount: int) -> str:
    """25000 -> '25.000' (Indonesian digit grouping)."""
    return format_number(int(amount), "id")


def rupiah(amount: int) -> str:
    """The house style: Rp25.000."""
    return "Rp" + thousands(amount)


#: Amount spellings: style -> example for 25000 (and 1500000 for the jt styles).
AMOUNT_STYLES = {
    "Rp": "Rp25.000",
    "Rp spasi": "Rp 25.000",
    "rb": "25rb",
    "ribu": "25 ribu",
    "angka": "25000",
    "titik": "25.000",
    "jt": "1,5 jt",
    "jt rapat": "1,5jt",
}


def amount_styles_for(amount: int) -> tuple[str, ...]:
    """The spellings that state ``amount`` exactly."""
    styles = ["Rp", "Rp spasi", "angka", "titik"]
    if amount % 1000 == 0:
        styles.append("rb")
        if amount < 1_000_000:
            styles.append("ribu")
    if amount >= 1_000_000 and amount % 10_000 == 0:
        styles += ["jt", "jt rapat"]
    return tuple(styles)


def write_amount(amount: int, style: str) -> str:
    if style not in amount_styles_for(amount):
        raise ValueError(f"style {style!r} cannot state {amount} exactly")
    if style == "Rp":
        return rupiah(amount)
    if style == "Rp spasi":
        return "Rp " + thousands(amount)
    if style == "angka":
        return str(amount)
    if style == "titik":
        return thousands(amount)
    if style == "rb":
        return thousands(amount // 1000) + "rb"
    if style == "ribu":
        return f"{amount // 1000} ribu"
    millions, rest = divmod(amount, 1_000_000)
    number = str(millions) + ("," + f"{rest // 10_000:02d}".rstrip("0") if rest else "")
    return number + (" jt" if style == "jt" else "jt")


def pick_amount(dice: Dice, amount: int) -> str:
    """A plausible hand-written spelling of ``amount``; big round amounts favour 'jt'."""
    styles = amount_styles_for(amount)
    if "jt" in styles and dice.chance(0.85):
        return write_amount(amount, dice.choice(("jt", "jt", "jt rapat")))
    weights = {"Rp": 30, "Rp spasi": 8, "rb": 22, "ribu": 12, "angka": 18, "titik": 10,
               "jt": 0, "jt rapat": 0}
    return write_amount(amount, dice.weighted([(s, weights[s]) for s in styles]))
