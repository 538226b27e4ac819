"""The fact registry (docs/fakta/): every fact sourced and dated, every fee, rate, legal article
and deadline the kit's texts state traceable to it, stale facts reported, the trainers' fact
sheet up to date, and the trainers' documents in Bahasa Indonesia."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from umkmkit.course import notebooks
from umkmkit.cli import main
from umkmkit.errors import UmkmkitError
from umkmkit.course.facts import due, fact_sheet, fact_tokens, load_fact, load_facts, matching_facts
from umkmkit.workspace import Kit

ROOT = Path(__file__).resolve().parents[1]
NOTES = sorted((ROOT / "docs" / "instructor-notes").glob("*.md"))
TRAINER_DOCS = [ROOT / "docs" / "trainer-guide.md", *NOTES]


@pytest.fixture(scope="module")
def facts(kit):
    return load_facts(kit)


def texts(kit: Kit, curriculum) -> dict[str, list[str]]:
    """Where the kit states things, by place: each lesson's sections, each exercise's cells, each note."""
    found = {}
    for module in curriculum.modules:
        for name in module.lessons:
            found.update(lesson_sections(kit.lessons_dir / name))
    for module in curriculum.buildable:
        for name in module.notebooks:
            path = kit.solution_dir(module.assignment) / f"{name}.ipynb"
            for index, cell in enumerate(notebooks.read_notebook(path).cells):
                found[f"{path.relative_to(kit.root)} cell {index}"] = [cell.source]
    for path in NOTES:
        found[str(path.relative_to(kit.root))] = [path.read_text(encoding="utf-8")]
    return found


def lesson_sections(path: Path) -> dict[str, list[str]]:
    """A lesson's sections (from one `## ` heading to the next), each with its cells' text."""
    sections: dict[str, list[str]] = {}
    title = "(title)"
    for cell in notebooks.read_notebook(path).cells:
        heading = re.search(r"^## (.+)$", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
        if heading:
            title = heading.group(1).strip()
        sections.setdefault(f"{path.relative_to(ROOT)} § {title}", []).append(cell.source)
    return sections


def test_every_fact_is_sourced_and_dated(facts):
    assert len(facts) >= 20
    for fact in facts:
        assert fact.primary_sources, fact.id
        assert fact.diperiksa <= date.today() < fact.periksa_lagi + timedelta(days=3650), fact.id


@pytest.mark.parametrize("broken,message", [
    ("sumber", "no sumber"),
    ("diperiksa", "no diperiksa"),
    ("periksa_lagi", "no periksa_lagi"),
])
def test_a_fact_without_source_or_dates_is_refused(tmp_path, broken, message):
    fields = {
        "id": "contoh-fakta", "judul": "Contoh", "pernyataan": "Sesuatu.", "dikutip": ["Rp1.000"],
        "sumber": "\n  - nama: PP 1/2020\n    jenis: peraturan", "diperiksa": "2026-12-01", "periksa_lagi": "2027-06-01",
    }
    fields.pop(broken)
    text = "\n".join(f"{k}: {v}" if not isinstance(v, list) else f"{k}: {v}" for k, v in fields.items())
    path = tmp_path / "contoh-fakta.yml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(UmkmkitError, match=rf"contoh-fakta.yml, line 1: .*{message}"):
        load_fact(path)


def test_news_alone_is_not_a_source(tmp_path):
    path = tmp_path / "kabar.yml"
    path.write_text(
        "id: kabar\njudul: K\npernyataan: P\ndikutip: [Rp1.000]\nsumber:\n  - nama: Sebuah berita\n    jenis: berita\n"
        "diperiksa: 2026-12-01\nperiksa_lagi: 2027-06-01\n", encoding="utf-8",
    )
    with pytest.raises(UmkmkitError, match="no primary source"):
        load_fact(path)


def test_the_finder_sees_fees_rates_articles_and_deadlines_not_example_prices():
    text = (
        "Keripik Rp20.000 per bungkus, margin 30%. Biaya admin 8% dan biaya per pesanan Rp1.250. "
        "Menurut PP 45/2024 biayanya Rp500.000 per kelas. Tenggatnya 17 Oktober 2026. Pasal 493 KUHP. "
        "Pesanan tanggal 5 Oktober 2022 dikirim. Biaya admin contoh Rp2.400."
    )
    assert fact_tokens(text) == ["PP 45/2024", "Pasal 493", "17 Oktober 2026", "8%", "Rp1.250", "Rp500.000"]


def test_every_fee_rate_article_and_deadline_in_the_texts_is_in_the_registry(kit, curriculum, facts):
    untraced = {}
    for place, parts in texts(kit, curriculum).items():
        missing = sorted({t for part in parts for t in fact_tokens(part) if not matching_facts(t, facts)})
        if missing:
            untraced[place] = missing
    assert untraced == {}, "add these to docs/fakta/ (or fix the text):\n" + "\n".join(
        f"  {place}: {tokens}" for place, tokens in untraced.items()
    )


def test_each_lesson_section_that_states_a_fact_cites_it_in_its_sumber_box(kit, curriculum, facts):
    uncited = {}
    for module in curriculum.modules:
        for name in module.lessons:
            for place, parts in lesson_sections(kit.lessons_dir / name).items():
                text = "\n".join(parts)
                ids = {f.id for t in fact_tokens(text) for f in matching_facts(t, facts)}
                box = "\n".join(line for line in text.splitlines() if "Sumber" in line)
                if ids and not any(fact_id in box for fact_id in ids):
                    uncited[place] = sorted(ids)
    assert uncited == {}, "each of these sections needs a 'Sumber' line naming one of its facts' ids:\n" + "\n".join(
        f"  {place}: {ids}" for place, ids in uncited.items()
    )


def test_lessons_cite_no_weak_site_in_running_text(kit, curriculum):
    weak = re.compile(r"123dok|kompasiana|blogspot|docslib|anyflip|scribd", re.IGNORECASE)
    for module in curriculum.modules:
        for name in module.lessons:
            for cell in notebooks.read_notebook(kit.lessons_dir / name).cells:
                assert not weak.search(cell.source), f"{name}: {weak.search(cell.source).group(0)}"


def test_no_document_of_the_kit_points_outside_the_kit():
    documents = [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md"), *(ROOT / "docs" / "fakta").glob("*.yml"),
                 *(ROOT / "lessons").glob("*.ipynb"), *(ROOT / "solutions").glob("*/*.ipynb"),
                 *(ROOT / "src").rglob("*.py"), *(ROOT / "datasets").glob("*.md")]
    for path in documents:
        text = path.read_text(encoding="utf-8")
        # the developers' notes outside the kit, named without writing their path into the kit
        outside = "/".join(("..", "shared"))
        assert outside not in text and "DOMAIN-FACTS" not in text and "LESSONS.md" not in text, path


def test_stale_facts_are_listed_and_check_fails(kit, facts, monkeypatch):
    past, soon = due(facts, date.today())
    assert past == [], f"facts past their review date: {[f.id for f in past]}"
    later = facts[0].periksa_lagi + timedelta(days=1)
    past, _ = due(facts, later)
    assert facts[0] in past

    class Later(date):
        @classmethod
        def today(cls):
            return later

    monkeypatch.setattr("datetime.date", Later)
    result = CliRunner().invoke(main, ["fakta", "--check"])
    assert result.exit_code == 1 and facts[0].id in result.output
    monkeypatch.undo()
    assert CliRunner().invoke(main, ["fakta", "--check"]).exit_code == 0


def test_the_fact_sheet_is_up_to_date(kit, facts):
    sheet = (kit.root / "docs" / "fakta.md").read_text(encoding="utf-8")
    assert sheet == fact_sheet(facts), "run `umkmkit fakta` and commit docs/fakta.md"
    for fact in facts:
        assert fact.judul in sheet and str(fact.periksa_lagi) in sheet


INDONESIAN = {"dan", "yang", "di", "ini", "untuk", "dengan", "tidak", "peserta", "pelatih", "ke", "dari", "atau"}
ENGLISH = {"the", "and", "of", "to", "is", "with", "for", "participants", "trainer", "that", "this"}


@pytest.mark.parametrize("path", TRAINER_DOCS, ids=lambda p: p.name)
def test_trainers_read_their_documents_in_bahasa_indonesia(path):
    words = re.findall(r"[a-z]+", re.sub(r"`[^`]*`", "", path.read_text(encoding="utf-8")).lower())
    indonesian = sum(w in INDONESIAN for w in words)
    english = sum(w in ENGLISH for w in words)
    assert indonesian > 4 * english, f"{path.name}: {indonesian} Indonesian and {english} English common words"
