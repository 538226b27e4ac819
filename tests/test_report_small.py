"""The coordinator's report on small hand-made workspaces (names with commas and quotes, nothing handed
in, an empty workspace, refused input), and its parts: passing rules, charts, numbers.

None of these needs the demo, so they sit apart from tests/test_report.py and run beside the demo
rather than after it.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from umkmkit.report import charts
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, create_cohort, roster
from umkmkit.errors import UmkmkitError
from umkmkit.grading.grader import check_feedback_allowed, generate_feedback
from umkmkit.ledger.progress import module_results, workspace_cohorts
from umkmkit.formats import Formats, format_day, format_number, format_percent
from umkmkit.cohort import checklist
from umkmkit.report import build as report_module
from umkmkit.report.build import build_report
from umkmkit.workspace import Workspace

TODAY = date(2022, 9, 1)


@pytest.fixture(scope="module")
def small_workspace_made_once(kit, curriculum, tmp_path_factory):
    """small_workspace's cohort, created once for this file (nbgrader releases every assignment:
    some 2 s); each test gets a copy (a copied cohort grades and reports where it is now)."""
    registry = pd.read_csv(kit.datasets_dir / "umkm.csv", dtype=str)
    names = ['Yosef "Ucok" Mandacan, S.E.', "Maria, Ibu Noken", "Ma'ruf \"Kecil\""]
    trainees = [
        Trainee(f"P-{row.id_umkm[4:]}", name, {
            "id_umkm": row.id_umkm, "nama_usaha": row.nama_usaha, "sektor": row.sektor, "distrik": row.distrik,
            "kohort": "uji-2023-01",
        })
        for name, row in zip(names, registry.head(len(names)).itertuples())
    ]
    workspace = Workspace(tmp_path_factory.mktemp("report-small") / "ws")
    create_cohort(kit, curriculum, workspace, "uji-2023-01", trainees)
    return workspace, names


@pytest.fixture
def small_workspace(small_workspace_made_once, tmp_path):
    """One cohort with nothing handed in, whose trainees' names hold commas and quotes."""
    made_once, names = small_workspace_made_once
    shutil.copytree(made_once.root, tmp_path / "ws")
    return Workspace(tmp_path / "ws"), names


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
