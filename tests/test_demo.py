"""The newcomer's demo, end to end with real nbgrader: the CLI as a trainer runs it."""

from __future__ import annotations

import re

import pandas as pd

from umkmkit.demo import DEFAULT_TRAINEES, demo_roster

JUNE, AUGUST = "mkw-2022-06", "mkw-2022-08"


def ledger_of(demo_folder) -> pd.DataFrame:
    reports = sorted((demo_folder / "reports").iterdir())
    return pd.read_csv(reports[-1] / "progres.csv", encoding="utf-8-sig", dtype={"modul": str})


def test_demo_runs_two_cohorts_and_ends_with_the_report(demo_run, curriculum):
    folder, stdout, _ = demo_run
    report = next((folder / "reports").iterdir())
    assert f"{report / 'index.html'}" in stdout
    assert "passed every module" in stdout and "retake" in stdout
    table = ledger_of(folder)
    assert list(table["kohort"].unique()) == [JUNE, AUGUST]
    assert table.groupby("kohort")["id_peserta"].nunique().eq(DEFAULT_TRAINEES).all()
    june = table[table["kohort"] == JUNE]
    for assignment_id, scores in june.groupby("tugas")["nilai"]:
        assert scores.nunique() >= 3, f"{assignment_id}: simulated trainees should score differently"
        assert (scores == 0).any()
    assert june.groupby("tugas")["status"].apply(lambda s: (s == "terlambat").sum()).eq(1).all()
    assert (june["status"] != "tidak_dikumpulkan").all()
    assert june["dinilai"].all()
    feedback = list((folder / "cohorts" / JUNE / "feedback").rglob("*.html"))
    assert len(feedback) == DEFAULT_TRAINEES * len(curriculum.assignments)


def test_progress_into_a_log_is_whole_lines_counting_both_cohorts(demo_run):
    lines = demo_run[2].splitlines()
    assert "[cohort] 0/2 mkw-2022-06" in lines and "[cohort] 2/2 mkw-2022-08" in lines
    grading = [line.split() for line in lines if line.startswith("[grading]")]
    # whole labels: cohort, assignment and trainee id, never cut to a terminal's width
    assert grading and all(len(parts) == 5 and re.fullmatch(r"P-\d{5}", parts[-1]) for parts in grading if parts[1] != "0/0")


def test_demo_has_written_answers_both_marked_and_waiting_for_the_trainer(demo_run):
    table = ledger_of(demo_run[0])
    handed_in = table[table["status"] != "tidak_dikumpulkan"]
    waiting = handed_in["perlu_nilai_manual"].astype(str).str.lower().eq("true")
    assert waiting.any() and (~waiting).any()


def test_returning_trainees_retake_only_what_they_failed(demo_run, curriculum):
    table = ledger_of(demo_run[0])
    marks = {m.assignment: m.pass_mark for m in curriculum.assignments}
    per_assignment = table.groupby(["id_peserta", "kohort", "tugas"], as_index=False).agg(
        nilai=("nilai", "sum"), nilai_maks=("nilai_maks", "sum"), status=("status", "first"),
    )
    per_assignment["lulus"] = 100 * per_assignment["nilai"] / per_assignment["nilai_maks"] >= per_assignment["tugas"].map(marks)
    both = set(table.loc[table["kohort"] == JUNE, "id_peserta"]) & set(table.loc[table["kohort"] == AUGUST, "id_peserta"])
    assert both, "the sample demo should show people coming back"
    retaken = 0
    for trainee_id in both:
        mine = per_assignment[per_assignment["id_peserta"] == trainee_id].set_index(["kohort", "tugas"])
        for module in curriculum.assignments:
            handed_in_again = mine.loc[(AUGUST, module.assignment), "status"] != "tidak_dikumpulkan"
            failed_in_june = not mine.loc[(JUNE, module.assignment), "lulus"]
            assert handed_in_again == failed_in_june
            if handed_in_again:
                retaken += 1
                assert mine.loc[(AUGUST, module.assignment), "lulus"]
    assert retaken > 0


def test_full_demo_rosters_are_the_whole_2022_cohorts(kit):
    june, august = demo_roster(kit, None, JUNE), demo_roster(kit, None, AUGUST)
    assert len(june) == len(august) == 100
    assert len({t.trainee_id for t in june} & {t.trainee_id for t in august}) > 0


def test_sample_rosters_put_people_in_both_cohorts_first(kit):
    june, august = demo_roster(kit, 8, JUNE), demo_roster(kit, 8, AUGUST)
    in_both = {t.trainee_id for t in demo_roster(kit, None, JUNE)} & {t.trainee_id for t in demo_roster(kit, None, AUGUST)}
    assert {t.trainee_id for t in june[:len(in_both)]} == in_both == {t.trainee_id for t in august[:len(in_both)]}
