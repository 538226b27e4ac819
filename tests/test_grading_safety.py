"""`umkmkit grade` on hostile and broken submissions, with real nbgrader and real kernels.

One cohort holds a correct submission and one submission per kind of trouble; they are graded
together, in parallel, and each must fail or score only itself, leaving the rest intact.

The suite runs wherever a trainer runs it: as root, as a normal user, and on the portable path
(UMKMKIT_SANDBOX=portable, what Windows and macOS get); CI runs all three. A test of a
protection this machine does not give is skipped with the probe's reason, and a hostile case
that would harm the trainer's own files without it is not run at all.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import Trainee, create_cohort, load_cohort_config
from umkmkit.grading.grader import grade, generate_feedback
from umkmkit.grading.sandbox import SandboxPolicy, check_protections, sandbox_mode
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import AUTOGRADED, SUBMITTED, Cohort, Workspace

ASSIGNMENT = "00-mengenal-jupyter"
NOTEBOOK = "latihan"
WIT = timezone(timedelta(hours=9))
DUE = datetime(2022, 6, 10, 17, 0, tzinfo=WIT)
#: The grader's home during these tests: a temporary folder (no test writes the real home).
HOME_NAME = "rumah-penilai"


def part_a_answer() -> str:
    """Part A as a participant who knows the answer types it."""
    kit = Path(__file__).resolve().parents[1]
    return simulate.answer_key(notebooks.read_notebook(kit / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"))["jawaban_a"]


def answer_cell_code(hostile: str) -> str:
    """Part A's correct answer, preceded by hostile code that runs when the cell runs."""
    return hostile + "\n\n" + part_a_answer() + "\n"


HOSTILE_ANSWERS = {
    "infinite-loop": "while True:\n    pass",
    "memory-bomb": "blok = bytearray(50 * 1024 ** 3)",
    "fork-bomb": (
        "import os, time\nanak = 0\nfor _ in range(2000):\n    try:\n        if os.fork() == 0:\n"
        "            time.sleep(600)\n            os._exit(0)\n        anak += 1\n    except OSError:\n        break\n"
        "print('anak', anak)"
    ),
    "deletes-files": (
        "import os, shutil\nfor tempat in ['.', '..', '../..', '../../..']:\n"
        "    for nama in os.listdir(tempat):\n        jalur = os.path.join(tempat, nama)\n"
        "        shutil.rmtree(jalur, ignore_errors=True) if os.path.isdir(jalur) else None\n"
        "        try:\n            os.remove(jalur)\n        except OSError:\n            pass"
    ),
    "reads-others": (
        "import glob\nfor jalur in glob.glob('/tmp/**/*.ipynb', recursive=True)"
        " + glob.glob('{kit}/solutions/**/*', recursive=True)"
        " + glob.glob('{cohorts}/**/*', recursive=True):\n"
        "    try:\n        print(jalur, open(jalur, encoding='utf-8').read()[:20000])\n"
        "    except OSError:\n        pass"
    ),
    "opens-network": (
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'curi')\n"
        "except OSError as galat:\n    print('jaringan tertutup', galat)"
    ),
    "prints-megabytes": "print('x' * 8_000_000)",
    "writes-home": "open(r'{home}', 'w').write('x')",
    # everything at once, each attempt reported: what the summary's protection lines must match
    "probe": (
        "import ctypes, json, os, socket\nlibc = ctypes.CDLL(None, use_errno=True)\nlaporan = {{}}\n"
        "laporan['umount'] = libc.umount2(b'/usr', 2) == 0\n"
        "laporan['remount'] = libc.mount(None, b'/', None, 32 | 4096, None) == 0\n"
        "def tulis(jalur):\n    try:\n        open(jalur, 'w').write('x')\n        return True\n"
        "    except OSError:\n        return False\n"
        "laporan['tulis_luar'] = tulis(r'{outside}')\nlaporan['tulis_rumah'] = tulis(r'{home}')\n"
        "def baca(jalur):\n    try:\n        return open(jalur, 'rb').read(20) != b''\n    except OSError:\n        return False\n"
        "laporan['baca_shm'] = baca(r'{shm}')\nlaporan['baca_teman'] = baca(r'{other}')\n"
        "laporan['baca_solusi'] = baca(r'{solutions}')\n"
        "try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n    laporan['jaringan'] = True\n"
        "except OSError:\n    laporan['jaringan'] = False\n"
        "print('LAPORAN', json.dumps(laporan))"
    ),
}
#: Hostile cases run only where a protection holds: without it they would harm the trainer's files.
NEEDS = {"deletes-files": "read-only outside its folder"}
#: Kernels that end before their notebook does: nbgrader records no grade, the summary says why.
#: On the portable path the watchdog stops the fork bomb's kernel (no process cap to make fork fail).
EXPECTED_FAILURES = {"invalid-json", "kernel-dies"} | ({"fork-bomb"} if sandbox_mode() == "portable" else set())
OTHER_CASES = ["passes-all", "stderr-in-function", "edits-test-cell", "deletes-test-cell",
               "invalid-json", "kernel-dies", "late", "fork-bomb-lalu-jujur-1", "fork-bomb-lalu-jujur-2"]
TRAINEES = [*HOSTILE_ANSWERS, *OTHER_CASES]


class Listener:
    """A TCP listener on loopback that records whether anyone connected."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(5)
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


def write_cases(kit, cohort, port: int, places: dict[str, Path], cases: list[str]) -> None:
    exercise = notebooks.read_notebook(kit.exercise_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    answers = simulate.answer_key(solution)
    for cell in solution.cells:
        if notebooks.is_answer_cell(cell) and cell.cell_type == "markdown":
            answers[notebooks.grade_id(cell)] = "Jawaban tertulis."
    correct = simulate.fill_answers(exercise, answers)
    on_time = DUE - timedelta(hours=2)
    for trainee_id in cases:
        nb = copy.deepcopy(correct)
        stamp = on_time
        if trainee_id in HOSTILE_ANSWERS:
            hostile = HOSTILE_ANSWERS[trainee_id].format(
                port=port, cohorts=cohort.root.parent, kit=kit.root, **places,
            )
            nb = simulate.fill_answers(nb, {"jawaban_a": answer_cell_code(hostile)})
        elif trainee_id == "stderr-in-function":
            # the challenge's function writes to stderr when its check calls it
            nb = simulate.fill_answers(nb, {"tantangan_1": (
                "import sys\n\ndef total_belanja(harga, jumlah, ongkir):\n"
                "    sys.stderr.write('peringatan\\n')\n    return harga * jumlah + ongkir\n")})
        elif trainee_id == "edits-test-cell":
            nb = simulate.fill_answers(nb, {"jawaban_a": part_a_answer().replace("+ ongkir", "")})
            notebooks.cells_by_grade_id(nb)["tes_a"].source = "pass"
        elif trainee_id == "deletes-test-cell":
            nb.cells = [c for c in nb.cells if notebooks.grade_id(c) != "tes_a"]
        elif trainee_id == "kernel-dies":
            nb = simulate.fill_answers(nb, {"jawaban_a": "import os\nos._exit(1)\n"})
        elif trainee_id == "late":
            stamp = DUE + timedelta(hours=16)
        simulate.write_submission(cohort, trainee_id, ASSIGNMENT, {NOTEBOOK: nb}, stamp)
    if "invalid-json" in cases:
        cohort.notebook_file(SUBMITTED, ASSIGNMENT, NOTEBOOK, "invalid-json").write_text('{"cells": [', encoding="utf-8")


def safe_cases(cases: list[str]) -> list[str]:
    """The cases this machine's protections make safe to run (the probe grading runs decides)."""
    _, available = check_protections(SandboxPolicy())
    return [case for case in cases if case not in NEEDS or available[NEEDS[case]] == "on"]


def require(summary, protection: str) -> None:
    """Skip, with the probe's reason, a test of a protection this machine does not give."""
    status = summary.protections[protection]
    if status != "on":
        pytest.skip(f"{protection} is not available here ({sandbox_mode()} sandbox): {status}")


def hostile_grading(kit, curriculum, root: Path, policy: SandboxPolicy | None = None, cases: list[str] = TRAINEES):
    """Grade every hostile and broken case in one cohort under `root`, with the grader's home,
    a copy of the solutions and a /dev/shm file the kernels must not reach."""
    cases = safe_cases(cases)
    roster = [Trainee(t, f"Peserta {t}", {}) for t in cases]
    due_utc = DUE.astimezone(timezone.utc).replace(tzinfo=None)
    cohort = create_cohort(kit, curriculum, Workspace(root / "ws"), "uji-bahaya", roster,
                           duedates={ASSIGNMENT: due_utc}, assignment_ids=[ASSIGNMENT])
    home = root / HOME_NAME
    home.mkdir()
    copies = root / "salinan-solusi"
    shutil.copytree(kit.solution_dir(ASSIGNMENT), copies)
    shm = Path("/dev/shm") / f"umkmkit-uji-{os.getpid()}"
    shm.write_text("rahasia penilai", encoding="utf-8")
    places = {
        "home": home / "penanda.txt", "outside": root / "di-luar.txt", "shm": shm,
        "other": cohort.notebook_file(SUBMITTED, ASSIGNMENT, NOTEBOOK, "passes-all"),  # another trainee's work
        "solutions": copies / f"{NOTEBOOK}.ipynb",
    }
    listener = Listener()
    saved_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # the grading workers inherit it: "the grader's home"
    try:
        write_cases(kit, cohort, listener.port, places, cases)
        summary = grade(cohort, ASSIGNMENT, workers=2, timeout=5, policy=policy)
    finally:
        listener.close()
        shm.unlink(missing_ok=True)
        if saved_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved_home
    return cohort, summary, listener, places


@pytest.fixture(scope="module")
def hostile_run(kit, curriculum, tmp_path_factory):
    return hostile_grading(kit, curriculum, tmp_path_factory.mktemp("hostile"))


def scores(cohort) -> dict[str, dict[str, float]]:
    config = load_cohort_config(cohort)
    found = {}
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            found[submission.student.id] = {
                g.name: g.score for nb in submission.notebooks for g in nb.grades
            } | {"total": submission.score, "late": submission.total_seconds_late > 0}
    return found


def test_only_broken_notebooks_fail(hostile_run):
    cohort, summary, _, _ = hostile_run
    assert set(summary.failed) == EXPECTED_FAILURES, summary.failed
    assert set(summary.graded) == set(safe_cases(TRAINEES)) - EXPECTED_FAILURES
    assert summary.protections["private folder"] == "on"


def test_correct_work_scores_full_marks_beside_hostile_work(hostile_run):
    cohort, summary, _, _ = hostile_run
    graded = scores(cohort)
    full = graded["passes-all"]["total"]
    assert full == 10  # every auto-graded point, challenge included (the written part awaits the trainer)
    # hostile code ran before a correct function: each trainee still earns the points
    for trainee_id in {"infinite-loop", "deletes-files", "reads-others", "opens-network",
                       "prints-megabytes", "writes-home", "fork-bomb"} & set(summary.graded):
        assert graded[trainee_id]["total"] in (full, full - 2), (trainee_id, graded[trainee_id])
    assert graded["late"]["total"] == full and graded["late"]["late"]
    assert not graded["passes-all"]["late"]


def test_memory_bomb_is_stopped_by_the_memory_limit(hostile_run):
    cohort, _, _, _ = hostile_run
    graded = scores(cohort)["memory-bomb"]
    assert graded["tes_a"] == 0 and graded["total"] == 8
    executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "memory-bomb"))
    errors = [o.ename for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert "MemoryError" in errors


def test_infinite_loop_is_interrupted(hostile_run):
    cohort, _, _, _ = hostile_run
    executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "infinite-loop"))
    assert "KeyboardInterrupt" in json.dumps(executed)


def leftover_sleepers() -> list[str]:
    """Processes of the fork bomb (they sleep 600 s) still running anywhere on this machine."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            if process.info["status"] != psutil.STATUS_ZOMBIE and "time.sleep(600)" in " ".join(process.info["cmdline"] or []):
                found.append(str(process.pid))
        except psutil.Error:
            continue
    return found


def test_fork_bomb_is_capped(hostile_run, kit):
    cohort, summary, _, _ = hostile_run
    if sandbox_mode() == "portable":
        # no process cap makes fork fail here: the watchdog stops the whole kernel, and says so
        assert "more processes than the limit" in summary.failed["fork-bomb"]
        assert leftover_sleepers() == [], "forked processes outlived the kernel"
        return
    executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "fork-bomb"))
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    forked = int(printed.split("anak", 1)[1].split()[0])
    assert forked < 2000, "the process cap did not stop the fork bomb"
    assert leftover_sleepers() == [], "forked processes outlived the kernel"


def test_deleting_files_leaves_the_course_intact(hostile_run):
    cohort, summary, _, _ = hostile_run
    require(summary, NEEDS["deletes-files"])  # without it the case is not run: it would delete the trainer's files
    for trainee_id in safe_cases(TRAINEES):
        assert cohort.assignment_dir(SUBMITTED, ASSIGNMENT, trainee_id).is_dir(), trainee_id
    assert (cohort.root / "gradebook.db").is_file() and cohort.config_file.is_file()
    assert (cohort.root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()


def test_no_solutions_or_other_trainees_work_can_be_read(hostile_run, kit):
    cohort, summary, _, _ = hostile_run
    require(summary, "grader's files hidden")
    executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "reads-others"))
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert notebooks.BEGIN_SOLUTION not in printed and notebooks.BEGIN_HIDDEN_TESTS not in printed
    assert "Peserta passes-all" not in printed and "uji-bahaya" not in printed


def test_network_is_closed(hostile_run):
    _, summary, listener, _ = hostile_run
    require(summary, "no network")
    assert listener.connections == 0


def test_grader_home_is_not_written(hostile_run):
    _, summary, _, places = hostile_run
    require(summary, "read-only outside its folder")
    assert not places["home"].exists() and not places["outside"].exists()


def test_stderr_in_a_test_cell_costs_that_part_as_in_nbgrader(hostile_run):
    cohort, _, _, _ = hostile_run
    graded = scores(cohort)["stderr-in-function"]
    assert graded["tes_tantangan_1"] == 0 and graded["tes_a"] == 2 and graded["tes_b"] == 2


def test_edited_test_cell_is_restored_and_deleted_one_is_added_back(hostile_run):
    cohort, _, _, _ = hostile_run
    graded = scores(cohort)
    assert graded["edits-test-cell"]["tes_a"] == 0
    assert graded["deletes-test-cell"]["tes_a"] == 2


def test_failures_say_why(hostile_run):
    _, summary, _, _ = hostile_run
    assert summary.failed["invalid-json"] and summary.failed["kernel-dies"]


def test_gradebook_backed_up_before_grading(hostile_run):
    _, summary, _, _ = hostile_run
    assert summary.backup is not None and summary.backup.is_file()


def test_feedback_hides_hidden_tests_and_needs_no_internet(hostile_run, kit):
    cohort, _, _, _ = hostile_run
    result = generate_feedback(cohort, ASSIGNMENT, trainee_ids=["passes-all", "edits-test-cell"])
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    hidden = [
        line.strip() for cell in solution.cells
        for block in notebooks.marked_blocks(cell.source, notebooks.BEGIN_HIDDEN_TESTS, notebooks.END_HIDDEN_TESTS)
        for line in block.splitlines() if line.strip()
    ]
    for trainee_id, pages in result.written.items():
        assert pages
        for page in pages:
            html = page.read_text(encoding="utf-8")
            assert "pemeriksaan tersembunyi" in html
            assert 'src="http' not in html and "cdnjs" not in html
            for line in hidden:
                assert line.split(",")[0] not in html, f"{trainee_id}: hidden test shown: {line}"
        assert result.bundles[trainee_id].is_file()
    # the failing check's message is still shown to the trainee
    failing = result.written["edits-test-cell"][0].read_text(encoding="utf-8")
    assert "AssertionError" in failing


def test_rerun_skips_finished_trainees_and_keeps_manual_grades(hostile_run):
    cohort, first, _, _ = hostile_run
    config = load_cohort_config(cohort)
    with Gradebook(config.CourseDirectory.db_url, course_id=cohort.cohort_id) as gradebook:
        grade_row = gradebook.find_grade("jawaban_tulis", NOTEBOOK, ASSIGNMENT, "passes-all")
        grade_row.manual_score = 2
        gradebook.db.commit()
    again = grade(cohort, ASSIGNMENT, workers=2, timeout=5)
    assert set(again.already_graded) == set(first.graded)
    assert set(again.graded) == set() and set(again.failed) == EXPECTED_FAILURES
    forced = grade(cohort, ASSIGNMENT, trainee_ids=["passes-all"], force=True, timeout=5)
    assert forced.graded == ["passes-all"]
    assert scores(cohort)["passes-all"]["jawaban_tulis"] == 2


def test_killed_run_can_be_rerun_without_loss(kit, curriculum, tmp_path):
    """kill -9 a grading run halfway; the rerun grades only the unfinished trainees."""
    people = [Trainee(f"P-{n:05d}", f"Peserta {n}", {}) for n in range(1, 9)]
    cohort = create_cohort(kit, curriculum, Workspace(tmp_path / "ws"), "uji-mati", people,
                           assignment_ids=[ASSIGNMENT])
    catalog = simulate.load_catalog(kit, ASSIGNMENT)
    for plan in simulate.plan_trainees([(t.trainee_id, t.name) for t in people], catalog, seed=1):
        submitted = simulate.submission_notebooks(kit, ASSIGNMENT, (NOTEBOOK,), plan)
        simulate.write_submission(cohort, plan.trainee_id, ASSIGNMENT, submitted, DUE - timedelta(hours=1))
    script = (
        "import sys; from pathlib import Path; from umkmkit.grading.grader import grade; "
        "from umkmkit.workspace import Cohort; grade(Cohort(Path(sys.argv[1])), sys.argv[2], workers=1)"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(cohort.root), ASSIGNMENT], start_new_session=True)
    markers = lambda: sorted((cohort.root / "grading-state" / ASSIGNMENT).glob("*"))  # noqa: E731
    deadline = time.monotonic() + 120
    while len(markers()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {m.name: m.stat().st_mtime_ns for m in markers() if not m.name.startswith(".")}
    assert 2 <= len(finished) < len(people)

    rerun = grade(cohort, ASSIGNMENT, workers=2)
    assert set(rerun.already_graded) == set(finished)
    assert set(rerun.graded) == {t.trainee_id for t in people} - set(finished)
    assert not rerun.failed
    for trainee_id, mtime in finished.items():
        marker = cohort.graded_marker(ASSIGNMENT, trainee_id)
        assert marker.stat().st_mtime_ns == mtime, f"{trainee_id} was graded twice"
    assert len(scores(cohort)) == len(people)


def probe_report(cohort) -> dict:
    executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "probe"))
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    return json.loads(printed.split("LAPORAN", 1)[1].splitlines()[0])


ATTEMPTS_AND_PROTECTIONS = {
    "umount": "no capabilities", "remount": "no capabilities", "tulis_luar": "read-only outside its folder",
    "tulis_rumah": "read-only outside its folder", "baca_shm": "grader's files hidden",
    "baca_teman": "grader's files hidden", "baca_solusi": "grader's files hidden", "jaringan": "no network",
}


def assert_probe_failed_everywhere_and_summary_agrees(cohort, summary, places) -> None:
    report = probe_report(cohort)
    assert set(report) == set(ATTEMPTS_AND_PROTECTIONS)
    for attempt, protection in ATTEMPTS_AND_PROTECTIONS.items():
        # the summary never says "on" for a protection the probe defeated
        if summary.protections[protection] == "on":
            assert report[attempt] is False, f"the probe managed to {attempt}, yet '{protection}' is on"
    if sandbox_mode() == "linux" and os.geteuid() == 0:  # a root grader on Linux gets every protection
        assert all(report[attempt] is False for attempt in report), report
        assert all(summary.protections[p] == "on" for p in ATTEMPTS_AND_PROTECTIONS.values()), summary.protections
    if summary.protections["read-only outside its folder"] == "on":
        assert not places["home"].exists() and not places["outside"].exists()
    assert scores(cohort)["probe"]["tes_a"] == 2  # the probe's own answer still counts


def test_a_probe_submission_is_stopped_at_every_step(hostile_run):
    cohort, summary, listener, places = hostile_run
    assert_probe_failed_everywhere_and_summary_agrees(cohort, summary, places)
    if summary.protections["no network"] == "on":
        assert listener.connections == 0


@pytest.mark.skipif(sandbox_mode() != "linux" or os.geteuid() != 0,
                    reason="a separate user exists only when the grader runs as root with the Linux sandbox")
def test_without_a_separate_user_root_kernels_hold_no_capabilities_either(kit, curriculum, tmp_path):
    cohort, summary, listener, places = hostile_grading(
        kit, curriculum, tmp_path, SandboxPolicy(switch_user=False), ["passes-all", "probe", "fork-bomb"],
    )
    assert summary.protections["separate user"].startswith("off:")
    assert_probe_failed_everywhere_and_summary_agrees(cohort, summary, places)
    assert summary.protections["process cap"] == "on"
    assert listener.connections == 0


def test_honest_work_right_after_a_fork_storm_scores_full_marks(hostile_run):
    graded = scores(hostile_run[0])
    checks = lambda trainee_id: {k: v for k, v in graded[trainee_id].items() if k.startswith("tes_")}  # noqa: E731
    assert checks("fork-bomb-lalu-jujur-1") == checks("fork-bomb-lalu-jujur-2") == checks("passes-all")
    assert all(checks("passes-all").values())


def test_stopped_cells_are_explained_to_the_trainee_in_indonesian(hostile_run):
    cohort = hostile_run[0]
    for trainee_id, words in (("infinite-loop", "Penilai menghentikan sel ini"), ("memory-bomb", "memori lebih dari")):
        executed = notebooks.read_notebook(cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, trainee_id))
        assert words in json.dumps(executed, ensure_ascii=False), trainee_id


def test_megabytes_of_output_are_not_stored(hostile_run):
    cohort = hostile_run[0]
    path = cohort.notebook_file(AUTOGRADED, ASSIGNMENT, NOTEBOOK, "prints-megabytes")
    assert path.stat().st_size < 400_000
    assert "Keluaran sel ini dipotong" in path.read_text(encoding="utf-8")


def test_each_failure_is_one_line_on_screen_and_whole_in_the_cohorts_log(hostile_run):
    _, summary, _, _ = hostile_run
    assert set(summary.reasons) == EXPECTED_FAILURES
    for trainee_id, reason in summary.reasons.items():
        assert "\n" not in reason and len(reason) < 250
    assert "JSON" in summary.reasons["invalid-json"]
    assert "died" in summary.reasons["kernel-dies"].lower() or "dead" in summary.reasons["kernel-dies"].lower()
    log = summary.log_file.read_text(encoding="utf-8")
    assert summary.log_file.parent == hostile_run[0].root / "logs"
    for trainee_id, text in summary.failed.items():
        assert text in log


def test_an_assignment_the_cohort_does_not_have_is_refused(hostile_run):
    with pytest.raises(UmkmkitError, match="no assignment '99-lain'.*00-mengenal-jupyter"):
        grade(hostile_run[0], "99-lain")


def test_a_copied_cohort_grades_into_itself(hostile_run, tmp_path):
    cohort = hostile_run[0]
    copied = Cohort(tmp_path / "pindahan" / cohort.cohort_id)
    shutil.copytree(cohort.root, copied.root)
    original = (cohort.root / "gradebook.db").read_bytes()
    again = grade(copied, ASSIGNMENT, trainee_ids=["late"], force=True, workers=1)
    assert again.graded == ["late"]
    assert (cohort.root / "gradebook.db").read_bytes() == original
    assert (copied.assignment_dir(AUTOGRADED, ASSIGNMENT, "late") / f"{NOTEBOOK}.ipynb").is_file()
    assert load_cohort_config(copied).CourseDirectory.db_url == copied.default_db_url


def test_kill_9_of_the_grader_leaves_no_process_and_no_temporary_folder(kit, curriculum, tmp_path):
    """Only the grading process is killed (not its group): its workers, fork servers and kernels go too."""
    people = [Trainee(f"P-{n:05d}", f"Peserta {n}", {}) for n in range(1, 7)]
    cohort = create_cohort(kit, curriculum, Workspace(tmp_path / "ws"), "uji-bunuh", people, assignment_ids=[ASSIGNMENT])
    slow = simulate.fill_answers(
        notebooks.read_notebook(kit.exercise_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb"),
        {"jawaban_a": "import time\ntime.sleep(20)"},
    )
    for person in people:
        simulate.write_submission(cohort, person.trainee_id, ASSIGNMENT, {NOTEBOOK: slow}, DUE - timedelta(hours=1))
    # a short temporary folder of this test's own (kernel sockets live there: paths stay short)
    temporary = Path(tempfile.mkdtemp(prefix="uk-"))
    environment = {**os.environ, "TMPDIR": str(temporary)}
    script = (
        "import sys; from pathlib import Path; from umkmkit.grading.grader import grade; "
        "from umkmkit.workspace import Cohort; grade(Cohort(Path(sys.argv[1])), sys.argv[2], workers=2, timeout=60)"
    )
    log = (tmp_path / "grader.log").open("w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", script, str(cohort.root), ASSIGNMENT], env=environment,
                               stdout=log, stderr=subprocess.STDOUT)

    def ours() -> list[str]:
        # psutil, not ps: ps cuts its lines to $COLUMNS, and the paths come last
        import psutil

        found = []
        for running in psutil.process_iter(["pid", "cmdline", "status"]):
            line = f"{running.info['pid']} {' '.join(running.info['cmdline'] or [])}"
            if running.info["status"] != psutil.STATUS_ZOMBIE and (str(temporary) in line or str(cohort.root) in line):
                found.append(line)
        return found

    def kernel_running() -> bool:
        # through the fork server, or the launcher or plain (portable) when there is none; never the
        # start-up probe (it runs the launcher too, but no ipykernel)
        return any("umkmkit.grading.forkclient" in line or "ipykernel" in line for line in ours())

    deadline = time.monotonic() + 180
    while not kernel_running() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert process.poll() is None, (
        f"the grader ended (exit {process.returncode}) before a kernel started:\n"
        + (tmp_path / "grader.log").read_text(encoding="utf-8")[-3000:])
    assert kernel_running(), "no kernel started within 180 s"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while (ours() or list(temporary.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert ours() == [], "processes outlived the killed grader"
        left = sorted(str(path.relative_to(temporary)) for path in temporary.rglob("*"))
        assert list(temporary.glob("umkmkit-*")) == [], f"temporary folders outlived the killed grader: {left[:20]}"
    finally:
        log.close()
        shutil.rmtree(temporary, ignore_errors=True)
