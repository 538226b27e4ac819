"""Writing a file whole or not at all.

A file the kit writes (a notebook, the checklist, a certificate, a workbook, the hub's secrets) is
at any moment either the old one or the new one, never half written: a crash, a full disk or a
file held open by Excel leaves the previous content in place. Every such write goes the same way:

1. the content goes into a temporary file beside the target (same folder, so same disk), named
   `.<name>.<process id>.tmp`: hidden, and unique per process, so two processes writing the same
   file never share one;
2. on success that file takes the target's place in one rename (`os.replace`): a reader sees
   the old file or the new one;
3. on any failure it is removed and the error goes on to the caller.

`write_text_atomic` and `write_bytes_atomic` write content the kit holds; `atomic_path` gives the
temporary path to a library that writes the file itself (XlsxWriter, zipfile, shutil).

`mode` sets a new file's permission bits when the temporary file is created, before any content
goes in (a secret is never readable by others, not even for a moment); without it a file gets the
usual permissions (0o666 less the umask). Errors are the operating system's `OSError`; a caller
that tells the user what to do turns it into an `UmkmkitError` with `cannot_write`.

A whole folder (a report, the handouts) is built in a staging folder beside it and put in place
with `replace_folder`: the old folder stays until the new one has taken its place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from umkmkit.errors import UmkmkitError

#: Ends the name of every temporary file written here (`.<name>.<process id>.tmp`).
TEMPORARY_SUFFIX = ".tmp"


def temporary_path(path: Path) -> Path:
    """The temporary file this process writes `path`'s new content into: hidden, beside `path`."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}{TEMPORARY_SUFFIX}")


def stale_temporaries(path: Path) -> list[Path]:
    """Temporary files of `path` left by processes that were killed while writing it.

    Only for a caller that knows no other process is writing `path` now: another process's
    temporary file looks the same.
    """
    path = Path(path)
    prefix = f".{path.name}."
    return sorted(
        candidate for candidate in path.parent.glob(f".*{TEMPORARY_SUFFIX}")
        if candidate.name.startswith(prefix)
        and candidate.name.removeprefix(prefix).removesuffix(TEMPORARY_SUFFIX).isdigit()
    )


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield the temporary path to write `path`'s new content into; on leaving the block it
    replaces `path` whole, or, if the block raised, it is removed and `path` stays as it was.

    For libraries that create the file themselves:

        with atomic_path(target) as temporary:
            shutil.copyfile(source, temporary)
    """
    path = Path(path)
    temporary = temporary_path(path)
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()  # left by a killed process that had this process id
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None, fsync: bool = False) -> Path:
    """Write `data` to `path`, replacing it whole; returns `path`.

    `mode`: the new file's permission bits, set before the content goes in (e.g. 0o600 for a
    secret); default the usual ones. `fsync`: flush the content to the disk before the file
    takes `path`'s place, for records that must survive a power cut.
    """
    with atomic_path(path) as temporary, open(temporary, "xb", opener=_creating(mode)) as stream:
        stream.write(data)
        if fsync:
            stream.flush()
            os.fsync(stream.fileno())
    return Path(path)


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8", newline: str | None = None,
                      mode: int | None = None, fsync: bool = False) -> Path:
    """Write `text` to `path` (UTF-8 unless `encoding` says otherwise), replacing it whole; returns `path`.

    `newline` as for `open`: None writes each "\\n" as the platform's line end, "" and "\\n" write
    the text's own line ends. `mode` and `fsync` as for `write_bytes_atomic`.
    """
    with atomic_path(path) as temporary, open(temporary, "x", encoding=encoding, newline=newline,
                                              opener=_creating(mode)) as stream:
        stream.write(text)
        if fsync:
            stream.flush()
            os.fsync(stream.fileno())
    return Path(path)


def replace_folder(staging: Path, folder: Path) -> Path:
    """Put the finished `staging` folder in the place of `folder` (replacing a previous one); returns `folder`.

    The previous folder is renamed aside first and removed only once `staging` is in its place;
    if that rename fails, the previous folder is put back. Two renames, not one: a folder cannot be
    replaced by another in one `os.replace` on Windows, nor over a non-empty folder anywhere.
    """
    staging, folder = Path(staging), Path(folder)
    if not folder.exists():
        os.replace(staging, folder)
        return folder
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    if old.exists():
        shutil.rmtree(old)
    os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return folder


def cannot_write(path: Path, error: BaseException, advice: str) -> UmkmkitError:
    """The error to raise when `path` could not be written: which file, the system's reason, and
    `advice` (what to check, then what to run again)."""
    reason = getattr(error, "strerror", None) or error
    return UmkmkitError(f"Cannot write {path}: {reason}. {advice}")


def _creating(mode: int | None):
    """An `open` opener that creates the file with exactly `mode` (umask aside) before it is written."""
    def opener(name: str, flags: int) -> int:
        descriptor = os.open(name, flags, 0o666 if mode is None else mode)
        if mode is not None:
            try:
                os.chmod(name, mode)  # exactly `mode`, whatever the umask
            except BaseException:
                os.close(descriptor)
                raise
        return descriptor
    return opener
