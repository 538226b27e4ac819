"""The .xlsx writer, read back with openpyxl."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from umkmkit.errors import UmkmkitError
from umkmkit.spreadsheet import write_workbook


def test_values_of_every_kind_come_back_as_written(tmp_path):
    table = pd.DataFrame({
        "id_peserta": ["P-00001", "P-00002", None],
        "nama": ['Yosef "Ucok" Mandacan, S.E.', "  spasi di tepi ", "kendali\x01<&>"],
        "jumlah": [1, 2, 3],
        "persen": [87.5, float("nan"), 100.0],
        "lulus": [True, False, True],
        "waktu": pd.to_datetime(["2022-06-10 09:30", None, "2022-08-12 17:00"]),
        "campur": [True, None, 2.5],
    })
    path = write_workbook({"Per peserta": table, "Kosong": pd.DataFrame(columns=["a", "b"])}, tmp_path / "p.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Per peserta", "Kosong"]
    rows = list(book["Per peserta"].values)
    assert rows[0] == tuple(table.columns)
    assert rows[1] == ("P-00001", 'Yosef "Ucok" Mandacan, S.E.', 1, 87.5, True, datetime(2022, 6, 10, 9, 30), True)
    assert rows[2] == ("P-00002", "  spasi di tepi ", 2, None, False, None, None)
    assert rows[3] == (None, "kendali<&>", 3, 100.0, True, datetime(2022, 8, 12, 17, 0), 2.5)
    assert book["Per peserta"]["A1"].font.b and not book["Per peserta"]["A2"].font.b
    assert book["Per peserta"].freeze_panes == "A2"
    assert list(book["Kosong"].values) == [("a", "b")]


def test_many_columns_get_excel_letters(tmp_path):
    table = pd.DataFrame([list(range(30))], columns=[f"k{i}" for i in range(30)])
    book = load_workbook(write_workbook({"Lebar": table}, tmp_path / "lebar.xlsx"))
    assert book["Lebar"]["AD2"].value == 29 and book["Lebar"]["Z1"].value == "k25"


def test_existing_file_is_replaced_whole_and_bad_names_refused(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"laporan lama")
    write_workbook({"A": pd.DataFrame({"x": [1]})}, path)
    assert list(load_workbook(path)["A"].values) == [("x",), (1,)]
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]
    with pytest.raises(UmkmkitError, match="Sheet name 'a/b' is not allowed"):
        write_workbook({"a/b": pd.DataFrame()}, path)
    assert list(load_workbook(path)["A"].values) == [("x",), (1,)]
