"""The sandbox launcher: starts one kernel in a sandbox of its own (Linux). Standard library only.

It runs before every kernel start, so it must start fast: it imports nothing heavy. Usage:
`python -m umkmkit.grading.launcher POLICY_JSON UID WORKDIR -- COMMAND...`; the fork server
(`umkmkit.grading.forkserver`) calls `run_sandboxed` in-process. What a kernel gets on Linux:

- **its own file system**: a new root holding only an allowlist, read-only: the system's programs
  and libraries (/usr, /bin, /lib*, /etc), the Python environment, four device files, a private
  /tmp and /dev/shm, a new /proc, and the kernel's own folder (read-write). Cohorts, gradebooks,
  backups, the kit's solutions (wherever copied), the grader's home and other kernels' folders do
  not exist for it; `hidden_paths` are emptied too should they lie inside the allowlist. A lab's
  kernels also see `shared_folders` (the participants' folder), read-write, at their own paths.
- **no network, its own processes**: network and PID namespaces; when the kernel ends, every
  process it started ends with it.
- **no capabilities, ever**: the capability bounding set is emptied, every capability dropped and
  no_new_privs set before trainee code runs, so it cannot unmount, remount or regain rights.
- **an unprivileged identity**: as root, a user id per grading worker (SANDBOX_UID_BASE + n; the
  protection probe another, PROBE_UID_BASE + n); as a
  normal user, a user namespace of its own (the user id stays the trainer's). Both are what make
  the process cap count only the sandbox's own processes: RLIMIT_NPROC is never set on the
  trainer's own account (Linux counts a user namespace's processes apart since 5.14).
- limits on memory, CPU time and file size.

Where a step is impossible (no unprivileged user namespaces, an old kernel), the launcher does
what it can and `probe` reports it; umkmkit.grading.sandbox turns that into the grading summary.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18,
)
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}
_CAPABILITY_VERSION_3 = 0x20080522
#: First user id of the grading workers' sandbox users (one per worker, no login, no home).
SANDBOX_UID_BASE = 64000
#: First user id of the protection probes (one per probing process, no login, no home): apart from
#: every kernel's, since a probe fills its user's process cap on purpose and Linux counts that cap
#: per user id, so a kernel of the same id started meanwhile could not start its threads
#: (measured: "Resource temporarily unavailable", then the kernel died, when a probe ran as 64000).
PROBE_UID_BASE = SANDBOX_UID_BASE - 1000
#: What the kernel may see of the machine, read-only (besides the Python environment).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
#: Files of /etc nobody's kernel needs and a kernel running as root's own user could read.
SECRET_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers")
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")

#: What the sandbox protects, in the order the grading summary lists it.
PROTECTIONS = (
    "private folder", "limits", "no capabilities", "no network", "grader's files hidden",
    "read-only outside its folder", "processes end with the kernel", "process cap", "separate user",
)


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits for one kernel; the defaults suit the kit's exercises on a trainer's laptop."""

    memory_mb: int = 2048
    cpu_seconds: int = 300
    processes: int = 96
    file_size_mb: int = 64
    isolate_network: bool = True
    #: As root: run the kernel as an unprivileged user id of its own (else as root, in a user
    #: namespace, without capabilities). A normal user's kernels keep the user's id.
    switch_user: bool = True
    #: Folders the kernel must not see even where they lie inside what it may see.
    hidden_paths: tuple[str, ...] = ()
    #: Folders the kernel may read and write at their own paths besides its folder (the
    #: participants' folder of `umkmkit lab`); grading shares none.
    shared_folders: tuple[str, ...] = ()
    #: Where the kernel starts; empty: `kerja/` of its own folder. Must lie in a shared folder.
    working_directory: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SandboxPolicy:
        data = json.loads(text)
        for field in ("hidden_paths", "shared_folders"):
            data[field] = tuple(data.get(field, ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(_libc().mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def kernel_counts_processes_per_namespace() -> bool:
    """Linux 5.14 and later count a user namespace's processes apart (RLIMIT_NPROC via ucounts)."""
    try:
        major, minor = (int(part) for part in platform.release().split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 14)


def uses_user_namespace(policy: SandboxPolicy) -> bool:
    """A user namespace is needed unless root runs the kernel under a separate user id."""
    return not (os.geteuid() == 0 and policy.switch_user)


def _enter_namespaces(policy: SandboxPolicy) -> bool:
    """Unshare the namespaces the sandbox uses; False (nothing unshared) if the machine refuses."""
    userns = uses_user_namespace(policy)
    flags = CLONE_NEWNS | CLONE_NEWPID | (CLONE_NEWNET if policy.isolate_network else 0) | (CLONE_NEWUSER if userns else 0)
    uid, gid = os.geteuid(), os.getegid()
    if _libc().unshare(flags) != 0:
        return False
    if userns:
        # the same ids inside as outside; "deny" is required before an unprivileged gid_map
        Path("/proc/self/setgroups").write_text("deny", encoding="ascii")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1", encoding="ascii")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1", encoding="ascii")
    return True


def allowed_paths() -> list[str]:
    """The real paths the kernel sees read-only: system folders and the Python environment."""
    import site

    wanted = [*SYSTEM_PATHS, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site:
        wanted.append(user_site)
    found = []
    for path in wanted:
        if path in SYSTEM_PATHS and os.path.islink(path):
            continue  # recreated as a link by _build_root
        real = os.path.realpath(path)
        if os.path.isdir(real) and not any(real == kept or real.startswith(kept + os.sep) for kept in found):
            found = [kept for kept in found if not kept.startswith(real + os.sep)] + [real]
    return sorted(found)


def _build_root(policy: SandboxPolicy, workdir: Path) -> None:
    """Make a new root of the allowlist and the kernel's folder, and move into it (pivot_root)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    new_root = str(workdir / ".root")
    os.makedirs(new_root, exist_ok=True)
    _mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")

    def place(source: str, *, read_only: bool, recursive: bool = True) -> str:
        target = new_root + source
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _mount(source, target, None, MS_BIND | (MS_REC if recursive else 0))
        if read_only:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        return target

    # private /tmp and /dev/shm first: a Python environment or the kernel's folder may lie in /tmp
    for private in ("/tmp", "/dev/shm"):
        os.makedirs(new_root + private, exist_ok=True)
        _mount("tmpfs", new_root + private, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for path in allowed_paths():
        place(path, read_only=True)
    for path in SYSTEM_PATHS:  # merged /usr: /bin, /lib64 ... are links into /usr, and binaries need them
        if os.path.islink(path) and not os.path.lexists(new_root + path):
            os.symlink(os.readlink(path), new_root + path)
    for device in DEVICES:
        if os.path.exists(device):
            place(device, read_only=False, recursive=False)
    place(str(workdir), read_only=False, recursive=False)
    for shared in policy.shared_folders:
        place(shared, read_only=False, recursive=False)
    for secret in SECRET_FILES:
        if os.path.isfile(new_root + secret):
            _mount("/dev/null", new_root + secret, None, MS_BIND)
    for hidden in policy.hidden_paths:
        if os.path.isdir(new_root + hidden) and not str(workdir).startswith(hidden.rstrip("/") + "/"):
            _mount("tmpfs", new_root + hidden, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k")
    os.makedirs(new_root + "/proc", exist_ok=True)
    # this process is the namespace's first: the new /proc shows only the sandbox's processes
    _mount("proc", new_root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(new_root)
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(f"pivot_root: unknown system call number on {platform.machine()}")
    _check(_libc().syscall(number, b".", b"."), "pivot_root")
    _check(_libc().umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_bounding_set() -> None:
    libc = _libc()
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # an unknown number fails: the set is empty


def _drop_capabilities() -> None:
    """No capability left, and none to be gained by exec (setuid programs included)."""
    _check(_libc().capset(ctypes.byref(_CapHeader(_CAPABILITY_VERSION_3, 0)), (_CapData * 2)()), "capset")
    _check(_libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _apply_limits(policy: SandboxPolicy, scoped_processes: bool) -> None:
    import resource

    mb = 1024 * 1024
    limits = {
        resource.RLIMIT_AS: policy.memory_mb * mb,
        resource.RLIMIT_CPU: policy.cpu_seconds,
        resource.RLIMIT_FSIZE: policy.file_size_mb * mb,
        resource.RLIMIT_CORE: 0,
    }
    if scoped_processes:  # only where it counts the sandbox's processes, not the trainer's
        limits[resource.RLIMIT_NPROC] = policy.processes
    for kind, value in limits.items():
        resource.setrlimit(kind, (value, value))


#: cgroup folders that can cap the number of processes (v1 pids controller, or v2).
_PIDS_CGROUPS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


def _join_pids_cgroup(limit: int) -> Path | None:
    """Move this process into a new cgroup allowing at most `limit` processes (root only).

    Linux never applies RLIMIT_NPROC to user id 0, so a kernel running as root (without a
    separate user) is capped here instead.
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


def _leave_cgroup(group: Path) -> None:
    try:
        (group.parent / "cgroup.procs").write_text(str(os.getpid()), encoding="ascii")
        group.rmdir()
    except OSError:
        pass


def processes_are_scoped(policy: SandboxPolicy, isolated: bool) -> bool:
    """True when RLIMIT_NPROC would count only this sandbox's processes."""
    if not isolated:
        return False
    if not uses_user_namespace(policy):
        return True  # root: a user id used by this sandbox alone
    return kernel_counts_processes_per_namespace()


def run_sandboxed(
    policy: SandboxPolicy, uid: int, workdir: Path, start: Callable[[], None],
    on_child: Callable[[int], None] | None = None,
) -> int:
    """Run `start` (which must exec or exit) in a sandboxed child; return its exit status.

    Linux only. `on_child` is told the child's process id as soon as it exists. `uid` is the
    separate user id for a kernel started by root.
    """
    import resource  # noqa: F401  (imported before the file system goes away)

    root_kernel = os.geteuid() == 0 and not policy.switch_user
    cgroup = _join_pids_cgroup(policy.processes) if root_kernel else None
    try:
        return _run_isolated(policy, uid, workdir, start, on_child)
    finally:
        if cgroup is not None:
            _leave_cgroup(cgroup)


def _run_isolated(
    policy: SandboxPolicy, uid: int, workdir: Path, start: Callable[[], None],
    on_child: Callable[[int], None] | None,
) -> int:
    isolated = _enter_namespaces(policy)
    # Interrupts reach the kernel directly (jupyter signals the whole process group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = os.fork()
    if child == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            # if the launcher is killed, the kernel dies, and with it its PID namespace
            _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if isolated:
                _build_root(policy, workdir)
            _drop_bounding_set()
            if os.geteuid() == 0 and policy.switch_user and uid > 0:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                # a change of user clears the death signal: set it again, or the kernel outlives us
                _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if isolated or os.geteuid() == 0:
                _drop_capabilities()
            _apply_limits(policy, processes_are_scoped(policy, isolated))
            os.chdir(policy.working_directory or workdir / "kerja")
            start()
        except BaseException as error:  # nothing may escape the forked child
            print(f"umkmkit sandbox: cannot start kernel: {error!r}", file=sys.stderr)
        finally:
            os._exit(127)
    if on_child:
        on_child(child)
    forward = lambda signum, frame: os.kill(child, signum)  # noqa: E731
    signal.signal(signal.SIGTERM, forward)
    parent = os.getppid()
    while True:
        try:
            done, status = os.waitpid(child, os.WNOHANG)
        except InterruptedError:
            continue
        if done:
            return os.waitstatus_to_exitcode(status)
        if os.getppid() != parent:  # whoever started the kernel is gone: so is the kernel
            os.kill(child, signal.SIGKILL)
        time.sleep(0.005)


def main(argv: list[str]) -> int:
    """`python -m umkmkit.grading.launcher POLICY_JSON UID WORKDIR -- COMMAND...`"""
    if len(argv) < 5 or argv[3] != "--":
        print("usage: python -m umkmkit.grading.launcher POLICY_JSON UID WORKDIR -- COMMAND...", file=sys.stderr)
        return 2
    policy, command = SandboxPolicy.from_json(argv[0]), argv[4:]
    # a grading worker killed with -9 must not leave its kernel running
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return run_sandboxed(policy, int(argv[1]), Path(argv[2]), lambda: os.execvp(command[0], command))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# --- The probe: a hostile kernel, run once per grading run, to say truthfully what holds -------

#: Runs inside the sandbox as a kernel would, tries what a hostile submission tries, prints JSON.
PROBE_CODE = r"""
import ctypes, json, os, resource, socket, sys, time
port, secret, shm_marker, home_target, processes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
hidden = sys.argv[6:]
libc = ctypes.CDLL(None, use_errno=True)
seen = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
        "memory": resource.getrlimit(resource.RLIMIT_AS)[0]}
status = {line.split(":")[0]: line.split(":", 1)[1].strip() for line in open("/proc/self/status")}
seen["capabilities"] = int(status.get("CapEff", "0"), 16) | int(status.get("CapPrm", "0"), 16)
seen["no_new_privs"] = status.get("NoNewPrivs") == "1"
seen["unmounted"] = libc.umount2(b"/usr", 2) == 0 or libc.umount2(b"/proc", 2) == 0
seen["remounted"] = libc.mount(None, b"/", None, 32 | 4096, None) == 0
def wrote(path):
    try:
        with open(path, "x") as handle:
            handle.write("x")
    except OSError:
        return False
    os.unlink(path)  # only reached when the protection failed: leave nothing behind
    return True
seen["wrote_outside"] = [p for p in (home_target, "/usr/.umkmkit-probe") if wrote(p)]
def readable(path):
    try:
        open(path, "rb").read(1)
        return True
    except OSError:
        return False
seen["read_secrets"] = [p for p in (secret, shm_marker) if readable(p)]
seen["listed_hidden"] = [p for p in hidden if os.path.isdir(p) and os.listdir(p)]
try:
    socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
    seen["network"] = True
except OSError:
    seen["network"] = False
children = []
for _ in range(processes + 20):
    try:
        child = os.fork()
    except OSError:
        break
    if child == 0:
        time.sleep(30)
        os._exit(0)
    children.append(child)
seen["forked"] = len(children)
for child in children:
    os.kill(child, 9)
print(json.dumps(seen))
"""


def run_probe(
    policy: SandboxPolicy, uid: int, workdir: Path, port: int, secret: Path, shm_marker: Path,
    home_target: Path, timeout: float = 60,
) -> dict | None:
    """Run PROBE_CODE in the sandbox as a kernel would be run; its observations, or None when the
    launcher could not start it at all."""
    import subprocess

    command = [sys.executable, "-m", "umkmkit.grading.launcher", policy.to_json(), str(uid), str(workdir), "--",
               sys.executable, "-c", PROBE_CODE, str(port), str(secret), str(shm_marker), str(home_target),
               str(policy.processes), *policy.hidden_paths]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir / "kerja")
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None
