"""`make test` runs on every core with pytest-xdist and relies on its groups (tests/conftest.py):
the tests that share the demo, the graded scenarios or PostgreSQL run in one worker, which builds
that fixture once. If a pytest or pytest-xdist upgrade stops honouring groups added at collection
(as pytest 9.2 did: pytest-xdist issue 1386), the suite would still pass, only building each of
those fixtures once per worker; this test fails instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SLOW_FIXTURES, xdist_groups

CONFTEST = '''
import os
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group("shared" if "shared" in item.name else item.module.__name__))


@pytest.fixture
def where(request):
    yield
    out = Path(os.environ["WHERE_OUT"]) / request.node.name
    out.write_text(os.environ.get("PYTEST_XDIST_WORKER", "none"), encoding="utf-8")
'''

TESTS = '''
import time

import pytest


@pytest.mark.parametrize("n", range(4))
def test_shared_{name}(where, n):
    time.sleep(0.1)


@pytest.mark.parametrize("n", range(4))
def test_own_{name}(where, n):
    time.sleep(0.1)
'''


def test_xdist_keeps_the_groups_added_at_collection_in_one_worker(tmp_path):
    suite, out = tmp_path / "suite", tmp_path / "out"
    suite.mkdir()
    out.mkdir()
    (suite / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    for name in ("a", "b"):
        (suite / f"test_{name}.py").write_text(TESTS.format(name=name), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup", str(suite)],
        cwd=suite, capture_output=True, text=True, timeout=120, env={**os.environ, "WHERE_OUT": str(out)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
    assert len(workers) == 16
    shared = {w for test, w in workers.items() if test.startswith("test_shared_")}
    assert len(shared) == 1 and shared != {"none"}, f"the shared group ran in workers {sorted(shared)}: {workers}"
    for name in ("a", "b"):
        own = {w for test, w in workers.items() if test.startswith(f"test_own_{name}")}
        assert len(own) == 1, f"test_{name}.py's group ran in workers {sorted(own)}"


class _Item:
    def __init__(self, nodeid: str, fixtures: set[str]):
        self.nodeid, self.fixturenames = nodeid, sorted(fixtures)


def test_files_sharing_a_costly_fixture_form_one_group_and_the_rest_one_group_per_file():
    items = [
        _Item("tests/test_demo.py::test_runs", {"demo_run", "kit"}),
        _Item("tests/test_report.py::test_table", {"kit"}),
        _Item("tests/test_report.py::test_demo_report", {"demo_run"}),
        _Item("tests/test_grading.py::test_solution[a]", {"verified"}),
        _Item("tests/test_grading.py::test_catalog", set()),
        _Item("tests/test_cli.py::test_help", {"kit"}),
    ]
    assert SLOW_FIXTURES >= {"demo_run", "verified"}
    groups = {item.nodeid: group for item, group in xdist_groups(items).items()}
    assert groups == {
        "tests/test_demo.py::test_runs": "demo_run+test_demo+test_report",
        "tests/test_report.py::test_table": "demo_run+test_demo+test_report",
        "tests/test_report.py::test_demo_report": "demo_run+test_demo+test_report",
        "tests/test_grading.py::test_solution[a]": "test_grading+verified",
        "tests/test_grading.py::test_catalog": "test_grading+verified",
        "tests/test_cli.py::test_help": "test_cli",
    }


@pytest.mark.parametrize("fixture", sorted(SLOW_FIXTURES))
def test_every_shared_fixture_is_one_of_the_session_fixtures(fixture):
    conftest = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
    assert f'@pytest.fixture(scope="session")\ndef {fixture}(' in conftest
