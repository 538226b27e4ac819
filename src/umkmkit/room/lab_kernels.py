"""The participants' kernels of `umkmkit lab`, in the grading sandbox where this machine allows it.

All participants of a one-laptop room share one JupyterLab server, run as the trainer. Where
the grading sandbox works here (Linux with namespaces: `check_lab_protection` probes it at each
start, as grading does), every kernel that server starts goes through the same launcher
(`umkmkit.grading.launcher`): the participants' folder is shared read-write at its own path and
the kernel starts in its notebook's folder, so saving and `../datasets/` work as before; the
Python environment is read-only; the network, the cohorts, gradebooks, backups, reports,
certificates and the kit's solutions do not exist for it. The server takes `LabKernelManager`
through Jupyter Server's configuration (`MultiKernelManager.kernel_manager_class`, see
`server_arguments`); nbgrader's Validate, which executes a notebook from the server process,
takes `ValidationKernelManager` (grading's kernel manager) through an nbgrader_config.json of the
kit's (`write_validation_config`).

Elsewhere (Windows, macOS, Linux without namespaces, or UMKMKIT_SANDBOX=portable) kernels run as
before, as the trainer, and `protection_lines` says so. Nothing Unix-only runs before
`check_lab_protection` has found the Linux sandbox.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets import Unicode

from umkmkit.files import write_text_atomic
from umkmkit.grading.kernel_spec import LAB_PROVISIONER, spec_with_provisioner
# where a participant's kernel starts: decided by the lab's provisioner, named here as before
from umkmkit.grading.provisioner import working_directory as working_directory
from umkmkit.grading.kernel_start import SteadyKernelManager
from umkmkit.grading.sandbox import SANDBOX_VARIABLE, SandboxKernelManager, SandboxPolicy, check_protections, linux_sandbox

#: A participant's kernel lives all day: CPU time for hours of work, not one grading run's minutes.
LAB_CPU_SECONDS = 4 * 3600
#: The protections without which participants' code could read the trainer's files.
REQUIRED_PROTECTIONS = ("grader's files hidden", "read-only outside its folder")
#: Folder (in a lab's settings folder) of the nbgrader_config.json that sandboxes Validate.
VALIDATION_CONFIG_FOLDER, VALIDATION_CONFIG_FILE = "nbgrader", "nbgrader_config.json"


def lab_policy(participant_folder: Path, hidden: Sequence[Path] = ()) -> SandboxPolicy:
    """The sandbox of a participant's kernel: grading's, with the participants' folder shared.

    Kernels keep the trainer's user id (in a namespace of their own, without capabilities), so
    what they save in the participants' folder belongs to the trainer, as files saved by the
    server do. `hidden`: the trainer's folders, emptied should they lie inside what the sandbox
    shows (a workspace inside the Python environment, say).
    """
    return SandboxPolicy(
        cpu_seconds=LAB_CPU_SECONDS, switch_user=False, shared_folders=(str(participant_folder),),
        hidden_paths=tuple(str(path) for path in hidden),
    )


class LabKernelManager(ServerKernelManager):
    """Jupyter Server's kernel manager, starting each kernel under the sandbox launcher
    (`umkmkit.grading.provisioner.LabProvisioner`, configured by `policy_json`).

    Each kernel gets a private folder (its connection file, ipc sockets and home) and the
    participants' folder (`SandboxPolicy.shared_folders`), and starts in its notebook's folder
    (`working_directory`). Execute, interrupt, restart and shutdown are Jupyter's own.
    """

    policy_json = Unicode(config=True, help="SandboxPolicy as JSON, the participants' folder in shared_folders.")

    @property
    def kernel_spec(self):
        """The kernel spec, naming the lab's provisioner (`umkmkit.grading.provisioner` says why here)."""
        return spec_with_provisioner(super().kernel_spec, LAB_PROVISIONER, {"policy_json": self.policy_json})


class ValidationKernelManager(SandboxKernelManager):
    """Grading's kernel manager for nbgrader's Validate in the lab: the notebook runs on a copy of
    the files beside it, in a private folder, as it will when graded.

    nbgrader's validator changes into the notebook's folder and starts its kernel without a
    working directory: that folder is the one whose files the kernel gets.
    """

    async def start_kernel(self, **kw) -> None:
        kw["cwd"] = kw.get("cwd") or os.getcwd()
        await super().start_kernel(**kw)


@dataclass(frozen=True)
class LabProtection:
    """What `check_lab_protection` found: the participants' kernels' policy, or why there is none."""

    policy: SandboxPolicy | None
    why_not: str = ""  # English, when `policy` is None

    @property
    def sandboxed(self) -> bool:
        return self.policy is not None


def check_lab_protection(participant_folder: Path, hidden: Sequence[Path] = ()) -> LabProtection:
    """Probe, as grading does, whether participants' kernels can be kept out of the trainer's files here."""
    if not linux_sandbox():
        where = (f"{SANDBOX_VARIABLE}=portable was chosen" if sys.platform.startswith("linux")
                 else f"the sandbox is Linux-only and this is {_platform_name()}")
        return LabProtection(None, where)
    policy, status = check_protections(lab_policy(participant_folder, hidden))
    failed = [f"{name}: {status[name]}" for name in REQUIRED_PROTECTIONS if status[name] != "on"]
    if failed:
        return LabProtection(None, "; ".join(failed))
    return LabProtection(policy)


def _platform_name() -> str:
    return {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, sys.platform)


def server_arguments(policy: SandboxPolicy) -> list[str]:
    """Jupyter Server's command-line options that start every kernel with `LabKernelManager`."""
    return [
        f"--MultiKernelManager.kernel_manager_class={LabKernelManager.__module__}.{LabKernelManager.__name__}",
        f"--LabKernelManager.policy_json={policy.to_json()}",
    ]


def validation_policy(policy: SandboxPolicy) -> SandboxPolicy:
    """Validate's sandbox: the lab's, without the participants' folder and with grading's CPU limit."""
    return replace(policy, shared_folders=(), working_directory="", cpu_seconds=SandboxPolicy().cpu_seconds)


def write_validation_config(folder: Path, policy: SandboxPolicy | None) -> Path:
    """Write the nbgrader_config.json that sandboxes Validate (without `policy`: only steadies its
    kernel starts, `umkmkit.grading.kernel_start`) into
    `folder`/nbgrader/, and return that folder: the server finds it on JUPYTER_CONFIG_PATH."""
    target = folder / VALIDATION_CONFIG_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    if policy is None:  # kernels as the trainer, on tcp: a start that lost a port race is tried again
        config = {"Execute": {"kernel_manager_class": f"{SteadyKernelManager.__module__}.{SteadyKernelManager.__name__}"}}
    else:
        config = {
            "Execute": {"kernel_manager_class": f"{ValidationKernelManager.__module__}.{ValidationKernelManager.__name__}"},
            # no fork server: it would hold pandas and matplotlib in memory all day for one start's speed
            "SandboxKernelManager": {"policy_json": validation_policy(policy).to_json(), "use_forkserver": False},
        }
    write_text_atomic(target / VALIDATION_CONFIG_FILE, json.dumps(config, indent=2) + "\n")
    return target


def protection_lines(protection: LabProtection | None) -> list[str]:
    """What `umkmkit lab` tells the trainer about participants' code, Indonesian first then English.

    `protection` None: the trainer's own JupyterLab (no participants' kernels).
    """
    if protection is None:
        return ["Perlindungan: tanpa sandbox (JupyterLab pelatih, hanya untuk Anda) / "
                "Protection: no sandbox (the trainer's own JupyterLab)"]
    if protection.sandboxed:
        return ["Perlindungan: sandbox aktif, kode peserta hanya melihat folder peserta / "
                "Protection: sandbox on, participants' code sees only the participants' folder"]
    return [
        "Perlindungan: TIDAK ADA / Protection: NONE",
        "PERHATIAN: di laptop ini kode peserta berjalan dengan hak Anda. Siapa pun yang menjalankan sel "
        "bisa membaca dan mengubah berkas laptop ini, termasuk cohort, nilai (gradebook), cadangan dan kunci "
        "jawaban. Untuk kelas, pakai server kelas (`umkmkit hub-config`, Linux), atau jalankan `umkmkit lab` "
        "dari akun pengguna khusus yang tidak menyimpan berkas pelatih.",
        "WARNING: on this machine participants' code runs with your rights. Anyone who runs a cell can read "
        "and change this laptop's files, cohorts, gradebooks, backups and solutions included. For a room, use "
        "the room server (`umkmkit hub-config`, Linux), or run `umkmkit lab` from a separate user account that "
        f"holds none of the trainer's files. (Why: {protection.why_not}.)",
    ]
