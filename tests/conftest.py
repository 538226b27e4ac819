"""Shared fixtures: the kit checkout, and every assignment's scenario submissions graded once
by real nbgrader (the solution, the untouched exercise, each catalogued mistake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from umkmkit.curriculum import load_curriculum
from umkmkit.verification import AssignmentVerification, verify_assignments
from umkmkit.workspace import Kit, ensure_scripts_on_path

ROOT = Path(__file__).resolve().parents[1]


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
    """`umkmkit demo` run once as a newcomer runs it: (workspace/demo folder, the command's stdout).

    The venv's scripts folder is taken off PATH, as in a trainer's shell that never activated it.
    """
    import os
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
    return workspace / "demo", done.stdout
