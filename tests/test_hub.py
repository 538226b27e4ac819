"""The room server on loopback: `umkmkit hub-config`'s JupyterHub with real Unix accounts.

One cohort of three participants (two who work through an assignment, one newcomer who only
logs in) and one trainer. The test writes the configuration with the CLI, starts JupyterHub
(which starts its proxy, the cohort's formgrader service and the participants' servers) on
127.0.0.1, and drives what people would do:

- each participant sets their own password at first login, and only it opens their account;
  names not on the roster are refused; the trainer prints login slips (`umkmkit hub-slips`),
  clears a password with `umkmkit hub-reset-password`, and the participant sets a new one;
- participants reach their own server, which runs under their own Unix account (created by the
  hub on first spawn);
- the trainer releases, collects, grades and returns feedback with umkmkit and nbgrader as the
  cohort's grader account, as in the formgrader service's terminal (`runuser`);
- participants fetch, fill in and submit the assignment and fetch their feedback through
  nbgrader's assignment-list API in their own servers (the buttons of the Assignments tab);
- a participant cannot list the exchange's inbound folder or read another participant's home.

Memory (RSS) of the hub, the proxy, an idle participant server and a kernel is printed.
Everything started is stopped, and the Unix accounts are removed, at the end. Linux and root
only (CI runs as root): JupyterHub's local spawner switches to each participant's account.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from conftest import umkmkit
import requests
from click.testing import CliRunner, Result

from umkmkit.cohort import simulate
from umkmkit.course import notebooks
from umkmkit.cli import main
from umkmkit.cohort.cohorts import Trainee, create_cohort, open_gradebook
from umkmkit.room.formgrader_names import KIT_EXPRESSION, NBGRADER_EXPRESSION
from umkmkit.room.hub import grader_account, grader_environment, load_room
from umkmkit.workspace import Workspace

pytestmark = pytest.mark.slow
ROOT_ON_LINUX = sys.platform.startswith("linux") and os.geteuid() == 0

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(sysconfig.get_path("scripts"))
ASSIGNMENT, NOTEBOOK = "00-mengenal-jupyter", "latihan"
NEWCOMER_NAME = 'Ani <b>"Kue"</b> & Budi'  # on a login slip, written as text, never as HTML
TRAINER = f"pelatih-{uuid.uuid4().hex[:6]}"  # a new name each run: an interrupted run's account is in no one's way
START_TIMEOUT = 90
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def _free_base_port() -> int:
    """A port P with P, P+1, P+81 and P+100 free on 127.0.0.1 (the hub's fixed offsets)."""
    for _ in range(200):
        base = 20000 + secrets.randbelow(30000)
        sockets = []
        try:
            for offset in (0, 1, 81, 100):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free block of ports on 127.0.0.1")


def _memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB: PSS shares each shared page among its processes, so a room's PSS adds up."""
    def field_kb(path: str, name: str) -> int:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
        return 0

    return field_kb(f"/proc/{pid}/status", "VmRSS:") / 1024, field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") / 1024


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _processes_of(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _uid_of(int(entry.name)) in uids:
                    pids.append(int(entry.name))
            except (OSError, AssertionError):
                continue
    return pids


class _ModesRestored:
    """Let other users enter the folders above the kit's Python (e.g. a pyenv under /root, 0700).

    A room server installs the kit where everyone can read it (docs/deployment.md); this machine's
    venv may be made from a Python under /root. Only the execute (enter) bit for others is added.
    Every mode changed here, and those of `kept` (the hub closes the kit's solutions/), is put
    back afterwards.
    """

    def __init__(self, traversed: list[Path], kept: list[Path]):
        self.traversed = traversed
        self.modes = {path: stat.S_IMODE(path.stat().st_mode) for path in kept}

    def __enter__(self):
        for path in self.traversed:
            for folder in reversed(Path(path).resolve().parents):
                mode = stat.S_IMODE(folder.stat().st_mode)
                if not mode & stat.S_IXOTH:
                    self.modes.setdefault(folder, mode)
                    os.chmod(folder, mode | stat.S_IXOTH)
        return self

    def __exit__(self, *exc):
        for folder, mode in self.modes.items():
            os.chmod(folder, mode)


@dataclass
class Room:
    base: Path
    url: str
    cohort_id: str
    participants: list[str]
    newcomer: str  # rostered, never logged in by the fixture
    hub_process: subprocess.Popen
    hub_log: Path
    exchange: Path
    course_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, requests.Session] = field(default_factory=dict)  # logged in, as in a browser
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def api(self, method: str, path: str, user: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.tokens[user]}"}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def as_grader(self, *command: str) -> subprocess.CompletedProcess:
        """A command run as the cohort's grader account, in the formgrader service's terminal's environment."""
        room, _ = load_room(self.base / "hub")
        done = subprocess.run(
            [RUNUSER, "-u", grader_account(self.cohort_id), "--", *command], cwd=self.course_dir,
            env={**os.environ, **grader_environment(room, room["cohorts"][0])}, capture_output=True, text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def as_user(self, user: str, code: str) -> subprocess.CompletedProcess:
        """Python code run as a participant's Unix account."""
        return subprocess.run(
            [RUNUSER, "-u", user, "--", sys.executable, "-c", code], cwd="/", capture_output=True, text=True,
            timeout=60,
        )

    def log_tail(self) -> str:
        return self.hub_log.read_text(encoding="utf-8", errors="replace")[-4000:]


def _password(user: str) -> str:
    """The password each participant chooses at their first login."""
    return f"sandi-{user.lower()}-sendiri"


def _login(url: str, name: str, password: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=30)
    answer = session.post(
        f"{url}/hub/login", data={"username": name, "password": password, "_xsrf": session.cookies.get("_xsrf")},
        allow_redirects=False, timeout=30,
    )
    return session, answer


def _token(url: str, session: requests.Session, name: str) -> str:
    answer = session.post(
        f"{url}/hub/api/users/{name}/tokens", json={"note": "test_hub"},
        headers={"X-XSRFToken": session.cookies.get("_xsrf")}, timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def _spawn(room: Room, user: str) -> int:
    """Start the user's server through the REST API; its process id once it answers."""
    answer = room.api("POST", f"/hub/api/users/{user}/server", user)
    assert answer.status_code in (201, 202), answer.text
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        model = room.api("GET", f"/hub/api/users/{user}", TRAINER).json()
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            return server["state"]["pid"]
        time.sleep(0.3)
    raise AssertionError(f"{user}'s server did not start:\n{room.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the hub: SIGTERM, after 5 s SIGKILL; then whatever it started and left (proxy, services).

    No test here is about how the hub stops. Alone it stops in about 1 s; in a full test run it
    used all of the 30 s this once allowed, even with the participants' servers already killed,
    and the idle culler it had started (in a session of its own) outlived the killed hub.
    """
    import psutil

    if process.poll() is not None:
        return
    started = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    for child in started:
        try:
            child.kill()
        except psutil.Error:
            pass


@pytest.fixture(scope="module")
def room(kit, curriculum):
    """A running hub for one new cohort of three participants, with the trainer's and two participants' tokens."""
    if not ROOT_ON_LINUX:
        pytest.skip("the room server needs Linux and root (it starts servers under participants' Unix accounts)")
    started = time.perf_counter()
    tag = uuid.uuid4().hex[:4]
    cohort_id = f"uji-hub-{tag}"
    participants = [f"P-9{tag}1".upper(), f"P-9{tag}2".upper()]
    newcomer = f"P-9{tag}3".upper()
    accounts = participants + [newcomer, TRAINER, grader_account(cohort_id)]
    existing = [name for name in accounts if _account_exists(name)]
    if existing:
        pytest.fail(f"Unix accounts {existing} already exist; this test creates and removes its own.", pytrace=False)
    base = Path(tempfile.mkdtemp(prefix="umkmkit-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    workspace = Workspace(base / "workspace")
    env = {
        **os.environ, "UMKMKIT_WORKSPACE": str(workspace.root), "UMKMKIT_ROOT": str(ROOT),
        "PATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PATH", "")]),
    }
    hub_process = None
    with _ModesRestored([Path(sys.executable), ROOT, base], kept=[kit.solutions_dir]):
        try:
            trainees = [Trainee(p, f"Peserta Uji {n}") for n, p in enumerate(participants, start=1)]
            trainees.append(Trainee(newcomer, NEWCOMER_NAME))
            create_cohort(kit, curriculum, workspace, cohort_id, trainees, assignment_ids=[ASSIGNMENT],
                          exchange_root=base / "exchange")
            timings = {"cohort created": time.perf_counter() - started}
            port = _free_base_port()
            written = umkmkit("hub-config", cohort_id, "--out", str(base / "hub"), "--trainer", TRAINER,
                              "--ip", "127.0.0.1", "--port", str(port), env=env)
            assert written.exit_code == 0, written.stderr
            assert f"{cohort_id}: 3 participants" in written.stdout
            assert "each participant sets their own at first login" in written.stdout
            trainer_password = json.loads((base / "hub" / "secrets.json").read_text())["trainer_password"]
            assert stat.S_IMODE((base / "hub" / "secrets.json").stat().st_mode) == 0o600
            timings["hub-config"] = time.perf_counter() - started - timings["cohort created"]
            hub_log = base / "hub.log"
            with hub_log.open("w") as log:
                hub_process = subprocess.Popen(
                    [str(SCRIPTS / "jupyterhub"), "-f", str(base / "hub" / "jupyterhub_config.py")],
                    cwd=base / "hub", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            url = f"http://127.0.0.1:{port}"
            room = Room(base, url, cohort_id, participants, newcomer, hub_process, hub_log, base / "exchange",
                        workspace.cohort(cohort_id).root, timings=timings)
            hub_started = time.perf_counter()
            _wait_for_hub(room)
            room.timings["hub start"] = time.perf_counter() - hub_started
            session, answer = _login(url, TRAINER, trainer_password)
            assert answer.status_code == 302, answer.text[-500:]
            room.tokens[TRAINER] = _token(url, session, TRAINER)
            room.sessions[TRAINER] = session
            for user in participants:  # their first login sets their password
                session, answer = _login(url, user.lower(), _password(user))  # any case: the hub user is the roster's id
                assert answer.status_code == 302, answer.text[-500:]
                room.tokens[user] = _token(url, session, user)
                room.sessions[user] = session
            spawned = time.perf_counter()
            room.pids = {user: _spawn(room, user) for user in participants}
            room.timings["two servers spawned"] = time.perf_counter() - spawned
            time.sleep(1)
            room.memory["participant server, idle"] = _memory_mb(room.pids[participants[1]])
            yield room
        finally:
            if hub_process is not None:
                _kill_processes_of(accounts)  # the participants' servers: the hub need not stop them
                _stop(hub_process)
            _remove_accounts(accounts, base)
            shutil.rmtree(base, ignore_errors=True)


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _wait_for_hub(room: Room) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if room.hub_process.poll() is not None:
            raise AssertionError(f"JupyterHub exited with {room.hub_process.returncode}:\n{room.log_tail()}")
        try:
            if requests.get(f"{room.url}/hub/api", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"JupyterHub did not answer in {START_TIMEOUT} s:\n{room.log_tail()}")


def _kill_processes_of(accounts: list[str]) -> None:
    """SIGKILL every process running under one of `accounts` (by process id)."""
    uids = {pwd.getpwnam(name).pw_uid for name in accounts if _account_exists(name)}
    for pid in _processes_of(uids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _remove_accounts(accounts: list[str], base: Path) -> None:
    """Stop what still runs under the test's accounts (by process id), then remove them with their homes."""
    proxy_pid = base / "hub" / "state" / "proxy.pid"
    if proxy_pid.is_file():  # JupyterHub stops its proxy; this is for a hub that was killed
        try:
            pid = int(proxy_pid.read_text().strip())
            if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass
    _kill_processes_of(accounts)
    for name in accounts:
        if _account_exists(name):
            subprocess.run(["userdel", "--remove", name], capture_output=True)


# --- what hub-config refuses ----------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the room server is Linux only")
def test_hub_config_refuses_an_unknown_cohort_and_a_shared_password(kit, curriculum, tmp_path):
    workspace = Workspace(tmp_path / "workspace")
    create_cohort(kit, curriculum, workspace, "uji-sandi", [Trainee("P-00001", "Peserta Uji 1")],
                  assignment_ids=[ASSIGNMENT], exchange_root=tmp_path / "exchange")
    env = {**os.environ, "UMKMKIT_WORKSPACE": str(workspace.root)}
    for arguments, message in (
        (["uji-tidak-ada"], "umkmkit cohort create uji-tidak-ada"),
        (["uji-sandi", "--password", "kelas-manokwari"], "each sets their own at first login"),
    ):
        done = umkmkit("hub-config", *arguments, "--out", str(tmp_path / "hub"), env=env)
        assert done.exit_code == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "hub").exists()


# --- logins, groups, servers ----------------------------------------------------------------

def test_only_the_password_a_participant_chose_at_first_login_opens_their_account(room):
    first, second = room.participants
    assert _login(room.url, first, _password(first))[1].status_code == 302  # chosen at first login (the fixture)
    # the second participant cannot log in as the first: not with their own password, nor the old room password
    assert _login(room.url, first, _password(second))[1].status_code == 403
    assert _login(room.url, first, "kelas-manokwari")[1].status_code == 403
    # a name on no roster is refused whatever the password: nobody signs up
    for password in ("sandi-orang-luar", "sandi-lain-lagi"):
        assert _login(room.url, "P-00000", password)[1].status_code == 403
    assert _login(room.url, TRAINER, _password(first))[1].status_code == 403  # trainers: secrets.json's password
    who = room.api("GET", "/hub/api/user", first).json()
    assert who["name"] == first and not who["admin"]
    assert who["groups"] == [f"nbgrader-{room.cohort_id}"]
    # a stale login form gets JupyterHub's "try again", not an error 500 (firstuse 1.1.1's login page)
    stale = requests.post(f"{room.url}/hub/login", data={"username": first, "password": _password(first)},
                          allow_redirects=False, timeout=30)
    assert stale.status_code == 403 and "Try again" in stale.text, (stale.status_code, stale.text[-500:])


def test_groups_follow_nbgraders_multi_course_setup(room):
    groups = {g["name"]: set(g["users"]) for g in room.api("GET", "/hub/api/groups", TRAINER).json()}
    assert groups[f"nbgrader-{room.cohort_id}"] == {*room.participants, room.newcomer, TRAINER}
    assert groups[f"formgrade-{room.cohort_id}"] == {TRAINER}


def test_the_trainer_clears_a_password_and_the_participant_sets_a_new_one(room):
    newcomer = room.newcomer
    page = _login(room.url, newcomer, "pendek")[1]  # too short a first password: refused, nothing stored
    assert page.status_code == 403 and "minimal 8 karakter" in page.text
    old_session, answer = _login(room.url, newcomer, "sandi-lama-123")
    assert answer.status_code == 302
    assert old_session.get(f"{room.url}/hub/home", allow_redirects=False, timeout=30).status_code == 200
    done = _umkmkit(room, "hub-reset-password", room.cohort_id, newcomer.lower())
    assert done.exit_code == 0, done.output
    assert f"Kata sandi {newcomer} ({room.cohort_id}) dikosongkan" in done.stdout
    # logged out; the next login sets a new password, and the old one no longer opens the account
    assert old_session.get(f"{room.url}/hub/home", allow_redirects=False, timeout=30).status_code == 302
    session, answer = _login(room.url, newcomer, "sandi-baru-456")
    assert answer.status_code == 302
    assert _login(room.url, newcomer, "sandi-lama-123")[1].status_code == 403
    # logged in, a participant changes their own password (the address on their slip)
    assert session.get(f"{room.url}/hub/auth/change-password", timeout=30).status_code == 200
    changed = session.post(f"{room.url}/hub/auth/change-password", timeout=30,
                           data={"password": "sandi-ganti-789", "_xsrf": session.cookies.get("_xsrf")})
    assert changed.status_code == 200 and "changed successfully" in changed.text, changed.text[-500:]
    assert _login(room.url, newcomer, "sandi-baru-456")[1].status_code == 403
    assert _login(room.url, newcomer, "sandi-ganti-789")[1].status_code == 302
    # a trainer's password stays the one in secrets.json
    trainer = room.sessions[TRAINER]
    kept = trainer.post(f"{room.url}/hub/auth/change-password", timeout=30,
                        data={"password": "sandi-pelatih-baru", "_xsrf": trainer.cookies.get("_xsrf")})
    assert kept.status_code == 200 and "secrets.json" in kept.text
    assert _login(room.url, TRAINER, "sandi-pelatih-baru")[1].status_code == 403
    groups = {g["name"]: set(g["users"]) for g in room.api("GET", "/hub/api/groups", TRAINER).json()}
    assert newcomer in groups[f"nbgrader-{room.cohort_id}"]  # still in the cohort
    first = room.participants[0]
    assert _login(room.url, first, _password(first))[1].status_code == 302  # others keep theirs
    refused = _umkmkit(room, "hub-reset-password", room.cohort_id, "P-00000")
    assert refused.exit_code == 1 and "not on the roster" in refused.stderr, refused.output


def test_login_slips_give_each_participant_their_id_the_address_and_the_first_login(room):
    done = _umkmkit(room, "hub-slips", room.cohort_id)
    assert done.exit_code == 0 and f"Slip masuk untuk 3 peserta {room.cohort_id}" in done.stdout, done.output
    page = room.base / "hub" / f"slip-masuk-{room.cohort_id}.html"
    assert stat.S_IMODE(page.stat().st_mode) == 0o600  # it names every participant
    text = page.read_text(encoding="utf-8")
    assert text.count("Buat kata sandi Anda sendiri saat pertama masuk") == 3
    assert text.count(f'<span class="alamat">{room.url}</span>') == 3
    for user in [*room.participants, room.newcomer]:
        assert f'<span class="id">{user}</span>' in text
    assert "Ani &lt;b&gt;&#34;Kue&#34;&lt;/b&gt; &amp; Budi" in text and NEWCOMER_NAME not in text
    elsewhere = _umkmkit(room, "hub-slips", "uji-lain")
    assert elsewhere.exit_code == 1 and "does not serve cohort uji-lain" in elsewhere.stderr, elsewhere.output


def _umkmkit(room: Room, *arguments: str) -> Result:
    """The trainer's `umkmkit` command, as root, on this room's hub folder (in this process: it has
    nbgrader imported already, which a new one takes seconds to)."""
    env = {"UMKMKIT_WORKSPACE": str(room.base / "workspace"), "UMKMKIT_ROOT": str(ROOT)}
    return CliRunner().invoke(main, [*arguments, "--hub", str(room.base / "hub")], env=env)


def test_each_participant_server_runs_under_their_own_unix_account(room):
    for user in room.participants:
        account = pwd.getpwnam(user)
        assert _uid_of(room.pids[user]) == account.pw_uid
        assert stat.S_IMODE(Path(account.pw_dir).stat().st_mode) == 0o700
        assert room.api("GET", f"/user/{user}/api/status", user).status_code == 200
    # in the participant's browser: JupyterLab with the kit's settings, without the trainer's tools
    page = room.sessions[room.participants[0]].get(f"{room.url}/user/{room.participants[0]}/lab", timeout=60)
    assert page.status_code == 200, page.status_code
    page_config = json.loads(page.text.split('<script id="jupyter-config-data" type="application/json">', 1)[1]
                             .split("</script>", 1)[0])
    assert "@jupyter/nbgrader:formgrader" in page_config["disabledExtensions"]
    # a participant's token does not open another participant's server
    first, second = room.participants
    assert room.api("GET", f"/user/{first}/api/contents", second).status_code in (403, 404)


def test_the_formgrader_service_is_for_the_cohorts_trainer_only(room):
    # in the trainer's browser: the service's address opens the formgrader in its own tab
    page = room.sessions[TRAINER].get(f"{room.url}/services/{room.cohort_id}/", timeout=60)
    assert page.status_code == 200 and f"/services/{room.cohort_id}/formgrader/" in page.url, page.url
    assert "formgrader" in page.text.lower()
    # the service writes trainee names whole (umkmkit.room.formgrader_names), not nbgrader's "last, first"
    script = room.sessions[TRAINER].get(
        f"{room.url}/services/{room.cohort_id}/formgrader/static/js/manage_students.js", timeout=60)
    assert script.status_code == 200 and KIT_EXPRESSION in script.text and NBGRADER_EXPRESSION not in script.text
    refused = room.sessions[room.participants[0]].get(f"{room.url}/services/{room.cohort_id}/", timeout=60)
    assert refused.status_code == 403
    status = room.api("GET", f"/services/{room.cohort_id}/api/status", TRAINER)
    assert status.status_code == 200
    for user in room.participants:
        assert room.api("GET", f"/services/{room.cohort_id}/api/status", user).status_code == 403
    service_pid = next(p for p in _processes_of({pwd.getpwnam(grader_account(room.cohort_id)).pw_uid}))
    room.memory["formgrader service, idle"] = _memory_mb(service_pid)


# --- the exchange cycle -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cycle(room, kit):
    """Release, fetch, submit (one correct, one untouched), collect, grade, feedback, fetch feedback."""
    started = time.perf_counter()
    first, second = room.participants
    results = {}
    results["release"] = room.as_grader("umkmkit", "release", room.cohort_id, ASSIGNMENT, "--exchange").stdout
    for user in room.participants:
        listed = room.api("GET", "/user/%s/assignments" % user, user, params={"course_id": room.cohort_id}).json()
        results[f"listed {user}"] = listed
        fetched = room.api("POST", f"/user/{user}/assignments/fetch", user,
                           data={"course_id": room.cohort_id, "assignment_id": ASSIGNMENT})
        assert fetched.status_code == 200, fetched.text
    path = f"{room.cohort_id}/{ASSIGNMENT}/{NOTEBOOK}.ipynb"
    model = room.api("GET", f"/user/{first}/api/contents/{path}", first).json()
    solution = notebooks.read_notebook(kit.solution_dir(ASSIGNMENT) / f"{NOTEBOOK}.ipynb")
    answered = simulate.fill_answers(nbformat.from_dict(model["content"]), simulate.answer_key(solution))
    saved = room.api("PUT", f"/user/{first}/api/contents/{path}", first,
                     json={"type": "notebook", "format": "json", "content": answered})
    assert saved.status_code == 200, saved.text
    # nbgrader's Validate button, its kernel started by the kit's kernel manager (umkmkit.grading.kernel_start)
    results["validate"] = room.api("POST", f"/user/{first}/assignments/validate", first, data={"path": path}).json()
    for user in room.participants:
        submitted = room.api("POST", f"/user/{user}/assignments/submit", user,
                             data={"course_id": room.cohort_id, "assignment_id": ASSIGNMENT})
        assert submitted.status_code == 200 and submitted.json().get("success", True), submitted.text
    # nbgrader's collect (the formgrader's Collect button) keeps each submission's secret, which
    # release_feedback needs; `umkmkit collect --exchange` does not keep it (yet)
    results["collect"] = room.as_grader("nbgrader", "collect", ASSIGNMENT).stderr
    results["grade"] = room.as_grader("umkmkit", "grade", room.cohort_id, ASSIGNMENT).stdout
    # the written answers are not marked in this room: --anyway gives feedback that says so
    results["feedback"] = room.as_grader("umkmkit", "feedback", room.cohort_id, ASSIGNMENT, "--anyway").stdout
    results["release_feedback"] = room.as_grader("nbgrader", "release_feedback", ASSIGNMENT).stderr
    for user in room.participants:
        answer = room.api("POST", f"/user/{user}/assignments/fetch_feedback", user,
                          data={"course_id": room.cohort_id, "assignment_id": ASSIGNMENT})
        assert answer.status_code == 200, answer.text
        folder = room.api("GET", f"/user/{user}/api/contents/{room.cohort_id}/{ASSIGNMENT}/feedback", user).json()
        stamps = [entry["path"] for entry in folder["content"]]
        assert len(stamps) == 1, folder
        results[f"feedback {user}"] = room.api(
            "GET", f"/user/{user}/api/contents/{stamps[0]}/{NOTEBOOK}.html", user, params={"format": "text"},
        ).json()["content"]
    room.timings["exchange cycle"] = time.perf_counter() - started
    return results


def test_participants_see_the_release_of_their_cohort(room, cycle):
    for user in room.participants:
        listed = cycle[f"listed {user}"]
        assert listed["success"], listed
        assert [(a["course_id"], a["assignment_id"], a["status"]) for a in listed["value"]] == [
            (room.cohort_id, ASSIGNMENT, "released")
        ]
    assert "released to nbgrader's exchange" in cycle["release"]


def test_validate_passes_the_solutions_answers_on_the_room_server(room, cycle):
    answer = cycle["validate"]
    assert answer["success"], str(answer)[-500:]
    assert not {key: answer["value"][key] for key in ("failed", "changed", "type_changed") if answer["value"].get(key)}
    config = (room.base / "hub" / "jupyter" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "c.Execute.kernel_manager_class = 'umkmkit.grading.kernel_start.SteadyKernelManager'" in config


def test_fetched_work_belongs_to_the_participant(room, cycle):
    for user in room.participants:
        home = Path(pwd.getpwnam(user).pw_dir)
        fetched = home / room.cohort_id / ASSIGNMENT / f"{NOTEBOOK}.ipynb"  # path_includes_course
        assert fetched.stat().st_uid == pwd.getpwnam(user).pw_uid


def test_trainer_collects_and_grades_each_participant(room, cycle, capsys):
    first, second = room.participants
    with capsys.disabled():  # what the grading sandbox can do as a non-root grader account
        print("\nAs " + grader_account(room.cohort_id) + ": " + next(
            line for line in cycle["grade"].splitlines() if line.startswith("Perlindungan penilai")))
    for user in room.participants:
        assert (room.course_dir / "submitted" / user / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    with open_gradebook(_cohort(room)) as gradebook:
        scores = {user: gradebook.find_submission(ASSIGNMENT, user).score for user in room.participants}
        autograded_maximum = gradebook.find_assignment(ASSIGNMENT).max_code_score
    assert scores == {first: autograded_maximum, second: 0}  # the solution's answers, the untouched exercise


def test_participants_fetch_their_own_feedback(room, cycle):
    first, second = room.participants  # the solution's answers, the untouched exercise
    number = lambda text: float(text.replace(".", "").replace(",", "."))  # noqa: E731 (Indonesian: 1,5)
    page = cycle[f"feedback {first}"]
    score = re.search(r"Nilai sementara: <strong>(\S+) dari (\S+)</strong>", page)
    waiting = re.search(r"<strong>(\S+) poin menunggu penilaian pelatih</strong>", page)
    # every automatic point, and the written answer waits for the trainer (not counted as 0)
    assert score and waiting, "the first participant's own page shows a provisional score and what waits"
    assert number(score.group(1)) + number(waiting.group(1)) == number(score.group(2))
    assert re.search(r"Nilai(?: sementara)?: <strong>0 dari ", cycle[f"feedback {second}"])


def test_a_participant_cannot_read_another_participants_work_or_the_answers(room, cycle, kit):
    first, second = room.participants
    inbound = room.exchange / room.cohort_id / "inbound"
    submissions = sorted(p.name for p in inbound.iterdir())
    assert len(submissions) == 2 and any(s.startswith(f"{first}+") for s in submissions)
    probes = {
        "inbound": f"import os; os.listdir({str(inbound)!r})",
        "feedback": f"import os; os.listdir({str(room.exchange / room.cohort_id / 'feedback')!r})",
        "home": f"open({str(Path(pwd.getpwnam(first).pw_dir) / room.cohort_id / ASSIGNMENT / (NOTEBOOK + '.ipynb'))!r}).read()",
        "cache": f"import os; os.listdir({str(Path(pwd.getpwnam(first).pw_dir) / '.local')!r})",
        # nor the answers: the kit's solutions, the course's sources and gradebook
        "solutions": f"import os; os.listdir({str(kit.solution_dir(ASSIGNMENT))!r})",
        "course": f"import os; os.listdir({str(room.course_dir)!r})",
    }
    for what, code in probes.items():
        done = room.as_user(second, code)
        assert done.returncode != 0 and "PermissionError" in done.stderr, (what, done.stderr)
    # the same probe as the owner works: the refusal above is about whose work it is
    assert room.as_user(first, probes["home"]).returncode == 0


def _cohort(room: Room):
    from umkmkit.workspace import Cohort

    return Cohort(room.course_dir)


# --- sizes ------------------------------------------------------------------------------------

def test_memory_of_the_room_server(room, capsys):
    """RSS of the hub, the proxy, an idle participant server and one kernel (bare, then with pandas)."""
    second = room.participants[1]
    room.memory["hub"] = _memory_mb(room.hub_process.pid)
    proxy_pid = int((room.base / "hub" / "state" / "proxy.pid").read_text().strip())
    room.memory["proxy (configurable-http-proxy)"] = _memory_mb(proxy_pid)
    before = set(_children(room.pids[second]))
    kernel = room.api("POST", f"/user/{second}/api/kernels", second, json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    kernel_pid = _wait_for_child(room.pids[second], before)
    assert _uid_of(kernel_pid) == pwd.getpwnam(second).pw_uid
    asyncio.run(_execute(room, second, kernel.json()["id"], "1 + 1"))
    room.memory["kernel, bare"] = _memory_mb(kernel_pid)
    asyncio.run(_execute(room, second, kernel.json()["id"], "import pandas, matplotlib.pyplot"))
    room.memory["kernel, pandas and matplotlib imported"] = _memory_mb(kernel_pid)
    with capsys.disabled():
        print("\nRoom server on loopback (MiB):                  RSS    PSS")
        for what, (rss, pss) in room.memory.items():
            print(f"  {what:<40} {rss:6.0f} {pss:6.0f}")
        print("Times (s): " + ", ".join(f"{what} {seconds:.1f}" for what, seconds in room.timings.items()))
    assert all(rss > 0 and pss > 0 for rss, pss in room.memory.values())


def _wait_for_child(parent: int, before: set[int]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = set(_children(parent)) - before
        if new:
            return new.pop()
        time.sleep(0.2)
    raise AssertionError("the kernel process did not appear")


async def _execute(room: Room, user: str, kernel_id: str, code: str) -> None:
    """Run `code` in a kernel over its websocket (Jupyter's JSON message protocol), until it replies."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = room.url.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel_id}/channels"
    connection = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {room.tokens[user]}"}))
    message_id = uuid.uuid4().hex
    await connection.write_message(json.dumps({
        "header": {"msg_id": message_id, "msg_type": "execute_request", "username": user,
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        message = json.loads(await asyncio.wait_for(connection.read_message(), timeout=120))
        if message.get("parent_header", {}).get("msg_id") == message_id and message["msg_type"] == "execute_reply":
            assert message["content"]["status"] == "ok", message["content"]
            connection.close()
            return
    raise AssertionError(f"no reply to {code!r}")
