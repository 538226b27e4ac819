"""Releasing an assignment: a folder and a zip per trainee, each notebook stamped with the
trainee's id and its header filled; and nbgrader's exchange release into a temporary exchange."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import umkmkit

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import create_cohort
from umkmkit.errors import UmkmkitError
from umkmkit.cohort.release import release_assignment, release_module
from umkmkit.workspace import RELEASE, Workspace

ROOT = Path(__file__).resolve().parents[1]
COHORT, ASSIGNMENT, NOTEBOOK = "mkw-2022-06", "00-mengenal-jupyter", "latihan"
TRAINEES = {"P-00003": "Kamaruddin Rahman", "P-00043": "Sutrisno Subagyo", "P-00044": "Femmy Tuhumury"}


@pytest.fixture(scope="module")
def cohort(kit, curriculum, tmp_path_factory):
    """A cohort of the June roster's first three trainees; its exchange folder does not exist yet."""
    base = tmp_path_factory.mktemp("release")
    roster = base / "peserta.csv"
    lines = (ROOT / "datasets" / f"roster-{COHORT}.csv").read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    return create_cohort(
        kit, curriculum, Workspace(base / "ws"), COHORT, roster,
        assignment_ids=[ASSIGNMENT], exchange_root=base / "exchange",
    )


def test_each_trainee_gets_a_stamped_folder_and_the_same_files_zipped(cohort):
    result = release_assignment(cohort, ASSIGNMENT)
    assert {b.trainee_id for b in result.bundles} == set(TRAINEES)
    released = notebooks.read_notebook(cohort.notebook_file(RELEASE, ASSIGNMENT, NOTEBOOK))
    for bundle in result.bundles:
        assert bundle.folder == cohort.bundle_dir(ASSIGNMENT, bundle.trainee_id)
        nb = notebooks.read_notebook(bundle.folder / f"{NOTEBOOK}.ipynb")
        assert nb.metadata["umkmkit"] == {
            "cohort": COHORT, "assignment": ASSIGNMENT, "notebook": NOTEBOOK, "trainee_id": bundle.trainee_id,
        }
        assert notebooks.participant_from_header(nb) == (TRAINEES[bundle.trainee_id], bundle.trainee_id)
        # the exercise itself is untouched: every cell but the header is the released one
        assert nb.cells[1:] == released.cells[1:]
        readme = (bundle.folder / "README.txt").read_text(encoding="utf-8")
        for words in (TRAINEES[bundle.trainee_id], bundle.trainee_id, "JupyterLab", "WhatsApp", "latihan.ipynb"):
            assert words in readme

        files = {p.relative_to(bundle.folder).as_posix(): p.read_bytes() for p in bundle.folder.rglob("*") if p.is_file()}
        with zipfile.ZipFile(bundle.zip_file) as archive:
            # unzipped, it is one folder named after the assignment
            assert {name.split("/")[0] for name in archive.namelist()} == {ASSIGNMENT}
            zipped = {name.removeprefix(f"{ASSIGNMENT}/"): archive.read(name) for name in archive.namelist()}
        assert zipped == files
        assert f"{NOTEBOOK}.ipynb" in zipped and "README.txt" in zipped
    # the cohort's release copy stays as nbgrader made it
    assert "umkmkit" not in released.metadata
    assert notebooks.participant_from_header(released) == ("", "")


def test_without_an_exchange_folder_only_bundles_are_made(cohort):
    result = release_assignment(cohort, ASSIGNMENT)
    assert not result.exchange_released
    assert "does not exist" in result.exchange_note and str(result.exchange_root) in result.exchange_note
    assert not result.exchange_root.exists()


def test_releasing_again_replaces_the_bundles(cohort):
    first = release_assignment(cohort, ASSIGNMENT).bundles[0]
    (first.folder / "lama.txt").write_text("old", encoding="utf-8")
    again = release_assignment(cohort, ASSIGNMENT).bundles[0]
    assert not (again.folder / "lama.txt").exists()
    with zipfile.ZipFile(again.zip_file) as archive:
        assert f"{ASSIGNMENT}/lama.txt" not in archive.namelist()
    assert not list(cohort.bundles_dir(ASSIGNMENT).glob(".*"))  # no half-made folder or zip left


def test_unknown_assignment_is_refused_with_the_cohorts_assignments(cohort):
    with pytest.raises(UmkmkitError, match=f"has no assignment '99-tidak-ada'. Its assignments: {ASSIGNMENT}"):
        release_assignment(cohort, "99-tidak-ada")


def test_exchange_release_goes_through_nbgrader(cohort):
    result = release_assignment(cohort, ASSIGNMENT, exchange=True)
    outbound = cohort.exchange_dir(result.exchange_root, "outbound") / ASSIGNMENT
    assert result.exchange_released and str(outbound) in result.exchange_note
    nb = notebooks.read_notebook(outbound / f"{NOTEBOOK}.ipynb")
    # everyone fetches the same copy: the cohort and assignment are stamped, not a trainee
    assert nb.metadata["umkmkit"] == {"cohort": COHORT, "assignment": ASSIGNMENT, "notebook": NOTEBOOK}
    assert notebooks.participant_from_header(nb) == ("", "")
    # the room server's kernel metadata, so JupyterLab does not rewrite it and mark the copy modified
    # on opening (tests/test_no_phantom_edits.py shows the mechanism in a browser); cells untouched
    kernel = notebooks.kernel_metadata()
    assert kernel and {key: nb.metadata[key] for key in kernel} == kernel
    released = notebooks.read_notebook(cohort.assignment_dir("release", ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    assert [cell.source for cell in nb.cells] == [cell.source for cell in released.cells]
    assert (cohort.exchange_dir(result.exchange_root, "inbound")).is_dir()
    # releasing again replaces nbgrader's copy; by default the existing exchange is used
    assert release_assignment(cohort, ASSIGNMENT).exchange_released
    assert not release_assignment(cohort, ASSIGNMENT, exchange=False).exchange_released


def test_release_command_says_what_it_did(cohort):
    done = umkmkit("release", COHORT, ASSIGNMENT, "--no-exchange", workspace=cohort.root.parents[1])
    assert done.exit_code == 0, done.stderr
    assert f"3 bundles (folder and zip per trainee) of {ASSIGNMENT}: {cohort.bundles_dir(ASSIGNMENT)}" in done.stdout
    assert "Exchange: not released to nbgrader's exchange (--no-exchange)." in done.stdout
    # the module's printable handout goes with the notebooks, in the folder and the zip, and the README says so
    [handout] = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("Lembar modul")]
    assert handout.startswith("modul-00-") and handout.endswith(".pdf")
    for bundle in cohort.bundles_dir(ASSIGNMENT).iterdir():
        if bundle.is_dir():
            assert (bundle / handout).read_bytes().startswith(b"%PDF")
            assert handout in (bundle / "README.txt").read_text(encoding="utf-8")
            with zipfile.ZipFile(bundle.with_suffix(".zip")) as archive:
                assert f"{ASSIGNMENT}/{handout}" in archive.namelist()


def test_an_assignment_goes_out_without_its_handout_when_the_handout_cannot_be_written(cohort, kit, curriculum,
                                                                                       monkeypatch, caplog):
    from umkmkit.course import handouts

    def unwritable(*args):
        raise PermissionError(13, "Permission denied", str(kit.workspace.handouts_dir))

    monkeypatch.setattr(handouts, "module_handouts", unwritable)
    with caplog.at_level("WARNING", logger="umkmkit"):
        released = release_module(kit, curriculum, cohort, ASSIGNMENT, exchange=False)
    assert released.handouts == () and "Permission denied" in released.handout_problem
    assert {b.trainee_id for b in released.release.bundles} == set(TRAINEES)
    assert any(record.name == "umkmkit.cohort.release" and "without its module handout" in record.getMessage()
               for record in caplog.records)
