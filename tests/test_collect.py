"""Collecting handed-in notebooks: any file name, zips, folders, nbgrader's exchange; identity
from the release stamp or the participant header; the newest kept; nothing lost."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from conftest import umkmkit
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
from nbgrader.utils import parse_utc
from traitlets.config import Config

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import cohort_api, create_cohort, roster
from umkmkit.cohort.collect import collect_submissions
from umkmkit.cohort.release import release_assignment
from umkmkit.workspace import RELEASE, SUBMITTED, Workspace

ROOT = Path(__file__).resolve().parents[1]
COHORT, ASSIGNMENT, NOTEBOOK = "mkw-2022-06", "00-mengenal-jupyter", "latihan"
#: Friday 10 June 2022, the last workshop day, in UTC.
FRIDAY = datetime(2022, 6, 10, 7, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def module_cohort(kit, curriculum, tmp_path_factory):
    """Three trainees of the June roster, the assignment released to them (bundles and exchange)."""
    base = tmp_path_factory.mktemp("collect")
    lines = (ROOT / "datasets" / f"roster-{COHORT}.csv").read_text(encoding="utf-8").splitlines()
    (base / "peserta.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    made = create_cohort(
        kit, curriculum, Workspace(base / "ws"), COHORT, base / "peserta.csv",
        assignment_ids=[ASSIGNMENT], exchange_root=base / "exchange",
    )
    release_assignment(made, ASSIGNMENT, exchange=True)
    return made


@pytest.fixture
def cohort(module_cohort):
    """The module's cohort with nothing collected yet; the exchange is left out unless a test asks."""
    yield module_cohort
    for folder in (module_cohort.root / SUBMITTED, module_cohort.backups_dir):
        shutil.rmtree(folder, ignore_errors=True)


def from_bundle(cohort, trainee_id: str, answer: str = "# jawaban pertama"):
    """The trainee's bundle notebook with some work done in it."""
    nb = notebooks.read_notebook(cohort.bundle_dir(ASSIGNMENT, trainee_id) / f"{NOTEBOOK}.ipynb")
    return _answer(nb, answer)


def _answer(nb, text: str):
    for cell in nb.cells:
        if notebooks.is_answer_cell(cell) and cell.cell_type == "code":
            cell.source = f"def total_belanja(harga, jumlah):\n    {text}\n    return harga * jumlah"
            break
    return nb


def save(nb, path: Path, when: datetime = FRIDAY) -> Path:
    notebooks.write_notebook(nb, path)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def submitted(cohort, trainee_id: str) -> Path:
    return cohort.notebook_file(SUBMITTED, ASSIGNMENT, NOTEBOOK, trainee_id)


def collect(cohort, *paths, exchange=False):
    return collect_submissions(cohort, ASSIGNMENT, [Path(p) for p in paths], exchange=exchange)


@pytest.fixture
def manokwari_time(monkeypatch):
    """This computer keeps Papua's time (WIT, UTC+9), as a trainer's laptop in Manokwari does."""
    if not hasattr(time, "tzset"):
        pytest.skip("time zones can only be switched on Unix")
    monkeypatch.setenv("TZ", "WIT-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_renamed_loose_file_is_placed_where_nbgrader_expects_it(cohort, tmp_path, manokwari_time):
    sent = save(from_bundle(cohort, "P-00003"), tmp_path / "latihan (1).ipynb")
    result = collect(cohort, sent)
    [accepted] = result.accepted
    assert (accepted.trainee_id, accepted.notebook_id, accepted.identified_by) == ("P-00003", NOTEBOOK, "stamp")
    assert accepted.path == submitted(cohort, "P-00003")
    assert submitted(cohort, "P-00003").read_bytes() == sent.read_bytes()
    assert submitted(cohort, "P-00003").stat().st_mtime == FRIDAY.timestamp()
    # the file's modification time, in local time with an ISO offset that nbgrader reads right
    stamp = cohort.timestamp_file(SUBMITTED, ASSIGNMENT, "P-00003").read_text(encoding="utf-8")
    assert stamp == "2022-06-10 16:00:00+09:00"
    assert parse_utc(stamp) == FRIDAY.replace(tzinfo=None)
    assert result.refused == () and result.skipped == ()


def test_whatsapp_zip_with_nested_folders(cohort, tmp_path, manokwari_time):
    archive = tmp_path / "WhatsApp Chat - Pelatihan UMKM.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for trainee_id, name, minute in (("P-00043", "Kiriman/Dokumen/latihan.ipynb", 30),
                                         ("P-00044", "Kiriman/latihan (2).ipynb", 45)):
            entry = zipfile.ZipInfo(name, date_time=(2022, 6, 10, 16, minute, 0))
            zipped.writestr(entry, nbformat.writes(from_bundle(cohort, trainee_id)))
        zipped.writestr("__MACOSX/Kiriman/._latihan (2).ipynb", b"\x00\x05\x16\x07")
    result = collect(cohort, archive)
    assert sorted(a.trainee_id for a in result.accepted) == ["P-00043", "P-00044"]
    assert result.refused == ()
    times = {a.trainee_id: a.timestamp for a in result.accepted}
    # zip dates carry no zone: they are read as this computer's local time (WIT here)
    assert times["P-00043"] == datetime(2022, 6, 10, 7, 30, tzinfo=timezone.utc)
    assert cohort.timestamp_file(SUBMITTED, ASSIGNMENT, "P-00044").read_text(encoding="utf-8") == (
        "2022-06-10 16:45:00+09:00"
    )
    assert submitted(cohort, "P-00044").is_file()
    assert f"{archive} (in the zip: Kiriman/Dokumen/latihan.ipynb)" in {a.source for a in result.accepted}


def test_folder_of_loose_files(cohort, tmp_path):
    folder = tmp_path / "flashdisk"
    save(from_bundle(cohort, "P-00003"), folder / "meja 1" / "latihan.ipynb")
    save(from_bundle(cohort, "P-00043"), folder / "latihan Sutrisno.ipynb")
    save(from_bundle(cohort, "P-00043", "# salinan-checkpoint-xyz"), folder / ".ipynb_checkpoints" / "latihan-checkpoint.ipynb")
    (folder / "catatan.txt").write_text("bukan notebook", encoding="utf-8")
    result = collect(cohort, folder)
    assert sorted(a.trainee_id for a in result.accepted) == ["P-00003", "P-00043"]
    assert result.refused == () and result.skipped == ()
    assert "salinan-checkpoint-xyz" not in submitted(cohort, "P-00043").read_text(encoding="utf-8")


def test_two_sends_in_one_go_keep_the_newest(cohort, tmp_path, caplog):
    older = save(from_bundle(cohort, "P-00003", "# kiriman pagi"), tmp_path / "latihan.ipynb", FRIDAY)
    newer = save(from_bundle(cohort, "P-00003", "# kiriman sore"), tmp_path / "latihan (1).ipynb",
                 FRIDAY.replace(hour=9))
    with caplog.at_level("DEBUG", logger="umkmkit"):
        result = collect(cohort, newer, older)
    [accepted] = result.accepted
    assert accepted.source == str(newer)
    assert "kiriman sore" in submitted(cohort, "P-00003").read_text(encoding="utf-8")
    [skipped] = result.skipped
    assert skipped.source == str(older) and "older send" in skipped.reason
    # the module's logger tells the same story (a trainer's -v, a run's log file)
    logged = [(record.name, record.getMessage()) for record in caplog.records]
    assert ("umkmkit.cohort.collect", f"skipped {older}: {skipped.reason}") in logged
    assert any(name == "umkmkit.cohort.collect" and "1 accepted, 1 skipped, 0 refused" in message
               for name, message in logged)


def test_a_later_send_replaces_the_submission_after_a_backup(cohort, tmp_path):
    first = save(from_bundle(cohort, "P-00003", "# kiriman pagi"), tmp_path / "pagi" / "latihan.ipynb", FRIDAY)
    collect(cohort, first)
    later = save(from_bundle(cohort, "P-00003", "# kiriman sore"), tmp_path / "sore" / "latihan.ipynb",
                 FRIDAY.replace(hour=9))
    [accepted] = collect(cohort, later).accepted
    assert "kiriman sore" in submitted(cohort, "P-00003").read_text(encoding="utf-8")
    assert accepted.backup and accepted.backup.is_relative_to(cohort.backups_dir / SUBMITTED)
    assert (accepted.backup / f"{NOTEBOOK}.ipynb").read_bytes() == first.read_bytes()
    assert datetime.fromisoformat((accepted.backup / "timestamp.txt").read_text(encoding="utf-8")) == FRIDAY

    # the morning copy handed in again (a second USB stick) does not undo the evening one
    result = collect(cohort, first)
    assert result.accepted == () and "older than the submission already collected" in result.skipped[0].reason
    assert "kiriman sore" in submitted(cohort, "P-00003").read_text(encoding="utf-8")


def test_collecting_the_same_files_twice_loses_nothing(cohort, tmp_path):
    folder = tmp_path / "kiriman"
    for trainee_id in ("P-00003", "P-00043"):
        save(from_bundle(cohort, trainee_id), folder / f"{trainee_id}.ipynb")
    assert len(collect(cohort, folder).accepted) == 2
    before = {t: submitted(cohort, t).read_bytes() for t in ("P-00003", "P-00043")}
    again = collect(cohort, folder)
    assert again.accepted == () and {s.reason for s in again.skipped} == {"already collected (the same notebook)"}
    assert {t: submitted(cohort, t).read_bytes() for t in before} == before
    assert not cohort.backups_dir.exists()

    # one trainee sends a corrected notebook: it is taken, the first one is kept in backups/
    save(from_bundle(cohort, "P-00043", "# diperbaiki"), folder / "P-00043.ipynb", FRIDAY.replace(hour=10))
    third = collect(cohort, folder)
    [accepted] = third.accepted
    assert (accepted.backup / f"{NOTEBOOK}.ipynb").read_bytes() == before["P-00043"]
    assert submitted(cohort, "P-00003").read_bytes() == before["P-00003"]


def test_stripped_metadata_falls_back_to_the_header(cohort, tmp_path):
    nb = from_bundle(cohort, "P-00044")
    del nb.metadata["umkmkit"]
    result = collect(cohort, save(nb, tmp_path / "Untitled.ipynb"))
    [accepted] = result.accepted
    assert (accepted.trainee_id, accepted.notebook_id, accepted.identified_by) == ("P-00044", NOTEBOOK, "header id")


def test_header_with_only_the_name_is_enough(cohort, tmp_path):
    released = notebooks.read_notebook(cohort.notebook_file(RELEASE, ASSIGNMENT, NOTEBOOK))
    nb = notebooks.fill_header(released, "femmy  tuhumury", "")
    [accepted] = collect(cohort, save(nb, tmp_path / "latihan.ipynb")).accepted
    assert (accepted.trainee_id, accepted.identified_by) == ("P-00044", "header name")


def _restamped(made, **changes):
    nb = from_bundle(made, "P-00003")
    nb.metadata["umkmkit"].update(changes)
    return nb


def _other_course(made):
    nb = from_bundle(made, "P-00003")
    del nb.metadata["umkmkit"]
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["checksum"] = "0" * 32
    return nb


REFUSALS = {
    "another assignment": (lambda c: _restamped(c, assignment="01-jualan-digital"),
                           f"is assignment 01-jualan-digital, not {ASSIGNMENT}: collect it with "
                           f"`umkmkit collect {COHORT} 01-jualan-digital`"),
    "another cohort": (lambda c: _restamped(c, cohort="mkw-2022-08"),
                       f"belongs to cohort mkw-2022-08, not {COHORT}"),
    "unknown trainee": (lambda c: _restamped(c, trainee_id="P-09999"),
                        f"made for trainee P-09999, who is not on the roster of {COHORT}"),
    "unknown id in the header": (
        lambda c: notebooks.fill_header(notebooks.read_notebook(c.notebook_file(RELEASE, ASSIGNMENT, NOTEBOOK)),
                                        "Orang Lain", "P-12345"),
        f"ID_PESERTA 'P-12345' in the header is not on the roster of {COHORT}"),
    "neither stamp nor header": (
        lambda c: notebooks.read_notebook(c.notebook_file(RELEASE, ASSIGNMENT, NOTEBOOK)),
        "cannot tell whose notebook this is"),
    "stamp and header disagree": (
        lambda c: _answer(notebooks.stamped(
            notebooks.fill_header(notebooks.read_notebook(c.notebook_file(RELEASE, ASSIGNMENT, NOTEBOOK)),
                                  "Sutrisno Subagyo", "P-00043"),
            cohort=COHORT, assignment=ASSIGNMENT, notebook=NOTEBOOK, trainee_id="P-00003"), "# x"),
        "stamp says P-00003 but the header says P-00043: ask who did the work"),
    "exercise of another course": (_other_course, f"matches no notebook of {ASSIGNMENT}"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_notebook_that_cannot_be_taken_is_refused_with_its_reason(cohort, tmp_path, case):
    make, reason = REFUSALS[case]
    sent = save(make(cohort), tmp_path / "latihan.ipynb")
    result = collect(cohort, sent)
    assert result.accepted == ()
    [refused] = result.refused
    assert refused.source == str(sent) and reason in refused.reason
    assert not (cohort.root / SUBMITTED).exists()


def test_invalid_json_is_refused_and_others_still_taken(cohort, tmp_path):
    good = save(from_bundle(cohort, "P-00003"), tmp_path / "latihan.ipynb")
    broken = tmp_path / "latihan (rusak).ipynb"
    broken.write_bytes(good.read_bytes()[:2000])
    missing = tmp_path / "tidak-ada.zip"
    not_a_zip = tmp_path / "kiriman.zip"
    not_a_zip.write_bytes(b"PK\x03\x04 cut short")
    result = collect(cohort, broken, good, missing, not_a_zip)
    assert [a.trainee_id for a in result.accepted] == ["P-00003"]
    reasons = {Path(r.source).name: r.reason for r in result.refused}
    assert reasons["latihan (rusak).ipynb"].startswith("not valid JSON at line ")
    assert "save it again in JupyterLab" in reasons["latihan (rusak).ipynb"]
    assert reasons["tidak-ada.zip"] == "not found: check the path"
    assert reasons["kiriman.zip"].startswith("a damaged or incomplete zip file")
    # the cut-short notebook still says whose it is; the rest of the roster has not handed in
    whose = {Path(r.source).name: r.trainee for r in result.refused}
    assert whose["latihan (rusak).ipynb"] == "P-00003" and whose["tidak-ada.zip"] == ""
    assert "P-00003" not in result.missing and len(result.missing) == len(roster(cohort)) - 1


def test_collect_command_lists_accepted_and_refused(cohort, tmp_path):
    good = save(from_bundle(cohort, "P-00043"), tmp_path / "latihan (1).ipynb")
    bad = tmp_path / "latihan.ipynb"
    bad.write_text("{ bukan json", encoding="utf-8")
    done = umkmkit("collect", COHORT, ASSIGNMENT, str(good), str(bad), "--no-exchange", workspace=cohort.root.parents[1])
    assert done.exit_code == 0, done.stderr
    assert "Diterima / Accepted (1):\n  P-00043 latihan " in done.stdout and f"from {good}" in done.stdout
    assert f"Ditolak / Refused (1):\n  {bad}: not valid JSON at line 1" in done.stdout
    waiting = next(line for line in done.stdout.splitlines() if line.startswith("Belum mengumpulkan / Not handed in yet"))
    assert "P-00043" not in waiting and all(t.trainee_id in waiting for t in roster(cohort) if t.trainee_id != "P-00043")


def _trainee_side(cohort, tmp_path, login: str, header: tuple[str, str]) -> None:
    """A trainee on a JupyterHub fetches from the exchange, works, and submits with nbgrader."""
    config = Config()
    config.CourseDirectory.course_id = COHORT
    config.CourseDirectory.assignment_id = ASSIGNMENT
    config.CourseDirectory.student_id = login
    config.Exchange.root = str(cohort.root.parents[2] / "exchange")
    config.Exchange.assignment_dir = str(tmp_path / login)
    config.Exchange.cache = str(tmp_path / login / ".cache")
    for step in (ExchangeFetchAssignment, ExchangeSubmit):
        if step is ExchangeSubmit:
            path = tmp_path / login / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
            notebooks.write_notebook(_answer(notebooks.fill_header(notebooks.read_notebook(path), *header), "# hub"), path)
        step(coursedir=CourseDirectory(config=config), authenticator=Authenticator(config=config), config=config).start()


def test_exchange_fetch_submit_collect_and_grade(cohort, tmp_path):
    _trainee_side(cohort, tmp_path, "P-00044", ("Femmy Tuhumury", "P-00044"))  # hub login = trainee id
    _trainee_side(cohort, tmp_path, "laptop-3", ("Sutrisno Subagyo", "P-00043"))  # shared login: the header tells
    result = collect_submissions(cohort, ASSIGNMENT)  # the exchange has this cohort's inbound: read by default
    identified = {a.trainee_id: a.identified_by for a in result.accepted}
    assert identified == {"P-00044": "exchange login", "P-00043": "header id"}
    assert "2 notebook(s) from 2 login(s)" in result.exchange_note
    assert all(a.source.startswith("exchange: ") for a in result.accepted)
    assert "# hub" in submitted(cohort, "P-00043").read_text(encoding="utf-8")
    # the login that is the trainee keeps nbgrader's secret, which release_feedback needs
    secret = cohort.assignment_dir("submitted", ASSIGNMENT, "P-00044") / "submission_secret.txt"
    inbound = next((cohort.root.parents[2] / "exchange" / COHORT / "inbound").glob("P-00044+*"))
    assert secret.read_bytes() == (inbound / "submission_secret.txt").read_bytes()
    assert not (cohort.assignment_dir("submitted", ASSIGNMENT, "P-00043") / "submission_secret.txt").exists()
    # nbgrader itself finds and grades what was collected
    outcome = cohort_api(cohort).autograde(ASSIGNMENT, "P-00044", force=True, create=True)
    assert outcome["success"], outcome.get("error") or outcome.get("log")
    assert cohort.notebook_file("autograded", ASSIGNMENT, NOTEBOOK, "P-00044").is_file()
    shutil.rmtree(cohort.root / "autograded")
