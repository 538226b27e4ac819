"""The trainer's checklist (ceklis) of module 05: items declared and checked in curriculum.yml,
ticks kept per trainee in the cohort's ceklis.csv, written atomically, unknown ids refused with
the valid ones listed, a table of every rostered trainee x item, and the `umkmkit checklist` verbs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import small_cohort

from umkmkit import files
from umkmkit.cohort import checklist
from umkmkit.course import notebooks
from umkmkit.cohort.checklist import (
    TABLE_COLUMNS, checklist_file, checklist_table, checklist_text, read_ticks, tick, untick,
)
from umkmkit.cli import main
from umkmkit.course.curriculum import load_curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Cohort, Kit

ROOT = Path(__file__).resolve().parents[1]
COHORT = "mkw-2022-06"
#: The June roster's first three trainees.
FIRST, SECOND, THIRD = "P-00003", "P-00043", "P-00044"


@pytest.fixture
def cohort(tmp_path) -> Cohort:
    """A cohort folder holding only what the checklist reads: the roster of three trainees."""
    folder = tmp_path / "ws" / "cohorts" / COHORT
    folder.mkdir(parents=True)
    lines = (ROOT / "datasets" / f"roster-{COHORT}.csv").read_text(encoding="utf-8").splitlines()
    (folder / "roster.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    return Cohort(folder)


def test_module_05_is_ungraded_and_carries_its_checklist(curriculum):
    module = next(m for m in curriculum.modules if m.id == "05")
    assert module.assignment is None and module.pass_mark is None and module.minutes_exercises == 0
    assert [item.id for item in module.checklist] == [
        "profil-bisnis", "katalog", "balasan-cepat", "label-pesanan", "cek-mutasi", "cek-nama-qris",
        "verifikasi-dua-langkah",
    ]
    assert curriculum.checklist == module.checklist
    assert module not in curriculum.assignments


def test_the_lessons_checklist_table_is_curriculum_yml_s(curriculum):
    """Participants read the items in the lesson; the trainer ticks them by the same numbers."""
    nb = notebooks.read_notebook(ROOT / "lessons" / "05-ponsel-usaha.ipynb")
    text = "\n".join(cell.source for cell in nb.cells)
    rows = re.findall(r"^\| (\d+) \| (.+?) \| \d \|$", text, re.MULTILINE)
    assert rows == [(str(n), item.teks) for n, item in enumerate(curriculum.checklist, start=1)]


def test_tick_and_untick_round_trip(cohort, curriculum):
    done = tick(cohort, curriculum, FIRST, ["profil-bisnis", "katalog"], when=date(2026, 12, 3), trainer="Bu Ani")
    assert (done.name, done.changed, done.unchanged, done.done, done.total) == (
        "Kamaruddin Rahman", ("profil-bisnis", "katalog"), (), 2, 7,
    )
    assert checklist_file(cohort).read_text(encoding="utf-8") == (
        "id_peserta,item,tanggal,pelatih\n"
        f"{FIRST},profil-bisnis,2026-12-03,Bu Ani\n"
        f"{FIRST},katalog,2026-12-03,Bu Ani\n"
    )
    # ticking again keeps the first date; a number names the item as `checklist show` numbers it
    again = tick(cohort, curriculum, FIRST, ["2", "verifikasi-dua-langkah"], when=date(2026, 12, 5))
    assert (again.changed, again.unchanged, again.done) == (("verifikasi-dua-langkah",), ("katalog",), 3)
    table = checklist_table(cohort, curriculum).set_index(["id_peserta", "item"])
    assert table.loc[(FIRST, "katalog"), "tanggal"] == pd.Timestamp("2026-12-03")
    assert table.loc[(FIRST, "verifikasi-dua-langkah"), "tanggal"] == pd.Timestamp("2026-12-05")

    back = untick(cohort, curriculum, FIRST, ["katalog", "label-pesanan"])
    assert (back.changed, back.unchanged, back.done) == (("katalog",), ("label-pesanan",), 2)
    table = checklist_table(cohort, curriculum).set_index(["id_peserta", "item"])
    assert not table.loc[(FIRST, "katalog"), "selesai"] and pd.isna(table.loc[(FIRST, "katalog"), "tanggal"])
    assert table.loc[(FIRST, "profil-bisnis"), "selesai"]
    assert table.loc[(FIRST, "profil-bisnis"), "pelatih"] == "Bu Ani"
    assert [(t.trainee_id, t.item) for t in read_ticks(cohort)] == [
        (FIRST, "profil-bisnis"), (FIRST, "verifikasi-dua-langkah"),
    ]


def test_an_unknown_trainee_is_refused_with_the_roster_listed_and_nothing_written(cohort, curriculum):
    tick(cohort, curriculum, FIRST, ["katalog"])
    before = checklist_file(cohort).read_bytes()
    with pytest.raises(UmkmkitError) as refused:
        tick(cohort, curriculum, "P-0003", ["profil-bisnis"])
    message = str(refused.value)
    assert "'P-0003' tidak ada di daftar peserta" in message
    for trainee_id in (FIRST, SECOND, THIRD):
        assert trainee_id in message
    assert checklist_file(cohort).read_bytes() == before


def test_an_unknown_item_is_refused_with_every_valid_id_listed_and_nothing_written(cohort, curriculum):
    with pytest.raises(UmkmkitError) as refused:
        tick(cohort, curriculum, FIRST, ["profil-bisnis", "qris", "99"])
    message = str(refused.value)
    assert "tidak dikenal: qris, 99" in message
    for number, item in enumerate(curriculum.checklist, start=1):
        assert f"{number}. {item.id}: {item.teks}" in message
    assert not checklist_file(cohort).exists()
    with pytest.raises(UmkmkitError, match="tidak dikenal: katalok"):
        untick(cohort, curriculum, FIRST, ["katalok"])


def test_a_cohort_that_does_not_exist_is_refused(tmp_path, curriculum):
    with pytest.raises(UmkmkitError, match=r"Kohort mkw-2099-01 tidak ada .*umkmkit cohort create mkw-2099-01"):
        checklist_table(Cohort(tmp_path / "cohorts" / "mkw-2099-01"), curriculum)


def test_the_table_has_every_rostered_trainee_times_every_item(cohort, curriculum):
    tick(cohort, curriculum, SECOND, ["cek-mutasi"], when=date(2026, 12, 3))
    # ticks of someone no longer on the roster, or of an item no longer in curriculum.yml, stay in
    # the file but not in the table
    rows = read_ticks(cohort) + [
        checklist.Tick("P-09999", "katalog", date(2026, 12, 3)), checklist.Tick(FIRST, "item-lama", date(2026, 12, 3)),
    ]
    checklist.write_ticks(cohort, rows)
    table = checklist_table(cohort, curriculum)
    assert list(table.columns) == TABLE_COLUMNS
    items = [item.id for item in curriculum.checklist]
    assert list(zip(table["id_peserta"], table["item"])) == [(t, i) for t in (FIRST, SECOND, THIRD) for i in items]
    assert set(table["kohort"]) == {COHORT} and set(table["modul"]) == {"05"}
    assert table["selesai"].dtype == bool and pd.api.types.is_datetime64_any_dtype(table["tanggal"])
    assert table["selesai"].sum() == 1
    done = table[table["selesai"]].iloc[0]
    assert (done["id_peserta"], done["nama"], done["item"]) == (SECOND, "Sutrisno Subagyo", "cek-mutasi")
    assert table.loc[~table["selesai"], "tanggal"].isna().all()


def test_a_failure_while_writing_leaves_the_saved_file_whole(cohort, curriculum, monkeypatch):
    tick(cohort, curriculum, FIRST, ["profil-bisnis", "katalog"])
    before = checklist_file(cohort).read_bytes()

    class DiskFullHalfway:
        """A file that takes half of what is written, then fails like a full disk."""

        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, text):
            self.stream.write(text[: len(text) // 2])
            self.stream.flush()
            raise OSError(28, "No space left on device")

    # umkmkit.files opens the temporary file
    monkeypatch.setattr(files, "open", lambda *a, **k: DiskFullHalfway(open(*a, **k)), raising=False)
    with pytest.raises(OSError, match="No space left"):
        tick(cohort, curriculum, SECOND, ["cek-mutasi"])
    monkeypatch.undo()
    assert checklist_file(cohort).read_bytes() == before
    assert sorted(p.name for p in cohort.root.iterdir()) == ["ceklis.csv", "roster.csv"], "temporary file left behind"
    assert [t.trainee_id for t in read_ticks(cohort)] == [FIRST, FIRST]


def test_a_file_open_in_excel_is_a_message_not_a_traceback(cohort, curriculum, monkeypatch):
    tick(cohort, curriculum, FIRST, ["katalog"])
    before = checklist_file(cohort).read_bytes()

    def locked(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", locked)
    with pytest.raises(UmkmkitError, match="sedang terbuka di Excel, tutup dulu"):
        tick(cohort, curriculum, FIRST, ["label-pesanan"])
    monkeypatch.undo()
    assert checklist_file(cohort).read_bytes() == before
    assert sorted(p.name for p in cohort.root.iterdir()) == ["ceklis.csv", "roster.csv"]


def test_a_file_saved_again_from_excel_is_read_and_a_bad_date_is_refused_with_its_line(cohort, curriculum):
    checklist_file(cohort).write_bytes(
        "\ufeffid_peserta;item;tanggal;pelatih\r\nP-00003;katalog;2026-12-03;\r\n".encode("utf-8")
    )
    assert read_ticks(cohort) == [checklist.Tick(FIRST, "katalog", date(2026, 12, 3), "")]
    assert tick(cohort, curriculum, FIRST, ["katalog"]).unchanged == ("katalog",)
    checklist_file(cohort).write_text("id_peserta,item,tanggal,pelatih\nP-00003,katalog,2026-12-03,\nP-00003,katalog,3/12/2026,\n",
                                      encoding="utf-8")
    with pytest.raises(UmkmkitError, match=r"ceklis.csv, baris 3: tanggal '3/12/2026' harus ditulis YYYY-MM-DD"):
        checklist_table(cohort, curriculum)


def test_the_text_view_marks_ticks_and_counts(cohort, curriculum):
    tick(cohort, curriculum, THIRD, ["1", "7"])
    text = checklist_text(checklist_table(cohort, curriculum), curriculum)
    assert "Ceklis kohort mkw-2022-06 (modul 05 Ponsel untuk usaha): 3 peserta, 7 hal." in text
    assert re.search(rf"^{THIRD} +Femmy Tuhumury +v - - - - - v  2/7$", text, re.MULTILINE)
    assert re.search(rf"^{FIRST} +Kamaruddin Rahman +- - - - - - -  0/7$", text, re.MULTILINE)
    assert "  7. verifikasi-dua-langkah: Verifikasi dua langkah WhatsApp aktif" in text


@pytest.mark.parametrize("item,message", [
    ("    - id: katalog\n      teks: Katalog\n      poin: 2\n", r"line 9: unknown key 'poin' in a 'ceklis' item"),
    ("    - id: profil-bisnis\n      teks: Lagi\n", r"line 9: ceklis id 'profil-bisnis' appears twice \(first at line 7\)"),
    ("    - id: Katalog Baru\n      teks: Katalog\n", r"line 9: ceklis id 'Katalog Baru' must be lower-case"),
    ("    - id: katalog\n", r"line 9: the 'ceklis' item has no teks"),
])
def test_a_bad_checklist_in_curriculum_yml_names_file_and_line(tmp_path, item, message):
    (tmp_path / "curriculum.yml").write_text(
        "modules:\n"
        "  - {id: '05', slug: ponsel, judul: J, title: T, pertanyaan: P, question: Q, lessons: [],\n"
        "     minutes: {mengajar: 60, latihan: 0},\n"
        "     ceklis: [{id: x, teks: y}]}\n"
        "  - id: '06'\n"
        "    ceklis:\n"
        "    - id: profil-bisnis\n"
        "      teks: Profil\n" + item
        + "    slug: s\n    judul: J\n    title: T\n    pertanyaan: P\n    question: Q\n    lessons: []\n"
        "    minutes: {mengajar: 10, latihan: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(UmkmkitError, match=rf"curriculum.yml, {message}"):
        load_curriculum(Kit(tmp_path))


def test_only_a_module_with_an_assignment_needs_a_pass_mark(tmp_path):
    module = ("  - id: '05'\n    slug: s\n    judul: J\n    title: T\n    pertanyaan: P\n    question: Q\n"
              "    lessons: []\n    minutes: {mengajar: 10, latihan: 0}\n")
    (tmp_path / "curriculum.yml").write_text("modules:\n" + module, encoding="utf-8")
    assert load_curriculum(Kit(tmp_path)).modules[0].pass_mark is None
    (tmp_path / "curriculum.yml").write_text(
        "modules:\n" + module + "    assignment: 05-s\n    notebooks: [latihan]\n", encoding="utf-8",
    )
    with pytest.raises(UmkmkitError, match="line 2: module is missing pass_mark"):
        load_curriculum(Kit(tmp_path))


@pytest.fixture(scope="module")
def created(kit, curriculum, tmp_path_factory):
    """A real cohort, made as a trainer makes one (its roster checked against the registry)."""
    return small_cohort(kit, curriculum, tmp_path_factory.mktemp("checklist"), [])


def test_the_checklist_commands(created):
    env = {"UMKMKIT_WORKSPACE": str(created.root.parents[1])}
    runner = CliRunner()

    done = runner.invoke(main, ["checklist", "tick", COHORT, FIRST, "profil-bisnis", "2", "--pelatih", "Bu Ani"], env=env)
    assert done.exit_code == 0, done.output
    assert done.output == f"{FIRST} (Kamaruddin Rahman): dicentang profil-bisnis, katalog. Selesai 2 dari 7 hal.\n"

    done = runner.invoke(main, ["checklist", "tick", COHORT, FIRST, "katalog", "7", "--tanggal", "2026-12-01"], env=env)
    assert done.output == (f"{FIRST} (Kamaruddin Rahman): dicentang verifikasi-dua-langkah; sudah dicentang "
                           "sebelumnya: katalog. Selesai 3 dari 7 hal.\n")
    assert f"{FIRST},verifikasi-dua-langkah,2026-12-01,\n" in checklist_file(created).read_text(encoding="utf-8")

    done = runner.invoke(main, ["checklist", "untick", COHORT, FIRST, "katalog"], env=env)
    assert done.output == f"{FIRST} (Kamaruddin Rahman): centang dihapus katalog. Selesai 2 dari 7 hal.\n"

    done = runner.invoke(main, ["checklist", "show", COHORT], env=env)
    assert done.exit_code == 0, done.output
    assert re.search(rf"^{FIRST} +Kamaruddin Rahman +v - - - - - v  2/7$", done.output, re.MULTILINE)
    assert re.search(rf"^{SECOND} +Sutrisno Subagyo +- - - - - - -  0/7$", done.output, re.MULTILINE)

    refused = runner.invoke(main, ["checklist", "tick", COHORT, "P-99999", "1"], env=env)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "'P-99999' tidak ada di daftar peserta" in refused.output and THIRD in refused.output
    refused = runner.invoke(main, ["checklist", "tick", COHORT, FIRST, "qris"], env=env)
    assert refused.exit_code == 1 and "6. cek-nama-qris" in refused.output
    assert runner.invoke(main, ["checklist", "tick", COHORT, FIRST], env=env).exit_code == 2  # no item named
