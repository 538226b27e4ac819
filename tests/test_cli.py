"""The thin CLI: verbs are there with help for their users, and errors are messages, not tracebacks.

The first test runs the installed `umkmkit` command as a new process (the entry point a trainer
types); the others run the same command in this process (conftest.umkmkit).
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

from conftest import umkmkit

ROOT = Path(__file__).resolve().parents[1]
UMKMKIT = str(Path(sysconfig.get_path("scripts")) / "umkmkit")


def test_the_installed_command_runs_and_its_help_names_who_each_verb_is_for():
    done = subprocess.run([UMKMKIT, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for verb in ("build", "check", "datasets", "demo"):
        assert verb in done.stdout
    assert "For course authors" in umkmkit("build", "--help").stdout
    assert "For newcomers" in umkmkit("demo", "--help").stdout


def test_error_is_one_actionable_message_without_traceback(tmp_path):
    for name in ("curriculum.yml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("lessons", "solutions", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "lessons" / "Untitled.ipynb").write_text("{}", encoding="utf-8")
    done = umkmkit("check", cwd=tmp_path)
    assert done.exit_code == 1
    assert "lessons/Untitled.ipynb is not listed in curriculum.yml" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_kit_folder_says_what_to_do(tmp_path):
    done = umkmkit("check", cwd=tmp_path, env={"UMKMKIT_ROOT": str(tmp_path)})
    assert done.exit_code == 1
    assert "has no curriculum.yml: point it at the kit folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_datasets_command_regenerates_the_committed_files(tmp_path):
    done = umkmkit("datasets", "--out", str(tmp_path))
    assert done.exit_code == 0, done.stderr
    committed = sorted(p.name for p in (ROOT / "datasets").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "datasets" / name).read_bytes(), name


def test_report_without_cohorts_says_where_it_looked_and_how_to_reach_the_demo(tmp_path):
    (tmp_path / "demo" / "cohorts" / "mkw-2022-06").mkdir(parents=True)
    done = umkmkit("report", workspace=tmp_path)
    assert done.exit_code == 1 and "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert f"Tidak ada kohort di {tmp_path / 'cohorts'}" in message
    assert f"umkmkit report --workspace {tmp_path / 'demo'}" in message and "(No cohorts in" in message
