"""Limits on trainee code while it is graded.

nbgrader runs a trainee's notebook with the grader's own rights, in a folder inside the
course directory. Here every kernel nbgrader starts goes through `SandboxKernelManager`:

- it runs in a fresh private folder holding only a copy of that trainee's submission (and the
  assignment's data files), never inside the course directory;
- on Linux it is started by the launcher (`python -m umkmkit.sandbox_launcher`), which sets
  resource limits (memory, CPU time, processes, file size) and, when the grader runs as root,
  gives the kernel its own network namespace (no network at all), its own PID namespace (every
  process it starts dies with it) and an unprivileged user id per grading worker (it cannot
  read the course directory, other trainees' work or the grader's files).

These protections are Linux-only; `check_protections` says which ones hold on this machine,
and the grading summary repeats it. Elsewhere the kernel still gets its private folder.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from queue import Empty

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Int, List, Unicode, default

from umkmkit.sandbox_launcher import PROTECTIONS, SANDBOX_UID_BASE, SandboxPolicy

__all__ = ["PROTECTIONS", "SANDBOX_UID_BASE", "SandboxKernelManager", "SandboxPolicy", "check_protections"]


def launcher_command(policy: SandboxPolicy, uid: int, workdir: Path, command: list[str]) -> list[str]:
    """The command that runs `command` under the sandbox (unchanged where it is unavailable)."""
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-m", "umkmkit.sandbox_launcher", policy.to_json(), str(uid), str(workdir), "--", *command]


def new_workdir() -> Path:
    """A fresh private folder for one kernel, with `kerja/` (its working directory) and `home/`."""
    base = Path(tempfile.gettempdir()) / "umkmkit-kernels"
    base.mkdir(mode=0o711, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="k-", dir=base))
    (workdir / "kerja").mkdir()
    (workdir / "home").mkdir()
    return workdir


_PROBE = r"""
import json, os, socket, sys, resource
report = {"uid": os.getuid(), "pid": os.getpid(), "memory": resource.getrlimit(resource.RLIMIT_AS)[0]}
try:
    report["pids_max"] = open(f"/proc/self/cgroup").read()
    report["process_cap"] = any(
        "umkmkit-" in line for line in report.pop("pids_max").splitlines() if "pids" in line or line.startswith("0::")
    )
except OSError:
    report["process_cap"] = False
try:
    open(sys.argv[3], "w").close()
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()
    report["network"] = True
except OSError:
    report["network"] = False
try:
    open(sys.argv[2], encoding="utf-8").read()
    report["reads_grader_files"] = True
except OSError:
    report["reads_grader_files"] = False
import ipykernel  # the kernel must be importable as the sandbox user
print(json.dumps(report))
"""


def check_protections(policy: SandboxPolicy, uid: int = SANDBOX_UID_BASE) -> tuple[SandboxPolicy, dict[str, str]]:
    """Try the sandbox once on this machine.

    Returns the policy to use (user switching turned off if the Python environment is not
    readable by other users) and, per protection, "on" or why it is off.
    """
    if not sys.platform.startswith("linux"):
        off = f"not available on {sys.platform} (Linux only)"
        return policy, dict.fromkeys(PROTECTIONS, off) | {"private folder": "on"}
    with tempfile.TemporaryDirectory(prefix="umkmkit-probe-") as scratch:
        secret = Path(scratch) / "grader-only.txt"
        secret.write_text("grader", encoding="utf-8")
        os.chmod(scratch, 0o700)
        # the probe also hides its own secret file, to check that hiding works
        probing = lambda p: replace(p, hidden_paths=(*p.hidden_paths, scratch))  # noqa: E731
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        try:
            report = _probe(probing(policy), uid, port, secret)
            if report is None and policy.switch_user:
                policy = replace(policy, switch_user=False)
                report = _probe(probing(policy), uid, port, secret)
        finally:
            listener.close()
    if report is None:
        off = "the sandbox launcher failed on this machine"
        return replace(policy, isolate_network=False, switch_user=False), (
            dict.fromkeys(PROTECTIONS, off) | {"private folder": "on"}
        )
    root = os.geteuid() == 0
    need_root = "needs the grader to run as root"
    return policy, {
        "private folder": "on",
        "limits": "on" if report["memory"] == policy.memory_mb * 1024 * 1024 else "off",
        "no network": "on" if not report["network"] else (need_root if not root else "off"),
        "grader's files hidden": "on" if not report["reads_grader_files"] else (need_root if not root else "off"),
        "read-only outside its folder": "on" if not report["writes_outside"] else (need_root if not root else "off"),
        "separate user": (
            "on" if report["uid"] != os.getuid()
            else need_root if not root
            else "off: the Python environment is not readable by other users"
        ),
        "processes end with the kernel": "on" if report["pid"] == 1 else (need_root if not root else "off"),
        "process cap": (
            "on" if report["process_cap"] or (report["uid"] != os.getuid() and report["uid"] != 0)
            else need_root if not root else "off: no writable pids cgroup"
        ),
    }


def _probe(policy: SandboxPolicy, uid: int, port: int, secret: Path) -> dict | None:
    """Run the probe in the sandbox; None if the launcher could not start it."""
    workdir = new_workdir()
    # a place the grader can write to; the sandboxed probe must not be able to
    outside = Path.home() / f".umkmkit-probe-{os.getpid()}"
    command = launcher_command(
        policy, uid, workdir, [sys.executable, "-c", _PROBE, str(port), str(secret), str(outside)],
    )
    try:
        if os.geteuid() == 0 and policy.switch_user:
            for path in (workdir, *workdir.rglob("*")):
                os.chown(path, uid, uid)
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=workdir / "kerja")
        if done.returncode != 0:
            return None
        report = json.loads(done.stdout.strip().splitlines()[-1])
        report["writes_outside"] = outside.exists()
        return report
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None
    finally:
        outside.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


class SandboxKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client with a start-up handshake that does not sleep.

    The stock `wait_for_ready` ends by draining IOPub until nothing has come for 0.2 s, and
    retries kernel_info only once a second: a fixed third of a second per notebook, more than
    a forked kernel needs to start. The handshake is the same (kernel_info reply on shell,
    then a message on IOPub so the subscription is known to be live); only the waits are short.
    Draining less is safe: nbclient ignores IOPub messages that answer another request.
    Its sockets also retry connecting every 5 ms instead of 100 ms, since they are opened
    before the kernel has bound its own.
    """

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, 5)
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=0.1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # the rest of the kernel_info exchange on IOPub
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts each kernel in a private folder under the sandbox launcher.

    nbgrader's Execute preprocessor uses it through configuration
    (`Execute.kernel_manager_class`); the policy and user id come from the grading worker.
    """

    policy_json = Unicode(SandboxPolicy().to_json(), config=True, help="SandboxPolicy as JSON.")
    sandbox_uid = Int(SANDBOX_UID_BASE, config=True, help="User id the kernel runs as (root only).")
    use_forkserver = Bool(
        sys.platform.startswith("linux"), config=True,
        help="Fork kernels from a server that imported ipykernel and `preload` once (Linux).",
    )
    preload = List(
        ["numpy", "pandas", "matplotlib", "matplotlib.pyplot"], config=True,
        help="Libraries the fork server imports once, because the exercises import them.",
    )

    _workdir: Path | None = None

    @default("client_factory")
    def _client_factory_default(self) -> type:
        return SandboxKernelClient

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # a killed kernel is gone within milliseconds: do not sleep a tenth of a second on it
        while await self._async_is_alive():
            await asyncio.sleep(0.005)

    async def _async_pre_start_kernel(self, **kw):
        policy = SandboxPolicy.from_json(self.policy_json)
        workdir = new_workdir()
        self._workdir = workdir
        work, home = workdir / "kerja", workdir / "home"
        source = kw.get("cwd")
        if source and Path(source).is_dir():
            copy_submission_files(Path(source), work)
        _seed_matplotlib_cache(home)
        # ipc sockets are files: they work across the network namespace the kernel gets
        self.transport = "ipc"
        self.ip = str(workdir / "ipc")
        self.connection_file = str(workdir / "kernel.json")
        kw["cwd"] = str(work)
        env = dict(kw.get("env") or os.environ)
        env.update(HOME=str(home), MPLCONFIGDIR=str(home / "matplotlib"), IPYTHONDIR=str(home / "ipython"),
                   TMPDIR=str(work), MPLBACKEND="agg")
        kw["env"] = env
        result = await super()._async_pre_start_kernel(**kw)
        if os.geteuid() == 0 and policy.switch_user and sys.platform.startswith("linux"):
            for path in (workdir, *workdir.rglob("*")):
                os.chown(path, self.sandbox_uid, self.sandbox_uid, follow_symlinks=False)
        return result

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        policy = SandboxPolicy.from_json(self.policy_json)
        server = _forkserver_socket(tuple(self.preload)) if self.use_forkserver else None
        if server and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]:
            request = {"argv": kernel_cmd[3:], "policy": policy.to_json(), "uid": self.sandbox_uid,
                       "workdir": str(self._workdir)}
            command = [sys.executable, "-m", "umkmkit.kernel_forkclient", server, json.dumps(request)]
        else:
            command = launcher_command(policy, self.sandbox_uid, self._workdir, kernel_cmd)
        await super()._async_launch_kernel(command, **kw)

    async def cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super().cleanup_resources(restart=restart)
        finally:
            if self._workdir is not None and not restart:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None


_FORKSERVER: tuple[subprocess.Popen, str, str] | None = None


def _forkserver_socket(preload: tuple[str, ...]) -> str | None:
    """The socket of this process's kernel fork server, started on first use; None if it fails."""
    global _FORKSERVER
    if _FORKSERVER is not None and _FORKSERVER[0].poll() is None:
        return _FORKSERVER[1]
    folder = tempfile.mkdtemp(prefix="umkmkit-forkserver-")
    path = os.path.join(folder, "kernels.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "umkmkit.kernel_forkserver", path, *preload],
        stdout=subprocess.PIPE, start_new_session=True,
    )
    if process.stdout.readline().strip() != b"ready":
        process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _FORKSERVER = (process, path, folder)
    atexit.register(_stop_forkserver)
    return path


def _stop_forkserver() -> None:
    global _FORKSERVER
    if _FORKSERVER is not None:
        process, _, folder = _FORKSERVER
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
        _FORKSERVER = None


#: More than this beside a notebook is not a submission: refuse rather than fill the disk.
MAX_COPY_BYTES = 200 * 1024 * 1024


def copy_submission_files(source: Path, target: Path) -> None:
    """Copy what sits beside the notebook being graded (data files) into the kernel's folder.

    Notebooks, nbgrader's timestamp and hidden files are left out; so is the sandbox's own
    base folder, should the source contain it.
    """
    base = (Path(tempfile.gettempdir()) / "umkmkit-kernels").resolve()
    skip = {"timestamp.txt"}
    files = [
        path for path in source.rglob("*")
        if path.is_file() and path.suffix != ".ipynb" and path.name not in skip
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
        and base not in path.resolve().parents
    ]
    if sum(path.stat().st_size for path in files) > MAX_COPY_BYTES:
        raise OSError(f"{source} holds more than {MAX_COPY_BYTES // 2**20} MB beside the notebook")
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


_MPL_CACHE: Path | None = None


def _seed_matplotlib_cache(home: Path) -> None:
    """Give the kernel a copy of the grader's matplotlib font list, so it is not rebuilt each time."""
    global _MPL_CACHE
    if _MPL_CACHE is None:
        configured = os.environ.get("MPLCONFIGDIR")
        candidates = [Path(configured)] if configured else []
        candidates.append(Path.home() / ".cache" / "matplotlib")
        _MPL_CACHE = next((c for c in candidates if c.is_dir()), Path())
    target = home / "matplotlib"
    target.mkdir(exist_ok=True)
    if _MPL_CACHE != Path():
        for font_list in _MPL_CACHE.glob("fontlist-*.json"):
            shutil.copy(font_list, target / font_list.name)

