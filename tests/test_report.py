"""The coordinator's ledger and report on the demo's two graded cohorts (small hand-made workspaces:
tests/test_report_small.py)."""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from browser import require_chromium, screen, unrendered_images, visit
from click.testing import CliRunner
from nbgrader.api import Gradebook
from openpyxl import load_workbook
from pypdf import PdfReader

from umkmkit.course import notebooks
from umkmkit.cli import main
from umkmkit.cohort.cohorts import load_cohort_config, read_roster
from umkmkit.ledger.progress import (
    knowledge_gain, knowledge_test_ledger, ledger, module_results, trainee_summary, workspace_cohorts,
)
from umkmkit.report.build import build_report
from umkmkit.workspace import Workspace

TODAY = date(2022, 9, 1)


@pytest.fixture(scope="module")
def demo(demo_run, curriculum):
    """(workspace, ledger, per-module results, per-trainee summary) of the demo's two cohorts."""
    workspace = Workspace(demo_run[0])
    table = ledger(workspace_cohorts(workspace), curriculum)
    return workspace, table, module_results(table, curriculum), trainee_summary(table, curriculum)


def report_folder(workspace: Workspace):
    return sorted((workspace.root / "reports").iterdir())[-1]


def test_ledger_matches_every_gradebook_through_nbgraders_api(demo, curriculum):
    workspace, table, _, _ = demo
    expected = {}
    for cohort in workspace_cohorts(workspace):
        config = load_cohort_config(cohort)
        with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
            for module in curriculum.assignments:
                for submission in gradebook.assignment_submissions(module.assignment):
                    for nb in submission.notebooks:
                        challenge = [g for g in nb.grades if notebooks.is_challenge(g.name)]
                        expected[(submission.student.id, cohort.cohort_id, module.assignment, nb.name)] = (
                            nb.score - sum(g.score for g in challenge), nb.max_score - sum(g.max_score for g in challenge),
                            sum(g.score for g in challenge), sum(g.max_score for g in challenge),
                            submission.total_seconds_late > 0, nb.needs_manual_grade,
                        )
    handed_in = table[table["status"] != "tidak_dikumpulkan"]
    found = {
        (r.id_peserta, r.kohort, r.tugas, r.notebook): (
            r.nilai, r.nilai_maks, r.nilai_tantangan, r.nilai_maks_tantangan, r.status == "terlambat", r.perlu_nilai_manual,
        )
        for r in handed_in.itertuples()
    }
    assert found == expected
    assert any(v[3] > 0 for v in expected.values()), "the demo's modules have challenges"
    assert len(expected) > 50
    missing = table[table["status"] == "tidak_dikumpulkan"]
    assert (missing["nilai"] == 0).all() and len(missing) > 0  # returning trainees skip what they passed


def test_a_sqlite_gradebook_read_with_sqlite3_gives_sqlalchemys_rows(demo):
    """The ledger's quick path for SQLite (umkmkit.ledger.progress._read_sqlite) returns what the
    SQLAlchemy path every other database takes returns, value for value and type for type."""
    from umkmkit.ledger import progress
    from umkmkit.workspace import gradebook_url, sqlite_path

    workspace = demo[0]
    for cohort in workspace_cohorts(workspace):
        database = sqlite_path(load_cohort_config(cohort).CourseDirectory.db_url)
        quick = progress._read_sqlite(database)
        through_sqlalchemy = progress._read_database(gradebook_url(database, read_only=True))
        assert [[tuple(row) for row in rows] for rows in quick] == [[tuple(row) for row in rows] for rows in through_sqlalchemy]
        assert [[tuple(map(type, row)) for row in rows] for rows in quick] == [
            [tuple(map(type, row)) for row in rows] for rows in through_sqlalchemy]
        assert quick[1], f"{cohort.cohort_id}: the demo's gradebook holds submissions"


def test_person_in_two_cohorts_is_one_person_with_the_best_score(demo, curriculum):
    _, table, modules, people = demo
    assert people["id_peserta"].is_unique
    in_both = table.groupby("id_peserta")["kohort"].nunique().loc[lambda n: n == 2].index
    assert len(in_both) > 0
    per_cohort = table.groupby(["id_peserta", "tugas", "kohort"])["nilai"].sum()
    for trainee_id in in_both:
        row = people.set_index("id_peserta").loc[trainee_id]
        assert (row["jumlah_kohort"], row["kohort_pertama"], row["kohort_terakhir"]) == (2, "mkw-2022-06", "mkw-2022-08")
        for module in curriculum.assignments:
            best = modules.set_index(["id_peserta", "tugas"]).loc[(trainee_id, module.assignment)]
            assert best["nilai_terbaik"] == per_cohort.loc[(trainee_id, module.assignment)].max()
    retakers = modules[modules["percobaan"] == 2]
    assert len(retakers) > 0 and retakers["lulus"].all()


def test_invitation_list_excludes_everyone_trained(demo, kit):
    workspace, table, _, _ = demo
    invited = pd.read_csv(report_folder(workspace) / "undangan.csv", encoding="utf-8-sig", dtype=str)
    trained = {t.extra["id_umkm"] for c in workspace_cohorts(workspace) for t in read_roster(c.roster_file)}
    registry = pd.read_csv(kit.datasets_dir / "umkm.csv", dtype=str)
    assert trained and not trained & set(invited["id_umkm"])
    assert len(invited) == len(registry) - len(trained & set(registry["id_umkm"]))
    assert list(invited["peringkat"].astype(int)) == list(range(1, len(invited) + 1))


def test_trainee_sheet_holds_only_that_trainee(demo):
    workspace, table, _, people = demo
    names = dict(zip(people["id_peserta"], people["nama"]))
    pages = sorted((report_folder(workspace) / "peserta").glob("*.html"))
    assert [p.stem for p in pages] == sorted(names)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert names[page.stem] in text
        others = [name for trainee_id, name in names.items() if trainee_id != page.stem and name in text]
        assert others == [], f"{page.name} shows other trainees: {others}"
        assert sum(other_id in text for other_id in names) == 1


def test_certificates_for_everyone_who_passed_every_module(demo):
    workspace, _, _, people = demo
    passed = people[people["lulus_semua"]]
    certificates = sorted((report_folder(workspace) / "sertifikat").glob("*.pdf"))
    assert [c.stem for c in certificates] == sorted(passed["id_peserta"])
    assert 0 < len(certificates) < len(people)
    first = passed.iloc[0]
    text = PdfReader(report_folder(workspace) / "sertifikat" / f"{first['id_peserta']}.pdf").pages[0].extract_text()
    assert first["nama"] in text and "SERTIFIKAT" in text


def test_a_name_the_font_cannot_print_is_named_and_the_cohorts_signer_signs_the_rest(demo, kit, curriculum, tmp_path):
    workspace, _, _, people = demo
    copy = Workspace(tmp_path / "demo")
    shutil.copytree(workspace.root, copy.root, ignore=shutil.ignore_patterns("reports"))
    passed = people[people["lulus_semua"]].sort_values("id_peserta")
    unprintable, signed = passed.iloc[0], passed.iloc[1]
    cohorts = workspace_cohorts(copy)
    for cohort in cohorts:  # the same person in every cohort's roster
        text = cohort.roster_file.read_text(encoding="utf-8")
        cohort.roster_file.write_text(text.replace(unprintable["nama"], "Ŋgwe 李 Đặng"), encoding="utf-8")
        (cohort.root / "sertifikat.yml").write_text(
            "penandatangan: Drs. Contoh Penandatangan\njabatan: Kepala Dinas\n", encoding="utf-8")
    written = build_report(copy, kit, curriculum, today=TODAY)
    assert list(written.refused_certificates) == [unprintable["id_peserta"]]
    assert "李" in written.refused_certificates[unprintable["id_peserta"]]
    assert sorted(p.stem for p in written.certificates) == sorted(set(passed["id_peserta"]) - {unprintable["id_peserta"]})
    page = written.index.read_text(encoding="utf-8")
    assert "Sertifikat belum dibuat untuk 1 peserta" in page and unprintable["id_peserta"] in page
    text = PdfReader(copy.root / "reports" / TODAY.isoformat() / "sertifikat" / f"{signed['id_peserta']}.pdf").pages[0].extract_text()
    assert "Drs. Contoh Penandatangan" in text and "Kepala Dinas" in text and signed["nama"] in text


def test_the_next_report_links_the_certificates_already_issued_and_draws_only_changed_ones(demo, kit, curriculum,
                                                                                         tmp_path):
    workspace, _, _, people = demo
    copy = Workspace(tmp_path / "demo")
    shutil.copytree(workspace.root, copy.root, ignore=shutil.ignore_patterns("reports", "sertifikat"))
    first = build_report(copy, kit, curriculum, today=TODAY)
    assert len(first.new_certificates) == len(first.certificates) > 1
    passed = people[people["lulus_semua"]].sort_values("id_peserta")
    renamed = passed.iloc[0]
    for cohort in workspace_cohorts(copy):  # the name corrected in the rosters
        text = cohort.roster_file.read_text(encoding="utf-8")
        cohort.roster_file.write_text(text.replace(renamed["nama"], renamed["nama"] + " Putri"), encoding="utf-8")
    later = date(2022, 10, 3)
    second = build_report(copy, kit, curriculum, today=later)
    assert [p.stem for p in second.new_certificates] == [renamed["id_peserta"]]
    folder = copy.report_dir(later) / "sertifikat"
    assert f"{len(first.certificates)} sertifikat, 1 baru terbit" in (folder.parent / "index.html").read_text(encoding="utf-8")
    register = {row["id_peserta"]: row for row in csv.DictReader(
        (copy.certificates_dir / "daftar.csv").read_text(encoding="utf-8-sig").splitlines())}
    assert register[renamed["id_peserta"]]["tanggal_terbit"] == later.isoformat()
    assert register[renamed["id_peserta"]]["nama"] == renamed["nama"] + " Putri"
    kept = passed.iloc[1]["id_peserta"]
    assert register[kept]["tanggal_terbit"] == TODAY.isoformat()
    assert (folder / f"{kept}.pdf").read_bytes() == (first.folder / "sertifikat" / f"{kept}.pdf").read_bytes()
    assert "1 September 2022" in PdfReader(folder / f"{kept}.pdf").pages[0].extract_text()
    text = PdfReader(folder / f"{renamed['id_peserta']}.pdf").pages[0].extract_text()
    assert renamed["nama"] + " Putri" in text and "3 Oktober 2022" in text
    result = CliRunner().invoke(main, ["report", "--workspace", str(copy.root)])  # today: nothing changed
    assert result.exit_code == 0, result.output
    assert f"{len(first.certificates)} sertifikat di sertifikat/ (0 baru terbit)" in result.output


def test_report_opens_offline_in_chromium_with_its_charts(demo, tmp_path):
    require_chromium()
    workspace = demo[0]
    page = visit(report_folder(workspace) / "index.html", tmp_path / "laporan.png")
    assert page.requests == []
    assert page.console_errors == []
    assert page.unrendered_images == []
    assert page.text.count("Persen") >= 1 and "Angka utama" in page.text and "Lulus semua modul" in page.text
    html = (report_folder(workspace) / "index.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 7 and "<img" not in html
    # the only URLs are the SVG namespaces, never fetched
    assert set(re.findall(r"https?://[^\s\"')]+", html)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert page.screenshot.stat().st_size > 50_000


def test_knowledge_gain_equals_an_independent_computation_from_the_gradebooks(demo, curriculum):
    workspace = demo[0]
    test = curriculum.knowledge_test
    gain = knowledge_gain(knowledge_test_ledger(workspace_cohorts(workspace), curriculum)).set_index("kohort")
    page = (report_folder(workspace) / "index.html").read_text(encoding="utf-8")
    assert "Tes awal dan tes akhir" in page
    for cohort in workspace_cohorts(workspace):
        config = load_cohort_config(cohort)
        with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
            pre = {s.student.id: s.score for s in gradebook.assignment_submissions(test.pre)}
            post = {s.student.id: s.score for s in gradebook.assignment_submissions(test.post)}
            maximum = gradebook.find_assignment(test.pre).max_score
        both = pre.keys() & post.keys()
        mean_pre, mean_post = (sum(scores[t] for t in both) / len(both) for scores in (pre, post))
        expected = (mean_post - mean_pre) / (maximum - mean_pre)
        row = gain.loc[cohort.cohort_id]
        assert row["peserta_keduanya"] == len(both) > 0
        assert row["gain_ternormalisasi"] == pytest.approx(expected)
        assert (row["rata_awal_persen"], row["rata_akhir_persen"]) == pytest.approx((100 * mean_pre / maximum, 100 * mean_post / maximum))
        # trainees who took only one test are counted apart, not dropped
        assert (row["hanya_awal"], row["hanya_akhir"]) == (len(pre.keys() - post.keys()), len(post.keys() - pre.keys()))
        assert row["hanya_awal"] + row["hanya_akhir"] > 0
        assert f"{expected:.2f}".replace(".", ",") in page


def test_workbook_has_its_sheets(demo):
    workspace, _, _, people = demo
    book = load_workbook(report_folder(workspace) / "progres.xlsx", read_only=True)
    assert book.sheetnames == ["Ringkasan", "Perlu perhatian", "Per peserta", "Per modul", "Tes awal-akhir", "Undangan"]
    rows = list(book["Per peserta"].values)
    assert rows[0][0] == "id_peserta" and len(rows) == len(people) + 1


#: What the browser test reads from a page: overflow, chart text sizes on screen, legends.
_LAYOUT_JS = """() => {
    const texts = [...document.querySelectorAll("svg text")];
    const onScreen = (text) => parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
    const legends = {};
    for (const figure of document.querySelectorAll("figure")) {
        legends[figure.querySelector("figcaption").textContent] =
            [...figure.querySelectorAll('[id*="-legenda-"] text')].map((text) => text.textContent);
    }
    return {
        scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
        smallestChartText: texts.length ? Math.min(...texts.map(onScreen)) : null,
        widestChart: Math.max(0, ...[...document.querySelectorAll("svg")].map((s) => s.getBoundingClientRect().right)),
        legends, lang: document.documentElement.lang,
        viewport: document.querySelector('meta[name="viewport"]')?.content,
    };
}"""


def _open_at(html: Path, width: int, screenshot: Path) -> tuple[dict, str, list[str]]:
    """(layout facts, visible text, requests leaving the page) of a local page, offline, on a phone
    (mobile emulation below 600 px: without the viewport tag it would be laid out 980 px wide) or a desk."""
    own = unquote(html.resolve().as_uri())
    outside: list[str] = []
    phone = width < 600
    with screen(width, 844 if phone else 768, phone, outside, own) as page:
        page.goto(own, wait_until="load")
        assert unrendered_images(page) == []
        layout = page.evaluate(_LAYOUT_JS)
        text = page.inner_text("body")
        page.screenshot(path=str(screenshot), full_page=True)
    return layout, text, outside


@pytest.mark.parametrize("width", [390, 1366])
def test_report_fits_a_phone_and_a_desk_with_readable_charts(demo, width, tmp_path):
    require_chromium()
    workspace = demo[0]
    cohorts = [c.cohort_id for c in workspace_cohorts(workspace)]
    layout, text, outside = _open_at(report_folder(workspace) / "index.html", width, tmp_path / f"laporan-{width}.png")
    assert outside == []
    assert layout["viewport"] == "width=device-width, initial-scale=1" and layout["lang"] == "id"
    # nothing wider than the screen: wide tables scroll inside their own box
    assert layout["scrollWidth"] <= layout["innerWidth"] == width
    assert layout["widestChart"] <= width
    assert layout["smallestChartText"] >= 10, f"chart text {layout['smallestChartText']:.1f} px high at {width} px"
    legends = layout["legends"]
    for caption in ("Tugas dikumpulkan per modul (% peserta kohort)", "Peserta lulus per modul (% peserta kohort)"):
        assert legends[caption] == cohorts
    assert legends["UMKM terdaftar dan terlatih per distrik"] == ["terdaftar", "terlatih"]
    for label in ("Angka utama", "Peserta (orang)", "Per kohort dan modul", "Sebaran nilai", "Tes awal dan tes akhir",
                  "Jangkauan: terlatih dibanding terdaftar", "Peserta yang perlu perhatian", "Berkas laporan"):
        assert label in text
    assert "Tes awal-akhir" in text  # the footer names every sheet of progres.xlsx
    assert (tmp_path / f"laporan-{width}.png").stat().st_size > 50_000


@pytest.mark.parametrize("width", [390, 1366])
def test_trainee_sheet_fits_a_phone_and_a_desk(demo, curriculum, width, tmp_path):
    require_chromium()
    workspace, _, _, people = demo
    trainee = people.sort_values("id_peserta").iloc[0]
    sheet = report_folder(workspace) / "peserta" / f"{trainee['id_peserta']}.html"
    layout, text, outside = _open_at(sheet, width, tmp_path / f"peserta-{width}.png")
    assert outside == []
    assert layout["viewport"] == "width=device-width, initial-scale=1" and layout["lang"] == "id"
    # on a phone the table becomes one card per module: nothing to scroll sideways
    assert layout["scrollWidth"] <= layout["innerWidth"] == width
    assert "Kemajuan belajar" in text and trainee["nama"] in text and "Lembar ini dibuat" in text
    assert all(module.judul in text for module in curriculum.assignments)
    assert "Tantangan adalah soal tambahan" in text
