"""Benchmark: a room of N participants at once, on the laptop lab and on the room server (issue 21, item 3).

N simulated participants (default 30) start together, as a room does when the trainer says
"go": every step a participant's browser makes is an HTTP call or a kernel websocket on
127.0.0.1 (nothing leaves loopback), all participants concurrently in one asyncio loop.

- **lab** (`umkmkit lab`: `prepare_lab`/`start_lab` on a temporary workspace, participant mode,
  token auth, one JupyterLab server for the room). Each participant: *log in* (opens the token
  URL, the welcome notebook), *open lesson* (reads the lesson, saves a copy under their own name
  as the welcome notebook asks, starts a kernel on it through /api/sessions as JupyterLab does),
  *run all cells* (the lesson's code cells in order over the kernel's websocket), *open exercise*
  (the same for the module's latihan.ipynb), *save answers* (the solution's answers typed in,
  saved), *validate* (nbgrader's Validate button: POST /assignments/validate). No *submit*: the
  laptop lab has no exchange (work goes back by USB stick or WhatsApp).
- **hub** (`umkmkit hub-config` + JupyterHub with the kit's configuration, real Unix accounts,
  first-use passwords; the set-up of tests/test_hub.py, whose helpers it imports). One cohort of
  N participants; the trainer releases the exercise through the exchange first. Each participant:
  *log in* (the login form, choosing their password; then a token for the API calls), *spawn*
  (their server, until the hub says it is ready), *open JupyterLab* (/user/<id>/lab through the
  hub's OAuth), *put lesson* (the benchmark copies the lesson, bantu.py and the data sets into
  their home: the kit hands out no lessons on the hub, see below), *open lesson*, *run all
  cells*, *fetch exercise* (the Assignments tab's list and Fetch), *open exercise*, *save
  answers*, *validate*, *submit* (the Assignments tab's Submit). Every Unix account the run
  created is removed at the end, also after a failure, a timeout or Ctrl+C.

One more participant (on top of N) runs a memory bomb in the lesson's kernel (64 MB more every
0.1 s). The benchmark watches that kernel and kills it at `--bomb-cap-mb` (default 3072) if
nothing in the room has stopped it by then; the bomb also stops growing by itself at the cap
plus 1 GB, so that the machine survives even if the watch fails. What stopped it is printed;
a bomb stopped by a MemoryError (a memory limit) keeps its memory until the participant restarts
the kernel, which the bomber then does.

Figures printed (MB = MiB): per step, n / failures / p50 / p95 / max seconds; per kind of
process (hub, proxy, participant servers, notebook kernels, Validate's kernels, ...), the
highest VmHWM (exact peak RSS) and the highest sampled PSS (/proc/<pid>/smaps_rollup, every
0.5 s; PSS shares shared pages out, so a room's PSS adds up to what it uses); the room's
highest simultaneous PSS and RSS (the bomb's kernel left out); CPU seconds used during the
load per kind of process (utime + stime from /proc/<pid>/stat; CPU of a process in its last
half second can be missed) and by the whole machine (/proc/stat, the benchmark included); and
the capacity this implies for a 16 GB, 4-core laptop or server. Capacity assumptions: 2 GB
kept for the operating system (and, on a laptop, the trainer's browser); each participant
costs what this run's room cost per participant above the processes running before it came
(memory at its simultaneous peak, CPU over the whole sequence); the whole sequence, with
everyone starting in the same minute, must be done within 5 minutes; 4 cores as fast as these
and perfectly shared, except that one process (the lab's server, the hub) can use one core only.

Measured on this machine (2 cores, 23 GB, JupyterLab 4.6.6, JupyterHub 6.1.1, nbgrader 0.9.6),
2026-12-03, 30 participants + 1 bomb, heaviest lesson 01-jualan-digital-2.ipynb (30 code cells)
and exercise 01-jualan-digital, failures 0 on both (another engineer's test runs, Chromium
included, shared the 2 cores, so wall-clock times are pessimistic; CPU seconds are the room's own):
- lab (with the kernel sandbox of `umkmkit lab`): the whole room in 98 s; p95 run all cells 41.9 s,
  validate 8.4 s, open lesson 11.1 s; server 306 MB PSS at its peak (112 before), notebook kernel
  at most 105 MB PSS / 150 MB RSS, room peak 4.7 GB PSS; 4.0 CPU s per participant. The bomb got
  a MemoryError at 1.3 GB resident from the sandbox's 2 GB address-space limit; its kernel lived
  on until restarted. 16 GB / 4 cores: 92 participants (memory bound, 154 MB each).
- hub: the whole room in 198 s; p95 log in 14.0 s, spawn 84.3 s, run all cells 49.2 s, validate
  28.5 s, submit 2.8 s; 30 submissions in the exchange; participant server 142 MB PSS, notebook
  kernel 99 MB, Validate's kernel 68 MB, hub 110 MB, proxy 64 MB; room peak 9.4 GB PSS; 9.6 CPU s
  per participant. Nothing stopped the bomb (the benchmark killed it at 3 GB). 16 GB / 4 cores:
  46 participants (memory bound, 303 MB each). Since then every participant's server starts under
  umkmkit.room.server_limits (2 GB address space per process): with 5 participants, the bomb's cell
  ended with a MemoryError at 1.27 GB resident after 4.6 s, and the others finished; with 30, in
  two runs, the bomb ended the same way, one run had 0 failures (room in 188 s) and the other one
  (a Validate whose kernel "died before replying to kernel_info": a port race between two
  participants' kernel starts, jupyter_client issue 487; reproduced apart, 1 of 90 simultaneous
  starts, and remedied by umkmkit.grading.kernel_start, which starts such a kernel again on new ports).
- 2026-12-04, with that remedy, `--target both`, 30 participants + 1 bomb, the machine otherwise
  idle: lab 30/30, 0 failures, room in 120 s (p95 run all cells 37.7 s, validate 41.8 s), 151 MB
  and 5.2 CPU s per participant: 16 GB / 4 cores holds 94; hub 30/30, 0 failures, 30 submissions,
  room in 156 s (p95 spawn 76.6 s, run all cells 41.2 s, validate 24.6 s, submit 1.3 s), 307 MB
  and 9.0 CPU s per participant: 16 GB / 4 cores holds 45. The bomb ended in a MemoryError at
  1.27 GB on both.
"other" in the tables: on the lab, the server's forks before they exec a kernel (comm "python",
sharing the server's pages); on the hub, `npm prefix -g` (node), which jupyter-lsp runs at every
participant server's start.

Linux only (reads /proc); the hub target needs root (useradd, the hub's local spawner).

    .venv/bin/python benchmarks/room_load.py [--participants 30] [--target lab|hub|both] [--timeout 900]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import nbformat
from jupyterlab import __version__ as jupyterlab_version
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from room import execute_request, free_port, lesson_cells, mib, read_pss_kib, run_cells_at, wait_for_reply
from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import Trainee, create_cohort
from umkmkit.course.curriculum import load_curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.room.lab import prepare_lab, start_lab
from umkmkit.workspace import Kit, Workspace, find_kit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PARTICIPANTS = 30
DEFAULT_TIMEOUT = 900  # seconds, per target, set-up and clean-up included
#: The heaviest lesson by peak RSS (benchmarks/room.py, 2026-12-03: 138 MB); its module's exercise is used.
DEFAULT_LESSON = "01-jualan-digital-2.ipynb"
EXERCISE_NOTEBOOK = "latihan"
SAMPLE_SECONDS = 0.5
BOMB_LOOK_SECONDS = 0.1
DEFAULT_BOMB_CAP_MB = 3072
BOMB_WAIT_SECONDS = 180
HTTP_SECONDS = 600
SPAWN_SECONDS = 300
#: Capacity assumptions (see the module docstring).
MACHINE_MIB, RESERVED_MIB, MACHINE_CORES, BURST_SECONDS = 16 * 1024, 2 * 1024, 4, 300
TICKS = os.sysconf("SC_CLK_TCK")

LAB_STEPS = ["log in", "open lesson", "run all cells", "open exercise", "save answers", "validate"]
HUB_STEPS = ["log in", "spawn", "open JupyterLab", "put lesson", "open lesson", "run all cells",
             "fetch exercise", "open exercise", "save answers", "validate", "submit"]

BOMB_NAME = "roomloadbomb"  # the bomb's kernel renames itself (prctl), so the watch finds it in any sandbox
BOMB_CODE = """\
import ctypes, time
ctypes.CDLL(None).prctl(15, b"roomloadbomb")  # PR_SET_NAME: /proc/<pid>/comm
hold = []
while len(hold) * 64 < {safety_mb}:  # the bomb's own safety net, should nothing stop it
    hold.append(b"\\x01" * (64 * 2**20))  # written, so resident
    time.sleep(0.1)
time.sleep(3600)
"""


class StepFailed(Exception):
    """A participant's step went wrong; the message says how."""


# --- /proc: what the room's processes use --------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: [state, ppid, ..., utime (11), stime (12), ...]."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _status_kib(pid: int, *names: str) -> dict[str, int]:
    found = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            key = line.split(":", 1)[0]
            if key in names:
                found[key] = int(line.split()[1])
    return found


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot (/proc/stat, all cores)."""
    with open("/proc/stat", encoding="utf-8") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICKS


@dataclass
class Seen:
    """One process of the room, as sampled."""

    cmdline: bytes
    comm: str = ""
    hwm_kib: int = 0
    pss_kib: int = 0
    cpu_first: float = 0.0
    cpu_last: float = 0.0
    last_sample: int = 0


def _comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip()


@dataclass
class Unit:
    """What the room counts as one thing: the hub, the proxy, a server, or one kernel with every
    process it runs in (a kernel sandbox's launcher, a fork server and the kernels it forks)."""

    top: int
    members: set[int] = field(default_factory=set)
    hwm_kib: int = 0  # the members' VmHWM added, at its highest: an upper bound of the unit's peak RSS
    pss_kib: int = 0  # the members' PSS added, at its highest sample


SERVERS = ("JupyterLab server", "participant server", "formgrader service")


class RoomSampler(threading.Thread):
    """Samples, every SAMPLE_SECONDS, every process descending from `root_pid`: peak RSS (VmHWM),
    PSS, CPU time; and the room's simultaneous totals without the bomb's kernel."""

    def __init__(self, root_pid: int, room):
        super().__init__(name="room-sampler", daemon=True)
        self.root_pid = root_pid
        self.room = room
        self.seen: dict[int, Seen] = {}
        self.units: dict[int, Unit] = {}
        self.samples = 0
        self.peak_pss_kib = 0
        self.peak_rss_kib = 0
        self.started = False  # CPU is counted from mark_start on
        self.halt = threading.Event()

    def room_pids(self) -> dict[int, int]:
        """Every process of the room: pid -> its parent's pid."""
        children, parents = defaultdict(list), {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    parent = int(_stat_fields(int(entry.name))[1])
                except (OSError, ValueError, IndexError):
                    continue
                children[parent].append(int(entry.name))
                parents[int(entry.name)] = parent
        found, todo = {}, [self.root_pid]
        while todo:
            pid = todo.pop()
            found[pid] = parents.get(pid, 0)
            todo.extend(children.get(pid, ()))
        return found

    def _known(self, pid: int) -> str | None:
        seen = self.seen.get(pid)
        return self.room.kind(pid, seen.cmdline) if seen else None

    def unit_of(self, pid: int, pids: dict[int, int]) -> int:
        """The top process of `pid`'s unit: itself when the room knows what it is (hub, proxy,
        server...); else the ancestor whose parent is a server (a kernel, with what it started)."""
        while pid != self.root_pid and not self._known(pid):
            parent = pids.get(pid, 0)
            if parent not in pids or self._known(parent) in SERVERS:
                return pid
            pid = parent
        return pid

    def sample(self) -> None:
        self.samples += 1
        total_pss = total_rss = 0
        pids = self.room_pids()
        now: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # unit -> [VmHWM, PSS] added
        measured = []
        for pid in pids:
            try:
                seen = self.seen.get(pid)
                if seen is None:
                    seen = Seen(Path(f"/proc/{pid}/cmdline").read_bytes())
                fields = _stat_fields(pid)
                status = _status_kib(pid, "VmHWM", "VmRSS")
                seen.comm = _comm(pid)  # the bomb renames itself
            except (OSError, ValueError):
                continue
            if not status:  # a zombie: its memory is gone
                continue
            cpu = (int(fields[11]) + int(fields[12])) / TICKS
            if pid not in self.seen:
                # a process already running when the load started counts from there; a new one from birth
                seen.cpu_first = cpu if not self.started else 0.0
                self.seen[pid] = seen
            seen.cpu_last = cpu
            seen.last_sample = self.samples
            seen.hwm_kib = max(seen.hwm_kib, status.get("VmHWM", 0))
            pss = read_pss_kib(pid) or 0
            seen.pss_kib = max(seen.pss_kib, pss)
            measured.append((pid, status.get("VmHWM", 0), pss))
            if seen.comm != BOMB_NAME:
                total_pss += pss
                total_rss += status.get("VmRSS", 0)
        for pid, hwm, pss in measured:  # once every process of this sample is known
            top = self.unit_of(pid, pids)
            self.units.setdefault(top, Unit(top)).members.add(pid)
            now[top][0] += hwm
            now[top][1] += pss
        for top, (hwm, pss) in now.items():
            unit = self.units[top]
            unit.hwm_kib, unit.pss_kib = max(unit.hwm_kib, hwm), max(unit.pss_kib, pss)
        self.peak_pss_kib = max(self.peak_pss_kib, total_pss)
        self.peak_rss_kib = max(self.peak_rss_kib, total_rss)

    def mark_start(self) -> dict[int, int]:
        """Start counting CPU now; the PSS (KiB) of each process running before the room came."""
        self.sample()
        for seen in self.seen.values():
            seen.cpu_first = seen.cpu_last
        self.started = True
        return {pid: read_pss_kib(pid) or 0 for pid in self.seen}

    def run(self) -> None:
        while not self.halt.wait(SAMPLE_SECONDS):
            self.sample()

    def kind_of(self, unit: Unit) -> str:
        """What a unit was. Kernels are told apart by lifetime (in the kernel sandbox their
        connection file's name says nothing): a notebook's kernel still runs at the last sample,
        one of Validate's has ended by then."""
        top = self.seen[unit.top]
        kind = self.room.kind(unit.top, top.cmdline)
        if kind:
            return kind
        if any(self.seen[pid].comm == BOMB_NAME for pid in unit.members):
            return "bomb kernel"
        if b"umkmkit.grading.forkserver" in top.cmdline:
            return "Validate's fork server"
        if b"ipykernel_launcher" in top.cmdline or b"umkmkit.grading.launcher" in top.cmdline:
            return "notebook kernel" if top.last_sample == self.samples else "Validate's kernel"
        return "other"


def find_bomb() -> int | None:
    """The process that renamed itself BOMB_NAME (prctl), if any."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if _comm(int(entry.name)) == BOMB_NAME:
                    return int(entry.name)
            except OSError:
                continue
    return None


@dataclass
class BombWatch:
    """Watches the bomb's kernel; kills it at `cap_mb` if nothing else stopped it first."""

    cap_mb: int
    pid: int | None = None
    peak_kib: int = 0
    seconds: float = 0.0
    outcome: str = "the bomb did not start"
    done: threading.Event = field(default_factory=threading.Event)

    def watch(self) -> None:
        threading.Thread(target=self._run, name="bomb-watch", daemon=True).start()

    def _run(self) -> None:
        started = time.monotonic()
        while self.pid is None and time.monotonic() - started < 120 and not self.done.is_set():
            self.pid = find_bomb()
            time.sleep(BOMB_LOOK_SECONDS)
        if self.pid is None:
            self.outcome = "its kernel process was not found"
            self.done.set()
            return
        found = time.monotonic()
        while not self.done.is_set():
            try:
                rss = _status_kib(self.pid, "VmRSS").get("VmRSS", 0)
                alive = _comm(self.pid) == BOMB_NAME and rss > 0
            except OSError:
                rss, alive = 0, False
            self.seconds = time.monotonic() - found
            if not alive:
                self.outcome = (f"its kernel ended at {self.peak_kib / 1024:.0f} MB after {self.seconds:.1f} s, "
                                "before the benchmark's cap: something in the room killed it")
                self.done.set()
                return
            self.peak_kib = max(self.peak_kib, rss)
            if rss > self.cap_mb * 1024:
                os.kill(self.pid, signal.SIGKILL)
                self.outcome = (f"NOTHING in the room stopped it (no memory limit on its kernel, no watchdog; the "
                                f"culler leaves a busy kernel alone): the benchmark killed it at {rss / 1024:.0f} MB, "
                                f"{self.seconds:.1f} s after it started")
                self.done.set()
                return
            time.sleep(BOMB_LOOK_SECONDS)


# --- one simulated participant ----------------------------------------------------------------

@dataclass
class Participant:
    name: str
    client: httpx.AsyncClient
    server: str = ""  # the participant's server URL (the lab's, or the hub's /user/<name>)
    token: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    failure: tuple[str, str] | None = None
    lesson_path: str = ""
    exercise_path: str = ""

    async def step(self, name: str, work):
        started = time.perf_counter()
        try:
            result = await work
        except StepFailed as error:
            self.failure = (name, str(error))
            raise
        except Exception as error:  # noqa: BLE001 (a benchmark records whatever went wrong)
            self.failure = (name, f"{type(error).__name__}: {error}")
            raise StepFailed(str(error)) from error
        self.timings[name] = time.perf_counter() - started
        return result

    async def call(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> httpx.Response:
        """One call to the participant's server (`path` under it), with their token."""
        answer = await self.client.request(method, self.server + path, headers=self._auth(), **kwargs)
        if answer.status_code not in expect:
            raise StepFailed(f"{method} {path}: HTTP {answer.status_code} {answer.text[:300]}")
        return answer

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    async def open_notebook(self, path: str) -> str:
        """Read the notebook and start its kernel as JupyterLab does on opening it; the kernel id."""
        await self.call("GET", f"/api/contents/{path}", params={"content": "1", "type": "notebook"})
        session = await self.call("POST", "/api/sessions", (201,), json={
            "path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook", "kernel": {"name": "python3"},
        })
        return session.json()["kernel"]["id"]

    def channels(self, kernel_id: str) -> str:
        return self.server.replace("http://", "ws://", 1) + f"/api/kernels/{kernel_id}/channels"

    async def run_all(self, kernel_id: str, cells) -> None:
        problem = await run_cells_at(self.channels(kernel_id), self.token, cells)
        if problem:
            raise StepFailed(problem)

    async def save_answers(self, answers: dict[str, str]) -> None:
        model = (await self.call("GET", f"/api/contents/{self.exercise_path}")).json()
        filled = simulate.fill_answers(nbformat.from_dict(model["content"]), answers)
        await self.call("PUT", f"/api/contents/{self.exercise_path}",
                        json={"type": "notebook", "format": "json", "content": filled})

    async def validate(self) -> None:
        answer = (await self.call("POST", "/assignments/validate", data={"path": self.exercise_path})).json()
        if not answer.get("success"):
            raise StepFailed(f"Validate: {str(answer.get('value'))[-300:]}")
        value = answer["value"]
        wrong = {key: value[key] for key in ("failed", "changed", "type_changed") if value.get(key)}
        if wrong:
            raise StepFailed(f"Validate found problems in the solution's answers: {str(wrong)[:300]}")


def lesson_data_files(kit: Kit, lesson: str) -> list[str]:
    """The files of the kit's datasets/ whose name the lesson's code mentions (`../datasets/x.csv`
    or `baca_data("x.csv")`, which looks beside the notebook, then in ../datasets)."""
    code = "\n".join(source for source, _ in lesson_cells(kit.lessons_dir / lesson))
    return sorted(path.name for path in kit.datasets_dir.iterdir() if path.is_file() and path.name in code)


def new_client() -> httpx.AsyncClient:
    # trust_env=False: never a web proxy from the environment; everything stays on 127.0.0.1
    return httpx.AsyncClient(timeout=HTTP_SECONDS, trust_env=False)


# --- the two rooms ---------------------------------------------------------------------------

@dataclass
class Load:
    """What the participants' and the bomb's steps need, for either room."""

    kit: Kit
    lesson: str
    assignment: str
    cells: list
    answers: dict[str, str]
    bomb: BombWatch | None = None


class LabRoom:
    """`umkmkit lab` (participant mode) on a temporary workspace."""

    target = "lab"
    steps = LAB_STEPS

    def __init__(self, kit: Kit, private: Path):
        self.kit = kit
        self.private = private
        self.running = None

    def start(self, participants: list[str]) -> None:
        os.environ["UMKMKIT_WORKSPACE"] = str(self.private / "workspace")  # never the trainer's own workspace
        setup = prepare_lab(self.kit, load_curriculum(self.kit), port=free_port(), token=uuid.uuid4().hex)
        self.setup = setup
        # what `umkmkit lab` leaves out of the participants' folder but the lesson reads: copied in, and reported
        datasets = setup.root_dir / "datasets"
        self.findings = [name for name in lesson_data_files(self.kit, self.lesson) if not (datasets / name).is_file()]
        for name in self.findings:
            shutil.copyfile(self.kit.datasets_dir / name, datasets / name)
        self.running = start_lab(setup)
        self.participants = participants

    @property
    def root_pid(self) -> int:
        return self.running.process.pid

    def kind(self, pid: int, cmdline: bytes) -> str | None:
        return "JupyterLab server" if pid == self.root_pid else None

    async def enter(self, p: Participant) -> None:
        p.server = f"http://127.0.0.1:{self.setup.port}"
        p.client.follow_redirects = True
        answer = await p.client.get(self.setup.url())  # the token URL: JupyterLab on the welcome notebook
        if answer.status_code != 200:
            raise StepFailed(f"the token URL gave HTTP {answer.status_code}")
        p.token = self.setup.token

    async def own_copy(self, p: Participant, path: str) -> str:
        """Open `path` and save it under the participant's name (the welcome notebook's advice)."""
        model = (await p.call("GET", f"/api/contents/{path}")).json()
        copy = path.replace(".ipynb", f"-{p.name}.ipynb")
        await p.call("PUT", f"/api/contents/{copy}", (200, 201),
                     json={"type": "notebook", "format": "json", "content": model["content"]})
        return copy

    async def place_lesson(self, p: Participant, load: Load) -> None:
        p.lesson_path = await self.own_copy(p, f"lessons/{load.lesson}")

    async def place_exercise(self, p: Participant, load: Load) -> None:
        p.exercise_path = await self.own_copy(p, f"latihan/{load.assignment}/{EXERCISE_NOTEBOOK}.ipynb")

    async def submit(self, p: Participant, load: Load) -> None:
        return None  # the laptop lab has no exchange

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
        os.environ.pop("UMKMKIT_WORKSPACE", None)


class HubRoom:
    """The kit's JupyterHub on 127.0.0.1 with one cohort of the participants, as tests/test_hub.py starts it."""

    target = "hub"
    steps = HUB_STEPS

    def __init__(self, kit: Kit, private: Path):
        self.kit = kit
        self.private = private
        self.tag = uuid.uuid4().hex[:4]
        self.cohort_id = f"beban-{self.tag}"
        self.trainer = f"pelatih-{self.tag}"
        self.accounts: list[str] = []
        self.hub_process = None
        self.modes = None

    def start(self, participants: list[str]) -> None:
        import test_hub as th  # tests/test_hub.py: the loopback hub's set-up and clean-up
        from umkmkit.room.hub import grader_account

        self.th = th
        self.participants = participants
        self.accounts = [*participants, self.trainer, grader_account(self.cohort_id)]
        existing = [name for name in self.accounts if th._account_exists(name)]
        if existing:
            raise UmkmkitError(f"Unix accounts {existing} already exist; this benchmark creates and removes its own.")
        base = self.private
        os.chmod(base, 0o755)
        self.modes = th._ModesRestored([Path(sys.executable), ROOT, base], kept=[self.kit.solutions_dir])
        self.modes.__enter__()
        workspace = Workspace(base / "workspace")
        curriculum = load_curriculum(self.kit)
        trainees = [Trainee(name, f"Peserta Beban {n}") for n, name in enumerate(participants, start=1)]
        create_cohort(self.kit, curriculum, workspace, self.cohort_id, trainees,
                      assignment_ids=[self.assignment], exchange_root=base / "exchange")
        env = {**os.environ, "UMKMKIT_WORKSPACE": str(workspace.root), "UMKMKIT_ROOT": str(ROOT),
               "PATH": os.pathsep.join([str(th.SCRIPTS), os.environ.get("PATH", "")])}
        port = th._free_base_port()
        written = subprocess.run(
            [str(th.SCRIPTS / "umkmkit"), "hub-config", self.cohort_id, "--out", str(base / "hub"),
             "--trainer", self.trainer, "--ip", "127.0.0.1", "--port", str(port)],
            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
        )
        if written.returncode != 0:
            raise UmkmkitError(f"umkmkit hub-config failed: {written.stderr[-2000:]}")
        trainer_password = json.loads((base / "hub" / "secrets.json").read_text())["trainer_password"]
        hub_log = base / "hub.log"
        with hub_log.open("w") as log:
            self.hub_process = subprocess.Popen(
                [str(th.SCRIPTS / "jupyterhub"), "-f", str(base / "hub" / "jupyterhub_config.py")],
                cwd=base / "hub", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}"
        self.room = th.Room(base, self.url, self.cohort_id, participants, "", self.hub_process, hub_log,
                            base / "exchange", workspace.cohort(self.cohort_id).root)
        th._wait_for_hub(self.room)
        session, answer = th._login(self.url, self.trainer, trainer_password)
        if answer.status_code != 302:
            raise UmkmkitError(f"the trainer's login gave HTTP {answer.status_code}")
        self.room.tokens[self.trainer] = th._token(self.url, session, self.trainer)
        # the trainer hands out the exercise through the exchange before the room starts
        self.room.as_grader("umkmkit", "release", self.cohort_id, self.assignment, "--exchange")

    @property
    def root_pid(self) -> int:
        return self.hub_process.pid

    def kind(self, pid: int, cmdline: bytes) -> str | None:
        if pid == self.root_pid:
            return "hub"
        if b"configurable-http-proxy" in cmdline:
            return "proxy"
        if b"jupyterhub-singleuser" in cmdline:
            return "formgrader service" if b"formgrader_names" in cmdline else "participant server"
        if b"jupyterhub_idle_culler" in cmdline:
            return "idle culler"
        return None

    async def enter(self, p: Participant) -> None:
        """Log in (the first login sets the password) and mint a token for the API calls."""
        client = p.client
        await client.get(f"{self.url}/hub/login")
        answer = await client.post(f"{self.url}/hub/login", data={
            "username": p.name.lower(), "password": f"sandi-{p.name.lower()}-beban",
            "_xsrf": client.cookies.get("_xsrf"),
        })
        if answer.status_code != 302:
            raise StepFailed(f"login: HTTP {answer.status_code}")
        token = await client.post(f"{self.url}/hub/api/users/{p.name}/tokens", json={"note": "room_load"},
                                  headers={"X-XSRFToken": client.cookies.get("_xsrf")})
        if token.status_code != 201:
            raise StepFailed(f"token: HTTP {token.status_code} {token.text[:200]}")
        p.token = token.json()["token"]
        p.server = f"{self.url}/user/{p.name}"

    async def spawn(self, p: Participant) -> None:
        auth = {"Authorization": f"token {p.token}"}
        answer = await p.client.post(f"{self.url}/hub/api/users/{p.name}/server", headers=auth)
        if answer.status_code not in (201, 202):
            raise StepFailed(f"spawn: HTTP {answer.status_code} {answer.text[:200]}")
        deadline = time.monotonic() + SPAWN_SECONDS
        while time.monotonic() < deadline:
            model = (await p.client.get(f"{self.url}/hub/api/users/{p.name}", headers=auth)).json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not server:
                raise StepFailed("the hub gave up starting the server (see the hub log)")
            await asyncio.sleep(1)
        raise StepFailed(f"the server was not ready after {SPAWN_SECONDS} s")

    async def open_lab(self, p: Participant) -> None:
        p.client.follow_redirects = True  # through the hub's OAuth, as a browser does
        answer = await p.client.get(f"{p.server}/lab")
        if answer.status_code != 200:
            raise StepFailed(f"/user/{p.name}/lab: HTTP {answer.status_code}")

    async def put_lesson(self, p: Participant, load: Load) -> None:
        """Copy the lesson, bantu.py and the data sets into the participant's home (as a trainer would)."""
        for folder in ("lessons", "datasets"):
            await p.call("PUT", f"/api/contents/{folder}", (200, 201), json={"type": "directory"})
        files = [(f"lessons/{load.lesson}", self.kit.lessons_dir / load.lesson),
                 ("lessons/bantu.py", self.kit.lessons_dir / "bantu.py")]
        files += [(f"datasets/{name}", self.kit.datasets_dir / name) for name in lesson_data_files(self.kit, load.lesson)]
        for path, source in files:
            if source.suffix == ".ipynb":
                body = {"type": "notebook", "format": "json", "content": json.loads(source.read_text("utf-8"))}
            else:
                body = {"type": "file", "format": "text", "content": source.read_text("utf-8")}
            await p.call("PUT", f"/api/contents/{path}", (200, 201), json=body)

    async def place_lesson(self, p: Participant, load: Load) -> None:
        p.lesson_path = f"lessons/{load.lesson}"

    async def fetch(self, p: Participant, load: Load) -> None:
        course = {"course_id": self.cohort_id}
        listed = (await p.call("GET", "/assignments", params=course)).json()
        if not listed.get("success") or not any(a["assignment_id"] == load.assignment for a in listed["value"]):
            raise StepFailed(f"the assignment list does not show {load.assignment}: {str(listed)[:300]}")
        fetched = (await p.call("POST", "/assignments/fetch", data={**course, "assignment_id": load.assignment})).json()
        if not fetched.get("success"):
            raise StepFailed(f"Fetch: {str(fetched)[:300]}")

    async def place_exercise(self, p: Participant, load: Load) -> None:
        p.exercise_path = f"{self.cohort_id}/{load.assignment}/{EXERCISE_NOTEBOOK}.ipynb"

    async def submit(self, p: Participant, load: Load) -> None:
        answer = (await p.call("POST", "/assignments/submit",
                               data={"course_id": self.cohort_id, "assignment_id": load.assignment})).json()
        if not answer.get("success"):
            raise StepFailed(f"Submit: {str(answer)[:300]}")

    def submissions(self) -> int:
        inbound = self.private / "exchange" / self.cohort_id / "inbound"
        return len(list(inbound.iterdir())) if inbound.is_dir() else 0

    def stop(self) -> None:
        try:
            if self.hub_process is not None:
                self.th._stop(self.hub_process)
        finally:
            try:
                if self.accounts:
                    self.th._remove_accounts(self.accounts, self.private)
            finally:
                if self.modes is not None:
                    self.modes.__exit__(None, None, None)


async def participant_flow(room, p: Participant, load: Load) -> None:
    """Every step of one participant, in order; stops at the first failure (recorded in `p`)."""
    hub = room.target == "hub"
    try:
        await p.step("log in", room.enter(p))
        if hub:
            await p.step("spawn", room.spawn(p))
            await p.step("open JupyterLab", room.open_lab(p))
            await p.step("put lesson", room.put_lesson(p, load))

        async def open_lesson():
            await room.place_lesson(p, load)
            return await p.open_notebook(p.lesson_path)

        kernel_id = await p.step("open lesson", open_lesson())
        await p.step("run all cells", p.run_all(kernel_id, load.cells))
        if hub:
            await p.step("fetch exercise", room.fetch(p, load))

        async def open_exercise():
            await room.place_exercise(p, load)
            await p.open_notebook(p.exercise_path)

        await p.step("open exercise", open_exercise())
        await p.step("save answers", p.save_answers(load.answers))
        await p.step("validate", p.validate())
        if hub:
            await p.step("submit", room.submit(p, load))
    except StepFailed:
        return


async def bomb_flow(room, p: Participant, load: Load) -> list[str]:
    """The misbehaving participant: their lesson's kernel allocates until something stops it."""
    notes = []
    watch = load.bomb
    try:
        await p.step("log in", room.enter(p))
        if room.target == "hub":
            await p.step("spawn", room.spawn(p))
            await p.step("put lesson", room.put_lesson(p, load))
        await room.place_lesson(p, load)
        kernel_id = await p.step("open lesson", p.open_notebook(p.lesson_path))
        session, msg_id = uuid.uuid4().hex, uuid.uuid4().hex
        connection = await websocket_connect(HTTPRequest(
            f"{p.channels(kernel_id)}?session_id={session}", headers={"Authorization": f"token {p.token}"}))
        safety_mb = watch.cap_mb + 1024
        watch.watch()
        await connection.write_message(execute_request(session, msg_id, BOMB_CODE.format(safety_mb=safety_mb)))
        reply = asyncio.create_task(wait_for_reply(connection, msg_id))
        stopped = asyncio.create_task(asyncio.to_thread(watch.done.wait, BOMB_WAIT_SECONDS))
        await asyncio.wait([reply, stopped], return_when=asyncio.FIRST_COMPLETED)
        if reply.done() and not reply.exception():
            answer = reply.result()
            watch.outcome = (f"its cell ended with {answer.get('ename') or answer.get('status')} at "
                             f"{watch.peak_kib / 1024:.0f} MB resident, {watch.seconds:.1f} s after it started: "
                             "the kernel's memory limit stopped it; the kernel lives on, holding that memory")
            watch.done.set()
            await p.call("POST", f"/api/kernels/{kernel_id}/restart")
            notes.append("the bomber restarts the kernel (Kernel > Restart), which gives the memory back")
        elif not stopped.done() or not stopped.result():
            notes.append(f"after {BOMB_WAIT_SECONDS} s the bomb still ran (held by its own safety net, "
                         f"{safety_mb} MB); the benchmark's watch never fired")
        reply.cancel()
        watch.done.set()
        await stopped
        connection.close()
        await asyncio.sleep(3)  # the server notices a dead kernel and restarts it
        state = (await p.call("GET", f"/api/kernels/{kernel_id}")).json().get("execution_state")
        status = (await p.call("GET", "/api/status")).status_code
        notes.append(f"afterwards the bomber's server answers (HTTP {status}); their kernel is {state} again, "
                     "without the notebook's variables")
    except StepFailed:
        notes.append(f"the bomber's own steps failed at {p.failure}")
    except (httpx.HTTPError, OSError) as error:
        notes.append(f"the bomber's connection failed: {type(error).__name__}: {error}")
    return notes


# --- the run -------------------------------------------------------------------------------

def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report_steps(room, people: list[Participant]) -> int:
    print(f"{'step':<18}{'done':>5}{'failed':>7}{'p50':>9}{'p95':>9}{'max':>9}")
    failures = 0
    for name in room.steps:
        times = [p.timings[name] for p in people if name in p.timings]
        failed = [p for p in people if p.failure and p.failure[0] == name]
        failures += len(failed)
        figures = (f"{percentile(times, 50):7.1f} s{percentile(times, 95):7.1f} s{max(times):7.1f} s"
                   if times else f"{'-':>9}{'-':>9}{'-':>9}")
        print(f"{name:<18}{len(times):>5}{len(failed):>7}{figures}")
        for p in failed[:3]:
            print(f"    {p.name}: {p.failure[1][:400]}")
    if room.target == "lab":
        print(f"{'submit':<18}  (none: the laptop lab has no exchange; work goes back by USB stick or WhatsApp)")
    return failures


def report_memory(sampler: RoomSampler, before: dict[int, int]) -> dict[str, dict]:
    """Per kind (hub, proxy, a server, a kernel...): count, peak RSS and PSS, PSS before the load, CPU during it."""
    kinds: dict[str, dict] = {}
    for unit in sampler.units.values():
        kind = kinds.setdefault(sampler.kind_of(unit), {"n": 0, "hwm": [], "pss": [], "before": 0, "cpu": 0.0})
        kind["n"] += 1
        kind["hwm"].append(unit.hwm_kib)
        kind["pss"].append(unit.pss_kib)
        for pid in unit.members:
            seen = sampler.seen[pid]
            kind["before"] += before.get(pid, 0)
            kind["cpu"] += max(seen.cpu_last - seen.cpu_first, 0.0)
    print(f"{'each (MB = MiB)':<24}{'count':>6}{'peak RSS max':>14}{'PSS max':>11}{'PSS sum':>11}"
          f"{'PSS before':>12}{'CPU s':>8}")
    for name, kind in sorted(kinds.items(), key=lambda item: -sum(item[1]["pss"])):
        print(f"{name:<24}{kind['n']:>6}{mib(max(kind['hwm'])):>14}{mib(max(kind['pss'])):>11}"
              f"{mib(sum(kind['pss'])):>11}{mib(kind['before']):>12}{kind['cpu']:>8.1f}")
    others = sorted({sampler.seen[unit.top].comm for unit in sampler.units.values() if sampler.kind_of(unit) == "other"})
    if others:
        print(f"  other: {', '.join(others)}")
    print("  a kernel counts with every process it runs in (sandbox launcher; Validate's fork server with the")
    print("  kernels it forks); kernels running at the end are the notebooks', those that ended Validate's.")
    print("  peak RSS: VmHWM (a kernel's processes added); PSS sum: the peaks added (overstated: not simultaneous)")
    print(f"room at its peak, all its processes at once, the bomb's kernel left out: PSS {mib(sampler.peak_pss_kib).strip()}, "
          f"RSS {mib(sampler.peak_rss_kib).strip()}")
    return kinds


def report_capacity(room, participants: int, kinds: dict[str, dict], sampler: RoomSampler) -> str:
    """The capacity of a 16 GB, 4-core machine implied by this run; returns the one-line verdict."""
    fixed_mib = sum(kind["before"] for kind in kinds.values()) / 1024
    per_mib = (sampler.peak_pss_kib / 1024 - fixed_mib) / participants
    cpu = sum(kind["cpu"] for name, kind in kinds.items() if name != "bomb kernel")
    per_cpu = cpu / participants
    single = "JupyterLab server" if room.target == "lab" else "hub"
    single_cpu = kinds.get(single, {"cpu": 0.0})["cpu"] / participants
    by_memory = math.floor((MACHINE_MIB - RESERVED_MIB - fixed_mib) / per_mib)
    by_cores = math.floor(MACHINE_CORES * BURST_SECONDS / per_cpu)
    by_single = math.floor(BURST_SECONDS / single_cpu) if single_cpu > 0 else by_cores
    holds = min(by_memory, by_cores, by_single)
    machine = "laptop" if room.target == "lab" else "room server"
    print(f"per participant: {per_mib:.0f} MB (PSS at the room's peak, above the {fixed_mib:.0f} MB running "
          f"before), {per_cpu:.1f} CPU s for the whole sequence ({single}: {single_cpu:.2f} CPU s)")
    print(f"a 16 GB, 4-core {machine} (2 GB kept for the system{' and the trainer' if room.target == 'lab' else ''}; "
          f"everyone's whole sequence within {BURST_SECONDS // 60} minutes; cores like these):")
    print(f"  by memory {by_memory}; by 4 cores {by_cores}; by the {single} on one core {by_single}  "
          f"=> holds {holds} participants")
    return f"a 16 GB {machine} with 4 cores holds {holds} participants"


async def run_room(room, kit: Kit, participants: int, lesson: str, bomb_cap_mb: int, deadline: float) -> int:
    curriculum = load_curriculum(kit)
    module = next((m for m in curriculum.modules if lesson in m.lessons), None)
    if module is None or not module.assignment:
        raise UmkmkitError(f"{lesson} is no lesson of a module with an exercise in curriculum.yml.")
    solution = notebooks.read_notebook(kit.solution_dir(module.assignment) / f"{EXERCISE_NOTEBOOK}.ipynb")
    load = Load(kit, lesson, module.assignment, lesson_cells(kit.lessons_dir / lesson),
                simulate.answer_key(solution), bomb=BombWatch(bomb_cap_mb) if bomb_cap_mb else None)
    room.assignment, room.lesson = module.assignment, lesson
    tag = uuid.uuid4().hex[:4].upper()
    names = [f"P-7{tag}{n:02d}" for n in range(1, participants + 1)]
    bomber = f"P-7{tag}BOM" if load.bomb else None
    started = time.perf_counter()
    await asyncio.to_thread(room.start, names + ([bomber] if bomber else []))
    print(f"{room.target}: ready in {time.perf_counter() - started:.1f} s; {participants} participants"
          f"{' + 1 running a memory bomb' if bomber else ''} start together "
          f"(lesson {lesson}, {len(load.cells)} code cells; exercise {module.assignment}/{EXERCISE_NOTEBOOK}.ipynb)")
    for name in getattr(room, "findings", ()):
        print(f"FINDING: the lab's participants' folder has no datasets/{name}, which the lesson reads "
              f"(bantu.baca_data); umkmkit.room.lab.lesson_datasets finds only `../datasets/<file>` references. "
              f"The benchmark copied it in.")
    sampler = RoomSampler(room.root_pid, room)
    before = sampler.mark_start()
    sampler.start()
    busy_before, self_before = machine_busy_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    people = [Participant(name, new_client()) for name in names]
    bomb_person = Participant(bomber, new_client()) if bomber else None
    load_started = time.perf_counter()
    tasks = [asyncio.create_task(participant_flow(room, p, load)) for p in people]
    bomb_task = asyncio.create_task(bomb_flow(room, bomb_person, load)) if bomb_person else None
    timed_out = False
    try:
        done, pending = await asyncio.wait(tasks + ([bomb_task] if bomb_task else []),
                                           timeout=max(deadline - time.monotonic(), 1))
        timed_out = bool(pending)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        wall = time.perf_counter() - load_started
        sampler.halt.set()
        sampler.join()
        sampler.sample()
    finally:
        for p in people + ([bomb_person] if bomb_person else []):
            await p.client.aclose()
        if load.bomb is not None:
            load.bomb.done.set()
    busy = machine_busy_seconds() - busy_before
    own = resource.getrusage(resource.RUSAGE_SELF)
    own_cpu = own.ru_utime + own.ru_stime - self_before.ru_utime - self_before.ru_stime
    for p in people:
        if p.failure is None and len(p.timings) < len(room.steps):
            p.failure = (next(s for s in room.steps if s not in p.timings), "not finished: the run timed out")

    print()
    failures = report_steps(room, people)
    finished = sum(1 for p in people if p.failure is None)
    print(f"participants who finished every step: {finished}/{participants}; failures: {failures}; "
          f"the room's load took {wall:.1f} s")
    if room.target == "hub":
        print(f"submissions in the exchange's inbound folder: {room.submissions()}")
    print()
    kinds = report_memory(sampler, before)
    print(f"CPU during the load: the room's processes {sum(k['cpu'] for k in kinds.values()):.1f} s "
          f"(bomb included); the whole machine {busy:.1f} s of {wall * (os.cpu_count() or 1):.0f} available "
          f"({os.cpu_count()} cores x {wall:.0f} s), of which this benchmark's client {own_cpu:.1f} s")
    if load.bomb is not None:
        notes = bomb_task.result() if bomb_task.done() and not bomb_task.cancelled() else ["the bomber was cancelled"]
        print(f"memory bomb ({bomber}): {load.bomb.outcome}")
        for note in notes:
            print(f"  {note}")
    print()
    verdict = report_capacity(room, participants, kinds, sampler)
    print(f"=> {verdict} (measured {date.today().isoformat()}, {participants} participants on "
          f"{os.cpu_count()} cores)")
    if timed_out:
        print(f"TIMED OUT: {len(pending)} participants unfinished when the time limit was reached", file=sys.stderr)
        return 3
    return 1 if failures else 0


def run_target(target: str, kit: Kit, args) -> int:
    private = Path(tempfile.mkdtemp(prefix=f"umkmkit-load-{target}-", dir="/tmp"))
    room = LabRoom(kit, private) if target == "lab" else HubRoom(kit, private)
    deadline = time.monotonic() + args.timeout
    print(f"== {target}: JupyterLab {jupyterlab_version}, {os.cpu_count()} cores, 127.0.0.1 only, "
          f"time limit {args.timeout} s ==")
    try:
        return asyncio.run(asyncio.wait_for(
            run_room(room, kit, args.participants, args.lesson, args.bomb_cap_mb, deadline - 30),
            timeout=max(deadline - time.monotonic(), 1),
        ))
    except asyncio.TimeoutError:
        print(f"TIMED OUT: {target} did not finish within {args.timeout} s", file=sys.stderr)
        return 3
    finally:
        room.stop()
        shutil.rmtree(private, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=DEFAULT_PARTICIPANTS,
                        help=f"simulated participants (default {DEFAULT_PARTICIPANTS}), plus one memory bomb")
    parser.add_argument("--target", choices=("lab", "hub", "both"), default="both")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                        help=f"seconds per target, set-up included (default {DEFAULT_TIMEOUT}); past it: exit 3")
    parser.add_argument("--lesson", default=DEFAULT_LESSON, help=f"the lesson everyone runs (default {DEFAULT_LESSON})")
    parser.add_argument("--bomb-cap-mb", type=int, default=DEFAULT_BOMB_CAP_MB,
                        help=f"where the benchmark kills the bomb's kernel (default {DEFAULT_BOMB_CAP_MB}; 0: no bomb)")
    args = parser.parse_args()
    if not 1 <= args.participants <= 200:
        parser.error("--participants must be between 1 and 200")
    if not Path("/proc/self/smaps_rollup").is_file():
        print("This benchmark reads /proc and runs on Linux only.", file=sys.stderr)
        return 2
    targets = ["lab", "hub"] if args.target == "both" else [args.target]
    if "hub" in targets and os.geteuid() != 0:
        print("The hub target needs root (it creates Unix accounts); run --target lab, or as root.", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "tests"))  # the hub's loopback set-up lives in tests/test_hub.py
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally blocks, like Ctrl+C
    kit = find_kit()
    status = 0
    try:
        for target in targets:
            status = max(status, run_target(target, kit, args))
            print()
    except KeyboardInterrupt:
        print("\ninterrupted: the servers were stopped and the accounts removed", file=sys.stderr)
        return 130
    except UmkmkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
