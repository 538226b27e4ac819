"""Numbers, percentages, amounts and dates as the reader writes them, through Babel: one formatter.

Indonesian (id_ID) writes 1.250 and 0,8 and "27 November 2026"; English 1,250 and 0.8 and
"November 27, 2026". The report, trainee sheets, certificates, invitations, feedback and the
doctor all write numbers through these functions, so a reader sees one style everywhere.
"""

from __future__ import annotations

import decimal
import functools
import math
from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates
from babel import numbers as babel_numbers

#: Babel's locale for each language the kit writes in.
LOCALES = {"id": "id_ID", "en": "en"}


def format_number(value: object, lang: str = "id", decimals: int = 1, *, trim: bool = False) -> str:
    """A number through Babel: 1.250 and 0,8 in Indonesian, 1,250 and 0.8 in English.

    Whole numbers get no decimals; others `decimals` of them (`trim`: at most that many, so
    2.5 is "2,5" and 4.0 is "4"). A missing value is "–"; text is returned as it is.
    """
    if hasattr(value, "item"):  # numpy scalars from a table
        value = value.item()
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, int):
        decimals = 0
    return _babel_number(value, lang, decimals, trim)


def format_percent(value: object, lang: str = "id", decimals: int = 0, *, trim: bool = False) -> str:
    """A percentage given out of 100 (73.3) as the reader writes it: "73%", "0,8%"; missing is "–".

    `trim`: at most `decimals` decimals, so 87.5 is "87,5%" and 100.0 is "100%".
    """
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _babel_percent(float(value), lang, decimals, trim)


def format_day(day: date, lang: str = "id") -> str:
    """A date in words: "1 September 2022" in Indonesian, "September 1, 2022" in English."""
    return babel_dates.format_date(day, format="long", locale=LOCALES[lang])


# Babel takes some 80 µs a number; a report writes the same few hundred values tens of thousands of times.
@functools.lru_cache(maxsize=16384)
def _babel_number(value: float, lang: str, decimals: int, trim: bool) -> str:
    pattern = "#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else "")
    # the exact binary value, so rounding is the same as Python's own formatting
    return babel_numbers.format_decimal(decimal.Decimal(value), format=pattern, locale=LOCALES[lang])


@functools.lru_cache(maxsize=16384)
def _babel_percent(value: float, lang: str, decimals: int, trim: bool = False) -> str:
    pattern = "#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else "") + "%"
    return babel_numbers.format_percent(decimal.Decimal(value) / 100, format=pattern, locale=LOCALES[lang])


@dataclass(frozen=True)
class Formats:
    """The formatters above for one language, handed to templates and charts."""

    lang: str = "id"

    def number(self, value: object, decimals: int = 1, *, trim: bool = False) -> str:
        return format_number(value, self.lang, decimals, trim=trim)

    def percent(self, value: object, decimals: int = 0, *, trim: bool = False) -> str:
        return format_percent(value, self.lang, decimals, trim=trim)

    def day(self, day: date) -> str:
        return format_day(day, self.lang)


def month_names(lang: str = "id", width: str = "wide") -> tuple[str, ...]:
    """The twelve month names, January first: "Januari" ("wide") or "Jan" ("abbreviated")."""
    names = babel_dates.get_month_names(width, locale=LOCALES[lang])
    return tuple(names[month] for month in range(1, 13))


def rupiah(amount: object, lang: str = "id") -> str:
    """An amount in rupiah as Indonesians write it: Rp25.000 (no decimals; missing is "–")."""
    if hasattr(amount, "item"):
        amount = amount.item()
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    return "Rp" + _babel_number(float(round(amount)), lang, 0, False)
