"""`umkmkit doctor`: what this machine gives the kit, in Bahasa Indonesia and English.

One screen for a trainer: Python, nbgrader, whether a graded kernel starts, each protection of
the grader (tried by the same hostile probe grading runs), Chromium for the kit's own browser
tests, and free disk, each with what to do when it is missing. The grading summary prints its
protections with `protection_lines`, so both say the same thing in the same words.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


from umkmkit.errors import UmkmkitError
from umkmkit.formats import format_number
from umkmkit.grading.sandbox import SANDBOX_VARIABLE, SandboxPolicy, check_protections, running_as_root, sandbox_mode
from umkmkit.workspace import find_kit

#: Python versions the kit is tested on (CI and the lock file).
TESTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
#: Below this, a cohort's grading (autograded copies, feedback, backups) may not fit.
MIN_FREE_GB = 2.0

#: Per protection: its Indonesian name, what it means when on, what it costs when off (Indonesian),
#: and its English name (the key the grading code uses).
PROTECTION_WORDS: dict[str, tuple[str, str, str]] = {
    "private folder": (
        "Folder sendiri",
        "kode tiap peserta berjalan di folder sementara berisi salinan kirimannya saja",
        "kode peserta berjalan di luar folder sementaranya",
    ),
    "limits": (
        "Batas memori, waktu dan ukuran file",
        "kode yang memakan memori atau waktu CPU terlalu banyak dihentikan",
        "kode peserta tidak dibatasi memori, waktu CPU atau ukuran file",
    ),
    "no capabilities": (
        "Tanpa hak istimewa",
        "kode peserta tidak punya hak administrator apa pun (Linux capabilities)",
        "kode peserta memakai semua hak akses Anda",
    ),
    "no network": (
        "Tanpa jaringan",
        "kode peserta tidak bisa memakai internet atau komputer lain",
        "kode peserta bisa memakai jaringan (internet, komputer lain)",
    ),
    "grader's files hidden": (
        "File pelatih tersembunyi",
        "buku nilai, kunci jawaban dan pekerjaan peserta lain tidak terlihat oleh kode peserta",
        "kode peserta bisa membaca file Anda: buku nilai, kunci jawaban, pekerjaan peserta lain",
    ),
    "read-only outside its folder": (
        "Hanya menulis di foldernya",
        "kode peserta tidak bisa mengubah atau menghapus file di luar foldernya",
        "kode peserta bisa mengubah atau menghapus file Anda",
    ),
    "processes end with the kernel": (
        "Semua program ikut berhenti",
        "program yang dijalankan kode peserta berhenti bersama penilaiannya",
        "program yang dijalankan kode peserta bisa tetap hidup sesudah dinilai",
    ),
    "process cap": (
        "Batas jumlah program",
        "kode peserta tidak bisa menjalankan ratusan program sekaligus (fork bomb)",
        "kode peserta bisa menjalankan banyak program sekaligus sebelum dihentikan",
    ),
    "separate user": (
        "Pengguna terpisah",
        "kode peserta berjalan sebagai pengguna lain yang tidak memiliki file apa pun",
        "kode peserta berjalan sebagai pengguna Anda sendiri",
    ),
}


def _advice(protection: str, status: str, mode: str, root: bool) -> str:
    """What a trainer can do about a protection that is off here (Indonesian), or ""."""
    if protection == "separate user" and mode == "linux" and not root:
        return "Wajar untuk pengguna biasa: file Anda tetap tersembunyi bila perlindungan lain aktif."
    if mode == "portable":
        if sys.platform.startswith("linux"):
            return f"Hapus variabel {SANDBOX_VARIABLE}=portable agar kotak pasir Linux dipakai."
        return ("Tidak ada di Windows/macOS. Nilai hanya kiriman yang Anda percayai di laptop ini, atau nilai "
                "di server kelas Linux (README, bagian 'What protects the grader').")
    if "namespaces" in status:
        return ("Komputer ini menolak user namespace untuk pengguna biasa. Minta admin mengizinkannya "
                "(Ubuntu 24.04: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0), atau nilai sebagai root.")
    if "5.14" in status:
        return "Linux di komputer ini lebih tua dari 5.14. Perbarui sistem, atau nilai sebagai root."
    return "Jalankan `umkmkit doctor` lagi; bila tetap mati, laporkan baris bahasa Inggris di bawahnya."


def protection_lines(protections: dict[str, str], mode: str | None = None, root: bool | None = None) -> list[str]:
    """The protections as a trainer reads them: Indonesian first, English (the probe's words) after."""
    mode = mode or sandbox_mode()
    root = running_as_root() if root is None else root
    lines = []
    for protection, status in protections.items():
        name, meaning, cost = PROTECTION_WORDS.get(protection, (protection, "", status))
        if status == "on":
            lines.append(f"  [ya]    {name}: {meaning}.")
            lines.append(f"          ({protection}: on)")
        else:
            lines.append(f"  [TIDAK] {name}: {cost}. {_advice(protection, status, mode, root)}")
            lines.append(f"          ({protection}: {status})")
    return lines


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    ok: bool
    #: Indonesian: what was found.
    found: str
    #: English: the same, for a helper who reads English.
    english: str
    #: Indonesian: what to do, when not ok.
    todo: str = ""
    #: Grading cannot work without it.
    essential: bool = True


def _seconds(value: float) -> str:
    return format_number(float(value), "id", 1)


def check_python() -> Finding:
    version = sys.version_info[:2]
    shown = ".".join(map(str, sys.version_info[:3]))
    if version in TESTED_PYTHONS:
        return Finding(True, f"Python {shown}", f"Python {shown}: tested")
    return Finding(
        version > TESTED_PYTHONS[-1], f"Python {shown} belum diuji untuk kit ini", f"Python {shown}: not tested",
        "Pasang Python 3.11, 3.12 atau 3.13 (README, 'Install').", essential=version < TESTED_PYTHONS[0],
    )


def check_package(name: str) -> Finding:
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return Finding(False, f"{name} tidak terpasang", f"{name}: not installed",
                       "Jalankan `make setup` (atau pasang dari stik USB: install.bat / install.sh).")
    return Finding(True, f"{name} {version}", f"{name} {version}")


def check_kernel(timeout: int = 60) -> Finding:
    """Start one graded kernel the way grading does and run one cell in it."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    started = time.perf_counter()
    try:
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                kernel_manager_class="umkmkit.grading.sandbox.SandboxKernelManager")
        client.execute()
        printed = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
    except Exception as error:  # any failure to start is what the trainer needs to see
        return Finding(False, "Kernel Python untuk menilai tidak menyala", f"grading kernel did not start: {error}",
                       "Jalankan `make setup` lagi; bila tetap gagal, kirim pesan bahasa Inggris ini ke tim kit.")
    seconds = time.perf_counter() - started
    if printed.strip() != "42":
        return Finding(False, "Kernel menyala tetapi hasilnya salah", f"kernel printed {printed!r} instead of 42",
                       "Laporkan ke tim kit.")
    return Finding(True, f"Kernel penilai menyala dan menjalankan sel dalam {_seconds(seconds)} detik",
                   f"grading kernel ran a cell in {seconds:.1f} s")


def find_chromium() -> str | None:
    """The browser the kit's own browser tests drive (not needed to teach or grade)."""
    given = os.environ.get("UMKMKIT_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (
        Path(os.environ.get("PROGRAMFILES", "C:/Program Files")) / "Google/Chrome/Application/chrome.exe",
        Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    ):
        if candidate.is_file():
            return str(candidate)
    return None


def check_chromium() -> Finding:
    found = find_chromium()
    if found:
        return Finding(True, f"Chromium untuk tes browser kit: {found}", f"Chromium for the browser tests: {found}",
                       essential=False)
    return Finding(False, "Chromium tidak ada (hanya perlu untuk `make test`, bukan untuk mengajar atau menilai)",
                   "Chromium: missing (only the kit's browser tests need it)",
                   "Debian/Ubuntu: sudo apt-get install chromium; atau isi UMKMKIT_CHROMIUM dengan lokasi Chrome.",
                   essential=False)


def check_disk(folder: Path) -> Finding:
    free = shutil.disk_usage(folder).free / 1e9
    shown = format_number(float(free), "id", 1)
    if free >= MIN_FREE_GB:
        return Finding(True, f"Ruang disk kosong {shown} GB di {folder}", f"free disk: {free:.1f} GB in {folder}")
    return Finding(False, f"Ruang disk kosong hanya {shown} GB di {folder}", f"free disk: only {free:.1f} GB in {folder}",
                   f"Kosongkan ruang sampai paling sedikit {MIN_FREE_GB:g} GB sebelum menilai satu angkatan.")


@dataclass
class Report:
    findings: list[Finding]
    protections: dict[str, str]
    mode: str

    @property
    def ok(self) -> bool:
        """Grading works here (protections that are off are reported, not failed)."""
        return all(f.ok for f in self.findings if f.essential)

    def lines(self) -> list[str]:
        root = running_as_root()
        who = "root" if root else "pengguna biasa (normal user)"
        where = {"linux": "kotak pasir Linux (Linux sandbox)",
                 "portable": "jalur portabel: folder sendiri + pengawas (portable path: private folder + watchdog)"}
        lines = ["umkmkit doctor: apa yang diberikan komputer ini (what this machine gives the kit)", ""]
        for finding in self.findings:
            mark = "[ok]" if finding.ok else "[PERLU]" if finding.essential else "[catatan]"
            lines.append(f"  {mark:<9} {finding.found}")
            lines.append(f"            ({finding.english})")
            if not finding.ok and finding.todo:
                lines.append(f"            Yang perlu dilakukan: {finding.todo}")
        lines += ["", f"Perlindungan saat menilai, sebagai {who}, dengan {where[self.mode]},",
                  "masing-masing dicoba oleh kode 'jahat' uji (each tried by a hostile probe):"]
        lines += protection_lines(self.protections, self.mode, root)
        lines.append("")
        lines.append("Siap menilai. (Ready to grade.)" if self.ok else
                     "Belum siap menilai: kerjakan baris [PERLU] di atas. (Not ready: fix the [PERLU] lines.)")
        return lines


def default_folder() -> Path:
    """Where the free disk is measured: the kit's workspace (or its nearest existing parent), else here."""
    try:
        folder = find_kit().workspace.root
    except UmkmkitError:
        folder = Path.cwd()
    return next((p for p in (folder, *folder.parents) if p.is_dir()), Path.cwd())


def diagnose(folder: Path | None = None, on_step: Callable[[str], None] | None = None) -> Report:
    """Run every check; `on_step` hears the name of each before it runs. `folder`: where to measure
    the free disk (default: `default_folder()`)."""
    step = on_step or (lambda name: None)
    findings = []
    step("Python")
    findings.append(check_python())
    for name in ("nbgrader", "jupyterlab"):
        step(name)
        findings.append(check_package(name))
    step("kernel")
    findings.append(check_kernel())
    step("protections")
    _, protections = check_protections(SandboxPolicy())
    step("chromium")
    findings.append(check_chromium())
    step("disk")
    findings.append(check_disk(folder or default_folder()))
    return Report(findings, protections, sandbox_mode())
