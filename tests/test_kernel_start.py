"""A kernel that loses a port race is started again (umkmkit.grading.kernel_start), with real kernels.

The race is made certain rather than waited for: the first port the kernel manager is handed is
one this test holds open, as another participant's kernel would, so the kernel really dies with
"Address already in use" (jupyter_client issue 487).
"""

from __future__ import annotations

import asyncio
import socket
import sys

import pytest
from jupyter_client.connect import LocalPortCache
from jupyter_client.manager import AsyncKernelManager

from umkmkit.grading.kernel_start import SteadyKernelManager


@pytest.fixture
def taken_port(monkeypatch):
    """A listening port that the port cache hands out once, first, as if another process had just taken it."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    original = LocalPortCache.find_available_port
    handed = []

    def find_available_port(self, ip):
        if not handed:
            handed.append(port)
            return port
        return original(self, ip)

    monkeypatch.setattr(LocalPortCache, "find_available_port", find_available_port)
    yield port
    holder.close()


async def _run(manager: AsyncKernelManager) -> str:
    """Start the kernel, run one cell, shut it down: the cell's printed text."""
    outputs: list[dict] = []
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        reply = await client.execute_interactive("print(6 * 7)", timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok"
        return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def test_a_plain_kernel_manager_loses_the_race(taken_port):
    """The failure the room saw: the kernel is started on a taken port and dies before its first reply."""
    manager = AsyncKernelManager(kernel_name="python3")
    with pytest.raises(RuntimeError, match="died before replying to kernel_info"):
        asyncio.run(_run(manager))


def test_a_steady_kernel_manager_starts_the_kernel_again_on_new_ports(taken_port, caplog):
    manager = SteadyKernelManager(kernel_name="python3")
    assert asyncio.run(_run(manager)).strip() == "42"
    assert taken_port not in (manager.shell_port, manager.iopub_port, manager.stdin_port, manager.hb_port,
                              manager.control_port)
    assert any("starting it again" in record.getMessage() for record in caplog.records)


def test_a_kernel_that_dies_every_time_is_reported_after_the_last_attempt(monkeypatch):
    manager = SteadyKernelManager(kernel_name="python3", start_attempts=2)
    # a kernel command that exits at once, as a broken environment's would
    monkeypatch.setattr(manager, "format_kernel_cmd", lambda extra_arguments=None: [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RuntimeError, match="died before replying to kernel_info, 2 times"):
        asyncio.run(manager.start_kernel())
    asyncio.run(manager.shutdown_kernel(now=True))
