"""Reading, writing, cleaning and running notebooks; the participant header.

Small single-purpose transforms over nbformat notebooks, used by the build, the demo's
simulated trainees and the tests.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from umkmkit.errors import UmkmkitError
from umkmkit.files import write_text_atomic

NBFORMAT_VERSION = 4
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"
#: Inside a solution region: a line participants get in place of the solution (umkmkit.course.stubs).
STUB_MARKER = "### STUB:"
#: grade_id prefix of an optional challenge's cells (answer `tantangan_1`, test `tes_tantangan_1`):
#: extra credit that never decides passing.
CHALLENGE_PREFIXES = ("tantangan", "tes_tantangan")

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


class UnreadableNotebook(UmkmkitError):
    """A file that is not a readable notebook; `problem` says why, without the file's name."""

    def __init__(self, where: str, problem: str, advice: str):
        self.problem = problem
        super().__init__(f"{where}: {problem}; {advice}")


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook, or raise an UmkmkitError that says where the file is broken."""
    return notebook_from_bytes(Path(path).read_bytes(), str(path))


def notebook_from_bytes(data: bytes, where: str) -> NotebookNode:
    """Parse a notebook's bytes (from a file, a zip entry, ...); `where` names it in errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableNotebook(
            where, f"not UTF-8 text (byte {error.start})", "re-save the notebook from JupyterLab."
        ) from error
    try:
        json.loads(text)  # nbformat would hide where the JSON breaks
    except json.JSONDecodeError as error:
        raise UnreadableNotebook(
            where, f"not valid JSON at line {error.lineno}, column {error.colno} ({error.msg})",
            "open it in JupyterLab and save it again, or take the last good copy.",
        ) from error
    try:
        return nbformat.reads(text, as_version=NBFORMAT_VERSION)
    except Exception as error:  # nbformat raises several kinds for a malformed notebook
        raise UnreadableNotebook(
            where, f"not a readable notebook ({str(error)[:200]})", "save it again from JupyterLab."
        ) from error


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write a notebook atomically: a crash leaves the old file, never half a new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=NBFORMAT_VERSION)
    if not text.endswith("\n"):
        text += "\n"
    # owner-only (0o600), as notebooks have always been written here (tempfile.mkstemp's mode)
    write_text_atomic(path, text, newline="\n", mode=0o600)


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
    """The solution as a participant would have typed it: marker and stub lines removed."""
    return "\n".join(
        line for line in source.splitlines()
        if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION) and not line.strip().startswith(STUB_MARKER)
    )


def is_challenge(cell_or_grade_id: NotebookNode | str | None) -> bool:
    """True for the cells of an optional challenge (Tantangan), by their grade_id."""
    gid = cell_or_grade_id if isinstance(cell_or_grade_id, str) or cell_or_grade_id is None else grade_id(cell_or_grade_id)
    return bool(gid) and gid.startswith(CHALLENGE_PREFIXES)


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


def fill_header(nb: NotebookNode, name: str, trainee_id: str) -> NotebookNode:
    """A copy with the participant header filled in (NAMA and ID_PESERTA), as the participant would."""
    filled = copy.deepcopy(nb)
    for cell in filled.cells:
        if _is_header(cell):
            cell.source = cell.source.replace('NAMA = ""', f'NAMA = "{_string_text(name)}"').replace(
                'ID_PESERTA = ""', f'ID_PESERTA = "{_string_text(trainee_id)}"'
            )
    return filled


def _string_text(value: str) -> str:
    # the header is Python run by the participant: keep the string literal valid
    return value.replace("\\", "").replace('"', "'")


def stamped(nb: NotebookNode, **fields: str) -> NotebookNode:
    """A copy carrying the kit's release stamp (cohort, assignment, trainee_id, notebook) in its metadata."""
    nb = copy.deepcopy(nb)
    nb.metadata[MARKER_KEY] = dict(fields)
    return nb


def stamp_of(nb: NotebookNode) -> dict[str, str]:
    """The release stamp a notebook carries (empty when it has none or it was stripped)."""
    stamp = nb.get("metadata", {}).get(MARKER_KEY)
    if not isinstance(stamp, dict):
        return {}
    return {key: str(value).strip() for key, value in stamp.items() if isinstance(value, (str, int))}


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

# --- the kernel a notebook names, as this machine's kernel reports it --------------------------

#: The kernel the kit's notebooks name in their metadata.
KERNEL_NAME = "python3"
#: Prints the `language_info` an ipykernel kernel sends in its kernel_info reply.
_LANGUAGE_INFO_SCRIPT = (
    "import json; from ipykernel.ipkernel import IPythonKernel; print(json.dumps(IPythonKernel.language_info))"
)


def kernel_metadata(kernel_name: str = KERNEL_NAME, timeout: float = 90) -> dict | None:
    """The notebook metadata JupyterLab sets once this machine's `kernel_name` kernel has started.

    JupyterLab writes the kernel's spec (`kernelspec`) and the `language_info` of its
    kernel_info reply, Python version included, into the notebook's metadata, and marks the
    notebook modified when either was not already exactly that (the kit's notebooks are
    committed without the version, which differs per machine). The kernel is found and its
    command built as the server does; its Python is asked, in a subprocess, what the kernel
    reports. None when that cannot be known (no such kernel, or not an ipykernel one).
    """
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name=kernel_name)
    try:
        spec = manager.kernel_spec
        command = manager.format_kernel_cmd()  # a spec's "python" becomes this Python, as in the server
    except NoSuchKernel:
        return None
    if command[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    try:
        reported = subprocess.run(
            [command[0], "-c", _LANGUAGE_INFO_SCRIPT], stdin=subprocess.DEVNULL, capture_output=True,
            text=True, encoding="utf-8", timeout=timeout, check=True,
        )
        language_info = json.loads(reported.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return {
        "kernelspec": {"display_name": spec.display_name, "language": spec.language, "name": kernel_name},
        "language_info": language_info,
    }


def with_kernel(nb: NotebookNode, kernel: dict | None) -> NotebookNode:
    """`nb` with the kernel metadata `kernel` (see `kernel_metadata`): a copy where it differs,
    `nb` itself where it already matches or `kernel` is None. Cells are never touched."""
    if not kernel or all(nb.metadata.get(key) == value for key, value in kernel.items()):
        return nb
    matched = copy.deepcopy(nb)
    matched.metadata.update(copy.deepcopy(kernel))
    return matched
