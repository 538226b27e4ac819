"""A participant's path through JupyterLab in a real browser, failing on any English it shows.

Starts `umkmkit lab` (participant mode) in a temporary workspace and, in headless Chromium at
1366 px, opens the welcome notebook, every menu and submenu of the menu bar, the right-click menus
of a file and a cell, the side panels, the kernel-restart dialog, an exercise with its toolbar and
status bar, nbgrader's Validate and its result dialog, and the dialog that asks to save on closing.
Every visible line and tooltip is compared with the English texts of the installed JupyterLab,
its menus and nbgrader's extension (tests/jupyterlab_texts.py): one shown untranslated fails the
test, named with where it was seen. Screenshots are saved in the test's temporary folder.
"""

from __future__ import annotations

import re

from browser import chromium_page, wait_for_kernel
from jupyterlab_texts import english_texts
from test_lab_browser import LabCommand, leaving_the_machine

#: English words that stay: names of things (the kernel's name, the format of a cell), or words that
#: are Indonesian too.
ALLOWED = {"Notebook", "Kernel", "Markdown", "Python", "Python 3 (ipykernel)", "Jupyter", "JupyterLab", "Terminal",
           "Mode", "Debugger", "Tab", "Menu", "Editor"}
#: A keyboard shortcut after a label, as JupyterLab writes it in tooltips: "Simpan (Ctrl+S)".
_SHORTCUT = re.compile(r"\s*\((?:Ctrl|Shift|Alt|Cmd|Accel|F\d+)[^)]*\)$")
VALIDATE_MS = 90_000


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n\t]", text) if line.strip()]


def seen(page) -> list[str]:
    """The page's visible text lines and the tooltips (title) of its visible elements."""
    return _lines(page.locator("body").inner_text()) + page.eval_on_selector_all(
        "[title]", "nodes => nodes.filter(n => n.getClientRects().length).map(n => n.getAttribute('title'))")


def menus(page, found: dict[str, list[str]]) -> None:
    """Open every menu of the menu bar, and each of its submenus."""
    labels = [label.strip() for label in page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()]
    for label in labels:
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=label).first.click()
        menu = page.locator(".lm-Menu").first
        menu.wait_for()
        found[f"menu {label}"] = _lines(menu.inner_text())
        submenus = menu.locator(".lm-Menu-item[data-type='submenu']")
        for index in range(submenus.count()):
            item = submenus.nth(index)
            name = item.inner_text().strip()
            item.hover()
            page.locator(".lm-Menu").nth(1).wait_for()
            found[f"menu {label} > {name}"] = _lines(page.locator(".lm-Menu").last.inner_text())
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")


def english(found: dict[str, list[str]]) -> list[str]:
    """'where: text' for every text shown that is one of the English texts, not allowed (a key of a
    keyboard shortcut, such as "C", is not a text)."""
    texts = english_texts() - ALLOWED
    shown = []
    for place, lines in found.items():
        for line in lines:
            label = _SHORTCUT.sub("", line)
            if len(label) > 2 and {label, label.rstrip("…"), label + "…"} & texts:
                shown.append(f"{place}: {line}")
    return sorted(set(shown))


def test_a_participant_sees_jupyterlab_and_nbgrader_in_indonesian(tmp_path):
    found: dict[str, list[str]] = {}
    requests: list[str] = []
    lab = LabCommand([], tmp_path / "workspace")
    try:
        with chromium_page(record=requests) as page:
            page.set_viewport_size({"width": 1366, "height": 900})
            page.goto(lab.url)
            page.get_by_role("heading", name="Selamat datang di pelatihan UMKM!").wait_for()
            wait_for_kernel(page)
            found["welcome notebook"] = seen(page)
            page.screenshot(path=str(tmp_path / "peserta-selamat-datang.png"))
            menus(page, found)
            page.locator(".jp-DirListing-item").first.click(button="right")
            found["file's menu"] = _lines(page.locator(".lm-Menu").last.inner_text())
            page.keyboard.press("Escape")
            page.locator(".jp-Notebook .jp-Cell").first.click(button="right")
            found["cell's menu"] = _lines(page.locator(".lm-Menu").last.inner_text())
            page.keyboard.press("Escape")
            for tab in page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").all():
                tab.click()
                found[f"side panel {tab.get_attribute('title')}"] = seen(page)
            page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").first.click()
            page.locator(".jp-NotebookPanel:visible [data-command='notebook:restart-kernel']").first.click()
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for()
            found["restart dialog"] = _lines(dialog.inner_text())
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")

            # module 00's exercise, from the welcome notebook's table, as a participant opens it
            page.locator(".jp-RenderedMarkdown table a", has_text="latihan").first.click()
            page.locator(".jp-mod-current.lm-TabBar-tab", has_text="latihan.ipynb").wait_for()
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").first.wait_for()
            # JupyterLab writes "No Kernel" untranslatable (a session made without the translator)
            # while the kernel starts, about a second: read the page once the kernel's name is there
            wait_for_kernel(page)
            found["exercise"] = seen(page)
            assert panel.locator(".validate-button").inner_text().strip() == "Periksa"
            panel.locator(".validate-button").click()
            dialog.wait_for(state="visible", timeout=VALIDATE_MS)
            page.screenshot(path=str(tmp_path / "peserta-periksa.png"))
            result = dialog.inner_text()
            assert "Hasil pemeriksaan" in result and "Sel berikut belum lulus:" in result
            # what nbgrader writes around the cells (the cells' own text and tracebacks are the kit's)
            found["Validate's result"] = [line for line in _lines(result) if not line.startswith(("\"\"\"", "---", "#"))][:3]
            found["Validate's buttons"] = _lines(dialog.locator(".jp-Dialog-footer").inner_text())
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")
            panel.locator(".jp-CodeCell .cm-content").first.click()
            page.keyboard.type("x = 1")
            found["exercise, edited"] = seen(page)
            page.keyboard.press("Alt+w")
            dialog.wait_for()
            found["close dialog"] = _lines(dialog.inner_text())
            page.screenshot(path=str(tmp_path / "peserta-tutup.png"))
            page.keyboard.press("Escape")
    finally:
        lab.stop()
    assert len(found) > 15, list(found)
    assert english(found) == [], "English a participant sees (add it to src/umkmkit/room/translations/id_ID/)"
    assert not leaving_the_machine(requests, lab.origin)
