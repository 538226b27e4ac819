"""The offline installer (`make wheelhouse`): its folder installs the kit and runs the demo with no network.

Everything after the build runs inside a network namespace whose only interface is loopback
(`unshare -n`, needs root), with pip reading no configuration and no index, so nothing can come
from this machine's package sources or the internet. The build reuses the wheels kept in
.cache/ of the checkout (downloaded once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from umkmkit.usb import (
    LINUX, PLATFORMS, PROXY_PACKAGE, WINDOWS, build_usb_folder, folder_size, isolated_pip_environment,
    unmet_requirements,
)

pytestmark = pytest.mark.slow

#: What a Windows laptop needs that pip, run on Linux, leaves out (see umkmkit.usb).
WINDOWS_ONLY = {"colorama", "pywinpty"}


@pytest.fixture(scope="session")
def usb_folder(kit, tmp_path_factory):
    """The installer folder, built once per session (wheels from .cache/ of the checkout)."""
    return build_usb_folder(kit, out=tmp_path_factory.mktemp("stick") / "usb", on_note=lambda note: None)


def no_network_namespace() -> list[str]:
    """The command prefix that runs a command with loopback only; fails the test where it cannot."""
    missing = [tool for tool in ("unshare", "ip", "sh") if shutil.which(tool) is None]
    if not sys.platform.startswith("linux") or missing or os.geteuid() != 0:
        pytest.fail(
            "The offline install test needs a Linux network namespace with no network: run the tests "
            f"as root on Linux with unshare (util-linux) and ip (iproute2) installed (missing: {missing or 'none'})."
        )
    # loopback stays down in a new namespace, and kernels talk to their clients over 127.0.0.1
    return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def offline(command: list, cwd: Path, environment: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*no_network_namespace(), *map(str, command)], cwd=cwd, env=environment,
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


def test_the_stick_holds_the_kit_its_wheels_and_both_installers(usb_folder):
    assert (usb_folder.kit_dir / "curriculum.yml").is_file()
    assert (usb_folder.kit_dir / "exercises").is_dir() and not (usb_folder.kit_dir / "workspace").exists()
    assert os.access(usb_folder.root / "install.sh", os.X_OK)
    assert b"\r\n" in (usb_folder.root / "install.bat").read_bytes()
    names = {wheel.name.split("-")[0].lower() for wheel in usb_folder.wheels}
    assert {"umkmkit", "nbgrader", "jupyterlab", "pandas"} <= names
    assert 50e6 < folder_size(usb_folder.root) < 400e6


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_every_platform_finds_every_requirement_on_the_stick(usb_folder, platform):
    wheels = [wheel for wheel in usb_folder.wheels if platform.fits(wheel)]
    assert any("umkmkit" in wheel.name for wheel in wheels)
    assert unmet_requirements(wheels, platform) == []


def test_the_windows_wheels_include_what_only_windows_needs(usb_folder):
    names = {wheel.name.split("-")[0].lower() for wheel in usb_folder.wheels}
    assert WINDOWS_ONLY <= names
    assert any(wheel.name.startswith("pandas-") and WINDOWS.fits(wheel) and not LINUX.fits(wheel)
               for wheel in usb_folder.wheels)


def test_the_stick_installs_the_kit_and_runs_the_demo_with_no_network(installed, environment, tmp_path):
    target, _ = installed
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
    reports = list((Path(environment["UMKMKIT_WORKSPACE"]) / "demo" / "reports").glob("*/index.html"))
    assert len(reports) == 1 and str(reports[0]) in demo.stdout
    assert "trainees graded by nbgrader" in demo.stdout


def test_the_stick_installs_jupyterhubs_proxy_with_no_network(usb_folder, installed, environment, tmp_path):
    target, output = installed
    if shutil.which("npm") is None:  # the builder left the proxy out and install.sh says so
        assert usb_folder.npm_cache is None and "npm tidak ada" in output
        return
    proxy = target / ".venv" / "bin" / "configurable-http-proxy"
    done = offline([proxy, "--version"], tmp_path, environment, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == PROXY_PACKAGE.rsplit("@", 1)[1], done.stderr
