"""Creating a cohort and reading its roster: bad rosters are refused, with the file, line and
column of every problem, before anything is written."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest
from conftest import umkmkit

from umkmkit.cohort.cohorts import (
    POSTGRES_MODULE, Trainee, check_gradebook_database, create_cohort, load_cohort_config, open_gradebook,
    read_roster, roster,
)
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Cohort, Workspace, create_gradebook_tables

ROOT = Path(__file__).resolve().parents[1]
COHORT = "mkw-2022-06"
#: The June roster of the data sets: header, then P-00003, P-00043, P-00044, ...
JUNE = (ROOT / "datasets" / f"roster-{COHORT}.csv").read_text(encoding="utf-8").splitlines()
HEADER, FIRST, SECOND, THIRD = JUNE[:4]


def roster_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(path: Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def read(kit, path: Path):
    return read_roster(path, registry=kit.registry_file, cohort_id=COHORT)


def test_the_data_sets_roster_is_accepted_as_is(kit):
    trainees = read(kit, ROOT / "datasets" / f"roster-{COHORT}.csv")
    assert len(trainees) == 100 and trainees.notes == ()
    first = trainees[0]
    assert (first.trainee_id, first.name) == ("P-00003", "Kamaruddin Rahman")
    assert first.extra == {
        "id_umkm": "MKW-00003", "nama_usaha": "Anyaman Ayambori", "sektor": "kerajinan",
        "distrik": "Manokwari Timur", "kohort": COHORT,
    }


def test_utf8_with_bom_is_accepted(kit, tmp_path):
    trainees = read(kit, write(tmp_path / "r.csv", "\ufeff" + roster_text(FIRST, SECOND)))
    assert [t.trainee_id for t in trainees] == ["P-00003", "P-00043"]
    assert trainees.notes == ()


def test_excel_semicolon_export_is_read_and_said(kit, tmp_path):
    """Excel with Indonesian settings separates with ';', pads rows and adds empty rows."""
    rows = [line.replace(",", ";") + ";;" for line in (HEADER, FIRST, SECOND, THIRD)]
    path = write(tmp_path / "r.csv", "\r\n".join(rows + [";;;;;;;;;", ";;;;;;;;;"]) + "\r\n")
    trainees = read(kit, path)
    comma = read(kit, write(tmp_path / "comma.csv", roster_text(FIRST, SECOND, THIRD)))
    assert list(trainees) == list(comma)
    assert any("semicolon-separated" in note and str(path) in note for note in trainees.notes)


def _bad(text, *expected):
    return text, expected


BAD_ROSTERS = {
    "empty file": _bad("", r"the file is empty; a roster has a header row with the columns id_peserta, nama"),
    "header only": _bad(roster_text(), r"has a header but no trainees"),
    "missing columns": _bad(
        roster_text("P-00003,Kamaruddin Rahman,Anyaman Ayambori,kerajinan,Manokwari Timur",
                    header="id_peserta,nama,nama_usaha,sektor,distrik"),
        r"line 1: missing column\(s\) id_umkm, kohort",
    ),
    "extra columns": _bad(
        roster_text(FIRST + ",7,5", header=HEADER + ",nilai_pretest,catatan"),
        r"line 1, column 8: 'nilai_pretest' is not a roster column",
        r"line 1, column 9: 'catatan' is not a roster column",
        r"A roster has a header row with the columns id_peserta, nama, id_umkm, nama_usaha, sektor, distrik, kohort",
    ),
    "duplicate ids": _bad(roster_text(FIRST, SECOND, FIRST), r"line 4, column 1 \(id_peserta\): 'P-00003' already used on line 2"),
    "blank id": _bad(roster_text(SECOND.replace("P-00043", "")), r"line 2, column 1 \(id_peserta\): empty trainee id"),
    "id not in the registry": _bad(
        roster_text(FIRST.replace("00003", "09999")),
        r"line 2, column 3 \(id_umkm\): 'MKW-09999' is not in the registry .*umkm.csv",
    ),
    "trainee id does not follow the registry id": _bad(
        roster_text(FIRST.replace("P-00003", "P-00004")),
        r"line 2, column 1 \(id_peserta\): 'P-00004' does not match id_umkm 'MKW-00003'; it should be 'P-00003'",
    ),
    "sector outside the schema": _bad(
        roster_text(FIRST.replace("kerajinan", "Kerajinan")),
        r"line 2, column 5 \(sektor\): 'Kerajinan' is not one of kuliner, .* \(did you mean 'kerajinan'\?\)",
    ),
    "distrik outside the schema": _bad(
        roster_text(FIRST.replace("Manokwari Timur", "Manokwari")),
        r"line 2, column 6 \(distrik\): 'Manokwari' is not one of Manokwari Barat",
    ),
    "another cohort's trainee": _bad(
        roster_text(FIRST.replace(COHORT, "mkw-2022-08")),
        r"line 2, column 7 \(kohort\): 'mkw-2022-08', but the cohort is mkw-2022-06",
    ),
    "empty name": _bad(roster_text(FIRST.replace("Kamaruddin Rahman", "")), r"line 2, column 2 \(nama\): empty"),
    "comma in an unquoted value": _bad(
        roster_text(FIRST.replace("Kamaruddin Rahman", "Kamaruddin Rahman, S.E.")),
        r"line 2, column 8: 8 values for 7 columns; a value holding ',' must be in double quotes",
    ),
    "short row": _bad(roster_text("P-00003,Kamaruddin Rahman,MKW-00003"), r"line 2: 3 values for 7 columns"),
    "cp1252 from Excel's plain CSV": _bad(
        roster_text(FIRST.replace("Kamaruddin", "Kamaruddín")).encode("cp1252"),
        r"is not UTF-8 text; nothing was written",
        r"CSV UTF-8 \(Comma delimited\)",
        r"line 2, column 2 \(nama\): byte 0xED \(in Windows-1252: 'í'\)",
    ),
    "Excel workbook": _bad(b"PK\x03\x04\x14\x00rest of an xlsx", r"is an Excel workbook, not a CSV file"),
    "every problem of the file": _bad(
        roster_text(FIRST, FIRST, SECOND.replace("kuliner", "kue"), THIRD.replace("Masni", "Mansinam")),
        r"3 problem\(s\)",
        r"line 3, column 1 \(id_peserta\): 'P-00003' already used on line 2",
        r"line 4, column 5 \(sektor\): 'kue'",
        r"line 5, column 6 \(distrik\): 'Mansinam'",
    ),
}


@pytest.mark.parametrize("case", BAD_ROSTERS, ids=list(BAD_ROSTERS))
def test_bad_roster_is_refused_with_its_place_and_nothing_is_written(kit, curriculum, tmp_path, case):
    text, expected = BAD_ROSTERS[case]
    path = write(tmp_path / "peserta juni.csv", text)
    with pytest.raises(UmkmkitError) as refused:
        read(kit, path)
    for pattern in expected:
        assert re.search(pattern, str(refused.value)), str(refused.value)
    if "line" in " ".join(expected):
        assert f"{path}, line" in str(refused.value)
    workspace = Workspace(tmp_path / "ws")
    with pytest.raises(UmkmkitError, match=expected[0]):
        create_cohort(kit, curriculum, workspace, COHORT, path)
    assert not workspace.root.exists()


def test_a_long_list_of_problems_is_cut(kit, tmp_path):
    rows = [FIRST.replace("kerajinan", "ukiran")] * 45
    with pytest.raises(UmkmkitError, match=r"\.\.\. and \d+ more") as refused:
        read(kit, write(tmp_path / "r.csv", roster_text(*rows)))
    assert str(refused.value).count("\n  ") == 31  # 30 problems and the "more" line


def test_code_made_trainees_need_unique_ids(kit, curriculum, tmp_path):
    workspace = Workspace(tmp_path / "ws")
    with pytest.raises(UmkmkitError, match="unique"):
        create_cohort(kit, curriculum, workspace, "verifikasi", [Trainee("a", "A"), Trainee("a", "B")])
    assert not workspace.root.exists()


def test_cohort_keeps_the_checked_roster_and_its_exchange_setting(kit, curriculum, tmp_path):
    workspace = Workspace(tmp_path / "ws")
    semicolons = "\n".join(line.replace(",", ";") for line in (HEADER, FIRST, SECOND, THIRD)) + "\n"
    notes = []
    cohort = create_cohort(
        kit, curriculum, workspace, COHORT, write(tmp_path / "r.csv", semicolons),
        exchange_root=tmp_path / "exchange", on_note=notes.append,
    )
    assert notes and "semicolon" in notes[0]
    with cohort.roster_file.open(encoding="utf-8", newline="") as stream:
        assert list(csv.reader(stream)) == [line.split(",") for line in (HEADER, FIRST, SECOND, THIRD)]
    assert [t.trainee_id for t in roster(cohort)] == ["P-00003", "P-00043", "P-00044"]
    assert load_cohort_config(cohort).Exchange.root == str((tmp_path / "exchange").resolve())
    with open_gradebook(cohort) as gradebook:
        assert sorted(s.id for s in gradebook.students) == ["P-00003", "P-00043", "P-00044"]
        # the whole name, unsplit, as the roster has it (no "last, first" in the formgrader)
        stored = {s.id: (s.first_name, s.last_name) for s in gradebook.students}
    assert stored == {t.trainee_id: ("", t.name) for t in roster(cohort)}
    assert (cohort.root / "release" / curriculum.assignments[0].assignment).is_dir()
    with pytest.raises(UmkmkitError, match="already exists"):
        create_cohort(kit, curriculum, workspace, COHORT, write(tmp_path / "r.csv", semicolons))


def test_cohort_create_command(tmp_path):
    bad = write(tmp_path / "bad.csv", roster_text(FIRST, FIRST))
    done = umkmkit("cohort", "create", COHORT, "--roster", str(bad), workspace=tmp_path / "ws")
    assert done.exit_code == 1
    assert "line 3, column 1 (id_peserta): 'P-00003' already used on line 2" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "ws").exists()

    good = write(tmp_path / "good.csv", roster_text(FIRST, SECOND).replace(",", ";"))
    done = umkmkit(
        "cohort", "create", COHORT, "--roster", str(good), "--exchange-root", str(tmp_path / "exchange"),
        workspace=tmp_path / "ws",
    )
    assert done.exit_code == 0, done.stderr
    assert "semicolon-separated" in done.stdout
    assert f"Created cohort {COHORT} with 2 trainees" in done.stdout
    assert str(tmp_path / "ws" / "cohorts" / COHORT) in done.stdout


def test_a_postgresql_gradebook_without_its_driver_says_to_install_the_postgres_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, POSTGRES_MODULE, None)  # as if psycopg2 were not installed
    with pytest.raises(UmkmkitError, match=r'cohort mkw-2022-06 is a PostgreSQL database.*pip install "umkmkit\[postgres\]"'):
        check_gradebook_database("postgresql://trainer@server/mkw_2022_06", COHORT)
    cohort = Cohort(tmp_path / COHORT)
    cohort.root.mkdir()
    cohort.config_file.write_text(
        "c = get_config()  # noqa: F821\nc.CourseDirectory.db_url = 'postgresql+psycopg2://trainer@server/mkw_2022_06'\n",
        encoding="utf-8",
    )
    with pytest.raises(UmkmkitError, match=r'umkmkit\[postgres\]'):
        load_cohort_config(cohort)
    # a SQLite gradebook needs no driver
    cohort.config_file.write_text("c = get_config()  # noqa: F821\n", encoding="utf-8")
    assert load_cohort_config(cohort).CourseDirectory.root == str(cohort.root.resolve())


def test_a_new_gradebook_has_the_tables_and_migration_nbgrader_itself_would_give_it(tmp_path, monkeypatch):
    import sqlalchemy as sa
    from nbgrader import api as nbgrader_api

    def tables_and_migration(url: str) -> tuple[dict[str, list[str]], list[str]]:
        engine = sa.create_engine(url)
        inspector = sa.inspect(engine)
        tables = {name: sorted(c["name"] for c in inspector.get_columns(name)) for name in inspector.get_table_names()}
        with engine.connect() as connection:
            migration = list(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
        engine.dispose()
        return tables, migration

    by_nbgrader = f"sqlite:///{tmp_path / 'nbgrader.db'}"
    nbgrader_api.Gradebook(by_nbgrader).close()  # nbgrader's way: `alembic heads` in a new process
    ours = f"sqlite:///{tmp_path / 'umkmkit.db'}"
    monkeypatch.setattr(nbgrader_api, "get_alembic_version", lambda: pytest.fail("nbgrader ran alembic"))
    create_gradebook_tables(ours)
    nbgrader_api.Gradebook(ours).close()
    assert tables_and_migration(ours) == tables_and_migration(by_nbgrader)
    assert len(tables_and_migration(ours)[1]) == 1
    create_gradebook_tables(ours)  # a gradebook with tables is left as it is
    assert tables_and_migration(ours) == tables_and_migration(by_nbgrader)


def test_creating_a_cohort_starts_no_alembic_process(kit, curriculum, tmp_path, monkeypatch):
    from nbgrader import api as nbgrader_api

    monkeypatch.setattr(nbgrader_api, "get_alembic_version", lambda: pytest.fail("nbgrader ran alembic"))
    cohort = create_cohort(kit, curriculum, Workspace(tmp_path / "ws"), COHORT,
                           [Trainee("P-00003", "Peserta Uji")], assignment_ids=[curriculum.assignments[0].assignment])
    with open_gradebook(cohort) as gradebook:
        assert [s.id for s in gradebook.students] == ["P-00003"]
