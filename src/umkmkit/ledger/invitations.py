"""Whom to invite to the next cohort: the registered UMKM never trained, in a documented order.

Who is on the list
    Every business of the office's registry (``datasets/umkm.csv``) whose ``id_umkm`` appears in
    no cohort roster. Ids are compared after removing surrounding spaces (``strip()``); upper
    and lower case count (``MKW-00042`` is not ``mkw-00042``), as everywhere in the kit: the
    roster reader checks every roster ``id_umkm`` against the registry exactly.

The criteria (``--priority``, default ``sektor,distrik,muda``)
    ``sektor``
        Businesses in the Dinas's focus sectors (kuliner, kerajinan) first.
    ``distrik``
        Businesses in the distrik reached least so far first. A distrik's coverage is the share
        of its registered UMKM already trained in any cohort (20 of 100 trained = 20%).
    ``muda``
        Owners who are pemuda in the year of the next cohort first: aged 30 or less, the age
        being that year minus the birth year (the age the owner reaches in that year).

Why Orang Asli Papua is not a criterion
    The data dictionary (``datasets/README.md``) lets the registry's ``oap`` column be reported
    only in aggregate (counts and shares), never per person. The invitation list names each
    business and its owner, so it neither ranks by ``oap`` nor shows it, not even in ``alasan``:
    :func:`parse_priority` refuses ``oap``. OAP participation is in the coordinator's report, in
    aggregate. :func:`read_registry` still reads and checks the column for that report.

How ties are broken
    The list is ordered by the first criterion; businesses equal on it are ordered by the
    second, and so on; businesses equal on every criterion are ordered by ``id_umkm``, so the
    same data always give the same list. Criteria left out of the priority are not used.

How many
    ``capacity`` places: the first ``capacity`` businesses of the order. Without a capacity,
    or with one larger than the number not yet trained, everyone not yet trained is listed.

Why each business is where it is
    The ``alasan`` column says, in Indonesian, which criteria count in the business's favour,
    e.g. "sektor prioritas (kuliner); distrik Warmare baru terjangkau 4%; pemilik muda (27
    tahun)". The distrik's coverage is always named when ``distrik`` is a criterion.
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from umkmkit.datasets import schema
from umkmkit.errors import UmkmkitError
from umkmkit.formats import format_percent
from umkmkit.workspace import REGISTRY_FILE

#: Criteria names, in the default order.
DEFAULT_PRIORITY: tuple[str, ...] = ("sektor", "distrik", "muda")
#: The Dinas's focus sectors: the 2022 training was mostly kuliner and kerajinan (Antara Papua Barat).
PRIORITY_SECTORS: tuple[str, ...] = ("kuliner", "kerajinan")
#: Pemuda are citizens aged 16 to 30 (UU 40/2009 tentang Kepemudaan, Pasal 1 angka 1).
YOUTH_MAX_AGE = 30

#: The columns of the invitation list, in order.
INVITATION_COLUMNS: tuple[str, ...] = (
    "peringkat", "id_umkm", "nama_usaha", "nama_pemilik", "sektor", "distrik", "kampung", "umur",
    "ada_sinyal", "nomor_hp", "alasan",
)
#: A refused registry lists at most this many problems.
MAX_PROBLEMS = 30

_REGISTRY = schema.FILE[REGISTRY_FILE]
_ID = "id_umkm"
#: The registry columns the invitation list reads (never ``oap``: see the module doc).
_NEEDED = ("id_umkm", "nama_usaha", "nama_pemilik", "tahun_lahir", "sektor", "distrik", "kampung",
           "ada_sinyal", "nomor_hp")
_BOOLS = {"true": True, "false": False}
_NO_REASON = "tidak memenuhi kriteria prioritas; diurutkan menurut nomor registrasi"
_SAVE_AS_CSV_UTF8 = "save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'"


# --- Reading the registry -----------------------------------------------------------------------

def read_registry(path: Path) -> pd.DataFrame:
    """Read the office's registry of UMKM (``datasets/umkm.csv``), checked against the data dictionary.

    Every column is text as written (ids keep their leading zeros), except the dictionary's
    ``bool`` columns (``True``/``False`` in any case, as Excel may rewrite them), parsed to bool,
    and its ``int`` columns, parsed to int. ``id_umkm`` is stripped of surrounding spaces.

    Raises
    ------
    UmkmkitError
        The file is missing or unreadable, lacks a column of the dictionary, or has rows with an
        empty or repeated ``id_umkm`` or a value of the wrong type; the message names the file
        and the line (and column) of each problem.
    """
    path = Path(path)
    table = _read_csv(path)
    table.columns = [str(name).strip().lower() for name in table.columns]
    missing = [name for name in _REGISTRY.column_names if name not in table.columns]
    if missing:
        semicolons = len(table.columns) == 1 and ";" in table.columns[0]
        hint = f" The header is separated by semicolons: {_SAVE_AS_CSV_UTF8}." if semicolons else ""
        raise UmkmkitError(
            f"{path}, line 1: missing column(s) {', '.join(missing)}. The registry needs a header "
            f"row with the columns {', '.join(_REGISTRY.column_names)} (see datasets/README.md); "
            f"add or rename the column(s) and run again.{hint}"
        )
    table[_ID] = table[_ID].str.strip()
    problems = _registry_problems(path, table)
    if problems:
        shown = "\n  ".join(problems[:MAX_PROBLEMS])
        more = f"\n  ... and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise UmkmkitError(
            f"{path}: the registry has {len(problems)} problem(s). Fix them in the file and run "
            f"again:\n  {shown}{more}"
        )
    for column in _REGISTRY.columns:
        if column.type == "bool":
            table[column.name] = _parse_bools(table[column.name])[0]
        elif column.type == "int":
            table[column.name] = table[column.name].str.strip().astype("int64")
    return table


def _read_csv(path: Path) -> pd.DataFrame:
    if path.is_dir():
        raise UmkmkitError(f"{path} is a folder; give the registry file (umkm.csv).")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise UmkmkitError(
            f"{path}: registry file not found. Check the path; the kit's synthetic registry is "
            "datasets/umkm.csv (write it again with `umkmkit datasets`)."
        ) from error
    except UnicodeDecodeError as error:
        raise UmkmkitError(f"{path} is not UTF-8 text: {_SAVE_AS_CSV_UTF8} and run again.") from error
    except pd.errors.EmptyDataError as error:
        raise UmkmkitError(f"{path} is empty; the registry needs a header row and one row per business.") from error
    except pd.errors.ParserError as error:
        raise UmkmkitError(
            f"{path} cannot be read as CSV ({error}). A value holding a comma must be in double "
            "quotes; check that line and run again."
        ) from error
    except OSError as error:
        raise UmkmkitError(f"{path}: cannot read the registry ({error.strerror or error}).") from error


def _registry_problems(path: Path, table: pd.DataFrame) -> list[str]:
    """Each empty or repeated id and each value of the wrong type, with its line and column."""
    bad: list[tuple[int, str, str]] = []  # (row position, column, what is wrong)
    ids = table[_ID]
    for position in ids.index[ids == ""]:
        bad.append((position, _ID, "empty; every business needs its registry number"))
    for column in _REGISTRY.columns:
        values = table[column.name]
        if column.type == "bool":
            wrong = _parse_bools(values)[1]
            expected = "True or False"
        elif column.type == "int":
            wrong = ~values.str.strip().str.fullmatch(r"\d+")
            expected = "a whole number (digits only)"
        else:
            continue
        for position in values.index[wrong]:
            bad.append((position, column.name, f"'{values.iat[position]}' is not {expected}"))
    repeated = ids[ids.duplicated(keep=False) & (ids != "")]
    if not (bad or len(repeated)):
        return []
    lines = _data_lines(path, len(table))
    column_number = {name: index + 1 for index, name in enumerate(table.columns)}
    problems = [
        f"line {lines[position]}, column {column_number[name]} ({name}): {what}"
        for position, name, what in sorted(bad)
    ]
    for business, positions in repeated.groupby(repeated, sort=True).groups.items():
        where = ", ".join(str(lines[position]) for position in positions)
        problems.append(
            f"lines {where}: id_umkm '{business}' is repeated; a business is registered once, "
            "so delete the extra row(s) or give each business its own number"
        )
    return problems


def _data_lines(path: Path, rows: int) -> list[int]:
    """The line each data row starts on (a quoted value may span lines; blank lines are skipped, as pandas does)."""
    starts: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next_line = 1
        for cells in reader:
            if cells:
                starts.append(next_line)
            next_line = reader.line_num + 1
    data = starts[1:]  # the first record is the header
    return data if len(data) == rows else [position + 2 for position in range(rows)]


def _parse_bools(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the values as bool, mask of values that are not True/False in any case)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(bool), pd.Series(False, index=values.index)
    parsed = values.astype(str).str.strip().str.lower().map(_BOOLS)
    wrong = parsed.isna()
    return parsed.fillna(False).astype(bool), wrong


# --- Priority ----------------------------------------------------------------------------------

def parse_priority(text: str) -> tuple[str, ...]:
    """``"distrik, muda"`` -> ``("distrik", "muda")``; names are case-insensitive, empty pieces skipped.

    Raises
    ------
    UmkmkitError
        No criterion given, a name that is not a criterion (``oap`` among them: it is reported
        only in aggregate), or a name given twice.
    """
    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not names:
        raise UmkmkitError(f"The priority is empty; {_PRIORITY_HINT}")
    return _checked_priority(names)


_PRIORITY_HINT = (
    f"give one or more of {', '.join(DEFAULT_PRIORITY)}, separated by commas, most important "
    f"first (default: {','.join(DEFAULT_PRIORITY)})."
)


def _checked_priority(priority: Sequence[str]) -> tuple[str, ...]:
    if isinstance(priority, str):
        return parse_priority(priority)
    for name in priority:
        if str(name).strip().lower() == "oap":
            raise UmkmkitError(
                f"'{name}' is not an invitation criterion: Orang Asli Papua (oap) is reported only "
                "in aggregate (counts and shares in the report), never per person, and the "
                f"invitation list is per business; {_PRIORITY_HINT}"
            )
        if name not in DEFAULT_PRIORITY:
            close = difflib.get_close_matches(str(name).lower(), DEFAULT_PRIORITY, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UmkmkitError(f"'{name}' is not a priority criterion{hint}; {_PRIORITY_HINT}")
    repeated = sorted({name for name in priority if list(priority).count(name) > 1})
    if repeated:
        raise UmkmkitError(f"Priority criterion {', '.join(repeated)} given twice; {_PRIORITY_HINT}")
    return tuple(priority)


# --- Coverage and the list ---------------------------------------------------------------------

def district_coverage(registry: pd.DataFrame, trained_ids: Iterable[str]) -> pd.Series:
    """Share of each distrik's registered UMKM already trained (0 to 1), indexed by distrik.

    Trained ids that are not in the registry do not count: coverage is of the registry.
    """
    _require_columns(registry, (_ID, "distrik"))
    trained = registry[_ID].astype(str).str.strip().isin(_normalised(trained_ids))
    return _coverage(registry, trained)


def _coverage(registry: pd.DataFrame, trained: pd.Series) -> pd.Series:
    coverage = trained.groupby(registry["distrik"].to_numpy(), sort=True).mean().astype(float)
    coverage.index.name = "distrik"
    return coverage.rename("cakupan")


def invitation_list(
    registry: pd.DataFrame,
    trained_ids: Iterable[str],
    *,
    capacity: int | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    year: int,
    coverage: pd.Series | None = None,
) -> pd.DataFrame:
    """The businesses of ``registry`` never trained, ranked for the next cohort (see the module doc).

    Parameters
    ----------
    registry
        The office's registry, as :func:`read_registry` returns it.
    trained_ids
        ``id_umkm`` of everyone ever trained (every roster of every cohort).
    capacity
        Places in the next cohort; ``None`` lists everyone not yet trained.
    priority
        Criteria, most important first: names from ``DEFAULT_PRIORITY``.
    year
        The year of the next cohort; an owner's age is ``year - tahun_lahir``.
    coverage
        Share (0 to 1) of registered UMKM already trained, per distrik; computed from
        ``registry`` and ``trained_ids`` (:func:`district_coverage`) when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``INVITATION_COLUMNS``, one row per invited business, ``peringkat`` 1, 2, ...
    """
    criteria = _checked_priority(priority)
    if capacity is not None and capacity < 0:
        raise UmkmkitError(
            f"Capacity {capacity}: give the number of places in the next cohort (0 or more), "
            "or none to list every business not yet trained."
        )
    _require_columns(registry, _NEEDED)
    ids = registry[_ID].astype(str).str.strip()
    repeated = sorted(set(ids[ids.duplicated()]))
    if repeated:
        raise UmkmkitError(
            f"The registry lists id_umkm {', '.join(repeated[:10])} more than once; read it with "
            "read_registry to see the lines, and keep one row per business."
        )
    trained = ids.isin(_normalised(trained_ids))
    shares = _coverage(registry, trained) if coverage is None else _checked_coverage(coverage)

    eligible = ~trained.to_numpy()
    table = pd.DataFrame({
        _ID: ids[eligible],
        **{name: registry[name][eligible] for name in ("nama_usaha", "nama_pemilik", "sektor", "distrik", "kampung")},
        "umur": year - _birth_years(registry["tahun_lahir"][eligible]),
        "ada_sinyal": _flags(registry["ada_sinyal"][eligible], "ada_sinyal"),
        "nomor_hp": registry["nomor_hp"][eligible],
    })
    table["_share"] = table["distrik"].map(shares)
    unknown = sorted(set(table["distrik"][table["_share"].isna()]))
    if unknown:
        raise UmkmkitError(
            f"The coverage has no share for distrik {', '.join(map(str, unknown))}; give a share for "
            "every distrik of the registry, or no coverage to compute it from the rosters."
        )
    table["_focus"] = table["sektor"].isin(PRIORITY_SECTORS)
    table["_young"] = (table["umur"] <= YOUTH_MAX_AGE).fillna(False).astype(bool)
    # Sort keys: False (or the smaller share) comes first.
    keys = {"sektor": ~table["_focus"], "distrik": table["_share"], "muda": ~table["_young"]}
    for name in criteria:
        table[f"_key_{name}"] = keys[name]
    ranked = table.sort_values([f"_key_{name}" for name in criteria] + [_ID], kind="stable")
    if capacity is not None:
        ranked = ranked.head(capacity)
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "peringkat", pd.RangeIndex(1, len(ranked) + 1))
    ranked["alasan"] = _reasons(ranked, criteria)
    return ranked[list(INVITATION_COLUMNS)]


def _normalised(ids: Iterable[str]) -> set[str]:
    if isinstance(ids, str):
        raise UmkmkitError(f"trained_ids must be a collection of id_umkm, not the single text '{ids}'.")
    return {str(business).strip() for business in ids}


def _require_columns(registry: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [name for name in needed if name not in registry.columns]
    if missing:
        raise UmkmkitError(
            f"The registry has no column(s) {', '.join(missing)}; read it with read_registry "
            "from a file with the columns of datasets/README.md (umkm.csv)."
        )


def _checked_coverage(coverage: pd.Series) -> pd.Series:
    shares = pd.to_numeric(coverage, errors="coerce").astype(float)
    wrong = shares[~shares.between(0, 1)]
    if len(wrong):
        raise UmkmkitError(
            f"Coverage of distrik {', '.join(map(str, wrong.index[:10]))} is not a share between "
            "0 and 1 (20% is 0.2)."
        )
    return shares


def _birth_years(values: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(values):
        return values.astype("Int64")
    years = pd.to_numeric(values, errors="coerce").astype("Int64")
    wrong = years.isna() & values.astype(str).str.strip().ne("") & values.notna()
    if wrong.any():
        raise UmkmkitError(
            f"tahun_lahir '{values[wrong].iloc[0]}' is not a year; read the registry with "
            "read_registry to see every such line."
        )
    return years


def _flags(values: pd.Series, column: str) -> pd.Series:
    flags, wrong = _parse_bools(values)
    if wrong.any():
        raise UmkmkitError(
            f"{column} '{values[wrong].iloc[0]}' is not True or False; read the registry with "
            "read_registry to see every such line."
        )
    return flags


# --- Reasons -----------------------------------------------------------------------------------

def _reasons(ranked: pd.DataFrame, criteria: Sequence[str]) -> list[str]:
    """Per row, the criteria in its favour, in priority order, in Indonesian."""
    if ranked.empty:
        return []
    district_phrase = {
        district: _district_phrase(district, share)
        for district, share in ranked[["distrik", "_share"]].drop_duplicates("distrik").itertuples(index=False)
    }
    empty = pd.Series("", index=ranked.index)
    parts = {
        "sektor": ("sektor prioritas (" + ranked["sektor"].astype(str) + ")").where(ranked["_focus"], empty),
        "distrik": ranked["distrik"].map(district_phrase),
        "muda": ("pemilik muda (" + ranked["umur"].astype(str) + " tahun)").where(ranked["_young"], empty),
    }
    columns = [parts[name].tolist() for name in criteria]
    if not columns:
        return [_NO_REASON] * len(ranked)
    return ["; ".join(filter(None, row)) or _NO_REASON for row in zip(*columns)]


def _district_phrase(district: str, share: float) -> str:
    if share == 0:
        return f"distrik {district} belum terjangkau (0%)"
    if share >= 1:
        return f"distrik {district} sudah terjangkau 100%"
    return f"distrik {district} baru terjangkau {_percent(share)}"


def _percent(share: float) -> str:
    """0.043 -> '4%', 0.004 -> '0,4%' (Indonesian decimal comma); rounded down, so never overstated."""
    percent = share * 100
    if percent < 0.1:
        return "kurang dari " + format_percent(0.1, "id", 1)
    if percent < 1:
        return format_percent(math.floor(percent * 10) / 10, "id", 1)
    return format_percent(math.floor(percent), "id")
