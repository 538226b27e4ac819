"""The project's own files install everything, and agree: pyproject.toml declares every package the
kit imports, environment.yml (trainers) names its dependencies, environment-dev.yml (developers)
those and its extras, and the locks in requirements/ pin each of them within its declared range."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from umkmkit.cohort.cohorts import POSTGRES_MODULE
from umkmkit.room.lockfile import DEVELOPER_LOCK, TRAINER_LOCK, pins_for, python_patch_levels, read_lock
from umkmkit.room.usb import TARGETS

ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")
#: The extras a developer and CI install (requirements/lock.txt holds them, environment-dev.yml names them).
DEVELOPER_EXTRAS = ("test", "hub", "postgres")
#: Import names that differ from their distribution's name.
DISTRIBUTION_OF_MODULE = {"yaml": "pyyaml", "zmq": "pyzmq", "IPython": "ipython", POSTGRES_MODULE: "psycopg2-binary"}


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = _NAME.match(requirement).groups()
    return canonicalize_name(name), spec.replace(" ", "")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def declared(*extras: str) -> list[Requirement]:
    """pyproject.toml's dependencies and those of `extras`, the kit's own extras (umkmkit[hub]) left out."""
    listed = project()["dependencies"] + [r for extra in extras for r in project()["optional-dependencies"][extra]]
    requirements = [Requirement(r) for r in listed]
    return [r for r in requirements if canonicalize_name(r.name) != "umkmkit"]


def pyproject_requirements(*extras: str) -> set[tuple[str, str]]:
    return {(canonicalize_name(r.name), str(r.specifier).replace(" ", "")) for r in declared(*extras)}


def conda_requirements(file_name: str) -> set[tuple[str, str]]:
    environment = yaml.safe_load((ROOT / file_name).read_text(encoding="utf-8"))
    listed = [d for d in environment["dependencies"] if isinstance(d, str)]
    return {_normalise(d) for d in listed if _normalise(d)[0] not in {"python", "pip"}}


def _sorted_spec(spec: str) -> str:
    return ",".join(sorted(spec.split(","))) if spec else ""


def _same(requirements: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(name, _sorted_spec(spec)) for name, spec in requirements}


def test_environment_yml_names_the_dependencies_and_nothing_for_tests():
    assert _same(conda_requirements("environment.yml")) == _same(pyproject_requirements())


def test_environment_dev_yml_names_the_dependencies_and_the_developers_extras():
    assert _same(conda_requirements("environment-dev.yml")) == _same(pyproject_requirements(*DEVELOPER_EXTRAS))


def test_the_extras_split_test_tools_room_server_and_postgres_driver_from_the_kit():
    runtime = {name for name, _ in pyproject_requirements()}
    assert not runtime & {"pytest", "playwright", "pypdf", "openpyxl", "jupyterhub", "psycopg2-binary"}
    assert {name for name, _ in pyproject_requirements("postgres")} - runtime == {"psycopg2-binary"}
    assert {"jupyterhub", "jupyterhub-idle-culler"} <= {name for name, _ in pyproject_requirements("hub")}
    # the test suite starts a room server and a PostgreSQL gradebook
    assert "umkmkit[hub,postgres]" in project()["optional-dependencies"]["test"]


def test_pins_asked_for_by_the_client():
    requirements = dict(pyproject_requirements())
    assert requirements["nbgrader"] == "<0.10,>=0.9"
    assert requirements["jupyterlab"] == "<5,>=4"
    assert requirements["pandas"] == "<4,>=3"
    assert requirements["psutil"] == "<8,>=5.9"


def imported_distributions() -> dict[str, set[str]]:
    """Distribution -> modules of src/umkmkit importing it, for every import that is neither stdlib nor the kit."""
    found: dict[str, set[str]] = {}
    for source in sorted((ROOT / "src" / "umkmkit").rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in {"umkmkit", "__future__"}:
                    continue
                distribution = canonicalize_name(DISTRIBUTION_OF_MODULE.get(top, top))
                found.setdefault(distribution, set()).add(source.relative_to(ROOT).as_posix())
    return found


def test_every_package_the_kit_imports_is_a_declared_dependency():
    imported = imported_distributions()
    assert {"nbgrader", "pandas", "traitlets", "jupyter-client", "pyzmq", "sqlalchemy", "nbconvert"} <= set(imported)
    undeclared = {name: sorted(where) for name, where in imported.items()
                  if name not in {n for n, _ in pyproject_requirements()}}
    assert undeclared == {}, "declare these in pyproject.toml's dependencies (and environment*.yml)"


def test_the_import_name_map_is_right():
    providers = importlib.metadata.packages_distributions()
    for module, distribution in DISTRIBUTION_OF_MODULE.items():
        assert canonicalize_name(distribution) in {canonicalize_name(d) for d in providers.get(module, [])}, module


@pytest.mark.parametrize("lock, extras", [(DEVELOPER_LOCK, DEVELOPER_EXTRAS), (TRAINER_LOCK, ())],
                         ids=["developers", "trainers"])
def test_the_lock_pins_every_declared_package_within_its_range_everywhere(lock, extras):
    pins = read_lock(ROOT / lock)
    assert all(pin.sha256 for pin in pins), "the lock is made with --generate-hashes"
    for target in TARGETS:
        for full_version in python_patch_levels(pins, target.python_version):
            environment = target.environment(full_version)
            chosen = pins_for(pins, environment)
            for requirement in declared(*extras):
                if requirement.marker and not requirement.marker.evaluate({**environment, "extra": ""}):
                    continue
                pin = chosen.get(canonicalize_name(requirement.name))
                assert pin is not None, f"{lock} pins no {requirement.name} for {target} ({full_version}): make lock"
                assert requirement.specifier.contains(pin.version, prereleases=True), (
                    f"{lock} pins {pin.name} {pin.version} for {target}, outside {requirement}: make lock"
                )


def test_the_trainers_lock_holds_the_developers_versions_and_no_test_tools():
    developers = {(pin.name, pin.version, str(pin.marker)) for pin in read_lock(ROOT / DEVELOPER_LOCK)}
    trainers = {(pin.name, pin.version, str(pin.marker)) for pin in read_lock(ROOT / TRAINER_LOCK)}
    assert trainers < developers
    assert not {name for name, _, _ in trainers} & {"pytest", "playwright", "jupyterhub", "psycopg2-binary"}


def test_make_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(STAMP): pyproject.toml $(LOCK)" in makefile
    assert f"LOCK := {DEVELOPER_LOCK.as_posix()}" in makefile and f"TRAINER_LOCK := {TRAINER_LOCK.as_posix()}" in makefile
    assert "-m pip install --disable-pip-version-check -r $(LOCK)" in makefile
    assert "--no-deps -e ." in makefile and "--universal --python-version 3.11" in makefile


def test_environment_ymls_install_the_kit_itself():
    for file_name in ("environment.yml", "environment-dev.yml"):
        environment = yaml.safe_load((ROOT / file_name).read_text(encoding="utf-8"))
        pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
        assert "-e ." in pip_section, file_name


def test_workspace_and_venv_are_ignored_and_ci_runs_make_test():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "workspace/" in ignored and ".venv/" in ignored
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")
