"""A participant's Jupyter server on the room server, under a memory limit its kernels inherit.

JupyterHub's local spawner sets no memory limit, and the idle culler leaves a busy kernel alone:
in benchmarks/room_load.py (30 participants on the loopback hub) one participant's runaway cell
grew to 3 GB with nothing stopping it. The hub therefore starts each participant's server through

    python -m umkmkit.room.server_limits --memory-mb 2048 -- jupyterhub-singleuser ...

which sets the address-space limit (RLIMIT_AS) and then becomes the server (exec). Every process
the server starts, each kernel included, inherits the limit on its own: a cell that asks for more
gets a MemoryError, the kernel lives on, and the rest of the room carries on. 2048 MB is the limit
the laptop lab's sandboxed kernels have (umkmkit.room.lab_kernels): a kernel with pandas and matplotlib
loaded addresses some 0.8-1.2 GB and a server some 0.2 GB, so ordinary lessons never meet it.

Linux only, like the room server (JupyterHub's local spawner): `main` checks the platform before
importing `resource`.
"""

from __future__ import annotations

import argparse
import os
import sys

#: Each process of a participant's server (the server, each kernel) may address at most this much.
DEFAULT_MEMORY_MB = 2048


def command(memory_mb: int, server: list[str]) -> list[str]:
    """The spawner's command: this module, then the server's own command."""
    return [sys.executable, "-m", "umkmkit.room.server_limits", "--memory-mb", str(memory_mb), "--", *server]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m umkmkit.room.server_limits", description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("server", nargs=argparse.REMAINDER, help="-- then the server's command")
    args = parser.parse_args(argv)
    server = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not server:
        parser.error("give the server's command after --")
    if not sys.platform.startswith("linux"):
        print("umkmkit.room.server_limits: the room server runs on Linux only; starting the server without a memory "
              "limit", file=sys.stderr)
    else:
        import resource

        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execvp(server[0], server)
    return 127  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
