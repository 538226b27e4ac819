"""The sandbox's kernel manager and client on their own (grading uses them for every notebook)."""

from __future__ import annotations

import asyncio
import sys

import nbformat
import pytest
import zmq
from nbclient import NotebookClient
from traitlets.config import Config

from umkmkit.sandbox import SandboxKernelClient, SandboxKernelManager, SandboxPolicy, check_protections


@pytest.fixture(scope="module")
def policy_json() -> str:
    policy, _ = check_protections(SandboxPolicy())
    return policy.to_json()


def run(cells: list[str], policy_json: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    config = Config()
    config.SandboxKernelManager.policy_json = policy_json
    NotebookClient(nb, kernel_manager_class=SandboxKernelManager, config=config,
                   shutdown_kernel="immediate", timeout=30).execute()
    return nb


def test_kernel_client_is_the_sandbox_client_with_fast_reconnect(policy_json):
    manager = SandboxKernelManager(policy_json=policy_json)
    client = manager.client()
    assert isinstance(client, SandboxKernelClient)
    assert client.context.getsockopt(zmq.RECONNECT_IVL) == 5
    client.context.destroy()


def test_each_notebook_gets_a_fresh_kernel_in_a_private_folder(policy_json):
    first = run(["import os; print(os.getpid(), os.getcwd())", "rahasia = 1"], policy_json)
    second = run(["import os; print(os.getpid(), os.getcwd())", "print('rahasia' in globals())"], policy_json)
    pid_a, folder_a = first.cells[0].outputs[0]["text"].split()
    pid_b, folder_b = second.cells[0].outputs[0]["text"].split()
    assert folder_a != folder_b and folder_a.endswith("kerja")
    assert second.cells[1].outputs[0]["text"].strip() == "False"
    if sys.platform.startswith("linux"):
        assert pid_a == pid_b == "1" or pid_a != pid_b  # own PID namespace (root) or new process


def test_outputs_of_every_cell_arrive_after_the_short_handshake(policy_json):
    nb = run([f"print({n} * 2)" for n in range(20)], policy_json)
    assert [cell.outputs[0]["text"].strip() for cell in nb.cells] == [str(n * 2) for n in range(20)]


def test_waiting_for_a_dead_kernel_fails_instead_of_hanging(policy_json):
    async def scenario() -> str:
        manager = SandboxKernelManager(policy_json=policy_json)
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await manager.shutdown_kernel(now=True)
        try:
            await client.wait_for_ready(timeout=10)
        except RuntimeError as error:
            return str(error)
        finally:
            client.stop_channels()
        return "ready"

    assert "died" in asyncio.run(scenario())
