"""A JupyterHub room server: one nbgrader course per cohort, for a workshop of 50-100 participants.

`write_hub_config` writes a folder (default workspace/hub/) that `jupyterhub -f` runs, following
nbgrader's documented set-up for several courses on one JupyterHub:

- one course per cohort (course id = cohort id, the cohort's own course directory and gradebook);
- groups `nbgrader-<cohort>` (the cohort's participants, from its roster) and
  `formgrade-<cohort>` (its trainers); nbgrader's JupyterHubAuthPlugin reads them, so a
  participant sees and submits only the assignments of their own cohorts;
- one exchange folder for all cohorts with `Exchange.path_includes_course = True` (a
  participant's copy lands in ~/<cohort>/<assignment>/);
- one formgrader service per cohort: a Jupyter server on the course directory, run as the Unix
  account `grader-<cohort>` that owns it, at /services/<cohort>/ (nbgrader's course list finds a
  course's formgrader under the course id), opening on the formgrader in its own tab: embedded
  in JupyterLab it is blank on JupyterHub >= 4.1;
- one login per participant (jupyterhub-firstuseauthenticator): a rostered trainee id sets its
  own password at its first login, which from then on is the only one that opens it; names not
  on a served cohort's roster are refused; `reset_participant_password` clears one (the trainer's
  `umkmkit hub-reset-password`) and `write_login_slips` prints each participant's slip; trainers
  (hub admins) log in with their name and a long password of their own;
- idle culling: kernels after 30 minutes, servers after 60 (jupyterhub-idle-culler).

Files written: jupyterhub_config.py (a copy of deploy/jupyterhub/jupyterhub_config.py, which
reads the rest), room.json (cohorts, participants, trainers, ports, paths), secrets.json (the
trainers' password and the password-reset service's token, readable by root only), jupyter/ (the
participants' nbgrader config and the kit's JupyterLab settings) and, once the hub runs, state/
(its database, cookie secret and the participants' password hashes).

Linux only: every participant and every cohort's grader gets a Unix account (created by the hub
as root when first needed, home folder readable by its owner only), and JupyterHub starts their
servers under those accounts. Hub users are named by trainee id exactly as the roster writes it
(`P-00042`): a participant may type it in any case, and nbgrader's exchange then files their
work under the id the cohort's roster and gradebook use.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from umkmkit.room import server_limits
from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic
from umkmkit.workspace import Kit, Workspace

CONFIG_FILE, ROOM_FILE, SECRETS_FILE = "jupyterhub_config.py", "room.json", "secrets.json"
#: Where the kit keeps the configuration's source (copied into every generated folder).
TEMPLATE = Path("deploy") / "jupyterhub" / CONFIG_FILE
#: The proxy JupyterHub drives (npm; `make hub-proxy` installs it into the venv).
PROXY_COMMAND = "configurable-http-proxy"
#: Ports, relative to the public one: with the default 8000 they are JupyterHub's own defaults.
PROXY_API_OFFSET, HUB_OFFSET, FIRST_SERVICE_OFFSET = 1, 81, 100
DEFAULT_PORT = 8000
IDLE_KERNEL_MINUTES, IDLE_SERVER_MINUTES = 30, 60
#: The shortest password a participant may choose at first login (the login page refuses shorter ones).
MIN_PARTICIPANT_PASSWORD, TRAINER_PASSWORD_LENGTH = 8, 40
#: In state/: the participants' bcrypt password hashes (jupyterhub-firstuseauthenticator's database).
PASSWORD_DATABASE = "passwords.dbm"
#: The hub's API-only service that `umkmkit hub-reset-password` acts as (token in secrets.json).
PASSWORD_RESET_SERVICE = "password-reset"
PASSWORD_RESET_SCOPES = ("admin:users", "groups", "read:servers")
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread when copied by hand
#: Unix account names (useradd): at most 32 characters; no leading '-'.
_UNIX_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$")
_TRAINER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
PARTICIPANT_SETTINGS, TRAINER_SETTINGS = "peserta", "pelatih"
#: Accounts below this uid are the system's (Debian's UID_MIN); participants' and trainers' are above.
FIRST_PERSON_UID = 1000


def grader_account(cohort_id: str) -> str:
    """The Unix account that owns a cohort's course directory and runs its formgrader."""
    return f"grader-{cohort_id}"


def participant_group(cohort_id: str) -> str:
    return f"nbgrader-{cohort_id}"


def trainer_group(cohort_id: str) -> str:
    return f"formgrade-{cohort_id}"


@dataclass(frozen=True)
class RoomServer:
    """A generated room-server folder and what a trainer needs to run it and hand out logins."""

    folder: Path
    url: str
    trainer_password: str
    #: cohort id -> its participants' hub user names (= trainee ids)
    participants: dict[str, tuple[str, ...]]
    #: trainer name -> the cohorts they grade
    trainers: dict[str, tuple[str, ...]]

    @property
    def config_file(self) -> Path:
        return self.folder / CONFIG_FILE

    @property
    def participant_password(self) -> str:
        """What to tell participants about a password: there is no shared one to hand out."""
        return ("none shared: each participant sets their own at first login (slips to print: "
                "umkmkit hub-slips COHORT; to clear one: umkmkit hub-reset-password COHORT TRAINEE_ID)")

    def command(self) -> list[str]:
        """How to start the hub (as root, from any folder)."""
        return [str(Path(sysconfig.get_path("scripts")) / "jupyterhub"), "-f", str(self.config_file)]


def write_hub_config(
    kit: Kit,
    cohort_ids: Sequence[str],
    out: Path | None = None,
    *,
    password: str | None = None,
    trainers: Mapping[str, Sequence[str] | None] | None = None,
    ip: str = "0.0.0.0",
    port: int = DEFAULT_PORT,
) -> RoomServer:
    """Write a JupyterHub room server's folder for `cohort_ids` (each one nbgrader course).

    `out` defaults to the workspace's hub/ folder. Participants share no password: each
    rostered trainee id sets its own at first login, so `password` (the former shared one)
    is refused. `trainers` maps each trainer's hub name to the cohorts they grade (None: all
    of them; default: one trainer, `pelatih`); trainers log in with a long password of their
    own, kept in secrets.json. Writing the folder again (to add a cohort) keeps the trainers'
    password, the participants' passwords and the hub's state. The hub serves `ip`:`port`;
    it also uses port+1 (proxy API), port+81 (hub) and port+100... (one formgrader per
    cohort), on 127.0.0.1 only. Refused, before anything is written: a cohort that does not
    exist, cohorts with different exchange folders, names that cannot be Unix accounts, a
    missing proxy, or a system other than Linux.
    """
    if not sys.platform.startswith("linux"):
        raise UmkmkitError(
            "The JupyterHub room server runs on Linux only (it creates a Unix account per participant). "
            "On this computer, use `umkmkit lab` for a room on one laptop."
        )
    if not cohort_ids:
        raise UmkmkitError("Name at least one cohort: `umkmkit hub-config mkw-2022-06 [more cohorts]`.")
    if password is not None:
        raise UmkmkitError(
            "Participants no longer share a password: each sets their own at first login (print their slips with "
            "`umkmkit hub-slips COHORT`). Run hub-config again without --password."
        )
    workspace = kit.workspace
    folder = hub_folder(kit, out)
    cohorts, exchange = _hub_cohorts(kit, cohort_ids, port)
    template = kit.root / TEMPLATE
    if not template.is_file():
        raise UmkmkitError(f"{template} is missing: restore it from git (git checkout -- {TEMPLATE.as_posix()}).")
    trainer_cohorts = _trainer_cohorts(trainers, [c["id"] for c in cohorts])
    _check_names(cohorts, trainer_cohorts)
    secrets_file = folder / SECRETS_FILE
    kept = json.loads(secrets_file.read_text(encoding="utf-8")) if secrets_file.is_file() else {}
    trainer_password = kept.get("trainer_password") or _new_password(TRAINER_PASSWORD_LENGTH)
    service_token = kept.get("password_reset_token") or secrets.token_hex(32)
    scripts = Path(sysconfig.get_path("scripts"))
    room = {
        "url": f"http://{ip}:{port}",
        "hub_port": port + HUB_OFFSET,
        "proxy_api_port": port + PROXY_API_OFFSET,
        "proxy": str(find_proxy()),
        "scripts": str(scripts),
        "python": sys.executable,
        "kit_root": str(kit.root.resolve()),
        "workspace": str(workspace.root.resolve()),
        "exchange_root": str(exchange),
        "idle_kernel_seconds": IDLE_KERNEL_MINUTES * 60,
        "idle_server_seconds": IDLE_SERVER_MINUTES * 60,
        # each process of a participant's server, kernels included (umkmkit.room.server_limits)
        "process_memory_mb": server_limits.DEFAULT_MEMORY_MB,
        "cohorts": cohorts,
        "trainers": {name: list(ids) for name, ids in trainer_cohorts.items()},
    }
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(secrets_file, json.dumps(
        {"trainer_password": trainer_password, "password_reset_token": service_token}, indent=2,
    ) + "\n", mode=0o600)
    _write_text(folder / ROOM_FILE, json.dumps(room, indent=2, ensure_ascii=False) + "\n")
    _write_jupyter_settings(folder, room)
    _write_text(folder / CONFIG_FILE, template.read_text(encoding="utf-8"))
    return RoomServer(
        folder.resolve(), room["url"], trainer_password,
        {c["id"]: tuple(c["participants"]) for c in cohorts},
        {name: tuple(ids) for name, ids in trainer_cohorts.items()},
    )


def hub_folder(kit: Kit, folder: Path | None = None) -> Path:
    """The room server's folder: `folder` if given, else the workspace's hub/."""
    return Path(folder) if folder else kit.workspace.hub_dir


def _hub_cohorts(kit: Kit, cohort_ids: Sequence[str], port: int) -> tuple[list[dict], Path]:
    """room.json's entry of each cohort, and the exchange folder they all share."""
    from umkmkit.cohort.cohorts import exchange_root, load_cohort_config, roster  # nbgrader: seconds to import

    cohorts, exchanges = [], set()
    for index, cohort_id in enumerate(dict.fromkeys(cohort_ids)):
        cohort = kit.workspace.cohort(cohort_id)
        config = load_cohort_config(cohort)  # refuses a folder that is not a cohort
        exchanges.add(exchange_root(config).resolve())
        cohorts.append({
            "id": cohort_id,
            "course_dir": str(cohort.root.resolve()),
            "grader": grader_account(cohort_id),
            "service_port": port + FIRST_SERVICE_OFFSET + index,
            "participants": [trainee.trainee_id for trainee in roster(cohort)],
        })
    if len(exchanges) > 1:
        raise UmkmkitError(
            "The cohorts use different exchange folders (" + ", ".join(sorted(map(str, exchanges))) + "); one "
            "hub needs one. Create the cohorts with the same --exchange-root, or serve them from separate hubs."
        )
    return cohorts, exchanges.pop()


def _trainer_cohorts(trainers: Mapping[str, Sequence[str] | None] | None, cohort_ids: list[str]) -> dict[str, list[str]]:
    chosen = dict(trainers) if trainers else {"pelatih": None}
    result = {}
    for name, wanted in chosen.items():
        unknown = sorted(set(wanted or ()) - set(cohort_ids))
        if unknown:
            raise UmkmkitError(
                f"Trainer {name} is given cohort(s) {', '.join(unknown)}, which this hub does not serve "
                f"({', '.join(cohort_ids)}); name them among the cohorts too."
            )
        result[name] = list(wanted) if wanted else list(cohort_ids)
    return result


def _check_names(cohorts: list[dict], trainers: dict[str, list[str]]) -> None:
    """Every hub user must be able to be a Unix account, and two names may not differ only in case."""
    problems = []
    for name in trainers:
        if not _TRAINER_NAME.match(name):
            problems.append(f"trainer '{name}': use lower-case letters, digits, - and _, starting with a letter")
    owners: dict[str, str] = {}
    for cohort in cohorts:
        if cohort["id"] in ("idle-culler", PASSWORD_RESET_SERVICE):  # each cohort's formgrader is a service of its name
            problems.append(f"cohort {cohort['id']}: the hub has a service of that name already")
        if len(cohort["grader"]) > 32:
            problems.append(f"cohort {cohort['id']}: its grader account {cohort['grader']} is over 32 characters")
        for trainee_id in cohort["participants"]:
            if not _UNIX_NAME.match(trainee_id) or trainee_id.isdigit():
                problems.append(f"{cohort['id']}: trainee id '{trainee_id}' cannot be a Unix account name "
                                "(at most 32 characters, not only digits)")
            other = owners.setdefault(trainee_id.lower(), trainee_id)
            if other != trainee_id:
                problems.append(f"trainee ids '{other}' and '{trainee_id}' differ only in case; logins ignore case")
            if trainee_id.lower() in trainers:
                problems.append(f"'{trainee_id}' is both a trainee id and a trainer's name")
    if problems:
        raise UmkmkitError("These names cannot be hub accounts; nothing was written:\n  " + "\n  ".join(problems))


def _new_password(length: int) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def find_proxy() -> Path:
    """configurable-http-proxy: in this environment's scripts folder (`make hub-proxy`), else on PATH."""
    scripts = sysconfig.get_path("scripts")
    found = shutil.which(PROXY_COMMAND, path=os.pathsep.join([scripts, os.environ.get("PATH", "")]))
    if not found:
        raise UmkmkitError(
            f"JupyterHub's proxy ({PROXY_COMMAND}, from npm) is not installed: run `make hub-proxy` in the kit "
            f"folder, or `npm install --global --prefix {Path(scripts).parent} {PROXY_COMMAND}`."
        )
    return Path(found)


def _write_jupyter_settings(folder: Path, room: dict) -> None:
    """The participants' nbgrader config, and the kit's JupyterLab settings for participants and trainers."""
    from umkmkit.grading.kernel_start import SteadyKernelManager
    from umkmkit.room.lab import PARTICIPANT, TRAINER, LabSetup, write_lab_settings

    jupyter = folder / "jupyter"
    _write_text(jupyter / "nbgrader_config.py", "\n".join([
        '"""nbgrader settings of every server on this hub (JUPYTER_CONFIG_PATH), by `umkmkit hub-config`."""',
        "from nbgrader.auth import JupyterHubAuthPlugin",
        "",
        "c = get_config()  # noqa: F821",
        f"c.Exchange.root = {room['exchange_root']!r}",
        "# a participant's copy of an assignment lands in ~/<cohort>/<assignment>/",
        "c.Exchange.path_includes_course = True",
        "# courses a user may fetch from and submit to: their nbgrader-<cohort> and formgrade-<cohort> groups",
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
        "# Validate's kernel started again if it lost a port race to another participant's (umkmkit.grading.kernel_start)",
        f"c.Execute.kernel_manager_class = {SteadyKernelManager.__module__ + '.' + SteadyKernelManager.__name__!r}",
        "",
    ]))
    for mode, name in ((PARTICIPANT, PARTICIPANT_SETTINGS), (TRAINER, TRAINER_SETTINGS)):
        # participants fetch and submit through nbgrader's exchange: they keep the assignment list
        write_lab_settings(LabSetup(mode=mode, root_dir=folder, config_dir=jupyter / name, ip="", port=0, token=""),
                           assignment_list=True)


def _write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Write atomically (umkmkit.files), creating the folder: readable by every server unless
    `mode` says otherwise, set before the content goes in (secrets are never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text, mode=mode)


# --- the trainer's side of the logins: slips to print, a password cleared ---------------------

@dataclass(frozen=True)
class LoginSlips:
    """An HTML page of login slips to print, one per participant of a cohort."""

    file: Path
    url: str
    cohort_id: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class PasswordReset:
    """A participant whose password the hub cleared; `server_stopped`: their server was running."""

    cohort_id: str
    name: str
    server_stopped: bool


_SLIPS = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!DOCTYPE html>
<html lang="id">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slip masuk {{ cohort_id }}</title>
<style>
  @page { size: A4; margin: 10mm; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; margin: 0; }
  .cetak { margin: 0 0 4mm; } @media print { .cetak { display: none; } }
  .slip-slip { display: grid; grid-template-columns: 1fr 1fr; }
  .slip { border: 1px dashed #777; padding: 3mm 5mm; break-inside: avoid; page-break-inside: avoid; }
  .slip h2 { font-size: 10.5pt; margin: 0 0 2mm; }
  .slip p { margin: 1mm 0; }
  .id { font-family: "DejaVu Sans Mono", monospace; font-size: 15pt; font-weight: bold; }
  .alamat { font-family: "DejaVu Sans Mono", monospace; font-size: 11.5pt; font-weight: bold; word-break: break-all; }
  ol { margin: 2mm 0 1mm 5mm; padding: 0; } li { margin-bottom: 1mm; }
  .catatan { font-size: 8.5pt; }
  @media screen and (max-width: 480px) { .slip-slip { grid-template-columns: 1fr; } }
</style></head>
<body>
<p class="cetak">{{ slips | length }} slip masuk untuk kohort {{ cohort_id }}. Cetak halaman ini, gunting di garis
putus-putus, lalu berikan setiap slip kepada pesertanya sendiri.</p>
<div class="slip-slip">
{% for slip in slips %}<section class="slip">
<h2>Masuk ke server kelas · {{ cohort_id }}</h2>
<p>Nama: <strong>{{ slip.name }}</strong></p>
<p>Nama pengguna (<em>Username</em>): <span class="id">{{ slip.trainee_id }}</span></p>
<p>Alamat: <span class="alamat">{{ url }}</span></p>
<ol>
<li>Buka alamat di atas di peramban (Chrome) laptop atau HP Anda, lewat Wi-Fi ruang kelas.</li>
<li>Ketik nama pengguna Anda di kolom <em>Username</em>.</li>
<li><strong>Buat kata sandi Anda sendiri saat pertama masuk</strong>: ketik kata sandi baru, minimal
{{ minimum }} karakter, di kolom <em>Password</em>, lalu tekan <em>Sign in</em>. Itulah kata sandi Anda mulai sekarang.</li>
<li>Berikutnya, masuk dengan nama pengguna dan kata sandi yang sama. Jangan beri tahu siapa pun kata sandi Anda.</li>
</ol>
<p class="catatan">Ditolak saat pertama kali masuk, atau lupa kata sandi? Beri tahu pelatih: pelatih mengosongkan kata
sandi Anda, lalu Anda membuat yang baru. Mengganti kata sandi: {{ url }}/hub/auth/change-password</p>
</section>
{% endfor %}</div>
</body></html>
""")


def write_login_slips(
    kit: Kit, cohort_id: str, folder: Path | None = None, *, out: Path | None = None, url: str | None = None,
) -> LoginSlips:
    """Write a page of login slips for a cohort served by the hub in `folder`, to print and cut.

    Each slip names the participant (from the cohort's roster), their login (trainee id), the
    hub's address and how the first login works: they choose their own password. `url`
    defaults to the hub's, with this machine's network address where the hub listens on all
    of them. `out` defaults to slip-masuk-<cohort>.html in the hub's folder; the page lists
    every participant's name, so only its owner can read it.
    """
    from umkmkit.cohort.cohorts import roster  # nbgrader: seconds to import, so not for the hub or a reset
    from umkmkit.workspace import Cohort

    folder = hub_folder(kit, folder)
    room = read_room(folder)
    cohort = _served_cohort(room, cohort_id)
    try:
        names = {trainee.trainee_id: trainee.name for trainee in roster(Cohort(Path(cohort["course_dir"])))}
    except PermissionError as error:
        raise UmkmkitError(f"Cannot read {error.filename} (the cohort's roster): run the command with sudo.") from error
    address = (url or _participant_url(room)).rstrip("/")
    slips = [{"trainee_id": name, "name": names.get(name, "")} for name in cohort["participants"]]
    target = Path(out) if out else folder / f"slip-masuk-{cohort_id}.html"
    _write_text(target, _SLIPS.render(cohort_id=cohort_id, url=address, slips=slips,
                                      minimum=MIN_PARTICIPANT_PASSWORD), mode=0o600)
    return LoginSlips(target.resolve(), address, cohort_id, tuple(cohort["participants"]))


def _participant_url(room: dict) -> str:
    """The address participants type: the hub's, with a network address where it listens on all."""
    from umkmkit.room.lab import ALL_INTERFACES, lan_addresses

    parts = urllib.parse.urlsplit(room["url"])
    if parts.hostname not in ALL_INTERFACES:
        return room["url"]
    addresses = lan_addresses()
    if not addresses:
        raise UmkmkitError(
            "This machine has no network address (connect it to the room's Wi-Fi or network), or give the "
            "address participants open with --url, e.g. --url http://192.168.1.10:8000."
        )
    return f"{parts.scheme}://{addresses[0]}:{parts.port}"


def _served_cohort(room: dict, cohort_id: str) -> dict:
    for cohort in room["cohorts"]:
        if cohort["id"] == cohort_id:
            return cohort
    raise UmkmkitError(
        f"This hub does not serve cohort {cohort_id}; it serves {', '.join(c['id'] for c in room['cohorts'])}. "
        "To add it, run hub-config again with all the cohorts and restart the hub."
    )


def reset_participant_password(
    kit: Kit, cohort_id: str, trainee_id: str, folder: Path | None = None,
) -> PasswordReset:
    """Clear a participant's password on the running hub: they set a new one at their next login.

    `trainee_id` (any case) must be on `cohort_id`'s roster as the hub has it. Done through the
    hub's REST API as its password-reset service, so only the hub writes its password database:
    the participant's hub user is deleted, which stops their server, ends every session and token
    they had and removes their password (jupyterhub-firstuseauthenticator's way to reset one),
    then created again in the same groups. Their Unix account, home folder and submissions stay.
    Needs root (the service's token is in secrets.json) and the hub running.
    """
    folder = hub_folder(kit, folder)
    room, secret = load_room(folder)
    cohort = _served_cohort(room, cohort_id)
    names = {name.lower(): name for name in cohort["participants"]}
    name = names.get(trainee_id.strip().lower())
    if name is None:
        raise UmkmkitError(
            f"{trainee_id} is not on the roster of {cohort_id} that this hub serves; check the id "
            f"(`umkmkit hub-slips {cohort_id}` lists them), or run hub-config again after changing the roster."
        )
    if "password_reset_token" not in secret:  # a folder written before participants had passwords of their own
        raise UmkmkitError("This hub folder predates per-participant passwords: run hub-config again, restart the hub.")
    api = _hub_api(room, secret["password_reset_token"])
    status, user = api("GET", f"/users/{name}")
    if status == 404:
        raise UmkmkitError(f"The hub has no user {name} yet: restart it (it creates every rostered participant).")
    _expect(status, user, 200, f"read {name}")
    deadline = time.monotonic() + 60
    while True:  # a server that is still stopping is refused for a moment
        status, answer = api("DELETE", f"/users/{name}")
        if status == 400 and "stopping" in _message(answer) and time.monotonic() < deadline:
            time.sleep(1)
            continue
        _expect(status, answer, 204, f"clear {name}'s password")
        break
    try:
        _expect(*api("POST", f"/users/{name}"), 201, f"create {name} again")
        for group in user.get("groups", []):
            _expect(*api("POST", f"/groups/{group}/users", {"users": [name]}), 200, f"put {name} back in {group}")
    except UmkmkitError as error:
        raise UmkmkitError(f"{error} Restart the hub: it creates every rostered participant with their groups.") from None
    return PasswordReset(cohort_id, name, bool(user.get("servers")))


def _hub_api(room: dict, token: str):
    """A caller of the hub's REST API on 127.0.0.1: (method, path, body) -> (status, JSON answer or None)."""
    base = f"http://127.0.0.1:{room['hub_port']}/hub/api"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a web proxy

    def call(method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        request = urllib.request.Request(
            base + urllib.parse.quote(path), method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        try:
            with opener.open(request, timeout=120) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except urllib.error.URLError as error:
            raise UmkmkitError(
                f"The room server does not answer on 127.0.0.1:{room['hub_port']} ({error.reason}): start the hub, "
                "then run this again."
            ) from error
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    return call


def _message(answer: object) -> str:
    return str(answer.get("message", "")) if isinstance(answer, dict) else ""


def _expect(status: int, answer: object, wanted: int, what: str) -> None:
    if status != wanted:
        raise UmkmkitError(f"The hub refused to {what} (HTTP {status}: {_message(answer) or 'no message'}).")


# --- run by the hub (jupyterhub_config.py), as root ----------------------------------------

def load_room(folder: Path) -> tuple[dict, dict]:
    """(room.json, secrets.json) of a generated folder; secrets.json is readable by root only."""
    room = read_room(folder)
    try:
        secret = json.loads((Path(folder) / SECRETS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise UmkmkitError(
            f"{error.filename} is missing: write the room server's folder with `umkmkit hub-config <cohort>...`."
        ) from error
    except PermissionError as error:
        raise UmkmkitError(f"Only root can read {error.filename}: run the command with sudo.") from error
    return room, secret


def read_room(folder: Path) -> dict:
    """room.json of a generated folder: cohorts, participants, trainers, ports, paths."""
    try:
        return json.loads((Path(folder) / ROOM_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise UmkmkitError(
            f"{error.filename} is missing: write the room server's folder with `umkmkit hub-config <cohort>...`."
        ) from error


def prepare_room(room: dict, folder: Path) -> None:
    """Make the machine ready for the hub of `folder`: exchange, grader accounts, private folders.

    Idempotent; run by jupyterhub_config.py at every start, as root. The exchange folder is made
    writable by everyone with the sticky bit (nbgrader's release and submit need to create folders
    in it; the sticky bit stops one user renaming another's). Each cohort's course directory and
    exchange folder are given to its grader account, which the formgrader and the trainer's
    `umkmkit` commands run as. Participants run code on this machine, so what they must not read
    is closed to other users (`close_private_folders`).
    """
    _require_root("prepare the room server")
    close_private_folders(room, Path(folder))
    _check_reachable(Path(room["python"]), "the kit's Python (every user's server runs it)")
    exchange = Path(room["exchange_root"])
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o1777)
    _check_reachable(exchange, "the exchange folder")
    for cohort in room["cohorts"]:
        account = ensure_account(cohort["grader"], system=True)
        course = Path(cohort["course_dir"])
        _check_reachable(course, f"the course directory of {cohort['id']}")
        # the grading sandbox makes its kernels' run folders under TMPDIR (sandbox.new_run_folder): the grader's
        scratch = Path(grader_environment(room, cohort)["TMPDIR"])
        scratch.mkdir(mode=0o700, exist_ok=True)
        for tree in (course, exchange / cohort["id"], scratch):
            if tree.exists():
                _give_tree(tree, account.pw_uid, account.pw_gid)


def close_private_folders(room: dict, hub_folder: Path) -> None:
    """Close to other users what participants' code must not read; the kit stays readable.

    The kit's solutions/ (answers and hidden tests) and every course directory (sources,
    everyone's submissions, the gradebook) become 0700; the workspace and its cohorts/ folder
    can be entered but not listed; the workspace's other folders (demo, reports, the laptop
    lab) become 0700, except the one holding this hub's folder, whose jupyter/ settings every
    server reads.
    """
    kit, workspace, hub_folder = Kit(Path(room["kit_root"])), Path(room["workspace"]), hub_folder.resolve()
    _set_mode(kit.solutions_dir, 0o700)
    if not workspace.is_dir():
        return
    cohorts = Workspace(workspace).cohorts_dir
    for folder in (workspace, cohorts):
        if folder.is_dir():
            _set_mode(folder, stat.S_IMODE(folder.stat().st_mode) & ~0o044 | 0o011)
    for child in workspace.iterdir():
        if child.is_dir() and child != cohorts and not hub_folder.is_relative_to(child.resolve()):
            _set_mode(child, 0o700)
    for course in cohorts.iterdir() if cohorts.is_dir() else ():
        if course.is_dir():
            _set_mode(course, 0o700)


def _set_mode(path: Path, mode: int) -> None:
    if path.is_dir() and stat.S_IMODE(path.stat().st_mode) != mode:
        os.chmod(path, mode)


def server_path(room: dict) -> str:
    """PATH of every server the hub starts: the kit's environment first (jupyter, nbgrader, umkmkit)."""
    return os.pathsep.join([room["scripts"], "/usr/local/bin", "/usr/bin", "/bin"])


def grader_environment(room: dict, cohort: dict) -> dict[str, str]:
    """What the trainer's `umkmkit` and `nbgrader` commands need in a cohort's formgrader service."""
    import pwd

    return {
        "PATH": server_path(room),
        "UMKMKIT_ROOT": room["kit_root"],
        "UMKMKIT_WORKSPACE": room["workspace"],
        "TMPDIR": str(Path(pwd.getpwnam(cohort["grader"]).pw_dir) / "tmp"),
    }


def ensure_account(name: str, *, system: bool = False):
    """The Unix account `name` (pwd entry), created with a home folder only its owner can read.

    No password is set: participants log in through the hub only. Debian's useradd takes
    upper-case names (trainee ids); where a stricter useradd refuses them, --badname is used.
    """
    import pwd

    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    _require_root(f"create the Unix account {name}")
    command = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"] + (["--system"] if system else [])
    done = subprocess.run([*command, name], capture_output=True, text=True)
    if done.returncode == 3:  # "invalid user name" on distributions that refuse upper case
        done = subprocess.run([*command, "--badname", name], capture_output=True, text=True)
    if done.returncode != 0:
        raise UmkmkitError(f"Could not create the Unix account {name}: {done.stderr.strip() or done.returncode}.")
    account = pwd.getpwnam(name)
    os.chmod(account.pw_dir, 0o700)  # Debian's default home is readable by everyone
    return account


def prepare_participant(spawner) -> None:
    """JupyterHub's pre_spawn_hook: the user's Unix account, created on their first login.

    Refuses a hub user whose name is an existing system account (root, daemon, ...).
    """
    account = ensure_account(spawner.user.name)
    if account.pw_uid < FIRST_PERSON_UID:
        raise UmkmkitError(
            f"Hub user {spawner.user.name} is the system account of uid {account.pw_uid}; a server never runs as one. "
            "Rename that trainee or trainer."
        )


def _require_root(what: str) -> None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        raise UmkmkitError(
            f"Cannot {what}: the room server's hub must run as root on Linux (it starts each participant's "
            "server under their own Unix account). Start it with `sudo jupyterhub -f .../jupyterhub_config.py`."
        )


def _check_reachable(path: Path, what: str) -> None:
    """Refuse a path other users cannot reach (e.g. a kit or Python under /root)."""
    for candidate in (path, path.resolve()):
        for folder in reversed(candidate.parents):
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
                raise UmkmkitError(
                    f"{what.capitalize()} is {path}, but other users cannot enter {folder} (mode "
                    f"{stat.filemode(folder.stat().st_mode)}), so participants' servers cannot use it. Install the "
                    "kit, its .venv and the Python it was made from in a folder everyone can read, e.g. "
                    "/opt/umkmkit with Debian's python3 (see docs/deployment.md)."
                )


def _give_tree(root: Path, uid: int, gid: int) -> None:
    """Give every file under `root` to uid:gid (e.g. after a trainer graded as root)."""
    for path in (root, *root.rglob("*")):
        if path.lstat().st_uid != uid:
            os.chown(path, uid, gid, follow_symlinks=False)
