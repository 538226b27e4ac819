"""The offline installer: a folder to copy onto a USB stick that installs the kit with no internet.

`make wheelhouse` (`python -m umkmkit.room.usb`) builds dist/usb/:

    install.sh      Linux: copies umkmkit/ to ~/umkmkit, makes .venv there, installs lock.txt from wheels/
    install.bat     Windows: the same with %USERPROFILE%\\umkmkit
    BACA-SAYA.txt   how to install, in Bahasa Indonesia
    lock.txt        requirements/lock-trainer.txt: the exact versions (and their files' sha256) to install
    umkmkit/        the kit's content (lessons, exercises, solutions, datasets, docs, config)
    wheels/         umkmkit's own wheel and the wheel of every package lock.txt pins, for 64-bit
                    CPython 3.11, 3.12 and 3.13 on Linux (glibc 2.34 or newer) and on Windows
    npm-cache/      npm's cache holding configurable-http-proxy (JupyterHub's proxy)

The kit runs from its folder: the installed package finds the kit above its own .venv
(`workspace.find_kit`), so install.sh and install.bat put the venv inside the copied kit folder.
The scripts' sources live in deploy/usb/.

Nothing is resolved here: the lock (one universal resolution by uv, see `umkmkit.room.lockfile`) already
says which version each platform and Python gets, behind environment markers. For each target
(platform, Python version) its markers are evaluated with that target's environment (not this
machine's, which is what pip would use), at every patch release where the lock's markers could
choose differently (3.11.0 and 3.11.5 when a release needs 3.11.5), and exactly those pins' wheels
are taken, each checked against the lock's sha256. On the laptop pip installs the lock with
`--no-index --find-links wheels`, evaluating the same markers for the Python it runs on.

Downloads happen once: wheels are kept in .cache/wheels/ (npm's in .cache/npm/); a wheel already
there is never downloaded again, so a build whose lock did not change needs no internet. Missing
wheels are fetched with `pip download --no-deps --only-binary=:all:` for the target's platform tags
and Python version, with the lock's hashes. Delete .cache/ to drop releases no lock pins any more.
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from umkmkit.errors import UmkmkitError
from umkmkit.room.lockfile import REGENERATE, TRAINER_LOCK, Pin, pins_for, python_patch_levels, read_lock
from umkmkit.workspace import Kit, find_kit

log = logging.getLogger(__name__)

#: The Pythons the stick carries wheels for; install.sh and install.bat take the newest they find.
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
#: JupyterHub's proxy, cached for `npm install --offline`.
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
#: What the kit needs beside its package to run from its folder (the Makefile needs requirements/).
KIT_CONTENT = (
    "lessons", "exercises", "solutions", "datasets", "docs", "deploy", "requirements",
    "curriculum.yml", "nbgrader_config.py", "Makefile", "pyproject.toml", "environment.yml",
    "environment-dev.yml", "README.md",
)
#: What building umkmkit's own wheel needs.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "src")
#: Sources of the stick's scripts in the kit, and the line ends each gets on the stick.
INSTALLERS = {"install.sh": "\n", "install.bat": "\r\n", "BACA-SAYA.txt": "\r\n"}
INSTALLERS_DIR = Path("deploy") / "usb"
KIT_DIR, WHEELS_DIR, NPM_CACHE_DIR, STICK_LOCK = "umkmkit", "wheels", "npm-cache", "lock.txt"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

#: Oldest glibc the Linux wheels may need: Debian 12 has 2.36, Ubuntu 22.04 2.35.
LINUX_GLIBC_MINOR = 34
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def _manylinux_tags(arch: str = "x86_64") -> tuple[str, ...]:
    """manylinux platform tags a glibc 2.34 system installs, best first (as `packaging.tags` orders them)."""
    found = []
    for minor in range(LINUX_GLIBC_MINOR, 4, -1):
        found.append(f"manylinux_2_{minor}_{arch}")
        if minor in _LEGACY_MANYLINUX:
            found.append(f"{_LEGACY_MANYLINUX[minor]}_{arch}")
    return tuple(found)


@dataclass(frozen=True)
class Platform:
    """An operating system of the stick: the platform tags of the wheels it installs, its markers."""

    name: str
    #: Wheel platform tags it installs, best first (pip download's --platform values).
    platform_tags: tuple[str, ...]
    #: Environment markers other than the Python version's.
    markers: Mapping[str, str]

    def fits(self, wheel: Path) -> bool:
        """Whether `wheel` (a file name) is for this platform or for any."""
        tags = parse_wheel_filename(Path(wheel).name)[3]
        return any(tag.platform == "any" or tag.platform in self.platform_tags for tag in tags)


_CPYTHON = {"implementation_name": "cpython", "platform_python_implementation": "CPython",
            "platform_release": "", "platform_version": ""}
LINUX = Platform("linux", _manylinux_tags(), {
    **_CPYTHON, "os_name": "posix", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
})
WINDOWS = Platform("windows", ("win_amd64",), {
    **_CPYTHON, "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
})
PLATFORMS = (LINUX, WINDOWS)


@dataclass(frozen=True)
class Target:
    """One platform with one Python version ("3.12"): a set of wheels on the stick."""

    platform: Platform
    python_version: str

    def __str__(self) -> str:
        return f"{self.platform.name} Python {self.python_version}"

    @property
    def interpreter(self) -> str:
        return "cp" + self.python_version.replace(".", "")

    def environment(self, python_full_version: str) -> dict[str, str]:
        """The environment markers of this target at one patch release ("3.12.0")."""
        return {**self.platform.markers, "python_version": self.python_version,
                "python_full_version": python_full_version, "implementation_version": python_full_version}

    @cached_property
    def tags(self) -> dict[Tag, int]:
        """Wheel tags this target installs -> preference (0 best), as pip ranks them."""
        version = tuple(int(part) for part in self.python_version.split("."))
        platforms = list(self.platform.platform_tags)
        ordered = [*cpython_tags(version, [self.interpreter], platforms),
                   *compatible_tags(version, self.interpreter, platforms)]
        return {tag: rank for rank, tag in reversed(list(enumerate(ordered)))}

    def fits(self, wheel: Path) -> bool:
        """Whether `wheel` (a file name) installs on this target."""
        return any(tag in self.tags for tag in parse_wheel_filename(Path(wheel).name)[3])

    def pip_options(self) -> list[str]:
        """`pip download` options selecting this target's wheels (markers are the lock's business)."""
        platforms = [option for tag in self.platform.platform_tags for option in ("--platform", tag)]
        return ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python_version,
                "--abi", self.interpreter, *platforms]


TARGETS = tuple(Target(platform, version) for platform in PLATFORMS for version in PYTHON_VERSIONS)


@dataclass(frozen=True)
class UsbFolder:
    """A built installer folder and what it holds."""

    root: Path
    wheels: list[Path]
    npm_cache: Path | None

    @property
    def kit_dir(self) -> Path:
        return self.root / KIT_DIR

    @property
    def lock(self) -> Path:
        return self.root / STICK_LOCK


def default_download_cache(kit: Kit) -> Path:
    """Downloads kept between builds (git-ignored): wheels/ and npm/."""
    return kit.root / ".cache"


def build_usb_folder(
    kit: Kit,
    out: Path | None = None,
    download_cache: Path | None = None,
    on_note: Callable[[str], None] = print,
) -> UsbFolder:
    """Build the offline installer folder `out` (default dist/usb/ in the kit), replacing an old one.

    Installs what requirements/lock-trainer.txt pins. Needs the internet only for wheels and npm
    packages not yet in `download_cache` (default .cache/ in the kit). Without npm on PATH the
    proxy's cache is left out, with a note. The folder is assembled beside `out` and swapped in at
    the end, so a failed build leaves the previous one whole.
    """
    if not sys.platform.startswith("linux"):
        raise UmkmkitError(
            "The USB installer is built on Linux (install.sh must stay executable): "
            "run `make wheelhouse` on a Linux computer with Python 3.11 or newer."
        )
    out = Path(out) if out else kit.root / "dist" / "usb"
    download_cache = Path(download_cache) if download_cache else default_download_cache(kit)
    wheel_cache = download_cache / "wheels"
    lock = kit.root / TRAINER_LOCK
    pins = read_lock(lock)
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    wheels_dir = partial / WHEELS_DIR
    wheels_dir.mkdir(parents=True)

    for target in TARGETS:
        on_note(f"Collecting the wheels {TRAINER_LOCK.as_posix()} pins for {target}")
        collect_wheels(pins, target, wheels_dir, wheel_cache)
    on_note("Building umkmkit's wheel")
    own_wheel = build_kit_wheel(kit, wheels_dir, wheels_dir)
    for target in TARGETS:
        problems = unmet_on_stick(own_wheel, pins, target, wheels_dir.glob("*.whl"))
        if problems:
            raise UmkmkitError(
                f"{lock} does not hold everything umkmkit needs on {target}: {'; '.join(problems)}. "
                f"pyproject.toml changed since the lock was made: {REGENERATE}."
            )
    shutil.copy2(lock, partial / STICK_LOCK)

    on_note("Copying the kit's content")
    copy_kit_content(kit, partial / KIT_DIR)
    write_installers(kit, partial)
    npm_cache = cache_proxy_package(partial / NPM_CACHE_DIR, download_cache / "npm", on_note)

    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    wheels = sorted((out / WHEELS_DIR).glob("*.whl"))
    log.info("USB folder %s: %d wheel(s)%s", out, len(wheels), ", npm cache" if npm_cache else "")
    return UsbFolder(out, wheels, out / NPM_CACHE_DIR if npm_cache else None)


def target_pins(pins: Iterable[Pin], target: Target) -> list[Pin]:
    """Every pin `target` installs at one of its patch releases (two versions of a package at most)."""
    pins = list(pins)
    chosen: dict[tuple[str, Version], Pin] = {}
    for full_version in python_patch_levels(pins, target.python_version):
        for pin in pins_for(pins, target.environment(full_version)).values():
            chosen.setdefault((pin.name, pin.version), pin)
    return list(chosen.values())


def select_wheels(pins: Iterable[Pin], target: Target, wheels: Iterable[Path]) -> tuple[dict[Pin, Path], list[Pin]]:
    """({pin: the best of `wheels` for it on `target`}, pins none of `wheels` serves)."""
    by_release: dict[tuple[str, Version], list[Path]] = {}
    for wheel in wheels:
        name, version, _, _ = parse_wheel_filename(Path(wheel).name)
        by_release.setdefault((name, version), []).append(Path(wheel))
    found: dict[Pin, Path] = {}
    missing: list[Pin] = []
    for pin in pins:
        ranked = [
            (min(target.tags[tag] for tag in parse_wheel_filename(wheel.name)[3] if tag in target.tags), wheel.name, wheel)
            for wheel in by_release.get((pin.name, pin.version), []) if target.fits(wheel)
        ]
        if ranked:
            found[pin] = min(ranked)[2]
        else:
            missing.append(pin)
    return found, missing


def collect_wheels(pins: Iterable[Pin], target: Target, wheels_dir: Path, cache: Path) -> None:
    """Put into `wheels_dir` the wheel of every pin `target` installs, from `cache` (downloading what it lacks)."""
    wanted = target_pins(pins, target)
    found, missing = select_wheels(wanted, target, _cached_wheels(cache))
    if missing:
        download_wheels(missing, target, cache)
        found, missing = select_wheels(wanted, target, _cached_wheels(cache))
    if missing:
        raise UmkmkitError(
            f"The package index has no wheel for {target} of {', '.join(f'{p.name}=={p.version}' for p in missing)} "
            f"(pinned in {TRAINER_LOCK.as_posix()}). Pin a release that has one: run `make lock LOCK_ARGS=--upgrade`, "
            "or give the package a range without that release in pyproject.toml and run `make lock`."
        )
    for pin, wheel in found.items():
        if not pin.matches(wheel):
            raise UmkmkitError(
                f"{wheel} is not the file {TRAINER_LOCK.as_posix()} pins for {pin.name} {pin.version} (its sha256 "
                f"differs): delete it and build again, which downloads it anew."
            )
        if not (wheels_dir / wheel.name).exists():
            shutil.copy2(wheel, wheels_dir / wheel.name)


def download_wheels(pins: Iterable[Pin], target: Target, cache: Path) -> None:
    """`pip download` the wheels of `pins` for `target` into `cache`, checked against the lock's hashes.

    `--ignore-requires-python`: the lock already chose for each Python (a pin for 3.11.5 and newer
    has a marker saying so), and pip would compare Requires-Python with 3.11.0.
    """
    try:
        cache.mkdir(parents=True, exist_ok=True)
        writable = os.access(cache, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        raise UmkmkitError(
            f"Cannot write the download cache {cache}: build with a folder you can write, "
            "e.g. `python -m umkmkit.room.usb --cache ~/.cache/umkmkit`, or ask its owner to build."
        )
    # pip refuses two versions of one package in one run, even with --no-deps; a target can need
    # two (one for 3.11.0-3.11.4, one for 3.11.5 and newer): one run per version of such a package
    batches: list[list[Pin]] = []
    for pin in pins:
        batch = next((b for b in batches if all(other.name != pin.name for other in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(pin)
    for batch in batches:
        with tempfile.TemporaryDirectory(prefix="umkmkit-download-") as scratch:
            requirements = Path(scratch) / "requirements.txt"
            requirements.write_text("".join(
                f"{pin.name}=={pin.version}{''.join(f' --hash=sha256:{value}' for value in sorted(pin.sha256))}\n"
                for pin in batch
            ), encoding="utf-8")
            _pip(["download", "--no-deps", "--ignore-requires-python", *target.pip_options(),
                  "--dest", str(cache), "--requirement", str(requirements)],
                 f"Could not download the wheels for {target}; check the internet connection and run again",
                 quiet=False)


def build_kit_wheel(kit: Kit, wheels_dir: Path, find_links: Path | None = None) -> Path:
    """umkmkit's own wheel, built from a clean copy of its sources.

    A copy, because setuptools reuses the build/ folder of a checkout, where a deleted module
    would live on and be packaged. The build backend (setuptools, which the lock pins) comes from
    `find_links` when it is there, else from the package index.
    """
    with tempfile.TemporaryDirectory(prefix="umkmkit-wheel-") as scratch:
        source = Path(scratch) / "umkmkit"
        for name in PACKAGE_SOURCES:
            _copy(kit.root / name, source / name)
        command = ["wheel", "--no-deps", "--wheel-dir", str(wheels_dir), str(source)]
        offline = ["--no-index", "--find-links", str(find_links)] if find_links and find_links.is_dir() else None
        if offline is None or _run_pip([*command, *offline], isolated_pip_environment()).returncode != 0:
            _pip(command, "Could not build umkmkit's wheel")
    built = sorted(wheels_dir.glob("umkmkit-*.whl"))
    if len(built) != 1:
        raise UmkmkitError(f"Expected one umkmkit wheel in {wheels_dir}, found {len(built)}: delete it and build again.")
    return built[0]


def unmet_on_stick(own_wheel: Path, pins: Iterable[Pin], target: Target, wheels: Iterable[Path]) -> list[str]:
    """What umkmkit's wheel and the pinned wheels need on `target` and the stick's `wheels` lack.

    Checked at each of the target's patch releases, with the wheels its markers choose there.
    """
    pins, wheels = list(pins), list(wheels)
    problems = []
    for full_version in python_patch_levels(pins, target.python_version):
        environment = target.environment(full_version)
        found, missing = select_wheels(pins_for(pins, environment).values(), target, wheels)
        problems += [f"no wheel of {pin.name}=={pin.version} for Python {full_version}" for pin in missing]
        problems += [f"{need} for Python {full_version}"
                     for need in unmet_requirements([own_wheel, *found.values()], environment)]
    return sorted(set(problems))


def unmet_requirements(wheels: Iterable[Path], environment: Mapping[str, str]) -> list[str]:
    """Requirements (`name` + specifier) that `wheels` need on a machine with these markers and none meets.

    Requirements of extras are not followed (the lock holds what the kit's extras need).
    """
    wheels = list(wheels)
    provided: dict[str, Version] = {}
    for wheel in wheels:
        name, version, _, _ = parse_wheel_filename(Path(wheel).name)
        provided[name] = version
    unmet: set[str] = set()
    for wheel in wheels:
        for line in wheel_metadata(wheel).get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({**environment, "extra": ""}):
                continue
            have = provided.get(canonicalize_name(requirement.name))
            if have is None or not requirement.specifier.contains(have, prereleases=True):
                unmet.add(f"{requirement.name}{requirement.specifier}")
    return sorted(unmet)


def wheel_metadata(wheel: Path) -> email.message.Message:
    """The METADATA of a wheel (name, version, Requires-Dist, ...)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next((n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise UmkmkitError(f"{wheel} has no METADATA: it is not a wheel; delete it and build again.")
        return email.parser.BytesParser().parsebytes(archive.read(name))


def isolated_pip_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """`environ` (default os.environ) for a pip that reads no configuration: only its command line counts.

    Drops every PIP_* variable (PIP_FIND_LINKS would add package sources) and points
    PIP_CONFIG_FILE at the null device, which makes pip skip every configuration file.
    """
    environment = {k: v for k, v in (os.environ if environ is None else environ).items() if not k.startswith("PIP_")}
    environment["PIP_CONFIG_FILE"] = os.devnull
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return environment


def copy_kit_content(kit: Kit, target: Path) -> None:
    """The kit's folders and files the installed package runs from (no workspace, no tests)."""
    for name in KIT_CONTENT:
        source = kit.root / name
        if not source.exists():
            raise UmkmkitError(f"{source} is missing: the kit folder is incomplete (restore it with git).")
        _copy(source, target / name)


def write_installers(kit: Kit, target: Path) -> None:
    """install.sh, install.bat and BACA-SAYA.txt from deploy/usb/, with each platform's line ends."""
    for name, line_end in INSTALLERS.items():
        source = kit.root / INSTALLERS_DIR / name
        if not source.is_file():
            raise UmkmkitError(f"{source} is missing: restore it from git (git checkout -- {INSTALLERS_DIR.as_posix()}).")
        text = source.read_text(encoding="utf-8").replace("\r\n", "\n")
        (target / name).write_bytes(text.replace("\n", line_end).encode("utf-8"))
    (target / "install.sh").chmod(0o755)


def cache_proxy_package(npm_cache: Path, download_cache: Path, on_note: Callable[[str], None] = print) -> bool:
    """Fill `npm_cache` with PROXY_PACKAGE and its dependencies; False (with a note) without npm.

    npm fetches into `download_cache` (only what it does not hold yet), which is then copied.
    """
    npm = shutil.which("npm")
    if npm is None:
        on_note(f"npm is not installed: the stick has no {PROXY_PACKAGE} for JupyterHub "
                "(install Node.js and build again if the room server needs it).")
        return False
    on_note(f"Caching {PROXY_PACKAGE} for npm")
    with tempfile.TemporaryDirectory(prefix="umkmkit-npm-") as scratch:
        done = subprocess.run(
            [npm, "install", "--prefer-offline", "--cache", str(download_cache.resolve()),
             "--no-audit", "--no-fund", PROXY_PACKAGE],
            cwd=scratch, capture_output=True, text=True, encoding="utf-8", errors="replace",
        )
    if done.returncode != 0:
        raise UmkmkitError(
            f"npm could not fetch {PROXY_PACKAGE} into {download_cache}:\n{done.stderr[-2000:]}\n"
            "Check the internet connection and run again."
        )
    # only the content store: the cache's _logs are this machine's
    shutil.copytree(download_cache / "_cacache", npm_cache / "_cacache")
    return True


def folder_size(folder: Path) -> int:
    """Bytes in all files under `folder`."""
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def _cached_wheels(cache: Path) -> list[Path]:
    """The wheels under `cache` (older builds kept them in one folder per platform)."""
    return sorted(cache.rglob("*.whl")) if cache.is_dir() else []


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=_IGNORED)
    else:
        shutil.copy2(source, target)


def _run_pip(arguments: list[str], environment: dict[str, str] | None = None,
             quiet: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", *arguments], env=environment,
        capture_output=quiet, text=True, encoding="utf-8", errors="replace",
    )


def _pip(arguments: list[str], failure: str, quiet: bool = True, isolated: bool = False) -> None:
    done = _run_pip(arguments, isolated_pip_environment() if isolated else None, quiet=quiet)
    if done.returncode != 0:
        detail = f":\n{(done.stdout or '')[-1500:]}{(done.stderr or '')[-1500:]}" if quiet else " (see pip's output above)"
        raise UmkmkitError(f"{failure}{detail}")


def main(argv: list[str] | None = None) -> int:
    """`python -m umkmkit.room.usb [--out DIR] [--cache DIR]`: build the folder and print its size."""
    parser = argparse.ArgumentParser(prog="python -m umkmkit.room.usb", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder to build (default: dist/usb in the kit)")
    parser.add_argument("--cache", type=Path, default=None, help="downloads kept between builds (default: .cache in the kit)")
    options = parser.parse_args(argv)
    try:
        built = build_usb_folder(find_kit(), out=options.out, download_cache=options.cache)
    except UmkmkitError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    parts = ", ".join(
        f"{name} {folder_size(built.root / name) / 1e6:.1f} MB"
        for name in (KIT_DIR, WHEELS_DIR, NPM_CACHE_DIR) if (built.root / name).exists()
    )
    print(f"USB folder: {built.root} ({folder_size(built.root) / 1e6:.1f} MB: {len(built.wheels)} wheels; {parts})")
    print(f"Its wheels are for 64-bit Python {', '.join(PYTHON_VERSIONS)} on {' and '.join(p.name for p in PLATFORMS)}.")
    print("Copy it onto a USB stick; on the laptop run install.sh (Linux) or install.bat (Windows).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
