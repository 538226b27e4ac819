#!/bin/sh
# Installs umkmkit from this folder (a USB stick) on Linux, with no internet.
# Usage: sh install.sh [TARGET]     TARGET defaults to ~/umkmkit.
# Takes the newest Python 3.13, 3.12 or 3.11 it finds (64-bit, with its venv module);
# PYTHON=/path/to/python3.12 sh install.sh chooses one.
# Installs exactly the versions in lock.txt (requirements/lock-trainer.txt of the kit) from wheels/.
# Built by `make wheelhouse` from deploy/usb/install.sh; see src/umkmkit/room/usb.py.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-"$HOME/umkmkit"}
WHEELS="$HERE/wheels"
LOCK="$HERE/lock.txt"
# The Pythons the wheels are for.
SUPPORTED='import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13) and sys.maxsize > 2**32))'

fail() {
    echo "GAGAL: $*" >&2
    exit 1
}

[ -f "$LOCK" ] && [ -d "$WHEELS" ] ||
    fail "lock.txt atau folder wheels tidak ada di $HERE. Salin ulang seluruh isi flashdisk (buat dengan make wheelhouse)."

if [ -n "${PYTHON:-}" ]; then
    "$PYTHON" -c "$SUPPORTED" 2>/dev/null ||
        fail "$PYTHON bukan Python 3.11, 3.12 atau 3.13 (64-bit). Tunjukkan Python yang cocok: PYTHON=/lokasi/python3.12 sh install.sh"
else
    # the newest supported Python that can make a venv; else the newest one without venv, to say so
    WITHOUT_VENV=""
    for candidate in python3.13 python3.12 python3.11 python3; do
        command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "$SUPPORTED" 2>/dev/null || continue
        if "$candidate" -c 'import ensurepip, venv' 2>/dev/null; then
            PYTHON=$candidate
            break
        fi
        [ -n "$WITHOUT_VENV" ] || WITHOUT_VENV=$candidate
    done
    if [ -z "${PYTHON:-}" ] && [ -n "$WITHOUT_VENV" ]; then
        PYTHON=$WITHOUT_VENV
    fi
fi
[ -n "${PYTHON:-}" ] || fail "Python 3.11, 3.12 atau 3.13 tidak ditemukan. Pasang salah satunya \
(Debian/Ubuntu: sudo apt install python3 python3-venv), lalu jalankan lagi. \
Atau tunjukkan letaknya: PYTHON=/lokasi/python3.12 sh install.sh"
PYTHON_NAME=$("$PYTHON" -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null ||
    fail "Modul venv untuk $PYTHON belum ada. Pasang dulu (Debian/Ubuntu: sudo apt install $PYTHON_NAME-venv), lalu jalankan lagi."
echo "Memakai $PYTHON ($PYTHON_NAME)."

echo "Menyalin kit ke $TARGET ..."
mkdir -p "$TARGET"
# Replace the kit's own files; workspace/ (cohorts, grades, reports) and .venv/ stay.
for item in "$HERE/umkmkit"/*; do
    rm -rf "$TARGET/${item##*/}"
    cp -R "$item" "$TARGET/"
done

# A venv whose Python is gone (the system's Python was upgraded) or unsupported is made again.
if [ -e "$TARGET/.venv" ] && ! "$TARGET/.venv/bin/python" -c "$SUPPORTED" 2>/dev/null; then
    echo "Lingkungan Python lama di $TARGET/.venv tidak bisa dipakai lagi; dibuat ulang ..."
    rm -rf "$TARGET/.venv"
fi
if [ ! -x "$TARGET/.venv/bin/python" ]; then
    echo "Membuat lingkungan Python di $TARGET/.venv ..."
    "$PYTHON" -m venv "$TARGET/.venv" || fail "Tidak bisa membuat $TARGET/.venv dengan $PYTHON."
fi

echo "Memasang paket dari $WHEELS (tanpa internet) ..."
# The locked versions (pip checks each file's sha256 against lock.txt), then the kit itself.
"$TARGET/.venv/bin/python" -m pip install --disable-pip-version-check --no-index \
    --find-links "$WHEELS" --requirement "$LOCK" ||
    fail "pip tidak bisa memasang paket dari $WHEELS. Pastikan folder wheels lengkap \
(buat ulang dengan make wheelhouse) dan Python-nya versi 3.11, 3.12 atau 3.13 untuk Linux 64-bit."
"$TARGET/.venv/bin/python" -m pip install --disable-pip-version-check --no-index \
    --find-links "$WHEELS" --no-deps --force-reinstall umkmkit ||
    fail "pip tidak bisa memasang umkmkit dari $WHEELS. Buat ulang folder flashdisk dengan make wheelhouse."
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
echo "Selesai. umkmkit terpasang di $TARGET ($PYTHON_NAME)"
echo "Coba contohnya:  cd \"$TARGET\" && .venv/bin/umkmkit demo"
