"""The room server's memory limit per process (umkmkit.room.server_limits), on real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from umkmkit.room import server_limits

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the room server runs on Linux only")


def run_limited(memory_mb: int, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(server_limits.command(memory_mb, [sys.executable, "-c", code]),
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_server_and_what_it_starts_inherit_the_limit():
    code = ("import resource, subprocess, sys; print(resource.getrlimit(resource.RLIMIT_AS)[0]); "
            "print(subprocess.run([sys.executable, '-c', 'import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])'],"
            " capture_output=True, text=True).stdout.strip())")
    done = run_limited(512, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(512 * 1024 * 1024)] * 2


def test_a_runaway_allocation_gets_a_memory_error_and_the_process_lives_on():
    code = ("try:\n    hog = bytearray(900 * 1024 * 1024)\nexcept MemoryError:\n    print('MemoryError')\n"
            "small = bytearray(10 * 1024 * 1024)\nprint('still here')")
    done = run_limited(512, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["MemoryError", "still", "here"]


def test_the_server_command_is_required():
    with pytest.raises(SystemExit):
        server_limits.main(["--memory-mb", "100"])
