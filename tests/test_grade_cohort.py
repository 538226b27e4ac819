"""`umkmkit grade COHORT --all`: every collected assignment in one run, one pool of workers, with
real nbgrader and real kernels; the command runs in-process (click's CliRunner)."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from traitlets.config import Config

from umkmkit.cohort import simulate
from umkmkit.grading import grader as grading
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, create_cohort, open_gradebook
from umkmkit.workspace import Workspace, check_metadata_schema_once, create_gradebook_tables, nbgrader_api

#: Two short assignments: the first steps and the knowledge test's format are not needed here.
ASSIGNMENTS = ("00-mengenal-jupyter", "01-jualan-digital")
TRAINEES = (("P-00001", "Peserta Satu", "benar"), ("P-00002", "Peserta Dua", "kosong"),
            ("P-00003", "Peserta Tiga", "terlambat"))


@pytest.fixture
def collected(kit, curriculum, tmp_path, monkeypatch):
    """A cohort of three trainees who handed in both assignments (correct, untouched, late but correct)."""
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path / "workspace"))
    people = [Trainee(trainee_id, name, {}) for trainee_id, name, _ in TRAINEES]
    cohort = create_cohort(kit, curriculum, Workspace(tmp_path / "workspace"), "uji-semua", people,
                           duedates={assignment_id: datetime(2022, 6, 10, 12) for assignment_id in ASSIGNMENTS})
    modules = {module.assignment: module for module in curriculum.assignments}
    for assignment_id in ASSIGNMENTS:
        for trainee_id, name, kind in TRAINEES:
            plan = simulate.SimulatedTrainee(trainee_id, name, kind, written_answer=simulate.WRITTEN_ANSWERS[0],
                                             late=kind == "terlambat")
            handed = simulate.submission_notebooks(kit, assignment_id, modules[assignment_id].notebooks, plan)
            simulate.write_submission(cohort, trainee_id, assignment_id, handed,
                                      datetime(2022, 6, 11, 9) if plan.late else datetime(2022, 6, 10, 9))
    return cohort


def test_grade_all_grades_every_collected_assignment_in_one_pool(collected, monkeypatch):
    pools = []
    run_workers = grading._run_workers
    # the pools started: _run_workers with its jobs (with none it starts nothing)
    monkeypatch.setattr(grading, "_run_workers", lambda *args: (args[1] and pools.append(args[1])) or run_workers(*args))
    result = CliRunner().invoke(main, ["grade", "uji-semua", "--all", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert len(pools) == 1 and len(pools[0]) == len(ASSIGNMENTS) * len(TRAINEES)  # one pool for everything
    with open_gradebook(collected) as gradebook:
        for assignment_id in ASSIGNMENTS:
            maximum = gradebook.find_assignment(assignment_id).max_code_score
            scores = {t: gradebook.find_submission(assignment_id, t).code_score for t, _, _ in TRAINEES}
            assert scores == {"P-00001": maximum, "P-00002": 0, "P-00003": maximum}, assignment_id
    for assignment_id in ASSIGNMENTS:
        assert f"{assignment_id} di uji-semua: 3 peserta dinilai; 0 sudah dinilai sebelumnya." in result.output
    assert "Semua tugas uji-semua: 6 notebook peserta dinilai dalam" in result.output
    # the run's log in the cohort's logs/, named on screen, with every trainee graded
    logs = sorted((collected.root / "logs").glob("grading-*.log"))
    assert len(logs) == 1 and f"Catatan lengkap penilaian ini (this grading run's log): {logs[0]}" in result.output
    text = logs[0].read_text(encoding="utf-8")
    assert all(f"graded {a} {t}" in text for a in ASSIGNMENTS for t, _, _ in TRAINEES)
    assert "INFO umkmkit.grading.grader: graded" not in result.output  # on screen only with --verbose

    again = CliRunner().invoke(main, ["--verbose", "grade", "uji-semua", "--all"])
    assert again.exit_code == 0, again.output
    assert "INFO umkmkit.grading.grader: umkmkit grade uji-semua: 0 to grade" in again.output
    assert f"{ASSIGNMENTS[0]} di uji-semua: 0 peserta dinilai; 3 sudah dinilai sebelumnya." in again.output
    # the API beneath: one summary per assignment, in the order asked; nothing left, no pool started
    summaries = grading.grade_cohort(collected, list(reversed(ASSIGNMENTS)))
    assert [s.assignment_id for s in summaries] == list(reversed(ASSIGNMENTS))
    assert all(s.already_graded == ["P-00001", "P-00002", "P-00003"] and not s.graded for s in summaries)
    assert len(pools) == 1
    assert grading.collected_assignments(collected) == list(ASSIGNMENTS)


def test_grade_wants_one_assignment_or_all(collected):
    for arguments in (["grade", "uji-semua"], ["grade", "uji-semua", ASSIGNMENTS[0], "--all"]):
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2 and "--all" in result.output and "Sebutkan satu tugas" in result.output


def test_a_grading_workers_gradebooks_share_one_engine_and_survive_each_others_close(kit, tmp_path, monkeypatch):
    """share_gradebook_engines (run in every grading worker): nbgrader's Gradebooks on one database
    get one engine (its compiled SQL is reused), and one Gradebook's close() leaves the others working."""
    import nbgrader.api
    from nbgrader.api import Gradebook

    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)  # put back after the test
    grading.share_gradebook_engines()
    grading.share_gradebook_engines()  # a second call changes nothing
    url, other_url = (f"sqlite:///{tmp_path / name}" for name in ("gradebook.db", "lain.db"))
    for database in (url, other_url):
        create_gradebook_tables(database)  # not nbgrader's `alembic heads` process: this test is about engines
    first, second = Gradebook(url, course_id="uji"), Gradebook(url, course_id="uji")
    assert first.engine is second.engine
    first.add_student("P-00001")
    first.close()
    second.add_student("P-00002")
    assert sorted(student.id for student in second.students) == ["P-00001", "P-00002"]
    second.close()
    third = Gradebook(url, course_id="uji")
    assert third.engine is first.engine and len(third.students) == 2
    third.close()
    other = Gradebook(other_url, course_id="uji")
    assert other.engine is not first.engine and other.students == []
    other.close()


def test_nbgraders_metadata_schema_is_checked_once_and_cells_are_validated_as_before(monkeypatch):
    """check_metadata_schema_once (run by nbgrader_api: cohorts, grading workers, feedback): nbgrader's
    metadata validator checks its schema against the metaschema once, and still accepts and refuses
    the cells it did."""
    import jsonschema
    from nbformat.v4 import new_code_cell
    from nbgrader.nbgraderformat import MetadataValidator, common

    monkeypatch.setattr(common, "jsonschema", jsonschema)  # as nbgrader has it; put back after the test
    checked = []
    kind = jsonschema.validators.validator_for(MetadataValidator().schema)
    monkeypatch.setattr(kind, "check_schema", classmethod(lambda cls, schema: checked.append(schema)))
    nbgrader_api(Config())
    check_metadata_schema_once()  # a second call changes nothing
    good = {"grade": True, "grade_id": "jawaban", "locked": False, "points": 2, "schema_version": 3,
            "solution": True, "task": False}
    bad = {**good, "points": "dua"}
    for _ in range(3):
        MetadataValidator().validate_cell(new_code_cell(metadata={"nbgrader": dict(good)}))
    with pytest.raises(jsonschema.ValidationError) as refused:
        MetadataValidator().validate_cell(new_code_cell(metadata={"nbgrader": bad}))
    assert len(checked) == 1
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.Draft4Validator(MetadataValidator().schema).validate(bad)
    assert refused.value.message == expected.value.message
