"""Kernel starts that survive a lost port race: a kernel that dies before it is ready is started again.

A kernel on the tcp transport is handed five free ports by the process that starts it, which
finds them by binding port 0 and closing the socket; the kernel binds them a second or more
later. Another process starting a kernel meanwhile can be handed the same port, and one of the
two kernels exits with "ZMQError: Address already in use"; its starter reports "Kernel died
before replying to kernel_info" (jupyter_client issue 487: its `LocalPortCache` prevents this
only within one process). A room does exactly that: 30 participants' servers on one machine
pressing Validate in the same minute. Measured here (2 cores): 30 processes starting 3 kernels
each at once lost 1 of 90 starts this way; the hub's room load test lost 1 of 30 Validates.
Jupyter Server's own notebook kernels recover by themselves (its restarter picks new ports),
nbconvert's and nbgrader's (Validate, autograde) do not.

`SteadyStart` is the remedy at the narrowest public seam, `start_kernel`: after the start, a
client waits for the kernel's first reply; a kernel that died instead is shut down and started
again on new ports (`start_attempts` in all). The ipc transport (files, not ports) has no race,
and is left as it is. The waiting costs one kernel_info round trip that the caller (nbclient)
would have made anyway.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager
from traitlets import Float, Int
from traitlets.config import LoggingConfigurable

#: What jupyter_client's client raises when the kernel process is gone before its first reply.
_DIED = "died"


class SteadyStart(LoggingConfigurable):
    """Mixin for an AsyncKernelManager: restart a tcp kernel that died before it was ready."""

    start_attempts = Int(3, config=True, help="Starts tried when a kernel dies before its first reply (tcp only).")
    ready_timeout = Float(120.0, config=True, help="Seconds a started kernel may take to answer for the first time.")

    async def start_kernel(self, **kw) -> None:
        for attempt in range(1, self.start_attempts + 1):
            await super().start_kernel(**kw)
            if self.transport != "tcp" or await self._answered():
                return
            if attempt == self.start_attempts:
                raise RuntimeError(
                    f"Kernel died before replying to kernel_info, {attempt} times (ports {self._ports()})"
                )
            self.log.warning("Kernel died before it was ready (ports %s, attempt %d of %d); starting it again",
                             self._ports(), attempt, self.start_attempts)
            # stopped as for a restart, which keeps the manager's zmq context (a shutdown closes it);
            # the next start (this loop's, so that it is checked in turn) writes a new connection
            # file with new ports: jupyter_client's local provisioner keeps its ports over a restart
            # unless told they are no longer its own
            await self.shutdown_kernel(now=True, restart=True)
            self.cleanup_connection_file()
            if getattr(self.provisioner, "ports_cached", False):
                self.provisioner.ports_cached = False

    async def _answered(self) -> bool:
        """True once the kernel replied to kernel_info; False if it died first (a timeout is raised)."""
        client = self.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=self.ready_timeout)
            return True
        except RuntimeError as error:
            if _DIED in str(error) and not await self.is_alive():
                return False
            raise
        finally:
            client.stop_channels()

    def _ports(self) -> str:
        return ", ".join(str(port) for port in (self.shell_port, self.iopub_port, self.stdin_port, self.hb_port,
                                                self.control_port))


class SteadyKernelManager(SteadyStart, AsyncKernelManager):
    """jupyter_client's AsyncKernelManager with `SteadyStart`: for nbgrader's Validate on the room
    server (`Execute.kernel_manager_class`, set by `umkmkit hub-config`)."""
