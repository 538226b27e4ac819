"""The coordinator's ledger and report, on the demo's two graded cohorts and on small hand-made ones."""

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
from umkmkit.report import charts
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, create_cohort, load_cohort_config, read_roster, roster
from umkmkit.errors import UmkmkitError
from umkmkit.grading.grader import check_feedback_allowed, generate_feedback
from umkmkit.ledger.progress import (
    knowledge_gain, knowledge_test_ledger, ledger, module_results, trainee_summary, workspace_cohorts,
)
from umkmkit.formats import Formats, format_day, format_number, format_percent
from umkmkit.cohort import checklist
from umkmkit.report import build as report_module
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


@pytest.fixture
def small_workspace(kit, curriculum, tmp_path):
    """One cohort with nothing handed in, whose trainees' names hold commas and quotes."""
    registry = pd.read_csv(kit.datasets_dir / "umkm.csv", dtype=str)
    names = ['Yosef "Ucok" Mandacan, S.E.', "Maria, Ibu Noken", "Ma'ruf \"Kecil\""]
    trainees = [
        Trainee(f"P-{row.id_umkm[4:]}", name, {
            "id_umkm": row.id_umkm, "nama_usaha": row.nama_usaha, "sektor": row.sektor, "distrik": row.distrik,
            "kohort": "uji-2023-01",
        })
        for name, row in zip(names, registry.head(len(names)).itertuples())
    ]
    workspace = Workspace(tmp_path / "ws")
    create_cohort(kit, curriculum, workspace, "uji-2023-01", trainees)
    return workspace, names


def test_names_with_commas_and_quotes_survive_csv_and_xlsx(small_workspace, kit, curriculum):
    workspace, names = small_workspace
    written = build_report(workspace, kit, curriculum, today=TODAY)
    with written.ledger_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["nama"] for row in rows} == set(names)
    book = load_workbook(written.workbook, read_only=True)
    sheet = list(book["Per peserta"].values)
    column = sheet[0].index("nama")
    assert {row[column] for row in sheet[1:]} == set(names)


def test_the_page_lists_the_first_people_needing_attention_and_the_workbook_all(small_workspace, kit, curriculum,
                                                                               monkeypatch):
    workspace, names = small_workspace
    monkeypatch.setattr(report_module, "ATTENTION_SHOWN", 2)
    written = build_report(workspace, kit, curriculum, today=TODAY)
    page = written.index.read_text(encoding="utf-8")
    assert "Di sini 2 orang pertama dari 3" in page and "lembar Perlu perhatian" in page
    section = page[page.index("Peserta yang perlu perhatian"):page.index("Undangan kohort berikutnya")]
    assert section.count('href="peserta/') == 2
    sheet = list(load_workbook(written.workbook, read_only=True)["Perlu perhatian"].values)
    assert sheet[0] == ("id_peserta", "nama", "kohort_terakhir", "alasan")
    assert {row[1] for row in sheet[1:]} == set(names)
    assert all(row[3].startswith("belum mengumpulkan modul") for row in sheet[1:])
    # the background writers leave nothing of their own behind
    assert not [p for p in written.folder.rglob("*") if p.name.startswith(".")]


def test_the_phone_checklist_is_in_the_workbook_and_on_the_trainee_sheet(small_workspace, kit, curriculum):
    workspace, names = small_workspace
    [cohort] = workspace_cohorts(workspace)
    items = [item.id for item in curriculum.checklist]
    first, second = [t.trainee_id for t in roster(cohort)][:2]
    checklist.tick(cohort, curriculum, first, items[:2], when=TODAY)
    written = build_report(workspace, kit, curriculum, today=TODAY)
    sheet = list(load_workbook(written.workbook, read_only=True)["Ceklis ponsel"].values)
    assert sheet[0][:5] == ("kohort", "id_peserta", "nama", "selesai", "dari") and list(sheet[0][5:]) == items
    done = {row[1]: row[3] for row in sheet[1:]}
    assert done[first] == 2 and done[second] == 0 and len(done) == len(names)
    page = (written.folder / "peserta" / f"{first}.html").read_text(encoding="utf-8")
    assert f"Ceklis ponsel untuk usaha: <b>2 dari {len(items)}</b>" in page
    assert curriculum.checklist[2].teks.split(":")[0] in page  # what is still to do


def test_the_page_links_the_participants_handouts_once_written(small_workspace, kit, curriculum, monkeypatch, tmp_path):
    workspace, _ = small_workspace
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path / "kit-workspace"))
    before = build_report(workspace, kit, curriculum, today=TODAY).index.read_text(encoding="utf-8")
    assert "belum dibuat: jalankan `umkmkit handouts`" in before
    handouts = kit.workspace.handouts_dir / "index.html"
    handouts.parent.mkdir(parents=True)
    handouts.write_text("<p>lembar</p>", encoding="utf-8")
    written = build_report(workspace, kit, curriculum, today=TODAY)
    [link] = re.findall(r'<a href="([^"]+)">Lembar bawa pulang peserta', written.index.read_text(encoding="utf-8"))
    assert (written.index.parent / link).resolve() == handouts.resolve()


def test_cohort_with_no_submissions_gives_a_clear_report(small_workspace, kit, curriculum):
    workspace, names = small_workspace
    written = build_report(workspace, kit, curriculum, today=TODAY)
    page = written.index.read_text(encoding="utf-8")
    assert "Belum ada tugas yang dikumpulkan" in page
    assert written.certificates == [] and len(written.trainee_pages) == len(names)
    assert written.headline["passed_all"] == 0 and written.headline["people"] == len(names)


def test_empty_workspace_gives_a_clear_report(kit, curriculum, tmp_path):
    written = build_report(Workspace(tmp_path / "kosong"), kit, curriculum, today=TODAY, lang="en")
    page = written.index.read_text(encoding="utf-8")
    assert "No cohort in this workspace yet" in page and "Headline numbers" in page
    assert written.headline["people"] == 0 and written.trainee_pages == []
    invited = pd.read_csv(written.invitations_csv, encoding="utf-8-sig")
    assert len(invited) == len(pd.read_csv(kit.datasets_dir / "umkm.csv"))


def test_rerun_replaces_the_days_report_whole(small_workspace, kit, curriculum):
    workspace, _ = small_workspace
    first = build_report(workspace, kit, curriculum, today=TODAY)
    (first.folder / "catatan-lama.txt").write_text("dari laporan sebelumnya", encoding="utf-8")
    second = build_report(workspace, kit, curriculum, today=TODAY, capacity=5)
    assert second.folder == first.folder and not (second.folder / "catatan-lama.txt").exists()
    assert len(pd.read_csv(second.invitations_csv, encoding="utf-8-sig")) == 5
    assert [p.name for p in (workspace.root / "reports").iterdir()] == [TODAY.isoformat()]


def test_unknown_language_and_cohort_are_refused(small_workspace, kit, curriculum):
    workspace, _ = small_workspace
    with pytest.raises(UmkmkitError, match="use one of id, en"):
        build_report(workspace, kit, curriculum, lang="fr")
    first = build_report(workspace, kit, curriculum, today=TODAY)
    with pytest.raises(UmkmkitError, match="No cohort mkw-2031-01 in .*cohorts there: uji-2023-01"):
        build_report(workspace, kit, curriculum, cohort_ids=["mkw-2031-01"], today=TODAY)
    # the refused report left nothing half-written and kept the day's earlier report
    assert [p.name for p in (workspace.root / "reports").iterdir()] == [TODAY.isoformat()]
    assert first.index.is_file() and len(list((first.folder / "peserta").iterdir())) == len(first.trainee_pages)


def test_report_command(small_workspace, monkeypatch):
    workspace, _ = small_workspace
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(workspace.root))
    done = CliRunner().invoke(main, ["report", "--capacity", "3", "--priority", "distrik,muda", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "index.html" in done.output and "0 sertifikat di sertifikat/" in done.output
    refused = CliRunner().invoke(main, ["report", "--priority", "oap"])
    assert refused.exit_code == 1 and "only in aggregate" in refused.output


def test_pre_test_feedback_waits_for_the_graded_post_test(small_workspace, curriculum):
    workspace, _ = small_workspace
    cohort = workspace_cohorts(workspace)[0]
    test = curriculum.knowledge_test
    with pytest.raises(UmkmkitError, match=f"Grade {test.post} first"):
        check_feedback_allowed(cohort, curriculum, test.pre)
    check_feedback_allowed(cohort, curriculum, test.post)
    check_feedback_allowed(cohort, curriculum, curriculum.assignments[0].assignment)
    # the rule lives in the domain code: feedback itself refuses, whoever calls it (not only the CLI)
    with pytest.raises(UmkmkitError, match=f"Grade {test.post} first"):
        generate_feedback(cohort, test.pre, curriculum=curriculum)
    (cohort.root / "autograded" / "P-00001" / test.post).mkdir(parents=True)
    check_feedback_allowed(cohort, curriculum, test.pre)


def test_challenges_never_decide_passing(curriculum):
    module = curriculum.assignments[1]
    row = {
        "nama": "Peserta Uji", "id_umkm": "", "sektor": "", "distrik": "", "kohort": "k", "urutan_kohort": 0,
        "modul": module.id, "tugas": module.assignment, "notebook": "latihan", "nilai_maks": 20.0,
        "nilai_maks_tantangan": 4.0, "status": "dikumpulkan", "dinilai": True, "perlu_nilai_manual": False,
        "waktu_kumpul": pd.Timestamp("2022-06-10"),
    }
    table = pd.DataFrame([
        row | {"id_peserta": "tanpa-tantangan", "nilai": 12.0, "nilai_tantangan": 0.0},  # 60% of the required parts
        row | {"id_peserta": "hanya-tantangan", "nilai": 11.0, "nilai_tantangan": 4.0},  # 55%, all challenge points
    ])
    results = module_results(table, curriculum).set_index("id_peserta")
    assert results.loc["tanpa-tantangan", "lulus"] and results.loc["tanpa-tantangan", "persen"] == 60
    assert not results.loc["hanya-tantangan", "lulus"] and results.loc["hanya-tantangan", "persen"] == 55
    assert results.loc["hanya-tantangan", "nilai_tantangan"] == 4


# --- Charts, numbers and the pages on a phone and a desk ------------------------------------------

def test_numbers_percentages_and_dates_are_written_by_babel_the_readers_way():
    assert format_number(1250) == "1.250" and format_number(1250, "en") == "1,250"
    assert format_number(0.8) == "0,8" and format_number(0.456, decimals=2) == "0,46"
    assert format_number(2.5, decimals=2, trim=True) == "2,5" and format_number(4.0, decimals=2, trim=True) == "4"
    assert format_number(float("nan")) == "–" and format_number("mkw-2022-06") == "mkw-2022-06"
    assert format_percent(73.333) == "73%" and format_percent(0.8, decimals=1) == "0,8%"
    assert format_percent(45.25, "en", 1) == "45.2%"  # rounded as Python rounds the stored value
    assert format_day(TODAY) == "1 September 2022" and format_day(TODAY, "en") == "September 1, 2022"


def _cohort_table(cohorts: list[str], modules: list[str]) -> pd.DataFrame:
    return pd.DataFrame([
        {"kohort": cohort, "modul": module, "persen": (37 * c + 11 * m) % 101}
        for c, cohort in enumerate(cohorts) for m, module in enumerate(modules)
    ])


@pytest.mark.parametrize("cohorts", [
    ["mkw-2022-06", "mkw-2022-08"],  # the demo's: once both shown as "mkw-2022" (legend clipped)
    [f"manokwari-selatan-{2022 + k // 12}-{k % 12 + 1:02d}" for k in range(len(charts.PALETTE))],
], ids=["two cohorts", "eight long ids"])
def test_cohort_chart_legend_names_every_cohort_inside_the_saved_image(cohorts, curriculum):
    modules = [m.id for m in curriculum.assignments]
    names = {m.id: f"{m.id} {m.judul}" for m in curriculum.assignments}
    figure = charts.grouped_percent_bars(
        _cohort_table(cohorts, modules), category="modul", series="kohort", value="persen", xlabel="Persen",
        empty="-", formats=Formats("id"), category_labels=names, legend_title="Kohort",
    )
    svg = charts.svg(figure, chart_id="uji", label="Uji")  # draws the figure as the report saves it
    legend, axes = figure.legends[0], figure.axes[0]
    assert [text.get_text() for text in legend.get_texts()] == cohorts
    colours = [tuple(handle.get_facecolor()) for handle in legend.legend_handles]
    assert len(set(colours)) == len(cohorts), "every cohort has its own colour"
    # module names on the axis, not only their numbers
    assert [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()] == [names[m] for m in modules]
    # the saved image is the whole figure, and the legend, names and values lie inside it
    width, height = (float(v) for v in re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert (width, height) == pytest.approx(tuple(figure.get_size_inches() * 72), abs=0.1)
    assert width == pytest.approx(charts.WIDTH_INCHES * 72)
    frame = figure.bbox
    inside = [legend, *legend.get_texts(), legend.get_title(), *axes.get_yticklabels(), *axes.texts, axes.xaxis.label]
    for artist in inside:
        box = artist.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, (
            f"{artist} at {box} sticks out of the image {frame}"
        )
    # the legend does not cover the bars
    assert not legend.get_window_extent().overlaps(axes.get_window_extent())
    # every text on the chart is at least FONT_SIZE points, so >= 10 CSS px at a 390-px phone's width
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= charts.FONT_SIZE


def test_more_cohorts_than_colours_are_refused_by_the_chart(curriculum):
    cohorts = [f"k-{n}" for n in range(len(charts.PALETTE) + 1)]
    with pytest.raises(UmkmkitError, match="at most 8 cohorts .* not 9"):
        charts.grouped_percent_bars(_cohort_table(cohorts, ["00"]), category="modul", series="kohort", value="persen",
                                    xlabel="Persen", empty="-", formats=Formats("id"))


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
