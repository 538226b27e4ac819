"""The thin CLI: verbs are there with help for their users, and errors are messages, not tracebacks."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UMKMKIT = str(Path(sysconfig.get_path("scripts")) / "umkmkit")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([UMKMKIT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_help_names_who_each_verb_is_for():
    done = run("--help")
    assert done.returncode == 0
    for verb in ("build", "check", "datasets", "demo"):
        assert verb in done.stdout
    assert "For course authors" in run("build", "--help").stdout
    assert "For newcomers" in run("demo", "--help").stdout


def test_error_is_one_actionable_message_without_traceback(tmp_path):
    for name in ("curriculum.yml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("lessons", "solutions", "exercises"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "lessons" / "Untitled.ipynb").write_text("{}", encoding="utf-8")
    done = run("check", cwd=tmp_path)
    assert done.returncode == 1
    assert "lessons/Untitled.ipynb is not listed in curriculum.yml" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_kit_folder_says_what_to_do(tmp_path):
    done = subprocess.run(
        [UMKMKIT, "check"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "UMKMKIT_ROOT": str(tmp_path)},
    )
    assert done.returncode == 1
    assert "has no curriculum.yml: point it at the kit folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_datasets_command_regenerates_the_committed_files(tmp_path):
    done = run("datasets", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    committed = sorted(p.name for p in (ROOT / "datasets").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "datasets" / name).read_bytes(), name


def test_report_without_cohorts_says_where_it_looked_and_how_to_reach_the_demo(tmp_path):
    import os

    (tmp_path / "demo" / "cohorts" / "mkw-2022-06").mkdir(parents=True)
    done = subprocess.run([UMKMKIT, "report"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "UMKMKIT_WORKSPACE": str(tmp_path)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert f"Tidak ada kohort di {tmp_path / 'cohorts'}" in message
    assert f"umkmkit report --workspace {tmp_path / 'demo'}" in message and "(No cohorts in" in message
