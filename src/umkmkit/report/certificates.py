"""Certificates of completion: one A4 landscape PDF page per trainee, in Bahasa Indonesia.

Drawn with the kit's PDF engine (`umkmkit.pdf`: ReportLab, DejaVu Sans embedded), so a name
prints exactly as the roster writes it ("Ŋgwe Đặng", "Yohana Wanma'"); a long one shrinks and
wraps, never past the border. A certificate names the trainee and business, lists the modules
it is given with their scores (the report gives every graded module of curriculum.yml), the
cohorts, the place and date of issue, and the signer's block: role, signature, stamp and name.

A cohort's certificates may carry a logo, a signature and a stamp, and name who signs: the
optional file `sertifikat.yml` in the cohort's folder, read by `certificate_settings`:

    penandatangan: Dr. Maria Rumbewas      # who signs (printed under the signature)
    jabatan: Kepala Dinas Koperasi dan UKM Kabupaten Manokwari
    penerbit: Dinas Koperasi dan UKM Kabupaten Manokwari
    tempat: Manokwari
    logo: logo-pemda.png                   # PNG or JPEG, relative to the cohort folder
    tanda_tangan: ttd.png
    stempel: stempel.png

Every key is optional. A stamp or signature photographed on white paper is fine: both are
drawn like ink (white lets what is under it show), and the stamp overlaps the signature's left
part, as on Indonesian certificates.

A certificate is issued once. The workspace keeps every issued certificate in one archive folder
(`Workspace.certificates_dir`, workspace/sertifikat/) with its register `daftar.csv` (file, trainee,
name, number, date of issue, and a fingerprint of everything printed on it but the date). A report
asks `plan_issue` which of its certificates the archive already holds unchanged: those keep their
date and number and are hard-linked into the report's folder (copied where the disk cannot link,
as on a FAT-formatted stick); only new or changed ones are drawn (`issue_certificates`). A change
of name, scores, cohorts, signer, images or of this module's layout makes a new certificate dated
the day of the report. Measured with benchmarks/report.py at full size (398 graduates): drawing
every certificate costs some 2 s of CPU; the next report links them in about 0.1 s.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import difflib
import functools
import hashlib
import io
import json
import math
import numbers
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from reportlab.pdfgen.canvas import Canvas

from umkmkit import pdf
from umkmkit.errors import UmkmkitError
from umkmkit.files import cannot_write, write_bytes_atomic, write_text_atomic
from umkmkit.formats import format_day, format_percent

__all__ = [
    "BORDER_INSET",
    "REGISTER_FILE",
    "SETTINGS_FILE",
    "TRAINING_TITLE",
    "CertificateData",
    "IssuePlan",
    "certificate_pdf",
    "certificate_settings",
    "fingerprint",
    "indonesian_date",
    "issue_certificates",
    "plan_issue",
    "read_register",
    "write_certificate",
    "write_register",
]

#: What every certificate says the trainee took part in: true of any set of modules shown.
TRAINING_TITLE = "Pelatihan Digital untuk UMKM"
#: A cohort's certificate settings, in its folder (see the module's docstring).
SETTINGS_FILE = "sertifikat.yml"
#: The register of issued certificates, in the archive folder (see the module's docstring).
REGISTER_FILE = "daftar.csv"
REGISTER_COLUMNS = ("berkas", "id_peserta", "nama", "nomor", "tanggal_terbit", "sidik")

PAGE_WIDTH, PAGE_HEIGHT = pdf.A4_LANDSCAPE
#: The inner border; every line of text and every image stays inside it, with MARGIN to spare.
BORDER_INSET = 30.0
MARGIN = 40.0
TEXT_LEFT = BORDER_INSET + MARGIN
TEXT_RIGHT = PAGE_WIDTH - BORDER_INSET - MARGIN
TEXT_WIDTH = TEXT_RIGHT - TEXT_LEFT

_DEFAULT_ISSUER = "Dinas penyelenggara pelatihan UMKM Kabupaten Manokwari"


def _percent(score: float) -> str:
    """87.5 -> '87,5%', 100.0 -> '100%' (Indonesian decimal comma)."""
    return format_percent(score, "id", 1, trim=True)


def indonesian_date(day: datetime.date) -> str:
    """A date as written on Indonesian letters: 27 November 2026."""
    return format_day(day, "id")


@dataclass(frozen=True)
class CertificateData:
    """What one certificate says about one trainee, and who signs it.

    `modules` are (title, percent) pairs, shown in the order given. `logo`, `signature` and
    `stamp` are PNG or JPEG files; `signer_name` and `signer_title` are printed under and above
    the signature (without a title, the issuer stands there).
    """

    trainee_id: str
    name: str
    business: str
    modules: list[tuple[str, float]]
    cohorts: list[str]
    issued: datetime.date
    issuer: str = _DEFAULT_ISSUER
    place: str = "Manokwari"
    number: str = ""
    signer_name: str = ""
    signer_title: str = ""
    logo: Path | None = None
    signature: Path | None = None
    stamp: Path | None = None

    @property
    def certificate_number(self) -> str:
        """The given number, or UMKM/<trainee id>/<year of issue>."""
        return self.number or f"UMKM/{self.trainee_id}/{self.issued.year:04d}"


# --- settings file --------------------------------------------------------------------------

#: sertifikat.yml's keys -> CertificateData's fields.
_SETTING_FIELDS = {
    "penandatangan": "signer_name", "jabatan": "signer_title", "penerbit": "issuer", "tempat": "place",
    "logo": "logo", "tanda_tangan": "signature", "stempel": "stamp",
}
_IMAGE_SETTINGS = ("logo", "tanda_tangan", "stempel")


def certificate_settings(cohort_folder: Path) -> dict:
    """A cohort's certificate settings from its `sertifikat.yml`, as CertificateData fields.

    Returns e.g. ``{"signer_name": "...", "logo": Path(...)}`` with only the keys the file gives
    (image paths made absolute, each image checked), ready for ``CertificateData(..., **settings)``;
    ``{}`` when the cohort has no such file.

    Raises
    ------
    UmkmkitError
        Naming the file, the line and what to do, for a YAML error, an unknown key, an empty or
        non-text value, text the certificate's font cannot print, and an image file that is
        missing, not a PNG or JPEG, damaged or too large.
    """
    path = Path(cohort_folder) / SETTINGS_FILE
    if not path.is_file():
        return {}
    # here, not at the top: curriculum imports nbformat (1.8 s), which the report's certificate
    # writer (a child process, umkmkit.report.background) would otherwise pay before its first page
    from umkmkit.course.curriculum import load_yaml_with_lines

    settings = load_yaml_with_lines(path)
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise UmkmkitError(f"{path}: expected lines of the form 'key: value' "
                           f"(keys: {', '.join(_SETTING_FIELDS)}).")
    lines = _key_lines(path)
    found = {}
    for key, value in settings.items():
        if key == "__line__":
            continue
        where = f"{path}, line {lines.get(str(key), settings['__line__'])}"
        if key not in _SETTING_FIELDS:
            close = difflib.get_close_matches(str(key), _SETTING_FIELDS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UmkmkitError(f"{where}: unknown key '{key}'; {hint}the keys are {', '.join(_SETTING_FIELDS)}.")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise UmkmkitError(f"{where}: '{key}' is empty; fill it in or delete the line.")
        if not isinstance(value, str):
            raise UmkmkitError(f"{where}: '{key}' must be text; put the value in quotes.")
        if key in _IMAGE_SETTINGS:
            image = Path(cohort_folder) / value
            if not image.is_file():
                raise UmkmkitError(f"{where}: the {key} image {image} does not exist; put the file in "
                                   f"{Path(cohort_folder)} or correct the name (relative to that folder).")
            try:
                pdf.load_image(image)
            except UmkmkitError as error:
                raise UmkmkitError(f"{where}: {error}") from error
            found[_SETTING_FIELDS[key]] = image.resolve()
        else:
            missing = pdf.undrawable_characters(value)
            if missing:
                raise UmkmkitError(f"{where}: '{key}' has {_characters(missing)}, which the certificate's "
                                   "font cannot print; write it with Latin letters.")
            found[_SETTING_FIELDS[key]] = " ".join(value.split())
    return found


def _key_lines(path: Path) -> dict[str, int]:
    """Top-level key -> its line, for messages (load_yaml_with_lines has parsed the file already)."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _characters(text: str) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in text)


# --- checks ---------------------------------------------------------------------------------

def check_certificate(data: CertificateData) -> None:
    """Raise UmkmkitError (what, where to fix it) if `data` cannot be printed; cheap, no PDF made."""
    where = f"certificate of {data.trainee_id or '(no trainee id)'}"
    if not str(data.trainee_id).strip():
        raise UmkmkitError("A certificate needs a trainee id; give CertificateData(trainee_id=...).")
    if not str(data.name).strip():
        raise UmkmkitError(f"{where}: the trainee's name is empty; fill in the name in the roster.")
    if not isinstance(data.issued, datetime.date):
        raise UmkmkitError(f"{where}: the date of issue must be a datetime.date, got {data.issued!r}.")
    for title, score in data.modules:
        # numbers.Real also admits the numpy scores a pandas ledger hands over.
        if not isinstance(score, numbers.Real) or not math.isfinite(score) or not 0 <= score <= 100:
            raise UmkmkitError(
                f"{where}: module {title!r} has score {score!r}; give a percentage from 0 to 100."
            )
    texts = [("the trainee's name", data.name, "the roster"), ("the business", data.business, "the registry"),
             ("the issuer", data.issuer, SETTINGS_FILE), ("the place", data.place, SETTINGS_FILE),
             ("the signer's name", data.signer_name, SETTINGS_FILE),
             ("the signer's title", data.signer_title, SETTINGS_FILE),
             ("the certificate number", data.number, "the certificate number given")]
    texts += [(f"module {title!r}", title, "curriculum.yml") for title, _ in data.modules]
    texts += [("the cohort", cohort, "the cohort's name") for cohort in data.cohorts]
    for label, text, source in texts:
        missing = pdf.undrawable_characters(str(text))
        if missing:
            raise UmkmkitError(f"{where}: {label} {str(text)!r} has {_characters(missing)}, which the "
                               f"certificate's font cannot print; write it with Latin letters in {source}.")


# --- layout ---------------------------------------------------------------------------------

_INK = (0.13, 0.13, 0.13)
_ACCENT = (0.07, 0.27, 0.45)
_MUTED = (0.35, 0.35, 0.35)
_CENTRE = PAGE_WIDTH / 2
# The signer's block sits bottom right, the cohorts bottom left; the centred content above
# them (the module table) ends at _CONTENT_FLOOR.
_SIGNER_WIDTH = 230.0
_SIGNER_CENTRE = TEXT_RIGHT - _SIGNER_WIDTH / 2
_SIGNER_NAME_BASELINE = 52.0
_SIGNATURE_BOTTOM, _SIGNATURE_HEIGHT = 62.0, 56.0
_CONTENT_FLOOR = 178.0
# The logo sits top left, beside the issuer, title and number, which keep clear of it.
_LOGO_LEFT, _LOGO_TOP = BORDER_INSET + 14, PAGE_HEIGHT - BORDER_INSET - 12
_LOGO_WIDTH, _LOGO_HEIGHT = 110.0, 70.0
_BESIDE_LOGO = TEXT_WIDTH - 2 * (_LOGO_LEFT + _LOGO_WIDTH + 12 - TEXT_LEFT)


def _heading(canvas: Canvas, data: CertificateData, logo: pdf.Image | None) -> float:
    """Logo, issuer, title, number, the trainee's name and business; returns the next baseline."""
    width = TEXT_WIDTH
    if logo is not None:
        pdf.draw_image(canvas, logo, _LOGO_LEFT, _LOGO_TOP - _LOGO_HEIGHT, _LOGO_WIDTH, _LOGO_HEIGHT,
                       anchor="nw")
        width = _BESIDE_LOGO
    canvas.setFillColorRGB(*_ACCENT)
    fitted = pdf.fit_text(data.issuer, width, pdf.BOLD, 12, 9, 2)
    y = pdf.draw_lines(canvas, fitted, _CENTRE, _LOGO_TOP - fitted.size, pdf.BOLD, "centre")
    y -= 30
    pdf.draw_lines(canvas, pdf.fit_text("SERTIFIKAT", width, pdf.BOLD, 36), _CENTRE, y, pdf.BOLD, "centre")
    canvas.setStrokeColorRGB(*_ACCENT)
    canvas.setLineWidth(1.2)
    canvas.line(_CENTRE - 60, y - 12, _CENTRE + 60, y - 12)
    canvas.setFillColorRGB(*_MUTED)
    y -= 28
    pdf.draw_lines(canvas, pdf.fit_text(f"Nomor: {data.certificate_number}", width, pdf.REGULAR, 10, 7),
                   _CENTRE, y, pdf.REGULAR, "centre")
    canvas.setFillColorRGB(*_INK)
    y -= 26
    pdf.draw_lines(canvas, pdf.fit_text("diberikan kepada", TEXT_WIDTH, pdf.REGULAR, 13), _CENTRE, y,
                   pdf.REGULAR, "centre")
    fitted = pdf.fit_text(data.name, TEXT_WIDTH, pdf.BOLD, 30, 20, 2)
    canvas.setFillColorRGB(*_ACCENT)
    y = pdf.draw_lines(canvas, fitted, _CENTRE, y - 10 - fitted.size, pdf.BOLD, "centre", leading=1.15)
    canvas.setFillColorRGB(*_INK)
    y += fitted.size * 0.9  # back to the last baseline, then below its descenders
    if str(data.business).strip():
        fitted = pdf.fit_text(data.business, TEXT_WIDTH, pdf.REGULAR, 15, 10, 2)
        y = pdf.draw_lines(canvas, fitted, _CENTRE, y - 8 - fitted.size, pdf.REGULAR, "centre")
        y += fitted.size * 1.25
    return y - 30


def _achievement(canvas: Canvas, data: CertificateData, y: float) -> None:
    """The sentence and the table of modules and scores."""
    sentence = f"telah mengikuti {TRAINING_TITLE}"
    sentence += " dan menyelesaikan modul berikut:" if data.modules else "."
    fitted = pdf.fit_text(sentence, TEXT_WIDTH, pdf.REGULAR, 12, 10, 2)
    y = pdf.draw_lines(canvas, fitted, _CENTRE, y, pdf.REGULAR, "centre", leading=1.3)
    if data.modules:
        _module_table(canvas, data.modules, y - 6)


def _module_table(canvas: Canvas, modules: list[tuple[str, float]], top: float) -> None:
    """Module titles and scores under a header, in as many columns (up to 3) as the room needs."""
    room = top - _CONTENT_FLOOR
    for columns in (1, 2, 3):
        rows = math.ceil(len(modules) / columns) + 1
        leading = min(18.0, room / rows)
        if leading >= 11.0:
            break
    if leading < 7.0:
        raise UmkmkitError(f"{len(modules)} modules do not fit on one certificate; give at most "
                           f"{3 * (int(room / 7.0) - 1)}.")
    size = math.floor(min(11.0, leading * 0.72) * 100) / 100
    scores = [_percent(float(score)) for _, score in modules]
    score_width = max(pdf.text_width(text, pdf.REGULAR, size) for text in [*scores, "100%"])
    score_width = max(score_width, pdf.text_width("Nilai", pdf.BOLD, size))
    gap = 24.0
    if columns == 1:
        widest = max(pdf.text_width(title, pdf.REGULAR, size) for title, _ in modules)
        width = min(TEXT_WIDTH, max(380.0, widest + score_width + 40.0))
    else:
        width = (TEXT_WIDTH - gap * (columns - 1)) / columns
    per_column = math.ceil(len(modules) / columns)
    table_left = _CENTRE - (width * columns + gap * (columns - 1)) / 2
    canvas.setStrokeColorRGB(*_MUTED)
    canvas.setLineWidth(0.6)
    for column in range(columns):
        chunk = list(zip(modules, scores))[column * per_column:(column + 1) * per_column]
        if not chunk:
            break
        left = table_left + column * (width + gap)
        right = left + width
        canvas.setFont(pdf.BOLD, size)
        canvas.drawString(left, top, "Modul")
        canvas.drawRightString(right, top, "Nilai")
        canvas.line(left, top - leading * 0.35, right, top - leading * 0.35)
        y = top - leading
        for (title, _), score in chunk:
            pdf.draw_lines(canvas, pdf.fit_text(title, width - score_width - 16.0, pdf.REGULAR, size),
                           left, y, pdf.REGULAR)
            canvas.drawRightString(right, y, score)
            y -= leading
        canvas.line(left, y + leading * 0.65, right, y + leading * 0.65)


def _cohorts(canvas: Canvas, data: CertificateData) -> None:
    """The cohorts the trainee took part in, bottom left."""
    cohorts = ", ".join(str(cohort) for cohort in data.cohorts)
    if not cohorts:
        return
    width = _SIGNER_CENTRE - _SIGNER_WIDTH / 2 - 24 - TEXT_LEFT
    fitted = pdf.fit_text(f"Angkatan: {cohorts}", width, pdf.REGULAR, 10, 8, 3)
    canvas.setFillColorRGB(*_MUTED)
    first = _SIGNER_NAME_BASELINE + (len(fitted.lines) - 1) * fitted.size * 1.25
    pdf.draw_lines(canvas, fitted, TEXT_LEFT, first, pdf.REGULAR)
    canvas.setFillColorRGB(*_INK)


def _signer(canvas: Canvas, data: CertificateData, signature: pdf.Image | None, stamp: pdf.Image | None) -> None:
    """Place and date, the signer's title (or the issuer), signature and stamp, the signer's name."""
    centre, width = _SIGNER_CENTRE, _SIGNER_WIDTH
    role = pdf.fit_text(data.signer_title or data.issuer, width, pdf.REGULAR, 10.5, 9, 2)
    role_top = _SIGNATURE_BOTTOM + _SIGNATURE_HEIGHT + 8 + (len(role.lines) - 1) * role.size * 1.25
    place = pdf.fit_text(f"{data.place}, {indonesian_date(data.issued)}", width, pdf.REGULAR, 11, 8)
    pdf.draw_lines(canvas, place, centre, role_top + 16, pdf.REGULAR, "centre")
    pdf.draw_lines(canvas, role, centre, role_top, pdf.REGULAR, "centre")
    if signature is not None:
        pdf.draw_image(canvas, signature, centre - 85, _SIGNATURE_BOTTOM, 170, _SIGNATURE_HEIGHT,
                       multiply=True)
    if stamp is not None:
        # over the signature's left part, a little below and above it, as a stamp is pressed
        pdf.draw_image(canvas, stamp, centre - 110, _SIGNATURE_BOTTOM - 10, 76, 76, multiply=True)
    canvas.setStrokeColorRGB(*_INK)
    canvas.setLineWidth(0.8)
    if str(data.signer_name).strip():
        fitted = pdf.fit_text(data.signer_name, width, pdf.BOLD, 11, 8)
        pdf.draw_lines(canvas, fitted, centre, _SIGNER_NAME_BASELINE, pdf.BOLD, "centre")
        half = pdf.text_width(fitted.lines[0], pdf.BOLD, fitted.size) / 2
        canvas.line(centre - half, _SIGNER_NAME_BASELINE - 2.5, centre + half, _SIGNER_NAME_BASELINE - 2.5)
    else:
        # room for a signature by hand
        canvas.line(centre - width / 2 + 20, _SIGNER_NAME_BASELINE + 4, centre + width / 2 - 20,
                    _SIGNER_NAME_BASELINE + 4)


def _border(canvas: Canvas) -> None:
    outer = BORDER_INSET - 8
    canvas.setStrokeColorRGB(*_ACCENT)
    canvas.setLineWidth(2.5)
    canvas.rect(outer, outer, PAGE_WIDTH - 2 * outer, PAGE_HEIGHT - 2 * outer)
    canvas.setLineWidth(0.8)
    canvas.rect(BORDER_INSET, BORDER_INSET, PAGE_WIDTH - 2 * BORDER_INSET, PAGE_HEIGHT - 2 * BORDER_INSET)


def _image(data: CertificateData, field_name: str) -> pdf.Image | None:
    path = getattr(data, field_name)
    if path is None:
        return None
    try:
        return pdf.load_image(path)
    except UmkmkitError as error:
        raise UmkmkitError(f"certificate of {data.trainee_id}, {field_name}: {error}") from error


def certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as the bytes of a one-page A4 landscape PDF.

    Raises
    ------
    UmkmkitError
        When the trainee id or name is empty, the date is not a date, a score is not a
        percentage from 0 to 100, a text has characters the font cannot print, or an image
        cannot be used.
    """
    check_certificate(data)
    logo, signature, stamp = (_image(data, name) for name in ("logo", "signature", "stamp"))
    document = pdf.document("landscape", title=f"Sertifikat {' '.join(str(data.name).split())}",
                            subject=TRAINING_TITLE, author=data.issuer, created=data.issued)
    canvas = document.canvas
    _border(canvas)
    y = _heading(canvas, data, logo)
    _achievement(canvas, data, y)
    _cohorts(canvas, data)
    _signer(canvas, data, signature, stamp)
    return document.to_bytes()


def write_certificate(data: CertificateData, path: Path) -> Path:
    """Write the certificate to `path` atomically (creating its folder); returns `path`.

    The PDF goes to a temporary file beside `path` first, then replaces `path` whole, so a
    crash never leaves half a certificate.
    """
    content = certificate_pdf(data)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, content)
    except OSError as error:
        raise cannot_write(path, error, "Check that the folder is writable, the disk is not full and the file is "
                                        "not open in a PDF viewer, then run the report again.") from error
    return path


# --- issuing: the archive of certificates already issued --------------------------------------


@dataclass(frozen=True)
class IssuePlan:
    """What a report does with its certificates (file name: CertificateData).

    `new` are drawn and written into the archive (dated as given); `kept` are in the archive
    unchanged and carry their original date of issue; `register` is the archive's register after
    this issue (file name: row), rows of certificates outside this report included.
    """

    new: dict[str, CertificateData]
    kept: dict[str, CertificateData]
    register: dict[str, dict[str, str]]


@functools.lru_cache(maxsize=1)
def _layout_version() -> str:
    """Changes whenever the drawing code or ReportLab changes (then every certificate is drawn again)."""
    import reportlab

    digest = hashlib.sha256(reportlab.Version.encode())
    for source in (Path(__file__), Path(pdf.__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def fingerprint(data: CertificateData) -> str:
    """A digest of everything the certificate prints except its date of issue (images by content)."""
    fields = dataclasses.asdict(data)
    fields.pop("issued")
    if not data.number:
        fields.pop("number")  # the default number holds the year of issue: it follows the date
    for name in ("logo", "signature", "stamp"):
        fields[name] = _file_digest(Path(fields[name])) if fields[name] else None
    payload = json.dumps([_layout_version(), fields], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError as error:
        raise UmkmkitError(f"Cannot read {path}: {error.strerror or error}. Check the image named in the "
                           f"cohort's {SETTINGS_FILE}.") from error
    return _digest_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _digest_of(path: str, _modified: int, _size: int) -> str:
    """The image's digest, read once per report however many certificates show it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_register(archive: Path) -> dict[str, dict[str, str]]:
    """The archive's register (file name: row); empty when nothing was issued yet.

    Raises
    ------
    UmkmkitError
        When daftar.csv cannot be read or a row is not as the kit wrote it (file and line named).
    """
    path = Path(archive) / REGISTER_FILE
    if not path.is_file():
        return {}
    register: dict[str, dict[str, str]] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as source:
            reader = csv.DictReader(source)
            missing = [c for c in REGISTER_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise UmkmkitError(
                    f"{path}, line 1: the register of issued certificates lacks the column(s) "
                    f"{', '.join(missing)} (expected: {', '.join(REGISTER_COLUMNS)}). Restore it from a backup, "
                    "or delete it to issue every certificate again, dated today."
                )
            for row in reader:
                try:
                    datetime.date.fromisoformat(row["tanggal_terbit"] or "")
                except ValueError:
                    raise UmkmkitError(
                        f"{path}, line {reader.line_num}: tanggal_terbit '{row['tanggal_terbit']}' is not a date "
                        "written YYYY-MM-DD. Correct it, or delete the row to issue that certificate again."
                    ) from None
                register[row["berkas"]] = {c: row[c] or "" for c in REGISTER_COLUMNS}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UmkmkitError(f"Cannot read {path}: {error}. Restore it from a backup, or delete it to issue "
                           "every certificate again, dated today.") from error
    return register


def plan_issue(archive: Path, certificates: dict[str, CertificateData]) -> IssuePlan:
    """Split `certificates` (file name: data dated today) into those the archive holds unchanged
    (kept, with their date of issue) and those to draw (new); the register after the issue."""
    archive = Path(archive)
    register = read_register(archive)
    new, kept = {}, {}
    for name, data in certificates.items():
        digest = fingerprint(data)
        row = register.get(name)
        if row is not None and row["sidik"] == digest and (archive / name).is_file():
            kept[name] = dataclasses.replace(data, issued=datetime.date.fromisoformat(row["tanggal_terbit"]))
            continue
        new[name] = data
        register[name] = {
            "berkas": name, "id_peserta": data.trainee_id, "nama": " ".join(str(data.name).split()),
            "nomor": data.certificate_number, "tanggal_terbit": data.issued.isoformat(), "sidik": digest,
        }
    return IssuePlan(new=new, kept=kept, register=register)


def issue_certificates(archive: Path, new: dict[str, CertificateData], names, folder: Path) -> None:
    """Draw the `new` certificates into `archive`, then put every certificate of `names` (file
    names in the archive) into `folder`: a hard link, or a copy where the disk has none."""
    archive, folder = Path(archive), Path(folder)
    for name, data in new.items():
        write_certificate(data, archive / name)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        source, target = archive / name, folder / name
        try:
            try:
                os.link(source, target)
            except OSError:  # FAT, some network shares, another disk
                shutil.copyfile(source, target)
        except OSError as error:
            raise UmkmkitError(f"Cannot put certificate {source} into {folder}: {error.strerror or error}. Check "
                               "that the disk is not full and the folder is writable, then run the report "
                               "again.") from error


def write_register(archive: Path, register: dict[str, dict[str, str]]) -> Path:
    """Write the archive's register whole (sorted by file name), atomically; returns its path."""
    path = Path(archive) / REGISTER_FILE
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(register[name] for name in sorted(register))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, buffer.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as error:
        raise cannot_write(path, error, "Check that the folder is writable and the file is not open in Excel, "
                                        "then run the report again.") from error
    return path
