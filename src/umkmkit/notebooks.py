"""Reading, writing, cleaning and running notebooks; the participant header.

Small single-purpose transforms over nbformat notebooks, used by the build, the demo's
simulated trainees and the tests.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from umkmkit.errors import UmkmkitError

NBFORMAT_VERSION = 4
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

#: Cell metadata key that marks cells the kit inserts and owns.
MARKER_KEY = "umkmkit"
HEADER_ROLE = "participant-header"
#: The participant header: filled in by the participant, read back by the kit at intake.
PARTICIPANT_HEADER = (
    "# Identitas peserta: tulis nama dan ID peserta Anda di antara tanda petik,\n"
    "# lalu jalankan sel ini (Shift+Enter). Contoh: NAMA = \"Yohana Rumbiak\"\n"
    'NAMA = ""\n'
    'ID_PESERTA = ""'
)
#: Cell metadata that editors add and that would make committed notebooks churn.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "jupyter", "ExecuteTime")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook, or raise an UmkmkitError that says where the file is broken."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UmkmkitError(
            f"{path}: not UTF-8 text (byte {error.start}); re-save the notebook from JupyterLab."
        ) from error
    try:
        return nbformat.reads(text, as_version=NBFORMAT_VERSION)
    except json.JSONDecodeError as error:
        raise UmkmkitError(
            f"{path}, line {error.lineno}, column {error.colno}: the notebook is not valid JSON "
            f"({error.msg}); open it in JupyterLab and save it again, or take the last good copy."
        ) from error
    except Exception as error:  # nbformat raises several kinds for a malformed notebook
        raise UmkmkitError(f"{path}: not a readable notebook ({error}); save it again from JupyterLab.") from error


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write a notebook atomically: a crash leaves the old file, never half a new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=NBFORMAT_VERSION)
    if not text.endswith("\n"):
        text += "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clean_notebook(nb: NotebookNode) -> NotebookNode:
    """Return a copy without outputs, execution counts or editor metadata (nbgrader's stays)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    return nb


def is_clean(nb: NotebookNode) -> bool:
    """True when the notebook has no outputs, execution counts or editor metadata."""
    return clean_notebook(nb) == nb


def grade_id(cell: NotebookNode) -> str | None:
    """The nbgrader grade_id of a cell, or None for a plain cell."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_answer_cell(cell: NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def cells_by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {gid: cell for cell in nb.cells if (gid := grade_id(cell))}


def marked_blocks(source: str, begin: str, end: str) -> Iterator[str]:
    """Yield the text between each begin/end marker pair (markers excluded)."""
    inside, block = False, []
    for line in source.splitlines():
        if line.strip() == begin:
            inside, block = True, []
        elif line.strip() == end and inside:
            inside = False
            yield "\n".join(block)
        elif inside:
            block.append(line)


def without_solution_markers(source: str) -> str:
    """The solution as a participant would have typed it: the marker lines removed."""
    return "\n".join(
        line for line in source.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)
    )


def _is_header(cell: NotebookNode) -> bool:
    return cell.get("metadata", {}).get(MARKER_KEY, {}).get("role") == HEADER_ROLE


def with_participant_header(nb: NotebookNode) -> NotebookNode:
    """Return a copy whose first cell is the current participant header (idempotent).

    An existing header (found by its marker) is replaced in place at the top; a notebook
    without one gets it inserted as the first cell.
    """
    nb = copy.deepcopy(nb)
    old = [i for i, cell in enumerate(nb.cells) if _is_header(cell)]
    kept_id = nb.cells[old[0]].get("id") if old else None
    nb.cells = [cell for cell in nb.cells if not _is_header(cell)]
    header = nbformat.v4.new_code_cell(PARTICIPANT_HEADER)
    header.metadata[MARKER_KEY] = {"role": HEADER_ROLE}
    header.id = kept_id or "identitas-peserta"
    nb.cells.insert(0, header)
    return nb


def participant_from_header(nb: NotebookNode) -> tuple[str, str]:
    """(NAMA, ID_PESERTA) as the participant wrote them in the header; empty strings if absent."""
    values = {"NAMA": "", "ID_PESERTA": ""}
    for cell in nb.cells:
        if _is_header(cell):
            for name in values:
                found = re.search(rf'^{name}\s*=\s*["\'](.*?)["\']\s*$', cell.source, re.MULTILINE)
                if found:
                    values[name] = found.group(1).strip()
    return values["NAMA"], values["ID_PESERTA"]


def execute_notebook(nb: NotebookNode, cwd: Path, timeout: int = 60) -> NotebookNode:
    """Run a copy of the notebook in a fresh python3 kernel; errors stay in the outputs."""
    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def cell_problems(executed: NotebookNode, *, stderr_is_failure: bool = True) -> list[str]:
    """Describe every cell that raised, and every test cell that wrote to stderr."""
    problems = []
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index + 1}" + (f" ({grade_id(cell)})" if grade_id(cell) else "")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                last = _ANSI.sub("", output.traceback[-1]) if output.traceback else ""
                problems.append(f"{where}: {output.ename}: {output.evalue}".rstrip() or f"{where}: {last}")
            elif (
                stderr_is_failure and is_test_cell(cell)
                and output.output_type == "stream" and output.name == "stderr"
            ):
                problems.append(
                    f"{where}: wrote to stderr, which nbgrader scores 0: {output.text.strip()[:200]}"
                )
    return problems
