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
- JupyterHub's shared-password login: participants type their trainee id and the room's
  password; trainers (hub admins) their name and a long password of their own;
- idle culling: kernels after 30 minutes, servers after 60 (jupyterhub-idle-culler).

Files written: jupyterhub_config.py (a copy of deploy/jupyterhub/jupyterhub_config.py, which
reads the rest), room.json (cohorts, participants, trainers, ports, paths), secrets.json (the
passwords, readable by root only), jupyter/ (the participants' nbgrader config and the kit's
JupyterLab settings) and, once the hub runs, state/ (its database and cookie secret).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from umkmkit.cohorts import exchange_root, load_cohort_config, roster
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Kit

CONFIG_FILE, ROOM_FILE, SECRETS_FILE = "jupyterhub_config.py", "room.json", "secrets.json"
#: Where the kit keeps the configuration's source (copied into every generated folder).
TEMPLATE = Path("deploy") / "jupyterhub" / CONFIG_FILE
#: The proxy JupyterHub drives (npm; `make hub-proxy` installs it into the venv).
PROXY_COMMAND = "configurable-http-proxy"
#: Ports, relative to the public one: with the default 8000 they are JupyterHub's own defaults.
PROXY_API_OFFSET, HUB_OFFSET, FIRST_SERVICE_OFFSET = 1, 81, 100
DEFAULT_PORT = 8000
IDLE_KERNEL_MINUTES, IDLE_SERVER_MINUTES = 30, 60
#: JupyterHub's SharedPasswordAuthenticator refuses shorter passwords.
MIN_PARTICIPANT_PASSWORD, TRAINER_PASSWORD_LENGTH = 8, 40
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread on a whiteboard
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
    participant_password: str
    trainer_password: str
    #: cohort id -> its participants' hub user names (= trainee ids)
    participants: dict[str, tuple[str, ...]]
    #: trainer name -> the cohorts they grade
    trainers: dict[str, tuple[str, ...]]

    @property
    def config_file(self) -> Path:
        return self.folder / CONFIG_FILE

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

    `out` defaults to the workspace's hub/ folder. `password` is the participants' shared
    password (at least 8 characters; default: the one written before, else a new one).
    `trainers` maps each trainer's hub name to the cohorts they grade (None: all of them;
    default: one trainer, `pelatih`); trainers log in with a long password of their own,
    kept like the participants' in secrets.json. Writing the folder again (to add a cohort)
    keeps its passwords and the hub's state. The hub serves `ip`:`port`; it also uses
    port+1 (proxy API), port+81 (hub) and port+100... (one formgrader per cohort), on
    127.0.0.1 only. Refused, before anything is written: a cohort that does not exist,
    cohorts with different exchange folders, names that cannot be Unix accounts, a missing
    proxy, or a system other than Linux.
    """
    if not sys.platform.startswith("linux"):
        raise UmkmkitError(
            "The JupyterHub room server runs on Linux only (it creates a Unix account per participant). "
            "On this computer, use `umkmkit lab` for a room on one laptop."
        )
    if not cohort_ids:
        raise UmkmkitError("Name at least one cohort: `umkmkit hub-config mkw-2022-06 [more cohorts]`.")
    workspace = kit.workspace
    folder = Path(out) if out else workspace.root / "hub"
    cohorts, exchange = _hub_cohorts(kit, cohort_ids, port)
    template = kit.root / TEMPLATE
    if not template.is_file():
        raise UmkmkitError(f"{template} is missing: restore it from git (git checkout -- {TEMPLATE.as_posix()}).")
    trainer_cohorts = _trainer_cohorts(trainers, [c["id"] for c in cohorts])
    _check_names(cohorts, trainer_cohorts)
    secrets_file = folder / SECRETS_FILE
    kept = json.loads(secrets_file.read_text(encoding="utf-8")) if secrets_file.is_file() else {}
    participant_password = password or kept.get("participant_password") or _new_password(10)
    if len(participant_password) < MIN_PARTICIPANT_PASSWORD:
        raise UmkmkitError(
            f"The participants' password must have at least {MIN_PARTICIPANT_PASSWORD} characters "
            "(JupyterHub refuses shorter ones); choose a longer --password."
        )
    trainer_password = kept.get("trainer_password") or _new_password(TRAINER_PASSWORD_LENGTH)
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
        "cohorts": cohorts,
        "trainers": {name: list(ids) for name, ids in trainer_cohorts.items()},
    }
    folder.mkdir(parents=True, exist_ok=True)
    _write_text(secrets_file, json.dumps(
        {"participant_password": participant_password, "trainer_password": trainer_password}, indent=2,
    ) + "\n", mode=0o600)
    _write_text(folder / ROOM_FILE, json.dumps(room, indent=2, ensure_ascii=False) + "\n")
    _write_jupyter_settings(folder, room)
    _write_text(folder / CONFIG_FILE, template.read_text(encoding="utf-8"))
    return RoomServer(
        folder.resolve(), room["url"], participant_password, trainer_password,
        {c["id"]: tuple(c["participants"]) for c in cohorts},
        {name: tuple(ids) for name, ids in trainer_cohorts.items()},
    )


def _hub_cohorts(kit: Kit, cohort_ids: Sequence[str], port: int) -> tuple[list[dict], Path]:
    """room.json's entry of each cohort, and the exchange folder they all share."""
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
    from umkmkit.lab import PARTICIPANT, TRAINER, LabSetup, write_lab_settings

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
        "",
    ]))
    for mode, name in ((PARTICIPANT, PARTICIPANT_SETTINGS), (TRAINER, TRAINER_SETTINGS)):
        write_lab_settings(LabSetup(mode=mode, root_dir=folder, config_dir=jupyter / name, ip="", port=0, token=""))


def _write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write atomically; `mode` is set before the content goes in (secrets are never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# --- run by the hub (jupyterhub_config.py), as root ----------------------------------------

def load_room(folder: Path) -> tuple[dict, dict]:
    """(room.json, secrets.json) of a generated folder."""
    folder = Path(folder)
    try:
        room = json.loads((folder / ROOM_FILE).read_text(encoding="utf-8"))
        secret = json.loads((folder / SECRETS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise UmkmkitError(
            f"{error.filename} is missing: write the room server's folder with `umkmkit hub-config <cohort>...`."
        ) from error
    return room, secret


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
        # the grading sandbox makes its kernels' folders under TMPDIR; /tmp/umkmkit-kernels is root's
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
    kit, workspace, hub_folder = Path(room["kit_root"]), Path(room["workspace"]), hub_folder.resolve()
    _set_mode(kit / "solutions", 0o700)
    if not workspace.is_dir():
        return
    cohorts = workspace / "cohorts"
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
