"""The process Jupyter starts as "the kernel" when kernels come from the fork server.

Standard library only (it starts once per notebook). It asks `umkmkit.grading.forkserver` for a
kernel, forwards interrupts and termination to it, and exits when it ends.
Usage: `python -m umkmkit.grading.forkclient SOCKET REQUEST_JSON`.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys


def main(argv: list[str]) -> int:
    socket_path, request = argv[0], json.loads(argv[1])
    request["env"] = dict(os.environ)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(socket_path)
    connection.sendall(json.dumps(request).encode())
    pids = json.loads(connection.recv(4096))
    outer, kernel = pids["pid"], pids["kernel"]

    def forward(signum, frame):
        target = kernel if signum == signal.SIGINT else outer
        try:
            os.kill(target, signal.SIGKILL if signum != signal.SIGINT else signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        watch = os.pidfd_open(outer)
    except (OSError, AttributeError):
        return 1
    while True:
        try:
            readable, _, _ = select.select([watch, connection], [], [])
        except InterruptedError:
            continue
        if readable:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
