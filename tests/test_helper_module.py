"""The participants' helper module (lessons/bantu.py) travels with everything a participant or a
grader runs: every exercise, every release bundle, the grading sandbox (the kit's copy, even when a
trainee hands in an edited one) and the lab folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from conftest import small_cohort
from umkmkit.cohort.cohorts import load_cohort_config
from umkmkit.grading.grader import grade
from umkmkit.room.lab import prepare_participant_folder
from umkmkit.cohort.release import release_assignment
from umkmkit.workspace import AUTOGRADED, SUBMITTED

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "lessons" / "bantu.py"
COHORT, ASSIGNMENT, NOTEBOOK = "mkw-2022-06", "00-mengenal-jupyter", "latihan"
#: A trainee's bantu.py whose checker lets everything through.
CHEAT = '''
class cek:
    def __init__(self, *args, **kwargs): pass
    def __enter__(self): return self
    def __exit__(self, *error): print("✔ lolos"); return True
def cocok(*args, **kwargs): return True
from math import *
'''


def test_every_module_declares_the_helper_and_its_exercise_carries_the_kits_copy(kit, curriculum):
    for module in curriculum.buildable:
        assert "bantu.py" in module.helpers, module.assignment
        for top in (kit.solutions_dir, kit.exercises_dir):
            copy = top / module.assignment / "bantu.py"
            assert copy.read_bytes() == HELPER.read_bytes(), f"{copy} is stale: run umkmkit build"


@pytest.fixture(scope="module")
def cohort(kit, curriculum, tmp_path_factory):
    return small_cohort(kit, curriculum, tmp_path_factory.mktemp("helper"), [ASSIGNMENT], trainees=2)


def test_every_release_bundle_carries_the_helper(cohort):
    result = release_assignment(cohort, ASSIGNMENT, exchange=False)
    for bundle in result.bundles:
        assert (bundle.folder / "bantu.py").read_bytes() == HELPER.read_bytes()


def test_grading_runs_the_kits_helper_not_an_edited_one(kit, cohort):
    exercise = notebooks.read_notebook(kit.exercise_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    trainees = ["P-00003", "P-00043"]
    plans = {
        "P-00003": exercise,  # untouched, with a bantu.py that passes every check
        "P-00043": simulate.fill_answers(exercise, simulate.answer_key(solution)),
    }
    for trainee_id, nb in plans.items():
        simulate.write_submission(cohort, trainee_id, ASSIGNMENT, {NOTEBOOK: nb}, datetime(2022, 6, 10, 9, 0))
    (cohort.assignment_dir(SUBMITTED, ASSIGNMENT, "P-00003") / "bantu.py").write_text(CHEAT, encoding="utf-8")
    summary = grade(cohort, ASSIGNMENT, trainee_ids=trainees, workers=1)
    assert not summary.failed
    assert (cohort.assignment_dir(AUTOGRADED, ASSIGNMENT, "P-00003") / "bantu.py").read_bytes() == HELPER.read_bytes()
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=COHORT) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "P-00003").score == 0
        assert gradebook.find_submission(ASSIGNMENT, "P-00043").score == 10


def test_the_lab_folder_has_the_helper_beside_lessons_and_exercises_and_repairs_it(kit, curriculum, tmp_path):
    folder = prepare_participant_folder(kit, curriculum, tmp_path / "peserta")
    copies = [folder / "lessons" / "bantu.py"] + [
        folder / "latihan" / module.assignment / "bantu.py" for module in curriculum.assignments
    ]
    for copy in copies:
        assert copy.read_bytes() == HELPER.read_bytes(), copy
    copies[0].write_text("# rusak\n", encoding="utf-8")
    copies[1].write_text("# rusak\n", encoding="utf-8")
    prepare_participant_folder(kit, curriculum, folder)
    assert copies[0].read_bytes() == HELPER.read_bytes() and copies[1].read_bytes() == HELPER.read_bytes()
