"""The kit's fact registry: every fee, threshold, law and deadline the lessons, exercises and
instructor notes state, with its sources, the date it was checked and the date it must be checked
again.

Fees and rules change every year, and a kit taught to several cohorts must say which of its
facts are due for a check. One YAML file per fact in docs/fakta/ (one per fact, so that two
people can add facts at once):

    id: merek-biaya-umk            # the file's name without .yml; lessons cite it in their Sumber box
    judul: Biaya pendaftaran merek untuk UMK
    pernyataan: >                  # the fact, in Bahasa Indonesia, as a trainer would say it
      ...
    dikutip:                       # how the kit's texts quote it: tests match every fee, rate,
      - Rp500.000 per kelas        # legal article and date found in the texts against these
      - PP 45/2024
    sumber:                        # at least one primary source: a regulation (peraturan), the
      - nama: PP 45/2024 ...       # office that decides (instansi) or the platform's own help
        jenis: peraturan           # pages (platform); news (berita) only beside a primary one
        alamat: https://...
    diperiksa: 2026-12-03          # when it was last checked against those sources
    periksa_lagi: 2027-06-01       # when it must be checked again
    modul: ["04"]
    catatan: ...                   # optional: what is uncertain, what to ask the office

`umkmkit fakta` lists the facts past or near their review date (`--check` exits non-zero when
any is past) and writes the trainers' fact sheet, docs/fakta.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import jinja2
import yaml

from umkmkit.course.curriculum import load_yaml_with_lines
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic
from umkmkit.workspace import Kit

#: Kinds of source; a fact needs at least one of PRIMARY.
SOURCE_KINDS = ("peraturan", "instansi", "platform", "berita")
PRIMARY = ("peraturan", "instansi", "platform")
REQUIRED = ("id", "judul", "pernyataan", "dikutip", "sumber", "diperiksa", "periksa_lagi")
#: Facts due within this many days are listed as "soon" by `umkmkit fakta`.
SOON_DAYS = 60
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Source:
    nama: str
    jenis: str
    alamat: str = ""


@dataclass(frozen=True)
class Fact:
    id: str
    judul: str
    pernyataan: str
    dikutip: tuple[str, ...]
    sumber: tuple[Source, ...]
    diperiksa: date
    periksa_lagi: date
    modul: tuple[str, ...] = ()
    catatan: str = ""
    path: Path | None = None

    @property
    def primary_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sumber if s.jenis in PRIMARY)


def load_fact(path: Path) -> Fact:
    """Read and check one fact file; every problem names the file and line and what to do."""
    data = load_yaml_with_lines(path)
    where = f"{path}, line {data.get('__line__', 1) if isinstance(data, dict) else 1}"
    if not isinstance(data, dict):
        raise UmkmkitError(f"{where}: a fact is a mapping with {', '.join(REQUIRED)}.")
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise UmkmkitError(f"{where}: the fact has no {', '.join(missing)}; every fact needs {', '.join(REQUIRED)}.")
    fact_id = str(data["id"])
    if fact_id != path.stem or not _ID.match(fact_id):
        raise UmkmkitError(f"{where}: id '{fact_id}' must be the file's name ({path.stem}), in lower-case words joined by '-'.")
    for key in ("diperiksa", "periksa_lagi"):
        if not isinstance(data[key], date):
            raise UmkmkitError(f"{where}: {key} must be a date written YYYY-MM-DD, not {data[key]!r}.")
    if data["periksa_lagi"] <= data["diperiksa"]:
        raise UmkmkitError(f"{where}: periksa_lagi ({data['periksa_lagi']}) must come after diperiksa ({data['diperiksa']}).")
    quoted = data["dikutip"]
    if not isinstance(quoted, list) or not all(isinstance(q, (str, int, float)) and str(q).strip() for q in quoted):
        raise UmkmkitError(f"{where}: dikutip must be a list of the words the texts quote, e.g. [\"Rp500.000 per kelas\"].")
    sources = []
    for entry in data["sumber"] if isinstance(data["sumber"], list) else [None]:
        line = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
        if not isinstance(entry, dict) or not entry.get("nama") or entry.get("jenis") not in SOURCE_KINDS:
            raise UmkmkitError(
                f"{path}, line {line}: each source needs nama and jenis (one of {', '.join(SOURCE_KINDS)})."
            )
        sources.append(Source(str(entry["nama"]).strip(), str(entry["jenis"]), str(entry.get("alamat") or "").strip()))
    fact = Fact(
        id=fact_id, judul=str(data["judul"]).strip(), pernyataan=" ".join(str(data["pernyataan"]).split()),
        dikutip=tuple(str(q).strip() for q in quoted), sumber=tuple(sources),
        diperiksa=data["diperiksa"], periksa_lagi=data["periksa_lagi"],
        modul=tuple(str(m) for m in data.get("modul") or ()), catatan=" ".join(str(data.get("catatan") or "").split()),
        path=path,
    )
    if not fact.primary_sources:
        raise UmkmkitError(
            f"{where}: fact '{fact_id}' cites no primary source: add the regulation (jenis: peraturan), the office "
            "that decides (instansi) or the platform's own help pages (platform); news alone is not enough."
        )
    return fact


def load_facts(kit: Kit) -> list[Fact]:
    """Every fact of docs/fakta/, sorted by id."""
    folder = kit.facts_dir
    if not folder.is_dir():
        raise UmkmkitError(f"{folder} is missing: it holds the kit's fact registry (one .yml per fact).")
    return [load_fact(path) for path in sorted(folder.glob("*.yml"))]


def due(facts: list[Fact], today: date, within_days: int = SOON_DAYS) -> tuple[list[Fact], list[Fact]]:
    """(facts past their review date, facts due within `within_days`), each by date."""
    past = sorted((f for f in facts if f.periksa_lagi < today), key=lambda f: (f.periksa_lagi, f.id))
    soon = sorted(
        (f for f in facts if today <= f.periksa_lagi <= today + timedelta(days=within_days)),
        key=lambda f: (f.periksa_lagi, f.id),
    )
    return past, soon


_SHEET = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True).from_string("""\
# Lembar fakta untuk pelatih

Dibuat oleh `umkmkit fakta` dari `docs/fakta/` (satu berkas per fakta); jangan diubah dengan tangan.
Setiap biaya, batas, pasal hukum dan tanggal yang disebut pelajaran, latihan dan catatan pelatih
tercatat di sini, dengan sumbernya, tanggal terakhir diperiksa, dan tanggal harus diperiksa lagi.
Biaya dan aturan bisa berubah: sebelum pelatihan, jalankan `umkmkit fakta` untuk melihat fakta yang
sudah atau hampir lewat tanggal periksanya, lalu periksa sumbernya (butuh sinyal). Keputusan akhir
selalu ada di kantor yang berwenang (DPMPTSP, Dinas Kesehatan, DJKI, BPJPH, DJP, OJK, BI).

| fakta | modul | diperiksa | periksa lagi |
| --- | --- | --- | --- |
{% for fact in facts %}
| [{{ fact.judul }}](#{{ fact.id }}) | {{ fact.modul | join(", ") or "–" }} | {{ fact.diperiksa }} | {{ fact.periksa_lagi }} |
{% endfor %}
{% for fact in facts %}

## {{ fact.judul }}
<a id="{{ fact.id }}"></a>

`{{ fact.id }}` · diperiksa {{ fact.diperiksa }} · periksa lagi {{ fact.periksa_lagi }}{% if fact.modul %} · modul {{ fact.modul | join(", ") }}{% endif %}


{{ fact.pernyataan }}

{% if fact.catatan %}
*Catatan:* {{ fact.catatan }}

{% endif %}
Sumber:
{% for source in fact.sumber %}
- {{ source.nama }} ({{ source.jenis }}){% if source.alamat %}: {{ source.alamat }}{% endif %}

{% endfor %}
{% endfor %}
""")


def fact_sheet(facts: list[Fact]) -> str:
    """The trainers' fact sheet (docs/fakta.md), in Bahasa Indonesia."""
    return _SHEET.render(facts=facts)


def write_fact_sheet(kit: Kit, facts: list[Fact]) -> Path:
    """Write docs/fakta.md (only if it changed); return its path."""
    path = kit.root / "docs" / "fakta.md"
    text = fact_sheet(facts)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text_atomic(path, text, newline="\n")
    return path


# --- Finding facts in the kit's texts -----------------------------------------------------------

_MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
#: Legal references: "PP 45/2024", "UU Nomor 28 Tahun 2014", "Peraturan BPOM 22/2018", "Pasal 493".
LEGAL = re.compile(
    r"\b(?:UU|PP|Perpres|PMK|POJK|Permenkes|Permendag|Permenkumham|Peraturan BPOM|Keputusan BPJPH|Kep(?:\.|utusan)? BPJPH)"
    r"\s+(?:No(?:mor|\.)?\s*)?\d+(?:\s*/\s*|\s+Tahun\s+)\d{4}\b|\bPasal\s+\d+[A-Z]?\b"
)
#: Dates with a year in a sentence that says since, from, until or by when something holds.
DATE = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}\b")
_DATE_CONTEXT = re.compile(
    r"sejak|mulai|tenggat|berlaku|batas waktu|paling lambat|diakui|disahkan|ditetapkan|diluncurkan|ditandatangani|"
    r"sampai|hingga|berakhir", re.IGNORECASE,
)
#: Percentages and Rupiah amounts, counted as facts when a fee, tax or rate word stands right before them.
PERCENT = re.compile(r"\b\d+(?:,\d+)?\s?%")
RUPIAH = re.compile(r"\bRp\s?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?:\s?(?:juta|miliar|jt|rb|ribu))?")
_FEE_BEFORE = re.compile(
    r"(biaya admin|biaya proses|komisi|mdr|pajak|pph|tarif pnbp|denda|potongan admin|biaya layanan|"
    r"biaya pencatatan|biaya pendaftaran|per pesanan|bebas pajak|tidak dikenai)", re.IGNORECASE,
)
_FEE_AFTER = re.compile(r"^\s*(per kelas|per permohonan|per pesanan|setahun|per tahun|dalam setahun)", re.IGNORECASE)
#: Characters before a number searched for a fee word.
WINDOW = 45
_EXAMPLE = re.compile(r"\bcontoh\b|\bmisalnya\b|\bdemo\b|\btiruan\b|\bfiktif\b", re.IGNORECASE)


#: Where a sentence ends in Markdown prose (wrapped lines are one sentence; list items and table rows are not).
_BOUNDARIES = (". ", ".\n", "\n\n", "\n- ", "\n| ", "\n#", "\n* ")


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in _BOUNDARIES) + 1
    right_candidates = [i for i in (text.find(mark, end) for mark in _BOUNDARIES) if i != -1]
    return text[max(left, 0):min(right_candidates) if right_candidates else len(text)]


def fact_tokens(text: str) -> list[str]:
    """Every fee, rate, legal reference and dated deadline `text` states, as written."""
    found = [m.group(0) for m in LEGAL.finditer(text)]
    for match in DATE.finditer(text):
        sentence = _sentence_around(text, match.start(), match.end())
        # a deadline made up for an example or the demo is no fact
        if _DATE_CONTEXT.search(sentence) and not _EXAMPLE.search(sentence):
            found.append(match.group(0))
    for pattern in (PERCENT, RUPIAH):
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - WINDOW):match.start()]
            after = text[match.end():match.end() + 25]
            if not (_FEE_BEFORE.search(before) or _FEE_AFTER.match(after)):
                continue
            # an amount worked out for an example ("biaya admin contoh Rp2.400") is not a fact; a
            # rate always is, even when an example uses it
            if pattern is RUPIAH and _EXAMPLE.search(_sentence_around(text, match.start(), match.end())):
                continue
            found.append(match.group(0))
    return found


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower().replace("nomor", "").replace("tahun", "/")


def matching_facts(token: str, facts: list[Fact]) -> list[Fact]:
    """Facts whose quoted forms contain this token (spaces and case aside)."""
    key = _key(token)
    return [fact for fact in facts if any(key in _key(quoted) or _key(quoted) == key for quoted in fact.dikutip)]


def dump_example() -> str:
    """An empty fact file to copy (for `umkmkit fakta --baru`)."""
    return yaml.safe_dump({
        "id": "nama-fakta", "judul": "", "pernyataan": "", "dikutip": [""],
        "sumber": [{"nama": "", "jenis": "peraturan", "alamat": ""}],
        "diperiksa": date.today(), "periksa_lagi": date.today() + timedelta(days=180), "modul": [], "catatan": "",
    }, allow_unicode=True, sort_keys=False)
