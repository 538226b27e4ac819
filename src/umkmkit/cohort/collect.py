"""Collecting trainees' notebooks into a cohort, from any source, identified by their content.

Notebooks arrive from nbgrader's exchange, zip files (a WhatsApp export, a USB stick), folders
or loose files, under any name (`latihan (1).ipynb`). Each one is identified by what it holds:

- the trainee: the release stamp in its metadata (`notebooks.stamp_of`, written by
  `umkmkit release`), else the exchange login when it is on the roster, else the participant
  header (ID_PESERTA, or a NAMA that matches exactly one rostered name);
- the notebook: the stamp's notebook id, else the release notebook whose nbgrader cells
  (grade ids and checksums, which trainees do not change) it shares most.

It is refused, with a short reason for the trainer, when it is not readable JSON, belongs to
another cohort or assignment, names a trainee who is not on the roster, or cannot be tied to a
trainee at all. Accepted notebooks go where nbgrader expects them,
submitted/<trainee>/<assignment>/<notebook>.ipynb, with timestamp.txt.

The time of a notebook is the modification time of a loose file, the date stored with a zip
entry (zip dates carry no time zone: read as this computer's), or the submission time the
exchange recorded. When a trainee sends the same notebook more than once, the latest is kept;
one older than the submission already collected does not replace it. A submission that is
replaced is first copied to backups/submitted/<stamp>/<trainee>/<assignment>/.
"""

from __future__ import annotations

import logging
import codecs
import copy
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.utils import parse_utc
from traitlets.config import Config

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import exchange_root, load_cohort_config, roster
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_bytes_atomic
from umkmkit.cohort.release import released_notebooks
from umkmkit.workspace import INBOUND, RELEASE, SUBMITTED, Cohort, nbgrader_api, nbgrader_timestamp
from umkmkit.cohort.worked_solutions import released_at

log = logging.getLogger(__name__)

#: Zips inside zips are opened this deep (a zip of WhatsApp exports), no deeper.
MAX_ZIP_DEPTH = 3
_ZIP_MAGIC = b"PK\x03\x04"
#: A notebook belongs to a release notebook when it keeps at least this share of its nbgrader cells.
MIN_CELL_MATCH = 0.5


@dataclass(frozen=True)
class Accepted:
    """A notebook placed in submitted/."""

    trainee_id: str
    notebook_id: str
    source: str
    timestamp: datetime
    identified_by: str  # "stamp", "exchange login", "header id" or "header name"
    path: Path
    backup: Path | None  # where the submission it replaced was copied, if any


@dataclass(frozen=True)
class Skipped:
    """A readable notebook of a known trainee that was not placed, and why (nothing wrong with it)."""

    trainee_id: str
    notebook_id: str
    source: str
    timestamp: datetime
    reason: str


@dataclass(frozen=True)
class Refused:
    source: str
    reason: str
    #: Whose it seems to be (stamp or header, read even from a damaged file), "" when unknown.
    trainee: str = ""


@dataclass(frozen=True)
class CollectResult:
    cohort_id: str
    assignment_id: str
    accepted: tuple[Accepted, ...]
    skipped: tuple[Skipped, ...]
    refused: tuple[Refused, ...]
    #: What happened with nbgrader's exchange, in one sentence for the trainer.
    exchange_note: str
    #: Rostered trainees with no submission of this assignment yet (neither now nor before).
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Arrival:
    """One notebook as it arrived: where from, its bytes, its time, the exchange login if any.

    `secret` is nbgrader's submission_secret.txt of an exchange submission: nbgrader's
    release_feedback needs it beside the collected submission to address the feedback.
    """

    source: str
    data: bytes
    timestamp: datetime
    login: str = ""
    secret: bytes | None = None


@dataclass(frozen=True)
class _Identified:
    arrival: _Arrival
    trainee_id: str
    notebook_id: str
    identified_by: str


def collect_submissions(
    cohort: Cohort,
    assignment_id: str,
    paths: Sequence[Path] = (),
    exchange: bool | None = None,
) -> CollectResult:
    """Take one assignment's notebooks from `paths` (zips, folders, files) and the exchange.

    `exchange`: True collects from the cohort's exchange folder with nbgrader's collect, False
    does not, None (default) does when the exchange has an inbound folder for this cohort.
    Returns what was accepted, skipped (older sends, already collected) and refused.
    """
    config = load_cohort_config(cohort)
    expected = released_notebooks(cohort, assignment_id)
    arrivals, refused = _arrivals_from_paths(paths)
    exchange_arrivals, exchange_note = _arrivals_from_exchange(cohort, config, assignment_id, exchange)
    if exchange_arrivals is None and not paths:
        raise UmkmkitError(
            f"Nothing to collect for {cohort.cohort_id} {assignment_id}: name the zip files, folders or "
            f"notebooks to collect, or use --exchange; {exchange_note}"
        )
    arrivals += exchange_arrivals or []
    identify = _Identifier(cohort, assignment_id, expected)
    identified = []
    for arrival in arrivals:
        outcome = identify(arrival)
        if isinstance(outcome, Refused):
            refused.append(outcome)
        else:
            identified.append(outcome)
    newest, skipped = _newest_per_notebook(identified)
    handed_out = released_at(cohort, assignment_id)
    if handed_out:
        late = [item for item in newest if item.arrival.timestamp > handed_out]
        newest = [item for item in newest if item not in late]
        skipped += [_skipped(item, f"sent after the worked solution was handed out ({nbgrader_timestamp(handed_out)}): "
                                   "not graded") for item in late]
    accepted = []
    run_stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    backups: dict[str, Path] = {}
    for item in newest:
        outcome = _place(cohort, assignment_id, item, run_stamp, backups)
        (accepted if isinstance(outcome, Accepted) else skipped).append(outcome)
    handed_in = set(cohort.trainees_with(SUBMITTED, assignment_id))
    missing = tuple(t.trainee_id for t in roster(cohort) if t.trainee_id not in handed_in)
    log.info("collected %s of %s: %d accepted, %d skipped, %d refused; %s", assignment_id, cohort.cohort_id,
             len(accepted), len(skipped), len(refused), exchange_note)
    for item in skipped:
        log.debug("skipped %s: %s", item.source, item.reason)
    for item in refused:
        log.warning("refused %s: %s", item.source, item.reason)
    return CollectResult(
        cohort.cohort_id, assignment_id, tuple(accepted), tuple(skipped), tuple(refused), exchange_note, missing,
    )


#: A trainee id as the kit writes it into a notebook: the release stamp's JSON, or the header's
#: ID_PESERTA line. Read from the raw bytes, so a damaged notebook still says whose it is.
_TRAINEE_IN_BYTES = re.compile(
    rb'"trainee_id"\s*:\s*"([^"\\]{1,40})"|ID_PESERTA\s*=\s*\\?["\']([A-Za-z0-9][A-Za-z0-9._-]{0,39})'
)


def _whose(data: bytes) -> str:
    """The trainee id a notebook's bytes name, if any ("" when none can be read)."""
    found = _TRAINEE_IN_BYTES.search(data)
    return (found.group(1) or found.group(2)).decode("utf-8", "replace") if found else ""


# --- where notebooks come from -----------------------------------------------------------

def _arrivals_from_paths(paths: Iterable[Path]) -> tuple[list[_Arrival], list[Refused]]:
    arrivals: list[_Arrival] = []
    refused: list[Refused] = []
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _is_noise(child.relative_to(path).as_posix()):
                    _from_file(child, arrivals, refused, any_name=False)
        elif path.is_file():
            # a file named on the command line is taken whatever its name (WhatsApp renames files)
            _from_file(path, arrivals, refused, any_name=True)
        else:
            refused.append(Refused(str(path), "not found: check the path"))
    return arrivals, refused


def _from_file(path: Path, arrivals: list[_Arrival], refused: list[Refused], any_name: bool) -> None:
    """A zip (known by its content, whatever its name) or a notebook; in folders, other files are left alone."""
    data = path.read_bytes()
    if data.startswith(_ZIP_MAGIC) or zipfile.is_zipfile(io.BytesIO(data)):
        _from_zip(data, str(path), 1, arrivals, refused)
    elif any_name or ".ipynb" in path.name.lower():
        arrivals.append(_Arrival(str(path), data, _file_time(path)))


def _is_noise(relative: str) -> bool:
    """Copies editors and operating systems leave beside the real files."""
    parts = relative.split("/")
    return any(part in (".ipynb_checkpoints", "__MACOSX") for part in parts) or parts[-1].startswith(".")


def _file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).astimezone()


def _from_zip(data: bytes, source: str, depth: int, arrivals: list[_Arrival], refused: list[Refused]) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir() and not _is_noise(info.filename)]
        for info in entries:
            where = f"{source} (in the zip: {info.filename})"
            content = archive.read(info)
            if content.startswith(_ZIP_MAGIC) and depth < MAX_ZIP_DEPTH:
                _from_zip(content, where, depth + 1, arrivals, refused)
            elif ".ipynb" in Path(info.filename).name.lower():
                # zip dates have no time zone: read them as this computer's local time
                arrivals.append(_Arrival(where, content, datetime(*info.date_time).astimezone()))
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as error:
        refused.append(Refused(source, f"a damaged or incomplete zip file ({error}): ask for it again"))


def _arrivals_from_exchange(
    cohort: Cohort, config: Config, assignment_id: str, exchange: bool | None,
) -> tuple[list[_Arrival] | None, str]:
    """Run nbgrader's collect into a scratch course folder; its notebooks then go through the same checks.

    The arrivals are None when the exchange was not read.
    """
    root = exchange_root(config)
    inbound = cohort.exchange_dir(root, INBOUND)
    if exchange is False:
        return None, "nbgrader's exchange was not read (--no-exchange)."
    if exchange is None and not inbound.is_dir():
        return None, f"nbgrader's exchange was not read: {inbound} does not exist."
    if sys.platform == "win32":
        raise UmkmkitError("nbgrader's exchange does not work on Windows; run again with --no-exchange.")
    arrivals = []
    with tempfile.TemporaryDirectory(prefix="umkmkit-collect-") as scratch:
        scratch_config = copy.deepcopy(config)
        scratch_config.CourseDirectory.root = scratch
        outcome = nbgrader_api(scratch_config).collect(assignment_id, update=True)
        if not outcome or not outcome["success"]:
            detail = (outcome or {}).get("error") or (outcome or {}).get("log") or "no reason given"
            raise UmkmkitError(
                f"nbgrader could not collect {assignment_id} from the exchange at {root}; nothing was "
                f"collected. Check the exchange folder, or run again with --no-exchange.\n{detail.strip()[-1500:]}"
            )
        collected = Cohort(Path(scratch))
        logins = sorted(p.name for p in (Path(scratch) / SUBMITTED).glob("*") if p.is_dir())
        for login in logins:
            folder = collected.assignment_dir(SUBMITTED, assignment_id, login)
            stamp = _submission_time(collected.timestamp_file(SUBMITTED, assignment_id, login))
            secret_file = folder / SUBMISSION_SECRET_FILE
            secret = secret_file.read_bytes() if secret_file.is_file() else None
            for path in sorted(folder.glob("*.ipynb")):
                arrivals.append(_Arrival(
                    f"exchange: {login}/{path.name}", path.read_bytes(), stamp or _file_time(path), login, secret,
                ))
    return arrivals, f"nbgrader's exchange at {root}: {len(arrivals)} notebook(s) from {len(logins)} login(s)."


# --- whose notebook, which notebook ------------------------------------------------------

#: nbgrader's file in an exchange submission that release_feedback uses to address the feedback.
SUBMISSION_SECRET_FILE = "submission_secret.txt"


class _NotAccepted(Exception):
    """Why an arrival cannot be collected (the reason the trainer reads)."""


class _Identifier:
    """Ties an arrival to a rostered trainee and a notebook of the assignment, or refuses it."""

    def __init__(self, cohort: Cohort, assignment_id: str, expected: dict[str, Path]):
        self.cohort_id = cohort.cohort_id
        self.cohort = cohort
        self.assignment_id = assignment_id
        self.trainees = {t.trainee_id: t for t in roster(cohort)}
        self.ids_by_key = {t.casefold(): t for t in self.trainees}
        self.ids_by_name: dict[str, list[str]] = {}
        for trainee in self.trainees.values():
            self.ids_by_name.setdefault(_name_key(trainee.name), []).append(trainee.trainee_id)
        self.cells = {nb_id: _cell_keys(notebooks.read_notebook(path)) for nb_id, path in expected.items()}
        self._others: dict[str, set] | None = None

    def __call__(self, arrival: _Arrival) -> _Identified | Refused:
        try:
            nb = notebooks.notebook_from_bytes(arrival.data, arrival.source)
        except notebooks.UnreadableNotebook as error:
            return Refused(arrival.source, f"{error.problem}: ask the trainee to save it again in JupyterLab and resend",
                           arrival.login or _whose(arrival.data))
        stamp: dict[str, str] = {}
        try:
            stamp = notebooks.stamp_of(nb)
            self._check_course(stamp)
            notebook_id = stamp["notebook"] if stamp.get("notebook") in self.cells else self._match(nb)
            trainee_id, identified_by = self._trainee(nb, stamp, arrival.login)
        except _NotAccepted as refusal:
            return Refused(arrival.source, str(refusal), stamp.get("trainee_id") or arrival.login or _whose(arrival.data))
        return _Identified(arrival, trainee_id, notebook_id, identified_by)

    def _check_course(self, stamp: dict[str, str]) -> None:
        if stamp.get("cohort") and stamp["cohort"] != self.cohort_id:
            raise _NotAccepted(f"belongs to cohort {stamp['cohort']}, not {self.cohort_id}: collect it there")
        if stamp.get("assignment") and stamp["assignment"] != self.assignment_id:
            raise _NotAccepted(
                f"is assignment {stamp['assignment']}, not {self.assignment_id}: "
                f"collect it with `umkmkit collect {self.cohort_id} {stamp['assignment']}`"
            )

    def _match(self, nb: NotebookNode) -> str:
        keys = _cell_keys(nb)
        if not keys:
            raise _NotAccepted(f"has no nbgrader cells: it is not an exercise notebook of {self.assignment_id}")
        best = _best_match(keys, self.cells)
        if best:
            return best
        other = _best_match(keys, self._other_assignments())
        if other:
            assignment, notebook_id = other.split("/", 1)
            raise _NotAccepted(f"looks like {notebook_id} of assignment {assignment}, not {self.assignment_id}")
        raise _NotAccepted(f"matches no notebook of {self.assignment_id} (another course's exercise?)")

    def _other_assignments(self) -> dict[str, set]:
        """Cells of the cohort's other released assignments, keyed "assignment/notebook"."""
        if self._others is None:
            self._others = {
                f"{other}/{nb_id}": _cell_keys(notebooks.read_notebook(path))
                for other in self.cohort.assignments_at(RELEASE, ".") if other != self.assignment_id
                for nb_id, path in released_notebooks(self.cohort, other).items()
            }
        return self._others

    def _trainee(self, nb: NotebookNode, stamp: dict[str, str], login: str) -> tuple[str, str]:
        """(trainee id, how it was found): stamp, else exchange login on the roster, else the header."""
        name, header_id = notebooks.participant_from_header(nb)
        from_header = self.ids_by_key.get(header_id.casefold()) if header_id else None
        claims = [(stamp.get("trainee_id", ""), "stamp")]
        if login in self.trainees:
            claims.append((login, "exchange login"))
        for trainee_id, how in claims:
            if not trainee_id:
                continue
            if trainee_id not in self.trainees:
                raise _NotAccepted(f"made for trainee {trainee_id}, who is not on the roster of {self.cohort_id}")
            if from_header and from_header != trainee_id:
                raise _NotAccepted(f"{how} says {trainee_id} but the header says {from_header}: ask who did the work")
            return trainee_id, how
        if from_header:
            return from_header, "header id"
        if header_id:
            raise _NotAccepted(
                f"ID_PESERTA '{header_id}' in the header is not on the roster of {self.cohort_id}: "
                "check the id with the trainee"
            )
        by_name = self.ids_by_name.get(_name_key(name), []) if name else []
        if len(by_name) == 1:
            return by_name[0], "header name"
        raise _NotAccepted(
            "cannot tell whose notebook this is (no release stamp, no ID_PESERTA in the first cell): "
            "ask the trainee to fill NAMA and ID_PESERTA and send it again"
        )


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _cell_keys(nb: NotebookNode) -> set[tuple[str, str]]:
    """(grade id, checksum) of every nbgrader cell: set at release, and not changed by the trainee's work."""
    return {
        (meta["grade_id"], str(meta.get("checksum", "")))
        for cell in nb.cells
        if (meta := cell.get("metadata", {}).get("nbgrader", {})).get("grade_id")
    }


def _best_match(keys: set, candidates: dict[str, set]) -> str | None:
    """The candidate sharing the largest share of its cells with `keys`, if at least MIN_CELL_MATCH."""
    scores = {name: len(keys & cells) / len(cells) for name, cells in candidates.items() if cells}
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] >= MIN_CELL_MATCH else None


# --- keeping the newest, placing without losing anything ---------------------------------

def _newest_per_notebook(identified: list[_Identified]) -> tuple[list[_Identified], list[Skipped]]:
    """The latest arrival per trainee and notebook (on a tie, the one named last); the rest skipped."""
    latest: dict[tuple[str, str], _Identified] = {}
    for item in identified:
        key = (item.trainee_id, item.notebook_id)
        if key not in latest or item.arrival.timestamp >= latest[key].arrival.timestamp:
            latest[key] = item
    skipped = []
    for item in identified:
        kept = latest[(item.trainee_id, item.notebook_id)]
        if kept is not item:
            same = "the same notebook as" if kept.arrival.data == item.arrival.data else "an older send; kept"
            skipped.append(_skipped(item, f"{same} {kept.arrival.source}"))
    return list(latest.values()), skipped


def _skipped(item: _Identified, reason: str) -> Skipped:
    return Skipped(item.trainee_id, item.notebook_id, item.arrival.source, item.arrival.timestamp, reason)


def _place(cohort: Cohort, assignment_id: str, item: _Identified, run_stamp: str, backups: dict[str, Path]) -> Accepted | Skipped:
    """Write the notebook into submitted/, after copying the submission it changes to backups/."""
    folder = cohort.assignment_dir(SUBMITTED, assignment_id, item.trainee_id)
    target = cohort.notebook_file(SUBMITTED, assignment_id, item.notebook_id, item.trainee_id)
    timestamp_file = cohort.timestamp_file(SUBMITTED, assignment_id, item.trainee_id)
    collected_at = _submission_time(timestamp_file)
    data = item.arrival.data.removeprefix(codecs.BOM_UTF8)  # nbgrader reads notebooks as plain UTF-8
    if target.is_file():
        if target.read_bytes() == data:
            return _skipped(item, "already collected (the same notebook)")
        if collected_at and item.arrival.timestamp < collected_at:
            return _skipped(item, f"older than the submission already collected ({nbgrader_timestamp(collected_at)})")
    if folder.is_dir() and item.trainee_id not in backups:
        backup = cohort.submission_backup_dir(run_stamp, assignment_id, item.trainee_id)
        shutil.copytree(folder, backup)
        backups[item.trainee_id] = backup
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, data)
    stamp = item.arrival.timestamp.timestamp()
    os.utime(target, (stamp, stamp))
    newest = max(filter(None, (collected_at, item.arrival.timestamp)))
    write_bytes_atomic(timestamp_file, nbgrader_timestamp(newest).encode("utf-8"))
    if item.arrival.secret is not None and item.arrival.login == item.trainee_id:
        write_bytes_atomic(folder / SUBMISSION_SECRET_FILE, item.arrival.secret)
    return Accepted(
        item.trainee_id, item.notebook_id, item.arrival.source, item.arrival.timestamp,
        item.identified_by, target, backups.get(item.trainee_id),
    )



def _submission_time(timestamp_file: Path) -> datetime | None:
    """The time in an nbgrader timestamp.txt, as an aware datetime (None when missing or unreadable)."""
    try:
        text = timestamp_file.read_text(encoding="utf-8").strip()
        return parse_utc(text).replace(tzinfo=timezone.utc).astimezone() if text else None
    except (OSError, ValueError, OverflowError):
        return None
