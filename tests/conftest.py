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
        kit, curriculum, [m.assignment for m in curriculum.assignments], tmp_path_factory.mktemp("verify"),
    )
