"""The invitation list: registered UMKM never trained, ranked by the coordinator's priority."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from umkmkit.cohort.cohorts import read_roster
from umkmkit.errors import UmkmkitError
from umkmkit.ledger.invitations import (
    DEFAULT_PRIORITY,
    INVITATION_COLUMNS,
    YOUTH_MAX_AGE,
    district_coverage,
    invitation_list,
    parse_priority,
    read_registry,
)

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
REGISTRY = DATASETS / "umkm.csv"
ROSTERS = sorted(DATASETS.glob("roster-*.csv"))
YEAR = 2023
HEADER = ("id_umkm,nama_usaha,nama_pemilik,jenis_kelamin,tahun_lahir,oap,sektor,distrik,kampung,"
          "ada_sinyal,punya_nib,kanal_jualan,nomor_hp")


def business(number: int, **values) -> dict:
    """One registry row; what the test does not name is neutral (no criterion applies)."""
    row = {
        "id_umkm": f"MKW-{number:05d}", "nama_usaha": f"Usaha Uji {number}",
        "nama_pemilik": f"Peserta Uji {number}", "jenis_kelamin": "P", "tahun_lahir": 1970,
        "oap": False, "sektor": "jasa", "distrik": "Prafi", "kampung": "Aimasi", "ada_sinyal": True,
        "punya_nib": False, "kanal_jualan": "langsung", "nomor_hp": f"0810-0000-{number:04d}",
    }
    row.update(values)
    return row


def registry(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def ranked_ids(table: pd.DataFrame) -> list[str]:
    return table["id_umkm"].tolist()


def write(tmp_path: Path, text: str, name: str = "umkm.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real_registry() -> pd.DataFrame:
    return read_registry(REGISTRY)


@pytest.fixture(scope="module")
def trained() -> list[str]:
    """id_umkm of every trainee of both 2022 rosters, read by the kit's roster reader."""
    assert len(ROSTERS) == 2
    return [t.extra["id_umkm"] for path in ROSTERS for t in read_roster(path, registry=REGISTRY)]


# --- Who is on the list --------------------------------------------------------------------------

def test_everyone_trained_in_either_cohort_is_left_out_and_everyone_else_is_listed(real_registry, trained):
    listed = invitation_list(real_registry, trained, year=YEAR)
    assert not set(listed["id_umkm"]) & set(trained)
    assert set(listed["id_umkm"]) == set(real_registry["id_umkm"]) - set(trained)
    assert len(set(trained)) < len(trained), "the rosters share a few trainees; both count once"
    assert list(listed.columns) == list(INVITATION_COLUMNS)
    assert listed["peringkat"].tolist() == list(range(1, len(listed) + 1))


def test_ids_are_compared_without_surrounding_spaces_but_case_counts():
    table = registry(business(1), business(2), business(3, id_umkm=" MKW-00003 "))
    listed = invitation_list(table, [" MKW-00001\t", "MKW-00003", "mkw-00002"], year=YEAR)
    assert ranked_ids(listed) == ["MKW-00002"]


# --- Capacity ------------------------------------------------------------------------------------

def test_capacity_takes_exactly_the_first_places_of_the_full_order(real_registry, trained):
    everyone = invitation_list(real_registry, trained, year=YEAR)
    first = invitation_list(real_registry, trained, year=YEAR, capacity=25)
    pd.testing.assert_frame_equal(first, everyone.head(25))
    none = invitation_list(real_registry, trained, year=YEAR, capacity=0)
    assert none.empty and list(none.columns) == list(INVITATION_COLUMNS)
    more = invitation_list(real_registry, trained, year=YEAR, capacity=len(everyone) + 500)
    pd.testing.assert_frame_equal(more, everyone)


def test_negative_capacity_is_refused():
    with pytest.raises(UmkmkitError, match=r"Capacity -1: give the number of places"):
        invitation_list(registry(business(1)), [], year=YEAR, capacity=-1)


# --- Order ---------------------------------------------------------------------------------------

def test_sektor_puts_the_focus_sectors_first_then_id():
    table = registry(business(1, sektor="fesyen"), business(2, sektor="kerajinan"),
                     business(3, sektor="jasa"), business(4, sektor="kuliner"))
    assert ranked_ids(invitation_list(table, [], priority=("sektor",), year=YEAR)) == [
        "MKW-00002", "MKW-00004", "MKW-00001", "MKW-00003"]


def test_distrik_puts_the_least_covered_distrik_first():
    # Warmare: 1 of 2 trained (50%); Sidey: 0 of 2 (0%); Masni: 1 of 4 (25%).
    table = registry(
        business(1, distrik="Warmare"), business(2, distrik="Warmare"),
        business(3, distrik="Sidey"), business(4, distrik="Sidey"),
        business(5, distrik="Masni"), business(6, distrik="Masni"), business(7, distrik="Masni"),
        business(8, distrik="Masni"),
    )
    listed = invitation_list(table, ["MKW-00001", "MKW-00005"], priority=("distrik",), year=YEAR)
    assert ranked_ids(listed) == ["MKW-00003", "MKW-00004", "MKW-00006", "MKW-00007", "MKW-00008", "MKW-00002"]


def test_muda_puts_owners_aged_30_or_less_in_the_cohort_year_first():
    table = registry(business(1, tahun_lahir=YEAR - 31), business(2, tahun_lahir=YEAR - 50),
                     business(3, tahun_lahir=YEAR - YOUTH_MAX_AGE), business(4, tahun_lahir=YEAR - 22))
    listed = invitation_list(table, [], priority=("muda",), year=YEAR)
    assert ranked_ids(listed) == ["MKW-00003", "MKW-00004", "MKW-00001", "MKW-00002"]
    assert listed["umur"].tolist() == [30, 22, 31, 50]
    # The same owners a year later: the one who was 30 is 31 and no longer pemuda.
    assert ranked_ids(invitation_list(table, [], priority=("muda",), year=YEAR + 1))[:2] == ["MKW-00004", "MKW-00001"]


def test_ties_go_to_the_next_criterion_in_order_then_to_the_id():
    young, old = YEAR - 25, YEAR - 45
    table = registry(
        business(9, sektor="kuliner", distrik="Sidey", tahun_lahir=young),   # all three
        business(8, sektor="kuliner", distrik="Sidey", tahun_lahir=old),     # not muda
        business(7, sektor="kuliner", distrik="Sidey", tahun_lahir=old),     # tie with 8
        business(5, sektor="kuliner", distrik="Prafi", tahun_lahir=young),   # covered distrik
        business(4, sektor="jasa", distrik="Sidey", tahun_lahir=young),      # not sektor
        business(3, distrik="Prafi"),
        business(2, distrik="Prafi"),  # trained: Prafi is covered 1 of 3, Sidey 0 of 4
    )
    listed = invitation_list(table, ["MKW-00002"], year=YEAR)
    assert ranked_ids(listed) == ["MKW-00009", "MKW-00007", "MKW-00008", "MKW-00005", "MKW-00004", "MKW-00003"]


def test_the_priority_order_decides_which_criterion_wins():
    table = registry(business(1, sektor="kuliner"), business(2, tahun_lahir=YEAR - 25))
    assert ranked_ids(invitation_list(table, [], priority=("sektor", "muda"), year=YEAR)) == ["MKW-00001", "MKW-00002"]
    assert ranked_ids(invitation_list(table, [], priority=("muda", "sektor"), year=YEAR)) == ["MKW-00002", "MKW-00001"]
    assert ranked_ids(invitation_list(table, [], priority="muda,sektor", year=YEAR)) == ["MKW-00002", "MKW-00001"]


# --- Orang Asli Papua: reported only in aggregate, so never on this per-business list -------------

def test_oap_is_neither_a_column_nor_a_reason_nor_an_influence_on_the_order(real_registry, trained):
    listed = invitation_list(real_registry, trained, year=YEAR)
    assert "oap" not in INVITATION_COLUMNS and "oap" not in listed.columns
    assert real_registry["oap"].any(), "the registry has OAP owners, so a Papua phrase could appear"
    assert not listed["alasan"].str.contains("Papua", case=False).any()
    flipped = real_registry.assign(oap=~real_registry["oap"])
    pd.testing.assert_frame_equal(invitation_list(flipped, trained, year=YEAR), listed)
    pd.testing.assert_frame_equal(invitation_list(real_registry.drop(columns="oap"), trained, year=YEAR), listed)


@pytest.mark.parametrize("text", ["oap", "sektor, OAP"])
def test_parse_priority_refuses_oap_because_it_is_reported_only_in_aggregate(text):
    with pytest.raises(UmkmkitError) as refused:
        parse_priority(text)
    message = str(refused.value)
    assert message.startswith("'oap' is not an invitation criterion: Orang Asli Papua (oap) is reported "
                              "only in aggregate")
    assert "never per person" in message
    assert "give one or more of sektor, distrik, muda, separated by commas" in message


def test_oap_is_refused_by_the_list_too():
    with pytest.raises(UmkmkitError, match=r"'oap' is not an invitation criterion: .* only in aggregate"):
        invitation_list(registry(business(1, oap=True)), [], priority=("distrik", "oap"), year=YEAR)


def test_the_same_data_give_the_same_list_in_any_row_order(real_registry, trained):
    first = invitation_list(real_registry, trained, year=YEAR, capacity=300)
    again = invitation_list(real_registry, trained, year=YEAR, capacity=300)
    shuffled = real_registry.sample(frac=1, random_state=7)
    reordered = invitation_list(shuffled, list(reversed(trained)), year=YEAR, capacity=300)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, reordered)


# --- Coverage ------------------------------------------------------------------------------------

def test_coverage_is_the_share_of_each_distriks_registered_businesses_trained():
    table = registry(
        business(1, distrik="Masni"), business(2, distrik="Masni"), business(3, distrik="Masni"),
        business(4, distrik="Masni"), business(5, distrik="Sidey"), business(6, distrik="Sidey"),
        business(7, distrik="Warmare"),
    )
    # MKW-09999 was trained but is not in this registry: it must not count anywhere.
    coverage = district_coverage(table, ["MKW-00002", " MKW-00007", "MKW-09999"])
    assert coverage.to_dict() == {"Masni": 0.25, "Sidey": 0.0, "Warmare": 1.0}


def test_a_given_coverage_is_used_instead_of_the_rosters():
    table = registry(business(1, distrik="Masni"), business(2, distrik="Sidey"))
    coverage = pd.Series({"Masni": 0.04, "Sidey": 0.5})
    listed = invitation_list(table, [], priority=("distrik",), year=YEAR, coverage=coverage)
    assert ranked_ids(listed) == ["MKW-00001", "MKW-00002"]
    assert listed["alasan"].tolist() == ["distrik Masni baru terjangkau 4%", "distrik Sidey baru terjangkau 50%"]


@pytest.mark.parametrize("coverage, message", [
    (pd.Series({"Masni": 0.1}), r"no share for distrik Sidey"),
    (pd.Series({"Masni": 0.1, "Sidey": 40}), r"Coverage of distrik Sidey is not a share between 0 and 1"),
])
def test_a_given_coverage_must_hold_a_share_for_every_distrik(coverage, message):
    table = registry(business(1, distrik="Masni"), business(2, distrik="Sidey"))
    with pytest.raises(UmkmkitError, match=message):
        invitation_list(table, [], year=YEAR, coverage=coverage)


# --- Alasan --------------------------------------------------------------------------------------

def test_alasan_names_in_indonesian_the_criteria_that_apply_in_priority_order():
    table = registry(
        business(1, sektor="kuliner", distrik="Warmare", tahun_lahir=YEAR - 27, oap=True),  # OAP: never named
        business(2, sektor="kerajinan", distrik="Sidey", tahun_lahir=YEAR - 45),
        business(3, distrik="Warmare"),
        business(4, distrik="Warmare"), business(5, distrik="Warmare"), business(6, distrik="Warmare"),
    )
    listed = invitation_list(table, ["MKW-00006"], year=YEAR).set_index("id_umkm")["alasan"]
    assert listed["MKW-00001"] == "sektor prioritas (kuliner); distrik Warmare baru terjangkau 20%; pemilik muda (27 tahun)"
    assert listed["MKW-00002"] == "sektor prioritas (kerajinan); distrik Sidey belum terjangkau (0%)"
    assert listed["MKW-00003"] == "distrik Warmare baru terjangkau 20%"
    only_youth = invitation_list(table, [], priority=("muda", "sektor"), year=YEAR).set_index("id_umkm")["alasan"]
    assert only_youth["MKW-00001"] == "pemilik muda (27 tahun); sektor prioritas (kuliner)"
    assert only_youth["MKW-00003"] == "tidak memenuhi kriteria prioritas; diurutkan menurut nomor registrasi"


def test_small_coverage_is_shown_with_a_decimal_comma_and_never_rounded_up():
    table = registry(*(business(n, distrik="Masni") for n in range(1, 251)))
    listed = invitation_list(table, ["MKW-00001"], priority=("distrik",), year=YEAR, capacity=1)
    assert listed["alasan"].iat[0] == "distrik Masni baru terjangkau 0,4%"
    coverage = pd.Series({"Masni": 0.0199})
    listed = invitation_list(table, [], priority=("distrik",), year=YEAR, capacity=1, coverage=coverage)
    assert listed["alasan"].iat[0] == "distrik Masni baru terjangkau 1%"


# --- Priority text -------------------------------------------------------------------------------

def test_parse_priority_reads_names_in_order_whatever_the_spaces_and_case():
    assert parse_priority("distrik,muda") == ("distrik", "muda")
    assert parse_priority(" Distrik , MUDA ,") == ("distrik", "muda")
    assert parse_priority(",".join(DEFAULT_PRIORITY)) == DEFAULT_PRIORITY


@pytest.mark.parametrize("text, message", [
    ("distrik,umur", r"'umur' is not a priority criterion; give one or more of sektor, distrik, muda, "
                     r"separated by commas, most important first \(default: sektor,distrik,muda\)"),
    ("sector", r"'sector' is not a priority criterion \(did you mean 'sektor'\?\)"),
    ("muda,sektor,muda", r"Priority criterion muda given twice"),
    (" , ", r"The priority is empty; give one or more of sektor, distrik, muda, separated"),
])
def test_parse_priority_refuses_what_is_not_a_list_of_criteria(text, message):
    with pytest.raises(UmkmkitError, match=message):
        parse_priority(text)


def test_an_unknown_criterion_is_refused_by_the_list_too():
    with pytest.raises(UmkmkitError, match=r"'umur' is not a priority criterion"):
        invitation_list(registry(business(1)), [], priority=("umur",), year=YEAR)


# --- Reading the registry ------------------------------------------------------------------------

def test_read_registry_keeps_ids_and_phones_as_text_and_parses_bools_and_years(tmp_path):
    path = write(tmp_path, HEADER + "\n"
                 '0042 ,Kue Uji,Peserta Uji 1,P,1995,TRUE,kuliner,Sidey,Kaironi,false,False,"langsung;WhatsApp",0810-0000-0001\n')
    table = read_registry(path)
    row = table.iloc[0]
    assert row["id_umkm"] == "0042" and row["nomor_hp"] == "0810-0000-0001"
    assert [row["oap"], row["ada_sinyal"], row["tahun_lahir"]] == [True, False, 1995]
    assert table["oap"].dtype == bool and table["tahun_lahir"].dtype == "int64"


def test_the_real_registry_reads_with_every_column_of_the_data_dictionary(real_registry):
    assert len(real_registry) == 1250 and real_registry["id_umkm"].is_unique
    assert real_registry["id_umkm"].iat[0] == "MKW-00001"


def test_a_missing_registry_file_says_where_to_get_one(tmp_path):
    missing = tmp_path / "umkm.csv"
    with pytest.raises(UmkmkitError) as refused:
        read_registry(missing)
    assert str(missing) in str(refused.value)
    assert "not found" in str(refused.value) and "umkmkit datasets" in str(refused.value)


def test_a_missing_column_is_named_with_the_columns_needed(tmp_path):
    path = write(tmp_path, HEADER.replace(",oap", "") + "\n"
                 "MKW-00001,Kue Uji,Peserta Uji 1,P,1995,kuliner,Sidey,Kaironi,True,False,langsung,0810-0000-0001\n")
    with pytest.raises(UmkmkitError) as refused:
        read_registry(path)
    message = str(refused.value)
    assert f"{path}, line 1: missing column(s) oap." in message
    assert "add or rename the column(s)" in message


def test_a_semicolon_separated_registry_is_told_to_be_saved_as_csv_utf8(tmp_path):
    path = write(tmp_path, HEADER.replace(",", ";") + "\n")
    with pytest.raises(UmkmkitError, match=r"separated by semicolons: save it from Excel as 'CSV UTF-8"):
        read_registry(path)


def test_a_repeated_id_is_refused_with_the_lines_it_is_on(tmp_path):
    rows = [
        "MKW-00001,Kue Uji,Peserta Uji 1,P,1995,True,kuliner,Sidey,Kaironi,True,False,langsung,0810-0000-0001",
        # A quoted value over two lines: the lines after it are counted as the file has them.
        'MKW-00002,"Kue Uji\nDua",Peserta Uji 2,P,1995,True,kuliner,Sidey,Kaironi,True,False,langsung,0810-0000-0002',
        "",
        "MKW-00001,Kue Lain,Peserta Uji 3,P,1990,False,jasa,Prafi,Aimasi,True,False,langsung,0810-0000-0003",
        "MKW-00004,Kue Empat,Peserta Uji 4,P,19x0,ya,jasa,Prafi,Aimasi,True,False,langsung,0810-0000-0004",
    ]
    path = write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(UmkmkitError) as refused:
        read_registry(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: the registry has 3 problem(s). Fix them in the file and run again")
    assert "lines 2, 6: id_umkm 'MKW-00001' is repeated" in message
    assert "delete the extra row(s) or give each business its own number" in message
    assert "line 7, column 5 (tahun_lahir): '19x0' is not a whole number" in message
    assert "line 7, column 6 (oap): 'ya' is not True or False" in message


def test_a_registry_that_is_not_utf8_is_told_to_be_saved_as_csv_utf8(tmp_path):
    path = tmp_path / "umkm.csv"
    path.write_bytes((HEADER + "\nMKW-00001,Kue Ibu Ros\xe9,Peserta Uji 1,P,1995,True,kuliner,Sidey,Kaironi,"
                      "True,False,langsung,0810-0000-0001\n").encode("cp1252"))
    with pytest.raises(UmkmkitError, match=r"is not UTF-8 text: save it from Excel as 'CSV UTF-8"):
        read_registry(path)


# --- Speed ---------------------------------------------------------------------------------------

def test_100000_registered_businesses_are_ranked_well_under_a_second(real_registry):
    big = pd.concat([real_registry] * 80, ignore_index=True)
    big["id_umkm"] = [f"MKW-{n:06d}" for n in range(1, len(big) + 1)]
    trained = big["id_umkm"].iloc[::5].tolist()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        listed = invitation_list(big, trained, year=YEAR)
        timings.append(time.perf_counter() - start)
    assert len(listed) == 80_000
    assert min(timings) < 1.0, f"ranking 100,000 rows took {min(timings):.2f} s"
