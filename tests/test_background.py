"""The report's background writers (umkmkit.report.background): real child processes, real files."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from umkmkit.report.background import BUNDLE_NAME, Background
from umkmkit.errors import UmkmkitError


def test_files_and_tables_are_written_by_children_and_nothing_else_is_left(tmp_path):
    (tmp_path / "peserta").mkdir()
    pages = {f"peserta/P-{i:05}.html": f"<p>Peserta {i} — Ŋgwe</p>" for i in range(300)}
    table = pd.DataFrame({"id_peserta": ["P-00001", "P-00002"], "nilai_persen": [87.5, 60.0]})
    with Background(tmp_path) as background:
        background.write_files({**pages, "sertifikat.pdf": b"%PDF-1.7 bytes"})
        background.write_tables({"Ringkasan": table}, tmp_path / "progres.xlsx", {tmp_path / "progres.csv": table})
    assert sorted(p.name for p in (tmp_path / "peserta").iterdir()) == sorted(n.split("/")[1] for n in pages)
    assert (tmp_path / "peserta" / "P-00007.html").read_text(encoding="utf-8") == "<p>Peserta 7 — Ŋgwe</p>"
    assert (tmp_path / "sertifikat.pdf").read_bytes() == b"%PDF-1.7 bytes"
    assert list(load_workbook(tmp_path / "progres.xlsx", read_only=True)["Ringkasan"].values)[1] == ("P-00001", 87.5)
    assert (tmp_path / "progres.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "id_peserta,nilai_persen"
    assert not list(tmp_path.glob(f"{BUNDLE_NAME}*"))


def test_a_file_that_cannot_be_written_is_named_with_what_to_do(tmp_path):
    with pytest.raises(UmkmkitError, match=r"Cannot write .*tidak-ada.*P-00001\.html: .*Free some disk space"):
        with Background(tmp_path) as background:
            background.write_files({"baik.html": "ok", "tidak-ada/P-00001.html": "folder tidak ada"})
    assert not list(tmp_path.glob(f"{BUNDLE_NAME}*"))


def test_a_refused_workbook_comes_back_as_the_childs_own_message(tmp_path):
    with pytest.raises(UmkmkitError, match=r"Sheet name 'a/b' is not allowed in Excel"):
        with Background(tmp_path) as background:
            background.write_tables({"a/b": pd.DataFrame({"x": [1]})}, tmp_path / "b.xlsx", {})
    assert not (tmp_path / "b.xlsx").exists()


def test_leaving_on_an_error_stops_the_children(tmp_path):
    pages = {f"P-{i:05}.html": "x" * 1000 for i in range(20_000)}
    with pytest.raises(RuntimeError):
        with Background(tmp_path) as background:
            background.write_files(pages)
            children = [child for child, _ in background._children]
            raise RuntimeError("the report failed")
    assert all(child.poll() is not None for child in children)
    assert not list(tmp_path.glob(f"{BUNDLE_NAME}*"))


def test_ready_children_import_first_then_take_their_job(tmp_path):
    table = pd.DataFrame({"id_peserta": ["P-00001"], "nilai_persen": [87.5]})
    with Background(tmp_path, ready=("tables", "certificates")) as background:
        ready = dict(background._ready)
        background.write_tables({"Ringkasan": table}, tmp_path / "progres.xlsx", {})
        # the tables child was started before its job and took it: no second child
        assert [child for child, _ in background._children] == [ready["tables"]]
    assert list(load_workbook(tmp_path / "progres.xlsx", read_only=True)["Ringkasan"].values)[1] == ("P-00001", 87.5)
    # the certificates child got no job: its input was closed and it ended without an error
    assert ready["certificates"].returncode == 0
    assert not list(tmp_path.glob(f"{BUNDLE_NAME}*"))


def test_a_ready_childs_failure_comes_back_as_its_message(tmp_path):
    with pytest.raises(UmkmkitError, match=r"Sheet name 'a/b' is not allowed in Excel"):
        with Background(tmp_path, ready=("tables",)) as background:
            background.write_tables({"a/b": pd.DataFrame({"x": [1]})}, tmp_path / "b.xlsx", {})


def test_leaving_on_an_error_stops_ready_children_too(tmp_path):
    with pytest.raises(RuntimeError):
        with Background(tmp_path, ready=("tables", "certificates")) as background:
            children = list(background._ready.values())
            raise RuntimeError("the report failed")
    assert all(child.poll() is not None for child in children)


def test_an_unknown_ready_job_is_refused():
    with pytest.raises(ValueError, match="unknown background job.*sheets"):
        Background(".", ready=("sheets",))
