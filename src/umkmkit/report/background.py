"""The report's slow writing done in child processes, on the other core, while it goes on working.

At the full size of benchmarks/report.py (20 cohorts x 250 trainees) the report writes a
progress sheet per trainee and a certificate per graduate, some 4,900 files, and a workbook of
some 170,000 cells, with two CSV files. All of it can run beside the report's own work (charts, page):

- creating a file is the operating system's work, not Python's: on the 2-core test machine
  (ext4 in a VM) 5,000 files of 6 KB took 1.6 to 3.1 s, nearly all of it kernel time, against
  0.1 s in memory (/dev/shm); a Windows laptop whose antivirus opens each new file pays more;
- XlsxWriter takes 1.1 to 1.4 s of CPU for the workbook, pandas 0.2 to 0.4 s for the CSV files;
- ReportLab takes some 5 ms a certificate (umkmkit.pdf), 2 s for 400 graduates (only new ones are
  drawn: umkmkit.report.certificates keeps the issued ones).

Neither overlaps in a thread: each return from open, write and close waits for the interpreter
lock held by the busy main thread (up to 5 ms each; measured slower than writing in line), and
XlsxWriter is pure Python. So each job goes to a child process:

- the parent pickles the job (which one, and its arguments) into one bundle file inside the
  folder being written (one file create; the trainee sheets are some 40 MB, about 0.1 s) and
  starts ``python -m umkmkit.report.background BUNDLE``;
- the child runs the job and removes the bundle; an UmkmkitError (a file that cannot be written,
  with the reason and what to do) comes back as one JSON line on stderr and exit status 2;
- `Background.wait` (or leaving the ``with`` block) collects every child and raises that error.

A child's imports cost CPU too: pandas and XlsxWriter some 0.45 s for the workbook's writer,
matplotlib (where the fonts live), ReportLab and the two fonts some 0.45 s for the certificates'.
`Background(root, ready=("tables", "certificates"))` starts those children at once: each imports
what its job needs and waits for the bundle's path on its standard input, so their imports run on
the idle core while the report computes its ledger (one core busy) instead of after it. A ready
child that gets no job (the report failed, or had nothing to certify) sees its input closed and
exits. benchmarks/report.py measures the effect (first report at full size).

No maintained library fits: concurrent.futures' process pool feeds its child through a pipe
from a thread (the same interpreter-lock waits, per 64 KB written) and, under the spawn start
method used on Windows, imports the caller's ``__main__`` again in the child. The child here is
plain ``sys.executable`` with the kit on its path: no Unix tool, the same on Windows.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

import umkmkit
from umkmkit.errors import UmkmkitError

#: Name of a bundle file inside the folder being written (removed when its job is done).
BUNDLE_NAME = ".umkmkit-job"
#: What to do when a file cannot be written (shown after the operating system's reason).
ADVICE = ("Free some disk space or fix the folder's permissions, then run the command again "
          "(an unfinished report is replaced whole).")


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Write each file (path relative to `folder`: text as UTF-8, or bytes), here and now."""
    folder = Path(folder)
    for name, content in files.items():
        path = folder / name
        try:
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        except OSError as error:
            raise UmkmkitError(f"Cannot write {path}: {error.strerror or error}. {ADVICE}") from error


def write_tables(sheets, workbook: Path, csv_files) -> None:
    """`spreadsheet.write_workbook(sheets, workbook)`, and each table of `csv_files` (path: table) as CSV."""
    from umkmkit.spreadsheet import write_csv, write_workbook

    write_workbook(sheets, workbook)
    for path, table in csv_files.items():
        write_csv(table, path)


def issue_certificates(archive: Path, new, names, folder: Path) -> None:
    """`certificates.issue_certificates`: draw the new ones into the archive, link all into `folder`."""
    from umkmkit.report import certificates

    certificates.issue_certificates(archive, new, names, folder)


#: The jobs a child may run, by name.
_JOBS = {"files": write_files, "tables": write_tables, "certificates": issue_certificates}


def _import_tables() -> None:
    import umkmkit.spreadsheet  # noqa: F401 - pandas and XlsxWriter, imported before the job comes


def _import_certificates() -> None:
    from umkmkit import pdf
    from umkmkit.report import certificates  # noqa: F401 - ReportLab and the certificate layout

    pdf.register_fonts()


#: What a ready child does before it waits for its job (see the module's docstring).
_PREPARE = {"files": lambda: None, "tables": _import_tables, "certificates": _import_certificates}


class Background:
    """Jobs handed to `write_files`, `issue_certificates` and `write_tables` run in child
    processes; `wait` returns when all are done.

    Use as a context manager: leaving the block normally waits for every child (and raises the
    first failure); leaving it on an error stops them. Each call starts one child, so hand over
    batches (thousands of files), not single files.
    """

    def __init__(self, root: Path, *, ready: tuple[str, ...] = ()) -> None:
        unknown = [job for job in ready if job not in _JOBS]
        if unknown:
            raise ValueError(f"unknown background job(s) {', '.join(unknown)}; the jobs are {', '.join(_JOBS)}")
        self.root = Path(root)
        self._children: list[tuple[subprocess.Popen, Path | None]] = []
        #: Children started early, importing what their job needs, waiting for its bundle: job -> child.
        self._ready: dict[str, subprocess.Popen] = {}
        for job in ready:
            if sys.executable:
                self._ready[job] = self._spawn(["--ready", job], stdin=subprocess.PIPE)

    def write_files(self, files: Mapping[str, str | bytes]) -> None:
        """Start writing `files` (path relative to the root: content) into the root."""
        if files:
            self._start("files", self.root, {name: content if isinstance(content, bytes) else content.encode("utf-8")
                                             for name, content in files.items()})

    def issue_certificates(self, archive: Path, new, names, folder: Path) -> None:
        """Start drawing the `new` certificates (file name: CertificateData) into the archive and putting
        every one of `names` from the archive into `folder` (umkmkit.report.certificates.issue_certificates)."""
        if names:
            self._start("certificates", Path(archive), dict(new), list(names), Path(folder))

    def write_tables(self, sheets, workbook: Path, csv_files) -> None:
        """Start writing the workbook of `sheets` and the CSV files (path: table); see `write_tables`."""
        self._start("tables", sheets, Path(workbook), {Path(path): table for path, table in csv_files.items()})

    def _start(self, job: str, *args) -> None:
        bundle = self.root / f"{BUNDLE_NAME}-{len(self._children)}.pickle"
        try:
            with open(bundle, "wb") as out:
                pickle.dump((job, args), out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as error:
            raise UmkmkitError(f"Cannot write {bundle}: {error.strerror or error}. {ADVICE}") from error
        if not sys.executable:  # an embedded interpreter with no program to start: do it here
            bundle.unlink(missing_ok=True)
            _JOBS[job](*args)
            return
        child = self._ready.pop(job, None)
        if child is None:
            child = self._spawn([str(bundle)], stdin=subprocess.DEVNULL)
        else:
            try:
                _close_input(child, os.fsencode(bundle) + b"\n")
            except OSError:  # it stopped while importing: the job is done by a new child instead
                self._children.append((child, None))
                child = self._spawn([str(bundle)], stdin=subprocess.DEVNULL)
        self._children.append((child, bundle))

    def _spawn(self, arguments: list[str], stdin) -> subprocess.Popen:
        env = dict(os.environ)
        kit_path = str(Path(umkmkit.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [kit_path, env.get("PYTHONPATH")]))
        return subprocess.Popen(
            [sys.executable, "-m", "umkmkit.report.background", *arguments],
            stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )

    def _dismiss_ready(self) -> None:
        """Children started early whose job never came: closing their input ends them."""
        ready, self._ready = self._ready, {}
        for child in ready.values():
            try:
                _close_input(child)
            except OSError:
                pass
            self._children.append((child, None))

    def wait(self) -> None:
        """Wait for every child; raise UmkmkitError (what failed, why, what to do) if one failed."""
        self._dismiss_ready()
        children, self._children = self._children, []
        failures = []
        for child, bundle in children:
            _, errors = child.communicate()
            if bundle is not None:
                bundle.unlink(missing_ok=True)
            if child.returncode != 0:
                failures.append(_failure(errors.decode("utf-8", "replace"), child.returncode))
        if failures:
            raise UmkmkitError(failures[0])

    def stop(self) -> None:
        """Stop every child still working (the folder is being abandoned)."""
        self._dismiss_ready()
        children, self._children = self._children, []
        for child, bundle in children:
            if child.poll() is None:
                child.kill()
            child.communicate()
            if bundle is not None:
                bundle.unlink(missing_ok=True)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, kind, value, traceback_) -> None:
        if kind is None:
            self.wait()
        else:
            self.stop()


def _close_input(child: subprocess.Popen, line: bytes = b"") -> None:
    """Send `line` to a ready child and close its input (then communicate() leaves it alone)."""
    stream, child.stdin = child.stdin, None
    try:
        if line:
            stream.write(line)
    finally:
        stream.close()


def _failure(errors: str, status: int) -> str:
    lines = errors.strip().splitlines()
    for line in reversed(lines):
        try:
            problem = json.loads(line)
        except ValueError:
            continue
        if isinstance(problem, dict) and "message" in problem:
            return str(problem["message"])
    last = lines[-1] if lines else f"exit status {status}"
    return (f"A background writer of the report stopped before it finished ({last}). This is a bug in "
            "umkmkit unless the disk is full: please report it with this message.")


def _main(argument: str) -> int:
    bundle = None
    try:
        if argument == "--ready":  # python -m umkmkit.report.background --ready JOB: import, then wait
            _PREPARE[sys.argv[2]]()
            argument = os.fsdecode(sys.stdin.buffer.readline().rstrip(b"\r\n"))
            if not argument:  # no job came: the report failed, or had nothing for this child
                return 0
        bundle = Path(argument)
        with open(bundle, "rb") as source:
            job, args = pickle.load(source)
        _JOBS[job](*args)
    except UmkmkitError as error:
        print(json.dumps({"message": str(error)}), file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - the parent shows the last line and asks for a report
        traceback.print_exc()
        return 1
    finally:
        if bundle is not None:
            bundle.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
