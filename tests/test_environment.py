"""The project's own files install everything: pyproject.toml and environment.yml agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = _NAME.match(requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def pyproject_requirements() -> set[tuple[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    return {_normalise(r) for r in listed}


def conda_requirements() -> set[tuple[str, str]]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = [d for d in environment["dependencies"] if isinstance(d, str)]
    return {_normalise(d) for d in listed if _normalise(d)[0] not in {"python", "pip"}}


def test_environment_yml_names_the_same_packages_and_versions():
    assert conda_requirements() == pyproject_requirements()


def test_pins_asked_for_by_the_client():
    requirements = dict(pyproject_requirements())
    assert requirements["nbgrader"] == ">=0.9,<0.10"
    assert requirements["jupyterlab"] == ">=4,<5"
    assert requirements["pandas"] == ">=3,<4"


def test_environment_yml_installs_the_kit_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_workspace_and_venv_are_ignored_and_ci_runs_make_test():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "workspace/" in ignored and ".venv/" in ignored
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")
