"""The sandbox's kernel manager and client on their own (grading uses them for every notebook)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import zmq
from nbclient import NotebookClient
from traitlets.config import Config

from umkmkit.grading.sandbox import (
    PROTECTIONS, SandboxKernelClient, SandboxKernelManager, SandboxPolicy, check_protections, sandbox_mode,
)

#: What this machine gives (the probe grading runs): checks of a protection that is off are left out.
POLICY, STATUS = check_protections(SandboxPolicy())


@pytest.fixture(scope="module")
def policy_json() -> str:
    return POLICY.to_json()


def run(cells: list[str], policy_json: str, forkserver: bool = True) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    config = Config()
    config.SandboxKernelManager.policy_json = policy_json
    config.SandboxKernelManager.use_forkserver = forkserver
    NotebookClient(nb, kernel_manager_class=SandboxKernelManager, config=config,
                   shutdown_kernel="immediate", timeout=30).execute()
    return nb


def test_kernel_client_is_the_sandbox_client_with_fast_reconnect(policy_json):
    manager = SandboxKernelManager(policy_json=policy_json)
    client = manager.client()
    assert isinstance(client, SandboxKernelClient)
    assert client.context.getsockopt(zmq.RECONNECT_IVL) == 5
    client.context.destroy()


def test_each_notebook_gets_a_fresh_kernel_in_a_private_folder(policy_json):
    first = run(["import os; print(os.getpid(), os.getcwd())", "rahasia = 1"], policy_json)
    second = run(["import os; print(os.getpid(), os.getcwd())", "print('rahasia' in globals())"], policy_json)
    pid_a, folder_a = first.cells[0].outputs[0]["text"].split()
    pid_b, folder_b = second.cells[0].outputs[0]["text"].split()
    assert folder_a != folder_b and folder_a.endswith("kerja")
    assert second.cells[1].outputs[0]["text"].strip() == "False"
    if STATUS["processes end with the kernel"] == "on":
        assert pid_a == pid_b == "1" or pid_a != pid_b  # own PID namespace or new process


@pytest.mark.parametrize("forkserver", [True, False], ids=["fork-server", "plain-launcher"])
def test_the_kernel_sees_only_its_folder_and_the_python_it_needs(policy_json, forkserver, kit):
    nb = run([
        "import os, pandas; print(os.getcwd().endswith('kerja'), pandas.__name__)",
        f"home = {str(Path.home())!r}\nprint(os.path.exists({str(kit.solutions_dir)!r}), "
        "sorted(os.listdir(home)) if os.path.isdir(home) else [])",
        "import pdb; print(open('/proc/self/status').read().count('CapEff:\t0000000000000000'))",
    ], policy_json, forkserver)
    printed = [cell.outputs[0]["text"].strip() for cell in nb.cells]
    assert printed[0] == "True pandas"
    if STATUS["grader's files hidden"] == "on" and STATUS["no capabilities"] == "on":
        # the kit's solutions do not exist for it; of the grader's home, only the way to Python
        from umkmkit.grading.launcher import allowed_paths

        home = str(Path.home())
        ways = sorted({p[len(home) + 1:].split("/")[0] for p in allowed_paths() if p.startswith(home + "/")})
        assert printed[1] == f"False {ways}"
        assert printed[2] == "1"  # no capabilities


def test_outputs_of_every_cell_arrive_after_the_short_handshake(policy_json):
    nb = run([f"print({n} * 2)" for n in range(20)], policy_json)
    assert [cell.outputs[0]["text"].strip() for cell in nb.cells] == [str(n * 2) for n in range(20)]


def test_waiting_for_a_dead_kernel_fails_instead_of_hanging(policy_json):
    async def scenario() -> str:
        manager = SandboxKernelManager(policy_json=policy_json)
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await manager.shutdown_kernel(now=True)
        try:
            await client.wait_for_ready(timeout=10)
        except RuntimeError as error:
            return str(error)
        finally:
            client.stop_channels()
        return "ready"

    assert "died" in asyncio.run(scenario())


# --- as a normal user: the launcher and its probe need only the standard library -------------------

SRC = Path(__file__).resolve().parents[1] / "src"
SYSTEM_PYTHON = Path("/usr/bin/python3")
NORMAL_USER = "nobody"

as_normal_user = pytest.mark.skipif(
    sandbox_mode() != "linux" or os.geteuid() != 0 or not SYSTEM_PYTHON.exists()
    or shutil.which("runuser") is None,
    reason="trying a normal user's sandbox needs root (to become 'nobody'), runuser and a system Python",
)

NOBODY_PROBE = r"""
import json, os, socket, subprocess, sys
from pathlib import Path
from umkmkit.grading.launcher import SandboxPolicy, run_probe
base = Path(sys.argv[1])
# the trainer's own processes (a browser has hundreds of threads): they must not count
busy = [subprocess.Popen(["sleep", "60"]) for _ in range(int(sys.argv[2]))]
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
secret = base / "salinan" / "solusi.ipynb"
policy = SandboxPolicy(hidden_paths=(str(secret.parent),))
try:
    seen = run_probe(policy, 0, base / "k", listener.getsockname()[1], secret, Path("/dev/shm") / sys.argv[3],
                     base / "rumah" / "penanda.txt")
finally:
    for process in busy:
        process.kill()
print(json.dumps({"seen": seen, "policy": policy.to_json()}))
"""


@pytest.fixture()
def shared_tmp():
    """A temporary folder of this test's own that another user can enter (pytest's is 0700)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="umkmkit-uji-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@as_normal_user
def test_a_normal_users_kernel_is_sandboxed_too_and_its_process_cap_is_its_own(shared_tmp):
    import pwd

    from umkmkit.grading.sandbox import protection_status

    nobody = pwd.getpwnam(NORMAL_USER)
    base = shared_tmp / "biasa"
    for folder in (base, base / "k", base / "k" / "kerja", base / "k" / "home", base / "salinan", base / "rumah"):
        folder.mkdir()
    (base / "salinan" / "solusi.ipynb").write_text("kunci jawaban", encoding="utf-8")
    shm = Path("/dev/shm") / f"umkmkit-uji-biasa-{os.getpid()}"
    shm.write_text("rahasia", encoding="utf-8")
    for path in (base, *base.rglob("*")):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    try:
        done = subprocess.run(
            [shutil.which("runuser"), "-u", NORMAL_USER, "--", str(SYSTEM_PYTHON), "-c", NOBODY_PROBE, str(base), "150", shm.name],
            capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        )
    finally:
        shm.unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    seen, policy = result["seen"], SandboxPolicy.from_json(result["policy"])
    assert seen is not None, "the launcher did not start as a normal user"
    assert seen["uid"] == nobody.pw_uid and seen["capabilities"] == 0 and seen["no_new_privs"]
    status = protection_status(policy, seen, as_root=False)
    for protection in PROTECTIONS:
        if protection != "separate user":
            assert status[protection] == "on", (protection, status[protection], seen)
    # 150 of the user's own processes were running, and still the sandbox could start nearly its
    # whole allowance of 96, and not more: the cap counts only the sandbox's processes
    assert 80 <= seen["forked"] <= policy.processes, seen["forked"]
    assert not (base / "rumah" / "penanda.txt").exists()


VENV_IN_TMP_PROBE = r"""
import json, socket, sys
from pathlib import Path
from umkmkit.grading.launcher import SandboxPolicy, run_probe
base = Path(sys.argv[1])
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
seen = run_probe(SandboxPolicy(switch_user=False), 0, base / "k", listener.getsockname()[1], base / "x", base / "y",
                 base / "z")
print(json.dumps(seen))
"""


@pytest.mark.skipif(sandbox_mode() != "linux" or STATUS["grader's files hidden"] != "on",
                    reason="the Linux sandbox's own file system is not available here")
def test_a_python_environment_inside_tmp_still_runs_in_the_sandbox(tmp_path):
    """The kernel gets a private /tmp: a venv that lives in /tmp must be mounted into it, not hidden."""
    import tempfile
    import venv

    base = Path(tempfile.mkdtemp(prefix="umkmkit-uji-venv-", dir="/tmp"))
    try:
        venv.create(base / "venv", system_site_packages=True, symlinks=True)
        for folder in (base / "k", base / "k" / "kerja", base / "k" / "home"):
            folder.mkdir()
        done = subprocess.run([str(base / "venv" / "bin" / "python"), "-c", VENV_IN_TMP_PROBE, str(base)],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(SRC)})
        assert done.returncode == 0, done.stderr[-2000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen is not None, "the sandbox could not start a Python whose environment lies in /tmp"
        assert seen["cwd"].endswith("kerja")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_probe_runs_as_a_user_no_kernel_runs_as(monkeypatch):
    """The probe fills its user's process cap on purpose: a kernel sharing that user id could not
    start its threads meanwhile (seen as "Resource temporarily unavailable" and a dead kernel)."""
    from umkmkit.grading import sandbox
    from umkmkit.grading.launcher import SANDBOX_UID_BASE

    probed = []
    monkeypatch.setattr(sandbox, "linux_sandbox", lambda: True)
    monkeypatch.setattr(sandbox, "_probe", lambda policy, uid: probed.append(uid))
    check_protections(SandboxPolicy(switch_user=False))
    kernel_uids = range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + 1000)  # the grading workers' (grader.py)
    assert len(probed) == 1 and probed[0] > 0 and probed[0] not in kernel_uids
    assert SandboxKernelManager().sandbox_uid in kernel_uids
