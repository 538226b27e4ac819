"""Shared fixtures: the kit checkout, and every assignment's scenario submissions graded once
by real nbgrader (the solution, the untouched exercise, each catalogued mistake)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from umkmkit.course.curriculum import load_curriculum
from umkmkit.grading.verification import AssignmentVerification, verify_assignments
from umkmkit.workspace import Kit, ensure_scripts_on_path

ROOT = Path(__file__).resolve().parents[1]
#: Session fixtures that grade, run the demo or start PostgreSQL: a test using one is `slow`, and
#: the tests using one run in one pytest-xdist worker, which builds it once.
SLOW_FIXTURES = {"demo_run", "verified", "postgres_url"}
#: What a browser test imports from tests/browser.py: a test in such a module is `browser` (and slow).
BROWSER_HELPERS = {"chromium_page", "visit", "require_chromium", "screen"}


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: `-p no:xdist` leaves it unknown
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one pytest worker more than the machine has cores. A third of the suite's time is
    waiting (browsers, servers starting, downloads, kernels' handshakes); on the 2-core machine 3
    workers took `make test` from 595 to 538 s, CPU 897 and 851 s."""
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark the tests `make test-fast` leaves out: `browser` (Chromium), and `slow` (browser tests,
    real grading over many notebooks, the demo, PostgreSQL, the hub, the offline install); and put
    each test in its pytest-xdist group (`make test` runs with --dist loadgroup)."""
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and BROWSER_HELPERS & set(vars(module)):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if config.pluginmanager.hasplugin("xdist"):
        groups = xdist_groups(items)
        for item, group in groups.items():
            item.add_marker(pytest.mark.xdist_group(group))
        # the groups that build a costly fixture first, so no worker starts one when the other is nearly done
        cost = {group: (SLOW_FIXTURES.isdisjoint(group.split("+")), -sum(
            1 for i, g in groups.items() if g == group and i.get_closest_marker("slow"))) for group in set(groups.values())}
        items.sort(key=lambda item: cost[groups[item]])


def xdist_groups(items) -> dict:
    """test -> the name of the group of tests that must run in the same pytest-xdist worker.

    A test file is one group, since many build a module-scoped fixture (a cohort, a graded run)
    that a worker would otherwise build again; files whose tests use the same costly session
    fixture (SLOW_FIXTURES: the demo, every scenario graded, PostgreSQL) join into one group, so
    each is built once per run. Each group is named after its files and fixtures.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def file_of(item) -> str:
        return item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")

    for item in items:
        for fixture in SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            parent[root(file_of(item))] = root(fixture)
    members: dict[str, set[str]] = {}
    for item in items:
        members.setdefault(root(file_of(item)), set()).add(file_of(item))
    for node in list(parent):
        members.setdefault(root(node), set()).add(node)
    names = {top: "+".join(sorted(nodes)) for top, nodes in members.items()}
    return {item: names[root(file_of(item))] for item in items}


@pytest.fixture(scope="session")
def kit() -> Kit:
    ensure_scripts_on_path()
    return Kit(ROOT)


@pytest.fixture(scope="session")
def curriculum(kit):
    return load_curriculum(kit)


@pytest.fixture(scope="session")
def verified(kit, curriculum, tmp_path_factory) -> dict[str, AssignmentVerification]:
    """assignment id -> what nbgrader's autograde gave each scenario submission."""
    return verify_assignments(
        kit, curriculum, [m.assignment for m in curriculum.buildable], tmp_path_factory.mktemp("verify"),
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`umkmkit demo` run once as a newcomer runs it: (workspace/demo folder, its stdout, its stderr).

    The venv's scripts folder is taken off PATH, as in a trainer's shell that never activated it.
    """
    import subprocess
    import sysconfig

    workspace = tmp_path_factory.mktemp("demo-workspace")
    environment = {**os.environ, "UMKMKIT_WORKSPACE": str(workspace)}
    environment["PATH"] = os.pathsep.join(
        p for p in environment["PATH"].split(os.pathsep) if p != sysconfig.get_path("scripts")
    )
    done = subprocess.run(
        [str(Path(sysconfig.get_path("scripts")) / "umkmkit"), "demo"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return workspace / "demo", done.stdout, done.stderr


def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl): UMKMKIT_POSTGRES_BIN, PATH, or Debian's."""
    import shutil

    candidates = [Path(os.environ["UMKMKIT_POSTGRES_BIN"])] if os.environ.get("UMKMKIT_POSTGRES_BIN") else []
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() or (folder / "initdb.exe").exists():
            return folder
    pytest.fail(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found: the PostgreSQL gradebook test needs "
        "them. `make test` installs them when run as root on Debian/Ubuntu; otherwise run "
        "`apt-get install postgresql` as root, or set UMKMKIT_POSTGRES_BIN to the folder holding initdb.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on 127.0.0.1 (a free port) with one empty database: its URL.

    PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user, from a
    folder of its own under the system's temp folder. Stopped and removed at the end of the session.
    """
    import shutil
    import socket
    import subprocess
    import tempfile

    import sqlalchemy as sa

    programs = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="umkmkit-postgres-"))
    as_server_user: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        server_user = pwd.getpwnam("postgres")
        os.chown(folder, server_user.pw_uid, server_user.pw_gid)
        as_server_user = ["runuser", "-u", "postgres", "--"]
    data, log = folder / "data", folder / "server.log"

    def run(*command: str) -> None:
        done = subprocess.run([*as_server_user, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}{done.stderr}" + (
            log.read_text(encoding="utf-8", errors="replace") if log.is_file() else "")

    started = False
    try:
        run(str(programs / "initdb"), "-D", str(data), "-U", "umkmkit", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # no fsync: the data is thrown away, and the tests run faster; socket files stay in our folder
        options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c synchronous_commit=off -c full_page_writes=off"
        run(str(programs / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
        started = True
        server = f"postgresql://umkmkit@127.0.0.1:{port}"
        engine = sa.create_engine(f"{server}/postgres".replace("postgresql:", "postgresql+psycopg2:"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE gradebook_uji"))
        engine.dispose()
        yield f"{server}/gradebook_uji"
    finally:
        if started:
            run(str(programs / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def small_cohort(kit, curriculum, base: Path, assignment_ids: list[str], trainees: int = 3, **options):
    """A cohort of the June roster's first `trainees` people, in a workspace under `base`."""
    from umkmkit.cohort.cohorts import create_cohort
    from umkmkit.workspace import Workspace

    roster = base / "peserta.csv"
    lines = (ROOT / "datasets" / "roster-mkw-2022-06.csv").read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[:trainees + 1]) + "\n", encoding="utf-8")
    return create_cohort(kit, curriculum, Workspace(base / "ws"), "mkw-2022-06", roster,
                         assignment_ids=assignment_ids, **options)


def umkmkit(*args: str, workspace: Path | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None):
    """Run an `umkmkit` command in this process (click's CliRunner), as a trainer's shell in `cwd`
    with UMKMKIT_WORKSPACE at `workspace`: its result (exit_code, stdout, stderr, output).

    One test runs the installed command as a new process (tests/test_cli.py); the rest save its start.
    """
    import contextlib

    from click.testing import CliRunner

    from umkmkit.cli import main

    environment = dict(env or {})
    if workspace is not None:
        environment["UMKMKIT_WORKSPACE"] = str(workspace)
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)
