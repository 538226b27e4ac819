"""The portable path: the watchdog that holds a kernel to its limits where the Linux sandbox is
missing (Windows, macOS, UMKMKIT_SANDBOX=portable). Real processes, no mocks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from umkmkit.errors import UmkmkitError
from umkmkit.grading.watchdog import STOPPED, KernelWatchdog
from umkmkit.grading.sandbox import SandboxKernelManager, SandboxPolicy, check_protections, sandbox_mode

CHILD_THEN = "import subprocess, sys, time\nchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\nprint(child.pid, flush=True)\n"


def watched(code: str, policy: SandboxPolicy, folder: Path | None = None, wait: float = 30):
    """Run `code` in a Python process under a watchdog; the watchdog and the child's pid (if printed)."""
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                               cwd=folder)
    watchdog = KernelWatchdog(process.pid, policy, folder).start()
    line = process.stdout.readline().strip()
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    watchdog.stop()
    process.stdout.close()
    return watchdog, int(line) if line.isdigit() else None


def gone(pid: int | None) -> bool:
    try:
        return pid is None or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_memory_past_the_limit_stops_the_kernel_and_what_it_started():
    watchdog, child = watched(CHILD_THEN + "held = []\nwhile True:\n    held.append(bytearray(8 * 2**20)); time.sleep(0.01)",
                              SandboxPolicy(memory_mb=200))
    assert watchdog.reason == "memory"
    assert gone(child)


def test_cpu_time_past_the_limit_stops_the_kernel():
    watchdog, _ = watched("while True:\n    pass", SandboxPolicy(cpu_seconds=1))
    assert watchdog.reason == "cpu"


def test_too_many_processes_stop_the_kernel_and_every_one_of_them():
    code = ("import subprocess, sys, time\nkids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])"
            " for _ in range(8)]\nprint(kids[0].pid, flush=True)\ntime.sleep(60)")
    watchdog, first = watched(code, SandboxPolicy(processes=4))
    assert watchdog.reason == "processes"
    assert gone(first)


def test_a_file_past_the_size_limit_stops_the_kernel(tmp_path):
    code = "import time\nwith open('besar.bin', 'wb') as f:\n    while True:\n        f.write(b'x' * 2**20); f.flush(); time.sleep(0.01)"
    watchdog, _ = watched(code, SandboxPolicy(file_size_mb=2), tmp_path)
    assert watchdog.reason == "file size"


def test_a_kernel_within_its_limits_is_left_alone_and_its_leftovers_end_with_it():
    watchdog, child = watched(CHILD_THEN + "time.sleep(0.5)", SandboxPolicy())
    assert watchdog.reason is None
    assert gone(child), "a process the kernel started outlived it"


def test_the_portable_path_is_chosen_by_variable_and_a_wrong_value_is_refused(monkeypatch):
    monkeypatch.setenv("UMKMKIT_SANDBOX", "portable")
    assert sandbox_mode() == "portable"
    _, status = check_protections(SandboxPolicy())
    assert status["private folder"] == status["limits"] == "on"
    assert all(status[p].startswith("off: UMKMKIT_SANDBOX=portable") for p in ("no network", "grader's files hidden"))
    monkeypatch.setenv("UMKMKIT_SANDBOX", "kotak")
    with pytest.raises(UmkmkitError, match="UMKMKIT_SANDBOX='kotak'.*portable"):
        sandbox_mode()


def run_portable(cells: list[str], policy: SandboxPolicy) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    config = Config()
    config.SandboxKernelManager.policy_json = policy.to_json()
    NotebookClient(nb, kernel_manager_class=SandboxKernelManager, config=config,
                   shutdown_kernel="immediate", timeout=30).execute()
    return nb


def test_a_portable_kernel_runs_in_its_folder_over_tcp_and_the_watchdog_stops_it(monkeypatch):
    monkeypatch.setenv("UMKMKIT_SANDBOX", "portable")
    nb = run_portable(["import os, json; print(os.getcwd().endswith('kerja'))",
                       "from ipykernel.kernelapp import IPKernelApp; print(IPKernelApp.instance().transport)"],
                      SandboxPolicy())
    assert [cell.outputs[0]["text"].strip() for cell in nb.cells] == ["True", "tcp"]
    STOPPED.clear()
    started = time.monotonic()
    with pytest.raises(DeadKernelError):
        run_portable(["held = []\nwhile True:\n    held.append(bytearray(8 * 2**20))"], SandboxPolicy(memory_mb=300))
    assert time.monotonic() - started < 20
    assert STOPPED and "more memory than the limit (300 MB)" in STOPPED[-1]
