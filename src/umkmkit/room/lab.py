"""JupyterLab for a workshop room: the participants' folder, or a cohort's course for its trainer.

Participant mode serves workspace/lab/peserta/: copies of the lessons, the modules' exercises
(as latihan/), the data sets the lessons read (so their `../datasets/` paths keep working) and
a welcome notebook, MULAI-DI-SINI.ipynb. Never solutions/, never a cohort. Trainer mode serves
one cohort's course directory, whose nbgrader_config.py the formgrader reads.

Every server starts with the kit's own JupyterLab settings, written to workspace/lab/jupyter/<mode>/
at each start and handed to the server on its command line (no file in the Python environment
is touched): an override that selects the Indonesian language pack and turns off news and update
checks (settings/overrides.json), the plugins a mode must not show (settings/page_config.json:
nbgrader's formgrader, course list and create-assignment, and the panels a beginner does not need,
for participants; the extension manager, which asks PyPI, for everyone), and a user-settings and
workspaces folder of the kit's own, so a trainer's personal JupyterLab preferences (an English
locale, say) never reach the room. Every server loads the kit's translations over the language
pack's (umkmkit.room.lab_language), so menus, dialogs and nbgrader's Validate speak Indonesian.
"""

from __future__ import annotations

import logging
import copy
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import load_cohort_config
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import atomic_path, write_text_atomic
from umkmkit.workspace import Kit

log = logging.getLogger(__name__)

PARTICIPANT, TRAINER = "peserta", "pelatih"
#: Default ports: a trainer can run the room's server and their own formgrader side by side.
DEFAULT_PORTS = {PARTICIPANT: 8888, TRAINER: 8890}
#: Where a participant finds things, relative to their folder.
LESSONS, EXERCISES, DATASETS = "lessons", "latihan", "datasets"
#: The take-home handouts, cards and calculators (umkmkit.course.handouts) in the participants' folder.
HANDOUTS = "lembar"
WELCOME_NOTEBOOK = "MULAI-DI-SINI.ipynb"
#: The kernel the kit's notebooks name in their metadata.
KERNEL_NAME = notebooks.KERNEL_NAME
#: The data files a lesson reads: they live beside the lessons folder.
_DATASET_REFERENCE = re.compile(r"\.\./datasets/([A-Za-z0-9_.-]+)")
#: bantu.baca_data("<file>") reads datasets/<file> beside the lessons folder too.
_READ_DATA_CALL = re.compile(r"""baca_data\(\s*["']([A-Za-z0-9_.-]+)["']""")
#: Letters and digits a participant cannot misread when typing the token from a whiteboard.
_TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 10
#: --ip values that listen on every network interface (the room's Wi-Fi included).
ALL_INTERFACES = ("0.0.0.0", "", "*")
#: Seconds JupyterLab may take to answer after it was started (a 2-core laptop needs about 3).
START_TIMEOUT = 90
STOP_TIMEOUT = 20

#: JupyterLab settings the kit ships: Indonesian, and nothing fetched from the internet.
SETTINGS_OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "id_ID"},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
}
#: Plugins nobody in a room needs: the extension manager searches PyPI.
_ALWAYS_DISABLED = ("@jupyterlab/extensionmanager-extension",)
#: Plugins a participant does not need, each a menu or panel in English or pointing at the internet:
#: the debugger, language servers, the Notebook interface switch, web links in Help, opening a file
#: from a URL, workspaces, recently closed tabs, and the settings editor (a participant who changes
#: the language or the theme there leaves the room's set-up).
PARTICIPANT_HIDDEN_PLUGINS = (
    "@jupyterlab/debugger-extension",
    "@jupyterlab/lsp-extension",
    "@jupyter-notebook/lab-extension",
    "@jupyterlab/help-extension:resources",
    "@jupyterlab/help-extension:jupyter-forum",
    "@jupyterlab/help-extension:licenses-commands",
    "@jupyterlab/filebrowser-extension:open-url",
    "@jupyterlab/workspaces-extension:menu",
    "@jupyterlab/workspaces-extension:sidebar",
    "@jupyterlab/workspaces-extension:indicator",
    "@jupyterlab/running-extension:recently-closed",
    "@jupyterlab/settingeditor-extension",
)
#: nbgrader's assignment list: fetch and submit through the room server's exchange; a laptop room
#: hands work in by USB stick or WhatsApp, so its participants do not see it (nor nbgrader's menu,
#: which would be empty).
ASSIGNMENT_LIST_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu")
#: The kit's server extension that lays its Indonesian translations over JupyterLab's and nbgrader's.
LANGUAGE_EXTENSION = "umkmkit.room.lab_language"
#: nbgrader's trainer tools, hidden from participants (Validate stays).
TRAINER_ONLY_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
)
#: The kit's server extension that writes trainee names whole in the formgrader (trainer's lab).
FORMGRADER_NAMES_EXTENSION = "umkmkit.room.formgrader_names"
#: The assignment list's server side, off for a laptop room's participants (see `LabSetup.command`).
ASSIGNMENT_LIST_SERVER_EXTENSION = "nbgrader.server_extensions.assignment_list"
TRAINER_ONLY_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)


@dataclass(frozen=True)
class LabSetup:
    """One JupyterLab server as the kit starts it: what it serves, where its settings are, how to reach it."""

    mode: str  # PARTICIPANT or TRAINER
    root_dir: Path  # the folder the server shows (see `server_cwd` for its working directory)
    config_dir: Path  # the kit's settings for this mode: settings/, user-settings/, workspaces/
    ip: str
    port: int
    token: str
    cohort_id: str | None = None
    #: Participant mode: the participants' kernels' SandboxPolicy as JSON, None where they run
    #: unsandboxed (umkmkit.room.lab_kernels); `protection` says which, for the trainer.
    kernel_policy: str | None = None
    protection: tuple[str, ...] = ()

    @property
    def settings_dir(self) -> Path:
        """JupyterLab's app settings dir: overrides.json and page_config.json."""
        return self.config_dir / "settings"

    @property
    def log_file(self) -> Path:
        return self.config_dir / "jupyterlab.log"

    @property
    def server_cwd(self) -> Path:
        """The server's working directory: the cohort (nbgrader reads its nbgrader_config.py there),
        or for participants the kit's settings folder, since Python imports and nbgrader's Validate
        reads config from the working directory and the participants' folder is theirs to write."""
        return self.config_dir if self.mode == PARTICIPANT else self.root_dir

    @property
    def start_page(self) -> str:
        """Path of the page to open first: the welcome notebook, or the formgrader."""
        return f"lab/tree/{WELCOME_NOTEBOOK}" if self.mode == PARTICIPANT else "formgrader"

    @property
    def local_host(self) -> str:
        """The address this machine reaches the server at."""
        return "127.0.0.1" if self.ip in ALL_INTERFACES else self.ip

    def url(self, host: str | None = None, page: str | None = None) -> str:
        """The URL to open, token included (the first visit sets a cookie; later ones need no token)."""
        return f"http://{host or self.local_host}:{self.port}/{self.start_page if page is None else page}?token={self.token}"

    @property
    def serves_room(self) -> bool:
        """True when other machines on the network can reach the server."""
        return self.ip in ALL_INTERFACES or not (self.ip == "localhost" or self.ip.startswith("127."))

    def command(self) -> list[str]:
        """JupyterLab's command line (the token goes by environment, never on the command line)."""
        arguments = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--ServerApp.ip={self.ip}", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--LabApp.app_settings_dir={self.settings_dir}",
            f"--LabApp.user_settings_dir={self.config_dir / 'user-settings'}",
            f"--LabApp.workspaces_dir={self.config_dir / 'workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # the kit's Indonesian over the language pack's, and nbgrader's (umkmkit.room.lab_language)
            f"--ServerApp.jpserver_extensions={LANGUAGE_EXTENSION}=True",
        ]
        if self.mode == PARTICIPANT:
            # A terminal would open the trainer's whole laptop to the room.
            arguments.append("--ServerApp.terminals_enabled=False")
            arguments.append("--ServerApp.quit_button=False")  # no "Shut Down" in the menu for the room
            arguments += [f"--ServerApp.jpserver_extensions={name}=False" for name in TRAINER_ONLY_SERVER_EXTENSIONS]
            # nbgrader's assignment list (no exchange on a laptop) runs the nbgrader_config.py of the
            # participants' folder in this server, as the trainer: a way out of any sandbox
            arguments.append(f"--ServerApp.jpserver_extensions={ASSIGNMENT_LIST_SERVER_EXTENSION}=False")
            if self.kernel_policy:
                from umkmkit.room.lab_kernels import server_arguments
                from umkmkit.grading.sandbox import SandboxPolicy

                arguments += server_arguments(SandboxPolicy.from_json(self.kernel_policy))
        else:
            # the formgrader writes each trainee's whole name, not "last, first" (umkmkit.room.formgrader_names)
            arguments.append(f"--ServerApp.jpserver_extensions={FORMGRADER_NAMES_EXTENSION}=True")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            arguments.append("--allow-root")  # JupyterLab refuses root otherwise (CI, containers)
        return arguments


def participant_dir(kit: Kit) -> Path:
    """The participants' folder: workspace/lab/peserta/."""
    return kit.workspace.lab_dir / PARTICIPANT


def _config_dir(kit: Kit, mode: str, cohort_id: str | None = None) -> Path:
    return kit.workspace.lab_dir / "jupyter" / (f"{mode}-{cohort_id}" if cohort_id else mode)


def lesson_datasets(kit: Kit, curriculum: Curriculum) -> list[str]:
    """The files of datasets/ the curriculum's lessons read (as `../datasets/<file>` or with
    `baca_data("<file>")`), sorted."""
    names = set()
    for module in curriculum.modules:
        for lesson in module.lessons:
            nb = notebooks.read_notebook(kit.lessons_dir / lesson)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    names.update(_DATASET_REFERENCE.findall(cell.source))
                    names.update(_READ_DATA_CALL.findall(cell.source))
    missing = sorted(name for name in names if not (kit.datasets_dir / name).is_file())
    if missing:
        raise UmkmkitError(
            f"Lessons read {', '.join(missing)} from datasets/, which is not there: regenerate the "
            "data sets with `umkmkit datasets`, or fix the lesson's file name."
        )
    return sorted(names)


def prepare_participant_folder(kit: Kit, curriculum: Curriculum, folder: Path | None = None) -> Path:
    """Fill the participants' folder: lessons/, latihan/<assignment>/, datasets/, lembar/ (the
    take-home handouts and calculators, written again when a lesson or fact changed) and the
    welcome notebook.

    Lessons and exercises are copied only where missing, so a participant's work survives a
    restart (delete a file to get a fresh copy). Data sets and the helper module (bantu.py,
    beside the lessons and each exercise) are copied again when they differ: they are the
    kit's, and a fresh copy repairs one edited by mistake. The welcome notebook is
    the kit's and rewritten when the kit's text changes. Only the modules' exercises are
    copied: the knowledge test is handed out by the trainer, at the start and at the end.
    Every notebook the kit puts there carries this machine's kernel metadata
    (`notebooks.kernel_metadata`), so opening one does not mark it modified.
    """
    folder = Path(folder) if folder else participant_dir(kit)
    kernel = notebooks.kernel_metadata(timeout=START_TIMEOUT)
    for module in curriculum.modules:
        for lesson in module.lessons:
            _copy_file(kit.lessons_dir / lesson, folder / LESSONS / lesson, replace=False)
            _match_kernel(folder / LESSONS / lesson, kernel)
    # the helper module is the kit's code, not the participant's work: always the kit's copy
    helpers = sorted({name for module in curriculum.buildable for name in module.helpers})
    for name in helpers:
        _copy_file(kit.lessons_dir / name, folder / LESSONS / name, replace=True)
    for module in curriculum.assignments:
        source = kit.exercise_dir(module.assignment)
        if not source.is_dir():
            raise UmkmkitError(f"{source} is missing: build the exercises with `umkmkit build`.")
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            target = folder / EXERCISES / module.assignment / path.relative_to(source)
            _copy_file(path, target, replace=path.name in module.helpers)
            if target.suffix == ".ipynb":
                _match_kernel(target, kernel)
    for name in lesson_datasets(kit, curriculum):
        _copy_file(kit.datasets_dir / name, folder / DATASETS / name, replace=True)
    from umkmkit.course.handouts import ensure_handouts

    ensure_handouts(kit, curriculum, folder / HANDOUTS)
    welcome = welcome_notebook(curriculum)
    welcome.metadata.update(copy.deepcopy(kernel or {}))
    target = folder / WELCOME_NOTEBOOK
    if not target.is_file() or _cleaned(target) != welcome:
        notebooks.write_notebook(welcome, target)
    return folder


def _match_kernel(path: Path, kernel: dict | None) -> None:
    """Give the notebook at `path` the kernel metadata `kernel` (see `notebooks.kernel_metadata`) where it differs.

    Only the metadata changes: a participant's work in the notebook stays as it is.
    """
    if not kernel:
        return
    try:
        nb = notebooks.read_notebook(path)
    except UmkmkitError:
        return  # a participant's broken file: `umkmkit lab` starts anyway, and Jupyter reports it
    matched = notebooks.with_kernel(nb, kernel)
    if matched is not nb:
        notebooks.write_notebook(matched, path)


def _cleaned(path: Path) -> nbformat.NotebookNode | None:
    """The notebook without outputs, or None when it cannot be read (so the kit's copy replaces it)."""
    try:
        return notebooks.clean_notebook(notebooks.read_notebook(path))
    except UmkmkitError:
        return None


def _copy_file(source: Path, target: Path, *, replace: bool) -> None:
    """Copy `source` to `target` (atomically) when it is missing, or, with `replace`, when it differs."""
    if target.is_file() and (not replace or target.read_bytes() == source.read_bytes()):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temporary:
        shutil.copyfile(source, temporary)


def welcome_notebook(curriculum: Curriculum) -> nbformat.NotebookNode:
    """MULAI-DI-SINI.ipynb: a first-time participant's guide to the folder, cells, Validate and handing in."""
    rows = []
    for module in curriculum.modules:
        lessons = ", ".join(
            f"[{'materi' if len(module.lessons) == 1 else f'materi {n}'}]({LESSONS}/{name})"
            for n, name in enumerate(module.lessons, start=1)
        )
        exercises = ", ".join(
            f"[{name}]({EXERCISES}/{module.assignment}/{name}.ipynb)" for name in module.notebooks
        ) if module.assignment else "–"
        rows.append(f"| {module.id} {module.judul} | {lessons} | {exercises} |")
    cells = [
        new_markdown_cell(_WELCOME_INTRO),
        new_markdown_cell(_WELCOME_TABLE.format(rows="\n".join(rows))),
        new_markdown_cell(_WELCOME_RUN),
        new_code_cell('harga = 25_000\njumlah = 3\nharga * jumlah'),
        new_markdown_cell(_WELCOME_AFTER_RUN),
        new_markdown_cell(_WELCOME_EXERCISE),
        new_markdown_cell(_WELCOME_VALIDATE),
        new_markdown_cell(_WELCOME_HAND_IN),
    ]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"mulai-{number:02d}"  # stable ids: the file only changes when the kit's text does
    return notebooks.clean_notebook(nb)


_WELCOME_INTRO = """\
# Selamat datang di pelatihan UMKM!

Halo! Di sini Anda belajar dan berlatih selama pelatihan. Anda tidak perlu pernah memakai
Jupyter sebelumnya: halaman ini menjelaskannya pelan-pelan. Kalau bingung, angkat tangan saja,
pelatih akan datang membantu.

**Apa yang ada di layar**

- Di **panel kiri** ada daftar folder dan berkas. Klik dua kali sebuah nama untuk membukanya.
  Kalau panel kiri tertutup, klik ikon folder di pinggir kiri layar.
- Folder **`lessons`** berisi materi pelajaran.
- Folder **`latihan`** berisi latihan yang dinilai, satu folder untuk setiap modul.
- Folder **`datasets`** berisi data contoh yang dibaca materi. Biarkan apa adanya.
- Folder **`lembar`** berisi lembar bawa pulang: ringkasan setiap modul, kartu, daftar istilah
  (PDF untuk dicetak, HTML untuk dibaca di HP) dan kalkulator spreadsheet. Buka `lembar/index.html`.

**Satu laptop pelatih untuk seluruh kelas?** Kalau Anda membuka Jupyter lewat Wi-Fi dari laptop
pelatih, semua peserta melihat berkas yang sama. Sebelum mengerjakan materi atau latihan, simpan
dulu salinan dengan nama Anda: menu **Berkas**, lalu *Simpan Notebook sebagai…*, lalu tambahkan
nama Anda, misalnya `latihan-yohana.ipynb`, di folder yang sama. Kerjakan salinan itu, supaya
pekerjaan Anda tidak tertimpa pekerjaan peserta lain.
"""

_WELCOME_TABLE = """\
## Materi dan latihan

Klik nama di tabel ini untuk membukanya. Kerjakan berurutan, dari atas ke bawah.

| Modul | Materi | Latihan |
| --- | --- | --- |
{rows}
"""

_WELCOME_RUN = """\
## Menjalankan sel

Notebook seperti halaman ini terdiri dari kotak-kotak yang disebut **sel**. Ada sel teks (seperti
yang sedang Anda baca) dan sel kode (berlatar abu-abu, berisi perintah Python).

Untuk menjalankan sel kode: **klik sel itu**, lalu tekan **Shift+Enter** (tahan tombol Shift,
lalu tekan Enter). Hasilnya muncul di bawah sel, lalu Jupyter pindah ke sel berikutnya.
Bisa juga dengan tombol ▶ di bagian atas notebook.

Coba sekarang pada sel abu-abu di bawah ini: sel ini menghitung harga 3 bungkus keripik.
"""

_WELCOME_AFTER_RUN = """\
Berhasil? Angka **75000** muncul di bawah sel, dan di kirinya tertulis `[1]`: tandanya sel sudah
dijalankan. Kalau tertulis `[*]`, sel masih berjalan: tunggu sebentar.

**Kebiasaan baik**

- **Simpan** pekerjaan Anda sesering mungkin: tekan **Ctrl+S** (di Mac: Cmd+S).
- Jalankan sel **berurutan dari atas**. Kalau muncul pesan merah `NameError`, biasanya ada sel
  di atasnya yang belum dijalankan.
- Kalau semuanya terasa macet: klik tombol ⏩ di bagian atas notebook, lalu tombol *Mulai Ulang*.
  Notebook dijalankan ulang dari atas.
"""

_WELCOME_EXERCISE = f"""\
## Mengerjakan latihan

1. Buka folder `{EXERCISES}`, lalu folder modulnya (misalnya `00-mengenal-jupyter`), lalu
   `latihan.ipynb`.
2. Di sel paling atas, tulis **nama** dan **ID peserta** Anda di antara tanda petik, lalu jalankan
   sel itu. Dari sel inilah pelatih mengenali latihan Anda.
3. Jalankan sel persiapan.
4. Di setiap sel jawaban ada tulisan `# TULIS JAWABAN ANDA DI SINI` dan
   `raise NotImplementedError()`. Hapus kedua baris itu, lalu tulis jawaban Anda di tempatnya.
5. Jalankan sel jawaban, lalu sel cek di bawahnya. Kalau sel cek tidak menampilkan pesan merah,
   jawaban Anda lulus cek itu. Kalau ada pesan merah, baca **baris paling bawah**: pesan itu
   berbahasa Indonesia dan menjelaskan apa yang perlu diperbaiki.
"""

_WELCOME_VALIDATE = """\
## Memeriksa semua jawaban: tombol Periksa

Di bagian atas setiap latihan ada tombol **Periksa**. Tombol ini menyimpan latihan Anda, lalu
menjalankan semua cek dari awal, sama seperti saat dinilai. Hasilnya muncul di kotak
*Hasil pemeriksaan*:

- *Bagus! Semua cek di notebook ini lulus.* artinya semua cek lulus.
- *Sel berikut belum lulus:* artinya ada cek yang belum lulus. Di bawahnya tertulis sel yang
  mana, dan pesan merah yang menjelaskan kesalahannya.

Pelatih menjalankan beberapa cek tambahan saat menilai, jadi periksa juga jawaban Anda dengan
contoh-contoh Anda sendiri.
"""

_WELCOME_HAND_IN = """\
## Mengumpulkan latihan

Simpan dulu (Ctrl+S). Lalu di panel kiri, klik kanan berkas latihan Anda dan pilih *Unduh*.
Berikan berkas itu kepada pelatih lewat flashdisk (USB), atau kirim lewat WhatsApp. Nama berkasnya
boleh berubah, misalnya `latihan (1).ipynb`: pelatih tetap mengenali latihan Anda dari nama dan
ID di sel paling atas.

Selamat belajar!
"""


def write_lab_settings(setup: LabSetup, *, assignment_list: bool = False) -> None:
    """Write the kit's JupyterLab settings for `setup`'s mode into its settings dir (replacing older ones).

    `assignment_list`: participants fetch and submit through nbgrader's exchange (the room server).
    """
    disabled = list(_ALWAYS_DISABLED)
    if setup.mode == PARTICIPANT:
        disabled += [*TRAINER_ONLY_PLUGINS, *PARTICIPANT_HIDDEN_PLUGINS]
        disabled += [] if assignment_list else list(ASSIGNMENT_LIST_PLUGINS)
    _write_json(setup.settings_dir / "overrides.json", SETTINGS_OVERRIDES)
    _write_json(setup.settings_dir / "page_config.json", {"disabledExtensions": disabled})


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def new_token() -> str:
    """A token short and plain enough to type from a whiteboard (about 49 bits)."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def prepare_lab(
    kit: Kit, curriculum: Curriculum, *, trainer: str | None = None, ip: str = "127.0.0.1",
    port: int | None = None, token: str | None = None,
) -> LabSetup:
    """Prepare the folder and the kit's settings of one JupyterLab server; start it with `start_lab`.

    Participant mode (no `trainer`) fills workspace/lab/peserta/ (see
    `prepare_participant_folder`). Trainer mode (`trainer` = a cohort id) serves that cohort's
    course directory. `token` defaults to JUPYTER_TOKEN, else a new short one.
    """
    mode = TRAINER if trainer else PARTICIPANT
    if trainer:
        cohort = kit.workspace.cohort(trainer)
        load_cohort_config(cohort)  # refuses a folder that is not a cohort, saying how to create one
        root = cohort.root
    else:
        root = prepare_participant_folder(kit, curriculum)
    config_dir = _config_dir(kit, mode, trainer).resolve()
    kernel_policy, protection = _participant_kernels(kit, root.resolve(), config_dir) if not trainer else (None, None)
    from umkmkit.room.lab_kernels import protection_lines

    setup = LabSetup(
        mode=mode, root_dir=root.resolve(), config_dir=config_dir, ip=ip,
        port=DEFAULT_PORTS[mode] if port is None else port,
        token=token or os.environ.get("JUPYTER_TOKEN") or new_token(), cohort_id=trainer,
        kernel_policy=kernel_policy, protection=tuple(protection_lines(protection)),
    )
    write_lab_settings(setup)
    return setup


def _participant_kernels(kit: Kit, folder: Path, config_dir: Path):
    """Probe the sandbox for the participants' kernels; write Validate's config to match.

    Returns the kernels' policy as JSON (None: unsandboxed) and the `LabProtection` found.
    """
    from umkmkit.room.lab_kernels import check_lab_protection, write_validation_config

    workspace = kit.workspace.root.resolve()
    # the trainer's folders, should they lie inside what a kernel sees (the Python environment, say)
    hidden = [kit.solutions_dir.resolve(), config_dir.parent]
    if workspace.is_dir():
        hidden += [path for path in workspace.iterdir() if path.is_dir() and path.name != kit.workspace.lab_dir.name]
    protection = check_lab_protection(folder, [path for path in hidden if path != folder and path not in folder.parents])
    write_validation_config(config_dir, protection.policy)
    return (protection.policy.to_json() if protection.policy else None), protection


class RunningLab:
    """A JupyterLab server the kit started; `stop()` (or leaving the `with` block) shuts it down."""

    def __init__(self, setup: LabSetup, process: subprocess.Popen):
        self.setup = setup
        self.process = process

    def __enter__(self) -> RunningLab:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait(self) -> None:
        """Block until Ctrl+C (or SIGTERM), then stop the server; raise if it ends on its own with an error."""
        try:
            previous = signal.signal(signal.SIGTERM, _interrupt)
        except ValueError:  # not the main thread: signals stay as they are
            previous = None
        try:
            while self.process.poll() is None:
                time.sleep(0.5)  # short sleeps keep Ctrl+C responsive on Windows too
        except KeyboardInterrupt:
            self.stop()
            return
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if self.process.returncode != 0:
            raise UmkmkitError(
                f"JupyterLab stopped unexpectedly (exit code {self.process.returncode}). The end of its "
                f"log, {self.setup.log_file}:\n{_log_tail(self.setup.log_file)}"
            )

    def stop(self) -> None:
        """Shut the server down through its own API (kernels included), else terminate it."""
        if self.process.poll() is not None:
            return
        try:
            _request(self.setup, "api/shutdown", method="POST")
        except OSError:
            pass  # already going down (Ctrl+C in its console reached it too)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _interrupt(signum, frame) -> None:
    """A stop request (SIGTERM, e.g. a closed terminal) ends the server like Ctrl+C does."""
    raise KeyboardInterrupt


def _request(setup: LabSetup, path: str, method: str = "GET", timeout: float = 5) -> int:
    """One request to the server on this machine (never through a proxy); returns the HTTP status."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"http://{setup.local_host}:{setup.port}/{path}", method=method,
        headers={"Authorization": f"token {setup.token}"}, data=b"" if method == "POST" else None,
    )
    with opener.open(request, timeout=timeout) as response:
        return response.status


def _check_port_free(setup: LabSetup) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # as the server will: a port left in TIME_WAIT by a stopped server is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0" if setup.ip in ALL_INTERFACES else setup.ip, setup.port))
        except OSError as error:
            raise UmkmkitError(
                f"Port {setup.port} on {setup.ip} is in use ({error.strerror or error}): another "
                f"JupyterLab may be running. Stop it, or choose another port, e.g. --port {setup.port + 1}."
            ) from error


def start_lab(setup: LabSetup, timeout: float = START_TIMEOUT) -> RunningLab:
    """Start JupyterLab for `setup` and return once it answers; its log goes to `setup.log_file`."""
    _check_port_free(setup)
    setup.log_file.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "JUPYTER_TOKEN": setup.token, "PYTHONIOENCODING": "utf-8"}
    if setup.mode == PARTICIPANT:
        from umkmkit.room.lab_kernels import VALIDATION_CONFIG_FOLDER

        # nbgrader's Validate reads the kit's nbgrader_config.json there (umkmkit.room.lab_kernels)
        environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            filter(None, [str(setup.config_dir / VALIDATION_CONFIG_FOLDER), os.environ.get("JUPYTER_CONFIG_PATH")])
        )
    log.info("starting JupyterLab (%s) on port %s: %s", setup.mode, setup.port, " ".join(setup.command()))
    with setup.log_file.open("w", encoding="utf-8") as server_log:
        process = subprocess.Popen(
            setup.command(), cwd=setup.server_cwd, env=environment,
            stdin=subprocess.DEVNULL, stdout=server_log, stderr=subprocess.STDOUT,
        )
    running = RunningLab(setup, process)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise UmkmkitError(
                f"JupyterLab stopped while starting (exit code {process.returncode}). The end of its "
                f"log, {setup.log_file}:\n{_log_tail(setup.log_file)}"
            )
        try:
            if _request(setup, "api/status", timeout=2) == 200:
                log.info("JupyterLab answers on port %s (log: %s)", setup.port, setup.log_file)
                return running
        except OSError:  # not listening yet (HTTP errors are OSErrors too)
            pass
        if time.monotonic() > deadline:
            running.stop()
            raise UmkmkitError(
                f"JupyterLab did not answer within {timeout:.0f} s on port {setup.port}. The end of "
                f"its log, {setup.log_file}:\n{_log_tail(setup.log_file)}"
            )
        time.sleep(0.2)


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that others on the same network (Wi-Fi) can reach, sorted."""
    found = set()
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    except OSError:
        pass
    try:
        # The address of the interface that routes to the local network; a UDP connect sends nothing.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith(("127.", "169.254.", "0.")))


def instructions(setup: LabSetup, addresses: list[str]) -> list[str]:
    """What the trainer is told once the server answers: the URLs, and how to stop it."""
    who = (f"Trainer's JupyterLab for cohort {setup.cohort_id} (formgrader and course tools)"
           if setup.mode == TRAINER else "Participants' JupyterLab (Indonesian, lessons and latihan/)")
    lines = [f"{who}: {setup.root_dir}", *setup.protection, f"Open on this machine: {setup.url()}"]
    if setup.mode == TRAINER:
        lines.append(f"JupyterLab itself: {setup.url(page='lab')}")
    if setup.serves_room:
        urls = [setup.url(host=a) for a in addresses] if setup.ip in ALL_INTERFACES else [setup.url()]
        if urls:
            lines.append("Others on the same network (Wi-Fi) open:")
            lines += [f"  {url}" for url in urls]
        else:
            lines.append("No network address found: connect this machine to the room's Wi-Fi and start again.")
        if setup.mode == TRAINER:
            lines.append("Careful: the formgrader shows every trainee's work to whoever has this link.")
    elif setup.mode == PARTICIPANT:
        lines.append("Only this machine can open it; for a room, start it with --ip 0.0.0.0.")
    lines += [f"Log: {setup.log_file}", "Press Ctrl+C to stop."]
    return lines


def run_lab(
    kit: Kit, curriculum: Curriculum, *, trainer: str | None = None, ip: str = "127.0.0.1",
    port: int | None = None, on_ready: Callable[[list[str]], None] | None = None,
) -> None:
    """Prepare, start and serve JupyterLab until Ctrl+C (the `umkmkit lab` command).

    `on_ready` gets the lines to show the trainer (URLs with the token, network addresses).
    """
    setup = prepare_lab(kit, curriculum, trainer=trainer, ip=ip, port=port)
    with start_lab(setup) as running:
        if on_ready:
            on_ready(instructions(setup, lan_addresses() if setup.serves_room else []))
        running.wait()
