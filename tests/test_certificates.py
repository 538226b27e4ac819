"""Certificates: a valid one-page A4 landscape PDF that says the right things, in Indonesian.

Checked as a reader's tools see the file: qpdf for its structure, poppler (pdffonts, pdftotext,
pdftoppm, pdfimages) for the fonts, the text, the rendered page and the images.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas
import pytest
from matplotlib import image as mpimg
from pypdf import PdfReader
from reportlab.pdfbase import pdfdoc

from umkmkit import pdf
from umkmkit.report.certificates import (
    BORDER_INSET,
    REGISTER_FILE,
    SETTINGS_FILE,
    TRAINING_TITLE,
    CertificateData,
    certificate_pdf,
    certificate_settings,
    fingerprint,
    indonesian_date,
    issue_certificates,
    plan_issue,
    read_register,
    write_certificate,
    write_register,
)
from umkmkit.errors import UmkmkitError

PAGE_WIDTH, PAGE_HEIGHT = pdf.A4_LANDSCAPE
MODULES = [
    ("Mengenal Jupyter", 100.0),
    ("Jualan digital", 87.5),
    ("Pembukuan pesanan online", 72.0),
    ("Menghindari penipuan", 90.0),
    ("Izin usaha dan hak cipta", 95.0),
]
COHORTS = ["mkw-2022-06", "mkw-2022-08"]
ISSUED = datetime.date(2026, 11, 27)
NAME_60 = "Yohana Agustina Sarlota Wanma' Rumbewas Mandacan Kambuaya Sr"
UNICODE_NAMES = ["Ŋgwe Đặng", "Yohana Wanma'", NAME_60, "Ma'ruf (Yosef) \\ Éri"]


def certificate(**changes) -> CertificateData:
    data = CertificateData("P-00042", "Peserta Uji 3", "Keripik Sagu Uji", MODULES, COHORTS, ISSUED)
    return replace(data, **changes)


def tool(name: str) -> str:
    """The path of a command-line tool, or skip: these checks need the real tool."""
    found = shutil.which(name)
    if found is None:
        package = "qpdf" if name == "qpdf" else "poppler-utils"
        pytest.skip(f"{name} is not installed; install it with: apt-get install {package}")
    return found


def run(*command: str | Path) -> str:
    done = subprocess.run([tool(str(command[0])), *map(str, command[1:])], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}"
    return done.stdout


def saved(content: bytes, folder: Path, name: str = "sertifikat.pdf") -> Path:
    """The PDF written to `folder`, after qpdf has found its structure sound (where qpdf is installed:
    test_qpdf_finds_every_kind_of_certificate_sound says when it is not)."""
    path = folder / name
    path.write_bytes(content)
    if shutil.which("qpdf"):
        qpdf_check(path)
    return path


def qpdf_check(path: Path) -> None:
    assert "No syntax or stream encoding errors found" in run("qpdf", "--check", path)


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, letters in NFC."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def page_text(path: Path) -> str:
    return flat(run("pdftotext", path, "-"))


def words(path: Path) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) of every word, in points from the page's top left."""
    found = []
    for match in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                             run("pdftotext", "-bbox", path, "-")):
        left, top, right, bottom = map(float, match.groups()[:4])
        found.append((html.unescape(match[5]), left, top, right, bottom))
    return found


def fonts(path: Path) -> dict[str, str]:
    """Font name (subset tag removed) -> 'yes' or 'no' for embedded, from pdffonts."""
    lines = run("pdffonts", path).splitlines()[2:]
    return {line.split()[0].split("+")[-1]: line.split()[-5] for line in lines}


def images(path: Path) -> list[str]:
    """The type of every image pdfimages lists: 'image', or 'smask' for a transparency mask."""
    return [line.split()[2] for line in run("pdfimages", "-list", path).splitlines()[2:]]


def render(path: Path) -> np.ndarray:
    """The page rendered at 50 dpi by pdftoppm (the PNG is kept beside the PDF), as RGB floats."""
    run("pdftoppm", "-png", "-r", "50", "-singlefile", path, path.with_suffix(""))
    return mpimg.imread(path.with_suffix(".png"))[..., :3]


def png(path: Path, rgb: tuple[float, float, float], size: tuple[int, int] = (40, 60), alpha: bool = True) -> Path:
    """A small image: a ring of `rgb` (transparent elsewhere, or white for alpha=False)."""
    height, width = size
    y, x = np.mgrid[0:height, 0:width]
    ring = np.abs(np.hypot(x - width / 2, y - height / 2) - min(height, width) * 0.35) < min(height, width) * 0.1
    picture = np.zeros((height, width, 4)) if alpha else np.ones((height, width, 3))
    picture[ring] = (*rgb, 1.0) if alpha else rgb
    mpimg.imsave(path, picture)
    return path


# --- what the certificate says -----------------------------------------------------------------

def test_one_a4_landscape_page_says_who_did_what_and_when(tmp_path):
    path = saved(certificate_pdf(certificate()), tmp_path)
    reader = PdfReader(path, strict=True)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.left), float(box.bottom)) == (0, 0)
    assert float(box.width) == pytest.approx(841.89, abs=0.5)
    assert float(box.height) == pytest.approx(595.28, abs=0.5)
    text = page_text(path)
    for expected in ("SERTIFIKAT", "Nomor: UMKM/P-00042/2026", "diberikan kepada", "Peserta Uji 3",
                     "Keripik Sagu Uji", f"telah mengikuti {TRAINING_TITLE} dan menyelesaikan modul berikut:",
                     "Angkatan: mkw-2022-06, mkw-2022-08", "Manokwari, 27 November 2026",
                     "Dinas penyelenggara pelatihan UMKM Kabupaten Manokwari"):
        assert expected in text
    for title, _ in MODULES:
        assert title in text
    assert "100%" in text and "87,5%" in text and "72%" in text
    assert "seluruh" not in text  # the list is what was given, not a claim about the whole curriculum
    assert reader.metadata.title == "Sertifikat Peserta Uji 3"


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_any_name_prints_exactly_in_embedded_fonts(tmp_path, name):
    assert len(NAME_60) == 60
    path = saved(certificate_pdf(certificate(name=name, business=f"Usaha {name}")), tmp_path)
    assert fonts(path) == {"DejaVuSans": "yes", "DejaVuSans-Bold": "yes"}
    text = page_text(path)
    assert flat(name) in text and flat(f"Usaha {name}") in text
    assert PdfReader(path).metadata.title == f"Sertifikat {name}"


def test_line_breaks_and_tabs_in_a_name_become_single_spaces(tmp_path):
    path = saved(certificate_pdf(certificate(name="Ŋgwe\tĐặng\n", business="Usaha\nBaru  Uji")), tmp_path)
    assert "diberikan kepada Ŋgwe Đặng Usaha Baru Uji telah" in page_text(path)


def test_every_module_title_given_is_listed_with_its_score(tmp_path):
    modules = [(f"Modul nomor {index} dengan judul yang cukup panjang", 60.0 + index) for index in range(1, 9)]
    path = saved(certificate_pdf(certificate(modules=modules)), tmp_path)
    text = page_text(path)
    for title, score in modules:
        assert title in text and f"{score:.0f}%" in text
    inside_the_border(path)


def test_long_name_shrinks_and_wraps_within_the_border(tmp_path):
    short = saved(certificate_pdf(certificate(name="Peserta Uji", business="Noken")), tmp_path, "short.pdf")
    long = saved(certificate_pdf(certificate(name=NAME_60, business="Noken")), tmp_path, "long.pdf")

    def name_rows(path: Path, name: str) -> dict[float, float]:
        """Baseline -> letter height of the rows that hold the name's words."""
        return {round(bottom): bottom - top for word, _, top, _, bottom in words(path) if word in name.split()}

    short_rows, long_rows = name_rows(short, "Peserta Uji"), name_rows(long, NAME_60)
    assert len(short_rows) == 1 and len(long_rows) == 2  # wrapped onto two lines
    assert max(long_rows.values()) < 0.8 * min(short_rows.values())  # and smaller
    assert NAME_60 in page_text(long)
    inside_the_border(long)


def inside_the_border(path: Path) -> None:
    found = words(path)
    assert len(found) >= 20
    for word, left, top, right, bottom in found:
        assert BORDER_INSET < left and right < PAGE_WIDTH - BORDER_INSET, (word, left, right)
        assert BORDER_INSET < top and bottom < PAGE_HEIGHT - BORDER_INSET, (word, top, bottom)


@pytest.mark.parametrize("changes", [
    {},
    {"name": NAME_60},
    {"name": "Wiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwi"},
    {"business": "Usaha Kuliner Dan Kerajinan Tangan Noken Serta Olahan Sagu " * 3},
    {"cohorts": [f"mkw-2022-{month:02d}-angkatan-tambahan" for month in range(1, 13)]},
    {"modules": [("Modul Dengan Judul Yang Sangat Panjang Sekali Untuk Menguji Tabel Nilai " * 2, 99.0)]},
    {"modules": [(f"Modul {index}", 80.0) for index in range(20)]},
    {"issuer": "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan Kabupaten "
               "Manokwari, Provinsi Papua Barat"},
    {"signer_name": "Dr. Maria Goreti Rumbewas Mandacan, S.E., M.Si., M.M.",
     "signer_title": "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Kabupaten Manokwari Provinsi Papua Barat"},
    {"number": "027/DISKOP-MKW/XI/2026/" + "9" * 60},
], ids=["plain", "name-60", "one-long-word", "long-business", "many-cohorts", "long-module-title",
        "twenty-modules", "long-issuer", "long-signer", "long-number"])
def test_every_word_stays_inside_the_border(tmp_path, changes):
    inside_the_border(saved(certificate_pdf(certificate(**changes)), tmp_path))


def test_qpdf_finds_every_kind_of_certificate_sound(tmp_path, pictures):
    variants = {
        "plain": certificate(), "no-modules": certificate(modules=[], cohorts=[], business=""),
        "images": certificate(signer_name="Dr. Maria Rumbewas", signer_title="Kepala Dinas", **pictures),
        **{f"name-{index}": certificate(name=name) for index, name in enumerate(UNICODE_NAMES)},
    }
    for label, data in variants.items():
        path = tmp_path / f"{label}.pdf"
        path.write_bytes(certificate_pdf(data))
        qpdf_check(path)


def test_rendered_page_is_not_blank(tmp_path):
    path = saved(certificate_pdf(certificate(name="Ŋgwe Đặng")), tmp_path)
    pixels = render(path)
    assert path.with_suffix(".png").is_file()
    assert pixels.shape[:2] == pytest.approx((413, 585), abs=1)  # A4 landscape at 50 dpi
    ink = (pixels.min(axis=2) < 0.6).mean()
    assert 0.01 < ink < 0.5, ink


def test_without_modules_or_cohorts_the_certificate_still_reads_well(tmp_path):
    path = saved(certificate_pdf(certificate(modules=[], cohorts=[], business="")), tmp_path)
    text = page_text(path)
    assert f"Peserta Uji 3 telah mengikuti {TRAINING_TITLE}." in text
    assert "Modul" not in text and "Angkatan" not in text


def test_scores_from_a_pandas_ledger_are_accepted(tmp_path):
    ledger = pandas.DataFrame({"judul": ["Mengenal Jupyter", "Jualan digital"], "persen": [100, 66.66]})
    modules = list(zip(ledger["judul"], ledger["persen"].astype("int64").to_numpy()))  # numpy ints
    text = page_text(saved(certificate_pdf(certificate(modules=modules)), tmp_path, "ints.pdf"))
    assert "Mengenal Jupyter 100%" in text and "Jualan digital 66%" in text
    rounded = certificate_pdf(certificate(modules=list(zip(ledger["judul"], ledger["persen"]))))
    assert "Jualan digital 66,7%" in page_text(saved(rounded, tmp_path, "floats.pdf"))


def test_number_defaults_to_trainee_and_year_and_can_be_given(tmp_path):
    assert "Nomor: UMKM/P-00042/2026" in page_text(saved(certificate_pdf(certificate()), tmp_path))
    given = certificate_pdf(certificate(number="027/DISKOP-MKW/XI/2026"))
    assert "Nomor: 027/DISKOP-MKW/XI/2026" in page_text(saved(given, tmp_path))


def test_same_data_gives_the_same_bytes():
    assert certificate_pdf(certificate()) == certificate_pdf(certificate())
    assert certificate_pdf(certificate()) != certificate_pdf(certificate(name="Peserta Uji 4"))


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "  "}, "name is empty"),
    ({"modules": [("Jualan digital", 120.0)]}, "percentage from 0 to 100"),
    ({"modules": [("Jualan digital", float("nan"))]}, "percentage from 0 to 100"),
    ({"issued": "2026-11-27"}, "must be a datetime.date"),
    ({"name": "Siti 😀 Aisyah"}, (r"name 'Siti 😀 Aisyah' has '😀' \(U\+1F600\), which the certificate's font "
                                 r"cannot print; write it with Latin letters in the roster")),
    ({"name": "王芳"}, r"'王' \(U\+738B\), '芳' \(U\+82B3\)"),
    ({"modules": [("Jualan 中文", 90.0)]}, "in curriculum.yml"),
])
def test_bad_data_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(UmkmkitError, match=message):
        certificate_pdf(certificate(**changes))


@pytest.mark.parametrize(("month", "expected"), [
    (1, "5 Januari 2026"), (2, "5 Februari 2026"), (3, "5 Maret 2026"), (4, "5 April 2026"),
    (5, "5 Mei 2026"), (6, "5 Juni 2026"), (7, "5 Juli 2026"), (8, "5 Agustus 2026"),
    (9, "5 September 2026"), (10, "5 Oktober 2026"), (11, "5 November 2026"),
    (12, "5 Desember 2026"),
])
def test_indonesian_date(month, expected):
    assert indonesian_date(datetime.date(2026, month, 5)) == expected


# --- logo, signature, stamp and the signer ---------------------------------------------------------

@pytest.fixture
def pictures(tmp_path) -> dict[str, Path]:
    """A red logo and a dark signature with transparency (PNG), a blue stamp on white (JPEG)."""
    return {
        "logo": png(tmp_path / "logo.png", (0.9, 0.0, 0.0)),
        "signature": png(tmp_path / "ttd.png", (0.0, 0.0, 0.2), size=(30, 90)),
        "stamp": png(tmp_path / "stempel.jpg", (0.0, 0.3, 1.0), alpha=False),
    }


def test_logo_signature_and_stamp_are_drawn_in_their_places(tmp_path, pictures):
    data = certificate(signer_name="Dr. Maria Rumbewas", signer_title="Kepala Dinas Koperasi dan UKM", **pictures)
    path = saved(certificate_pdf(data), tmp_path)
    assert images(path).count("image") == 3 and images(path).count("smask") == 2  # two PNGs keep transparency
    text = page_text(path)
    assert "Kepala Dinas Koperasi dan UKM" in text and "Dr. Maria Rumbewas" in text
    pixels = render(path)
    height, width = pixels.shape[:2]
    red = (pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    blue = (pixels[..., 2] > 0.7) & (pixels[..., 0] < 0.3)
    assert red[: height // 4, : width // 4].sum() > 10 and red[:, width // 4:].sum() == 0  # logo top left
    assert blue[3 * height // 4:, width // 2:].sum() > 10 and blue[: height // 2].sum() == 0  # stamp bottom right
    inside_the_border(path)


def test_each_image_is_read_and_compressed_once_for_all_certificates(tmp_path, pictures, monkeypatch):
    # ReportLab's own drawImage decodes, hashes and compresses an image again for every document:
    # some 8 ms an image, more than the whole certificate. Count the image objects built.
    built = []

    class CountedImage(pdfdoc.PDFImageXObject):
        def __init__(self, *args, **kwargs):
            built.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pdfdoc, "PDFImageXObject", CountedImage)
    monkeypatch.setattr(pdf, "_load_image", functools.lru_cache(maxsize=64)(pdf._load_image.__wrapped__))
    made = [certificate_pdf(certificate(name=f"Peserta {index}", **pictures)) for index in range(4)]
    assert len(built) == 5  # logo and signature with their transparency masks, the stamp: once
    for index, content in enumerate(made):
        assert images(saved(content, tmp_path, f"{index}.pdf")) == ["image", "smask", "image", "smask", "image"]


def test_an_image_that_cannot_be_read_is_a_clear_error(tmp_path, pictures):
    not_an_image = tmp_path / "logo-dinas.png"
    not_an_image.write_text("bukan gambar", encoding="utf-8")
    damaged = tmp_path / "rusak.png"
    damaged.write_bytes(pictures["logo"].read_bytes()[:60])
    cases = [
        (tmp_path / "tidak-ada.png", "No such file or directory. Check the file name and folder"),
        (not_an_image, "it is not a PNG or JPEG image. Save it as PNG"),
        (damaged, "the image is damaged or in a form that cannot be read"),
    ]
    for path, message in cases:
        with pytest.raises(UmkmkitError) as caught:
            certificate_pdf(certificate(logo=path))
        assert f"certificate of P-00042, logo: Cannot use the image {path}" in str(caught.value)
        assert message in str(caught.value)
        assert str(caught.value).endswith("then try again.")


def test_a_huge_image_is_refused_before_it_swells_every_certificate(tmp_path):
    photo = tmp_path / "stempel-foto.png"
    mpimg.imsave(photo, np.random.default_rng(0).random((900, 900, 3)))
    with pytest.raises(UmkmkitError, match=r"900 x 900 pixels and would add .* MB to every document.*Make it smaller"):
        certificate_pdf(certificate(stamp=photo))


def write_settings(folder: Path, text: str) -> Path:
    (folder / SETTINGS_FILE).write_text(text, encoding="utf-8")
    return folder


def test_certificate_settings_from_the_cohort_folder(tmp_path, pictures):
    folder = write_settings(tmp_path, (
        "# sertifikat angkatan Juni\n"
        "penandatangan: Dr. Maria Rumbewas\n"
        "jabatan: Kepala Dinas Koperasi dan UKM\n"
        "penerbit: Dinas Koperasi dan UKM Kabupaten Manokwari\n"
        "tempat: Manokwari\n"
        "logo: logo.png\n"
        "tanda_tangan: ttd.png\n"
        "stempel: stempel.jpg\n"
    ))
    settings = certificate_settings(folder)
    assert settings == {
        "signer_name": "Dr. Maria Rumbewas", "signer_title": "Kepala Dinas Koperasi dan UKM",
        "issuer": "Dinas Koperasi dan UKM Kabupaten Manokwari", "place": "Manokwari",
        "logo": pictures["logo"].resolve(), "signature": pictures["signature"].resolve(),
        "stamp": pictures["stamp"].resolve(),
    }
    data = CertificateData("P-00042", "Ŋgwe Đặng", "Noken Mama", MODULES, COHORTS, ISSUED, **settings)
    path = saved(certificate_pdf(data), tmp_path)
    assert images(path).count("image") == 3
    text = page_text(path)
    assert "Dinas Koperasi dan UKM Kabupaten Manokwari" in text and "Dr. Maria Rumbewas" in text


def test_a_cohort_without_settings_file_has_no_settings(tmp_path):
    assert certificate_settings(tmp_path) == {}
    assert certificate_settings(write_settings(tmp_path, "# nanti diisi\n")) == {}


@pytest.mark.parametrize(("text", "message"), [
    ("penandatangan: Dr. Maria\njabtan: Kepala Dinas\n",
     r"sertifikat.yml, line 2: unknown key 'jabtan'; did you mean 'jabatan'\? the keys are penandatangan, jabatan"),
    ("jabatan: Kepala Dinas\n\nlogo: logo-pemda.png\n",
     r"sertifikat.yml, line 3: the logo image .*logo-pemda.png does not exist; put the file in .* or correct the name"),
    ("stempel: catatan.txt\n",
     r"sertifikat.yml, line 1: Cannot use the image .*catatan.txt: it is not a PNG or JPEG image"),
    ("penandatangan:\n", r"sertifikat.yml, line 1: 'penandatangan' is empty; fill it in or delete the line"),
    ("tempat: 123\n", r"line 1: 'tempat' must be text; put the value in quotes"),
    ("penandatangan: Siti 😀\n", r"line 1: 'penandatangan' has '😀' \(U\+1F600\), which the certificate's font"),
    ("penandatangan: Dr. Maria\n  jabatan: Kepala: Dinas\n", r"sertifikat.yml, line 2, column \d+: .*fix the YAML"),
    ("- logo.png\n", r"sertifikat.yml: expected lines of the form 'key: value'"),
])
def test_a_bad_settings_file_names_the_file_the_line_and_what_to_do(tmp_path, text, message):
    (tmp_path / "catatan.txt").write_text("bukan gambar", encoding="utf-8")
    with pytest.raises(UmkmkitError, match=message) as caught:
        certificate_settings(write_settings(tmp_path, text))
    assert str(tmp_path / SETTINGS_FILE) in str(caught.value)


# --- the PDF engine the certificate is drawn with ----------------------------------------------------

def test_fitted_text_is_never_wider_than_its_room():
    for text in ["Ŋgwe Đặng", NAME_60, "Wiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwi", "Sagu " * 40]:
        for most_lines in (1, 2, 3):
            fitted = pdf.fit_text(text, 200.0, pdf.BOLD, 30.0, 12.0, most_lines)
            assert 1 <= len(fitted.lines) <= most_lines
            assert " ".join(fitted.lines) == " ".join(text.split())
            assert all(pdf.text_width(line, pdf.BOLD, fitted.size) <= 200.0 for line in fitted.lines)


def test_a_portrait_document_with_several_pages(tmp_path):
    document = pdf.document("portrait", title="Lembar latihan")
    pdf.draw_lines(document.canvas, pdf.fit_text("Halaman satu", 300), 72, 700)
    document.new_page()
    pdf.draw_lines(document.canvas, pdf.fit_text("Halaman dua: Ŋgwe", 300), 72, 700)
    path = saved(document.to_bytes(), tmp_path, "lembar.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == 2 and float(reader.pages[0].mediabox.height) == pytest.approx(841.89, abs=0.5)
    assert "Halaman dua: Ŋgwe" in page_text(path)
    with pytest.raises(UmkmkitError, match="use 'portrait' or 'landscape'"):
        pdf.document("square")


# --- writing and speed ---------------------------------------------------------------------------

def test_write_certificate_creates_folder_and_replaces_whole(tmp_path):
    target = tmp_path / "laporan" / "sertifikat" / "P-00042.pdf"
    data = certificate()
    assert write_certificate(data, target) == target
    assert target.read_bytes() == certificate_pdf(data)
    old = b"old certificate, longer than the new one " * 1000
    target.write_bytes(old)
    # A second name for the old file: a reader who opened it still sees all of it, because
    # the new certificate replaces the file instead of being written into it.
    reader_view = target.with_name("opened-by-a-viewer.pdf")
    os.link(target, reader_view)
    write_certificate(data, target)
    assert target.read_bytes() == certificate_pdf(data)
    assert reader_view.read_bytes() == old
    reader_view.unlink()
    assert [path.name for path in target.parent.iterdir()] == ["P-00042.pdf"]


def test_failed_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "P-00042.pdf"
    target.mkdir()  # a folder where the certificate should go: the replace must fail
    with pytest.raises(UmkmkitError, match="Cannot write"):
        write_certificate(certificate(), target)
    assert [path.name for path in tmp_path.iterdir()] == ["P-00042.pdf"]
    assert target.is_dir()


def test_the_first_page_is_readable_by_pypdf_too():
    # the report's own tests read certificates with pypdf
    text = PdfReader(io.BytesIO(certificate_pdf(certificate(name="Ŋgwe Đặng")))).pages[0].extract_text()
    assert "Ŋgwe Đặng" in unicodedata.normalize("NFC", text)


# --- issued once: the archive and its register --------------------------------------------------

def issue(archive: Path, folder: Path, certificates: dict[str, CertificateData]):
    plan = plan_issue(archive, certificates)
    issue_certificates(archive, plan.new, list(certificates), folder)
    write_register(archive, plan.register)
    return plan


def test_a_certificate_is_drawn_once_and_later_reports_link_it_with_its_first_date(tmp_path):
    archive = tmp_path / "sertifikat"
    people = {f"P-0000{i}.pdf": certificate(trainee_id=f"P-0000{i}", name=f"Peserta Uji {i}") for i in range(3)}
    first = issue(archive, tmp_path / "laporan-1", people)
    assert sorted(first.new) == sorted(people) and first.kept == {}
    register = read_register(archive)
    assert {row["tanggal_terbit"] for row in register.values()} == {ISSUED.isoformat()}
    assert register["P-00001.pdf"]["nomor"] == "UMKM/P-00001/2026" and register["P-00001.pdf"]["nama"] == "Peserta Uji 1"

    later = ISSUED + datetime.timedelta(days=40)  # the next year: a new date would change the number too
    again = {name: replace(data, issued=later) for name, data in people.items()}
    again["P-00002.pdf"] = replace(again["P-00002.pdf"], name="Peserta Uji Dua")  # name corrected in the roster
    second = issue(archive, tmp_path / "laporan-2", again)
    assert sorted(second.kept) == ["P-00000.pdf", "P-00001.pdf"] and list(second.new) == ["P-00002.pdf"]
    assert second.kept["P-00000.pdf"].issued == ISSUED
    for name in ("P-00000.pdf", "P-00001.pdf"):
        assert os.path.samefile(tmp_path / "laporan-2" / name, archive / name)  # linked, not drawn again
        assert (tmp_path / "laporan-2" / name).read_bytes() == (tmp_path / "laporan-1" / name).read_bytes()
    assert "Peserta Uji Dua" in page_text(tmp_path / "laporan-2" / "P-00002.pdf")
    # the first report keeps the certificate it had: the archive's file was replaced, not rewritten
    assert "Peserta Uji 2" in page_text(tmp_path / "laporan-1" / "P-00002.pdf")
    register = read_register(archive)
    assert register["P-00002.pdf"]["tanggal_terbit"] == later.isoformat()
    assert register["P-00002.pdf"]["nomor"] == "UMKM/P-00002/2027"
    assert register["P-00000.pdf"]["tanggal_terbit"] == ISSUED.isoformat()


def test_the_fingerprint_follows_what_is_printed_but_not_the_date(tmp_path, pictures):
    base = certificate()
    assert fingerprint(base) == fingerprint(replace(base, issued=ISSUED + datetime.timedelta(days=3)))
    assert fingerprint(base) != fingerprint(replace(base, number="800/12/2026"))
    for changes in ({"name": "Peserta Uji 4"}, {"modules": [*MODULES[:-1], ("Izin usaha dan hak cipta", 96.0)]},
                    {"cohorts": COHORTS[:1]}, {"signer_name": "Drs. Contoh"}, {"business": "Abon Ikan Uji"}):
        assert fingerprint(replace(base, **changes)) != fingerprint(base), changes
    logo = tmp_path / "mine" / "logo.png"
    logo.parent.mkdir()
    shutil.copyfile(pictures["logo"], logo)
    with_logo = fingerprint(replace(base, logo=logo))
    png(logo, (0.9, 0.1, 0.1), size=(50, 50))  # the same file name, another picture
    assert fingerprint(replace(base, logo=logo)) != with_logo


def test_a_certificate_missing_from_the_archive_is_drawn_again(tmp_path):
    archive, people = tmp_path / "sertifikat", {"P-00042.pdf": certificate()}
    issue(archive, tmp_path / "laporan-1", people)
    (archive / "P-00042.pdf").unlink()
    assert list(plan_issue(archive, people).new) == ["P-00042.pdf"]


@pytest.mark.parametrize("content, where", [
    ("berkas,id_peserta,nama,nomor,tanggal_terbit,sidik\nP-1.pdf,P-1,A,UMKM/P-1/2026,2026-11-27,x\n"
     "P-2.pdf,P-2,B,UMKM/P-2/2026,27/11/2026,y\n", "line 3"),
    ("berkas,id_peserta,nama\nP-1.pdf,P-1,A\n", "line 1"),
])
def test_a_damaged_register_is_a_clear_error_and_nothing_is_drawn(tmp_path, content, where):
    archive = tmp_path / "sertifikat"
    archive.mkdir()
    (archive / REGISTER_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(UmkmkitError, match=f"daftar.csv, {where}") as raised:
        plan_issue(archive, {"P-00042.pdf": certificate()})
    assert "delete" in str(raised.value)
    assert sorted(p.name for p in archive.iterdir()) == [REGISTER_FILE]
