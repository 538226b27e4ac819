"""The coordinator's report over all cohorts, written to workspace/reports/<date>/.

- index.html      one self-contained page (charts embedded as images, no CDN, opens from a
                  USB stick), in Bahasa Indonesia by default (`lang="en"` for English);
- progres.xlsx    sheets Ringkasan, Per peserta, Per modul, Undangan;
- progres.csv     the ledger (one row per trainee x cohort x assignment x notebook);
- undangan.csv    whom to invite next (umkmkit.invitations), optionally cut to a capacity;
- sertifikat/     a PDF certificate for each trainee who passed every module;
- peserta/        a one-page progress sheet per trainee, with only that trainee's data.

CSV files are UTF-8 with a byte-order mark so that Excel on a Windows laptop shows names
with accents correctly. The folder is built beside its final place and swapped in whole, so
an interrupted run never leaves a half-written report.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from umkmkit import charts, invitations
from umkmkit.certificates import CertificateData, certificate_pdf, indonesian_date
from umkmkit.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.spreadsheet import write_workbook
from umkmkit.progress import (
    MISSING, assignment_results, knowledge_gain, knowledge_test_ledger, ledger, module_results, trainee_summary,
    workspace_cohorts,
)
from umkmkit.workspace import Kit, Workspace

#: Called with (phase, done, total, label), like the other long-running steps.
ProgressCallback = Callable[[str, int, int, str], None]

LANGUAGES = ("id", "en")

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
        "files_list": "progres.xlsx (ringkasan, per peserta, per modul, undangan) · progres.csv (semua nilai) · "
                      "undangan.csv · sertifikat/ ({certs} sertifikat) · peserta/ (lembar kemajuan per peserta)",
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
        "files_list": "progres.xlsx (summary, per trainee, per module, invitations) · progres.csv (every score) · "
                      "undangan.csv · sertifikat/ ({certs} certificates) · peserta/ (one progress sheet per trainee)",
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
    trainee_pages: list[Path] = field(default_factory=list)
    headline: dict[str, object] = field(default_factory=dict)


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
    data = report_data(
        workspace, kit, curriculum, cohort_ids=cohort_ids, capacity=capacity, priority=priority,
        registry_file=registry_file, year=today.year,
    )
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
    report("report", 0, 4, "tables")
    _write_csv(data.ledger, staging / "progres.csv")
    _write_csv(data.invitations, staging / "undangan.csv")
    write_workbook(workbook_sheets(data, curriculum), staging / "progres.xlsx")
    report("report", 1, 4, "charts")
    certificates = _write_certificates(data, curriculum, staging / "sertifikat", today)
    report("report", 2, 4, "certificates")
    pages = _write_trainee_pages(data, curriculum, staging / "peserta", today)
    report("report", 3, 4, "trainee pages")
    headline = _headline(data)
    page = render_index(data, curriculum, headline, lang=lang, today=today, priority=priority,
                        certificates=len(certificates))
    (staging / "index.html").write_text(page, encoding="utf-8")
    _swap_in(staging, final)
    result.certificates = [final / "sertifikat" / p.name for p in certificates]
    result.trainee_pages = [final / "peserta" / p.name for p in pages]
    result.headline = headline
    report("report", 4, 4, "done")
    return result


def _swap_in(staging: Path, final: Path) -> None:
    """Replace the report folder whole: the old one is kept until the new one is in place."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


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
    registry = invitations.read_registry(registry_file or kit.datasets_dir / "umkm.csv")
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
    attention = _attention(people, modules, module_id)
    return ReportData(
        ledger=table, modules=modules, people=people, per_cohort=per_cohort, scores=scores, registry=registry,
        coverage_district=coverage_district, coverage_sector=coverage_sector, pass_sector=pass_sector,
        pass_district=pass_district, groups=groups, attention=attention, invitations=invited,
        gain=knowledge_gain(knowledge_test_ledger(chosen, curriculum)), cohort_ids=[c.cohort_id for c in chosen],
    )


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


def _attention(people: pd.DataFrame, modules: pd.DataFrame, module_id: dict[str, str]) -> pd.DataFrame:
    """Trainees with work missing in their latest cohort, a module not passed, or a manual grade pending."""
    columns = ["id_peserta", "nama", "kohort_terakhir", "alasan_kode"]
    if people.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    failing = modules[(modules["percobaan"] > 0) & ~modules["lulus"]]
    failing_by_person = failing.assign(m=failing["tugas"].map(module_id)).groupby("id_peserta")["m"].agg(", ".join)
    for person in people.itertuples(index=False):
        reasons = []
        if person.tugas_tidak_dikumpulkan:
            reasons.append(("missing", person.tugas_tidak_dikumpulkan))
        if person.id_peserta in failing_by_person.index:
            reasons.append(("failing", failing_by_person[person.id_peserta]))
        if person.perlu_nilai_manual:
            reasons.append(("needs_manual", ""))
        if reasons:
            rows.append({"id_peserta": person.id_peserta, "nama": person.nama,
                         "kohort_terakhir": person.kohort_terakhir, "alasan_kode": reasons})
    return pd.DataFrame(rows, columns=columns)


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


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    # utf-8-sig: Excel on Windows reads the byte-order mark and shows accented names correctly
    table.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")


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
    return {
        "Ringkasan": summary, "Per peserta": people, "Per modul": per_module, "Tes awal-akhir": data.gain,
        "Undangan": data.invitations,
    }


def _write_certificates(data: ReportData, curriculum: Curriculum, folder: Path, today: date) -> list[Path]:
    passed = data.people[data.people["lulus_semua"]] if not data.people.empty else data.people
    titles = {m.assignment: m.judul for m in curriculum.assignments}
    passed_ids = set(passed["id_peserta"])
    best = {
        trainee_id: rows for trainee_id, rows
        in data.modules[data.modules["id_peserta"].isin(passed_ids)].groupby("id_peserta", sort=False)
    }
    cohorts = data.ledger.drop_duplicates(["id_peserta", "kohort"]).sort_values("urutan_kohort").groupby("id_peserta")["kohort"].agg(list)
    businesses = _businesses(data)
    written = []
    for person in passed.itertuples(index=False):
        rows = best[person.id_peserta]
        certificate = CertificateData(
            trainee_id=person.id_peserta, name=person.nama, business=businesses.get(person.id_umkm, ""),
            # extra credit can take a score past the maximum; a certificate shows at most 100%
            modules=[(titles[t], min(100.0, float(p))) for t, p in zip(rows["tugas"], rows["persen"])],
            cohorts=list(cohorts[person.id_peserta]), issued=today,
        )
        # the report folder is staged and swapped in whole: no per-file temporary needed
        path = folder / f"{person.id_peserta}.pdf"
        path.write_bytes(certificate_pdf(certificate))
        written.append(path)
    return written


def _businesses(data: ReportData) -> dict[str, str]:
    return dict(zip(data.registry["id_umkm"], data.registry["nama_usaha"].fillna("")))


def _write_trainee_pages(data: ReportData, curriculum: Curriculum, folder: Path, today: date) -> list[Path]:
    """One page per trainee holding only that trainee's rows (safe to hand to the trainee)."""
    if data.people.empty:
        return []
    first_cells = {m.assignment: f"<tr><td>{m.id}</td><td>{_e(m.judul)}</td>" for m in curriculum.assignments}
    businesses = _businesses(data)
    modules = data.modules
    outcome = pd.Series("belum lulus", index=modules.index).mask(modules["lulus"], "lulus").mask(
        ~modules["lulus"] & modules["percobaan"].eq(0), "belum dikumpulkan",
    )
    # every table row of every sheet at once; then one string per person
    # optional challenges: extra points shown apart, never part of the percentage that decides passing
    challenge = (
        modules["nilai_tantangan"].map("{:g}".format) + " / " + modules["nilai_maks_tantangan"].map("{:g}".format)
    ).where(modules["nilai_maks_tantangan"] > 0, "–")
    html_rows = (
        modules["tugas"].map(first_cells) + "<td class=num>" + modules["persen"].map("{:.0f}%".format)
        + "</td><td class=num>" + modules["batas_lulus"].map("{:.0f}%".format) + "</td><td>" + outcome
        + "</td><td class=num>" + challenge + "</td><td class=num>" + modules["percobaan"].astype(str) + "</td></tr>"
    )
    rows_by_person = html_rows.groupby(modules["id_peserta"], sort=False).agg("".join).to_dict()
    made_on = indonesian_date(today)
    written = []
    for person in data.people.itertuples(index=False):
        lines = [rows_by_person.get(person.id_peserta, "")]
        still_open = (
            f"<p>Modul yang masih perlu diselesaikan: <b>{_e(person.modul_belum_lulus)}</b>. "
            "Tanyakan kepada pelatih kapan kohort berikutnya dibuka.</p>"
            if person.modul_belum_lulus else
            "<p><b>Selamat!</b> Anda sudah lulus semua modul. Sertifikat Anda dapat diminta kepada pelatih.</p>"
        )
        page = _PAGE.format(
            lang="id", title=_e(f"Kemajuan belajar — {person.nama}"),
            style=_STYLE,
            body=(
                f"<h1>Kemajuan belajar</h1><p class=lead><b>{_e(person.nama)}</b> · {_e(businesses.get(person.id_umkm, ''))}"
                f" · {_e(person.id_peserta)}</p>"
                f"<p>Kohort: {_e(person.kohort_pertama)}"
                + (f" sampai {_e(person.kohort_terakhir)}" if person.kohort_terakhir != person.kohort_pertama else "")
                + f" · Lembar ini dibuat {made_on}.</p>"
                "<table><thead><tr><th>No.</th><th>Modul</th><th>Nilai terbaik</th><th>Batas lulus</th>"
                "<th>Hasil</th><th>Tantangan (poin tambahan)</th><th>Percobaan</th></tr></thead><tbody>"
                + "".join(lines) + "</tbody></table>"
                "<p>Nilai dan batas lulus dihitung dari bagian wajib. Tantangan adalah soal tambahan "
                "yang tidak wajib: poinnya ditulis terpisah dan tidak menentukan lulus.</p>"
                + still_open
            ),
        )
        path = folder / f"{person.id_peserta}.html"
        path.write_text(page, encoding="utf-8")
        written.append(path)
    return written


def _e(value: object) -> str:
    return html.escape(str(value))


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _number(value: object, lang: str, decimals: int = 1) -> str:
    """A number as the reader writes it: 1.250 and 0,8 in Indonesian, 1,250 and 0.8 in English."""
    if hasattr(value, "item"):  # numpy scalars from a table
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "–"
    text = f"{value:,.{decimals}f}" if isinstance(value, float) else f"{value:,}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def _table(frame: pd.DataFrame, headers: Sequence[str], numeric: Sequence[int] = (), markup: Sequence[int] = (),
           lang: str = "id") -> str:
    """An HTML table; columns in `markup` hold HTML the caller built and escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for position, value in enumerate(row):
            if position in numeric:
                value = _number(value, lang)
            text = str(value) if position in markup else _e(value)
            cells.append(f"<td class=num>{text}</td>" if position in numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(source: str, alt: str) -> str:
    return f'<figure><img src="{source}" alt="{_e(alt)}"></figure>'


def render_index(
    data: ReportData, curriculum: Curriculum, headline: dict[str, object], *, lang: str, today: date,
    priority: Sequence[str], certificates: int,
) -> str:
    """The report page: headline numbers, charts (embedded PNG) and tables, nothing fetched."""
    t = TEXT[lang]
    when = indonesian_date(today) if lang == "id" else f"{today:%d %B %Y}"
    parts = [f"<h1>{_e(t['title'])}</h1>",
             f"<p class=lead>{_e(t['subtitle'].format(cohorts=', '.join(data.cohort_ids) or '-', date=when))}</p>"]
    if not data.cohort_ids:
        parts.append(f"<p class=notice>{_e(t['no_cohorts'])}</p>")
    elif (data.ledger["status"] == MISSING).all():
        parts.append(f"<p class=notice>{_e(t['no_submissions'])}</p>")
    cards = "".join(
        f"<div class=card><div class=value>{_e(_number(value, lang))}{'%' if key == 'coverage' else ''}</div>"
        f"<div class=label>{_e(t[key])}</div></div>"
        for key, value in headline.items()
    )
    parts += [f"<h2>{_e(t['headline'])}</h2><div class=cards>{cards}</div>"]

    parts.append(f"<h2>{_e(t['per_cohort'])}</h2>")
    for value, title in (("dikumpulkan", "completion_title"), ("lulus", "pass_title")):
        figure = charts.grouped_percent_bars(
            data.per_cohort, category="modul", series="kohort", value=value, title=t[title],
            ylabel=t["percent"], empty=t["empty"],
        )
        parts.append(_figure(_png(figure), t[title]))
    parts.append(_table(
        data.per_cohort[["kohort", "modul", "peserta", "dikumpulkan", "lulus"]],
        [t["cohort"], t["module"], t["participants"], t["completion"], t["pass_rate"]], numeric=(2, 3, 4), lang=lang,
    ))

    parts.append(f"<h2>{_e(t['scores'])}</h2>")
    figure = charts.score_distribution(data.scores, category="modul", value="persen", title=t["scores_title"],
                                       ylabel=t["score_pct"], empty=t["empty"])
    parts.append(_figure(_png(figure), t["scores_title"]))

    if curriculum.knowledge_test:
        parts.append(_tests_section(data.gain, t, lang))

    parts.append(f"<h2>{_e(t['by_sector'])}</h2>")
    for table, column, title in ((data.pass_sector, "sektor", "sector_title"), (data.pass_district, "distrik", "district_title")):
        figure = charts.horizontal_percent_bars(
            table, label=column, value="persen", count="peserta", title=t[title], xlabel=t["share_passed"],
            empty=t["empty"], note=t["people_note"],
        )
        parts.append(_figure(_png(figure), t[title]))

    parts.append(f"<h2>{_e(t['reach'])}</h2>")
    for table, column, title, header in (
        (data.coverage_district, "distrik", "reach_district", "district"),
        (data.coverage_sector, "sektor", "reach_sector", "sector"),
    ):
        figure = charts.coverage_bars(table, label=column, registered="terdaftar", reached="terlatih",
                                      title=t[title], legend=t["legend"], empty=t["empty"])
        parts.append(_figure(_png(figure), t[title]))
        parts.append(_table(table[[column, "terdaftar", "terlatih", "persen"]],
                            [t[header], t["registered"], t["trained"], t["percent"]], numeric=(1, 2, 3), lang=lang))

    parts.append(f"<h2>{_e(t['groups'])}</h2><p>{_e(t['groups_note'].format(age=invitations.YOUTH_MAX_AGE))}</p>")
    rows = [
        (t[g.kelompok], f"{g.peserta} / {g.dari_peserta} ({_share(g.peserta, g.dari_peserta)})",
         f"{g.terdaftar} / {g.dari_terdaftar} ({_share(g.terdaftar, g.dari_terdaftar)})")
        for g in data.groups.itertuples(index=False)
    ]
    parts.append(_table(pd.DataFrame(rows), [t["group"], t["among_trained"], t["among_registered"]]))

    parts.append(f"<h2>{_e(t['attention'])}</h2>")
    if data.attention.empty:
        parts.append(f"<p>{_e(t['attention_none'])}</p>")
    else:
        rows = [
            (a.id_peserta, a.nama, a.kohort_terakhir,
             "; ".join(t[code].format(m=modules) for code, modules in a.alasan_kode),
             f'<a href="peserta/{_e(a.id_peserta)}.html">{_e(t["sheet"])}</a>')
            for a in data.attention.itertuples(index=False)
        ]
        parts.append(_table(pd.DataFrame(rows), ["ID", t["name"], t["cohort"], t["reason"], ""], markup=(4,)))

    parts.append(f"<h2>{_e(t['invitations'])}</h2>")
    parts.append(f"<p>{_e(t['invitations_note'].format(n=_number(len(data.invitations), lang), priority=', '.join(priority)))}</p>")
    parts.append(_table(
        data.invitations.head(15)[["peringkat", "id_umkm", "nama_usaha", "sektor", "distrik", "alasan"]],
        ["#", "ID", "UMKM", t["sector"], t["district"], t["reason"]],
    ))
    parts.append(f"<h2>{_e(t['files'])}</h2><p>{_e(t['files_list'].format(certs=certificates))}</p>")
    return _PAGE.format(lang=lang, title=_e(t["title"]), style=_STYLE, body="\n".join(parts))


def _tests_section(gain: pd.DataFrame, t: dict, lang: str) -> str:
    """Pre-test and post-test per cohort: means, normalised gain, who took only one."""
    parts = [f"<h2>{_e(t['tests'])}</h2>", f"<p>{_e(t['tests_note'])}</p>"]
    taken = gain[gain["peserta_keduanya"] > 0]
    if taken.empty:
        parts.append(f"<p>{_e(t['tests_none'])}</p>")
    else:
        long = taken.melt(id_vars="kohort", value_vars=["rata_awal_persen", "rata_akhir_persen"], var_name="tes",
                          value_name="persen")
        long["tes"] = long["tes"].map(dict(zip(["rata_awal_persen", "rata_akhir_persen"], t["tests_legend"])))
        figure = charts.grouped_percent_bars(long, category="kohort", series="tes", value="persen",
                                             title=t["tests_title"], ylabel=t["percent"], empty=t["empty"])
        parts.append(_figure(_png(figure), t["tests_title"]))
    shown = gain.assign(gain_ternormalisasi=gain["gain_ternormalisasi"].map(
        lambda g: _number(float(g), lang, decimals=2)))
    parts.append(_table(
        shown[["kohort", "peserta_keduanya", "rata_awal_persen", "rata_akhir_persen", "gain_ternormalisasi",
               "hanya_awal", "hanya_akhir", "tidak_ikut"]],
        [t["cohort"], t["both"], t["pre"], t["post"], t["gain"], t["only_pre"], t["only_post"], t["neither"]],
        numeric=(1, 2, 3, 4, 5, 6, 7), lang=lang,
    ))
    return "\n".join(parts)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #1a1a1a; font-size: 18px; line-height: 1.45; }
h1 { font-size: 2em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 2px solid #0072B2; }
.lead { font-size: 1.15em; color: #333; } .notice { background: #fff3cd; padding: .8em; border-radius: 6px; }
.cards { display: flex; flex-wrap: wrap; gap: .8em; }
.card { background: #eef5fb; border-radius: 8px; padding: .8em 1.1em; min-width: 150px; }
.card .value { font-size: 2em; font-weight: bold; color: #0072B2; } .card .label { font-size: .95em; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .35em .6em; text-align: left; } th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
@media print { body { font-size: 12pt; } }
"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body>
{body}
</body></html>
"""
