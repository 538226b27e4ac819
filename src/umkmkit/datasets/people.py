"""Fictitious persons: random combinations of common given names and family names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from umkmkit.datasets import world
from umkmkit.datasets.dice import Dice

#: Groups whose members often carry two given names (Maria Yosina Mandacan).
_TWO_GIVEN_NAMES = ("papua", "maluku", "manado", "toraja", "jawa")


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    name: str
    female: bool
    group: str

    @property
    def papuan(self) -> bool:
        return world.NAME_GROUP[self.group].papuan


def make_person(
    dice: Dice,
    group_weights: Sequence[tuple[str, float]],
    taken: set[str],
    female: bool | None = None,
    group: str | None = None,
) -> Person:
    """A person whose full name is not in ``taken`` nor a public figure's; adds it to ``taken``."""
    group = group or dice.weighted(group_weights)
    names = world.NAME_GROUP[group]
    if female is None:
        female = dice.chance(0.5)
    for _ in range(200):
        given = dice.choice(names.female if female else names.male)
        family = dice.choice(names.family(female))
        full_given = given
        if group in _TWO_GIVEN_NAMES and dice.chance(0.15):
            second = dice.choice(names.female if female else names.male)
            if second != given:
                full_given = f"{given} {second}"
        name = f"{full_given} {family}"
        if name not in taken and name not in world.RESERVED_NAMES:
            taken.add(name)
            return Person(given, family, name, female, group)
    raise ValueError(f"ran out of distinct names in group {group!r}")


def relative_of(dice: Dice, person: Person, taken: set[str]) -> Person:
    """Someone of the same family (another given name, same family name)."""
    names = world.NAME_GROUP[person.group]
    for _ in range(200):
        female = dice.chance(0.5)
        given = dice.choice(names.female if female else names.male)
        family = person.family if names.papuan or person.group != "jawa" else dice.choice(names.family(female))
        name = f"{given} {family}"
        if name != person.name and name not in taken and name not in world.RESERVED_NAMES:
            taken.add(name)
            return Person(given, family, name, female, person.group)
    raise ValueError(f"no relative found for {person.name}")
