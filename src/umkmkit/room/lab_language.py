"""JupyterLab in Indonesian, all of it a participant sees: the kit's translations over the language pack's.

The Indonesian language pack (jupyterlab-language-pack-id-ID) translates some 530 of JupyterLab's
1,600 interface strings: menus, the file browser's "Modified" column, the status bar, cell menus and
most dialogs stay English, and a few of its wordings mislead ("Dimuat ulang Notebook dari Disket":
a floppy disk). nbgrader's JupyterLab extension has no translation support at all: its Validate
button, the result dialog and the Assignment List are written in English in its JavaScript.

This Jupyter server extension, enabled on every server the kit starts (`umkmkit lab`, both modes,
and the room server's participants and formgraders), lays the kit's own translations over them,
from gettext catalogues in the kit (translations/<locale>/*.po, read with Babel):

- jupyterlab.po (and jupyterlab_widgets.po, any domain of JupyterLab's extensions): the browser asks the server for its catalogue (GET /lab/api/translations/id_ID);
  the kit answers with the language pack's catalogue, read through jupyterlab_server's public
  `get_language_pack`, and the kit's messages over it (new ones and corrected ones). Messages with
  a context ("menu", "schema", "settings") are also what the server uses to translate settings
  schemas (the "New" and "Open Recent" submenus): the kit's catalogue is placed in front of
  jupyterlab_server's gettext bundle for the jupyterlab domain (its `_translator`, a private
  attribute: jupyterlab_server is pinned in pyproject.toml and the browser walk of
  tests/test_lab_indonesian.py fails on an English submenu if that changes).
- nbgrader.po: msgids are English texts of nbgrader's extension bundle; its chunks are served with
  each text replaced (a phrase wherever it appears, a single word only as a quoted string). A text
  nbgrader no longer has is logged, and tests/test_lab_language.py fails naming it.

Nothing is fetched and no file of the Python environment is changed: a reinstall of JupyterLab,
the pack or nbgrader keeps the kit's translations (they are checked against the installed
versions by the tests). Linux, macOS and Windows alike.
"""

from __future__ import annotations

import functools
import gettext
import json
import re
from collections.abc import Mapping
from pathlib import Path

from babel.messages.pofile import read_po
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.routing import PathMatches, Rule

from umkmkit.room.formgrader_names import PatchedScript

#: Locales the kit translates (its folders under translations/).
LOCALES = ("id_ID",)
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
#: The name of this server extension (for --ServerApp.jpserver_extensions=...=True).
EXTENSION = "umkmkit.room.lab_language"
#: What separates a message's context from its id in JupyterLab's catalogues (gettext's EOT).
CONTEXT_SEPARATOR = "\x04"
#: The kit's catalogue of nbgrader's texts (replaced in its bundle, not a gettext domain of JupyterLab's).
NBGRADER_DOMAIN = "nbgrader"
#: nbgrader's JupyterLab extension, relative to a Jupyter data folder.
NBGRADER_LABEXTENSION = Path("labextensions") / "@jupyter" / "nbgrader"


def catalog_file(locale: str, domain: str) -> Path:
    return TRANSLATIONS_DIR / locale / f"{domain}.po"


@functools.lru_cache(maxsize=None)
def messages(locale: str, domain: str) -> dict[tuple[str | None, str], str]:
    """(context, msgid): msgstr of the kit's catalogue (translated messages only; a plural message
    under its singular msgid, with its one Indonesian form)."""
    return {key: forms[0] for key, forms in _catalog(locale, domain).items()}


@functools.lru_cache(maxsize=None)
def _catalog(locale: str, domain: str) -> dict[tuple[str | None, str], list[str]]:
    """(context, msgid): the translated forms (two for a plural message: JupyterLab looks a plural
    up only where the catalogue has more than one form; Indonesian says both alike)."""
    path = catalog_file(locale, domain)
    if not path.is_file():
        return {}
    with open(path, "rb") as source:
        catalog = read_po(source, locale=locale, domain=domain)
    found = {}
    for message in catalog:
        if not message.id or not message.string:
            continue
        if message.pluralizable:
            forms = [form for form in message.string if form]
            if forms:
                found[(message.context, message.id[0])] = [forms[0], *forms[1:]] if len(forms) > 1 else forms * 2
        else:
            found[(message.context, message.id)] = [message.string]
    return found


def lab_catalog(locale: str, pack: Mapping[str, object], domain: str = "jupyterlab") -> dict[str, object]:
    """The language pack's catalogue of `domain` (JupyterLab's JSON form) with the kit's messages over it."""
    merged = dict(pack) or {"": {"domain": domain, "language": locale.replace("_", "-"),
                                 "plural_forms": "nplurals=1; plural=0;", "version": domain}}
    for (context, msgid), forms in _catalog(locale, domain).items():
        merged[f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid] = forms
    return merged


def frontend_domains(locale: str) -> list[str]:
    """The translation domains the kit has catalogues for, besides nbgrader's (JupyterLab's and its extensions')."""
    folder = TRANSLATIONS_DIR / locale
    return sorted(path.stem for path in folder.glob("*.po") if path.stem != NBGRADER_DOMAIN)


def _replacement_pattern(english: str) -> re.Pattern:
    """A phrase wherever it stands in the bundle; a single word only as a whole quoted string."""
    if " " in english.strip():
        return re.compile(re.escape(english))
    return re.compile(r'(?<=["\'`])' + re.escape(english) + r'(?=["\'`])')


def translated_bundle(source: str, locale: str) -> tuple[str, set[str]]:
    """(nbgrader's chunk with its English texts replaced, the msgids found in it)."""
    found = set()
    for (_context, english), indonesian in messages(locale, NBGRADER_DOMAIN).items():
        pattern = _replacement_pattern(english)
        escaped = json.dumps(indonesian, ensure_ascii=False)[1:-1]  # safe inside any JS string
        source, count = pattern.subn(lambda _match, text=escaped: text, source)
        if count:
            found.add(english)
    return source, found


def nbgrader_bundles(static_dir: Path, locale: str) -> tuple[dict[str, bytes], list[str]]:
    """(chunk file name: translated source, for the chunks with a text to replace; msgids no chunk has)."""
    chunks, found = {}, set()
    for chunk in sorted(static_dir.glob("*.js")):
        source = chunk.read_text(encoding="utf-8")
        translated, hits = translated_bundle(source, locale)
        if hits:
            chunks[chunk.name] = translated.encode("utf-8")
            found |= hits
    missing = sorted(english for _context, english in messages(locale, NBGRADER_DOMAIN) if english not in found)
    return chunks, missing


def nbgrader_static_dir() -> Path | None:
    """The installed nbgrader JupyterLab extension's static folder (None without nbgrader)."""
    from jupyter_core.paths import jupyter_path

    for data_dir in jupyter_path():
        static = Path(data_dir) / NBGRADER_LABEXTENSION / "static"
        if static.is_dir():
            return static
    return None


class _KitTranslations(gettext.NullTranslations):
    """The kit's messages first, then the language pack's (gettext's fallback chain)."""

    def __init__(self, kit_messages: Mapping[tuple[str | None, str], str]) -> None:
        super().__init__()
        self._messages = kit_messages

    def gettext(self, message: str) -> str:
        return self._messages.get((None, message)) or super().gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return self._messages.get((context, message)) or super().pgettext(context, message)


def _layer_server_translations() -> None:
    """Put the kit's catalogue in front of jupyterlab_server's gettext bundle for settings schemas."""
    from jupyterlab_server.translation_utils import DEFAULT_DOMAIN, translator

    bundle = translator.load(DEFAULT_DOMAIN)
    if getattr(bundle, "_umkmkit_layered", False):
        return
    original = bundle.update_locale

    def update_locale(locale_: str) -> None:
        original(locale_)
        kit_messages = messages(locale_, "jupyterlab") if locale_ in LOCALES else {}
        if kit_messages:
            layered = _KitTranslations(kit_messages)
            layered.add_fallback(bundle._translator)
            bundle._translator = layered

    bundle.update_locale = update_locale
    bundle._umkmkit_layered = True
    update_locale(bundle._locale)


class _Catalog(APIHandler):
    """GET <base>/lab/api/translations/<locale>: the pack's catalogues with the kit's jupyterlab messages
    (logged-in users only, as jupyterlab_server's own handler)."""

    @web.authenticated
    def get(self, locale: str) -> None:
        from jupyterlab_server.translation_utils import get_language_pack, translator

        data, message = get_language_pack(locale)
        if data:
            for domain in frontend_domains(locale):
                data[domain] = lab_catalog(locale, data.get(domain, {}), domain)
            translator.set_locale(locale)  # as jupyterlab_server's own handler does
        else:
            message = message or f"Language pack '{locale}' not installed!"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"data": data, "message": message}))


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp) -> None:
    base_url = serverapp.web_app.settings["base_url"]
    rules = []
    locales = "|".join(re.escape(locale) for locale in LOCALES)
    rules.append(Rule(PathMatches(url_path_join(base_url, rf"/lab/api/translations/({locales})")), _Catalog))
    static = nbgrader_static_dir()
    if static is not None:
        chunks, missing = nbgrader_bundles(static, LOCALES[0])
        for english in missing:
            serverapp.log.warning("umkmkit: nbgrader's extension no longer has the text %r; it shows untranslated",
                                  english)
        if chunks:
            names = "|".join(re.escape(name) for name in chunks)
            pattern = url_path_join(base_url, rf"/lab/extensions/@jupyter/nbgrader/static/({names})")
            rules.append(Rule(PathMatches(pattern), PatchedScript, {"scripts": chunks}))
    # first in the routing table: jupyterlab_server serves the same paths
    serverapp.web_app.default_router.rules[0:0] = rules
    _layer_server_translations()
