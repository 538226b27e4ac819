"""What participants take home (umkmkit.course.handouts, `umkmkit handouts`): every PDF valid with its
fonts embedded, each module's handout saying what its lessons say (key points, worked example,
Monday steps, terms, read here from the notebooks independently of the code under test), cards
of one page, a rendered page that is not blank and not cut, phone pages that fit 360 and 1366 px
offline, the command's Indonesian summary, and a clear error for a folder that cannot be written."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from browser import require_chromium, screen
from umkmkit.course import handouts, notebooks
from umkmkit.cli import main
from umkmkit.course.curriculum import load_curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]
CARDS = ("kartu-harga-aman", "kartu-ongkir", "kartu-tanda-bahaya-penipuan", "kartu-sudah-tertipu", "kartu-izin-usaha",
         "kartu-buku-pesanan", "kartu-buku-kas")


@pytest.fixture(scope="module")
def written(kit, curriculum, tmp_path_factory):
    return handouts.write_handouts(kit, curriculum, tmp_path_factory.mktemp("lembar") / "handouts")


def normalized(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return normalized(done.stdout)


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


# --- what the lessons say, read here without umkmkit.course.handouts ---------------------------------------

def section_text(path: Path, title: str) -> str | None:
    """The Markdown of a lesson's `## <title>` section, or None."""
    text = "\n\n".join(c.source for c in notebooks.read_notebook(path).cells if c.cell_type == "markdown")
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return found.group(1) if found else None


def headings(path: Path) -> list[str]:
    cells = notebooks.read_notebook(path).cells
    return [line[3:] for c in cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("## ")]


def unmarked(markdown: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown.replace("**", "").replace("`", ""))
    return normalized(re.sub(r"(?<![\w*])\*(\S[^*]*?)\*", r"\1", text))


def bullets(markdown: str) -> list[str]:
    """The top-level list items of a section, without markup, continuation lines joined."""
    items: list[list[str]] = []
    in_item = after_blank = False
    for line in markdown.splitlines():
        item = re.match(r"^(?:- |\d+\. )(.*)", line)
        if item:
            items.append([item.group(1)])
            in_item, after_blank = True, False
        elif not line.strip():
            after_blank = True
        elif in_item and (not after_blank or line.startswith("  ")):
            items[-1].append(line.strip())
        else:
            in_item = False
    return [unmarked(" ".join(item)) for item in items]


def key_points(kit: Kit, module) -> list[str]:
    return [b for name in module.lessons for b in bullets(section_text(kit.lessons_dir / name, "Poin penting") or "")]


def terms(kit: Kit, module) -> list[str]:
    found = []
    for name in module.lessons:
        for entry in bullets(section_text(kit.lessons_dir / name, "Istilah") or ""):
            found.append(entry.split(":", 1)[0].strip())
    return found


def bantu_module(kit: Kit):
    spec = importlib.util.spec_from_file_location("bantu_for_handout_tests", kit.lessons_dir / "bantu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the lessons' new sections -----------------------------------------------------------------------

@pytest.mark.parametrize("module_id", [m.id for m in load_curriculum(Kit(ROOT)).modules])
def test_each_modules_last_lesson_has_a_worked_example_and_monday_steps_before_its_terms(kit, curriculum, module_id):
    module = next(m for m in curriculum.modules if m.id == module_id)
    path = kit.lessons_dir / module.lessons[-1]
    found = headings(path)
    assert "Contoh lengkap" in found and "Yang dilakukan hari Senin" in found, (
        f"{path.name}: add '## Contoh lengkap' and '## Yang dilakukan hari Senin' before '## Istilah' (the handouts "
        "print them)"
    )
    assert found[-4:] == ["Contoh lengkap", "Yang dilakukan hari Senin", "Istilah", "Poin penting"], found[-4:]
    steps = re.findall(r"^\d+\. ", section_text(path, "Yang dilakukan hari Senin"), re.MULTILINE)
    assert 3 <= len(steps) <= 5, f"{path.name}: {len(steps)} Monday steps, LESSONS.md-style lessons give 3 to 5"


def test_worked_examples_give_what_the_helper_module_gives(kit, curriculum):
    """Every "`call` menghasilkan `result`" of a worked example is what lessons/bantu.py returns."""
    bantu = bantu_module(kit)
    mutasi = pd.read_csv(kit.datasets_dir / "mutasi_bank.csv", parse_dates=["tanggal"])
    names = {name: getattr(bantu, name) for name in bantu.__all__}
    names["mutasi_arif"] = mutasi[mutasi["id_umkm"] == "MKW-00840"]  # as lesson 02 (2) names it
    checked = 0
    for module in curriculum.modules:
        example = section_text(kit.lessons_dir / module.lessons[-1], "Contoh lengkap")
        for call, result in re.findall(r"`([^`]+)` menghasilkan `([^`]+)`", example or ""):
            assert eval(call, {}, names) == ast.literal_eval(result), f"module {module.id}: {call} is not {result}"
            checked += 1
    assert checked >= 6


# --- the PDFs ------------------------------------------------------------------------------------------

def test_every_pdf_is_valid_embeds_its_fonts_and_names_its_modules(written, curriculum):
    modules = {m.id: m for m in curriculum.modules}
    assert len(written.sheets) == len(curriculum.modules) + len(CARDS) + 1
    for sheet in written.sheets:
        check = subprocess.run(["qpdf", "--check", str(sheet.pdf)], capture_output=True, text=True)
        assert check.returncode == 0, f"{sheet.pdf.name}: {check.stdout}{check.stderr}"
        fonts = subprocess.run(["pdffonts", str(sheet.pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(re.search(r"\s+yes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", row) for row in rows), fonts
        # DejaVu Sans, and DejaVu Sans Mono for code
        assert {row.split()[0].split("+")[-1] for row in rows} <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono",
                                                                   "DejaVuSansMono-Bold"}, fonts
        text = pdf_text(sheet.pdf)
        # a module's handout names its module; a card or the glossary, the whole course
        named = [modules[sheet.pdf.stem.split("-")[1]]] if sheet.kind == "modul" else curriculum.modules
        for module in named:
            assert module.judul in text, f"{sheet.pdf.name} does not name module {module.id} {module.judul}"


def test_module_handouts_say_what_their_lessons_say(written, kit, curriculum):
    by_stem = {s.pdf.stem: s for s in written.sheets}
    for module in curriculum.modules:
        sheet = by_stem[f"modul-{module.id}-{module.slug}"]
        text = pdf_text(sheet.pdf)
        assert module.pertanyaan in text, module.id
        points = key_points(kit, module)
        assert points, module.id
        for point in points:
            assert point in text, f"modul {module.id}: key point missing from {sheet.pdf.name}: {point}"
        for term in terms(kit, module):
            assert term in text, f"modul {module.id}: term missing from {sheet.pdf.name}: {term}"
        last = kit.lessons_dir / module.lessons[-1]
        for title in ("Contoh lengkap", "Yang dilakukan hari Senin"):
            markdown = section_text(last, title)
            if markdown is None:
                continue  # the test above names the missing section
            assert title in text
            for step in bullets(markdown):
                assert step in text, f"modul {module.id} § {title}: missing {step}"


def test_the_glossary_lists_every_term_of_every_module(written, kit, curriculum):
    text = pdf_text(next(s.pdf for s in written.sheets if s.kind == "glosarium"))
    for module in curriculum.modules:
        for term in terms(kit, module):
            assert term in text, f"glossary misses {term} (modul {module.id})"
    html = next(s.html for s in written.sheets if s.kind == "glosarium").read_text(encoding="utf-8")
    assert "Kanal jualan" in html


def test_cards_fit_one_page_and_carry_the_lessons_numbers(written, kit):
    by_stem = {s.pdf.stem: s for s in written.sheets}
    assert set(CARDS) <= set(by_stem)
    for stem in CARDS:
        assert pages(by_stem[stem].pdf) == 1, f"{stem} is not one page"
    bantu = bantu_module(kit)
    price = pdf_text(by_stem["kartu-harga-aman"].pdf)
    assert "Harga aman = (HPP + biaya per pesanan) ÷ (1 − margin − biaya persen)" in price
    assert "harga_aman(12_000, 0.40, 0.08, 1_250)" in price  # the lesson's example, worked through
    assert f"Rp{bantu.harga_aman(12_000, 0.40, 0.08, 1_250):,}".replace(",", ".") in price
    assert "Rp25.480,77" in price and "diperiksa 3 Desember 2026" in price
    shipping = pdf_text(by_stem["kartu-ongkir"].pdf)
    divisors = pd.read_csv(kit.datasets_dir / "pembagi_volume.csv")
    assert "berat_tagihan(0.35, 35, 30, 8)" in shipping  # the lesson's example, for each divisor of the data set
    for divisor in divisors["pembagi"].unique():
        assert str(divisor) in shipping
        assert f"{bantu.berat_tagihan(0.35, 35, 30, 8, int(divisor))} kg" in shipping
    red_flags = pdf_text(by_stem["kartu-tanda-bahaya-penipuan"].pdf)
    for contact in ("aduannomor.id", "cekrekening.id", "https://iasc.ojk.go.id", "081-157-157-157", "patrolisiber.id",
                    "nomor HP ada di daftar hitam", "Skor 3 atau lebih"):
        assert contact in red_flags, contact
    assert "Hubungi bank Anda" in pdf_text(by_stem["kartu-sudah-tertipu"].pdf)
    permits = pdf_text(by_stem["kartu-izin-usaha"].pdf)
    for word in ("NIB", "SPP-IRT", "Sertifikat halal", "Merek", "Hak cipta", "DPMPTSP Manokwari", "Rp500.000 per kelas",
                 "KTP elektronik"):
        assert word in permits, word
    orders = pdf_text(by_stem["kartu-buku-pesanan"].pdf)
    columns = ("Tanggal", "Pembeli", "Barang", "Jumlah", "Harga", "Ongkir", "Sudah dibayar? (cek mutasi)", "Dikirim")
    for column in columns:
        # a heading on two lines of a narrow column may come out of pdftotext around its neighbour's
        assert all(word in orders for word in column.split()), column
    cash = pdf_text(by_stem["kartu-buku-kas"].pdf)
    assert "Saldo awal" in cash and "Rp425.000" in cash and "Uang keluar" in cash


def test_a_page_renders_readable_and_uncut(written, tmp_path):
    sheet = next(s for s in written.sheets if s.pdf.stem.startswith("modul-01"))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(sheet.pdf), str(tmp_path / "halaman")],
                   check=True)
    png = next(tmp_path.glob("halaman*.png"))
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1, image.size  # A4 at 60 dpi
    ink = image.point(lambda value: 255 if value < 160 else 0)
    dark = ink.histogram()[255] / (width * height)
    assert dark > 0.02, f"page 1 of {sheet.pdf.name} is nearly blank ({dark:.1%} ink)"
    left, top, right, bottom = ink.getbbox()
    assert left >= 25 and top >= 25 and right <= width - 25 and bottom <= height - 15, "text runs into the page's edge"
    assert (tmp_path / png.name).stat().st_size > 20_000


# --- the phone pages --------------------------------------------------------------------------------

_LAYOUT = """() => ({scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
    lang: document.documentElement.lang, text: document.body.innerText,
    viewport: document.querySelector('meta[name="viewport"]')?.content})"""


@pytest.mark.parametrize("width", [360, 1366])
def test_phone_pages_fit_the_screen_and_fetch_nothing(written, width, tmp_path):
    require_chromium()
    index = written.index
    linked = set(re.findall(r'href="([^"]+)"', index.read_text(encoding="utf-8")))
    assert {s.html.name for s in written.sheets} | {s.pdf.name for s in written.sheets} <= linked
    assert all((index.parent / href).is_file() for href in linked)
    own = unquote(index.resolve().as_uri())
    outside: list[str] = []
    phone = width < 600
    with screen(width, 800 if phone else 768, phone, outside, own) as page:
        page.goto(own, wait_until="load")
        layouts = {index.name: page.evaluate(_LAYOUT)}
        page.screenshot(path=str(tmp_path / f"index-{width}.png"), full_page=True)
        # the other pages are loaded into the same tab from their text: screen() records and blocks every
        # URL but the first page's, so opening them by address would count as requests
        for sheet in written.sheets:
            page.set_content(sheet.html.read_text(encoding="utf-8"), wait_until="load")
            layouts[sheet.html.name] = page.evaluate(_LAYOUT)
    assert outside == []
    for name, layout in layouts.items():
        assert layout["viewport"] == "width=device-width, initial-scale=1" and layout["lang"] == "id", name
        assert layout["innerWidth"] == width, f"{name}: laid out {layout['innerWidth']} px wide on a {width} px screen"
        assert layout["scrollWidth"] <= width, f"{name} scrolls sideways at {width} px ({layout['scrollWidth']} px)"
    assert "Lembar bawa pulang" in layouts[index.name]["text"]
    assert "Harga aman" in layouts["kartu-harga-aman.html"]["text"]
    for sheet in written.sheets:
        assert sheet.title in layouts[sheet.html.name]["text"]
    html = "\n".join(s.html.read_text(encoding="utf-8") for s in written.sheets)
    assert not re.search(r"<(link|script|img)\b|@import|url\(", html), "a phone page loads something"


# --- the command ---------------------------------------------------------------------------------------

def test_the_command_writes_everything_and_says_so_in_indonesian(tmp_path):
    out = tmp_path / "lembar"
    result = CliRunner().invoke(main, ["handouts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Lembar bawa pulang ditulis di {out}" in result.output
    for path in sorted(out.glob("*.pdf")) + sorted(out.glob("*.html")):
        assert path.name in result.output, path.name
    assert "Per modul" in result.output and "Kartu" in result.output and "tanpa internet" in result.output
    assert (out / handouts.MARKER_FILE).is_file()
    if handouts._calculators_writer() is not None:
        made = sorted((out / handouts.CALCULATORS_FOLDER).glob("*.xlsx"))
        assert made and all(path.name in result.output for path in made)


def test_without_the_calculators_module_the_hook_says_so(kit, curriculum, tmp_path, monkeypatch):
    monkeypatch.setattr(handouts, "_calculators_writer", lambda: None)
    result = handouts.write_handouts(kit, curriculum, tmp_path / "lembar")
    assert result.calculators == () and not (tmp_path / "lembar" / handouts.CALCULATORS_FOLDER).exists()
    assert "Kalkulator tidak ditulis: modul kalkulator (umkmkit.course.calculators) belum ada" in "\n".join(
        handouts.summary(result))


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    blocker = tmp_path / "berkas.txt"
    blocker.write_text("bukan folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["handouts", "--out", str(blocker / "lembar")])
    assert result.exit_code == 1
    assert "Tidak bisa menulis lembar bawa pulang" in result.output and "--out" in result.output
    assert "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "bukan folder"


def test_a_folder_with_other_files_is_never_replaced(kit, curriculum, tmp_path):
    out = tmp_path / "dokumen"
    out.mkdir()
    (out / "catatan.txt").write_text("milik pelatih", encoding="utf-8")
    with pytest.raises(UmkmkitError, match="sudah berisi berkas lain"):
        handouts.write_handouts(kit, curriculum, out)
    assert [p.name for p in out.iterdir()] == ["catatan.txt"]


def test_writing_again_replaces_the_previous_handouts_whole(kit, curriculum, tmp_path):
    out = tmp_path / "lembar"
    handouts.write_handouts(kit, curriculum, out)
    (out / "modul-99-lama.pdf").write_bytes(b"%PDF stale")
    again = handouts.write_handouts(kit, curriculum, out)
    assert not (out / "modul-99-lama.pdf").exists()
    assert all(s.pdf.is_file() and s.html.is_file() for s in again.sheets)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lembar"], "a staging folder was left behind"


def test_a_card_names_the_lesson_section_it_cannot_find(kit, curriculum, tmp_path):
    copy = Kit(tmp_path)
    shutil.copy(kit.curriculum_file, copy.curriculum_file)
    for folder in ("lessons", "datasets"):
        shutil.copytree(kit.root / folder, tmp_path / folder)
    shutil.copytree(kit.facts_dir, copy.facts_dir)
    lesson = next(copy.lessons_dir / name for m in curriculum.modules for name in m.lessons
                  if section_text(copy.lessons_dir / name, "6. Kalau ada yang mencoba menipu, atau Anda sudah tertipu"))
    nb = notebooks.read_notebook(lesson)
    for cell in nb.cells:
        cell.source = cell.source.replace("| Saluran | Untuk apa |", "| Jalur | Untuk apa |")
    notebooks.write_notebook(nb, lesson)
    with pytest.raises(UmkmkitError, match=r"whose first column is 'Saluran'"):
        handouts.build_sheets(copy, load_curriculum(copy))
