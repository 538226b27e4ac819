"""`umkmkit doctor` and the protection lines it shares with the grading summary."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from umkmkit.cli import main
from umkmkit.room.doctor import PROTECTION_WORDS, protection_lines
from umkmkit.grading.sandbox import PROTECTIONS


def test_every_protection_has_indonesian_words():
    assert set(PROTECTION_WORDS) == set(PROTECTIONS)


def test_a_protection_that_is_on_says_what_it_means_in_indonesian_then_english():
    lines = protection_lines({"no network": "on"}, mode="linux", root=True)
    assert lines == ["  [ya]    Tanpa jaringan: kode peserta tidak bisa memakai internet atau komputer lain.",
                     "          (no network: on)"]


def test_an_off_protection_says_what_it_costs_and_what_to_do_on_each_kind_of_machine(monkeypatch):
    missing = {"grader's files hidden": "off: this machine gave the kernel no namespaces of its own (...)"}
    normal_user = "\n".join(protection_lines(missing, mode="linux", root=False))
    assert "[TIDAK] File pelatih tersembunyi: kode peserta bisa membaca file Anda" in normal_user
    assert "apparmor_restrict_unprivileged_userns" in normal_user and "(grader's files hidden: off:" in normal_user
    separate = "\n".join(protection_lines({"separate user": "off: not possible for a normal user"}, "linux", False))
    assert "Wajar untuk pengguna biasa" in separate
    chosen = "\n".join(protection_lines({"no network": "off: UMKMKIT_SANDBOX=portable was chosen"}, "portable", False))
    assert "Hapus variabel UMKMKIT_SANDBOX=portable" in chosen
    monkeypatch.setattr(sys, "platform", "win32")
    windows = "\n".join(protection_lines({"no network": "off: not available on Windows"}, "portable", False))
    assert "Tidak ada di Windows/macOS" in windows and "server kelas Linux" in windows


def test_doctor_reports_this_machine_in_both_languages():
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    out = result.output
    for words in ("Python 3.", "nbgrader 0.9", "Kernel penilai menyala", "(grading kernel ran a cell in",
                  "Ruang disk kosong", "Perlindungan saat menilai", "Folder sendiri", "(private folder: on)",
                  "Siap menilai. (Ready to grade.)"):
        assert words in out, words
    assert len(out.splitlines()) < 60  # one screen


def test_doctor_on_the_portable_path_says_which_path_and_what_is_missing(monkeypatch):
    monkeypatch.setenv("UMKMKIT_SANDBOX", "portable")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "jalur portabel" in result.output and "[TIDAK] Tanpa jaringan" in result.output
    assert "(limits: on)" in result.output
