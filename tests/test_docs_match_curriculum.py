"""The guides and the data dictionary name the modules curriculum.yml has: no module that is not
there, no count or range that is out of date."""

from __future__ import annotations

import re
from pathlib import Path

from umkmkit.datasets import schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "datasets" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NUMBER_WORDS = {"dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
                "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def test_module_counts_and_ranges_in_the_docs_match_the_curriculum(curriculum):
    ids = [module.id for module in curriculum.modules]
    graded = [module.id for module in curriculum.modules if module.assignment]
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for word in re.findall(r"\b(\w+) (?:modul|modules?)\b", text, flags=re.IGNORECASE):
            if word.lower() in NUMBER_WORDS:
                assert NUMBER_WORDS[word.lower()] in (len(ids), len(graded)), f"{path.name}: '{word} modul'"
        for first, last in re.findall(r"\b(\d\d) (?:sampai|hingga|to) (\d\d)\b", text):
            assert first in ids and last == ids[-1], f"{path.name}: '{first} sampai {last}' but modules are {ids}"
        for number in re.findall(r"\bmodul(?:e)? (\d\d)\b", text, flags=re.IGNORECASE):
            assert number in ids, f"{path.name} names module {number}, which curriculum.yml does not have"


def test_the_data_dictionary_names_only_modules_the_curriculum_has(curriculum):
    names = {module.id: f"{module.id} {module.judul.lower()}" for module in curriculum.modules}
    for key, label in schema.USERS.items():
        if key.isdigit():
            assert names.get(key) == label, f"datasets schema user {key!r}: {label!r}, curriculum has {names.get(key)!r}"
    for data_file in schema.FILES:
        assert set(data_file.used_by) <= set(schema.USERS), data_file.name
