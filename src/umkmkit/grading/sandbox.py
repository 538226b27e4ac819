"""Limits on trainee code while it is graded.

nbgrader runs a trainee's notebook with the grader's own rights, in a folder inside the
course directory. Here every kernel nbgrader starts goes through `SandboxKernelManager`, and
jupyter_client launches it with the kit's provisioner (`umkmkit.grading.provisioner`):

- it runs in a fresh private folder holding only a copy of that trainee's submission (and the
  assignment's data files and helper module), never inside the course directory; the folders
  of one grading run live in one private run folder (`run_folder`), removed when the run ends;
- on Linux it is started by the launcher (`umkmkit.grading.launcher`), which gives it a file
  system of its own (system libraries and the Python environment, read-only, and its folder),
  no network, its own processes, no capabilities at all, an unprivileged identity and limits
  on memory, CPU time, processes and file size — as root, and as a normal user where the
  machine allows unprivileged user namespaces.

`check_protections` runs a hostile probe through the same launcher once per grading run and
reports, protection by protection, what it could not do: the summary never says "on" for a
protection the probe defeated.

Elsewhere (Windows, macOS), and on Linux with UMKMKIT_SANDBOX=portable (the same code path, so
that CI proves it), the kernel is a plain child process in its private folder, talking over TCP
on 127.0.0.1; a watchdog (`umkmkit.grading.watchdog`, psutil) holds it to the memory, CPU-time,
process and file-size limits, nbgrader's cell timeout still applies, and the summary says what
is missing. No Unix-only call is reached on that path.
"""

from __future__ import annotations

import atexit
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
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Int, List, Unicode, default

from umkmkit.errors import UmkmkitError
from umkmkit.grading.kernel_spec import SANDBOX_PROVISIONER, spec_with_provisioner
from umkmkit.grading.kernel_start import SteadyStart
from umkmkit.grading.launcher import (
    PROBE_UID_BASE, PROTECTIONS, SANDBOX_UID_BASE, SandboxPolicy, kernel_counts_processes_per_namespace, run_probe,
)
from umkmkit.workspace import TIMESTAMP_FILE

__all__ = [
    "PROTECTIONS", "SANDBOX_UID_BASE", "SandboxKernelManager", "SandboxPolicy", "check_protections", "sandbox_mode",
]

#: Prefix of every temporary folder the sandbox makes (one per grading run, one per probe).
RUN_FOLDER_PREFIX = "umkmkit-run-"
#: The environment variable that selects the portable path on Linux.
SANDBOX_VARIABLE = "UMKMKIT_SANDBOX"


def sandbox_mode() -> str:
    """How kernels are contained here: "linux" (the launcher) or "portable" (a private folder and
    a watchdog: Windows, macOS, or Linux with UMKMKIT_SANDBOX=portable)."""
    chosen = os.environ.get(SANDBOX_VARIABLE, "").strip().lower()
    if chosen not in ("", "auto", "linux", "portable"):
        raise UmkmkitError(
            f"{SANDBOX_VARIABLE}={chosen!r} is not a sandbox this kit knows. Leave it unset (the best this "
            f"machine has) or set it to 'portable' (the path Windows and macOS take)."
        )
    linux = sys.platform.startswith("linux")
    if chosen == "linux" and not linux:
        raise UmkmkitError(f"{SANDBOX_VARIABLE}=linux, but this is {sys.platform}: unset it to grade here.")
    return "linux" if linux and chosen != "portable" else "portable"


def running_as_root() -> bool:
    """Whether this process runs as root (never on Windows, which has no user ids)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def linux_sandbox() -> bool:
    """Whether kernels go through the Linux launcher (else the portable path)."""
    return sandbox_mode() == "linux"


def launcher_command(policy: SandboxPolicy, uid: int, workdir: Path, command: list[str]) -> list[str]:
    """The command that runs `command` under the sandbox (unchanged where it is unavailable)."""
    if not linux_sandbox():
        return command
    return [sys.executable, "-m", "umkmkit.grading.launcher", policy.to_json(), str(uid), str(workdir), "--", *command]


#: Kernels talk to the grader over Unix sockets in their folder, whose paths may not pass 107
#: bytes: a run folder is made in the system's temporary folder when TMPDIR is too long for that.
_MAX_BASE_LENGTH = 40


def new_run_folder() -> Path:
    """A private folder (mode 0700) for one grading run's kernel folders and fork servers."""
    base = tempfile.gettempdir()
    if len(base) > _MAX_BASE_LENGTH and os.access("/tmp", os.W_OK):
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix=RUN_FOLDER_PREFIX, dir=base))


_RUN_FOLDER: Path | None = None


def run_folder() -> Path:
    """This process's run folder: UMKMKIT_RUN_FOLDER (set by grading for its workers), else one
    made on first use and removed at exit."""
    global _RUN_FOLDER
    if _RUN_FOLDER is None:
        given = os.environ.get("UMKMKIT_RUN_FOLDER")
        if given:
            _RUN_FOLDER = Path(given)
            _RUN_FOLDER.mkdir(mode=0o700, parents=True, exist_ok=True)
        else:
            _RUN_FOLDER = new_run_folder()
            atexit.register(shutil.rmtree, _RUN_FOLDER, True)
    return _RUN_FOLDER


def new_workdir(base: Path | None = None) -> Path:
    """A fresh private folder for one kernel, with `kerja/` (its working directory) and `home/`."""
    workdir = Path(tempfile.mkdtemp(prefix="k-", dir=base or run_folder()))
    (workdir / "kerja").mkdir()
    (workdir / "home").mkdir()
    return workdir


def chown_for_kernel(workdir: Path, policy: SandboxPolicy, uid: int) -> None:
    """As root with a separate user, the kernel's folder belongs to that user."""
    if linux_sandbox() and running_as_root() and policy.switch_user:
        for path in (workdir, *workdir.rglob("*")):
            os.chown(path, uid, uid, follow_symlinks=False)


def check_protections(policy: SandboxPolicy, uid: int | None = None) -> tuple[SandboxPolicy, dict[str, str]]:
    """Run the hostile probe once in the sandbox on this machine.

    Returns the policy to use and, per protection (PROTECTIONS), "on" or "off: why". A
    protection is "on" only when the probe tried to defeat it and failed. As root the probe runs
    as `uid`, by default a probe's own user id (PROBE_UID_BASE + n), never a kernel's.
    """
    if not linux_sandbox():
        return policy, portable_protections(policy)
    if uid is None:
        uid = PROBE_UID_BASE + os.getpid() % 1000
    seen = _probe(policy, uid)
    if seen is None and running_as_root() and policy.switch_user:
        policy = replace(policy, switch_user=False)
        seen = _probe(policy, uid)
    if seen is None:
        off = "off: the sandbox launcher failed on this machine"
        return replace(policy, isolate_network=False), dict.fromkeys(PROTECTIONS, off) | {"private folder": "on"}
    return policy, protection_status(policy, seen)


#: Runs as a kernel would on the portable path: starts a child, then grows until it is stopped.
PORTABLE_PROBE_CODE = r"""
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(os.getcwd(), child.pid, flush=True)
held = []
while True:
    held.append(bytearray(8 * 2**20))
    time.sleep(0.01)
"""


def portable_protections(policy: SandboxPolicy) -> dict[str, str]:
    """What the portable path gives, from a probe: a kernel-like process in a private folder
    under the watchdog, which must stop it past a (small) memory limit and end its child."""
    import psutil

    from umkmkit.grading.watchdog import INTERVAL, KernelWatchdog

    if sys.platform.startswith("linux"):
        where = f"{SANDBOX_VARIABLE}=portable was chosen (the path Windows and macOS take)"
    else:
        where = f"not available on {'Windows' if sys.platform == 'win32' else 'macOS' if sys.platform == 'darwin' else sys.platform}"
    base = new_run_folder()
    try:
        workdir = new_workdir(base)
        process = subprocess.Popen([sys.executable, "-c", PORTABLE_PROBE_CODE], cwd=workdir / "kerja",
                                   stdout=subprocess.PIPE, text=True)
        watchdog = KernelWatchdog(process.pid, replace(policy, memory_mb=min(policy.memory_mb, 256)), workdir).start()
        cwd, child = (process.stdout.readline().rsplit(" ", 1) + ["", ""])[:2]
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stopped = watchdog.reason == "memory"
        watchdog.stop()
        process.stdout.close()
        try:
            ended = not child.strip().isdigit() or psutil.Process(int(child)).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            ended = True
    finally:
        shutil.rmtree(base, ignore_errors=True)
    looks = f"every {INTERVAL:g} s"
    return {
        "private folder": "on" if cwd.endswith("kerja") else "off: the kernel did not start in its own folder",
        "limits": "on" if stopped else "off: the watchdog did not stop a kernel past its memory limit",
        "no capabilities": f"off: {where}; the kernel runs with your rights",
        "no network": f"off: {where}; the kernel can use the network",
        "grader's files hidden": f"off: {where}; the kernel can read what you can read",
        "read-only outside its folder": f"off: {where}; the kernel can change or delete what you can",
        "processes end with the kernel": (
            f"off: only the processes the watchdog saw end with the kernel (it looks {looks})" if ended
            else "off: a process the kernel started outlived it"
        ),
        "process cap": (
            f"off: the watchdog stops a kernel with more than {policy.processes} processes when it next looks "
            f"({looks}); a fast fork bomb starts many before that"
        ),
        "separate user": f"off: {where}; the kernel runs as you",
    }


def protection_status(policy: SandboxPolicy, seen: dict, as_root: bool | None = None) -> dict[str, str]:
    """The grading summary's protection lines from what the probe saw (run as root or not:
    default, as this process runs)."""
    root = running_as_root() if as_root is None else as_root
    userns = not (root and policy.switch_user)
    isolated = seen["pid"] == 1  # the probe was the first process of a namespace of its own
    why_not = (
        "off: this machine gave the kernel no namespaces of its own (unprivileged user namespaces "
        "are disabled here; run `umkmkit doctor` or grade as root)"
    )

    def status(held: bool, reason: str) -> str:
        return "on" if held else f"off: {reason}" if isolated else why_not

    escaped = seen["unmounted"] or seen["remounted"] or seen["capabilities"] != 0
    if root and policy.switch_user and seen["uid"] != 0:  # root's own id is 0: another id is a separate user
        separate = "on"
    elif root:
        separate = "off: kernels run as root's own user id, without capabilities, in a user namespace"
    else:
        separate = "off: not possible for a normal user (the kernel keeps your user id; its own file system hides your files)"
    scoped = not userns or kernel_counts_processes_per_namespace()
    return {
        "private folder": "on" if seen["cwd"].endswith("kerja") else "off: the kernel did not start in its own folder",
        "limits": "on" if seen["memory"] == policy.memory_mb * 1024 * 1024 else "off: the memory limit was not set",
        "no capabilities": (
            "on" if not escaped and seen["no_new_privs"]
            else "off: the probe kept capabilities (it could unmount or remount)" if escaped
            else "off: no_new_privs is not set"
        ),
        "no network": status(not seen["network"], "the probe reached a listener on this computer"),
        "grader's files hidden": status(
            not seen["read_secrets"] and not seen["listed_hidden"],
            f"the probe read {', '.join(seen['read_secrets'] + seen['listed_hidden'])}",
        ),
        "read-only outside its folder": status(
            not seen["wrote_outside"] and not escaped, f"the probe wrote {', '.join(seen['wrote_outside']) or 'after remounting'}",
        ),
        "processes end with the kernel": status(isolated, "the kernel has no process namespace of its own"),
        "process cap": (
            "on" if seen["forked"] < policy.processes + 20
            else "off: Linux older than 5.14 counts your own processes too, so no cap is set" if isolated and not scoped
            else why_not if not isolated else f"off: the probe started {seen['forked']} processes"
        ),
        "separate user": separate,
    }


def _probe(policy: SandboxPolicy, uid: int) -> dict | None:
    """Run the hostile probe (umkmkit.grading.launcher.PROBE_CODE) in a folder of its own."""
    base = new_run_folder()
    secret_folder = Path(tempfile.mkdtemp(prefix=RUN_FOLDER_PREFIX))
    shm_marker = Path("/dev/shm") / f"{RUN_FOLDER_PREFIX}{os.getpid()}"
    listener = socket.socket()
    try:
        workdir = new_workdir(base)
        chown_for_kernel(workdir, policy, uid)
        # a second copy of the solutions and a grader's file, which the kernel must not read
        secret = secret_folder / "solusi.ipynb"
        secret.write_text("kunci jawaban", encoding="utf-8")
        if shm_marker.parent.is_dir():
            shm_marker.write_text("rahasia", encoding="utf-8")
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        # the grader's home, by absolute path: the probe must not be able to create a file there
        home_target = Path.home() / f".{RUN_FOLDER_PREFIX}{os.getpid()}"
        probing = replace(policy, hidden_paths=(*policy.hidden_paths, str(secret_folder)))
        return run_probe(probing, uid, workdir, listener.getsockname()[1], secret, shm_marker, home_target)
    finally:
        listener.close()
        shm_marker.unlink(missing_ok=True)
        shutil.rmtree(secret_folder, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


class SandboxKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client with a start-up handshake that does not sleep.

    The stock `wait_for_ready` ends by draining IOPub until nothing has come for 0.2 s, and
    retries kernel_info only once a second: a fixed third of a second per notebook, more than
    a forked kernel needs to start. The handshake is the same (kernel_info reply on shell,
    then a message on IOPub so the subscription is known to be live); only the waits are short.
    Draining less is safe: nbclient ignores IOPub messages that answer another request.
    Its sockets also retry connecting every 5 ms instead of 100 ms, since they are opened
    before the kernel has bound its own: a zmq context of its own with that option, which
    `stop_channels` destroys as jupyter_client destroys the context it makes itself.
    """

    own_context: zmq.asyncio.Context | None = None

    @default("context")
    def _reconnecting_context(self) -> zmq.asyncio.Context:
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, 5)
        self.own_context = context
        return context

    def stop_channels(self) -> None:
        super().stop_channels()
        if self.own_context is not None and not self.own_context.closed:
            self.own_context.destroy(linger=100)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
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
                    adapt_to_protocol(self, reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # the rest of the kernel_info exchange on IOPub
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


def adapt_to_protocol(client: AsyncKernelClient, kernel_info_reply: dict) -> None:
    """What jupyter_client's own handshake does with the kernel_info reply: speak the kernel's
    major protocol version if it is not the client's."""
    major = int(kernel_info_reply["content"]["protocol_version"].split(".")[0])
    if major != protocol_version_info[0]:
        client.session.adapt_version = major


class SandboxKernelManager(SteadyStart, AsyncKernelManager):
    """A kernel manager that starts each kernel in a private folder under the sandbox launcher
    or from the fork server (`umkmkit.grading.provisioner.SandboxProvisioner`, which these traits
    configure), and, on the tcp transport of the portable path, again on new ports if it lost a
    port race (`umkmkit.grading.kernel_start`).

    nbgrader's Execute preprocessor uses it through configuration
    (`Execute.kernel_manager_class`); the policy and user id come from the grading worker.
    """

    policy_json = Unicode(SandboxPolicy().to_json(), config=True, help="SandboxPolicy as JSON.")
    sandbox_uid = Int(SANDBOX_UID_BASE, config=True, help="User id the kernel runs as (root only).")
    use_forkserver = Bool(
        config=True, help="Fork kernels from a server that imported ipykernel and `preload` once (Linux sandbox).",
    )
    preload = List(
        ["numpy", "pandas", "matplotlib", "matplotlib.pyplot"], config=True,
        help="Libraries the fork server imports once, because the exercises import them.",
    )

    @default("use_forkserver")
    def _use_forkserver_default(self) -> bool:
        return linux_sandbox()

    @default("client_factory")
    def _sandbox_client_factory(self) -> type:
        return SandboxKernelClient

    @property
    def kernel_spec(self):
        """The kernel spec, naming the sandbox's provisioner (`umkmkit.grading.provisioner` says why here)."""
        return spec_with_provisioner(super().kernel_spec, SANDBOX_PROVISIONER, {
            "policy_json": self.policy_json, "sandbox_uid": self.sandbox_uid,
            "use_forkserver": self.use_forkserver, "preload": list(self.preload),
        })


#: More than this beside a notebook is not a submission: refuse rather than fill the disk.
MAX_COPY_BYTES = 200 * 1024 * 1024


def copy_submission_files(source: Path, target: Path) -> None:
    """Copy what sits beside the notebook being graded (data files) into the kernel's folder.

    Notebooks, nbgrader's timestamp and hidden files are left out; so is the sandbox's own
    base folder, should the source contain it.
    """
    base = run_folder().resolve()
    skip = {TIMESTAMP_FILE}
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


#: What a kernel never needs of its starter's environment: the token of the JupyterLab serving the room.
_SERVER_ONLY_VARIABLES = ("JUPYTER_TOKEN",)


def kernel_environment(given: dict[str, str] | None, home: Path) -> dict[str, str]:
    """A kernel's environment: `given` (default: this process's), with `home` (in the kernel's own
    folder) as its home and matplotlib's and IPython's folders, and without the server's token."""
    _seed_matplotlib_cache(home)
    env = {key: value for key, value in (given or os.environ).items() if key not in _SERVER_ONLY_VARIABLES}
    env.update(HOME=str(home), MPLCONFIGDIR=str(home / "matplotlib"), IPYTHONDIR=str(home / "ipython"))
    return env


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

