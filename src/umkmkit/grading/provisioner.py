"""How the kit's kernels are launched: jupyter_client kernel provisioners, and the fork server's life.

Two provisioners, registered in pyproject.toml under jupyter_client's entry-point group
`jupyter_client.kernel_provisioners`:

- `SandboxProvisioner` ("umkmkit-sandbox"): grading's kernels, and nbgrader's Validate in the
  lab (`umkmkit.grading.sandbox.SandboxKernelManager`). Each kernel gets a fresh private folder with a
  copy of the files beside the notebook, and starts under the sandbox launcher
  (`umkmkit.grading.launcher`), or is forked from this process's fork server
  (`umkmkit.grading.forkserver`, through `umkmkit.grading.forkclient`); on the portable path a
  watchdog (`umkmkit.grading.watchdog`) holds it to the limits. A killed or stopped kernel is
  waited for in steps of 5 ms, not jupyter_client's 100 ms.
- `LabProvisioner` ("umkmkit-lab"): the participants' kernels of `umkmkit lab`
  (`umkmkit.room.lab_kernels.LabKernelManager`): the launcher with the participants' folder shared,
  started in the notebook's folder; the kernel's private folder survives restarts.

Why a provisioner: it is jupyter_client's supported seam (since 7.0) for how a kernel process
is prepared, launched, signalled, waited for and cleaned up (`pre_launch`, `launch_kernel`,
`kill`, `shutdown_requested`, `cleanup`). The kit used to override the kernel manager's private
coroutines (`_async_pre_start_kernel`, `_async_launch_kernel`, `_async_cleanup_resources`,
`_async_wait`), which any jupyter_client release may rename or reorder;
tests/test_kernel_provisioner.py fails should a kit class override an underscore name of
jupyter_client again.

How a manager chooses its provisioner: jupyter_client's `KernelProvisionerFactory` reads the
provisioner's name (and its configuration) from the kernel spec's metadata,
`kernel_provisioner.provisioner_name`, and loads it through the entry points. The kit's managers
hand the factory a copy of the kernel spec with that stanza, through the manager's public
`kernel_spec` property (`spec_with_provisioner`): the same stanza a kernel.json installed by
hand would carry, without trainers installing kernel specs. The narrower-looking alternatives do
not fit: a kernel spec installed by hand would also change the kernels of the trainer's own
JupyterLab and of the room server; the factory's `default_provisioner_name` is one per process,
while one lab server starts participants' kernels (lab) and Validate's (grading) side by side;
assigning `KernelManager.provisioner` would bypass the factory and the entry points, and has no
public moment before the manager's (private) pre-start creates it.

What a provisioner cannot do stays on the managers and the client, through public names only:
the quick start-up handshake (`SandboxKernelClient.wait_for_ready`), restarting a kernel that
lost a port race (`umkmkit.grading.kernel_start.SteadyStart.start_kernel`), and Validate's default
working directory (`ValidationKernelManager.start_kernel`).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Int, List, Unicode

from umkmkit.errors import UmkmkitError
from umkmkit.grading.sandbox import (
    SANDBOX_UID_BASE, SandboxPolicy, chown_for_kernel, copy_submission_files, kernel_environment, launcher_command,
    linux_sandbox, new_workdir, run_folder,
)

#: The steps in which a stopping kernel is waited for (jupyter_client's manager polls every 0.1 s).
EXIT_POLL = 0.005
#: At most this long a kernel asked to shut down is waited for in those steps; then jupyter_client's
#: own schedule (its waits, then SIGTERM, then SIGKILL) takes over.
SHUTDOWN_WAIT = 0.5
#: At most this long a killed kernel is waited for in those steps.
KILL_WAIT = 1.0


class _WaitsForExitQuickly(LocalProvisioner):
    """LocalProvisioner whose kill and shutdown wait for the process in short steps, so the
    manager's next poll finds it gone instead of sleeping a tenth of a second."""

    async def exited_within(self, seconds: float) -> bool:
        """Whether the kernel process ended within `seconds` (looked at every EXIT_POLL)."""
        deadline = time.monotonic() + seconds
        while await self.poll() is None:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(EXIT_POLL)
        return True

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart=restart)
        await self.exited_within(KILL_WAIT)

    async def shutdown_requested(self, restart: bool = False) -> None:
        await super().shutdown_requested(restart=restart)
        await self.exited_within(SHUTDOWN_WAIT)


class SandboxProvisioner(_WaitsForExitQuickly):
    """Grading's kernels: a fresh private folder each start, the sandbox launcher or the fork
    server, the watchdog on the portable path (module docstring). Configured by
    `SandboxKernelManager` through the kernel spec's provisioner stanza."""

    policy_json = Unicode(SandboxPolicy().to_json(), config=True, help="SandboxPolicy as JSON.")
    sandbox_uid = Int(SANDBOX_UID_BASE, config=True, help="User id the kernel runs as (root only).")
    use_forkserver = Bool(False, config=True, help="Fork the kernel from this process's fork server (Linux sandbox).")
    preload = List(config=True, help="Libraries the fork server imports once.")

    #: The kernel's private folder (its working directory kerja/, home/, connection file, sockets).
    workdir: Path | None = None
    watchdog = None

    def policy(self) -> SandboxPolicy:
        return SandboxPolicy.from_json(self.policy_json)

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        manager = self.parent
        if self.workdir is not None:  # a start tried again (umkmkit.grading.kernel_start): a fresh folder
            shutil.rmtree(self.workdir, ignore_errors=True)
        workdir = self.workdir = new_workdir()
        work, home = workdir / "kerja", workdir / "home"
        source = kwargs.get("cwd")
        if source and Path(source).is_dir():
            copy_submission_files(Path(source), work)
        if linux_sandbox():
            # ipc sockets are files: they work across the network namespace the kernel gets
            manager.transport, manager.ip = "ipc", str(workdir / "ipc")
        else:  # Windows has no ipc transport; the kernel shares the machine's network anyway
            manager.transport, manager.ip = "tcp", "127.0.0.1"
        manager.connection_file = str(workdir / "kernel.json")
        kwargs["cwd"] = str(work)
        kwargs["env"] = kernel_environment(kwargs.get("env"), home) | {"TMPDIR": str(work), "MPLBACKEND": "agg"}
        kwargs = await super().pre_launch(**kwargs)  # writes the connection file
        chown_for_kernel(workdir, self.policy(), self.sandbox_uid)
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        policy = self.policy()
        server = forkserver_socket(tuple(self.preload)) if self.use_forkserver and linux_sandbox() else None
        if server and cmd[1:3] == ["-m", "ipykernel_launcher"]:
            request = {"argv": cmd[3:], "policy": policy.to_json(), "uid": self.sandbox_uid, "workdir": str(self.workdir)}
            command = [sys.executable, "-m", "umkmkit.grading.forkclient", server, json.dumps(request)]
        else:
            command = launcher_command(policy, self.sandbox_uid, self.workdir, cmd)
        connection_info = await super().launch_kernel(command, **kwargs)
        if not linux_sandbox():
            from umkmkit.grading.watchdog import KernelWatchdog

            self.watchdog = KernelWatchdog(self.process.pid, policy, self.workdir).start()
        return connection_info

    async def cleanup(self, restart: bool = False) -> None:
        try:
            await super().cleanup(restart=restart)
        finally:
            if self.watchdog is not None:
                self.watchdog.stop()
                self.watchdog = None
            if self.workdir is not None and not restart:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None


def working_directory(requested: str | None, shared_folders: Sequence[str]) -> str:
    """Where a participant's kernel starts: its notebook's folder (`requested`, as Jupyter Server
    gives it) when that lies in a shared folder, else the first shared folder."""
    if requested:
        path = Path(requested).resolve()
        for folder in map(Path, shared_folders):
            if path == folder or folder in path.parents:
                return str(path)
    return shared_folders[0]


class LabProvisioner(LocalProvisioner):
    """The participants' kernels of `umkmkit lab`: the sandbox launcher with the participants'
    folder shared (`SandboxPolicy.shared_folders`), started in the notebook's folder; a private
    folder for the connection file, ipc sockets and home, kept over restarts (the server's
    channels stay on its sockets). Configured by `LabKernelManager`."""

    policy_json = Unicode(config=True, help="SandboxPolicy as JSON, the participants' folder in shared_folders.")

    workdir: Path | None = None

    def policy(self) -> SandboxPolicy:
        policy = SandboxPolicy.from_json(self.policy_json)
        if not policy.shared_folders:
            raise UmkmkitError(
                "LabKernelManager.policy_json names no shared folder (the participants' folder): start the "
                "participants' JupyterLab with `umkmkit lab`, which sets it."
            )
        return policy

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        policy = self.policy()
        if self.workdir is None:
            self.workdir = new_workdir()
        manager, workdir = self.parent, self.workdir
        # ipc sockets are files in the kernel's folder: they work across its network namespace
        manager.transport, manager.ip = "ipc", str(workdir / "ipc")
        manager.connection_file = str(workdir / "kernel.json")
        kwargs["cwd"] = working_directory(kwargs.get("cwd"), policy.shared_folders)
        kwargs["env"] = kernel_environment(kwargs.get("env"), workdir / "home")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        policy = replace(self.policy(), working_directory=kwargs["cwd"])
        return await super().launch_kernel(launcher_command(policy, SANDBOX_UID_BASE, self.workdir, cmd), **kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        try:
            await super().cleanup(restart=restart)
        finally:
            if self.workdir is not None and not restart:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None


# --- the fork server: one per grading worker, started on its first kernel --------------------------

_FORKSERVER: tuple[subprocess.Popen, str, str] | None = None


def forkserver_socket(preload: tuple[str, ...]) -> str | None:
    """The socket of this process's kernel fork server, started on first use; None if it fails."""
    global _FORKSERVER
    if _FORKSERVER is not None and _FORKSERVER[0].poll() is None:
        return _FORKSERVER[1]
    from umkmkit.grading.forkserver import PARENT_VARIABLE

    folder = tempfile.mkdtemp(prefix="forkserver-", dir=run_folder())
    path = os.path.join(folder, "kernels.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "umkmkit.grading.forkserver", path, *preload],
        stdout=subprocess.PIPE, start_new_session=True,
        env={**os.environ, PARENT_VARIABLE: str(os.getpid())},
    )
    if process.stdout.readline().strip() != b"ready":
        process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _FORKSERVER = (process, path, folder)
    atexit.register(stop_forkserver)
    return path


def stop_forkserver() -> None:
    """Stop this process's fork server (its kernels die with it) and remove its folder."""
    global _FORKSERVER
    if _FORKSERVER is not None:
        process, _, folder = _FORKSERVER
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
        _FORKSERVER = None


def kill_forkserver_now() -> None:
    """Kill this process's fork server (its kernels die with it) without waiting or locking:
    safe in a signal handler, when the grading process is gone."""
    if _FORKSERVER is not None:
        try:
            os.kill(_FORKSERVER[0].pid, 9)
        except OSError:
            pass
