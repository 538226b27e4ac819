"""Benchmark: certificates with the kit's engine (ReportLab) and with fpdf2, side by side.

Builds the same N certificates (default 200) twice in one run: with `umkmkit.report.certificates`
(ReportLab, the engine the kit uses) and with the same page drawn by fpdf2 below (border,
issuer, title, number, name and business shrunk to fit, the graded modules of curriculum.yml
with scores, cohorts, place and date, signer's block), both with DejaVu Sans and DejaVu Sans
Bold embedded from matplotlib. Names are synthetic, some with letters outside cp1252 and some
60 characters long. Prints, per engine, the first certificate (it parses the fonts), the
milliseconds per certificate, the total seconds and the average PDF size, then the machine's
load average; `--images` adds a logo, a signature and a stamp (small PNG and JPEG files it
makes) to every certificate. Exits non-zero when the kit's engine is over its budget.

    .venv/bin/python benchmarks/certificates.py [--count 200] [--images] [--scratch DIR]

fpdf2 is not a dependency of the kit: `.venv/bin/pip install fpdf2` to measure it (without it
the run measures ReportLab alone and says so). The kit's budget is 10 ms a certificate: the
coordinator's report writes one per graduate. The figures are recorded in `umkmkit/pdf.py`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import reportlab
from matplotlib import image as mpimg

from umkmkit import pdf
from umkmkit.report import certificates
from umkmkit.report.certificates import CertificateData, certificate_pdf, indonesian_date
from umkmkit.course.curriculum import load_curriculum
from umkmkit.workspace import find_kit

SEED = 20221
BUDGET_MS = 10.0
FIRST_NAMES = ["Yohana", "Ŋgwe", "Agustina", "Đặng", "Marthen", "Sarlota", "Yusuf", "Ni Luh", "Frans", "Siti"]
LAST_NAMES = ["Wanma'", "Rumbewas", "Mandacan", "Kambuaya", "Sraun", "Wanggai", "Iba", "Rumbiak", "Ayomi",
              "Wonda"]
BUSINESSES = ["Keripik Sagu", "Noken Mama", "Kopi Arfak", "Abon Ikan Tuna", "Batik Papua", "Kue Lontar"]


def trainees(count: int, modules: list[str], images: dict[str, Path]) -> list[CertificateData]:
    rng = random.Random(SEED)
    made = []
    for index in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if index % 10 == 0:  # a long name that must shrink and wrap
            name = (name + " " + " ".join(rng.choice(LAST_NAMES) for _ in range(8)))[:60]
        made.append(CertificateData(
            trainee_id=f"P-{index:05d}", name=name, business=f"{rng.choice(BUSINESSES)} {name.split()[0]}",
            modules=[(title, round(rng.uniform(60, 100), 1)) for title in modules],
            cohorts=["mkw-2022-06", "mkw-2022-08"][: rng.randint(1, 2)], issued=datetime.date(2026, 11, 27),
            signer_name="Dr. Maria Rumbewas, S.E., M.Si." if images else "",
            signer_title="Kepala Dinas Koperasi dan UKM Kabupaten Manokwari" if images else "",
            **images,
        ))
    return made


def make_images(folder: Path) -> dict[str, Path]:
    """A logo (PNG with transparency), a signature (PNG) and a stamp photographed on white (JPEG)."""
    y, x = np.mgrid[0:240, 0:240]
    ring = np.abs(np.hypot(x - 120, y - 120) - 95) < 10
    logo = np.zeros((240, 240, 4))
    logo[ring] = (0.75, 0.1, 0.1, 1.0)
    logo[90:150, 90:150] = (0.1, 0.45, 0.15, 1.0)
    stamp = np.ones((240, 240, 3))
    stamp[ring] = (0.2, 0.3, 0.8)
    signature = np.zeros((150, 450, 4))
    t = np.linspace(0, 6 * np.pi, 3000)
    for column, row in zip(40 + t / (6 * np.pi) * 370, 75 + 45 * np.sin(t * 1.3) * np.cos(t * 0.4)):
        signature[int(row) - 2:int(row) + 2, int(column) - 2:int(column) + 2] = (0.05, 0.05, 0.3, 1.0)
    paths = {"logo": folder / "logo.png", "signature": folder / "ttd.png", "stamp": folder / "stempel.jpg"}
    mpimg.imsave(paths["logo"], logo)
    mpimg.imsave(paths["signature"], signature)
    mpimg.imsave(paths["stamp"], stamp)
    return paths


# --- the same certificate drawn by fpdf2 -----------------------------------------------------

def fpdf2_certificate(data: CertificateData) -> bytes:
    """The kit's certificate layout with fpdf2 (y measured from the top, as fpdf2 does)."""
    from fpdf import FPDF

    fonts = pdf.font_files()
    width, height = pdf.A4_LANDSCAPE
    left, right = certificates.TEXT_LEFT, certificates.TEXT_RIGHT
    centre, text_width = width / 2, right - left
    document = FPDF(orientation="L", unit="pt", format="A4")
    # fpdf2 parses the font for every document: its subsetter changes the parsed font in place
    document.add_font("DejaVu", "", fonts[pdf.REGULAR])
    document.add_font("DejaVu", "B", fonts[pdf.BOLD])
    document.set_auto_page_break(False)
    document.set_title(f"Sertifikat {data.name}")
    document.set_creator("umkmkit")
    document.add_page()

    def fit(text: str, style: str, size: float, smallest: float, room: float, most_lines: int) -> tuple[float, list[str]]:
        document.set_font("DejaVu", style, size)
        natural = document.get_string_width(text)
        if natural <= room:
            return size, [text]
        if natural * smallest / size <= room or most_lines == 1:
            return min(size, room * size / natural), [text]
        document.set_font("DejaVu", style, smallest)
        lines, current = [], ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and document.get_string_width(trial) > room and len(lines) < most_lines - 1:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
        widest = max(document.get_string_width(line) for line in lines)
        return min(smallest, room * smallest / widest), lines

    def put(lines: list[str], style: str, size: float, x: float, baseline: float, align: str = "C",
            leading: float = 1.25) -> float:
        document.set_font("DejaVu", style, size)
        for line in lines:
            shift = {"L": 0.0, "C": document.get_string_width(line) / 2, "R": document.get_string_width(line)}[align]
            document.text(x - shift, height - baseline, line)
            baseline -= size * leading
        return baseline

    document.set_draw_color(18, 69, 115)
    document.set_line_width(2.5)
    document.rect(22, 22, width - 44, height - 44)
    document.set_line_width(0.8)
    document.rect(30, 30, width - 60, height - 60)
    room = text_width
    if data.logo:
        document.image(str(data.logo), 44, 30 + 12, 110, 70, keep_aspect_ratio=True)
        room = text_width - 2 * (44 + 110 + 12 - left)
    document.set_text_color(18, 69, 115)
    size, lines = fit(data.issuer, "B", 12, 9, room, 2)
    y = put(lines, "B", size, centre, height - 42 - size) - 30
    put(["SERTIFIKAT"], "B", 36, centre, y)
    document.line(centre - 60, height - y + 12, centre + 60, height - y + 12)
    document.set_text_color(89, 89, 89)
    y -= 28
    size, lines = fit(f"Nomor: {data.certificate_number}", "", 10, 7, room, 1)
    put(lines, "", size, centre, y)
    document.set_text_color(33, 33, 33)
    y -= 26
    put(["diberikan kepada"], "", 13, centre, y)
    size, lines = fit(data.name, "B", 30, 20, text_width, 2)
    document.set_text_color(18, 69, 115)
    y = put(lines, "B", size, centre, y - 10 - size, leading=1.15) + size * 0.9
    document.set_text_color(33, 33, 33)
    size, lines = fit(data.business, "", 15, 10, text_width, 2)
    y = put(lines, "", size, centre, y - 8 - size) + size * 1.25 - 30
    sentence = f"telah mengikuti {certificates.TRAINING_TITLE} dan menyelesaikan modul berikut:"
    size, lines = fit(sentence, "", 12, 10, text_width, 2)
    y = put(lines, "", size, centre, y, leading=1.3) - 6
    leading = min(18.0, (y - 178.0) / (len(data.modules) + 1))
    size = min(11.0, leading * 0.72)
    table_left, table_right = centre - 190, centre + 190
    put(["Modul"], "B", size, table_left, y, "L")
    put(["Nilai"], "B", size, table_right, y, "R")
    document.set_line_width(0.6)
    document.line(table_left, height - y + leading * 0.35, table_right, height - y + leading * 0.35)
    for title, score in data.modules:
        y -= leading
        fitted_size, fitted = fit(title, "", size, size, 300, 1)
        put(fitted, "", fitted_size, table_left, y, "L")
        put([certificates._percent(score)], "", size, table_right, y, "R")
    document.line(table_left, height - y + leading * 0.35, table_right, height - y + leading * 0.35)
    document.set_text_color(89, 89, 89)
    size, lines = fit("Angkatan: " + ", ".join(data.cohorts), "", 10, 8, 400, 2)
    put(lines, "", size, left, 52 + (len(lines) - 1) * size * 1.25, "L")
    document.set_text_color(33, 33, 33)
    signer_centre = right - 115
    size, lines = fit(data.signer_title or data.issuer, "", 10.5, 9, 230, 2)
    role_top = 126 + (len(lines) - 1) * size * 1.25
    place_size, place = fit(f"{data.place}, {indonesian_date(data.issued)}", "", 11, 8, 230, 1)
    put(place, "", place_size, signer_centre, role_top + 16)
    put(lines, "", size, signer_centre, role_top)
    with document.local_context(blend_mode="Multiply"):
        if data.signature:
            document.image(str(data.signature), signer_centre - 85, height - 118, 170, 56, keep_aspect_ratio=True)
        if data.stamp:
            document.image(str(data.stamp), signer_centre - 110, height - 128, 76, 76, keep_aspect_ratio=True)
    if data.signer_name:
        size, lines = fit(data.signer_name, "B", 11, 8, 230, 1)
        put(lines, "B", size, signer_centre, 52)
    else:
        document.line(signer_centre - 95, height - 56, signer_centre + 95, height - 56)
    return bytes(document.output())


def measure(name: str, build, batch: list[CertificateData], folder: Path) -> dict:
    start = time.perf_counter()
    first = build(batch[0])
    first_seconds = time.perf_counter() - start
    sizes = [len(first)]
    for data in batch[1:]:
        sizes.append(len(build(data)))
    total = time.perf_counter() - start
    (folder / f"{name}.pdf").write_bytes(first)
    return {"engine": name, "first_ms": first_seconds * 1000, "ms": total * 1000 / len(batch), "total": total,
            "size": sum(sizes) / len(sizes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="certificates per engine (default 200)")
    parser.add_argument("--images", action="store_true", help="a logo, signature and stamp on every certificate")
    parser.add_argument("--scratch", type=Path, help="keep the first certificate of each engine here")
    options = parser.parse_args(argv)
    kit = find_kit()
    modules = [module.judul for module in load_curriculum(kit).assignments]
    scratch = options.scratch or Path(tempfile.mkdtemp(prefix="umkmkit-bench-certificates-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        images = make_images(scratch) if options.images else {}
        batch = trainees(options.count, modules, images)
        engines = [(f"reportlab {reportlab.Version}", certificate_pdf)]
        try:
            import fpdf
            engines.append((f"fpdf2 {fpdf.__version__}", fpdf2_certificate))
        except ImportError:
            print("fpdf2 is not installed (.venv/bin/pip install fpdf2 to compare); measuring ReportLab alone.")
        print(f"{options.count} certificates, {len(modules)} modules each"
              f"{', with logo, signature and stamp' if images else ''}; DejaVu Sans embedded")
        print(f"{'engine':<18} {'first (ms)':>10} {'ms/certificate':>15} {'total (s)':>10} {'average size':>13}")
        results = []
        for name, build in engines:
            result = measure(name.split()[0], build, batch, scratch)
            results.append(result)
            print(f"{name:<18} {result['first_ms']:>10.0f} {result['ms']:>15.2f} {result['total']:>10.2f} "
                  f"{result['size'] / 1024:>10.1f} KB", flush=True)
        if options.scratch:
            print(f"first certificate of each engine: {', '.join(str(scratch / (r['engine'] + '.pdf')) for r in results)}")
        # other work on the machine stretches both engines' times alike
        print("load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
        over = results[0]["ms"] > BUDGET_MS
        print(f"kit's engine: {results[0]['ms']:.2f} ms a certificate, "
              f"{'OVER' if over else 'within'} the budget of {BUDGET_MS:.0f} ms")
        return 1 if over else 0
    finally:
        if not options.scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
