"""The kit launches kernels through jupyter_client's public seams (umkmkit.grading.provisioner).

No kit class overrides an underscore name of jupyter_client's kernel managers, clients or
provisioners (those may change in any release); the provisioners are registered as entry
points and chosen by the managers' kernel specs; a killed kernel is waited for in short steps.
"""

from __future__ import annotations

import ast
import asyncio
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.client import KernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.multikernelmanager import AsyncMultiKernelManager, MultiKernelManager
from jupyter_client.provisioning import KernelProvisionerBase, LocalProvisioner
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from umkmkit.grading.kernel_spec import LAB_PROVISIONER, SANDBOX_PROVISIONER
from umkmkit.grading.provisioner import LabProvisioner, SandboxProvisioner
from umkmkit.room.lab_kernels import LabKernelManager, ValidationKernelManager
from umkmkit.grading.sandbox import SandboxKernelManager, SandboxPolicy, linux_sandbox

SRC = Path(__file__).resolve().parents[1] / "src" / "umkmkit"
#: jupyter_client's classes whose private names the kit must not override.
JUPYTER_CLIENT_CLASSES = (
    KernelManager, AsyncKernelManager, KernelClient, AsyncKernelClient, BlockingKernelClient,
    KernelProvisionerBase, LocalProvisioner, KernelProvisionerFactory, KernelSpecManager,
    MultiKernelManager, AsyncMultiKernelManager,
)


def private_jupyter_client_names() -> set[str]:
    """Every underscore name (not a dunder) of those classes, inherited ones included."""
    return {
        name for cls in JUPYTER_CLIENT_CLASSES for name in dir(cls)
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
    }


def names_defined_in_classes(tree: ast.Module) -> list[tuple[str, str, int]]:
    """(class, name, line) for every method and class-level assignment of every class."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((node.name, item.name, item.lineno))
            elif isinstance(item, ast.Assign):
                found += [(node.name, t.id, item.lineno) for t in item.targets if isinstance(t, ast.Name)]
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                found.append((node.name, item.target.id, item.lineno))
    return found


def test_no_kit_class_overrides_a_private_name_of_jupyter_client():
    private = private_jupyter_client_names()
    assert {"_async_launch_kernel", "_async_wait_for_ready", "_async_cleanup_resources", "_context_default"} <= private
    overrides = [
        f"{path.relative_to(SRC.parent)}:{line} {cls}.{name}"
        for path in sorted(SRC.rglob("*.py"))
        for cls, name, line in names_defined_in_classes(ast.parse(path.read_text(encoding="utf-8")))
        if name in private
    ]
    assert not overrides, "kit classes override private names of jupyter_client:\n" + "\n".join(overrides)


def test_the_scan_finds_such_an_override():
    tree = ast.parse("class M(AsyncKernelManager):\n    async def _async_launch_kernel(self, cmd, **kw): ...\n"
                     "    _kill_kernel = None\n")
    assert [(c, n) for c, n, _ in names_defined_in_classes(tree) if n in private_jupyter_client_names()] == [
        ("M", "_async_launch_kernel"), ("M", "_kill_kernel"),
    ]


def test_the_provisioners_are_registered_entry_points():
    found = {ep.name: ep.value for ep in entry_points(group=KernelProvisionerFactory.GROUP_NAME)}
    assert found.get(SANDBOX_PROVISIONER) == "umkmkit.grading.provisioner:SandboxProvisioner", (
        "reinstall the kit (make setup, or pip install --no-deps -e .): its entry points are missing"
    )
    assert found.get(LAB_PROVISIONER) == "umkmkit.grading.provisioner:LabProvisioner"


def test_the_managers_kernel_specs_name_their_provisioner_and_the_shared_spec_is_untouched():
    specs = KernelSpecManager()
    policy = SandboxPolicy(shared_folders=("/tmp",)).to_json()
    sandbox = SandboxKernelManager(kernel_name="python3", kernel_spec_manager=specs, policy_json=policy,
                                   use_forkserver=False, sandbox_uid=60123)
    lab = LabKernelManager(kernel_name="python3", kernel_spec_manager=specs, policy_json=policy)
    stanza = sandbox.kernel_spec.metadata["kernel_provisioner"]
    assert stanza == {"provisioner_name": SANDBOX_PROVISIONER, "config": {
        "policy_json": policy, "sandbox_uid": 60123, "use_forkserver": False, "preload": list(sandbox.preload),
    }}
    assert lab.kernel_spec.metadata["kernel_provisioner"] == {
        "provisioner_name": LAB_PROVISIONER, "config": {"policy_json": policy},
    }
    assert sandbox.kernel_spec.argv == specs.get_kernel_spec("python3").argv
    assert "kernel_provisioner" not in specs.get_kernel_spec("python3").metadata


@pytest.mark.parametrize("manager_class", [SandboxKernelManager, ValidationKernelManager])
def test_a_sandboxed_kernel_is_launched_by_the_provisioner_and_its_folder_removed(manager_class, tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    async def scenario() -> tuple[object, Path, bool, float]:
        manager = manager_class(kernel_name="python3")
        await manager.start_kernel(cwd=str(tmp_path))
        provisioner, folder = manager.provisioner, manager.provisioner.workdir
        copied = (folder / "kerja" / "data.csv").is_file()
        started = time.perf_counter()
        await manager.shutdown_kernel(now=True)
        return provisioner, folder, copied, time.perf_counter() - started

    provisioner, folder, copied, stopping = asyncio.run(scenario())
    assert isinstance(provisioner, SandboxProvisioner)
    assert copied and not folder.exists()
    # killed and waited for in 5 ms steps: jupyter_client alone sleeps 0.1 s before it looks again
    assert stopping < 0.1


def test_the_lab_provisioner_refuses_a_policy_without_the_participants_folder():
    from umkmkit.errors import UmkmkitError

    with pytest.raises(UmkmkitError, match="shared folder"):
        LabProvisioner(policy_json=SandboxPolicy().to_json()).policy()


@pytest.mark.skipif(not linux_sandbox(), reason="the fork server is the Linux sandbox's")
def test_forked_kernels_write_nothing_into_the_pipe_the_worker_no_longer_reads():
    """The worker reads the fork server's "ready" and nothing more. Kernels forked from it once
    inherited that pipe as standard output and wrote ipykernel's banner there (403 bytes each):
    after some 160 kernels the 64-KB pipe was full and every later kernel blocked before its
    handshake, so a whole cohort's grading waited out a 60-s timeout per notebook."""
    import array
    import fcntl
    import termios

    from umkmkit.grading import provisioner

    async def two_kernels() -> None:
        for _ in range(2):
            manager = SandboxKernelManager(kernel_name="python3", use_forkserver=True)
            await manager.start_kernel()
            client = manager.client()
            client.start_channels()
            await client.wait_for_ready(timeout=30)
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    provisioner.stop_forkserver()
    try:
        asyncio.run(two_kernels())
        server = provisioner._FORKSERVER
        assert server is not None, "the kernels did not come from the fork server"
        queued = array.array("i", [0])
        fcntl.ioctl(server[0].stdout.fileno(), termios.FIONREAD, queued)
        assert queued[0] == 0, f"{queued[0]} bytes written by forked kernels into the fork server's pipe"
    finally:
        provisioner.stop_forkserver()


_TRACEBACK_OF_A_CELL = """
import linecache, sys
from IPython.core.ultratb import AutoFormattedTB
if sys.argv[1] == "warm":
    from umkmkit.grading.forkserver import warm_up_tracebacks
    warm_up_tracebacks()
    assert not [name for name in linecache.cache if "warm-up" in name], "the warm-up left its cell behind"
    assert {"stack_data", "pygments.lexers.python", "pygments.formatters.terminal256"} <= set(sys.modules)
    import pygments.lexer
    assert getattr(pygments.lexer.regex_opt, "remembers", False), "pygments' keyword expressions are built anew"
cell = 'harga = 1000\\nassert harga * 2 == 3000, "Total belum benar."\\n'
linecache.cache["<sel-3>"] = (len(cell), None, cell.splitlines(True), "<sel-3>")
try:
    exec(compile(cell, "<sel-3>", "exec"), {})
except AssertionError:
    print("\\n".join(AutoFormattedTB(mode="Context", theme_name="neutral", tb_offset=1).structured_traceback(*sys.exc_info())))
"""


def test_the_fork_servers_warm_up_leaves_the_traceback_a_trainee_sees_unchanged(tmp_path):
    """The fork server formats one failing cell before it forks kernels (warm_up_tracebacks): each
    kernel inherits stack_data, pygments and the lexer's compiled expressions, and prints the
    same traceback as a kernel started cold."""
    import re
    import subprocess
    import sys

    texts = {}
    for mode in ("cold", "warm"):
        done = subprocess.run([sys.executable, "-c", _TRACEBACK_OF_A_CELL, mode], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        texts[mode] = done.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", texts["cold"])
    assert "Total belum benar." in plain and "harga * 2 == 3000" in plain  # the failing line, highlighted
    assert texts["warm"] == texts["cold"]


@pytest.mark.skipif(not linux_sandbox(), reason="the fork server runs with the Linux sandbox only")
def test_a_fork_server_whose_worker_died_while_it_started_ends_at_once(tmp_path):
    """The death signal (PR_SET_PDEATHSIG) is set in the first line the server runs; a worker that
    died before that sends none, and the server (now another process's child) must end itself,
    not preload and serve forever (seen under load: one outlived a killed grader)."""
    import os
    import subprocess
    import sys

    from umkmkit.grading.forkserver import PARENT_VARIABLE

    socket_path = tmp_path / "kernels.sock"
    server = subprocess.Popen(
        [sys.executable, "-m", "umkmkit.grading.forkserver", str(socket_path), "pandas"],
        env={**os.environ, PARENT_VARIABLE: str(os.getpid() + 1_000_000)},  # a parent that is no more
        stdout=subprocess.PIPE, start_new_session=True,
    )
    try:
        assert server.wait(timeout=60) == 0
        assert server.stdout.read() == b"" and not socket_path.exists()
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
