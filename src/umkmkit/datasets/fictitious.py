"""Phone and bank-account numbers that cannot belong to anyone.

Phone numbers: every number in the data sets is ``0810-00xx-xxxx`` (in international form
``+62 810-00xx-xxxx``). 0810 sits in the block of the national numbering plan reserved for
mobile networks (08 1x), but no Indonesian operator uses it (to our knowledge: Telkomsel uses
0811-0813, 0821-0823, 0851-0853; Indosat 0814-0816, 0855-0858; XL/Axis 0817-0819, 0859,
0877-0878, 0831-0833, 0838; Tri 0895-0899; Smartfren 0881-0889).

Bank accounts: every account number is 12 digits starting ``0000`` (written e.g. ``0000 1234
5678``); real Indonesian banks do not issue account numbers of this shape.
"""

from __future__ import annotations

import re

from umkmkit.datasets.dice import Dice

#: National form of every phone number: this prefix and six more digits.
PHONE_PREFIX = "081000"
PHONE_RANGE = "0810-00xx-xxxx (+62 810-00xx-xxxx)"
#: Every bank account number: this prefix and eight more digits.
ACCOUNT_PREFIX = "0000"
ACCOUNT_RANGE = "0000-xxxx-xxxx (12 digits starting 0000)"

#: How people write the same phone number; the key names the style.
PHONE_STYLES = ("08-strip", "08-polos", "08-spasi", "+62-spasi", "+62-polos", "62-strip", "08-titik")

_FICTITIOUS_PHONE = re.compile(rf"{PHONE_PREFIX}\d{{6}}")
_FICTITIOUS_ACCOUNT = re.compile(rf"{ACCOUNT_PREFIX}\d{{8}}")


def phone(n: int) -> str:
    """The n-th fictitious phone number (0 <= n < 1,000,000), national form, digits only."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"phone number index {n} is outside 0..999999")
    return f"{PHONE_PREFIX}{n:06d}"


def phone_e164(national: str) -> str:
    """``081000123456`` -> ``6281000123456`` (the form WhatsApp links use, without '+')."""
    return "62" + national[1:]


def format_phone(national: str, style: str) -> str:
    """Write a national number (``081000123456``) the way people do."""
    a, b, c = national[1:4], national[4:8], national[8:]
    written = {
        "08-strip": f"0{a}-{b}-{c}",
        "08-polos": national,
        "08-spasi": f"0{a} {b} {c}",
        "+62-spasi": f"+62 {a}-{b}-{c}",
        "+62-polos": f"+62{national[1:]}",
        "62-strip": f"62-{a}-{b}-{c}",
        "08-titik": f"0{a}.{b}.{c}",
    }
    if style not in written:
        raise ValueError(f"unknown phone style {style!r}; use one of {', '.join(PHONE_STYLES)}")
    return written[style]


def is_fictitious_phone(text: str) -> bool:
    """True when ``text``, in any of the usual spellings, is in the fictitious block."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return bool(_FICTITIOUS_PHONE.fullmatch(digits))


def account(n: int) -> str:
    """The n-th fictitious bank account number (0 <= n < 100,000,000), digits only."""
    if not 0 <= n < 100_000_000:
        raise ValueError(f"account index {n} is outside 0..99999999")
    return f"{ACCOUNT_PREFIX}{n:08d}"


ACCOUNT_STYLES = ("titik", "spasi", "strip", "polos")


def format_account(number: str, style: str) -> str:
    parts = (number[:4], number[4:8], number[8:])
    joiner = {"titik": ".", "spasi": " ", "strip": "-", "polos": ""}
    if style not in joiner:
        raise ValueError(f"unknown account style {style!r}; use one of {', '.join(ACCOUNT_STYLES)}")
    return joiner[style].join(parts)


def is_fictitious_account(text: str) -> bool:
    return bool(_FICTITIOUS_ACCOUNT.fullmatch(re.sub(r"\D", "", text)))


class NumberPool:
    """Hands out distinct fictitious numbers from one slice of the block, per role.

    Slices keep roles apart (an owner never shares a number with a scammer by accident).
    """

    def __init__(self, dice: Dice, low: int, high: int) -> None:
        self._dice, self._low, self._high = dice, low, high
        self._taken: set[int] = set()

    def draw(self) -> int:
        if len(self._taken) > (self._high - self._low) // 2:
            raise ValueError(f"number slice {self._low}..{self._high} is too small")
        while True:
            n = self._dice.between(self._low, self._high)
            if n not in self._taken:
                self._taken.add(n)
                return n


#: Slices of the six free digits of the phone block, by role.
PHONE_SLICES = {
    "pemilik": (100_000, 399_999),
    "pembeli": (400_000, 699_999),
    "pengirim_pesan": (700_000, 799_999),
    "penipu_terlapor": (900_000, 949_999),  # reported in the blacklist
    "penipu_lain": (950_000, 999_999),  # not (yet) reported
}
