"""What a trainee's kernel leaves in the graded notebook: capped in size, and stops explained.

Runs in nbgrader's Autograde pipeline right after its own LimitOutput (which caps lines, not
bytes). A submission that prints megabytes would otherwise be stored whole in autograded/ and
rendered into the trainee's feedback; one that loops forever or eats memory is stopped by the
grader with an English error a participant cannot read. Here each code cell keeps at most
`max_bytes` of output, with a note, and errors from a stop say in Bahasa Indonesia what happened.
"""

from __future__ import annotations

import json

from nbformat.v4 import new_output
from nbgrader.preprocessors import CheckCellMetadata, LimitOutput
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Int

#: Errors that mean the grader stopped the cell, and what to tell the participant.
STOP_EXPLANATIONS = {
    "KeyboardInterrupt": "Penilai menghentikan sel ini karena berjalan lebih dari {timeout} detik. Mungkin ada "
                         "perulangan yang tidak pernah berhenti (misalnya `while True`). Periksa syarat berhentinya.",
    "CellTimeoutError": "Penilai menghentikan sel ini karena berjalan lebih dari {timeout} detik. Mungkin ada "
                        "perulangan yang tidak pernah berhenti (misalnya `while True`). Periksa syarat berhentinya.",
    "MemoryError": "Sel ini memakai memori lebih dari yang diizinkan saat dinilai ({memory} MB), jadi dihentikan. "
                   "Mungkin ada daftar atau teks yang terus membesar.",
    "DeadKernelError": "Python berhenti di tengah penilaian (misalnya karena memori atau proses terlalu banyak). "
                       "Sel-sel sesudahnya tidak bisa dinilai.",
}


class ExplainAndCapOutputs(NbGraderPreprocessor):
    """Cap each code cell's stored output at `max_bytes` and explain stops in Indonesian."""

    max_bytes = Int(100_000, help="Most bytes of output one cell keeps in the graded notebook.").tag(config=True)
    timeout = Int(30, help="The cell timeout, for the explanation of a stopped cell.").tag(config=True)
    memory_mb = Int(2048, help="The kernel's memory limit, for the explanation of a MemoryError.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        kept, used = [], 0
        for output in cell.get("outputs", []):
            size = len(json.dumps(output, ensure_ascii=False))
            if used + size > self.max_bytes and output.output_type != "error":
                kept.append(new_output(
                    "stream", name="stdout",
                    text=f"\n[Keluaran sel ini dipotong oleh penilai: lebih dari {self.max_bytes // 1000} KB.]\n",
                ))
                kept += [o for o in cell.outputs if o.output_type == "error"]
                break
            kept.append(output)
            used += size
        for output in kept:
            if output.output_type == "error" and output.ename in STOP_EXPLANATIONS:
                note = STOP_EXPLANATIONS[output.ename].format(timeout=self.timeout, memory=self.memory_mb)
                if note not in output.evalue:
                    output.evalue = f"{output.evalue} {note}".strip()
                    output.traceback = [*output.get("traceback", []), note]
        cell.outputs = kept
        return cell, resources


def autograde_preprocessors(default: list) -> list:
    """nbgrader's Autograde pipeline with ExplainAndCapOutputs right after LimitOutput, and
    without its closing CheckCellMetadata.

    That check validates every cell's nbgrader metadata against a JSON schema: 75 ms per
    notebook of 60 cells, 7% of grading time (cProfile, module 04). The sanitizing pass that
    runs just before has already validated the same metadata, and nothing after it changes it.
    """
    steps = [step for step in default if step is not CheckCellMetadata]
    position = steps.index(LimitOutput) + 1 if LimitOutput in steps else len(steps)
    steps.insert(position, ExplainAndCapOutputs)
    return steps
