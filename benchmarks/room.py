"""Benchmark: memory of a training room served from one laptop (issue 10, point 5).

Starts JupyterLab from this venv (`.venv/bin/jupyter lab --no-browser`, 127.0.0.1, a free
port, a token) on a temporary copy of the kit's lessons/ and datasets/, so the lessons'
relative `../datasets/` paths work. Through the server's REST API and kernel websockets, as
JupyterLab in a participant's browser does, it then

1. runs every lesson of curriculum.yml once, each in a fresh kernel, and prints each lesson's
   peak memory; the lesson with the highest peak RSS is "the heaviest lesson";
2. starts N participant kernels at once (`--kernels`, default 6: this machine has 2 cores,
   and more kernels only make the run slower, not a kernel bigger) and runs the heaviest
   lesson's code cells in order in each; prints per-kernel peak (max and mean), the server's
   peak, the room's total, the target line and how many participants a 16 GB laptop serves.

Figures (MB = MiB = 1024 * 1024 bytes):
- peak RSS: the process's VmHWM from /proc/<pid>/status, exact (the kernel keeps it). It
  counts every shared library page in full in every process, so it overstates a room.
  **This is the figure compared with the target** (<= 250 MB per participant kernel): it is
  what a trainer sees in a task manager and it does not depend on sampling.
- PSS: /proc/<pid>/smaps_rollup, shared pages divided among the processes sharing them, so
  the PSS of a room adds up to what it really uses. It has no high-water mark: the figure is
  the highest of samples taken every 0.2 s, so a shorter spike can be missed.

The 16 GB laptop keeps 2 GB for the operating system and the trainer's own browser
(participants open JupyterLab on their own devices over Wi-Fi); the server's memory before
the room plus its growth per participant kernel is counted too.

Linux only (reads /proc). The kernels' websocket traffic is real; participants' browsers
are not simulated beyond one load of the /lab page.

    .venv/bin/python benchmarks/room.py [--kernels 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jupyterlab import __version__ as jupyterlab_version
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from umkmkit.course.curriculum import load_curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.course.notebooks import read_notebook
from umkmkit.workspace import Kit, find_kit

TARGET_MIB = 250
LAPTOP_MIB = 16 * 1024
RESERVED_MIB = 2 * 1024  # the operating system and the trainer's browser
DEFAULT_KERNELS = 6  # this machine has 2 cores
SAMPLE_SECONDS = 0.2
CELL_TIMEOUT_SECONDS = 180
SERVER_START_SECONDS = 90
KIB_PER_MIB = 1024

Cell = tuple[str, bool]  # (source, may raise: the cell is tagged raises-exception)


# --- /proc ---------------------------------------------------------------------------------

def read_status_number(pid: int, name: str) -> int:
    """One numeric field of /proc/<pid>/status (VmHWM and VmRSS are in KiB)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise UmkmkitError(f"/proc/{pid}/status has no {name}: this benchmark needs Linux.")


def read_pss_kib(pid: int) -> int | None:
    """The process's PSS in KiB, or None when smaps_rollup cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def is_kernel_process(pid: int, kernel_id: str) -> bool:
    """Whether `pid` is still the kernel `kernel_id` (guards against a reused pid)."""
    try:
        return f"kernel-{kernel_id}.json".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def find_kernel_pid(server_pid: int, kernel_id: str) -> int:
    """The pid of the server's child process started for `kernel_id` (its connection file names it)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and is_kernel_process(int(entry.name), kernel_id):
            try:
                if read_status_number(int(entry.name), "PPid") == server_pid:
                    return int(entry.name)
            except (OSError, UmkmkitError):
                continue
    raise UmkmkitError(f"No child process of the server {server_pid} runs kernel {kernel_id}.")


@dataclass
class PssSampler:
    """Highest sampled PSS per process and of the sum over all processes (KiB)."""

    pids: set[int] = field(default_factory=set)
    peak: dict[int, int] = field(default_factory=dict)
    peak_total: int = 0
    readable: bool = False

    def sample(self) -> None:
        total = 0
        for pid in list(self.pids):
            pss = read_pss_kib(pid)
            if pss is None:
                continue
            self.readable = True
            self.peak[pid] = max(self.peak.get(pid, 0), pss)
            total += pss
        self.peak_total = max(self.peak_total, total)

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_SECONDS)


# --- the server ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """`jupyter lab` on 127.0.0.1 in its own session, with the kernels it started."""

    def __init__(self, room: Path):
        self.room = room
        self.port = free_port()
        self.token = uuid.uuid4().hex
        self.log_file = room.parent / "server.log"
        self.process: subprocess.Popen | None = None
        self.kernel_pids: dict[str, int] = {}

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        jupyter = Path(sys.executable).with_name("jupyter")
        private = self.room.parent
        env = {
            **os.environ,
            # Keep the user's own Jupyter config, runtime files and lab settings out of the run.
            "JUPYTER_CONFIG_DIR": str(private / "config"),
            "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(private / "lab-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(private / "lab-workspaces"),
        }
        command = [
            str(jupyter), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.room}",
        ]
        if os.geteuid() == 0:  # CI machines and containers run as root
            command.append("--allow-root")
        with open(self.log_file, "wb") as log:
            # A session of its own: Ctrl+C reaches this script, which then stops the server.
            self.process = subprocess.Popen(
                command, cwd=self.room, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 60) -> dict | None:
        """One REST call with the token; the decoded JSON answer, if any."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
        content_type = response.headers.get("Content-Type", "")
        return json.loads(payload) if payload and "json" in content_type else None

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise UmkmkitError(f"JupyterLab exited while starting; its log ends with:\n{self.log_tail()}")
            try:
                await asyncio.to_thread(self.request, "GET", "/api/status", None, 5)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                await asyncio.sleep(0.3)
        raise UmkmkitError(
            f"JupyterLab did not answer on port {self.port} within {SERVER_START_SECONDS} s; "
            f"its log ends with:\n{self.log_tail()}"
        )

    async def start_kernel(self, notebook_path: str) -> tuple[str, int]:
        """Start a python3 kernel whose working folder is the notebook's; (kernel id, pid)."""
        model = await asyncio.to_thread(
            self.request, "POST", "/api/kernels", {"name": "python3", "path": notebook_path}
        )
        assert model is not None
        kernel_id = model["id"]
        for _ in range(50):
            try:
                pid = find_kernel_pid(self.pid, kernel_id)
                break
            except UmkmkitError:
                await asyncio.sleep(0.1)
        else:
            pid = find_kernel_pid(self.pid, kernel_id)
        self.kernel_pids[kernel_id] = pid
        return kernel_id, pid

    async def shutdown_kernel(self, kernel_id: str) -> None:
        await asyncio.to_thread(self.request, "DELETE", f"/api/kernels/{kernel_id}")
        self.kernel_pids.pop(kernel_id, None)

    def stop(self) -> None:
        """Stop the server and every kernel it started: politely, then by pid."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=10)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            for sig in (None, signal.SIGTERM, signal.SIGKILL):
                if sig is not None:
                    self.process.send_signal(sig)
                try:
                    self.process.wait(timeout=20)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for kernel_id, pid in list(self.kernel_pids.items()):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if not is_kernel_process(pid, kernel_id):
                    break
                os.kill(pid, sig)
                deadline = time.monotonic() + 5
                while is_kernel_process(pid, kernel_id) and time.monotonic() < deadline:
                    time.sleep(0.1)
            self.kernel_pids.pop(kernel_id)


# --- running a lesson in a kernel ----------------------------------------------------------

def lesson_cells(path: Path) -> list[Cell]:
    nb = read_notebook(path)
    return [
        (cell.source, "raises-exception" in cell.metadata.get("tags", []))
        for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()
    ]


def execute_request(session: str, msg_id: str, code: str) -> str:
    return json.dumps({
        "header": {
            "msg_id": msg_id, "msg_type": "execute_request", "session": session,
            "username": "peserta", "version": "5.3", "date": datetime.now(timezone.utc).isoformat(),
        },
        "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
        "content": {
            "code": code, "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        },
    })


async def wait_for_reply(connection: WebSocketClientConnection, msg_id: str) -> dict:
    """The execute_reply content for `msg_id`, once the kernel is idle again."""
    reply, idle = None, False
    while reply is None or not idle:
        raw = await connection.read_message()
        if raw is None:
            raise UmkmkitError("The kernel's websocket closed while a cell ran: the kernel probably died.")
        if isinstance(raw, bytes):  # binary frames carry comm buffers, never a reply
            continue
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        if kind == "execute_reply":
            reply = message["content"]
        elif kind == "status" and message["content"].get("execution_state") == "idle":
            idle = True
    return reply


async def run_cells(server: LabServer, kernel_id: str, cells: list[Cell]) -> str | None:
    """Run the cells in order through the kernel's websocket; a problem, or None."""
    return await run_cells_at(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels", server.token, cells)


async def run_cells_at(channels_url: str, token: str, cells: list[Cell]) -> str | None:
    """Run the cells in order through a kernel's websocket at `channels_url` (a server's
    /api/kernels/<id>/channels, behind a hub's proxy or not); a problem, or None."""
    session = uuid.uuid4().hex
    connection = await websocket_connect(HTTPRequest(
        f"{channels_url}?session_id={session}", headers={"Authorization": f"token {token}"},
    ), max_message_size=256 * 1024 * 1024)
    try:
        for number, (source, may_raise) in enumerate(cells, 1):
            msg_id = uuid.uuid4().hex
            await connection.write_message(execute_request(session, msg_id, source))
            try:
                reply = await asyncio.wait_for(wait_for_reply(connection, msg_id), CELL_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                return f"code cell {number} ran longer than {CELL_TIMEOUT_SECONDS} s"
            if reply.get("status") == "error" and not may_raise:
                return f"code cell {number}: {reply.get('ename')}: {reply.get('evalue')}"
        return None
    finally:
        connection.close()


@dataclass
class KernelRun:
    lesson: str
    cells: int
    kernel_id: str = ""
    pid: int = 0
    seconds: float = 0.0
    peak_rss_kib: int = 0
    peak_pss_kib: int | None = None
    problem: str | None = None


async def run_lesson(server: LabServer, sampler: PssSampler, kit_lesson: str, cells: list[Cell]) -> KernelRun:
    """Start a kernel, run the lesson's cells, read its peaks; the kernel stays running."""
    run = KernelRun(kit_lesson, len(cells))
    started = time.perf_counter()
    run.kernel_id, run.pid = await server.start_kernel(f"lessons/{kit_lesson}")
    sampler.pids.add(run.pid)
    run.problem = await run_cells(server, run.kernel_id, cells)
    run.seconds = time.perf_counter() - started
    sampler.sample()
    run.peak_rss_kib = read_status_number(run.pid, "VmHWM")
    run.peak_pss_kib = sampler.peak.get(run.pid)
    return run


# --- the benchmark -------------------------------------------------------------------------

def mib(kib: float | None) -> str:
    return "      n/a" if kib is None else f"{kib / KIB_PER_MIB:6.1f} MB"


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def copy_room(kit: Kit, private: Path) -> Path:
    room = private / "room"
    shutil.copytree(kit.lessons_dir, room / "lessons")
    shutil.copytree(kit.datasets_dir, room / "datasets")
    for folder in ("config", "runtime", "lab-settings", "lab-workspaces"):
        (private / folder).mkdir()
    return room


async def measure_lessons(server: LabServer, kit: Kit, lessons: list[str]) -> list[KernelRun]:
    runs = []
    print(f"{'lesson (one fresh kernel each)':<40}{'cells':>5}{'time':>9}{'peak RSS':>12}{'peak PSS':>12}")
    for name in lessons:
        sampler = PssSampler()
        sampling = asyncio.create_task(sampler.run())
        try:
            run = await run_lesson(server, sampler, name, lesson_cells(kit.lessons_dir / name))
        finally:
            sampling.cancel()
        await server.shutdown_kernel(run.kernel_id)
        note = f"  ERROR {run.problem}" if run.problem else ""
        print(f"{name:<40}{run.cells:>5}{run.seconds:7.1f} s"
              f"{mib(run.peak_rss_kib):>12}{mib(run.peak_pss_kib):>12}{note}")
        runs.append(run)
    return runs


async def measure_room(server: LabServer, kit: Kit, lesson: str, kernels: int) -> int:
    cells = lesson_cells(kit.lessons_dir / lesson)
    server_before_kib = read_status_number(server.pid, "VmRSS")
    sampler = PssSampler(pids={server.pid})
    sampling = asyncio.create_task(sampler.run())
    started = time.perf_counter()
    try:
        runs = await asyncio.gather(*(run_lesson(server, sampler, lesson, cells) for _ in range(kernels)))
        sampler.sample()  # every kernel still running, as in a room
    finally:
        sampling.cancel()
    seconds = time.perf_counter() - started
    server_peak_kib = read_status_number(server.pid, "VmHWM")
    for run in runs:
        await server.shutdown_kernel(run.kernel_id)

    problems = [run.problem for run in runs if run.problem]
    peaks = [run.peak_rss_kib for run in runs]
    psses = [run.peak_pss_kib for run in runs if run.peak_pss_kib is not None]
    server_pss = sampler.peak.get(server.pid)
    kernel_max_mib = max(peaks) / KIB_PER_MIB
    met = kernel_max_mib <= TARGET_MIB and not problems

    print()
    print(f"room: {kernels} kernels at once, each running {lesson} ({len(cells)} code cells), {seconds:.1f} s")
    print(f"kernels: {kernels}" + (f"  ({len(problems)} with errors: {problems[0]})" if problems else ""))
    print(f"per-kernel peak RSS: max {mib(max(peaks))}, mean {mib(mean(peaks))}")
    if psses:
        print(f"per-kernel peak PSS: max {mib(max(psses))}, mean {mib(mean(psses))}")
    print(f"server peak RSS:     {mib(server_peak_kib)} (PSS {mib(server_pss).strip()}; "
          f"RSS before the room {mib(server_before_kib).strip()})")
    print(f"total: {mib(sum(peaks) + server_peak_kib).strip()} as the sum of peak RSS (overstated: shared "
          f"libraries counted in every process); {mib(sampler.peak_total if sampler.readable else None).strip()} "
          "highest sampled PSS of server + kernels together")
    print(f"target: <= {TARGET_MIB} MB per participant kernel: {'met' if met else 'NOT met'} "
          f"(compared: the highest per-kernel peak RSS, {kernel_max_mib:.1f} MB)")

    server_growth_kib = max(server_peak_kib - server_before_kib, 0) / kernels
    available_mib = LAPTOP_MIB - RESERVED_MIB - server_before_kib / KIB_PER_MIB
    per_participant_mib = kernel_max_mib + server_growth_kib / KIB_PER_MIB
    print(f"16 GB laptop, 2 GB kept for the OS and the trainer's browser: "
          f"{math.floor(available_mib / per_participant_mib)} participants at {per_participant_mib:.0f} MB each "
          f"(kernel peak RSS + the server's growth per kernel, {server_growth_kib / KIB_PER_MIB:.1f} MB)")
    if psses:
        per_participant_pss = max(psses) / KIB_PER_MIB + server_growth_kib / KIB_PER_MIB
        print(f"  at the PSS figure ({per_participant_pss:.0f} MB each): "
              f"{math.floor(available_mib / per_participant_pss)} participants")
    return 0 if met else 1


async def measure(server: LabServer, kit: Kit, kernels: int) -> int:
    await server.wait_ready()
    # Load the page a participant's browser opens first, so the server has served it once.
    await asyncio.to_thread(server.request, "GET", "/lab")
    lessons = [name for module in load_curriculum(kit).modules for name in module.lessons]
    print(f"JupyterLab {jupyterlab_version} on 127.0.0.1:{server.port} (server pid {server.pid}), "
          f"{os.cpu_count()} cores; MB = MiB; peak RSS = VmHWM, PSS = highest sample every {SAMPLE_SECONDS} s")
    print()
    runs = await measure_lessons(server, kit, lessons)
    heaviest = max(runs, key=lambda run: run.peak_rss_kib)
    print(f"heaviest lesson: {heaviest.lesson} (peak RSS {mib(heaviest.peak_rss_kib).strip()})")
    status = await measure_room(server, kit, heaviest.lesson, kernels)
    return 1 if any(run.problem for run in runs) else status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", type=int, default=DEFAULT_KERNELS,
                        help=f"participant kernels in the room run (default {DEFAULT_KERNELS}, for a 2-core machine)")
    args = parser.parse_args()
    if args.kernels < 1:
        parser.error("--kernels must be at least 1")
    if not Path("/proc/self/status").is_file():
        print("This benchmark reads /proc and runs on Linux only.", file=sys.stderr)
        return 2
    # SIGTERM ends the run like Ctrl+C does: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    kit = find_kit()
    private = Path(tempfile.mkdtemp(prefix="umkmkit-room-"))
    server = LabServer(copy_room(kit, private))
    try:
        server.start()
        return asyncio.run(measure(server, kit, args.kernels))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the server and its kernels", file=sys.stderr)
        return 130
    except UmkmkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
