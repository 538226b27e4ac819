"""A cohort whose gradebook is on PostgreSQL, taken from `cohort create --db-url` to the report.

The same cohort (same roster, same submissions: correct, catalogued mistakes, blank, late) is
made twice, once on SQLite and once on a throwaway PostgreSQL server on 127.0.0.1; both are
graded, given feedback and reported on, and must come out the same.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from click.testing import CliRunner

from umkmkit.cohort import simulate
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, check_gradebook_database, create_cohort, load_cohort_config, open_gradebook, write_roster
from umkmkit.demo import demo_roster
from umkmkit.errors import UmkmkitError
from umkmkit.grading.grader import backup_gradebook, generate_feedback, grade_cohort
from umkmkit.ledger.progress import ledger, workspace_cohorts
from umkmkit.report.build import build_report
from umkmkit.workspace import Workspace

COHORT = "mkw-2022-06"
ASSIGNMENTS = ("00-mengenal-jupyter", "01-jualan-digital")
WIT = timezone(timedelta(hours=9))
DUE = datetime(2022, 6, 10, 17, 0, tzinfo=WIT)
TODAY = date(2022, 9, 1)
SEED = 11


@pytest.fixture(scope="module")
def both(kit, curriculum, postgres_url, tmp_path_factory):
    """{"sqlite": ..., "postgres": ...}: workspace, cohort, grading and feedback summaries, report."""
    folder = tmp_path_factory.mktemp("postgres-vs-sqlite")
    roster_file = folder / f"roster-{COHORT}.csv"
    people = demo_roster(kit, 5, COHORT)
    write_roster(people, roster_file)

    postgres_workspace = Workspace(folder / "ws-postgres")
    created = CliRunner().invoke(
        main, ["cohort", "create", COHORT, "--roster", str(roster_file), "--db-url", postgres_url],
        env={"UMKMKIT_WORKSPACE": str(postgres_workspace.root)},
    )
    assert created.exit_code == 0, created.output
    sqlite_workspace = Workspace(folder / "ws-sqlite")
    create_cohort(kit, curriculum, sqlite_workspace, COHORT, roster_file)

    handed_in = _submissions(kit, curriculum, people)
    runs = {}
    for backend, workspace in (("sqlite", sqlite_workspace), ("postgres", postgres_workspace)):
        cohort = workspace.cohort(COHORT)
        with open_gradebook(cohort) as gradebook:
            for assignment_id in ASSIGNMENTS:
                gradebook.update_or_create_assignment(
                    assignment_id, duedate=DUE.astimezone(timezone.utc).replace(tzinfo=None),
                )
        for (assignment_id, trainee_id), (submitted, stamp) in handed_in.items():
            simulate.write_submission(cohort, trainee_id, assignment_id, submitted, stamp)
        # every assignment in one grading run, as `umkmkit grade COHORT --all`
        graded = dict(zip(ASSIGNMENTS, grade_cohort(cohort, list(ASSIGNMENTS), workers=2)))
        feedback = {a: generate_feedback(cohort, a) for a in ASSIGNMENTS}
        report = build_report(workspace, kit, curriculum, today=TODAY)
        runs[backend] = {
            "workspace": workspace, "cohort": cohort, "graded": graded, "feedback": feedback, "report": report,
        }
    return runs


def _submissions(kit, curriculum, people: list[Trainee]) -> dict:
    """(assignment, trainee) -> (notebooks, time handed in): one plan per assignment, one late trainee."""
    modules = {m.assignment: m for m in curriculum.assignments}
    handed_in = {}
    for position, assignment_id in enumerate(ASSIGNMENTS):
        catalog = simulate.load_catalog(kit, assignment_id)
        plans = simulate.plan_trainees([(t.trainee_id, t.name) for t in people], catalog, seed=SEED + position)
        for plan in plans:
            notebooks = simulate.submission_notebooks(kit, assignment_id, modules[assignment_id].notebooks, plan)
            stamp = DUE + timedelta(hours=16) if plan.late else DUE - timedelta(hours=3)
            handed_in[(assignment_id, plan.trainee_id)] = (notebooks, stamp)
    return handed_in


def cell_scores(cohort) -> dict:
    """(trainee, assignment, notebook, cell) -> nbgrader's scores, and (trainee, assignment) -> seconds late."""
    found = {}
    with open_gradebook(cohort) as gradebook:
        for assignment_id in ASSIGNMENTS:
            for submission in gradebook.assignment_submissions(assignment_id):
                found[(submission.student.id, assignment_id)] = submission.total_seconds_late
                for notebook in submission.notebooks:
                    for cell in notebook.grades:
                        found[(submission.student.id, assignment_id, notebook.name, cell.name)] = (
                            cell.auto_score, cell.manual_score, cell.score, cell.max_score, cell.needs_manual_grade,
                        )
    return found


def test_cohort_create_writes_the_postgresql_url_into_the_cohort(both, postgres_url):
    cohort = both["postgres"]["cohort"]
    assert load_cohort_config(cohort).CourseDirectory.db_url == postgres_url.replace("postgresql://", "postgresql+psycopg2://")
    assert not (cohort.root / "gradebook.db").exists()
    with open_gradebook(cohort) as gradebook:
        assert gradebook.db.get_bind().dialect.name == "postgresql"
        assert len(gradebook.students) == 5
        assert {assignment.course_id for assignment in gradebook.assignments} == {COHORT}


def test_every_cell_scores_the_same_on_postgresql_as_on_sqlite(both):
    on_postgres, on_sqlite = cell_scores(both["postgres"]["cohort"]), cell_scores(both["sqlite"]["cohort"])
    assert on_postgres == on_sqlite
    cells = {key: value for key, value in on_postgres.items() if len(key) == 4}
    assert len(cells) > 20
    scores = [score for _, _, score, _, _ in cells.values()]
    assert 0 < sum(scores) < sum(maximum for _, _, _, maximum, _ in cells.values())  # mistakes cost points
    assert any(needs_manual for *_, needs_manual in cells.values())
    assert sum(seconds > 0 for key, seconds in on_postgres.items() if len(key) == 2) == len(ASSIGNMENTS)  # one late


def test_grading_and_feedback_went_through_for_everyone_on_both(both):
    for backend in ("sqlite", "postgres"):
        for assignment_id in ASSIGNMENTS:
            graded, feedback = both[backend]["graded"][assignment_id], both[backend]["feedback"][assignment_id]
            assert len(graded.graded) == 5 and not graded.failed, (backend, graded.failed)
            assert sorted(feedback.written) == sorted(graded.graded) and not feedback.failed
            assert all(pages for pages in feedback.written.values())
    assert (
        {a: s.needs_manual_grade for a, s in both["postgres"]["graded"].items()}
        == {a: s.needs_manual_grade for a, s in both["sqlite"]["graded"].items()}
    )


def test_ledgers_are_the_same(both, curriculum):
    on_postgres = ledger(workspace_cohorts(both["postgres"]["workspace"]), curriculum)
    on_sqlite = ledger(workspace_cohorts(both["sqlite"]["workspace"]), curriculum)
    pd.testing.assert_frame_equal(on_postgres, on_sqlite)
    handed_in = on_postgres[on_postgres["tugas"].isin(ASSIGNMENTS)]
    assert set(handed_in["status"]) == {"dikumpulkan", "terlambat"}
    assert handed_in["nilai"].sum() > 0 and handed_in["perlu_nilai_manual"].any()


def test_report_is_written_for_the_postgresql_cohort_and_matches_sqlites(both):
    on_postgres, on_sqlite = both["postgres"]["report"], both["sqlite"]["report"]
    page = on_postgres.index.read_text(encoding="utf-8")
    assert COHORT in page and "Angka utama" in page
    assert on_postgres.ledger_csv.read_bytes() == on_sqlite.ledger_csv.read_bytes()
    assert on_postgres.invitations_csv.read_bytes() == on_sqlite.invitations_csv.read_bytes()
    assert [p.name for p in on_postgres.trainee_pages] == [p.name for p in on_sqlite.trainee_pages]
    assert on_postgres.headline == on_sqlite.headline


def test_grading_summary_says_how_the_gradebook_was_backed_up(both):
    sqlite_run = both["sqlite"]["graded"][ASSIGNMENTS[0]]
    assert sqlite_run.backup.suffix == ".db" and str(sqlite_run.backup) in sqlite_run.backup_note
    postgres_run = both["postgres"]["graded"][ASSIGNMENTS[0]]
    # the first run dumps an empty course; the second one holds the first assignment's grades
    assert postgres_run.backup.suffix == ".sql" and "pg_dump" in postgres_run.backup_note
    dump = both["postgres"]["graded"][ASSIGNMENTS[1]].backup.read_text(encoding="utf-8")
    assert "CREATE TABLE public.grade" in dump and "PostgreSQL database dump complete" in dump


def test_without_pg_dump_the_summary_says_the_servers_backups_apply(both, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    backup, note = backup_gradebook(both["postgres"]["cohort"])
    assert backup is None
    assert "pg_dump is not installed" in note and "server's own backups" in note


def test_a_database_holding_another_cohorts_gradebook_is_refused(both, kit, curriculum, postgres_url, tmp_path):
    with pytest.raises(UmkmkitError, match=f"already holds the gradebook of {COHORT}; nbgrader needs an empty database"):
        create_cohort(kit, curriculum, Workspace(tmp_path / "ws"), "mkw-2022-08",
                      [Trainee("P-00001", "Peserta Uji 1")], db_url=postgres_url)
    assert not (tmp_path / "ws" / "cohorts").exists() or not any((tmp_path / "ws" / "cohorts").iterdir())


def test_an_unreachable_database_is_refused_with_what_to_do(postgres_url):
    closed = postgres_url.rsplit("/", 1)[0] + "/belum_dibuat"
    with pytest.raises(UmkmkitError, match="Cannot open the gradebook database .*belum_dibuat.*createdb belum_dibuat"):
        check_gradebook_database(closed, "mkw-2031-01")
