"""JupyterHub configuration of a umkmkit room server: one nbgrader course per cohort.

Do not run this file from deploy/jupyterhub/: `umkmkit hub-config <cohort>...` copies it into a
folder (default workspace/hub/) beside room.json (cohorts, participants, trainers, ports, paths)
and secrets.json (the trainers' password, the password-reset service's token), which it reads.
Then, as root on Linux:

    sudo .venv/bin/jupyterhub -f workspace/hub/jupyterhub_config.py

It follows nbgrader's documented set-up for several courses on one hub (groups nbgrader-<course>
and formgrade-<course>, a formgrader service per course named after the course, one exchange
with path_includes_course). See deploy/jupyterhub/README.md and docs/deployment.md.
"""

import hmac
from pathlib import Path

from firstuseauthenticator import FirstUseAuthenticator
from firstuseauthenticator.firstuseauthenticator import CustomLoginHandler
from jupyterhub.handlers.login import LoginHandler

from umkmkit.room import hub, server_limits

c = get_config()  # noqa: F821 (provided by JupyterHub's config loader)

HERE = Path(__file__).resolve().parent
room, secret = hub.load_room(HERE)
hub.prepare_room(room, HERE)  # exchange folder, grader accounts, private folders closed
state = HERE / "state"
state.mkdir(mode=0o700, exist_ok=True)
scripts = Path(room["scripts"])
jupyter = HERE / "jupyter"
cohorts = room["cohorts"]
participants = sorted({name for cohort in cohorts for name in cohort["participants"]})
trainers = room["trainers"]

# --- network: participants open `url`; everything else listens on 127.0.0.1 only -----------------
c.JupyterHub.bind_url = room["url"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = room["hub_port"]
c.ConfigurableHTTPProxy.command = [room["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# --- login: one password per participant, chosen at their first login; trainers' from secrets.json
# A participant's first login sets their password (jupyterhub-firstuseauthenticator, bcrypt hashes
# in state/); from then on only it opens their account. `umkmkit hub-reset-password` clears one
# through the password-reset service below. See docs/deployment.md.


class _LoginHandler(CustomLoginHandler):
    """firstuse's login page, taking the arguments JupyterHub >= 5.3 passes when it shows an error on
    the form (firstuse 1.1.1 does not, its issue #70: a stale form got a blank page, not "try again")."""

    def _render(self, login_error=None, username=None, **kwargs):
        return LoginHandler._render(self, self.custom_login_error or login_error, username, **kwargs)


class RoomAuthenticator(FirstUseAuthenticator):
    """Rostered participants: their own password, set at first login. Trainers: the one in secrets.json.

    Any other name is refused before a password is stored, so nobody signs up.
    """

    async def authenticate(self, handler, data):
        name = self.normalize_username(data["username"])
        if name in trainers:  # never first-use: a trainer's account is never open to whoever comes first
            given, wanted = data["password"].encode("utf-8"), secret["trainer_password"].encode("utf-8")
            return name if hmac.compare_digest(given, wanted) else None
        if name not in participants:
            return None
        accepted = await super().authenticate(handler, data)
        if accepted is None and getattr(handler, "custom_login_error", ""):  # the only one: too short
            handler.custom_login_error = (
                f"Kata sandi terlalu pendek: buat kata sandi minimal {self.min_password_length} karakter. "
                f"(Password too short: at least {self.min_password_length} characters.)"
            )
        return accepted

    def reset_password(self, username, new_password):
        """The change-password page: for participants; trainers' password stays the one in secrets.json."""
        if username in trainers:
            return "Trainers' password is the one in secrets.json; it is not changed here."
        return super().reset_password(username, new_password)

    def get_handlers(self, app):
        return [(path, _LoginHandler if handler is CustomLoginHandler else handler)
                for path, handler in super().get_handlers(app)]


c.JupyterHub.authenticator_class = RoomAuthenticator
c.FirstUseAuthenticator.dbm_path = str(state / hub.PASSWORD_DATABASE)
c.FirstUseAuthenticator.min_password_length = hub.MIN_PARTICIPANT_PASSWORD
c.Authenticator.admin_users = set(trainers)
c.Authenticator.allowed_users = set(participants)
# Only this configuration's names: someone taken off every roster can no longer log in.
c.Authenticator.allow_existing_users = False
# Hub users are the roster's trainee ids as written (P-00042); logins are lower-cased first.
c.Authenticator.username_map = {name.lower(): name for name in participants}

# --- one nbgrader course per cohort -----------------------------------------------------------
c.JupyterHub.load_groups = {}
for cohort in cohorts:
    graders = [name for name, graded in trainers.items() if cohort["id"] in graded]
    c.JupyterHub.load_groups[hub.participant_group(cohort["id"])] = {"users": cohort["participants"] + graders}
    c.JupyterHub.load_groups[hub.trainer_group(cohort["id"])] = {"users": graders}

c.JupyterHub.load_roles = [
    # a server's token may do what its user may: nbgrader reads the user's groups with it
    {"name": "server", "scopes": ["inherit"]},
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {
        # `umkmkit hub-reset-password`: delete a participant (ending their sessions, clearing their
        # password), create them again and put them back in their groups
        "name": hub.PASSWORD_RESET_SERVICE,
        "scopes": list(hub.PASSWORD_RESET_SCOPES),
        "services": [hub.PASSWORD_RESET_SERVICE],
    },
] + [
    {
        "name": f"formgrade-{cohort['id']}",
        "groups": [hub.trainer_group(cohort["id"])],
        "scopes": [f"access:services!service={cohort['id']}", "list:services", f"read:services!service={cohort['id']}"],
    }
    for cohort in cohorts
]

lab_settings = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
]

# Each cohort's formgrader: a Jupyter server on its course directory, as its grader account, at
# /services/<cohort>/ (nbgrader's course list looks for the course id there). It opens on the
# formgrader in a tab of its own: embedded in JupyterLab it is blank on JupyterHub >= 4.1.
c.JupyterHub.services = [
    {
        "name": cohort["id"],
        "url": f"http://127.0.0.1:{cohort['service_port']}",
        "command": [
            str(scripts / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={cohort['course_dir']}",
            f"--LabApp.app_settings_dir={jupyter / hub.TRAINER_SETTINGS / 'settings'}",
            *lab_settings,
            # each trainee's whole name in the formgrader, not "last, first" (umkmkit.room.formgrader_names)
            "--ServerApp.jpserver_extensions=umkmkit.room.formgrader_names=True",
            # the trainer's pages in Indonesian too (umkmkit.room.lab_language)
            "--ServerApp.jpserver_extensions=umkmkit.room.lab_language=True",
        ],
        "user": cohort["grader"],
        "cwd": cohort["course_dir"],
        # with what the trainer's `umkmkit release/collect/grade/feedback` need in its terminal
        "environment": {"JUPYTERHUB_DEFAULT_URL": "/formgrader", **hub.grader_environment(room, cohort)},
        "oauth_no_confirm": True,
    }
    for cohort in cohorts
] + [
    {
        "name": "idle-culler",
        "command": [room["python"], "-m", "jupyterhub_idle_culler", f"--timeout={room['idle_server_seconds']}"],
    },
    # no server: only a token, for the trainer's `umkmkit hub-reset-password` (run as root)
    {"name": hub.PASSWORD_RESET_SERVICE, "api_token": secret["password_reset_token"]},
]

# --- each user's own server, under their own Unix account (created on first login) -------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.pre_spawn_hook = hub.prepare_participant
# under a memory limit every kernel inherits: a runaway cell gets a MemoryError, the room carries on
c.Spawner.cmd = server_limits.command(room.get("process_memory_mb", server_limits.DEFAULT_MEMORY_MB),
                                      [str(scripts / "jupyterhub-singleuser")])
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "PATH": hub.server_path(room),
    # nbgrader's exchange settings (jupyter/nbgrader_config.py) for every user's server
    "JUPYTER_CONFIG_PATH": str(jupyter),
}
c.Spawner.args = [
    f"--LabApp.app_settings_dir={jupyter / hub.PARTICIPANT_SETTINGS / 'settings'}",
    *lab_settings,
    # participants have the assignment list and Validate; the course tools are the formgrader's
    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False",
    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.course_list=False",
    "--ServerApp.terminals_enabled=False",
    # no language servers for participants (their panel is hidden): jupyter_lsp runs `npm prefix -g` at every start
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    # JupyterLab and nbgrader in Indonesian: the kit's translations over the language pack's (umkmkit.room.lab_language)
    "--ServerApp.jpserver_extensions=umkmkit.room.lab_language=True",
    # an idle kernel gives back its memory after this long; the culler stops idle servers
    f"--MappingKernelManager.cull_idle_timeout={room['idle_kernel_seconds']}",
    "--MappingKernelManager.cull_interval=300",
]
# A 2-core server starting many participants at once is slow to answer.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
