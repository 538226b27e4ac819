"""Worked solutions (pembahasan): handed out after the due date, never before; what they hold;
and that work sent after them is not collected."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from umkmkit.course import notebooks
from conftest import small_cohort
from umkmkit.cohort.cohorts import load_cohort_config, parse_due_date, set_due_date
from umkmkit.cohort.collect import collect_submissions
from umkmkit.errors import UmkmkitError
from umkmkit.cohort.release import release_assignment
from umkmkit.cohort.worked_solutions import EXCHANGE_SUFFIX, opens_at, release_worked_solutions
from umkmkit.workspace import SUBMITTED

ROOT = Path(__file__).resolve().parents[1]
COHORT, ASSIGNMENT, NOTEBOOK = "mkw-2022-06", "00-mengenal-jupyter", "latihan"
UTC = timezone.utc
DUE = datetime(2022, 6, 10, 8, 0)  # 17:00 WIT, as nbgrader stores it (UTC, naive)


@pytest.fixture()
def cohort(kit, curriculum, tmp_path):
    return small_cohort(kit, curriculum, tmp_path, [ASSIGNMENT, "tes-awal", "tes-akhir"], exchange_root=tmp_path / "exchange")


def test_no_due_date_no_worked_solution(cohort, curriculum):
    with pytest.raises(UmkmkitError, match=f"umkmkit due {COHORT} {ASSIGNMENT}"):
        release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert not cohort.worked_solutions_dir(ASSIGNMENT).exists()


def test_unknown_assignment_is_refused_by_name(cohort, curriculum):
    with pytest.raises(UmkmkitError, match="no assignment '99-lain'"):
        release_worked_solutions(cohort, curriculum, "99-lain")


@pytest.mark.parametrize("minutes_before", [1, 60 * 24 * 3])
def test_never_before_the_due_date(cohort, curriculum, minutes_before):
    set_due_date(cohort, ASSIGNMENT, DUE)
    before = DUE.replace(tzinfo=UTC) - timedelta(minutes=minutes_before)
    with pytest.raises(UmkmkitError, match="belum boleh dibagikan"):
        release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=before)
    assert not cohort.worked_solutions_dir(ASSIGNMENT).exists()
    assert not cohort.worked_solutions_zip(ASSIGNMENT, "P-00003").exists()
    assert not (cohort.root.parent.parent.parent / "exchange" / COHORT).exists()


def test_an_extension_pushes_the_opening_back(cohort, curriculum):
    set_due_date(cohort, ASSIGNMENT, DUE)
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=COHORT) as gradebook:
        gradebook.update_or_create_submission(ASSIGNMENT, "P-00003", extension=timedelta(days=2))
    assert opens_at(cohort, curriculum, ASSIGNMENT) == DUE.replace(tzinfo=UTC) + timedelta(days=2)
    with pytest.raises(UmkmkitError, match="belum boleh"):
        release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=DUE.replace(tzinfo=UTC) + timedelta(days=1))


def test_the_pre_test_waits_for_the_post_test(cohort, curriculum):
    set_due_date(cohort, "tes-awal", DUE - timedelta(days=2))
    set_due_date(cohort, "tes-akhir", DUE)
    with pytest.raises(UmkmkitError, match="belum boleh"):
        release_worked_solutions(cohort, curriculum, "tes-awal", now=DUE.replace(tzinfo=UTC) - timedelta(hours=1))
    assert opens_at(cohort, curriculum, "tes-awal") == DUE.replace(tzinfo=UTC)


def test_after_the_due_date_every_trainee_gets_the_worked_solution(cohort, curriculum, tmp_path):
    set_due_date(cohort, ASSIGNMENT, DUE)
    (tmp_path / "exchange").mkdir()
    result = release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=DUE.replace(tzinfo=UTC) + timedelta(minutes=1))
    worked = notebooks.read_notebook(result.folder / f"{NOTEBOOK}.ipynb")
    text = "\n".join(cell.source for cell in worked.cells)
    # the answers, as a participant would type them; no markers, no stubs, no hidden test code
    assert "total = harga_per_kilo * jumlah_kilo + ongkir" in text
    assert 'pesan = "Total belanja Anda: " + rupiah(total)' in text
    assert "### BEGIN" not in text and "### STUB" not in text and "445_000" not in text
    assert "Panduan menilai" in text  # the written part's example answer and marking guide
    assert not any("nbgrader" in cell.metadata for cell in worked.cells)
    assert worked.cells[0].source.startswith("# Pembahasan")
    assert (result.folder / "bantu.py").is_file()
    assert set(result.zips) == {"P-00003", "P-00043", "P-00044"}
    with zipfile.ZipFile(result.zips["P-00043"]) as archive:
        names = archive.namelist()
        assert f"{ASSIGNMENT}{EXCHANGE_SUFFIX}/{NOTEBOOK}.ipynb" in names
        assert f"{ASSIGNMENT}{EXCHANGE_SUFFIX}/bantu.py" in names
        assert "Sutrisno Subagyo" in archive.read(f"{ASSIGNMENT}{EXCHANGE_SUFFIX}/README.txt").decode("utf-8")
    assert result.exchange_released
    outbound = tmp_path / "exchange" / COHORT / "outbound" / f"{ASSIGNMENT}{EXCHANGE_SUFFIX}"
    assert (outbound / f"{NOTEBOOK}.ipynb").is_file()


def test_the_worked_solution_runs_and_every_check_passes(cohort, curriculum, tmp_path):
    set_due_date(cohort, ASSIGNMENT, DUE)
    result = release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=datetime(2030, 1, 1, tzinfo=UTC), exchange=False)
    executed = notebooks.execute_notebook(notebooks.read_notebook(result.folder / f"{NOTEBOOK}.ipynb"), cwd=result.folder)
    assert notebooks.cell_problems(executed) == []
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert printed.count("✔") == 5  # parts A-D and the challenge


def test_work_sent_after_the_worked_solution_is_not_collected(cohort, curriculum, kit, tmp_path):
    release_assignment(cohort, ASSIGNMENT, exchange=False)
    set_due_date(cohort, ASSIGNMENT, DUE)
    handed_out = DUE.replace(tzinfo=UTC) + timedelta(days=1)
    release_worked_solutions(cohort, curriculum, ASSIGNMENT, now=handed_out, exchange=False)
    import os

    before, after = tmp_path / "before.ipynb", tmp_path / "after.ipynb"
    for path, when in ((before, handed_out - timedelta(hours=1)), (after, handed_out + timedelta(hours=1))):
        trainee = "P-00003" if path is before else "P-00043"
        (path).write_bytes((cohort.bundle_dir(ASSIGNMENT, trainee) / f"{NOTEBOOK}.ipynb").read_bytes())
        os.utime(path, (when.timestamp(), when.timestamp()))
    result = collect_submissions(cohort, ASSIGNMENT, [before, after], exchange=False)
    assert [a.trainee_id for a in result.accepted] == ["P-00003"]
    assert [s.trainee_id for s in result.skipped] == ["P-00043"]
    assert "worked solution was handed out" in result.skipped[0].reason
    assert not cohort.assignment_dir(SUBMITTED, ASSIGNMENT, "P-00043").exists()


def test_due_dates_are_read_in_the_trainers_time_zone_or_with_an_offset():
    assert parse_due_date("2022-06-10 17:00+09:00") == DUE
    with pytest.raises(UmkmkitError, match="YYYY|tahun-bulan"):
        parse_due_date("10 Juni")
