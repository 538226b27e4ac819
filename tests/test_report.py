"""The coordinator's ledger and report, on the demo's two graded cohorts and on small hand-made ones."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd
import pytest
from browser import require_chromium, visit
from click.testing import CliRunner
from nbgrader.api import Gradebook
from openpyxl import load_workbook
from pypdf import PdfReader

from umkmkit import notebooks
from umkmkit.cli import main
from umkmkit.cohorts import Trainee, create_cohort, load_cohort_config, read_roster
from umkmkit.errors import UmkmkitError
from umkmkit.grading import check_feedback_allowed
from umkmkit.progress import (
    knowledge_gain, knowledge_test_ledger, ledger, module_results, trainee_summary, workspace_cohorts,
)
from umkmkit.report import build_report
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


def test_report_opens_offline_in_chromium_with_its_charts(demo, tmp_path):
    require_chromium()
    workspace = demo[0]
    page = visit(report_folder(workspace) / "index.html", tmp_path / "laporan.png")
    assert page.requests == []
    assert page.console_errors == []
    assert page.unrendered_images == []
    assert page.text.count("Persen") >= 1 and "Angka utama" in page.text and "Lulus semua modul" in page.text
    html = (report_folder(workspace) / "index.html").read_text(encoding="utf-8")
    assert html.count("<img") >= 7 and "http://" not in html and "https://" not in html
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
    assert book.sheetnames == ["Ringkasan", "Per peserta", "Per modul", "Tes awal-akhir", "Undangan"]
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
    with pytest.raises(UmkmkitError, match="No cohort mkw-2031-01 in .*cohorts there: uji-2023-01"):
        build_report(workspace, kit, curriculum, cohort_ids=["mkw-2031-01"])


def test_report_command(small_workspace, monkeypatch):
    workspace, _ = small_workspace
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(workspace.root))
    done = CliRunner().invoke(main, ["report", "--capacity", "3", "--priority", "distrik,muda", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "index.html" in done.output and "0 certificates" in done.output
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
