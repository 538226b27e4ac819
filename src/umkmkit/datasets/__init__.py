"""Seeded generator of the kit's synthetic data sets (datasets/*.csv and the data dictionary).

``generate(out_dir)`` writes every CSV file named in :mod:`umkmkit.datasets.schema` and a
README.md rendered from that schema. The same seed gives byte-identical files on every
machine: generation uses only the standard library, one random stream per file derived from
the seed, and no clock.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from umkmkit.datasets import readme, schema
from umkmkit.datasets.catalog import catalog_rows
from umkmkit.datasets.fraud import FAKE_PROOF_BUYERS, make_blacklist, make_messages
from umkmkit.datasets.orders import make_orders
from umkmkit.datasets.registry import COHORTS, make_registry, make_rosters
from umkmkit.datasets.shipping import divisor_rows, rate_rows
from umkmkit.errors import UmkmkitError
from umkmkit.files import cannot_write, stale_temporaries, write_bytes_atomic
from umkmkit.workspace import REGISTRY_FILE

__all__ = ["SEED", "generate", "tables"]

#: The one seed of every data set in the kit.
SEED = 20220601

Row = dict[str, object]


def tables(seed: int = SEED) -> dict[str, list[Row]]:
    """Every data file's rows, keyed by file name, in the schema's order."""
    registry = make_registry(seed)
    rosters = make_rosters(seed, registry)
    blacklist = make_blacklist(seed)
    book = make_orders(seed, registry, blacklist.phones_for("bukti_transfer_palsu")[:FAKE_PROOF_BUYERS])
    made = {
        REGISTRY_FILE: registry.rows,
        **{f"roster-{cohort}.csv": rosters[cohort] for cohort in COHORTS},
        "produk.csv": catalog_rows(registry),
        "pesanan.csv": book.messy,
        "pesanan_bersih.csv": book.clean,
        "mutasi_bank.csv": book.mutations,
        "ongkir.csv": rate_rows(),
        "pembagi_volume.csv": divisor_rows(),
        "daftar_hitam.csv": blacklist.rows,
        "pesan.csv": make_messages(seed, blacklist),
    }
    if set(made) != set(schema.FILE):
        raise ValueError(f"generated {sorted(made)} but the schema lists {sorted(schema.FILE)}")
    return {data_file.name: made[data_file.name] for data_file in schema.FILES}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to CSV")


def to_csv(data_file: schema.DataFile, rows: list[Row]) -> str:
    """CSV text of ``rows`` with the schema's columns, in the schema's order."""
    expected = data_file.column_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(expected)
    for number, row in enumerate(rows, start=1):
        if tuple(row) != expected:
            raise ValueError(f"{data_file.name}, row {number}: columns {tuple(row)} differ from "
                             f"the schema's {expected}")
        writer.writerow([_cell(row[name]) for name in expected])
    return buffer.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, its own line ends) in place of ``path`` whole (:mod:`umkmkit.files`),
    first removing what an interrupted run left of it.

    An interrupted run leaves at worst a stray hidden temporary file, never a half-written
    data file.
    """
    try:
        for leftover in stale_temporaries(path):
            leftover.unlink()
        write_bytes_atomic(path, text.encode("utf-8"), fsync=True)
    except OSError as error:
        raise cannot_write(path, error, "Check that the folder is writable and the disk is not full, "
                                        "then run again.") from error


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write every data set and README.md into ``out_dir``; return the paths written, in order.

    Files of an earlier run are replaced one by one, each atomically; the leftovers of an
    interrupted run (hidden temporary files beside them) are removed in the process.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UmkmkitError(f"{out_dir} is a file; give a folder to write the data sets to.")
    try:
        rows = tables(seed)
        texts = {name: to_csv(schema.FILE[name], table) for name, table in rows.items()}
    except ValueError as error:
        raise UmkmkitError(f"The data sets cannot be generated with seed {seed}: {error}. "
                           f"Use the kit's seed ({SEED}) or another one.") from error
    texts[schema.README] = readme.render(seed, {name: len(table) for name, table in rows.items()})
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UmkmkitError(f"Cannot create the folder {out_dir}: {error.strerror or error}.") from error
    written = []
    for name, text in texts.items():
        path = out_dir / name
        _write_atomic(path, text)
        written.append(path)
    return written
