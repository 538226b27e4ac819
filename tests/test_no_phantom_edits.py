"""`umkmkit lab`: a notebook a participant only opens is not marked modified, so closing it asks nothing.

JupyterLab copies the kernel's `language_info` (Python version included) into a notebook's
metadata when its kernel starts; a notebook that carried other metadata was then marked
modified a few seconds after opening, with no edit (issue 21, item 5). The kit's copies in the
participants' folder therefore carry what this machine's kernel reports.
"""

from __future__ import annotations

from browser import chromium_page, wait_for_kernel
from test_lab_browser import ASSIGNMENT, LabCommand

from umkmkit.course import notebooks
from umkmkit.room.lab import EXERCISES, WELCOME_NOTEBOOK, prepare_participant_folder

EXERCISE = f"{EXERCISES}/{ASSIGNMENT}/latihan.ipynb"
#: How long a notebook stays open after its kernel is idle: JupyterLab marked it within about 2 s.
SETTLE_MS = 8_000


def test_notebooks_opened_without_an_edit_stay_unmodified(tmp_path):
    workspace = tmp_path / "workspace"
    lab = LabCommand([], workspace)
    folder = workspace / "lab" / "peserta"
    before = {name: (folder / name).read_bytes() for name in (WELCOME_NOTEBOOK, EXERCISE)}
    try:
        with chromium_page() as page:
            page.goto(lab.url)  # the welcome notebook opens first
            page.get_by_role("heading", name="Selamat datang di pelatihan UMKM!").wait_for()
            wait_for_kernel(page)
            # then an exercise, from the welcome notebook's table, as a participant opens it
            page.locator(".jp-RenderedMarkdown table a", has_text="latihan").first.click()
            page.locator(".lm-TabBar-tab.jp-mod-current", has_text="latihan.ipynb").wait_for()
            page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for()
            wait_for_kernel(page)
            page.wait_for_timeout(SETTLE_MS)
            tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")
            titles = [title.strip() for title in tabs.all_inner_texts()]
            assert WELCOME_NOTEBOOK in titles and "latihan.ipynb" in titles, titles
            modified = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty").all_inner_texts()
            assert modified == [], f"marked modified without an edit: {modified}"
    finally:
        lab.stop()
    for name, content in before.items():
        assert (folder / name).read_bytes() == content, f"{name} changed on disk"


def test_a_copy_from_another_python_gets_this_machines_kernel_metadata_and_keeps_the_work(kit, curriculum, tmp_path):
    folder = tmp_path / "peserta"
    prepare_participant_folder(kit, curriculum, folder)
    exercise = folder / EXERCISE
    # the folder was made with another Python (a USB stick, an upgrade), and the participant wrote their name
    nb = notebooks.fill_header(notebooks.read_notebook(exercise), "Peserta Uji 3", "P-00003")
    nb.metadata.language_info.version = "3.9.0"
    notebooks.write_notebook(nb, exercise)
    prepare_participant_folder(kit, curriculum, folder)
    kept = notebooks.read_notebook(exercise)
    assert notebooks.participant_from_header(kept) == ("Peserta Uji 3", "P-00003")
    reported = reported_language_info()
    assert reported["version"] != "3.9.0"
    for name in (EXERCISE, WELCOME_NOTEBOOK, "lessons/00-mengenal-jupyter.ipynb"):
        nb = notebooks.read_notebook(folder / name)
        assert nb.metadata.language_info == reported, name
        assert notebooks.is_clean(nb), name


def reported_language_info() -> dict:
    """What the python3 kernel sends in its kernel_info reply: JupyterLab writes it into the notebook."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        return client.kernel_info(reply=True)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
