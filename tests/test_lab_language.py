"""The kit's Indonesian for JupyterLab and nbgrader (umkmkit.room.lab_language), against the installed versions.

A JupyterLab or nbgrader release that renames a text would silently bring the English back:
these checks name each message of the kit's catalogues that the installed JupyterLab, its
settings schemas or nbgrader's extension no longer have. The browser walk that a participant
sees no English is tests/test_lab_indonesian.py.
"""

from __future__ import annotations

import re

import pytest
from jupyterlab_texts import jupyterlab_messages as installed_messages
from jupyterlab_texts import menu_labels as installed_menu_labels

from umkmkit.room import lab_language
from umkmkit.room.lab_language import CONTEXT_SEPARATOR, LOCALES, NBGRADER_DOMAIN

LOCALE = LOCALES[0]
_PLACEHOLDER = re.compile(r"%\d+")


@pytest.fixture(scope="module")
def jupyterlab_messages():
    return installed_messages()


@pytest.fixture(scope="module")
def menu_labels():
    return installed_menu_labels()


def _kit_messages(domain: str) -> dict[tuple[str | None, str], list[str]]:
    messages = lab_language._catalog(LOCALE, domain)
    assert messages, f"{lab_language.catalog_file(LOCALE, domain)} has no translated message"
    return messages


@pytest.mark.parametrize("domain", lab_language.frontend_domains(LOCALE))
def test_every_message_of_the_kit_is_one_the_installed_jupyterlab_shows(domain, jupyterlab_messages, menu_labels):
    stale = []
    for (context, msgid), forms in _kit_messages(domain).items():
        if context == "menu":
            known = msgid in menu_labels
        else:
            known = (context, msgid) in jupyterlab_messages
            plural = jupyterlab_messages.get((context, msgid))
            assert (len(forms) > 1) == bool(plural), f"{msgid!r}: JupyterLab's plural is {plural!r}"
        if not known:
            stale.append(msgid)
    assert stale == [], (f"{lab_language.catalog_file(LOCALE, domain)}: JupyterLab no longer shows these; "
                         f"find their new wording in JupyterLab and translate that: {stale}")


@pytest.mark.parametrize("domain", [*lab_language.frontend_domains(LOCALE), NBGRADER_DOMAIN])
def test_translations_keep_the_placeholders_and_are_indonesian_not_copies(domain):
    for (_context, msgid), forms in _kit_messages(domain).items():
        for form in forms:
            assert sorted(_PLACEHOLDER.findall(form)) == sorted(_PLACEHOLDER.findall(msgid)), (msgid, form)
            assert form.strip(), msgid
    copies = [msgid for (_c, msgid), forms in _kit_messages(domain).items()
              if forms[0] == msgid and msgid not in ("Notebook", "Markdown", "Kernel")]
    assert copies == [], f"left in English: {copies}"


def test_every_text_of_nbgraders_extension_the_kit_translates_is_still_there():
    static = lab_language.nbgrader_static_dir()
    assert static is not None, "nbgrader's JupyterLab extension is not installed"
    chunks, missing = lab_language.nbgrader_bundles(static, LOCALE)
    assert missing == [], f"nbgrader's extension no longer has: {missing}"
    translated = b"".join(chunks.values()).decode("utf-8")
    assert 'label:"Periksa"' in translated and 'title:"Hasil pemeriksaan"' in translated
    # a single word is replaced only as a whole string: the CSS class and the endpoint stay
    assert "validate-button" in translated and "assignments/validate" in translated


def test_the_kits_wording_wins_over_the_packs_and_plurals_have_both_forms():
    pack = {"": {"domain": "jupyterlab", "version": "jupyterlab"}, "Download": ["Mengunduh"], "Open": ["Buka"]}
    merged = lab_language.lab_catalog(LOCALE, pack)
    assert merged["Download"] == ["Unduh"]  # the pack's "Mengunduh" reads "downloading"
    assert merged["Open"] == ["Buka"]  # the pack's own, kept
    assert merged["Cut Cell"] == ["Potong sel", "Potong sel"]  # JupyterLab looks plurals up only with 2 forms
    assert merged[f"menu{CONTEXT_SEPARATOR}New"] == ["Baru"]
    assert merged[""] == pack[""]


def test_settings_schemas_are_translated_on_the_server_too():
    from jupyterlab_server.translation_utils import translator

    lab_language._layer_server_translations()
    lab_language._layer_server_translations()  # twice: still one layer
    before = translator._LOCALE
    try:
        translator.set_locale(LOCALE)
        schema = {"jupyter.lab.menus": {"main": [{"id": "jp-mainmenu-file", "label": "File",
                                                  "items": [{"type": "submenu", "submenu": {"label": "New"}}]}]},
                  "title": "Notebook"}
        translated = translator.translate_schema(schema)
        menu = translated["jupyter.lab.menus"]["main"][0]
        assert menu["label"] == "Berkas" and menu["items"][0]["submenu"]["label"] == "Baru"
    finally:
        translator.set_locale(before)
