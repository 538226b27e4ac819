"""The offline installer (`make wheelhouse`): its folder installs the kit and runs the demo with no network.

Everything after the build runs inside a network namespace whose only interface is loopback, with
pip reading no configuration and no index, so nothing can come from this machine's package sources
or the internet. As root that is `unshare --net`; as a normal user a user namespace gives the same
(`unshare --map-root-user --net`, then back to the user's own uid with a nested one), where the
kernel allows unprivileged user namespaces: where it does not, the tests that need the namespace
are skipped and say why. Everything is written under pytest's temporary folder and the kit's .cache/;
the build reuses the wheels kept in .cache/ of the checkout (downloaded once).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from umkmkit.cohort.cohorts import roster
from umkmkit.demo import DEMO_COHORTS
from umkmkit.room.lockfile import read_lock
from umkmkit.ledger.progress import workspace_cohorts
from umkmkit.workspace import Workspace
from umkmkit.room.usb import (
    LINUX, PROXY_PACKAGE, TARGETS, WINDOWS, build_usb_folder, folder_size, isolated_pip_environment, select_wheels,
    target_pins, unmet_on_stick,
)

pytestmark = pytest.mark.slow

#: What a Windows laptop needs and a Linux one does not (markers in the lock).
WINDOWS_ONLY = {"colorama", "pywinpty"}


@pytest.fixture(scope="session")
def usb_folder(kit, tmp_path_factory):
    """The installer folder, built once per session (wheels from .cache/ of the checkout)."""
    return build_usb_folder(kit, out=tmp_path_factory.mktemp("stick") / "usb", on_note=lambda note: None)


@functools.cache
def no_network_namespace() -> tuple[list[str], str]:
    """(command prefix that runs a command with loopback only, why there is none here)."""
    missing = [tool for tool in ("unshare", "ip", "sh") if shutil.which(tool) is None]
    if not sys.platform.startswith("linux") or missing:
        return [], f"needs Linux with unshare (util-linux) and ip (iproute2); missing: {missing or 'Linux'}"
    # loopback stays down in a new namespace, and kernels talk to their clients over 127.0.0.1
    bring_up_loopback = 'ip link set lo up && exec "$@"'
    if os.geteuid() == 0:
        prefix = ["unshare", "--net", "sh", "-c", bring_up_loopback, "sh"]
    else:
        # root of a user namespace may set up its network; the nested namespace maps the user's
        # own uid and gid back, so the kit runs as the user it is installed for
        prefix = ["unshare", "--map-root-user", "--net", "sh", "-c",
                  f'ip link set lo up && exec unshare --map-user={os.getuid()} --map-group={os.getgid()} "$@"', "sh"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return [], (
            "cannot make a network namespace as a normal user here (unprivileged user namespaces are off, "
            f"or unshare is older than util-linux 2.38): {probe.stderr.strip()[-300:]}; run as root to test this"
        )
    return prefix, ""


def isolated() -> list[str]:
    prefix, why_not = no_network_namespace()
    if not prefix:
        pytest.skip(f"No network namespace: {why_not}")
    return prefix


def offline(command: list, cwd: Path, environment: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*isolated(), *map(str, command)], cwd=cwd, env=environment,
        capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    """A trainer's shell: no pip configuration or package sources, no kit checkout, no dev venv on PATH."""
    environment = isolated_pip_environment()
    for name in ("UMKMKIT_ROOT", "VIRTUAL_ENV"):
        environment.pop(name, None)
    environment["PATH"] = os.pathsep.join(
        p for p in environment["PATH"].split(os.pathsep) if p != sysconfig.get_path("scripts")
    )
    environment["UMKMKIT_WORKSPACE"] = str(tmp_path_factory.mktemp("offline-workspace"))
    return environment


@pytest.fixture(scope="module")
def installed(usb_folder, environment, tmp_path_factory):
    """The kit installed by the stick's install.sh with no network: (kit folder, install.sh's output)."""
    target = tmp_path_factory.mktemp("laptop") / "umkmkit"
    done = offline(["sh", usb_folder.root / "install.sh", target], usb_folder.root, environment, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return target, done.stdout


def test_the_namespace_has_no_network(environment, tmp_path):
    done = offline(["ip", "-o", "link"], tmp_path, environment, timeout=30)
    interfaces = [line.split(":")[1].strip() for line in done.stdout.splitlines()]
    assert done.returncode == 0 and interfaces == ["lo"], done.stdout + done.stderr


def test_the_stick_holds_the_kit_its_lock_its_wheels_and_both_installers(usb_folder, kit):
    assert (usb_folder.kit_dir / "curriculum.yml").is_file()
    assert (usb_folder.kit_dir / "exercises").is_dir() and not (usb_folder.kit_dir / "workspace").exists()
    assert (usb_folder.kit_dir / "requirements" / "lock.txt").is_file()  # the Makefile's prerequisite
    assert usb_folder.lock.read_bytes() == (kit.root / "requirements" / "lock-trainer.txt").read_bytes()
    assert os.access(usb_folder.root / "install.sh", os.X_OK)
    assert b"\r\n" in (usb_folder.root / "install.bat").read_bytes()
    names = {wheel.name.split("-")[0].lower() for wheel in usb_folder.wheels}
    assert {"umkmkit", "nbgrader", "jupyterlab", "pandas", "psutil"} <= names
    assert not {"pytest", "playwright", "jupyterhub", "psycopg2_binary"} & names  # trainers' lock: no extras
    assert 200e6 < folder_size(usb_folder.root) < 700e6


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_every_python_on_every_platform_finds_every_pin_and_requirement_on_the_stick(usb_folder, target):
    pins = read_lock(usb_folder.lock)
    found, missing = select_wheels(target_pins(pins, target), target, usb_folder.wheels)
    assert missing == [] and len(found) > 100
    own = [wheel for wheel in usb_folder.wheels if wheel.name.startswith("umkmkit-")]
    assert len(own) == 1 and target.fits(own[0])
    assert unmet_on_stick(own[0], pins, target, usb_folder.wheels) == []
    for package in ("numpy", "pandas", "pyzmq"):
        binary = [w for w in usb_folder.wheels if w.name.startswith(f"{package}-") and target.fits(w)]
        assert binary and all("none-any" not in w.name for w in binary), package
        if package != "pyzmq":  # pyzmq's cp312-abi3 wheel serves 3.12 and 3.13
            assert any(f"-{target.interpreter}-{target.interpreter}-" in w.name for w in binary), package


def test_the_windows_wheels_include_what_only_windows_needs(usb_folder):
    names = {wheel.name.split("-")[0].lower() for wheel in usb_folder.wheels}
    assert WINDOWS_ONLY <= names
    assert any(wheel.name.startswith("pandas-") and WINDOWS.fits(wheel) and not LINUX.fits(wheel)
               for wheel in usb_folder.wheels)


def test_the_stick_installs_the_kit_and_runs_the_demo_with_no_network(installed, environment, tmp_path):
    target, _ = installed
    # a demo already there (an earlier run's cohort, gradebook and report) is replaced whole by this one
    demo_folder = Path(environment["UMKMKIT_WORKSPACE"]) / "demo"
    earlier = [demo_folder / "cohorts" / "mkw-2021-11" / "gradebook.db", demo_folder / "reports" / "2021-12-01" / "index.html"]
    for path in earlier:
        path.parent.mkdir(parents=True)
        path.write_text("dari demo sebelumnya", encoding="utf-8")
    where = offline(
        [target / ".venv" / "bin" / "python", "-c",
         "import umkmkit; from umkmkit.workspace import find_kit; print(umkmkit.__file__); print(find_kit().root)"],
        tmp_path, environment, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    package, kit_root = where.stdout.split()
    assert Path(package).is_relative_to(target / ".venv") and Path(kit_root) == target

    demo = offline([target / ".venv" / "bin" / "umkmkit", "demo", "--trainees", "2"], tmp_path, environment, timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    reports = list((demo_folder / "reports").glob("*/index.html"))
    assert len(reports) == 1 and str(reports[0]) in demo.stdout
    assert "trainees graded by nbgrader" in demo.stdout
    cohorts = workspace_cohorts(Workspace(demo_folder))
    assert [c.cohort_id for c in cohorts] == list(DEMO_COHORTS)
    assert not any(path.exists() for path in earlier)
    assert [len(roster(c)) for c in cohorts] == [2, 2]


#: Run by the installed kit's Python: pins of the stick's lock for that Python that pip did not install.
_NOT_AS_LOCKED = """\
import importlib.metadata, sys
from packaging.markers import default_environment
from packaging.version import Version
from umkmkit.room.lockfile import pins_for, read_lock
pins = pins_for(read_lock(sys.argv[1]), default_environment())
print(sorted(f"{name}: {pin.version} locked, {importlib.metadata.version(name)} installed"
             for name, pin in pins.items() if Version(importlib.metadata.version(name)) != pin.version))
"""


def test_the_stick_installs_exactly_the_locked_versions_for_a_supported_python(usb_folder, installed, environment, tmp_path):
    target, output = installed
    python = target / ".venv" / "bin" / "python"
    version = offline([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], tmp_path, environment, timeout=60)
    assert version.stdout.strip() in {"3.11", "3.12", "3.13"} and f"(python{version.stdout.strip()})" in output
    differ = offline([python, "-c", _NOT_AS_LOCKED, usb_folder.lock], tmp_path, environment, timeout=60)
    assert differ.returncode == 0 and differ.stdout.strip() == "[]", differ.stdout + differ.stderr
    check = offline([python, "-m", "pip", "check"], tmp_path, environment, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_stick_installs_jupyterhubs_proxy_with_no_network(usb_folder, installed, environment, tmp_path):
    target, output = installed
    if shutil.which("npm") is None:  # the builder left the proxy out and install.sh says so
        assert usb_folder.npm_cache is None and "npm tidak ada" in output
        return
    proxy = target / ".venv" / "bin" / "configurable-http-proxy"
    done = offline([proxy, "--version"], tmp_path, environment, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == PROXY_PACKAGE.rsplit("@", 1)[1], done.stderr


def test_two_versions_of_one_package_for_one_target_download_into_an_empty_cache(kit, tmp_path):
    """Python 3.11 needs soupsieve 2.10 below 3.11.5 and 4.x above: pip refuses both in one run,
    so a fresh build (CI, an empty .cache/) must fetch them apart. A cached build never sees it."""
    from umkmkit.room.lockfile import TRAINER_LOCK
    from umkmkit.room.usb import download_wheels

    target = next(t for t in TARGETS if t.platform == LINUX and t.python_version == "3.11")
    pins = [p for p in target_pins(read_lock(kit.root / TRAINER_LOCK), target) if p.name == "soupsieve"]
    assert len(pins) == 2, pins  # the case this test is about is still in the lock
    download_wheels(pins, target, tmp_path)
    assert sorted(w.name.split("-")[1] for w in tmp_path.glob("soupsieve-*.whl")) == sorted(str(p.version) for p in pins)
