"""Worked solutions (pembahasan): each assignment's model answers, handed to trainees after its
due date and never before.

The worked solution is made from the cohort's own copy of the solution (source/<assignment>/):
solution regions shown as a participant would have typed them, the lines participants got in
their place (`### STUB:`) dropped, hidden tests replaced by the same placeholder feedback uses,
written answers shown with their example answer and marking guide, no outputs and no nbgrader
metadata (so the notebook is never mistaken for the exercise). The data files and the helper
module come along, so it runs.

It goes out like feedback: a folder for the trainer (pembahasan/<assignment>/), one zip per
rostered trainee (pembahasan-zip/<assignment>/<trainee>.zip, with a README naming them), and
nbgrader's exchange as the assignment `<assignment>-pembahasan`. "After the due date" means after
the assignment's due date in the gradebook plus the longest extension granted on it; the
knowledge test's pre-test waits for the post-test's due date too (the answers are the same).
The time of handing out is kept (DIBAGIKAN.txt): `umkmkit collect` does not take a submission
sent after it.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fnmatch import fnmatch
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import exchange_root, load_cohort_config, roster
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.cohort.feedback import hide_hidden_tests
from umkmkit.cohort.release import README_FILE, release_to_exchange, released_notebooks, zip_folder
from umkmkit.workspace import SOURCE, Cohort

log = logging.getLogger(__name__)

#: The exchange assignment a worked solution is released as: `<assignment>-pembahasan`.
EXCHANGE_SUFFIX = "-pembahasan"

README_TEXT = """\
Pembahasan latihan {assignment_id} (kohort {cohort_id})
Untuk: {name} (ID peserta: {trainee_id})

Ini contoh jawaban latihan {assignment_id}, dibagikan setelah batas waktunya lewat.
Buka {notebook_list} di JupyterLab, lalu bandingkan dengan jawaban Anda sendiri.
Bagian yang Anda kerjakan berbeda tetapi hasilnya sama tetap benar.

Latihan yang dikirim sesudah pembahasan ini dibagikan tidak dinilai lagi.
"""


@dataclass(frozen=True)
class WorkedSolutionRelease:
    cohort_id: str
    assignment_id: str
    #: The worked solution as the trainer keeps it (pembahasan/<assignment>/).
    folder: Path
    #: One zip per rostered trainee, by trainee id.
    zips: dict[str, Path]
    #: When it may first be handed out (due date plus the longest extension, UTC).
    opens_at: datetime
    released_at: datetime
    exchange_released: bool
    exchange_note: str


def opens_at(cohort: Cohort, curriculum: Curriculum, assignment_id: str) -> datetime:
    """The earliest time (UTC, aware) the worked solution of this assignment may be handed out.

    Raises when the assignment has no due date in the cohort's gradebook: without one, nothing
    tells "before" from "after".
    """
    released_notebooks(cohort, assignment_id)  # an unknown assignment is refused by name
    config = load_cohort_config(cohort)
    waits_for = [assignment_id]
    test = curriculum.knowledge_test
    if test and assignment_id == test.pre:
        waits_for.append(test.post)  # the pre-test's answers are the post-test's too
    latest = None
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        for wanted in waits_for:
            try:
                assignment = gradebook.find_assignment(wanted)
            except MissingEntry:
                assignment = None
            if assignment is None or assignment.duedate is None:
                raise UmkmkitError(
                    f"{wanted} belum punya batas waktu di kohort {cohort.cohort_id}, jadi pembahasannya "
                    f"belum bisa dibagikan. Tetapkan dulu: umkmkit due {cohort.cohort_id} {wanted} "
                    f"\"YYYY-MM-DD HH:MM\". ({wanted} has no due date in {cohort.cohort_id}: set one first.)"
                )
            extensions = [s.extension for s in assignment.submissions if s.extension]
            moment = assignment.duedate + max(extensions, default=timedelta(0))
            latest = moment if latest is None else max(latest, moment)
    return latest.replace(tzinfo=timezone.utc)


def released_at(cohort: Cohort, assignment_id: str) -> datetime | None:
    """When the worked solution of this assignment was handed out (UTC, aware), or None."""
    marker = cohort.worked_solutions_marker(assignment_id)
    if not marker.is_file():
        return None
    return datetime.fromisoformat(marker.read_text(encoding="utf-8").split()[0])


def worked_notebook(solution: NotebookNode, title: str, due: datetime) -> NotebookNode:
    """The worked solution of one notebook: solutions shown, hidden tests hidden, nbgrader stripped."""
    nb = notebooks.clean_notebook(solution)
    cells = []
    for cell in nb.cells:
        if notebooks.MARKER_KEY in cell.metadata and cell.metadata[notebooks.MARKER_KEY].get("role"):
            continue  # the participant header: nobody fills it in here
        if notebooks.is_test_cell(cell):
            cell.source = hide_hidden_tests(cell.source)
        elif cell.cell_type == "code" or notebooks.is_answer_cell(cell):
            cell.source = notebooks.without_solution_markers(cell.source)
        cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    header = new_markdown_cell(
        f"# Pembahasan: {title}\n\n"
        f"Ini contoh jawaban, dibagikan setelah batas waktu latihan lewat ({due:%d-%m-%Y %H:%M} UTC). "
        "Jalankan selnya dari atas, lalu bandingkan dengan jawaban Anda sendiri. Jawaban yang ditulis "
        "berbeda tetapi hasilnya sama tetap benar.\n\n"
        "Sel cek di sini sama dengan di latihan; pemeriksaan tersembunyi tidak ditampilkan."
    )
    header.id = "pembahasan"
    nb.cells = [header, *cells]
    nb.metadata[notebooks.MARKER_KEY] = {"pembahasan": title}
    return nb


def release_worked_solutions(
    cohort: Cohort,
    curriculum: Curriculum,
    assignment_id: str,
    now: datetime | None = None,
    exchange: bool | None = None,
) -> WorkedSolutionRelease:
    """Hand out the worked solution of one assignment, if its due date has passed.

    Raises (writing nothing) before then. `now` (aware; default: the clock) is for tests.
    `exchange` as in `umkmkit release`.
    """
    now = now or datetime.now(timezone.utc)
    opening = opens_at(cohort, curriculum, assignment_id)
    if now < opening:
        raise UmkmkitError(
            f"Pembahasan {assignment_id} belum boleh dibagikan: batas waktunya (termasuk perpanjangan) "
            f"baru lewat pada {opening:%d-%m-%Y %H:%M} UTC. Peserta yang belum mengumpulkan masih boleh "
            f"mengerjakannya. (The worked solution of {assignment_id} opens at {opening:%Y-%m-%d %H:%M} UTC.)"
        )
    config = load_cohort_config(cohort)
    notebook_ids = list(released_notebooks(cohort, assignment_id))
    source = cohort.assignment_dir(SOURCE, assignment_id)
    title = assignment_id
    ignore = list(config.CourseDirectory.ignore)

    def stage(target: Path) -> None:
        target.mkdir(parents=True)
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            if any(fnmatch(path.name, pattern) for pattern in ignore):
                continue
            if path.suffix == ".ipynb":
                if path.stem in notebook_ids:
                    worked = worked_notebook(notebooks.read_notebook(path), title, opening)
                    notebooks.write_notebook(worked, target / path.name)
            else:
                shutil.copyfile(path, target / path.name)

    folder = cohort.worked_solutions_dir(assignment_id)
    staging = folder.with_name(f".{folder.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    stage(staging)
    exchange_id = assignment_id + EXCHANGE_SUFFIX
    released, note = release_to_exchange(cohort, config, exchange_id, exchange_root(config), exchange, stage)
    stamp = now.astimezone(timezone.utc)
    (staging / cohort.worked_solutions_marker(assignment_id).name).write_text(
        f"{stamp.isoformat()}\nPembahasan dibagikan pada waktu di atas (UTC). Kiriman sesudahnya tidak dinilai.\n",
        encoding="utf-8",
    )
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    zips = {}
    names = " dan ".join(f"{n}.ipynb" for n in notebook_ids)
    for trainee in roster(cohort):
        bundle = cohort.worked_solutions_zip(assignment_id, trainee.trainee_id)
        bundle.parent.mkdir(parents=True, exist_ok=True)
        personal = bundle.with_name(f".{trainee.trainee_id}.partial")
        if personal.exists():
            shutil.rmtree(personal)
        shutil.copytree(folder, personal)
        (personal / README_FILE).write_text(README_TEXT.format(
            assignment_id=assignment_id, cohort_id=cohort.cohort_id, name=trainee.name,
            trainee_id=trainee.trainee_id, notebook_list=names,
        ), encoding="utf-8", newline="\r\n")
        zip_folder(personal, bundle, inside=exchange_id)
        shutil.rmtree(personal)
        zips[trainee.trainee_id] = bundle
    log.info("worked solutions of %s for %s: %d zip(s) in %s; %s", assignment_id, cohort.cohort_id, len(zips), folder, note)
    return WorkedSolutionRelease(
        cohort.cohort_id, assignment_id, folder, zips, opening, stamp, released, note,
    )
