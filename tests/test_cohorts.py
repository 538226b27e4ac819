"""Creating a cohort and reading its roster: bad rosters are refused before anything is written."""

from __future__ import annotations

import pytest

from umkmkit.cohorts import create_cohort, read_roster
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Workspace


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_roster_with_bom_and_extra_columns_is_read(tmp_path):
    roster = write(tmp_path / "r.csv", "\ufeffid_peserta,nama,sektor\nP-00001,Yohana Rumbiak,kuliner\n")
    [trainee] = read_roster(roster)
    assert (trainee.trainee_id, trainee.name, trainee.extra) == ("P-00001", "Yohana Rumbiak", {"sektor": "kuliner"})


@pytest.mark.parametrize("text, message", [
    ("", r"roster is empty"),
    ("nama\nYohana\n", r"line 1: missing column\(s\) id_peserta"),
    ("id_peserta,nama\nP-1,A\nP-1,B\n", r"line 3, column 1 \(id_peserta\): 'P-1' already used on line 2"),
    ("id_peserta,nama\n,A\n", r"line 2, column 1 \(id_peserta\): empty trainee id"),
    ("id_peserta,nama\nP 1,A\n", r"line 2, column 1 .*letters, digits"),
    ("id_peserta,nama\n", r"no trainees"),
])
def test_bad_roster_is_refused_with_its_place(tmp_path, text, message):
    with pytest.raises(UmkmkitError, match=message):
        read_roster(write(tmp_path / "r.csv", text))


def test_cp1252_roster_is_refused_with_advice(tmp_path):
    roster = write(tmp_path / "r.csv", "id_peserta,nama\nP-1,Andr\u00e9\n", encoding="cp1252")
    with pytest.raises(UmkmkitError, match="CSV UTF-8"):
        read_roster(roster)


def test_bad_roster_creates_nothing(kit, curriculum, tmp_path):
    workspace = Workspace(tmp_path / "ws")
    roster = write(tmp_path / "r.csv", "id_peserta,nama\nP-1,A\nP-1,B\n")
    with pytest.raises(UmkmkitError):
        create_cohort(kit, curriculum, workspace, "mkw-2099-01", roster)
    assert not workspace.cohort("mkw-2099-01").root.exists()


def test_existing_cohort_is_not_overwritten(kit, curriculum, tmp_path):
    workspace = Workspace(tmp_path / "ws")
    roster = write(tmp_path / "r.csv", "id_peserta,nama\nP-1,Yohana Rumbiak\n")
    cohort = create_cohort(kit, curriculum, workspace, "mkw-2099-01", roster)
    assert (cohort.root / "gradebook.db").is_file()
    assert (cohort.root / "release" / curriculum.assignments[0].assignment).is_dir()
    with pytest.raises(UmkmkitError, match="already exists"):
        create_cohort(kit, curriculum, workspace, "mkw-2099-01", roster)
