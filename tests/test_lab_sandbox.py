"""`umkmkit lab` keeps participants' code out of the trainer's files: the kernels of the
participants' JupyterLab run in the grading sandbox where this machine allows it, and the lab
says plainly when it cannot.

The browser test starts the real command in a temporary workspace holding a cohort (with its
gradebook) and uses the kit's own solutions, and runs code in a participant notebook in Chromium.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser import chromium_page, require_chromium, wait_for_kernel
from test_lab_browser import ASSIGNMENT, COHORT, TRAINEE, LabCommand, leaving_the_machine

from umkmkit.course import notebooks
from umkmkit.room import lab_kernels
from umkmkit.cohort.cohorts import create_cohort
from umkmkit.room.lab import KERNEL_NAME, LESSONS, PARTICIPANT, lesson_datasets, prepare_lab
from umkmkit.room.lab_kernels import (
    LabKernelManager, LabProtection, ValidationKernelManager, check_lab_protection, lab_policy, protection_lines,
    server_arguments, working_directory,
)
from umkmkit.workspace import GRADEBOOK_FILE, Workspace

#: What a participant's notebook tries: the trainer's files by absolute path, then its own data.
HOSTILE_CELL = """\
import pathlib
for target in {targets!r}:
    try:
        pathlib.Path(target).read_bytes()
        print("TERBACA", target)
    except OSError as error:
        print("DITOLAK", type(error).__name__)
"""
DATASET_CELL = "import pandas as pd\nprint('BARIS', len(pd.read_csv('../datasets/{name}')))"
PLOT_CELL = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2]);"
VALIDATE_CELL = """\
import os
assert not os.path.exists({gradebook!r}), "gradebook terbaca"
assert os.path.basename(os.getcwd()) == "kerja" and open("data.csv").read().startswith("a")
"""
WRITE_CELL = "open('catatan-peserta.txt', 'w', encoding='utf-8').write('halo'); import os; print('CWD', os.getcwd())"
#: A participant's way around the sandbox: config that nbgrader would run in the server, as the trainer.
ESCAPE_CELL = "open('../nbgrader_config.py', 'w').write({config!r})"


def sandbox_or_skip(folder: Path) -> None:
    protection = check_lab_protection(folder)
    if not protection.sandboxed:
        pytest.skip(f"this machine cannot sandbox lab kernels ({protection.why_not}); "
                    "`umkmkit lab` warns instead, as test_lab_without_a_sandbox_warns_in_indonesian_then_english checks")


def test_participant_code_cannot_read_gradebook_or_solutions_but_reads_its_data(kit, curriculum, tmp_path):
    workspace = tmp_path / "workspace"
    (workspace / "lab" / "peserta").mkdir(parents=True)
    sandbox_or_skip(workspace / "lab" / "peserta")
    require_chromium()  # a missing browser fails, as every browser test does (tests/browser.py)

    cohort = create_cohort(kit, curriculum, Workspace(workspace), COHORT, [TRAINEE], assignment_ids=[ASSIGNMENT])
    gradebook = cohort.root / GRADEBOOK_FILE
    solution = kit.solution_dir(ASSIGNMENT) / "latihan.ipynb"
    assert gradebook.is_file() and solution.is_file()
    dataset = lesson_datasets(kit, curriculum)[0]  # copied to the participants' datasets/ by the lab
    # the participant's own notebook, in lessons/ as a copy of a lesson would be
    probe = workspace / "lab" / "peserta" / LESSONS / "uji-sandbox.ipynb"
    probe.parent.mkdir(parents=True)
    escaped = tmp_path / "keluar-dari-sandbox"
    cells = [HOSTILE_CELL.format(targets=[str(gradebook), str(solution)]), DATASET_CELL.format(name=dataset),
             PLOT_CELL, WRITE_CELL, ESCAPE_CELL.format(config=f"open({str(escaped)!r}, 'w').write('keluar')\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebooks.write_notebook(nb, probe)

    # an exercise whose graded check cell passes only where the gradebook cannot be seen, for Validate
    exercise = workspace / "lab" / "peserta" / "latihan" / "uji-sandbox" / "cek.ipynb"
    exercise.parent.mkdir(parents=True)
    check = nbformat.v4.new_code_cell(VALIDATE_CELL.format(gradebook=str(gradebook)), metadata={"nbgrader": {
        "grade": True, "grade_id": "cek", "locked": True, "points": 1, "schema_version": 3, "solution": False,
        "task": False}})
    notebooks.write_notebook(nbformat.v4.new_notebook(cells=[check], metadata=nb.metadata), exercise)
    (exercise.parent / "data.csv").write_text("a\n1\n", encoding="utf-8")

    lab = LabCommand([], workspace)
    requests: list[str] = []
    try:
        # Validate (what its button posts): runs in the sandbox, on a copy of the exercise's folder
        validated = validate(lab, exercise.relative_to(workspace / "lab" / "peserta").as_posix())
        assert validated["success"] and "failed" not in validated["value"], validated
        assert any(line.startswith("Perlindungan: sandbox aktif") for line in lab.printed), lab.printed
        with chromium_page(record=requests) as page:
            page.goto(f"{lab.origin}/lab/tree/{LESSONS}/{probe.name}?token={lab.token}")
            panel = page.locator(".jp-NotebookPanel:visible")
            panel.locator(".jp-Cell").nth(len(cells) - 1).wait_for()
            wait_for_kernel(page)
            panel.locator(".jp-Cell").first.locator(".cm-content").click()
            for _ in cells:
                page.keyboard.press("Shift+Enter")
            last = panel.locator(".jp-Cell").nth(len(cells) - 1)
            last.locator(".jp-InputPrompt", has_text=f"[{len(cells)}]").wait_for()
            outputs = [panel.locator(".jp-Cell").nth(i).locator(".jp-OutputArea").inner_text() for i in range(len(cells))]
            page.screenshot(path=str(tmp_path / "peserta-sandbox.png"))
            # the trainer's files do not exist for the participant's code...
            assert outputs[0].split() == ["DITOLAK", "FileNotFoundError", "DITOLAK", "FileNotFoundError"], outputs[0]
            # ...their own data does, by the lessons' relative path, and plots and saving work
            rows = len((kit.datasets_dir / dataset).read_text(encoding="utf-8").strip().splitlines()) - 1
            assert f"BARIS {rows}" in outputs[1], outputs[1]
            assert panel.locator(".jp-Cell").nth(2).locator(".jp-OutputArea img").count() == 1
            assert f"CWD {probe.parent}" in outputs[3], outputs[3]
            assert (workspace / "lab" / "peserta" / "nbgrader_config.py").is_file(), outputs[4]
            page.keyboard.press("Control+s")
            page.wait_for_function(
                "() => !document.querySelector('.jp-mod-current.jp-mod-dirty')", timeout=10_000)
        assert (probe.parent / "catatan-peserta.txt").read_text(encoding="utf-8") == "halo"
        # nbgrader's server extensions do not run the participants' nbgrader_config.py
        assert not validate(lab, exercise.relative_to(workspace / "lab" / "peserta").as_posix()).get("failed")
        with pytest.raises(urllib.error.HTTPError):
            request(lab, "GET", "assignments?course_id=uji")
        assert not escaped.exists()
        saved = notebooks.read_notebook(probe)
        assert "DITOLAK" in "".join(o.get("text", "") for o in saved.cells[0].outputs)
    finally:
        after = lab.stop()
    assert "JupyterLab stopped." in after
    assert requests and not leaving_the_machine(requests, lab.origin)


def validate(lab: LabCommand, path: str) -> dict:
    """What nbgrader's Validate button gets from the server for the notebook at `path`."""
    return json.loads(request(lab, "POST", "assignments/validate", {"path": path}))


def request(lab: LabCommand, method: str, path: str, form: dict | None = None) -> bytes:
    """One request to the lab with its token, as a participant's browser (or script) makes it."""
    sent = urllib.request.Request(f"{lab.origin}/{path}", method=method, headers={"Authorization": f"token {lab.token}"},
                                  data=urllib.parse.urlencode(form).encode() if form is not None else None)
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sent, timeout=120) as response:
        return response.read()


def test_lab_without_a_sandbox_warns_in_indonesian_then_english(kit, curriculum, tmp_path, monkeypatch):
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("UMKMKIT_SANDBOX", "portable")  # the path Windows and macOS take
    setup = prepare_lab(kit, curriculum, port=8999)
    assert setup.kernel_policy is None
    assert not [a for a in setup.command() if "kernel_manager_class" in a or "LabKernelManager" in a]
    text = "\n".join(setup.protection)
    assert text.index("PERHATIAN") < text.index("WARNING")
    assert "gradebook" in text and "kunci jawaban" in text and "hub-config" in text
    validate = json.loads((setup.config_dir / "nbgrader" / "nbgrader_config.json").read_text(encoding="utf-8"))
    assert validate == {"Execute": {"kernel_manager_class": "umkmkit.grading.kernel_start.SteadyKernelManager"}}


def test_lab_on_windows_checks_the_platform_before_anything_unix_only(tmp_path):
    from test_portable_path import pretending_windows

    code = ("import sys; from pathlib import Path; from umkmkit.grading import sandbox; from umkmkit.room.lab_kernels import "
            "check_lab_protection, protection_lines; assert sandbox.sys.platform == 'win32'; "
            "print(protection_lines(check_lab_protection(Path(sys.argv[1])))[0])")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=pretending_windows(),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Perlindungan: TIDAK ADA / Protection: NONE"


def test_sandboxed_lab_configures_kernels_and_validate_through_jupyter_config(kit, curriculum, tmp_path, monkeypatch):
    monkeypatch.setenv("UMKMKIT_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setattr(lab_kernels, "check_lab_protection",
                        lambda folder, hidden: LabProtection(lab_policy(folder, hidden)))
    (tmp_path / "workspace" / "cohorts").mkdir(parents=True)
    setup = prepare_lab(kit, curriculum, port=8999)
    assert setup.mode == PARTICIPANT and setup.server_cwd == setup.config_dir != setup.root_dir
    assert [line.split(" / ")[0] for line in setup.protection] == ["Perlindungan: sandbox aktif, kode peserta hanya melihat folder peserta"]
    command = setup.command()
    assert "--MultiKernelManager.kernel_manager_class=umkmkit.room.lab_kernels.LabKernelManager" in command
    policy = json.loads(next(a for a in command if a.startswith("--LabKernelManager.policy_json=")).split("=", 1)[1])
    assert policy["shared_folders"] == [str(setup.root_dir)] and policy["isolate_network"]
    assert str(kit.solutions_dir.resolve()) in policy["hidden_paths"]
    assert str((tmp_path / "workspace" / "cohorts").resolve()) in policy["hidden_paths"]
    assert not [p for p in policy["hidden_paths"] if Path(p) in setup.root_dir.parents]
    validate = json.loads((setup.config_dir / "nbgrader" / "nbgrader_config.json").read_text(encoding="utf-8"))
    assert validate["Execute"]["kernel_manager_class"] == "umkmkit.room.lab_kernels.ValidationKernelManager"
    assert json.loads(validate["SandboxKernelManager"]["policy_json"])["shared_folders"] == []


def test_kernels_start_in_their_notebooks_folder_inside_the_participants_folder(tmp_path):
    shared = [str(tmp_path)]
    (tmp_path / "lessons").mkdir()
    assert working_directory(str(tmp_path / "lessons"), shared) == str(tmp_path / "lessons")
    assert working_directory(str(tmp_path), shared) == str(tmp_path)
    assert working_directory("/etc", shared) == str(tmp_path)  # never outside the participants' folder
    assert working_directory(None, shared) == str(tmp_path)


def test_protection_line_is_one_short_line_for_trainers_and_sandboxed_rooms(tmp_path):
    for protection in (None, LabProtection(lab_policy(tmp_path))):
        lines = protection_lines(protection)
        assert len(lines) == 1 and lines[0].startswith("Perlindungan:") and " / Protection:" in lines[0]
    assert server_arguments(lab_policy(tmp_path))[0].endswith("LabKernelManager")
    assert issubclass(ValidationKernelManager, lab_kernels.SandboxKernelManager)


def test_sandboxed_kernel_executes_interrupts_restarts_and_shuts_down(tmp_path):
    """LabKernelManager as Jupyter Server drives it (no browser): the kernel lifecycle still works."""
    folder = tmp_path / "peserta"
    (folder / "latihan").mkdir(parents=True)
    protection = check_lab_protection(folder)
    if not protection.sandboxed:
        pytest.skip(f"this machine cannot sandbox lab kernels ({protection.why_not})")
    secret = tmp_path / "rahasia.txt"
    secret.write_text("kunci", encoding="utf-8")

    async def scenario() -> list[str]:
        manager = LabKernelManager(policy_json=protection.policy.to_json(), kernel_name="python3")
        await manager.start_kernel(cwd=str(folder / "latihan"))
        client = manager.client()
        client.start_channels()
        seen = []
        try:
            await client.wait_for_ready(timeout=60)
            seen.append(await run(client, f"import os; print(os.getcwd(), os.path.exists({str(secret)!r}))"))
            sleeping = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            await manager.interrupt_kernel()
            await output(client, sleeping)  # interrupted well before its 60 s
            seen.append(await run(client, "print('lanjut')"))
            await manager.restart_kernel()
            await client.wait_for_ready(timeout=60)
            seen.append(await run(client, "print('x' in globals())"))
        finally:
            client.stop_channels()
            await manager.shutdown_kernel()
        assert not await manager.is_alive()
        return seen

    seen = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert seen == [f"{folder / 'latihan'} False", "lanjut", "False"]


async def run(client, code: str) -> str:
    """Execute `code` and return what it printed."""
    return await output(client, client.execute(code))


async def output(client, msg_id: str) -> str:
    """What the request `msg_id` printed, once it is done (an earlier request's messages skipped)."""
    text = []
    while True:
        message = await client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            text.append(message["content"]["text"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return "".join(text).strip()

