"""The offline installer: a folder to copy onto a USB stick that installs the kit with no internet.

`make wheelhouse` (`python -m umkmkit.usb`) builds dist/usb/:

    install.sh      Linux: copies umkmkit/ to ~/umkmkit, makes .venv there, installs from wheels/
    install.bat     Windows: the same with %USERPROFILE%\\umkmkit
    BACA-SAYA.txt   how to install, in Bahasa Indonesia
    umkmkit/        the kit's content (lessons, exercises, solutions, datasets, docs, config)
    wheels/         umkmkit's own wheel and every dependency for CPython 3.11 on Linux and Windows
    npm-cache/      npm's cache holding configurable-http-proxy (JupyterHub's proxy)

The kit runs from its folder: the installed package finds the kit above its own .venv
(`workspace.find_kit`), so install.sh and install.bat put the venv inside the copied kit folder.
The scripts' sources live in deploy/usb/.

Downloads happen once: wheels are kept in .cache/wheels/<platform>/ (npm's in .cache/npm/) and
a build first tries to resolve every requirement from there without the network (delete .cache/
to take newer releases). Both platforms resolve for Python 3.11.0, so that every 3.11 installs
the stick (Debian 12 ships 3.11.2; releases that need 3.11.5, such as soupsieve 4, are passed over).

pip evaluates environment markers for the machine it runs on even with `--platform`, so a
download for Windows on Linux leaves out Windows-only requirements (click's colorama,
terminado's pywinpty). `unmet_requirements` reads the downloaded
wheels' metadata with each platform's markers, and what is missing is resolved again with the rest.
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Kit, find_kit

#: The Python both platforms' wheels are for (any 3.11.x); install.sh and install.bat look for it.
PYTHON_VERSION = "3.11"
#: JupyterHub's proxy, cached for `npm install --offline`.
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
#: What the kit needs beside its package to run from its folder.
KIT_CONTENT = (
    "lessons", "exercises", "solutions", "datasets", "docs", "deploy",
    "curriculum.yml", "nbgrader_config.py", "Makefile", "pyproject.toml", "environment.yml", "README.md",
)
#: What building umkmkit's own wheel needs.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "src")
#: Sources of the stick's scripts in the kit, and the line ends each gets on the stick.
INSTALLERS = {"install.sh": "\n", "install.bat": "\r\n", "BACA-SAYA.txt": "\r\n"}
INSTALLERS_DIR = Path("deploy") / "usb"
KIT_DIR, WHEELS_DIR, NPM_CACHE_DIR = "umkmkit", "wheels", "npm-cache"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


#: Environment markers of the target Python (the rest are the building machine's).
_PYTHON_MARKERS = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "implementation_version": f"{PYTHON_VERSION}.0",
}


@dataclass(frozen=True)
class Platform:
    """A target of the stick: pip's options selecting its wheels, its wheels' platform tag, its markers."""

    name: str
    pip_options: tuple[str, ...]
    #: Part of the platform tag of its binary wheels ("linux" in manylinux_2_28_x86_64).
    wheel_tag: str
    markers: dict[str, str]

    @property
    def cache_name(self) -> str:
        return f"{self.name}-cp{PYTHON_VERSION.replace('.', '')}"

    def fits(self, wheel: Path) -> bool:
        """Whether `wheel` (a file name in the platform's wheel folder) installs on this platform."""
        tags = parse_wheel_filename(wheel.name)[3]
        return any(tag.platform == "any" or self.wheel_tag in tag.platform for tag in tags)


#: Linux means this machine's own platform tags; Windows is 64-bit.
#: `--python-version 3.11` means 3.11.0 to pip, which is the point: see the module's docstring.
LINUX = Platform("linux", ("--python-version", PYTHON_VERSION), "linux", _PYTHON_MARKERS)
WINDOWS = Platform(
    "windows", ("--platform", "win_amd64", "--python-version", PYTHON_VERSION), "win_amd64",
    {**_PYTHON_MARKERS, "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
     "platform_machine": "AMD64", "platform_python_implementation": "CPython", "implementation_name": "cpython"},
)
PLATFORMS = (LINUX, WINDOWS)


@dataclass(frozen=True)
class UsbFolder:
    """A built installer folder and what it holds."""

    root: Path
    wheels: list[Path]
    npm_cache: Path | None

    @property
    def kit_dir(self) -> Path:
        return self.root / KIT_DIR


def default_download_cache(kit: Kit) -> Path:
    """Downloads kept between builds (git-ignored): wheels/<platform>/ and npm/."""
    return kit.root / ".cache"


def build_usb_folder(
    kit: Kit,
    out: Path | None = None,
    download_cache: Path | None = None,
    on_note: Callable[[str], None] = print,
) -> UsbFolder:
    """Build the offline installer folder `out` (default dist/usb/ in the kit), replacing an old one.

    Needs the internet only for wheels and npm packages not yet in `download_cache`
    (default .cache/ in the kit). Without npm on PATH the proxy's cache is left out, with a
    note. The folder is assembled beside `out` and swapped in at the end, so a failed
    build leaves the previous one whole.
    """
    if not sys.platform.startswith("linux"):
        raise UmkmkitError(
            "The USB installer is built on Linux (its Linux wheels are this machine's): "
            "run `make wheelhouse` on a Linux computer with Python 3.11."
        )
    out = Path(out) if out else kit.root / "dist" / "usb"
    download_cache = Path(download_cache) if download_cache else default_download_cache(kit)
    wheel_cache = download_cache / "wheels"
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    wheels_dir = partial / WHEELS_DIR
    wheels_dir.mkdir(parents=True)

    on_note("Building umkmkit's wheel")
    own_wheel = build_kit_wheel(kit, wheels_dir, wheel_cache / LINUX.cache_name)
    for platform in PLATFORMS:
        on_note(f"Collecting wheels for {platform.name} (Python {PYTHON_VERSION})")
        collect_wheels(own_wheel, platform, wheels_dir, wheel_cache / platform.cache_name)

    on_note("Copying the kit's content")
    copy_kit_content(kit, partial / KIT_DIR)
    write_installers(kit, partial)
    npm_cache = cache_proxy_package(partial / NPM_CACHE_DIR, download_cache / "npm", on_note)

    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    return UsbFolder(out, sorted((out / WHEELS_DIR).glob("*.whl")), out / NPM_CACHE_DIR if npm_cache else None)


def build_kit_wheel(kit: Kit, wheels_dir: Path, build_cache: Path | None = None) -> Path:
    """umkmkit's own wheel, built from a clean copy of its sources.

    A copy, because setuptools reuses the build/ folder of a checkout, where a deleted module
    would live on and be packaged. The build backend (setuptools) comes from `build_cache`
    when it is there, else from the package index.
    """
    with tempfile.TemporaryDirectory(prefix="umkmkit-wheel-") as scratch:
        source = Path(scratch) / "umkmkit"
        for name in PACKAGE_SOURCES:
            _copy(kit.root / name, source / name)
        command = ["wheel", "--no-deps", "--wheel-dir", str(wheels_dir), str(source)]
        offline = ["--no-index", "--find-links", str(build_cache)] if build_cache and build_cache.is_dir() else None
        if offline is None or _run_pip([*command, *offline], isolated_pip_environment()).returncode != 0:
            _pip(command, "Could not build umkmkit's wheel")
    built = sorted(wheels_dir.glob("umkmkit-*.whl"))
    if len(built) != 1:
        raise UmkmkitError(f"Expected one umkmkit wheel in {wheels_dir}, found {len(built)}: delete it and build again.")
    return built[0]


def collect_wheels(own_wheel: Path, platform: Platform, wheels_dir: Path, cache: Path) -> None:
    """Put into `wheels_dir` every wheel `own_wheel` needs on `platform`, resolved with no index.

    Requirements pip passed over for this machine's markers (see the module's docstring) are
    added and everything is resolved again, until the platform's wheels need nothing more.
    """
    requirements = [str(own_wheel)]
    with tempfile.TemporaryDirectory(prefix="umkmkit-wheels-") as scratch:
        for attempt in itertools.count():
            resolved = Path(scratch) / str(attempt)
            resolve_wheels(requirements, platform, resolved, cache)
            missing = [r for r in unmet_requirements(resolved.glob("*.whl"), platform) if r not in requirements]
            if not missing:
                break
            requirements += missing
        for wheel in resolved.glob("*.whl"):
            if not (wheels_dir / wheel.name).exists():
                shutil.copy2(wheel, wheels_dir / wheel.name)
    problems = unmet_requirements([w for w in wheels_dir.glob("*.whl") if platform.fits(w)], platform)
    if problems:
        raise UmkmkitError(
            f"The {platform.name} wheels in {wheels_dir} lack {', '.join(problems)}: "
            f"delete {cache} and build again."
        )


def resolve_wheels(requirements: list[str], platform: Platform, dest: Path, cache: Path) -> None:
    """Copy into `dest` the wheels `requirements` need on `platform`, resolved from `cache` alone.

    Downloads into `cache` first when the cache cannot satisfy them.
    """
    cache.mkdir(parents=True, exist_ok=True)
    selection = ["--only-binary=:all:", *platform.pip_options, *requirements]
    offline = ["download", "--no-index", "--find-links", str(cache), "--dest", str(dest), *selection]
    if _run_pip(offline, isolated_pip_environment()).returncode == 0:
        return
    _pip(["download", "--dest", str(cache), *selection],
         f"Could not download the wheels for {platform.name}; check the internet connection and run again",
         quiet=False)
    for requirement in requirements:
        if requirement.endswith(".whl"):  # the kit's own wheel, given as a path, is no download to keep
            (cache / Path(requirement).name).unlink(missing_ok=True)
    _pip(offline, f"The wheels for {platform.name} do not resolve from {cache} alone", isolated=True)


def unmet_requirements(wheels: Iterable[Path], platform: Platform) -> list[str]:
    """Requirements (`name` + specifier) that `wheels` need on `platform` and none of them meets.

    Markers are evaluated for the platform; requirements of extras are not followed (pip
    resolved those for this machine).
    """
    wheels = list(wheels)
    provided: dict[str, Version] = {}
    for wheel in wheels:
        name, version, _, _ = parse_wheel_filename(wheel.name)
        provided[name] = version
    unmet: set[str] = set()
    for wheel in wheels:
        for line in wheel_metadata(wheel).get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({**platform.markers, "extra": ""}):
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
    """`python -m umkmkit.usb [--out DIR] [--cache DIR]`: build the folder and print its size."""
    parser = argparse.ArgumentParser(prog="python -m umkmkit.usb", description=__doc__.splitlines()[0])
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
    print("Copy it onto a USB stick; on the laptop run install.sh (Linux) or install.bat (Windows).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
