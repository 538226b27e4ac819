"""Releasing an assignment to a cohort: a bundle per trainee, and nbgrader's exchange.

A bundle is what a trainer copies to a USB stick or sends by WhatsApp: the cohort's released
assignment (release/<assignment>/, made by nbgrader at cohort creation) with every notebook
stamped for one trainee (`notebooks.stamped`: cohort, assignment, trainee_id, notebook) and
its participant header filled with the trainee's name and id, plus a README.txt in Bahasa
Indonesia. Each bundle is a folder, bundles/<assignment>/<trainee>/, and a zip of the same
files under one folder named after the assignment, bundles/<assignment>/<trainee>.zip.

Rooms with a network use nbgrader's exchange instead: the same notebooks, stamped with cohort,
assignment and notebook but not a trainee (everyone fetches the same copy), released with
nbgrader's own release_assignment into the cohort's exchange folder (Exchange.root).
"""

from __future__ import annotations

import copy
import logging
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from umkmkit.cohort.cohorts import Trainee, exchange_root, load_cohort_config, roster
from umkmkit.course import notebooks
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import atomic_path
from umkmkit.workspace import OUTBOUND, RELEASE, Cohort, Kit, nbgrader_api

log = logging.getLogger(__name__)

README_FILE = "README.txt"
#: What a participant reads first in a bundle (Windows line ends: Notepad shows it right).
README_TEXT = """\
Latihan {assignment_id} (kohort {cohort_id})
Untuk: {name} (ID peserta: {trainee_id})

Cara mengerjakan
1. Salin folder ini ke laptop Anda. Jangan bekerja langsung dari flashdisk.
2. Buka JupyterLab, lalu buka {notebook_list} di folder ini.
3. Sel pertama sudah berisi nama dan ID peserta Anda. Kalau salah, beri tahu pelatih.
4. Kerjakan latihannya. Simpan sesering mungkin (Ctrl+S).
5. Sesudah selesai, simpan sekali lagi, lalu serahkan {notebook_list} kepada pelatih:
   lewat flashdisk, atau kirim lewat WhatsApp sebagai dokumen.

Tidak perlu khawatir kalau nama berkasnya berubah, misalnya menjadi "latihan (1).ipynb":
pelatih tetap tahu bahwa berkas itu milik Anda. Kalau Anda mengirim lebih dari sekali,
kiriman yang terakhir yang dinilai.
{handouts}"""
#: README_TEXT's closing line when the bundle carries the module's handout.
HANDOUT_NOTE = """
Lembar ringkasan modul ({names}) boleh dicetak atau dibaca di HP, dan boleh Anda simpan.
"""


@dataclass(frozen=True)
class Bundle:
    """One trainee's release: a folder and a zip holding the same files."""

    trainee_id: str
    name: str
    folder: Path
    zip_file: Path
    notebooks: tuple[Path, ...]


@dataclass(frozen=True)
class ReleaseResult:
    cohort_id: str
    assignment_id: str
    bundles_dir: Path
    bundles: tuple[Bundle, ...]
    exchange_root: Path
    #: True when nbgrader released the assignment into the exchange.
    exchange_released: bool
    #: What happened with the exchange, in one sentence for the trainer.
    exchange_note: str


@dataclass(frozen=True)
class ModuleRelease:
    """An assignment handed out with its module's printable handout (`umkmkit release`)."""

    release: ReleaseResult
    #: The module's handout PDFs in every bundle (none for the knowledge test).
    handouts: tuple[Path, ...]
    #: Why the handout is not in the bundles ("" when it is, or the assignment has none).
    handout_problem: str = ""


def release_module(kit: Kit, curriculum: Curriculum, cohort: Cohort, assignment_id: str,
                   exchange: bool | None = None) -> ModuleRelease:
    """Release an assignment with its module's printable handout beside the notebooks in every bundle.

    The handout helps but is not the exercise: when it cannot be written (e.g. the formgrader's
    account may not write the kit's handouts folder), the assignment goes out without it and the
    result says why. `exchange` as for `release_assignment`.
    """
    # imported here: grading imports this module (zip_folder) and need not load the PDF engine
    from umkmkit.course.handouts import module_handouts

    try:
        handouts = tuple(module_handouts(kit, curriculum, assignment_id))
        problem = ""
    except (UmkmkitError, OSError) as error:
        handouts, problem = (), str(error)
        log.warning("release of %s without its module handout: %s", assignment_id, problem)
    return ModuleRelease(release_assignment(cohort, assignment_id, exchange=exchange, extra_files=handouts),
                         handouts, problem)


def released_notebooks(cohort: Cohort, assignment_id: str) -> dict[str, Path]:
    """Notebook id -> file of the cohort's released assignment (release/<assignment>/*.ipynb)."""
    folder = cohort.assignment_dir(RELEASE, assignment_id)
    if not folder.is_dir():
        released = cohort.assignments_at(RELEASE, ".")
        raise UmkmkitError(
            f"{folder} does not exist: cohort {cohort.cohort_id} has no assignment '{assignment_id}'. "
            f"Its assignments: {', '.join(released) or 'none'}."
        )
    return {path.stem: path for path in sorted(folder.glob("*.ipynb"))}


def release_assignment(
    cohort: Cohort, assignment_id: str, exchange: bool | None = None, extra_files: Sequence[Path] = (),
) -> ReleaseResult:
    """Write one bundle per rostered trainee, and release to nbgrader's exchange.

    `exchange`: True releases to the cohort's exchange folder (nbgrader creates it when it
    can), False does not, None (default) does when that folder exists. `extra_files` (e.g. the
    module's printable handout) go into every bundle beside the notebooks. Bundles of an earlier
    release of the same assignment are replaced; nothing a trainee handed in is touched.
    The exchange release comes first: if nbgrader refuses it, no bundle is written.
    """
    config = load_cohort_config(cohort)
    notebook_files = released_notebooks(cohort, assignment_id)
    if not notebook_files:
        raise UmkmkitError(f"{cohort.assignment_dir(RELEASE, assignment_id)} holds no notebook to release.")
    root = exchange_root(config)
    released, note = release_to_exchange(
        cohort, config, assignment_id, root, exchange,
        # Everyone fetches the same copy: stamped with cohort and assignment, not a trainee.
        # the exchange's copies carry this machine's kernel metadata (a room server's participants run
        # this Python): JupyterLab would otherwise rewrite it and mark a notebook modified on opening
        stage=lambda target: _stage_release(cohort, config, assignment_id, list(notebook_files), target,
                                            kernel=notebooks.kernel_metadata()),
    )
    bundles = tuple(
        _write_bundle(cohort, config, assignment_id, trainee, list(notebook_files), extra_files)
        for trainee in roster(cohort)
    )
    log.info("released %s of %s: %d bundle(s) in %s; exchange: %s", assignment_id, cohort.cohort_id, len(bundles),
             cohort.bundles_dir(assignment_id), note)
    return ReleaseResult(
        cohort.cohort_id, assignment_id, cohort.bundles_dir(assignment_id), bundles, root, released, note,
    )


def release_to_exchange(
    cohort: Cohort, config: Config, exchange_id: str, root: Path, exchange: bool | None,
    stage: Callable[[Path], None],
) -> tuple[bool, str]:
    """Release a folder that `stage` writes into nbgrader's exchange as assignment `exchange_id`.

    Returns (released, one sentence for the trainer). `exchange`: True releases (nbgrader creates
    the folder when it can), False does not, None releases when the exchange folder exists.
    """
    if exchange is False:
        return False, "not released to nbgrader's exchange (--no-exchange)."
    if exchange is None and not root.is_dir():
        return False, (
            f"not released to nbgrader's exchange: {root} does not exist "
            "(on a JupyterHub server, run again with --exchange)."
        )
    if sys.platform == "win32":
        if exchange is None:
            return False, "not released to nbgrader's exchange: it does not work on Windows."
        raise UmkmkitError(
            "nbgrader's exchange does not work on Windows: hand out the bundles, or release on the "
            "JupyterHub server. Run again with --no-exchange."
        )
    with tempfile.TemporaryDirectory(prefix="umkmkit-release-") as staging:
        stage(Path(staging) / exchange_id)
        release_config = copy.deepcopy(config)
        release_config.CourseDirectory.release_directory = staging  # absolute: nbgrader joins it to root
        release_config.ExchangeReleaseAssignment.force = True  # releasing again replaces the copy
        outcome = nbgrader_api(release_config).release_assignment(exchange_id)
    if not outcome or not outcome["success"]:
        detail = (outcome or {}).get("error") or (outcome or {}).get("log") or "no reason given"
        raise UmkmkitError(
            f"nbgrader could not release {exchange_id} to the exchange at {root}; no bundle was "
            f"written. Fix the exchange folder (it must exist and be writable by everyone) or run "
            f"again with --no-exchange.\n{detail.strip()[-1500:]}"
        )
    outbound = cohort.exchange_dir(root, OUTBOUND) / exchange_id
    return True, f"released to nbgrader's exchange: {outbound}"


def _stage_release(
    cohort: Cohort, config: Config, assignment_id: str, notebook_ids: list[str], target: Path,
    trainee: Trainee | None = None, kernel: dict | None = None,
) -> None:
    """Copy release/<assignment>/ to `target`, stamping each notebook (and filling its header for a
    trainee; giving it the kernel metadata `kernel`, notebooks.kernel_metadata, when given)."""
    source = cohort.assignment_dir(RELEASE, assignment_id)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*config.CourseDirectory.ignore))
    for notebook_id in notebook_ids:
        path = target / f"{notebook_id}.ipynb"
        nb = notebooks.read_notebook(path)
        stamp = {"cohort": cohort.cohort_id, "assignment": assignment_id, "notebook": notebook_id}
        if trainee:
            nb = notebooks.fill_header(nb, trainee.name, trainee.trainee_id)
            stamp["trainee_id"] = trainee.trainee_id
        notebooks.write_notebook(notebooks.with_kernel(notebooks.stamped(nb, **stamp), kernel), path)


def _write_bundle(cohort: Cohort, config: Config, assignment_id: str, trainee: Trainee, notebook_ids: list[str],
                  extra_files: Sequence[Path] = ()) -> Bundle:
    """Build the trainee's folder next to the old one, then swap it in, then zip it."""
    folder = cohort.bundle_dir(assignment_id, trainee.trainee_id)
    staging = folder.with_name(f".{folder.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    _stage_release(cohort, config, assignment_id, notebook_ids, staging, trainee)
    readme = README_TEXT.format(
        assignment_id=assignment_id, cohort_id=cohort.cohort_id, name=trainee.name,
        trainee_id=trainee.trainee_id,
        notebook_list=" dan ".join(f"{notebook_id}.ipynb" for notebook_id in notebook_ids),
        handouts=HANDOUT_NOTE.format(names=", ".join(Path(e).name for e in extra_files)) if extra_files else "",
    )
    (staging / README_FILE).write_text(readme, encoding="utf-8", newline="\r\n")
    for extra in extra_files:
        shutil.copyfile(extra, staging / Path(extra).name)
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    zip_file = cohort.bundle_zip(assignment_id, trainee.trainee_id)
    zip_folder(folder, zip_file, inside=assignment_id)
    written = tuple(folder / f"{notebook_id}.ipynb" for notebook_id in notebook_ids)
    return Bundle(trainee.trainee_id, trainee.name, folder, zip_file, written)


def zip_folder(folder: Path, target: Path, inside: str) -> None:
    """Zip every file of `folder` under one top folder `inside`, replacing `target` atomically."""
    with atomic_path(target) as temporary, zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, f"{inside}/{path.relative_to(folder).as_posix()}")
