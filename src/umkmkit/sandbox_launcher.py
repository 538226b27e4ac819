"""The sandbox launcher: starts one kernel with limits and isolation (Linux). Standard library only.

It runs before every kernel start, so it must start fast: it imports nothing heavy. Usage:
`python -m umkmkit.sandbox_launcher POLICY_JSON UID WORKDIR -- COMMAND...`. See umkmkit.sandbox.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x40000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18,
)
PR_SET_PDEATHSIG = 1
#: First user id of the grading workers' sandbox users (one per worker, no login, no home).
SANDBOX_UID_BASE = 64000


#: What the sandbox protects, in the order the grading summary lists it.
PROTECTIONS = (
    "private folder", "limits", "no network", "grader's files hidden", "read-only outside its folder",
    "processes end with the kernel", "process cap", "separate user",
)


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits for one kernel; the defaults suit the kit's exercises on a trainer's laptop."""

    memory_mb: int = 2048
    cpu_seconds: int = 300
    processes: int = 96
    file_size_mb: int = 64
    isolate_network: bool = True
    switch_user: bool = True
    #: Folders the kernel must not see (the workspace with every cohort, the kit's solutions).
    hidden_paths: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SandboxPolicy:
        data = json.loads(text)
        data["hidden_paths"] = tuple(data.get("hidden_paths", ()))
        return cls(**data)


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _apply_limits(policy: SandboxPolicy) -> None:
    import resource

    mb = 1024 * 1024
    limits = {
        resource.RLIMIT_AS: policy.memory_mb * mb,
        resource.RLIMIT_CPU: policy.cpu_seconds,
        resource.RLIMIT_FSIZE: policy.file_size_mb * mb,
        resource.RLIMIT_NPROC: policy.processes,
        resource.RLIMIT_CORE: 0,
    }
    for kind, value in limits.items():
        resource.setrlimit(kind, (value, value))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    if _libc().mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {target}: {os.strerror(error)}")


def _isolate_files(policy: SandboxPolicy, workdir: Path) -> None:
    """In a private mount namespace: hide the given folders and the temporary folder (other
    kernels' folders among them), and make everything read-only except the kernel's own folder.

    The Python environment stays visible (read-only) even when it lives in the temporary
    folder, as a checkout in /tmp would have it.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    scratch = workdir.parent.parent
    python_dirs = sorted({
        Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)
        if Path(p).resolve().is_relative_to(scratch.resolve())
    })
    kept = [(workdir, os.open(workdir, os.O_RDONLY | os.O_DIRECTORY))]
    kept += [(path, os.open(path, os.O_RDONLY | os.O_DIRECTORY)) for path in python_dirs]
    for hidden in policy.hidden_paths:
        if Path(hidden).is_dir():
            _mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k")
    # the whole temporary folder goes: other kernels' folders and anything else left there
    _mount("tmpfs", str(scratch), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=1777")
    for path, handle in kept:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{handle}", str(path), None, MS_BIND | MS_REC)
        os.close(handle)
        if path != workdir:
            _mount(None, str(path), None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY)


#: cgroup folders that cap the number of processes (v1 pids controller, or v2).
_PIDS_CGROUPS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


def _join_pids_cgroup(limit: int) -> Path | None:
    """Move this process into a new cgroup allowing at most `limit` processes (root, Linux).

    RLIMIT_NPROC does not bind root, so a fork bomb is capped here instead.
    """
    for base in _PIDS_CGROUPS:
        if not (base / "cgroup.procs").exists() or not os.access(base, os.W_OK):
            continue
        group = base / f"umkmkit-{os.getpid()}"
        try:
            group.mkdir(exist_ok=True)
            (group / "pids.max").write_text(str(limit), encoding="ascii")
            (group / "cgroup.procs").write_text(str(os.getpid()), encoding="ascii")
            return group
        except OSError:
            try:
                group.rmdir()
            except OSError:
                pass
    return None


def run_sandboxed(
    policy: SandboxPolicy, uid: int, workdir: Path, start: Callable[[], None],
    on_child: Callable[[int], None] | None = None,
) -> int:
    """Run `start` (which must exec or exit) in a sandboxed child; return its exit status.

    Linux only. `on_child` is told the child's process id as soon as it exists.
    """
    import resource  # noqa: F401  (imported before dropping rights)

    cgroup = _join_pids_cgroup(policy.processes) if os.geteuid() == 0 else None
    try:
        return _run_isolated(policy, uid, workdir, start, on_child)
    finally:
        if cgroup is not None:
            _leave_cgroup(cgroup)


def _leave_cgroup(group: Path) -> None:
    try:
        (group.parent / "cgroup.procs").write_text(str(os.getpid()), encoding="ascii")
        group.rmdir()
    except OSError:
        pass


def _run_isolated(
    policy: SandboxPolicy, uid: int, workdir: Path, start: Callable[[], None],
    on_child: Callable[[int], None] | None,
) -> int:
    if os.geteuid() == 0:
        namespaces = CLONE_NEWNS | CLONE_NEWPID | (CLONE_NEWNET if policy.isolate_network else 0)
        if _libc().unshare(namespaces) == 0:
            _isolate_files(policy, workdir)
    # Interrupts reach the kernel directly (jupyter signals the whole process group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = os.fork()
    if child == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            # if the launcher is killed, the kernel dies, and with it its PID namespace
            _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            os.chdir(workdir / "kerja")
            if os.geteuid() == 0 and policy.switch_user and uid > 0:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            _apply_limits(policy)
            start()
        except BaseException as error:  # nothing may escape the forked child
            print(f"umkmkit sandbox: cannot start kernel: {error}", file=sys.stderr)
        finally:
            os._exit(127)
    if on_child:
        on_child(child)
    forward = lambda signum, frame: os.kill(child, signum)  # noqa: E731
    signal.signal(signal.SIGTERM, forward)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            return os.waitstatus_to_exitcode(status)
        except InterruptedError:
            continue


def main(argv: list[str]) -> int:
    """`python -m umkmkit.sandbox_launcher POLICY_JSON UID WORKDIR -- COMMAND...`"""
    if len(argv) < 5 or argv[3] != "--":
        print("usage: python -m umkmkit.sandbox_launcher POLICY_JSON UID WORKDIR -- COMMAND...", file=sys.stderr)
        return 2
    policy, command = SandboxPolicy.from_json(argv[0]), argv[4:]
    # a grading worker killed with -9 must not leave its kernel running
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return run_sandboxed(policy, int(argv[1]), Path(argv[2]), lambda: os.execvp(command[0], command))



if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
