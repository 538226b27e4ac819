"""umkmkit.files: a file is either the old one or the new one, never half written, and no temporary
file stays behind; and it is the one place that writes a file through os.replace."""

from __future__ import annotations

import ast
import os
import stat
import sys
from pathlib import Path

import pytest

from umkmkit import files
from umkmkit.errors import UmkmkitError
from umkmkit.files import (
    atomic_path, cannot_write, replace_folder, stale_temporaries, temporary_path, write_bytes_atomic, write_text_atomic,
)

SOURCE = Path(__file__).resolve().parents[1] / "src" / "umkmkit"
#: Where os.replace may be called, with why: (module, function) -> reason.
OS_REPLACE_ALLOWED = {
    ("files.py", "atomic_path"): "the helper itself",
    ("files.py", "replace_folder"): "the folder swap itself",
}
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


# --- writing ------------------------------------------------------------------------------------

def test_text_is_written_as_utf8_and_replaces_the_old_file(tmp_path):
    target = tmp_path / "catatan.txt"
    target.write_text("lama\n", encoding="utf-8")
    assert write_text_atomic(target, "Rp1.500 — ongkir ke Manokwari\n", newline="") == target
    assert target.read_bytes() == "Rp1.500 — ongkir ke Manokwari\n".encode("utf-8")
    assert leftovers(tmp_path) == []


def test_bytes_are_written_as_given(tmp_path):
    target = tmp_path / "data.bin"
    write_bytes_atomic(target, b"\x00\r\n\xff")
    write_bytes_atomic(target, b"baru")
    assert target.read_bytes() == b"baru"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("newline", "expected"), [
    ("", b"a\r\nb\n"),
    ("\n", b"a\r\nb\n"),
    (None, ("a\r" + os.linesep + "b" + os.linesep).encode()),
])
def test_newline_means_what_it_means_for_open(tmp_path, newline, expected):
    target = tmp_path / "baris.csv"
    write_text_atomic(target, "a\r\nb\n", newline=newline)
    assert target.read_bytes() == expected


def test_an_encoding_with_a_byte_order_mark_for_excel(tmp_path):
    target = tmp_path / "daftar.csv"
    write_text_atomic(target, "nama\n", encoding="utf-8-sig", newline="")
    assert target.read_bytes() == b"\xef\xbb\xbfnama\n"


def test_fsync_flushes_before_the_file_takes_its_place(tmp_path, monkeypatch):
    target = tmp_path / "ceklis.csv"
    synced = []
    real_fsync = os.fsync

    def fsync(descriptor):
        synced.append(target.exists())
        real_fsync(descriptor)

    monkeypatch.setattr(files.os, "fsync", fsync)
    write_text_atomic(target, "x\n", fsync=True)
    write_bytes_atomic(target, b"y\n", fsync=True)
    assert synced == [False, True]  # the first time, before the target existed
    write_text_atomic(target, "z\n")
    assert len(synced) == 2


def test_a_library_writes_the_temporary_path_itself(tmp_path):
    target = tmp_path / "buku.xlsx"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".") and not target.exists()
        temporary.write_bytes(b"PK")
    assert target.read_bytes() == b"PK"
    assert leftovers(tmp_path) == []


def test_the_temporary_file_is_hidden_beside_the_target_and_named_by_process(tmp_path):
    temporary = temporary_path(tmp_path / "latihan.ipynb")
    assert temporary == tmp_path / f".latihan.ipynb.{os.getpid()}.tmp"


def test_a_temporary_file_a_killed_process_left_is_written_over(tmp_path):
    target = tmp_path / "latihan.ipynb"
    temporary_path(target).write_text("setengah", encoding="utf-8")
    write_text_atomic(target, "utuh")
    assert target.read_text(encoding="utf-8") == "utuh"
    assert leftovers(tmp_path) == []


def test_stale_temporaries_are_those_of_the_file_only(tmp_path):
    target = tmp_path / "umkm.csv"
    for name in (".umkm.csv.17.tmp", ".umkm.csv.4242.tmp", ".umkm.csv.abc.tmp", ".umkm.csv.x.17.tmp",
                 ".pesanan.csv.17.tmp", "umkm.csv.17.tmp", ".umkm.csv.17.part"):
        (tmp_path / name).write_bytes(b"")
    assert [path.name for path in stale_temporaries(target)] == [".umkm.csv.17.tmp", ".umkm.csv.4242.tmp"]


# --- failing: the old file stays, no temporary file does ------------------------------------------

def test_a_write_failing_midway_keeps_the_old_file(tmp_path):
    target = tmp_path / "ceklis.csv"
    target.write_text("lama\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk pulled"):
        with atomic_path(target) as temporary:
            temporary.write_text("setengah ba", encoding="utf-8")
            raise RuntimeError("disk pulled")
    assert target.read_text(encoding="utf-8") == "lama\n"
    assert leftovers(tmp_path) == []


def test_text_that_cannot_be_encoded_keeps_the_old_file(tmp_path):
    target = tmp_path / "catatan.txt"
    target.write_text("lama\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, "awal yang baik\n" * 1000 + "\ud800")
    assert target.read_text(encoding="utf-8") == "lama\n"
    assert leftovers(tmp_path) == []


def test_content_that_fails_while_being_written_keeps_the_old_file(tmp_path):
    class Broken:
        def __buffer__(self, flags):
            raise OSError(28, "No space left on device")

    target = tmp_path / "data.bin"
    target.write_bytes(b"lama")
    with pytest.raises((OSError, TypeError)):
        write_bytes_atomic(target, Broken())
    assert target.read_bytes() == b"lama"
    assert leftovers(tmp_path) == []


def test_a_failing_replace_keeps_the_old_file_and_removes_the_new_one(tmp_path, monkeypatch):
    target = tmp_path / "ceklis.csv"
    target.write_text("lama\n", encoding="utf-8")

    def refused(source, destination):
        raise PermissionError(13, "Permission denied")  # Windows: the file is open in Excel

    monkeypatch.setattr(files.os, "replace", refused)
    with pytest.raises(PermissionError):
        write_text_atomic(target, "baru\n")
    with pytest.raises(PermissionError):
        write_bytes_atomic(target, b"baru\n")
    assert target.read_text(encoding="utf-8") == "lama\n"
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_the_callers_to_make(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_text_atomic(tmp_path / "belum-ada" / "x.txt", "x")
    assert not (tmp_path / "belum-ada").exists()


def test_cannot_write_says_which_file_why_and_what_to_do(tmp_path):
    error = cannot_write(tmp_path / "x.pdf", OSError(28, "No space left on device"), "Free some space, then run again.")
    assert isinstance(error, UmkmkitError)
    assert str(error) == f"Cannot write {tmp_path / 'x.pdf'}: No space left on device. Free some space, then run again."
    assert str(cannot_write(Path("y"), ValueError("odd"), "Report it.")) == "Cannot write y: odd. Report it."


# --- permissions ----------------------------------------------------------------------------------

@posix_only
def test_mode_is_exactly_the_one_asked_whatever_the_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        write_text_atomic(tmp_path / "room.json", "{}", mode=0o644)
        write_bytes_atomic(tmp_path / "secrets.json", b"{}", mode=0o600)
        write_text_atomic(tmp_path / "biasa.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "room.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "biasa.txt").stat().st_mode) == 0o600  # the usual: 0o666 less the umask


@posix_only
def test_without_mode_a_file_gets_the_usual_permissions_not_the_old_files(tmp_path):
    target = tmp_path / "catatan.txt"
    target.write_text("lama", encoding="utf-8")
    target.chmod(0o600)
    previous = os.umask(0o022)
    try:
        write_text_atomic(target, "baru")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@posix_only
def test_mode_is_set_before_the_content_goes_in(tmp_path, monkeypatch):
    target = tmp_path / "secrets.json"
    temporary = temporary_path(target)
    temporary.write_text("a world-readable leftover", encoding="utf-8")
    temporary.chmod(0o644)
    seen = []
    real_chmod = os.chmod

    def chmod(path, mode, **kwargs):
        seen.append((Path(path), oct(mode), Path(path).stat().st_size))
        real_chmod(path, mode, **kwargs)

    monkeypatch.setattr(files.os, "chmod", chmod)
    write_text_atomic(target, '{"password": "rahasia"}', mode=0o600)
    assert seen == [(temporary, oct(0o600), 0)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# --- the one place -------------------------------------------------------------------------------

class _OsReplaceCalls(ast.NodeVisitor):
    """Collects os.replace(...) calls with the innermost function around each."""

    def __init__(self, module: str):
        self.module, self.functions, self.calls = module, ["<module>"], []

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        function = node.func
        if (isinstance(function, ast.Attribute) and function.attr == "replace"
                and isinstance(function.value, ast.Name) and function.value.id == "os"):
            self.calls.append((self.module, self.functions[-1], node.lineno))
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.module == "os" and any(alias.name == "replace" for alias in node.names):
            self.calls.append((self.module, "from os import replace", node.lineno))


def os_replace_calls() -> list[tuple[str, str, int]]:
    """Every os.replace(...) call in src/umkmkit: (module path, enclosing function, line)."""
    calls = []
    for path in sorted(SOURCE.rglob("*.py")):
        visitor = _OsReplaceCalls(path.relative_to(SOURCE).as_posix())
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        calls += visitor.calls
    return calls


def test_only_umkmkit_files_writes_a_file_through_os_replace():
    found = os_replace_calls()
    elsewhere = [
        f"src/umkmkit/{module}:{line} ({function})" for module, function, line in found
        if (module, function) not in OS_REPLACE_ALLOWED
    ]
    assert not elsewhere, (
        "Write files with umkmkit.files (write_text_atomic, write_bytes_atomic, atomic_path), not os.replace: "
        + ", ".join(elsewhere) + ". A whole folder goes into place with replace_folder."
    )
    # an allowed place that no longer calls os.replace leaves the list
    assert {(module, function) for module, function, _ in found} >= set(OS_REPLACE_ALLOWED)


# --- folders ------------------------------------------------------------------------------------

def test_a_folder_takes_the_place_of_the_old_one_and_nothing_stays_beside_it(tmp_path):
    folder, staging = tmp_path / "laporan", tmp_path / ".laporan.baru"
    folder.mkdir()
    (folder / "lama.html").write_text("lama", encoding="utf-8")
    staging.mkdir()
    (staging / "baru.html").write_text("baru", encoding="utf-8")
    assert replace_folder(staging, folder) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["baru.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan"]


def test_a_folder_goes_into_place_when_there_was_none(tmp_path):
    staging = tmp_path / ".baru"
    staging.mkdir()
    (staging / "a.txt").write_text("a", encoding="utf-8")
    replace_folder(staging, tmp_path / "baru")
    assert (tmp_path / "baru" / "a.txt").read_text(encoding="utf-8") == "a" and not staging.exists()


def test_a_failing_folder_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    folder, staging = tmp_path / "laporan", tmp_path / ".laporan.baru"
    folder.mkdir()
    (folder / "lama.html").write_text("lama", encoding="utf-8")
    staging.mkdir()
    real_replace = os.replace

    def replace(source, target):
        if Path(source) == staging:
            raise PermissionError(13, "Permission denied")  # e.g. a file in the new folder held open on Windows
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(PermissionError):
        replace_folder(staging, folder)
    assert (folder / "lama.html").read_text(encoding="utf-8") == "lama" and staging.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".laporan.baru", "laporan"]
