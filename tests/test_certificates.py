"""Certificates: a valid one-page A4 landscape PDF that says the right things, in Indonesian."""

from __future__ import annotations

import datetime
import io
import os
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import matplotlib
import pandas
import pytest
from pypdf import PdfReader

from umkmkit.certificates import (
    BORDER_INSET, PAGE_HEIGHT, PAGE_WIDTH, CertificateData, certificate_pdf, indonesian_date,
    text_width, write_certificate,
)
from umkmkit.errors import UmkmkitError

MODULES = [
    ("Mengenal Jupyter", 100.0),
    ("Jualan digital", 87.5),
    ("Pembukuan pesanan online", 72.0),
    ("Menghindari penipuan", 90.0),
]
COHORTS = ["mkw-2022-06", "mkw-2022-08"]
ISSUED = datetime.date(2026, 11, 27)
LONG_NAME = " ".join(["Peserta Uji Dengan Nama Keluarga Yang Sangat Panjang"] * 3)

# One text-showing operation as the certificate writes it: font, size, position, string.
TEXT_OPERATION = re.compile(rb"BT /(F\d+) ([\d.]+) Tf (-?[\d.]+) (-?[\d.]+) Td \(((?:\\.|[^\\)])*)\) Tj ET")


def certificate(**changes) -> CertificateData:
    data = CertificateData("P-00042", "Peserta Uji 3", "Keripik Sagu Uji", MODULES, COHORTS, ISSUED)
    return replace(data, **changes)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf), strict=True)


def flat_text(pdf: bytes) -> str:
    """The page's extracted text with every run of whitespace made one space."""
    return " ".join(read(pdf).pages[0].extract_text().split())


def drawn_lines(pdf: bytes) -> list[tuple[str, float, float, float, str]]:
    """(font name, size, x, y, text) of every line of text drawn on the page."""
    page = read(pdf).pages[0]
    fonts = {name: str(font.get_object()["/BaseFont"]).lstrip("/")
             for name, font in page["/Resources"]["/Font"].items()}
    lines = []
    for match in TEXT_OPERATION.finditer(page.get_contents().get_data()):
        resource, size, x, y, string = match.groups()
        text = re.sub(rb"\\(.)", rb"\1", string).decode("cp1252")
        lines.append((fonts["/" + resource.decode()], float(size), float(x), float(y), text))
    return lines


def test_one_a4_landscape_page_says_who_did_what_and_when():
    pdf = certificate_pdf(certificate())
    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.left), float(box.bottom)) == (0, 0)
    assert float(box.width) == pytest.approx(841.89, abs=0.5)
    assert float(box.height) == pytest.approx(595.28, abs=0.5)
    text = flat_text(pdf)
    for expected in ("SERTIFIKAT", "Nomor: UMKM/P-00042/2026", "diberikan kepada", "Peserta Uji 3",
                     "Keripik Sagu Uji", "telah menyelesaikan seluruh modul",
                     "Angkatan: mkw-2022-06, mkw-2022-08", "Manokwari, 27 November 2026",
                     "Dinas penyelenggara pelatihan UMKM Kabupaten Manokwari"):
        assert expected in text
    for title, _ in MODULES:
        assert title in text
    assert "100%" in text and "87,5%" in text and "72%" in text


def test_fonts_are_standard_helvetica_with_winansi_and_not_embedded():
    page = read(certificate_pdf(certificate())).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert sorted(str(font["/BaseFont"]) for font in fonts) == [
        "/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique"]
    for font in fonts:
        assert font["/Subtype"] == "/Type1" and font["/Encoding"] == "/WinAnsiEncoding"
        assert "/FontDescriptor" not in font


def test_name_with_pdf_string_delimiters_and_accents_survives():
    name = "Ma'ruf (Yosef) \\ Éri"
    pdf = certificate_pdf(certificate(name=name, business="Toko (Cabang) Uji"))
    text = flat_text(pdf)
    assert name in text
    assert "Toko (Cabang) Uji" in text
    assert read(pdf).metadata.title == f"Sertifikat {name}"


def test_characters_cp1252_cannot_hold_become_close_letters_not_a_crash():
    pdf = certificate_pdf(certificate(name="Ŋgalu Łukas 😀 Uji", business="Usaha\tBaru\nUji"))
    text = flat_text(pdf)
    assert "Ngalu Lukas ? Uji" in text
    assert "Usaha Baru Uji" in text
    assert text_width("Ŋ", "Helvetica", 10) == text_width("N", "Helvetica", 10)


def afm_widths(file_name: str) -> tuple[dict[int, int], dict[str, int]]:
    """Widths by standard-encoding code and by glyph name from one of matplotlib's Adobe AFM files."""
    by_code, by_name = {}, {}
    afm = Path(matplotlib.get_data_path()) / "fonts" / "afm" / file_name
    for line in afm.read_text(encoding="latin-1").splitlines():
        if match := re.match(r"C (-?\d+) ; WX (\d+) ; N (\S+)", line):
            code, width, name = int(match[1]), int(match[2]), match[3]
            by_name[name] = width
            if code > 0:
                by_code[code] = width
    return by_code, by_name


ACCENTS = {"ACUTE": "acute", "GRAVE": "grave", "CIRCUMFLEX": "circumflex", "DIAERESIS": "dieresis",
           "TILDE": "tilde", "CEDILLA": "cedilla", "RING ABOVE": "ring", "CARON": "caron"}


@pytest.mark.parametrize(("font", "afm"), [
    ("Helvetica", "phvr8a.afm"), ("Helvetica-Bold", "phvb8a.afm"), ("Helvetica-Oblique", "phvro8a.afm"),
])
def test_widths_match_adobe_metrics(font, afm):
    by_code, by_name = afm_widths(afm)
    # Standard encoding has quoteright at 39 and quoteleft at 96 where cp1252 has ' and `.
    by_code[39], by_code[96] = by_name["quotesingle"], by_name["grave"]
    for code in range(32, 127):
        # Between two letters, so that a space is not trimmed away as leading whitespace.
        alone = text_width(f"x{chr(code)}x", font, 1000) - text_width("xx", font, 1000)
        assert alone == by_code[code], chr(code)
    checked = 0
    for code in range(192, 256):
        letter = bytes([code]).decode("cp1252")
        base, _, accent = unicodedata.name(letter).partition(" WITH ")
        if accent in ACCENTS:
            glyph = base[-1] if "CAPITAL" in base else base[-1].lower()
            assert text_width(letter, font, 1000) == by_name[glyph + ACCENTS[accent]], letter
            checked += 1
    assert checked > 50


def test_widths_are_helvetica_metrics():
    # Adobe's AFM: H 722, e 556, l 222, o 556 (Helvetica); A 722, W 944 (Helvetica-Bold).
    assert text_width("Hello", "Helvetica", 1000) == 722 + 556 + 222 + 222 + 556
    assert text_width("AW", "Helvetica-Bold", 1000) == 722 + 944
    assert text_width("É", "Helvetica", 1000) == 667
    with pytest.raises(UmkmkitError, match="Unknown certificate font"):
        text_width("x", "Times-Roman")


def name_sizes(pdf: bytes) -> set[float]:
    return {size for font, size, _, _, text in drawn_lines(pdf)
            if font == "Helvetica-Bold" and text and text in LONG_NAME + " Peserta Uji 3"}


def test_long_name_shrinks_and_stays_whole():
    assert name_sizes(certificate_pdf(certificate())) == {32.0}
    pdf = certificate_pdf(certificate(name=LONG_NAME))
    sizes = name_sizes(pdf)
    assert sizes and max(sizes) < 32
    assert LONG_NAME in flat_text(pdf)


@pytest.mark.parametrize("changes", [
    {},
    {"name": LONG_NAME},
    {"name": "Wiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwiwi"},
    {"business": "Usaha Kuliner Dan Kerajinan Tangan Noken Serta Olahan Sagu " * 3},
    {"cohorts": [f"mkw-2022-{month:02d}-angkatan-tambahan" for month in range(1, 13)]},
    {"modules": [("Modul Dengan Judul Yang Sangat Panjang Sekali Untuk Menguji Tabel Nilai " * 2, 99.0)]},
    {"issuer": "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan Kabupaten "
               "Manokwari, Provinsi Papua Barat"},
])
def test_every_line_stays_inside_the_border(changes):
    lines = drawn_lines(certificate_pdf(certificate(**changes)))
    assert len(lines) >= 15
    for font, size, x, y, text in lines:
        right = x + text_width(text, font, size)
        assert BORDER_INSET < x and right < PAGE_WIDTH - BORDER_INSET, (text, x, right)
        assert BORDER_INSET < y < PAGE_HEIGHT - BORDER_INSET, (text, y)


def test_without_modules_or_cohorts_the_certificate_still_reads_well():
    text = flat_text(certificate_pdf(certificate(modules=[], cohorts=[], business="")))
    assert "Peserta Uji 3 telah menyelesaikan seluruh modul" in text
    assert "Modul" not in text and "Angkatan" not in text


def test_heading_is_centred():
    for font, size, x, _, text in drawn_lines(certificate_pdf(certificate())):
        if text in ("SERTIFIKAT", "Peserta Uji 3", "diberikan kepada"):
            centre = x + text_width(text, font, size) / 2
            assert centre == pytest.approx(PAGE_WIDTH / 2, abs=0.02), text


def test_xref_offsets_point_at_their_objects():
    pdf = certificate_pdf(certificate(name="Ma'ruf (Yosef) \\ Éri"))
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n")
    header, *rest = pdf[startxref:].split(b"\n", 2)[1:]
    first, count = map(int, header.split())
    assert first == 0
    table = rest[0][: 20 * count]
    entries = [table[i:i + 20] for i in range(0, len(table), 20)]
    assert entries[0] == b"0000000000 65535 f \n"
    for number, entry in enumerate(entries[1:], start=1):
        assert entry.endswith(b" 00000 n \n"), entry
        offset = int(entry[:10])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), number
    assert rest[0][20 * count:].startswith(b"trailer\n<< /Size %d " % count)
    # The content stream's /Length is its exact size.
    length, = map(int, re.findall(rb"/Length (\d+) >>\nstream\n", pdf))
    stream_start = pdf.index(b"stream\n") + len(b"stream\n")
    assert pdf[stream_start + length:].startswith(b"\nendstream")


def test_scores_from_a_pandas_ledger_are_accepted():
    ledger = pandas.DataFrame({"judul": ["Mengenal Jupyter", "Jualan digital"], "persen": [100, 66.66]})
    modules = list(zip(ledger["judul"], ledger["persen"].astype("int64").to_numpy()))  # numpy ints
    text = flat_text(certificate_pdf(certificate(modules=modules)))
    assert "Mengenal Jupyter 100%" in text and "Jualan digital 66%" in text
    rounded = flat_text(certificate_pdf(certificate(modules=list(zip(ledger["judul"], ledger["persen"])))))
    assert "Jualan digital 66,7%" in rounded


def test_number_defaults_to_trainee_and_year_and_can_be_given():
    assert "Nomor: UMKM/P-00042/2026" in flat_text(certificate_pdf(certificate()))
    given = flat_text(certificate_pdf(certificate(number="027/DISKOP-MKW/XI/2026")))
    assert "Nomor: 027/DISKOP-MKW/XI/2026" in given


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "  "}, "name is empty"),
    ({"modules": [("Jualan digital", 120.0)]}, "percentage from 0 to 100"),
    ({"modules": [("Jualan digital", float("nan"))]}, "percentage from 0 to 100"),
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


def test_a_certificate_costs_well_under_a_millisecond():
    # Generous bound (2 ms each) so a busy machine does not fail it; measured ~0.1 ms each.
    batch = [certificate(trainee_id=f"P-{i:05d}", name=f"Peserta Uji {i}") for i in range(500)]
    start = time.perf_counter()
    for data in batch:
        certificate_pdf(data)
    assert time.perf_counter() - start < 1.0
