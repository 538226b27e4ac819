"""Which provisioner launches a kernel: the kit's names for them, and a kernel spec that names one.

jupyter_client picks a kernel's provisioner from its kernel spec's metadata
(`kernel_provisioner.provisioner_name`, found among the entry points of the group
`jupyter_client.kernel_provisioners`, pyproject.toml). The kit's kernel managers hand jupyter_client
a copy of the spec with that stanza (`umkmkit.grading.provisioner` says why this seam). Apart from
the provisioners themselves, so that the managers (umkmkit.grading.sandbox, umkmkit.room.lab_kernels)
name them without importing the provisioners, which import the sandbox.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from jupyter_client.kernelspec import KernelSpec

#: The entry-point names (pyproject.toml, group `jupyter_client.kernel_provisioners`).
SANDBOX_PROVISIONER = "umkmkit-sandbox"
LAB_PROVISIONER = "umkmkit-lab"


def spec_with_provisioner(spec: KernelSpec | None, name: str, config: dict[str, Any]) -> KernelSpec | None:
    """A copy of `spec` whose metadata names the provisioner `name` with `config` (its traits).

    A copy: the kernel spec manager may hand the same spec to other managers (Jupyter Server
    shares one), which must keep their own provisioner.
    """
    if spec is None:
        return None
    # every trait this jupyter_client's KernelSpec has (to_dict's keys are not all traits in 8.6)
    fields = {key: copy(value) for key, value in spec.trait_values().items()}
    fields["metadata"] = {**spec.metadata, "kernel_provisioner": {"provisioner_name": name, "config": config}}
    return KernelSpec(**fields)
