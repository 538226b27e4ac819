@echo off
rem Installs umkmkit from this folder (a USB stick) on Windows, with no internet.
rem Usage: install.bat [TARGET]     TARGET defaults to %USERPROFILE%\umkmkit.
rem Needs 64-bit Python 3.11: from python.org, or an activated conda environment with python=3.11.
rem Built by `make wheelhouse` from deploy/usb/install.bat (CRLF on the stick); see src/umkmkit/usb.py.
setlocal
set "HERE=%~dp0"
set "WHEELS=%HERE%wheels"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%USERPROFILE%\umkmkit"

rem The wheels are for Python 3.11 only: python on PATH (or conda's) first, then the py launcher.
set "PYTHON="
python -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" >nul 2>&1 && set "PYTHON=python"
if defined PYTHON goto :have_python
py -3.11 -c "import sys" >nul 2>&1 && set "PYTHON=py -3.11"
if defined PYTHON goto :have_python
echo GAGAL: Python 3.11 tidak ditemukan. Pasang Python 3.11 untuk Windows 64-bit
echo dari python.org, centang "Add python.exe to PATH", lalu jalankan install.bat lagi.
goto :failed

:have_python
echo Menyalin kit ke %TARGET% ...
rem /MIR replaces the kit's files; workspace (cohorts, grades, reports) and .venv stay.
robocopy "%HERE%umkmkit" "%TARGET%" /MIR /XD workspace .venv /NFL /NDL /NJH /NJS /NP >nul
if errorlevel 8 goto :copy_failed

if exist "%TARGET%\.venv\Scripts\python.exe" goto :have_venv
echo Membuat lingkungan Python di %TARGET%\.venv ...
%PYTHON% -m venv "%TARGET%\.venv"
if errorlevel 1 goto :venv_failed

:have_venv
echo Memasang paket dari %WHEELS% tanpa internet ...
"%TARGET%\.venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%WHEELS%" --force-reinstall umkmkit
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

rem Failures: blocks in parentheses are avoided, since a ")" in a folder name would end them.
:copy_failed
echo GAGAL: tidak bisa menyalin kit ke %TARGET%.
goto :failed

:venv_failed
echo GAGAL: tidak bisa membuat %TARGET%\.venv dengan %PYTHON%.
goto :failed

:pip_failed
echo GAGAL: pip tidak bisa memasang umkmkit dari %WHEELS%.
echo Pastikan folder wheels lengkap dan Python-nya versi 3.11 untuk Windows 64-bit.

:failed
pause
exit /b 1
