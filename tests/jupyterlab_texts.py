"""What JupyterLab, its settings schemas and nbgrader's extension write in English, read from the
installed packages: for tests/test_lab_language.py (the kit's catalogues match them) and
tests/test_lab_indonesian.py (a participant sees none of them untranslated)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from jupyter_core.paths import jupyter_path

#: A translation call in JupyterLab's bundles: trans.__("..."), trans._n("...", "..."), trans._p("ctx", "...").
_CALL = re.compile(r'\.(__|_n|_p)\(\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')(?:\s*,\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'))?')


def _text(literal: str) -> str:
    """A JavaScript string literal's text ('...' or "...")."""
    if literal.startswith("'"):
        literal = '"' + literal[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    return json.loads(literal)


def _bundles() -> list[Path]:
    files = []
    for data_dir in jupyter_path():
        root = Path(data_dir)
        files += list((root / "lab" / "static").glob("*.js")) + list((root / "labextensions").rglob("static/*.js"))
    return files


@functools.lru_cache(maxsize=1)
def jupyterlab_messages() -> dict[tuple[str | None, str], str | None]:
    """Every (context, msgid) the installed JupyterLab and its extensions translate: msgid_plural or None."""
    found: dict[tuple[str | None, str], str | None] = {}
    for bundle in _bundles():
        for kind, first, second in _CALL.findall(bundle.read_text(encoding="utf-8", errors="replace")):
            try:
                first = _text(first)
                second = _text(second) if second else None
            except ValueError:  # a JavaScript-only escape (\x..): not a text the kit translates
                continue
            if kind == "_p" and second:
                found[(first, second)] = None
            elif kind == "_n":
                found[(None, first)] = second
            else:
                found.setdefault((None, first), None)
    assert len(found) > 1000, "no JupyterLab bundle found: is JupyterLab installed in this environment?"
    return found


@functools.lru_cache(maxsize=1)
def menu_labels() -> set[str]:
    """The submenu and menu labels of the installed settings schemas (translated with context "menu")."""
    labels = set()

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key == "label" and "jupyter.lab.menus" in path:
                    labels.add(value)
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    for data_dir in jupyter_path():
        for schema in Path(data_dir).rglob("schemas/**/*.json"):
            try:
                walk(json.loads(schema.read_text(encoding="utf-8")), "")
            except ValueError:
                continue
    return labels


def english_texts() -> set[str]:
    """Every English text JupyterLab, its schemas' menus and nbgrader's extension may show."""
    from umkmkit.room.lab_language import LOCALES, NBGRADER_DOMAIN, messages

    texts = {msgid for (context, msgid) in jupyterlab_messages() if context is None} | menu_labels()
    return texts | {msgid for (_context, msgid) in messages(LOCALES[0], NBGRADER_DOMAIN)}
