"""The trainer's checklist (ceklis): what each participant has shown on their phone.

A module may carry a checklist in curriculum.yml (`ceklis:`, e.g. module 05 Ponsel untuk usaha:
"Profil WhatsApp Business lengkap", "Verifikasi dua langkah WhatsApp aktif"). Such work is done on
the participant's phone, not in a notebook, so nbgrader cannot see it: the trainer looks at the
phone and ticks the item (`umkmkit checklist tick COHORT TRAINEE_ID ITEM...`).

Ticks are kept in the cohort folder as `ceklis.csv`, UTF-8, comma separated, one row per ticked
item of one trainee:

    id_peserta  the trainee's id, as in the cohort's roster (roster.csv)
    item        the item's id in curriculum.yml (e.g. profil-bisnis)
    tanggal     the day it was ticked, YYYY-MM-DD
    pelatih     who ticked it (optional, may be empty)

An item that is not ticked has no row. The file is rewritten whole through a temporary file
(umkmkit.files), so a crash or a full disk leaves the previous file, never half a new one. Rows of a
trainee no longer on the roster, or of an item no longer in curriculum.yml, are kept in the file
but left out of `checklist_table`.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from umkmkit.cohort.cohorts import Trainee, roster
from umkmkit.course.curriculum import ChecklistItem, Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic
from umkmkit.workspace import Cohort

log = logging.getLogger(__name__)

FILE_COLUMNS = ("id_peserta", "item", "tanggal", "pelatih")
#: Columns of `checklist_table`, in order (see its docstring).
TABLE_COLUMNS = ["kohort", "id_peserta", "nama", "modul", "item", "teks", "selesai", "tanggal", "pelatih"]


@dataclass(frozen=True)
class Tick:
    """One ticked item of one trainee, as a row of ceklis.csv."""

    trainee_id: str
    item: str
    tanggal: date
    pelatih: str = ""


@dataclass(frozen=True)
class TickResult:
    """What `tick` or `untick` did for one trainee.

    `changed`: items ticked (or unticked) now; `unchanged`: items that already were (or were not)
    ticked, left as they were; `done` of `total`: the trainee's ticked items of the curriculum now.
    """

    trainee_id: str
    name: str
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    done: int
    total: int


def checklist_file(cohort: Cohort) -> Path:
    """The cohort's ceklis.csv (it may not exist yet: nothing ticked)."""
    return cohort.checklist_file


def read_ticks(cohort: Cohort) -> list[Tick]:
    """Every row of the cohort's ceklis.csv, in file order (empty when there is no file yet).

    A file saved again from Excel is accepted (UTF-8 with BOM, semicolons); a row without
    id_peserta or item, or with a tanggal that is not YYYY-MM-DD, is refused with its line.
    """
    path = checklist_file(cohort)
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UmkmkitError(
            f"{path} bukan teks UTF-8; simpan lagi sebagai 'CSV UTF-8'. (Not UTF-8 text: save it again as CSV UTF-8.)"
        ) from None
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [cell.strip().lower() for cell in next(rows, [])]
    missing = [name for name in FILE_COLUMNS[:3] if name not in header]
    if missing:
        raise UmkmkitError(
            f"{path}, baris 1: kolom {', '.join(missing)} tidak ada; kolomnya {', '.join(FILE_COLUMNS)}. "
            f"(Line 1: columns {', '.join(missing)} are missing.)"
        )
    where = {name: header.index(name) for name in FILE_COLUMNS if name in header}
    ticks = []
    for cells in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: cells[index].strip() if index < len(cells) else "" for name, index in where.items()}
        if not values["id_peserta"] or not values["item"]:
            raise UmkmkitError(f"{path}, baris {line}: id_peserta dan item harus diisi. (Line {line}: empty id_peserta or item.)")
        try:
            day = date.fromisoformat(values["tanggal"])
        except ValueError:
            raise UmkmkitError(
                f"{path}, baris {line}: tanggal '{values['tanggal']}' harus ditulis YYYY-MM-DD, misalnya 2026-12-03. "
                f"(Line {line}: the date must be YYYY-MM-DD.)"
            ) from None
        ticks.append(Tick(values["id_peserta"], values["item"], day, values.get("pelatih", "")))
    return ticks


def write_ticks(cohort: Cohort, ticks: Iterable[Tick]) -> Path:
    """Write ceklis.csv whole, atomically (umkmkit.files): a crash leaves the previous file."""
    path = checklist_file(cohort)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FILE_COLUMNS)
    for row in ticks:
        writer.writerow([row.trainee_id, row.item, row.tanggal.isoformat(), row.pelatih])
    # the old file's permissions, or readable by others in the room for a new one
    mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else 0o644
    try:
        write_text_atomic(path, buffer.getvalue(), newline="", mode=mode, fsync=True)
    except PermissionError as error:
        raise UmkmkitError(
            f"{path} tidak bisa ditulis ({error.strerror}): kalau berkas itu sedang terbuka di Excel, tutup dulu, "
            "lalu jalankan perintahnya lagi. Centang sebelumnya tetap tersimpan. "
            "(Cannot write the file: close it in Excel and try again; earlier ticks are kept.)"
        ) from error
    return path


def resolve_items(curriculum: Curriculum, names: Sequence[str]) -> list[ChecklistItem]:
    """The checklist items named by id (`profil-bisnis`) or by their number in `checklist_text` (1, 2, ...).

    Raises UmkmkitError listing the valid ids when a name is not one, and nothing is changed.
    """
    items = curriculum.checklist
    if not items:
        raise UmkmkitError(
            "curriculum.yml tidak punya ceklis (`ceklis:` di sebuah modul). (No module has a checklist.)"
        )
    by_id = {item.id: item for item in items}
    found, unknown = [], []
    for name in names:
        name = str(name).strip()
        if name.isdigit() and 1 <= int(name) <= len(items):
            found.append(items[int(name) - 1])
        elif name in by_id:
            found.append(by_id[name])
        else:
            unknown.append(name)
    if unknown:
        valid = "\n  ".join(f"{number}. {item.id}: {item.teks}" for number, item in enumerate(items, start=1))
        raise UmkmkitError(
            f"Hal ceklis tidak dikenal: {', '.join(unknown)}. Pakai id atau nomornya (unknown checklist item; "
            f"use an id or its number):\n  {valid}"
        )
    if not found:
        raise UmkmkitError("Sebutkan paling sedikit satu hal ceklis. (Name at least one checklist item.)")
    return list(dict.fromkeys(found))


def _trainees(cohort: Cohort) -> list[Trainee]:
    """The cohort's rostered trainees, or a refusal when there is no such cohort."""
    if not cohort.roster_file.is_file():
        raise UmkmkitError(
            f"Kohort {cohort.cohort_id} tidak ada di {cohort.root.parent} (tidak ada {cohort.roster_file.name}); buat "
            f"dengan `umkmkit cohort create {cohort.cohort_id} --roster BERKAS`. (No such cohort.)"
        )
    return list(roster(cohort))


def _trainee_name(cohort: Cohort, trainee_id: str) -> str:
    """The trainee's name on the cohort's roster, or a refusal listing the trainees there."""
    names = {trainee.trainee_id: trainee.name for trainee in _trainees(cohort)}
    if trainee_id not in names:
        close = sorted(difflib.get_close_matches(trainee_id, list(names), n=3))
        hint = f" Mungkin maksud Anda {' atau '.join(f'{c} ({names[c]})' for c in close)}?" if close else ""
        listing = ", ".join(names)
        raise UmkmkitError(
            f"Peserta '{trainee_id}' tidak ada di daftar peserta {cohort.cohort_id}.{hint} "
            f"Yang ada (trainees on the roster): {listing}"
        )
    return names[trainee_id]


def _done_count(ticks: Iterable[Tick], curriculum: Curriculum, trainee_id: str) -> int:
    current = {item.id for item in curriculum.checklist}
    return len({t.item for t in ticks if t.trainee_id == trainee_id and t.item in current})


def tick(
    cohort: Cohort, curriculum: Curriculum, trainee_id: str, item_ids: Sequence[str],
    when: date | datetime | None = None, trainer: str = "",
) -> TickResult:
    """Tick checklist items for one rostered trainee: they showed them on `when` (default: today).

    `item_ids` are ids of curriculum.yml's `ceklis:` (or their numbers, see `resolve_items`). An
    item ticked before keeps its first date. An unknown trainee or item is refused, listing the
    valid ones, before anything is written.
    """
    name = _trainee_name(cohort, trainee_id)
    items = resolve_items(curriculum, item_ids)
    day = when.date() if isinstance(when, datetime) else (when or date.today())
    ticks = read_ticks(cohort)
    have = {t.item for t in ticks if t.trainee_id == trainee_id}
    new = [item.id for item in items if item.id not in have]
    if new:
        ticks += [Tick(trainee_id, item_id, day, trainer.strip()) for item_id in new]
        write_ticks(cohort, ticks)
        log.info("ticked for %s in %s on %s: %s", trainee_id, cohort.cohort_id, day, ", ".join(new))
    return TickResult(
        trainee_id, name, tuple(new), tuple(item.id for item in items if item.id in have),
        _done_count(ticks, curriculum, trainee_id), len(curriculum.checklist),
    )


def untick(cohort: Cohort, curriculum: Curriculum, trainee_id: str, item_ids: Sequence[str]) -> TickResult:
    """Take ticks back (ticked by mistake). Unknown trainee or item ids are refused as in `tick`."""
    name = _trainee_name(cohort, trainee_id)
    items = resolve_items(curriculum, item_ids)
    ticks = read_ticks(cohort)
    wanted = {item.id for item in items}
    removed = {t.item for t in ticks if t.trainee_id == trainee_id and t.item in wanted}
    if removed:
        ticks = [t for t in ticks if not (t.trainee_id == trainee_id and t.item in wanted)]
        write_ticks(cohort, ticks)
        log.info("ticks taken back for %s in %s: %s", trainee_id, cohort.cohort_id, ", ".join(sorted(removed)))
    return TickResult(
        trainee_id, name, tuple(item.id for item in items if item.id in removed),
        tuple(item.id for item in items if item.id not in removed),
        _done_count(ticks, curriculum, trainee_id), len(curriculum.checklist),
    )


def checklist_table(cohort: Cohort, curriculum: Curriculum) -> pd.DataFrame:
    """One row per rostered trainee x checklist item of the curriculum, roster order then item order.

    Columns (TABLE_COLUMNS):

    - ``kohort``: the cohort id;
    - ``id_peserta``, ``nama``: the trainee, from the cohort's roster;
    - ``modul``: id of the module the item belongs to (e.g. "05");
    - ``item``, ``teks``: the item's id and text in curriculum.yml;
    - ``selesai``: True when the trainer ticked it (bool);
    - ``tanggal``: the day it was ticked (datetime64, NaT when not ticked);
    - ``pelatih``: who ticked it ("" when not ticked or not given).

    A trainee never ticked still has a row for every item (selesai False). Ticks of trainees
    no longer on the roster or of items no longer in curriculum.yml are left out. With no
    checklist in curriculum.yml the table is empty (with these columns).
    """
    trainees = _trainees(cohort)
    ticked = {}
    for row in read_ticks(cohort):
        ticked.setdefault((row.trainee_id, row.item), row)
    records = []
    for trainee in trainees:
        for item in curriculum.checklist:
            row = ticked.get((trainee.trainee_id, item.id))
            records.append({
                "kohort": cohort.cohort_id, "id_peserta": trainee.trainee_id, "nama": trainee.name,
                "modul": item.module_id, "item": item.id, "teks": item.teks, "selesai": row is not None,
                "tanggal": pd.Timestamp(row.tanggal) if row else pd.NaT, "pelatih": row.pelatih if row else "",
            })
    table = pd.DataFrame.from_records(records, columns=TABLE_COLUMNS)
    table["selesai"] = table["selesai"].astype(bool)
    table["tanggal"] = pd.to_datetime(table["tanggal"])
    return table


def checklist_text(table: pd.DataFrame, curriculum: Curriculum) -> str:
    """The checklist as a compact plain-text table for a terminal, in Bahasa Indonesia.

    One line per trainee: "v" for a ticked item, "-" for one not yet, and how many are done; the
    items are numbered in a legend below (the numbers work in `umkmkit checklist tick`).
    """
    items = curriculum.checklist
    if not items:
        return "curriculum.yml tidak punya ceklis. (No module has a checklist.)"
    cohort_id = table["kohort"].iloc[0] if len(table) else ""
    modules = {m.id: m for m in curriculum.modules}
    titles = ", ".join(f"{m} {modules[m].judul}" for m in dict.fromkeys(item.module_id for item in items))
    trainees = list(dict.fromkeys(zip(table["id_peserta"], table["nama"])))
    done = table.set_index(["id_peserta", "item"])["selesai"].to_dict()
    id_width = max([len("ID peserta"), *(len(t) for t, _ in trainees)])
    name_width = min(24, max([len("Nama"), *(len(n) for _, n in trainees)]))
    numbers = " ".join(str(n % 10) for n in range(1, len(items) + 1))
    lines = [
        f"Ceklis kohort {cohort_id} (modul {titles}): {len(trainees)} peserta, {len(items)} hal.",
        "",
        f"{'ID peserta':<{id_width}}  {'Nama':<{name_width}}  {numbers}  Selesai",
    ]
    for trainee_id, name in trainees:
        marks = " ".join("v" if done.get((trainee_id, item.id)) else "-" for item in items)
        count = sum(bool(done.get((trainee_id, item.id))) for item in items)
        shown = name if len(name) <= name_width else name[:name_width - 1] + "~"
        lines.append(f"{trainee_id:<{id_width}}  {shown:<{name_width}}  {marks}  {count}/{len(items)}")
    complete = sum(all(done.get((t, item.id)) for item in items) for t, _ in trainees)
    lines += ["", f"Semua hal selesai: {complete} dari {len(trainees)} peserta.", "", "Hal (v = sudah ditunjukkan):"]
    lines += [f"{number:>3}. {item.id}: {item.teks}" for number, item in enumerate(items, start=1)]
    return "\n".join(lines)
