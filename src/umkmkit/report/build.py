"""The coordinator's report over all cohorts, written to workspace/reports/<date>/.

- index.html      one self-contained page (charts inline as SVG, no CDN, opens from a USB
                  stick, fits a phone), in Bahasa Indonesia by default (`lang="en"` for English);
- progres.xlsx    sheets Ringkasan, Perlu perhatian, Per peserta, Per modul, Tes awal-akhir, Undangan,
                  and Ceklis ponsel when trainers ticked module 05's checklist;
- progres.csv     the ledger (one row per trainee x cohort x assignment x notebook);
- undangan.csv    whom to invite next (umkmkit.ledger.invitations), optionally cut to a capacity;
- sertifikat/     a PDF certificate for each trainee who passed every module (umkmkit.report.certificates;
                  one whose name the font cannot print is named on the page instead): links to the
                  workspace's archive of issued certificates, where only new or changed ones are drawn;
- peserta/        a one-page progress sheet per trainee, with only that trainee's data.

CSV files are UTF-8 with a byte-order mark so that Excel on a Windows laptop shows names
with accents correctly. The folder is built beside its final place and swapped in whole, so
an interrupted run never leaves a half-written report. The workbook and CSV files, the
certificates and the trainee sheets are written by child processes (umkmkit.report.background) while
this one draws the charts and the page.

The HTML pages are Jinja2 templates with autoescape (report/templates/); numbers, percentages
and dates on them are written by Babel in the reader's language (`Formats`). Both pages fit a
390-pixel phone: wide tables scroll inside their own box, the trainee sheet's table turns into
one card per module, and charts are drawn so their text stays at least 10 CSS pixels high.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
import markupsafe
import pandas as pd
from matplotlib.figure import Figure

from umkmkit.cohort import checklist
from umkmkit.ledger import invitations
from umkmkit.report import charts
from umkmkit.report.background import Background, write_files
from umkmkit.report.certificates import CertificateData, certificate_settings, check_certificate, plan_issue, write_register
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.files import replace_folder
from umkmkit.formats import LOCALES, Formats
from umkmkit.ledger.progress import (
    MISSING, assignment_results, knowledge_gain, knowledge_test_ledger, ledger, module_results, trainee_summary,
    workspace_cohorts,
)
from umkmkit.workspace import Cohort, Kit, Workspace

#: Called with (phase, done, total, label), like the other long-running steps.
ProgressCallback = Callable[[str, int, int, str], None]

LANGUAGES = tuple(LOCALES)
#: Trainees needing attention listed on the page; the full list is the workbook's "Perlu perhatian"
#: sheet (at full benchmark size some 4,300 people: a page nobody reads to the end, and 0.4 s to write).
ATTENTION_SHOWN = 50


TEXT = {
    "id": {
        "title": "Laporan Kemajuan Pelatihan UMKM",
        "subtitle": "Kohort: {cohorts} · dibuat {date}",
        "headline": "Angka utama",
        "people": "Peserta (orang)", "cohorts": "Kohort", "registered": "UMKM terdaftar",
        "coverage": "Cakupan registri", "passed_all": "Lulus semua modul", "manual": "Menunggu nilai manual",
        "per_cohort": "Per kohort dan modul",
        "completion": "Tugas dikumpulkan (%)", "pass_rate": "Lulus (%)",
        "completion_title": "Tugas dikumpulkan per modul (% peserta kohort)",
        "pass_title": "Peserta lulus per modul (% peserta kohort)",
        "module": "Modul", "cohort": "Kohort", "participants": "Peserta", "percent": "Persen",
        "scores": "Sebaran nilai", "scores_title": "Sebaran nilai per modul (tugas yang dikumpulkan)",
        "score_pct": "Nilai (% dari maksimum)",
        "by_sector": "Kelulusan per sektor dan distrik",
        "sector_title": "Lulus semua modul, per sektor", "district_title": "Lulus semua modul, per distrik",
        "share_passed": "% peserta yang lulus semua modul", "people_note": "{n} org",
        "reach": "Jangkauan: terlatih dibanding terdaftar",
        "reach_district": "UMKM terdaftar dan terlatih per distrik",
        "reach_sector": "UMKM terdaftar dan terlatih per sektor",
        "legend": ("terdaftar", "terlatih"),
        "sector": "Sektor", "district": "Distrik", "trained": "Terlatih",
        "groups": "Pemuda dan Orang Asli Papua (agregat)",
        "groups_note": "Hanya jumlah; tidak ada nama. Muda = paling tinggi {age} tahun pada tahun pelatihan.",
        "group": "Kelompok", "among_trained": "Di antara peserta", "among_registered": "Di antara UMKM terdaftar",
        "youth": "Pemilik muda", "oap": "Orang Asli Papua",
        "attention": "Peserta yang perlu perhatian",
        "attention_none": "Tidak ada peserta yang perlu perhatian.",
        "attention_more": "Di sini {shown} orang pertama dari {total}, kohort terbaru lebih dulu; daftar "
                          "lengkapnya ada di progres.xlsx, lembar Perlu perhatian.",
        "name": "Nama", "reason": "Alasan", "sheet": "Lembar",
        "missing": "belum mengumpulkan modul {m}", "failing": "belum lulus modul {m}",
        "needs_manual": "jawaban tertulis menunggu dinilai",
        "tests": "Tes awal dan tes akhir",
        "tests_note": "Hanya peserta yang mengikuti kedua tes masuk rata-rata dan gain. Gain ternormalisasi = "
                      "(rata-rata akhir − rata-rata awal) / (maksimum − rata-rata awal): 0 berarti tidak ada "
                      "kemajuan, 1 berarti semua yang belum diketahui menjadi diketahui.",
        "tests_title": "Rata-rata nilai tes awal dan tes akhir (peserta yang ikut keduanya)",
        "tests_legend": ("tes awal", "tes akhir"),
        "tests_none": "Belum ada peserta yang mengikuti tes awal dan tes akhir.",
        "both": "Ikut keduanya", "pre": "Rata-rata awal (%)", "post": "Rata-rata akhir (%)", "gain": "Gain",
        "only_pre": "Hanya tes awal", "only_post": "Hanya tes akhir", "neither": "Tidak ikut",
        "invitations": "Undangan kohort berikutnya",
        "invitations_note": "{n} UMKM terdaftar belum pernah dilatih; daftar lengkap berurutan ada di undangan.csv "
                            "(prioritas: {priority}).",
        "files": "Berkas laporan",
        "handouts": "Lembar bawa pulang peserta (ringkasan modul, kartu, kalkulator)",
        "handouts_missing": "Lembar bawa pulang peserta belum dibuat: jalankan `umkmkit handouts`.",
        "certificates_refused": "Sertifikat belum dibuat untuk {n} peserta yang lulus semua modul, karena "
                                "ada tulisan yang tidak dapat dicetak. Perbaiki nama di roster (atau "
                                "pengaturan sertifikat.yml kohortnya), lalu buat laporan lagi. Rinciannya:",
        "files_list": "progres.xlsx (lembar {sheets}) · progres.csv (semua nilai) · undangan.csv · "
                      "sertifikat/ ({certs} sertifikat, {new} baru terbit) · peserta/ (lembar kemajuan per peserta)",
        "recent": "Grafik menampilkan {shown} kohort terakhir dari {total}; tabel di bawahnya memuat semua kohort.",
        "umkm_count": "Jumlah UMKM", "waiting": "menunggu penilaian pelatih",
        "empty": "Belum ada data untuk ditampilkan.",
        "no_cohorts": "Belum ada kohort di ruang kerja ini. Buat kohort dengan `umkmkit cohort create`.",
        "no_submissions": "Belum ada tugas yang dikumpulkan di kohort ini.",
    },
    "en": {
        "title": "UMKM Training Progress Report",
        "subtitle": "Cohorts: {cohorts} · made {date}",
        "headline": "Headline numbers",
        "people": "Trainees (people)", "cohorts": "Cohorts", "registered": "Registered UMKM",
        "coverage": "Registry coverage", "passed_all": "Passed every module", "manual": "Awaiting manual grading",
        "per_cohort": "Per cohort and module",
        "completion": "Work handed in (%)", "pass_rate": "Passed (%)",
        "completion_title": "Work handed in per module (% of the cohort)",
        "pass_title": "Trainees who passed per module (% of the cohort)",
        "module": "Module", "cohort": "Cohort", "participants": "Trainees", "percent": "Percent",
        "scores": "Score distribution", "scores_title": "Scores per module (work handed in)",
        "score_pct": "Score (% of maximum)",
        "by_sector": "Pass rate by sector and district",
        "sector_title": "Passed every module, by sector", "district_title": "Passed every module, by district",
        "share_passed": "% of trainees who passed every module", "people_note": "{n} ppl",
        "reach": "Reach: trained versus registered",
        "reach_district": "Registered and trained UMKM per district",
        "reach_sector": "Registered and trained UMKM per sector",
        "legend": ("registered", "trained"),
        "sector": "Sector", "district": "District", "trained": "Trained",
        "groups": "Youth and Orang Asli Papua (aggregate)",
        "groups_note": "Counts only; no names. Young = at most {age} years old in the training year.",
        "group": "Group", "among_trained": "Among trainees", "among_registered": "Among registered UMKM",
        "youth": "Young owners", "oap": "Orang Asli Papua",
        "attention": "Trainees who need attention",
        "attention_none": "No trainee needs attention.",
        "attention_more": "The first {shown} of {total} are shown here, latest cohort first; the full list is "
                          "in progres.xlsx, sheet Perlu perhatian.",
        "name": "Name", "reason": "Reason", "sheet": "Sheet",
        "missing": "has not handed in module {m}", "failing": "has not passed module {m}",
        "needs_manual": "written answer awaits grading",
        "tests": "Pre-test and post-test",
        "tests_note": "Only trainees who took both tests enter the means and the gain. Normalised gain = "
                      "(mean post − mean pre) / (maximum − mean pre): 0 is no progress, 1 is everything "
                      "not known before now known.",
        "tests_title": "Mean pre-test and post-test scores (trainees who took both)",
        "tests_legend": ("pre-test", "post-test"),
        "tests_none": "No trainee has taken both the pre-test and the post-test yet.",
        "both": "Took both", "pre": "Mean pre (%)", "post": "Mean post (%)", "gain": "Gain",
        "only_pre": "Pre-test only", "only_post": "Post-test only", "neither": "Neither",
        "invitations": "Invitations for the next cohort",
        "invitations_note": "{n} registered UMKM were never trained; the full ranked list is in undangan.csv "
                            "(priority: {priority}).",
        "files": "Report files",
        "handouts": "Participants' take-home handouts (module summaries, cards, calculators)",
        "handouts_missing": "The participants' take-home handouts are not written yet: run `umkmkit handouts`.",
        "certificates_refused": "No certificate was made for {n} trainees who passed every module: a text on it "
                                "cannot be printed. Fix the name in the roster (or the cohort's sertifikat.yml), "
                                "then make the report again. Details:",
        "files_list": "progres.xlsx (sheets {sheets}) · progres.csv (every score) · undangan.csv · "
                      "sertifikat/ ({certs} certificates, {new} newly issued) · peserta/ (one progress sheet per trainee)",
        "recent": "The charts show the last {shown} of {total} cohorts; the table below them holds every cohort.",
        "umkm_count": "Number of UMKM", "waiting": "awaiting the trainer's marking",
        "empty": "No data to show yet.",
        "no_cohorts": "No cohort in this workspace yet. Create one with `umkmkit cohort create`.",
        "no_submissions": "No work has been handed in in this cohort yet.",
    },
}


@dataclass
class Report:
    """What `build_report` wrote, for the CLI's closing message and for tests."""

    folder: Path
    index: Path
    workbook: Path
    ledger_csv: Path
    invitations_csv: Path
    certificates: list[Path] = field(default_factory=list)
    new_certificates: list[Path] = field(default_factory=list)
    trainee_pages: list[Path] = field(default_factory=list)
    headline: dict[str, object] = field(default_factory=dict)
    #: trainee id -> why their certificate could not be made (e.g. a letter the font cannot print)
    refused_certificates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportData:
    """Every table the report shows, computed once."""

    ledger: pd.DataFrame
    modules: pd.DataFrame
    people: pd.DataFrame
    per_cohort: pd.DataFrame
    scores: pd.DataFrame
    registry: pd.DataFrame
    coverage_district: pd.DataFrame
    coverage_sector: pd.DataFrame
    pass_sector: pd.DataFrame
    pass_district: pd.DataFrame
    groups: pd.DataFrame
    attention: pd.DataFrame
    invitations: pd.DataFrame
    gain: pd.DataFrame
    cohort_ids: list[str]
    #: the phone checklist (checklist.checklist_table) of the cohorts whose trainer ticked any item
    checklist: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=checklist.TABLE_COLUMNS))


def require_cohorts(workspace: Workspace, kit: Kit) -> None:
    """Refuse `umkmkit report` on a workspace with no cohort yet, saying how to make one, or, when
    the demo has run, how to report on the demo's cohorts instead."""
    folder = workspace.cohorts_dir
    if folder.is_dir() and any(p.is_dir() and not p.name.startswith(".") for p in folder.iterdir()):
        return
    demo = kit.demo_workspace
    has_demo = demo.cohorts_dir.is_dir()
    raise UmkmkitError(
        f"Tidak ada kohort di {folder}: buat kohort dengan `umkmkit cohort create`"
        + (f", atau laporkan kohort demo dengan `umkmkit report --workspace {demo.root}`" if has_demo else "")
        + f". (No cohorts in {folder}: create one with `umkmkit cohort create`"
        + (f", or report on the demo's with `umkmkit report --workspace {demo.root}`" if has_demo else "")
        + ".)"
    )


def build_report(
    workspace: Workspace,
    kit: Kit,
    curriculum: Curriculum,
    *,
    cohort_ids: Sequence[str] | None = None,
    lang: str = "id",
    capacity: int | None = None,
    priority: Sequence[str] = invitations.DEFAULT_PRIORITY,
    registry_file: Path | None = None,
    today: date | None = None,
    on_progress: ProgressCallback | None = None,
) -> Report:
    """Write the report of the given cohorts (all by default) to workspace/reports/<today>/."""
    if lang not in LANGUAGES:
        raise UmkmkitError(f"Unknown report language '{lang}': use one of {', '.join(LANGUAGES)}.")
    report = on_progress or (lambda *args: None)
    today = today or date.today()
    final = workspace.report_dir(today)
    staging = final.with_name(f".{final.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "peserta").mkdir(parents=True)
    (staging / "sertifikat").mkdir()
    result = Report(
        folder=final, index=final / "index.html", workbook=final / "progres.xlsx",
        ledger_csv=final / "progres.csv", invitations_csv=final / "undangan.csv",
    )
    try:
        # the workbook, the CSV files and the thousands of certificates and trainee sheets are written
        # by child processes while this one makes the charts and the page; the first two start now and
        # import what they need while this one computes the ledger (umkmkit.report.background)
        with Background(staging, ready=("tables", "certificates")) as background:
            data = report_data(
                workspace, kit, curriculum, cohort_ids=cohort_ids, capacity=capacity, priority=priority,
                registry_file=registry_file, year=today.year,
            )
            report("report", 0, 3, "trainee sheets")
            sheets = workbook_sheets(data, curriculum)
            background.write_tables(sheets, staging / "progres.xlsx", {
                staging / "progres.csv": data.ledger, staging / "undangan.csv": data.invitations,
            })
            settings = {c.cohort_id: certificate_settings(c.root) for c in workspace_cohorts(workspace, data.cohort_ids)}
            certificates, refused = _certificates(data, curriculum, today, settings)
            issue = plan_issue(workspace.certificates_dir, certificates)
            background.issue_certificates(workspace.certificates_dir, issue.new, list(certificates),
                                          staging / "sertifikat")
            pages = _trainee_pages(data, curriculum, today)
            background.write_files({f"peserta/{name}": html for name, html in pages.items()})
            report("report", 1, 3, "charts")
            headline = _headline(data)
            handouts = kit.workspace.handouts_dir / "index.html"  # the kit's, also for the demo's report
            page = render_index(data, curriculum, headline, lang=lang, today=today, priority=priority,
                                certificates=len(certificates), new_certificates=len(issue.new),
                                sheets=list(sheets), refused=refused,
                                handouts=os.path.relpath(handouts, final).replace(os.sep, "/")
                                if handouts.is_file() else None)
            write_files(staging, {"index.html": page})
            report("report", 2, 3, "files")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing half-written is left beside the reports
        raise
    if issue.new:
        write_register(workspace.certificates_dir, issue.register)
    replace_folder(staging, final)
    result.certificates = [final / "sertifikat" / name for name in certificates]
    result.new_certificates = [final / "sertifikat" / name for name in issue.new]
    result.refused_certificates = refused
    result.trainee_pages = [final / "peserta" / name for name in pages]
    result.headline = headline
    report("report", 3, 3, "done")
    return result


def report_data(
    workspace: Workspace, kit: Kit, curriculum: Curriculum, *, cohort_ids: Sequence[str] | None = None,
    capacity: int | None = None, priority: Sequence[str] = invitations.DEFAULT_PRIORITY,
    registry_file: Path | None = None, year: int,
) -> ReportData:
    """Every table of the report, from the gradebooks, rosters and the registry."""
    every_cohort = workspace_cohorts(workspace)
    chosen = workspace_cohorts(workspace, cohort_ids) if cohort_ids else every_cohort
    table = ledger(chosen, curriculum)
    results = assignment_results(table)
    modules = module_results(table, curriculum, results)
    people = trainee_summary(table, curriculum, results, modules)
    registry = invitations.read_registry(registry_file or kit.registry_file)
    # everyone trained in any cohort of the workspace is excluded, whichever cohorts are reported
    trained_ids = ledger(every_cohort, curriculum)["id_umkm"].unique() if cohort_ids else table["id_umkm"].unique()
    invited = invitations.invitation_list(registry, trained_ids, capacity=capacity, priority=priority, year=year)
    module_id = {m.assignment: m.id for m in curriculum.assignments}
    pass_marks = {m.assignment: m.pass_mark for m in curriculum.assignments}
    if not results.empty:
        results["persen"] = (100 * results["nilai"] / results["nilai_maks"]).where(results["nilai_maks"] > 0, 0.0)
        results["lulus"] = (results["status"] != MISSING) & (results["persen"] >= results["tugas"].map(pass_marks))
        results["dikumpulkan"] = results["status"] != MISSING
        results["modul"] = results["tugas"].map(module_id)
    per_cohort = (
        results.groupby(["kohort", "urutan_kohort", "modul"], sort=False)
        .agg(peserta=("id_peserta", "nunique"), dikumpulkan=("dikumpulkan", "mean"), lulus=("lulus", "mean"))
        .reset_index().sort_values(["urutan_kohort", "modul"])
        if not results.empty else pd.DataFrame(columns=["kohort", "urutan_kohort", "modul", "peserta", "dikumpulkan", "lulus"])
    )
    per_cohort[["dikumpulkan", "lulus"]] = per_cohort[["dikumpulkan", "lulus"]].astype(float) * 100
    scores = results[results["dikumpulkan"]][["modul", "persen"]] if not results.empty else pd.DataFrame(columns=["modul", "persen"])
    reached = registry[registry["id_umkm"].isin(set(table["id_umkm"]))]
    coverage_district = _coverage(registry, reached, "distrik")
    coverage_sector = _coverage(registry, reached, "sektor")
    pass_sector, pass_district = _pass_rate(people, "sektor"), _pass_rate(people, "distrik")
    groups = _groups(people, registry, table, year)
    cohort_order = dict(zip(table["kohort"], table["urutan_kohort"]))
    attention = _attention(people, modules, module_id, cohort_order)
    return ReportData(
        ledger=table, modules=modules, people=people, per_cohort=per_cohort, scores=scores, registry=registry,
        coverage_district=coverage_district, coverage_sector=coverage_sector, pass_sector=pass_sector,
        pass_district=pass_district, groups=groups, attention=attention, invitations=invited,
        gain=knowledge_gain(knowledge_test_ledger(chosen, curriculum)), cohort_ids=[c.cohort_id for c in chosen],
        checklist=_checklist(chosen, curriculum),
    )


def _checklist(cohorts: Sequence[Cohort], curriculum: Curriculum) -> pd.DataFrame:
    """The phone checklist of every cohort whose trainer ticked anything (a ceklis.csv exists)."""
    tables = [checklist.checklist_table(c, curriculum) for c in cohorts if checklist.checklist_file(c).is_file()]
    tables = [table for table in tables if not table.empty]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=checklist.TABLE_COLUMNS)


def _coverage(registry: pd.DataFrame, reached: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = pd.DataFrame({
        "terdaftar": registry.groupby(column).size(),
        "terlatih": reached.groupby(column).size(),
    }).fillna(0).astype(int)
    counts["persen"] = (100 * counts["terlatih"] / counts["terdaftar"]).round(1)
    return counts.reset_index().rename(columns={"index": column})


def _pass_rate(people: pd.DataFrame, column: str) -> pd.DataFrame:
    if people.empty:
        return pd.DataFrame(columns=[column, "peserta", "persen"])
    grouped = people.groupby(column).agg(peserta=("id_peserta", "size"), persen=("lulus_semua", "mean"))
    grouped["persen"] = (grouped["persen"].astype(float) * 100).round(1)
    return grouped.reset_index()


def _groups(people: pd.DataFrame, registry: pd.DataFrame, table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Young and OAP owners among trainees and among the registry: counts and shares only."""
    # the age that counts is the owner's age in the year they were trained (else the report's year)
    years = table.groupby("id_umkm")["waktu_kumpul"].min().dt.year if not table.empty else pd.Series(dtype="float64")
    trained = registry[registry["id_umkm"].isin(set(people["id_umkm"]))].copy()
    trained["tahun"] = trained["id_umkm"].map(years).fillna(year)
    trained_young = (trained["tahun"] - trained["tahun_lahir"]) <= invitations.YOUTH_MAX_AGE
    registry_young = (year - registry["tahun_lahir"]) <= invitations.YOUTH_MAX_AGE
    rows = []
    for key, among_trained, among_registry in (
        ("youth", trained_young, registry_young), ("oap", trained["oap"], registry["oap"]),
    ):
        rows.append({
            "kelompok": key, "peserta": int(among_trained.sum()), "dari_peserta": len(trained),
            "terdaftar": int(among_registry.sum()), "dari_terdaftar": len(registry),
        })
    return pd.DataFrame(rows)


def _attention(
    people: pd.DataFrame, modules: pd.DataFrame, module_id: dict[str, str], cohort_order: dict[str, int],
) -> pd.DataFrame:
    """Trainees with work missing in their latest cohort, a module not passed, or a manual grade pending;
    those of the most recent cohort first (the ones a coordinator can still reach), then by id."""
    columns = ["id_peserta", "nama", "kohort_terakhir", "alasan_kode"]
    if people.empty:
        return pd.DataFrame(columns=columns)
    # a module whose written answers await the trainer is not failed (it is "needs_manual")
    failing = modules[(modules["percobaan"] > 0) & ~modules["lulus"] & ~modules["menunggu_pelatih"]]
    failing_modules: dict[str, list[str]] = defaultdict(list)
    # plain lists: iterating pandas' string columns value by value is slow
    for trainee_id, assignment in zip(failing["id_peserta"].tolist(), failing["tugas"].tolist()):
        failing_modules[trainee_id].append(module_id[assignment])
    rows = []
    for trainee_id, name, cohort, missing, manual in zip(*(people[column].tolist() for column in (
        "id_peserta", "nama", "kohort_terakhir", "tugas_tidak_dikumpulkan", "perlu_nilai_manual",
    ))):
        reasons = [("missing", missing)] if missing else []
        if trainee_id in failing_modules:
            reasons.append(("failing", ", ".join(failing_modules[trainee_id])))
        if manual:
            reasons.append(("needs_manual", ""))
        if reasons:
            rows.append((trainee_id, name, cohort, reasons))
    rows.sort(key=lambda row: (-cohort_order.get(row[2], -1), row[0]))
    return pd.DataFrame(rows, columns=columns)


def attention_reasons(codes: Sequence[tuple[str, str]], lang: str = "id") -> str:
    """One trainee's reasons for attention as a sentence, e.g. "belum lulus modul 03; ..."."""
    return "; ".join(TEXT[lang][code].format(m=modules) for code, modules in codes)


def _headline(data: ReportData) -> dict[str, object]:
    people = data.people
    registered = len(data.registry)
    reached = int(data.registry["id_umkm"].isin(set(data.ledger["id_umkm"])).sum())
    return {
        "people": len(people),
        "cohorts": len(data.cohort_ids),
        "registered": registered,
        "coverage": round(100 * reached / registered, 1) if registered else 0.0,
        "passed_all": int(people["lulus_semua"].sum()) if not people.empty else 0,
        "manual": int(people["perlu_nilai_manual"].sum()) if not people.empty else 0,
    }


def workbook_sheets(data: ReportData, curriculum: Curriculum) -> dict[str, pd.DataFrame]:
    """The sheets of progres.xlsx: per cohort and module, per trainee (best % per module), per
    module (across cohorts), and the invitation list."""
    summary = data.per_cohort.drop(columns=["urutan_kohort"]).rename(
        columns={"dikumpulkan": "dikumpulkan_persen", "lulus": "lulus_persen"},
    )
    module_id = {m.assignment: m.id for m in curriculum.assignments}
    modules = data.modules.assign(modul=data.modules["tugas"].map(module_id))
    best = modules.pivot_table(index="id_peserta", columns="modul", values="persen", aggfunc="first")
    best.columns = [f"persen_modul_{c}" for c in best.columns]
    people = data.people.merge(best.round(1), left_on="id_peserta", right_index=True, how="left")
    handed_in = modules[modules["percobaan"] > 0]
    per_module = pd.DataFrame({
        "modul": [m.id for m in curriculum.assignments],
        "judul": [m.judul for m in curriculum.assignments],
        "batas_lulus_persen": [m.pass_mark for m in curriculum.assignments],
    })
    stats = modules.groupby("modul").agg(peserta=("id_peserta", "nunique"), lulus=("lulus", "sum"))
    stats["mengumpulkan"] = handed_in.groupby("modul")["id_peserta"].nunique()
    stats["rata_rata_nilai_terbaik_persen"] = handed_in.groupby("modul")["persen"].mean().round(1)
    # optional challenges, apart from the percentage that decides passing
    tried = handed_in[handed_in["nilai_maks_tantangan"] > 0]
    stats["poin_tantangan_maks"] = tried.groupby("modul")["nilai_maks_tantangan"].max()
    stats["rata_rata_poin_tantangan"] = tried.groupby("modul")["nilai_tantangan"].mean().round(2)
    stats["peserta_dengan_poin_tantangan"] = tried[tried["nilai_tantangan"] > 0].groupby("modul")["id_peserta"].nunique()
    stats["ulang"] = modules[modules["percobaan"] > 1].groupby("modul")["id_peserta"].nunique()
    per_module = per_module.merge(stats.fillna(0).reset_index(), on="modul", how="left")
    attention = pd.DataFrame({
        "id_peserta": data.attention["id_peserta"], "nama": data.attention["nama"],
        "kohort_terakhir": data.attention["kohort_terakhir"],
        "alasan": [attention_reasons(codes) for codes in data.attention["alasan_kode"]],
    })
    sheets = {
        "Ringkasan": summary, "Perlu perhatian": attention, "Per peserta": people, "Per modul": per_module,
        "Tes awal-akhir": data.gain, "Undangan": data.invitations,
    }
    if not data.checklist.empty:
        # one row per trainee and cohort, a column per item ("ya" when ticked), like an attendance list
        wide = data.checklist.pivot_table(index=["kohort", "id_peserta", "nama"], columns="item", values="selesai",
                                          aggfunc="first", sort=False)
        wide = wide[[item.id for item in curriculum.checklist if item.id in wide.columns]].astype(bool)
        wide.insert(0, "selesai", wide.sum(axis=1).astype(int))
        wide.insert(1, "dari", len(wide.columns) - 1)
        sheets["Ceklis ponsel"] = wide.reset_index()
    return sheets


def _certificates(
    data: ReportData, curriculum: Curriculum, today: date, settings: dict[str, dict],
) -> tuple[dict[str, CertificateData], dict[str, str]]:
    """(file name: what the certificate says, for each trainee who passed every module and whose
    certificate can be printed; trainee id: why not, for the others).

    `settings` are each cohort's sertifikat.yml (certificates.certificate_settings): a trainee's
    certificate is signed as the cohort in which they last took part says.
    """
    passed = data.people[data.people["lulus_semua"]] if not data.people.empty else data.people
    titles = {m.assignment: m.judul for m in curriculum.assignments}
    passed_ids = set(passed["id_peserta"])
    # (title, percent) per module and cohorts in the order they ran, per trainee; plain lists, as
    # building a table per trainee costs more than the certificate
    modules: dict[str, list[tuple[str, float]]] = defaultdict(list)
    chosen = data.modules[data.modules["id_peserta"].isin(passed_ids)]
    for trainee_id, assignment, percent in zip(chosen["id_peserta"].tolist(), chosen["tugas"].tolist(),
                                               chosen["persen"].tolist()):
        # extra credit can take a score past the maximum; a certificate shows at most 100%
        modules[trainee_id].append((titles[assignment], min(100.0, float(percent))))
    cohorts: dict[str, list[str]] = defaultdict(list)
    runs = data.ledger.drop_duplicates(["id_peserta", "kohort"]).sort_values("urutan_kohort", kind="stable")
    for trainee_id, cohort in zip(runs["id_peserta"].tolist(), runs["kohort"].tolist()):
        cohorts[trainee_id].append(cohort)
    businesses = _businesses(data)
    made, refused = {}, {}
    for person in passed.itertuples(index=False):
        certificate = CertificateData(
            trainee_id=person.id_peserta, name=person.nama, business=businesses.get(person.id_umkm, ""),
            modules=modules[person.id_peserta], cohorts=cohorts[person.id_peserta], issued=today,
            **settings.get(cohorts[person.id_peserta][-1], {}),
        )
        try:
            check_certificate(certificate)
        except UmkmkitError as error:
            refused[person.id_peserta] = str(error)
            continue
        made[f"{person.id_peserta}.pdf"] = certificate
    return made, refused


def _businesses(data: ReportData) -> dict[str, str]:
    return dict(zip(data.registry["id_umkm"], data.registry["nama_usaha"].fillna("")))


def _trainee_pages(data: ReportData, curriculum: Curriculum, today: date) -> dict[str, str]:
    """One page (file name: HTML) per trainee holding only that trainee's rows (safe to hand to the trainee)."""
    if data.people.empty:
        return {}
    formats = Formats("id")  # trainees read their sheet in Indonesian
    modules = data.modules
    outcome = pd.Series("belum lulus", index=modules.index).mask(modules["lulus"], "lulus").mask(
        ~modules["lulus"] & modules["percobaan"].eq(0), "belum dikumpulkan",
    ).mask(modules["menunggu_pelatih"], TEXT["id"]["waiting"])
    # optional challenges: extra points shown apart, never part of the percentage that decides passing
    points = _formatted(modules["nilai_tantangan"], lambda v: formats.number(v, 2, trim=True))
    maxima = _formatted(modules["nilai_maks_tantangan"], lambda v: formats.number(v, 2, trim=True))
    challenge = (points + " / " + maxima).where(modules["nilai_maks_tantangan"] > 0, "–")
    # every row of every sheet at once, then handed out per trainee:
    # (module number, title, best %, pass mark, result, its CSS class, challenge points, attempts),
    # the order of the arguments of _peserta_row.html.j2's macro
    columns = [
        modules["tugas"].map({m.assignment: m.id for m in curriculum.assignments}),
        modules["tugas"].map({m.assignment: m.judul for m in curriculum.assignments}),
        _formatted(modules["persen"], formats.percent), _formatted(modules["batas_lulus"], formats.percent), outcome,
        outcome.map(_OUTCOME_CLASS).fillna("tunggu"), challenge, _formatted(modules["percobaan"], formats.number),
    ]
    # each distinct row is rendered once (a few thousand among some 32,000) by the macro the
    # sheets' template would otherwise run for every row of every sheet
    make_row = _TEMPLATES.get_template("_peserta_row.html.j2").module.row
    made: dict[tuple, str] = {}
    rows_by_person: dict[str, list[str]] = defaultdict(list)
    for trainee_id, *row in zip(modules["id_peserta"].tolist(), *(column.tolist() for column in columns)):
        key = tuple(row)
        html = made.get(key)
        if html is None:
            html = made[key] = make_row(*key)
        rows_by_person[trainee_id].append(html)
    businesses = _businesses(data)
    # the phone checklist of each trainee's latest cohort with one: (done, of, items not done yet)
    ticks: dict[str, tuple[int, int, list[str]]] = {}
    if not data.checklist.empty:
        latest = data.checklist.drop_duplicates(["id_peserta", "item"], keep="last")
        for trainee_id, rows in latest.groupby("id_peserta", sort=False):
            ticks[trainee_id] = (int(rows["selesai"].sum()), len(rows), rows.loc[~rows["selesai"], "teks"].tolist())
    template = _TEMPLATES.get_template("peserta.html.j2")
    made_on = formats.day(today)
    return {
        f"{person.id_peserta}.html": template.render(
            lang="id", person=person, business=businesses.get(person.id_umkm, ""),
            rows=rows_by_person.get(person.id_peserta, []), made_on=made_on, ticks=ticks.get(person.id_peserta),
        )
        for person in data.people.itertuples(index=False)
    }


def _formatted(values: pd.Series, format_one: Callable[[object], str]) -> pd.Series:
    """`format_one` of every value, computed once per distinct value (a few hundred among tens of thousands)."""
    return values.map({value: format_one(value) for value in values.unique()}).fillna(format_one(None))


#: CSS class of each result on the trainee sheet (any other: waiting for the trainer).
_OUTCOME_CLASS = {"lulus": "lulus", "belum lulus": "belum", "belum dikumpulkan": "belum"}

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    auto_reload=False,  # read once per run: no stat() per trainee sheet
)


@functools.cache
def _page_style() -> markupsafe.Markup:
    """laporan.css, inlined by _page.html.j2 in every page: rendered once per process, not included
    (a template lookup and a context copied) again for each of thousands of trainee sheets."""
    return markupsafe.Markup(_TEMPLATES.get_template("laporan.css").render())


_TEMPLATES.globals["page_style"] = _page_style


@dataclass(frozen=True)
class _Chart:
    """One chart of the page: an id unique in it, a caption and the inline SVG."""

    id: str
    caption: str
    svg: str


@dataclass(frozen=True)
class _Table:
    """One table of the page: headers, rows of text, which columns hold numbers (right-aligned),
    which hold codes never broken over lines (IDs, cohorts) and which hold sentences (the only cells
    that wrap on a phone, where the table scrolls sideways in its box). A cell may be a dict
    {"href", "text"}: a link.
    """

    caption: str
    headers: Sequence[str]
    rows: list[Sequence[object]]
    numeric: frozenset[int] = frozenset()
    codes: frozenset[int] = frozenset()
    sentences: frozenset[int] = frozenset()


def render_index(
    data: ReportData, curriculum: Curriculum, headline: dict[str, object], *, lang: str, today: date,
    priority: Sequence[str], certificates: int, new_certificates: int | None = None, sheets: Sequence[str] = (),
    refused: dict[str, str] | None = None, handouts: str | None = None,
) -> str:
    """The report page: headline numbers, charts (inline SVG) and tables, nothing fetched; `refused`
    lists the graduates whose certificate could not be made, with why; `handouts` is the relative
    address of the participants' take-home handouts (umkmkit handouts), when written."""
    t, f = TEXT[lang], Formats(lang)
    names = {m.id: f"{m.id} {m.judul if lang == 'id' else m.title}" for m in curriculum.assignments}
    charts_made: list[_Chart] = []

    def chart(figure: Figure, caption: str) -> _Chart:
        chart_id = f"grafik-{len(charts_made) + 1}"
        charts_made.append(_Chart(chart_id, caption, charts.svg(figure, chart_id=chart_id, label=caption)))
        return charts_made[-1]

    # the charts compare the latest cohorts (one colour each); the tables hold every cohort
    shown = data.cohort_ids[-len(charts.PALETTE):]
    recent = data.per_cohort[data.per_cohort["kohort"].isin(shown)]
    per_cohort_charts = [
        chart(charts.grouped_percent_bars(
            recent, category="modul", series="kohort", value=value, xlabel=t["percent"], empty=t["empty"],
            formats=f, category_labels=names, legend_title=t["cohort"],
        ), t[title])
        for value, title in (("dikumpulkan", "completion_title"), ("lulus", "pass_title"))
    ]
    per_cohort_table = _Table(
        t["per_cohort"], [t["cohort"], t["module"], t["participants"], t["completion"], t["pass_rate"]],
        [[r.kohort, names.get(r.modul, r.modul), f.number(r.peserta), f.number(r.dikumpulkan), f.number(r.lulus)]
         for r in data.per_cohort.itertuples(index=False)],
        frozenset({2, 3, 4}), frozenset({0}),
    )
    scores_chart = chart(charts.score_distribution(
        data.scores, category="modul", value="persen", xlabel=t["score_pct"], empty=t["empty"], category_labels=names,
    ), t["scores_title"])
    pass_charts = [
        chart(charts.horizontal_percent_bars(
            table, label=column, value="persen", count="peserta", xlabel=t["share_passed"], empty=t["empty"],
            note=t["people_note"], formats=f,
        ), t[title])
        for table, column, title in ((data.pass_sector, "sektor", "sector_title"),
                                     (data.pass_district, "distrik", "district_title"))
    ]
    reach = [(data.coverage_district, "distrik", "reach_district", "district"),
             (data.coverage_sector, "sektor", "reach_sector", "sector")]
    reach_charts = [
        chart(charts.coverage_bars(table, label=column, registered="terdaftar", reached="terlatih",
                                   xlabel=t["umkm_count"], legend=t["legend"], empty=t["empty"], formats=f), t[title])
        for table, column, title, _ in reach
    ]
    reach_tables = [
        _Table(t[title], [t[header], t["registered"], t["trained"], t["percent"]],
               [[getattr(r, column), f.number(r.terdaftar), f.number(r.terlatih), f.number(r.persen)]
                for r in table.itertuples(index=False)], frozenset({1, 2, 3}))
        for table, column, title, header in reach
    ]
    groups_table = _Table(t["groups"], [t["group"], t["among_trained"], t["among_registered"]], [
        [t[g.kelompok], f"{f.number(g.peserta)} / {f.number(g.dari_peserta)} ({_share(g.peserta, g.dari_peserta, f)})",
         f"{f.number(g.terdaftar)} / {f.number(g.dari_terdaftar)} ({_share(g.terdaftar, g.dari_terdaftar, f)})"]
        for g in data.groups.itertuples(index=False)
    ])
    attention_table = _Table(t["attention"], ["ID", t["name"], t["cohort"], t["reason"], t["sheet"]], [
        [a.id_peserta, a.nama, a.kohort_terakhir, attention_reasons(a.alasan_kode, lang),
         {"href": f"peserta/{a.id_peserta}.html", "text": t["sheet"]}]
        for a in data.attention.head(ATTENTION_SHOWN).itertuples(index=False)
    ], codes=frozenset({0, 2, 4}), sentences=frozenset({3}))
    attention_more = (
        t["attention_more"].format(shown=f.number(ATTENTION_SHOWN), total=f.number(len(data.attention)))
        if len(data.attention) > ATTENTION_SHOWN else None
    )
    invitations_table = _Table(t["invitations"], ["#", "ID", "UMKM", t["sector"], t["district"], t["reason"]], [
        [f.number(r.peringkat), r.id_umkm, r.nama_usaha, r.sektor, r.distrik, r.alasan]
        for r in data.invitations.head(15).itertuples(index=False)
    ], frozenset({0}), frozenset({1}), frozenset({5}))
    tests = _tests_section(data, t, f, chart) if curriculum.knowledge_test else None
    cards = [
        (f.percent(value, 1) if key == "coverage" else f.number(value), t[key]) for key, value in headline.items()
    ]
    notice = (t["no_cohorts"] if not data.cohort_ids
              else t["no_submissions"] if (data.ledger["status"] == MISSING).all() else None)
    return _TEMPLATES.get_template("index.html.j2").render(
        lang=lang, t=t, notice=notice, cards=cards,
        subtitle=t["subtitle"].format(cohorts=", ".join(data.cohort_ids) or "–", date=f.day(today)),
        recent=(t["recent"].format(shown=len(shown), total=len(data.cohort_ids))
                if len(shown) < len(data.cohort_ids) else None),
        per_cohort_charts=per_cohort_charts, per_cohort_table=per_cohort_table, scores_chart=scores_chart,
        tests=tests, pass_charts=pass_charts, reach_charts=reach_charts, reach_tables=reach_tables,
        groups_note=t["groups_note"].format(age=invitations.YOUTH_MAX_AGE), groups_table=groups_table,
        attention_table=attention_table, attention_more=attention_more,
        invitations_note=t["invitations_note"].format(n=f.number(len(data.invitations)), priority=", ".join(priority)),
        invitations_table=invitations_table,
        files=t["files_list"].format(sheets=", ".join(sheets) or "–", certs=f.number(certificates),
                                     new=f.number(certificates if new_certificates is None else new_certificates)),
        refused=t["certificates_refused"].format(n=f.number(len(refused))) if refused else None,
        refused_items=sorted((refused or {}).items()), handouts=handouts,
    )


def _tests_section(data: ReportData, t: dict, f: Formats, chart: Callable[[Figure, str], _Chart]) -> dict:
    """Pre-test and post-test per cohort: means, normalised gain, who took only one; the chart shows
    the latest cohorts, like the others."""
    gain = data.gain
    both = gain[gain["peserta_keduanya"] > 0]
    taken = both[both["kohort"].isin(data.cohort_ids[-len(charts.PALETTE):])]
    made = None
    if not taken.empty:
        long = taken.melt(id_vars="kohort", value_vars=["rata_awal_persen", "rata_akhir_persen"], var_name="tes",
                          value_name="persen")
        long["tes"] = long["tes"].map(dict(zip(["rata_awal_persen", "rata_akhir_persen"], t["tests_legend"])))
        made = chart(charts.grouped_percent_bars(long, category="kohort", series="tes", value="persen",
                                                 xlabel=t["percent"], empty=t["empty"], formats=f), t["tests_title"])
    table = _Table(
        t["tests"],
        [t["cohort"], t["both"], t["pre"], t["post"], t["gain"], t["only_pre"], t["only_post"], t["neither"]],
        [[r.kohort, f.number(r.peserta_keduanya), f.number(r.rata_awal_persen), f.number(r.rata_akhir_persen),
          f.number(float(r.gain_ternormalisasi), 2), f.number(r.hanya_awal), f.number(r.hanya_akhir),
          f.number(r.tidak_ikut)] for r in gain.itertuples(index=False)],
        frozenset(range(1, 8)), frozenset({0}),
    )
    return {"chart": made, "table": table, "none": both.empty}


def _share(part: int, whole: int, f: Formats) -> str:
    return f.percent(100 * part / whole) if whole else "–"
