"""The lock files: the exact versions of every package the kit installs, read with `packaging`.

requirements/lock.txt (developers and CI: pyproject.toml's dependencies and its test, hub and
postgres extras) and requirements/lock-trainer.txt (the dependencies alone: what the USB stick
carries) are written by uv, not by hand:

    make lock          # = uv pip compile pyproject.toml --universal --python-version 3.11
                       #   --generate-hashes [--extra test --extra hub --extra postgres] -o ...

Why uv and a universal resolution: one file serves Linux and Windows (and macOS) on Python 3.11,
3.12 and 3.13. Where a package needs another version on some of them, the lock holds both, each
behind an environment marker (`numpy==2.4.6 ; python_full_version < '3.12'`), and pip installs the
one whose marker fits the machine. pip-tools resolves for the machine it runs on only, which would
need one lock per platform and Python. `--python-version 3.11` is the lowest Python the kit
supports: a release that needs a newer 3.11 (3.11.5) gets a marker of its own, so Debian 12's
3.11.2 installs too. `--generate-hashes` makes pip check every file it installs against the lock.
requirements/README.md says the same for people.

This module reads such a file (`read_lock`) and picks the pins one machine installs (`pins_for`),
as pip does: `umkmkit.room.usb` downloads exactly those wheels for each platform and Python version.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from umkmkit.errors import UmkmkitError

LOCK_DIR = Path("requirements")
#: Developers and CI (`make`): dependencies with the test, hub and postgres extras.
DEVELOPER_LOCK = LOCK_DIR / "lock.txt"
#: Trainers (the USB stick): the dependencies alone.
TRAINER_LOCK = LOCK_DIR / "lock-trainer.txt"
REGENERATE = "run `make lock` in the kit's folder (it needs the internet) and commit requirements/"

_HASH = re.compile(r"--hash=(\w+):([0-9a-fA-F]+)")
#: Python versions compared in a lock's markers ('3.11.5' in python_full_version < '3.11.5').
_FULL_VERSION = re.compile(r"python_full_version\s*[<>=!~]+\s*['\"](\d+)\.(\d+)\.(\d+)['\"]")


@dataclass(frozen=True)
class Pin:
    """One line of a lock: a package, its exact version, where it applies, its files' sha256."""

    name: NormalizedName
    version: Version
    marker: Marker | None
    sha256: frozenset[str]
    line: int

    def applies(self, environment: Mapping[str, str]) -> bool:
        """Whether a machine with these environment markers installs this pin."""
        return self.marker is None or self.marker.evaluate({**environment, "extra": ""})

    def matches(self, wheel: Path) -> bool:
        """Whether `wheel`'s content is one of the files the lock pins (true for a lock without hashes)."""
        if not self.sha256:
            return True
        status = Path(wheel).stat()
        return file_sha256(Path(wheel).resolve(), status.st_size, status.st_mtime_ns) in self.sha256


@functools.lru_cache(maxsize=4096)
def file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    """The sha256 of a file, remembered while its size and time stamp stay the same."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_lock(path: Path) -> list[Pin]:
    """The pins of a requirements file written by `uv pip compile` (name==version ; marker --hash=...)."""
    path = Path(path)
    if not path.is_file():
        raise UmkmkitError(f"The lock file {path} is missing: {REGENERATE}.")
    pins: list[Pin] = []
    for number, text in _logical_lines(path.read_text(encoding="utf-8")):
        requirement_text = _HASH.sub("", text).strip()
        if requirement_text.startswith("-"):
            raise UmkmkitError(f"{path}, line {number}: option '{requirement_text}' is not expected in a lock; {REGENERATE}.")
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            raise UmkmkitError(f"{path}, line {number}: '{requirement_text}' is no requirement ({error}); {REGENERATE}.") from error
        exact = [s for s in requirement.specifier if s.operator == "=="]
        if len(exact) != 1 or len(requirement.specifier) != 1 or requirement.url:
            raise UmkmkitError(
                f"{path}, line {number}: {requirement_text} pins no single version (name==version); {REGENERATE}."
            )
        hashes = frozenset(value.lower() for kind, value in _HASH.findall(text) if kind == "sha256")
        pins.append(Pin(canonicalize_name(requirement.name), Version(exact[0].version), requirement.marker, hashes, number))
    if not pins:
        raise UmkmkitError(f"The lock file {path} pins nothing: {REGENERATE}.")
    return pins


def pins_for(pins: Iterable[Pin], environment: Mapping[str, str]) -> dict[NormalizedName, Pin]:
    """name -> the pin a machine with these markers installs; a lock pinning two versions for it is refused."""
    chosen: dict[NormalizedName, Pin] = {}
    for pin in pins:
        if not pin.applies(environment):
            continue
        if pin.name in chosen:
            raise UmkmkitError(
                f"The lock pins {pin.name} twice for one machine (lines {chosen[pin.name].line} and {pin.line}, "
                f"Python {environment.get('python_full_version')} on {environment.get('sys_platform')}): {REGENERATE}."
            )
        chosen[pin.name] = pin
    return chosen


def python_patch_levels(pins: Iterable[Pin], python_version: str) -> list[str]:
    """The patch releases of `python_version` ("3.11") at which the lock's markers may choose differently.

    3.x.0, and each full version a marker compares with and the one after it: between two of
    these every marker has the same value, so these few stand for every 3.x.y.
    """
    major, minor = (int(part) for part in python_version.split("."))
    patches = {0}
    for pin in pins:
        for found in _FULL_VERSION.finditer(str(pin.marker or "")):
            if (int(found[1]), int(found[2])) == (major, minor):
                patches.update({int(found[3]), int(found[3]) + 1})
    return [f"{major}.{minor}.{patch}" for patch in sorted(patches)]


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """(first line's number, text) of each requirement, continuation lines joined, comments dropped."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending and " ".join(pending).strip():
        yield start, " ".join(part.strip() for part in pending).strip()
