#!/bin/sh
# Installs umkmkit from this folder (a USB stick) on Linux, with no internet.
# Usage: sh install.sh [TARGET]     TARGET defaults to ~/umkmkit.
# PYTHON=/path/to/python3.11 sh install.sh chooses the Python (the wheels are for 3.11 only).
# Built by `make wheelhouse` from deploy/usb/install.sh; see src/umkmkit/usb.py.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-"$HOME/umkmkit"}
WHEELS="$HERE/wheels"

fail() {
    echo "GAGAL: $*" >&2
    exit 1
}

if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            PYTHON=$candidate
            break
        fi
    done
fi
[ -n "${PYTHON:-}" ] || fail "Python 3.11 tidak ditemukan. Pasang Python 3.11 \
(Debian/Ubuntu: sudo apt install python3.11 python3.11-venv), lalu jalankan lagi. \
Atau tunjukkan letaknya: PYTHON=/lokasi/python3.11 sh install.sh"
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null ||
    fail "Modul venv untuk $PYTHON belum ada. Pasang dulu (Debian/Ubuntu: sudo apt install python3.11-venv), lalu jalankan lagi."

echo "Menyalin kit ke $TARGET ..."
mkdir -p "$TARGET"
# Replace the kit's own files; workspace/ (cohorts, grades, reports) and .venv/ stay.
for item in "$HERE/umkmkit"/*; do
    rm -rf "$TARGET/${item##*/}"
    cp -R "$item" "$TARGET/"
done

if [ ! -x "$TARGET/.venv/bin/python" ]; then
    echo "Membuat lingkungan Python di $TARGET/.venv ..."
    "$PYTHON" -m venv "$TARGET/.venv" || fail "Tidak bisa membuat $TARGET/.venv dengan $PYTHON."
fi

echo "Memasang paket dari $WHEELS (tanpa internet) ..."
"$TARGET/.venv/bin/python" -m pip install --disable-pip-version-check --no-index \
    --find-links "$WHEELS" --force-reinstall umkmkit ||
    fail "pip tidak bisa memasang umkmkit dari $WHEELS. Pastikan folder wheels lengkap \
(buat ulang dengan make wheelhouse) dan Python-nya versi 3.11 untuk Linux 64-bit."
# The Makefile's set-up stamp: `make demo` in the kit folder then needs no internet.
touch "$TARGET/.venv/.umkmkit-installed"
# Build matplotlib's font cache now, so nobody sees its first-use warning.
"$TARGET/.venv/bin/python" -c "import matplotlib.pyplot"

# JupyterHub's proxy, only for a room server: lands in .venv/bin, on the kit's PATH.
if command -v npm >/dev/null 2>&1 && [ -d "$HERE/npm-cache" ]; then
    echo "Memasang configurable-http-proxy (untuk server JupyterHub) ..."
    npm install --global --offline --cache "$HERE/npm-cache" --prefix "$TARGET/.venv" \
        --no-audit --no-fund --loglevel=error configurable-http-proxy ||
        echo "Peringatan: npm tidak bisa memasang configurable-http-proxy. Kit tetap bisa dipakai di satu laptop."
else
    echo "Catatan: npm tidak ada, jadi configurable-http-proxy (hanya untuk server JupyterHub) tidak dipasang."
fi

echo ""
echo "Selesai. umkmkit terpasang di $TARGET"
echo "Coba contohnya:  cd \"$TARGET\" && .venv/bin/umkmkit demo"
