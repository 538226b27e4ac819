"""Limits on a kernel where the Linux sandbox is not available: a watchdog thread with psutil.

On Windows and macOS (and on Linux with UMKMKIT_SANDBOX=portable) a graded kernel is a plain
child process of the grading worker. Windows has no setrlimit, and a job object needs pywin32,
whose limits this machine (Linux) could not test; psutil works the same on every platform. So
the grader watches each kernel instead: every `interval` seconds it reads the memory, CPU time
and number of processes of the kernel and everything it started, and the size of the files in
its folder, and kills the whole tree when one passes the policy's limit. When the kernel
stops, every process the watchdog has seen it start is killed too.

What it cannot do, said plainly in the grading summary: it looks every tenth of a second, so a
program may briefly pass a limit (a fork bomb may start many processes before it is stopped,
and a process started and detached between two looks can outlive the kernel); it cannot stop a
kernel reading or writing the trainer's files or using the network.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psutil

from umkmkit.grading.launcher import SandboxPolicy

#: Seconds between two looks at a kernel.
INTERVAL = 0.1
#: Every this many looks, the files of the kernel's folder are measured too (a walk of the folder).
FOLDER_EVERY = 10

#: Why the watchdog stopped a kernel, in the words the grading log uses.
REASONS = {
    "memory": "used more memory than the limit",
    "cpu": "used more CPU time than the limit",
    "processes": "started more processes than the limit",
    "file size": "wrote a file bigger than the limit",
}


#: The watchdogs of this process's running kernels (for `kill_every_kernel_now`).
_RUNNING: set[KernelWatchdog] = set()
#: What the watchdogs of this process stopped, in words (grading reads and clears it per trainee).
STOPPED: list[str] = []


_CLOSED = threading.Event()


def kill_every_kernel_now() -> None:
    """Kill every kernel this process's watchdogs watch, and what they started, and any kernel
    started from now on: for a grading worker whose grading process is gone."""
    _CLOSED.set()
    for watchdog in list(_RUNNING):
        watchdog._kill_all(wait=False)


class KernelWatchdog:
    """Watches one kernel process (and what it starts) and kills the tree past a limit."""

    def __init__(self, pid: int, policy: SandboxPolicy, folder: Path | None = None, interval: float = INTERVAL) -> None:
        self.pid = pid
        self.policy = policy
        self.folder = folder
        self.interval = interval
        #: The limit the kernel passed ("memory", "cpu", "processes", "file size"), if it was stopped.
        self.reason: str | None = None
        self._seen: dict[int, psutil.Process] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watchdog-{pid}", daemon=True)

    def start(self) -> KernelWatchdog:
        _RUNNING.add(self)
        if _CLOSED.is_set():  # this worker is ending: a kernel started now would outlive it
            self._kill_all(wait=False)
            return self
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching and kill every process of the kernel's that is still running."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._look()
        self._kill_all()
        _RUNNING.discard(self)

    def _run(self) -> None:
        looks = 0
        while not self._stop.wait(self.interval):
            tree = self._look()
            if tree is None:
                return  # the kernel is gone; stop() ends what it left behind
            looks += 1
            reason = self._passed(tree, measure_folder=looks % FOLDER_EVERY == 0)
            if reason:
                self.reason = reason
                STOPPED.append(f"the grader's watchdog stopped the kernel: it {REASONS[reason]} ({self._limit(reason)})")
                self._kill_all()
                return

    def _look(self) -> list[psutil.Process] | None:
        """The kernel and its descendants now (remembered for the end), or None when it is gone."""
        try:
            kernel = self._seen.get(self.pid) or psutil.Process(self.pid)
            self._seen[self.pid] = kernel
            tree = [kernel, *kernel.children(recursive=True)]
        except psutil.Error:
            return None
        for process in tree:
            self._seen.setdefault(process.pid, process)
        return tree

    def _passed(self, tree: list[psutil.Process], measure_folder: bool) -> str | None:
        policy = self.policy
        if len(tree) - 1 > policy.processes:
            return "processes"
        memory = cpu = 0.0
        for process in tree:
            try:
                with process.oneshot():
                    # the kernel's resident memory; of what it started, only what each holds alone
                    # (after a fork, a child shares the kernel's pages: counting them again would
                    # stop a kernel that merely started a few processes)
                    memory += process.memory_info().rss if process.pid == self.pid else _unique_bytes(process)
                    times = process.cpu_times()
                    cpu += times.user + times.system
            except psutil.Error:
                continue
        if memory > policy.memory_mb * 2**20:
            return "memory"
        if cpu > policy.cpu_seconds:
            return "cpu"
        if measure_folder and self.folder is not None and _largest_file(self.folder) > policy.file_size_mb * 2**20:
            return "file size"
        return None

    def _limit(self, reason: str) -> str:
        policy = self.policy
        return {"memory": f"{policy.memory_mb} MB", "cpu": f"{policy.cpu_seconds} s",
                "processes": f"{policy.processes} processes", "file size": f"{policy.file_size_mb} MB"}[reason]

    def _kill_all(self, wait: bool = True) -> None:
        # a running tree is frozen first, so that nothing in it starts another process while it
        # is being ended (a fork bomb); a kernel already gone leaves only the processes seen
        for _ in range(10):
            tree = self._look()
            if tree is None:
                break
            for process in tree:
                try:
                    process.suspend()
                except psutil.Error:
                    pass
            again = self._look()
            if again is None or {p.pid for p in again} <= {p.pid for p in tree}:
                break
        # psutil.Process checks the process is still the one seen (its start time) before killing
        for process in list(self._seen.values()):
            try:
                process.kill()
            except psutil.Error:
                pass
        if wait:
            _wait_gone(list(self._seen.values()), timeout=3)


def _wait_gone(processes: list[psutil.Process], timeout: float) -> None:
    """Wait until each process has ended; a zombie (ended, not yet reaped by its parent) counts."""
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            while process.is_running() and process.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
                time.sleep(0.005)
        except psutil.Error:
            continue


def _unique_bytes(process: psutil.Process) -> int:
    """Memory only this process holds (psutil's USS: Linux, Windows, macOS); its resident
    memory where that cannot be read."""
    try:
        return process.memory_full_info().uss
    except psutil.AccessDenied:
        return process.memory_info().rss


def _largest_file(folder: Path) -> int:
    largest = 0
    for directory, _, names in os.walk(folder):
        for name in names:
            try:
                largest = max(largest, os.stat(os.path.join(directory, name)).st_size)
            except OSError:
                continue
    return largest
