@echo off
rem Installs umkmkit from this folder (a USB stick) on Windows, with no internet.
rem Usage: install.bat [TARGET]     TARGET defaults to %USERPROFILE%\umkmkit.
rem Needs 64-bit Python 3.11, 3.12 or 3.13: from python.org, or an activated conda environment.
rem Takes the newest of them; at the same version, python on PATH (conda's) before the py launcher.
rem Installs exactly the versions in lock.txt (requirements/lock-trainer.txt of the kit) from wheels.
rem Built by `make wheelhouse` from deploy/usb/install.bat (CRLF on the stick); see src/umkmkit/room/usb.py.
setlocal
set "HERE=%~dp0"
set "WHEELS=%HERE%wheels"
set "LOCK=%HERE%lock.txt"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%USERPROFILE%\umkmkit"
if not exist "%LOCK%" goto :stick_incomplete
if not exist "%WHEELS%" goto :stick_incomplete

rem The Pythons the wheels are for: 64-bit 3.11 to 3.13.
set "SUPPORTED=import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13) and sys.maxsize > 2**32))"
set "PYTHON="
for %%V in (13 12 11) do if not defined PYTHON call :find_python %%V
if defined PYTHON goto :have_python
echo GAGAL: Python 3.11, 3.12 atau 3.13 (64-bit) tidak ditemukan. Pasang Python 3.13 untuk
echo Windows 64-bit dari python.org, centang "Add python.exe to PATH", lalu jalankan install.bat lagi.
goto :failed

:have_python
echo Memakai %PYTHON%.
echo Menyalin kit ke %TARGET% ...
rem /MIR replaces the kit's files; workspace (cohorts, grades, reports) and .venv stay.
robocopy "%HERE%umkmkit" "%TARGET%" /MIR /XD workspace .venv /NFL /NDL /NJH /NJS /NP >nul
if errorlevel 8 goto :copy_failed

rem A venv whose Python is gone (uninstalled or upgraded) or unsupported is made again.
if not exist "%TARGET%\.venv" goto :make_venv
"%TARGET%\.venv\Scripts\python.exe" -c "%SUPPORTED%" >nul 2>&1
if not errorlevel 1 goto :have_venv
echo Lingkungan Python lama di %TARGET%\.venv tidak bisa dipakai lagi; dibuat ulang ...
rmdir /s /q "%TARGET%\.venv"

:make_venv
echo Membuat lingkungan Python di %TARGET%\.venv ...
%PYTHON% -m venv "%TARGET%\.venv"
if errorlevel 1 goto :venv_failed

:have_venv
echo Memasang paket dari %WHEELS% tanpa internet ...
rem The locked versions (pip checks each file's sha256 against lock.txt), then the kit itself.
"%TARGET%\.venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%WHEELS%" --requirement "%LOCK%"
if errorlevel 1 goto :pip_failed
"%TARGET%\.venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%WHEELS%" --no-deps --force-reinstall umkmkit
if errorlevel 1 goto :pip_failed
rem The Makefile's set-up stamp, and matplotlib's font cache built now.
type nul > "%TARGET%\.venv\.umkmkit-installed"
"%TARGET%\.venv\Scripts\python.exe" -c "import matplotlib.pyplot"

rem JupyterHub's proxy, only for a room server: lands in .venv\Scripts, on the kit's PATH.
where npm >nul 2>&1
if errorlevel 1 goto :no_npm
if not exist "%HERE%npm-cache" goto :no_npm
echo Memasang configurable-http-proxy untuk server JupyterHub ...
rem `call`: npm is a batch file, and running one without call ends this script.
call npm install --global --offline --cache "%HERE%npm-cache" --prefix "%TARGET%\.venv\Scripts" --no-audit --no-fund --loglevel=error configurable-http-proxy
if errorlevel 1 echo Peringatan: npm tidak bisa memasang configurable-http-proxy. Kit tetap bisa dipakai di satu laptop.
goto :done

:no_npm
echo Catatan: npm tidak ada, jadi configurable-http-proxy untuk server JupyterHub tidak dipasang.

:done
echo.
echo Selesai. umkmkit terpasang di %TARGET%
echo Coba contohnya di Command Prompt:
echo   cd /d "%TARGET%"
echo   .venv\Scripts\umkmkit demo
pause
exit /b 0

rem :find_python 13 sets PYTHON to a 64-bit Python 3.13: python on PATH, else the py launcher's.
:find_python
python -c "import sys; sys.exit(not (sys.version_info[:2] == (3, %1) and sys.maxsize > 2**32))" >nul 2>&1 && set "PYTHON=python" && exit /b 0
py -3.%1 -c "import sys; sys.exit(not (sys.version_info[:2] == (3, %1) and sys.maxsize > 2**32))" >nul 2>&1 && set "PYTHON=py -3.%1"
exit /b 0

rem Failures: blocks in parentheses are avoided, since a ")" in a folder name would end them.
:stick_incomplete
echo GAGAL: lock.txt atau folder wheels tidak ada di %HERE%.
echo Salin ulang seluruh isi flashdisk (buat dengan make wheelhouse).
goto :failed

:copy_failed
echo GAGAL: tidak bisa menyalin kit ke %TARGET%.
goto :failed

:venv_failed
echo GAGAL: tidak bisa membuat %TARGET%\.venv dengan %PYTHON%.
goto :failed

:pip_failed
echo GAGAL: pip tidak bisa memasang umkmkit dari %WHEELS%.
echo Pastikan folder wheels lengkap dan Python-nya versi 3.11, 3.12 atau 3.13 untuk Windows 64-bit.

:failed
pause
exit /b 1
