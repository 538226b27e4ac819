"""A kernel factory for grading: imports ipykernel and the exercises' libraries once, then forks
a fresh, sandboxed kernel for every notebook (Linux).

Starting a Python kernel and importing pandas and matplotlib costs most of the time nbgrader
spends on one notebook. Here one server process per grading worker pays it once; each kernel
is a new process forked from that clean state (no trainee code ever runs in the server), run
under the same sandbox as `umkmkit.grading.launcher`. Jupyter tracks a small client process
(`umkmkit.grading.forkclient`) that asks this server for a kernel, forwards signals to it and
exits when it ends. Usage: `python -m umkmkit.grading.forkserver SOCKET [MODULE...]`.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys
from pathlib import Path

from umkmkit.grading.launcher import PR_SET_PDEATHSIG, SandboxPolicy, run_sandboxed


def prctl(option: int, value: int) -> None:
    import ctypes

    ctypes.CDLL(None).prctl(option, value)


def _reap(signum, frame) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _spawn(request: dict, listening: list[socket.socket]) -> dict:
    """Fork the sandbox for one kernel; return its process ids (outer and kernel)."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            for sock in listening:
                sock.close()
            os.close(ready_read)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            # if the server dies, so does this kernel (and with it its PID namespace)
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            os.setsid()
            os.environ.clear()
            os.environ.update(request["env"])
            argv = request["argv"]

            def start() -> None:
                from ipykernel.kernelapp import IPKernelApp

                sys.argv = ["ipykernel_launcher", *argv]
                IPKernelApp.launch_instance(argv=argv)
                os._exit(0)

            def tell(child: int) -> None:
                os.write(ready_write, str(child).encode("ascii"))
                os.close(ready_write)

            code = run_sandboxed(
                SandboxPolicy.from_json(request["policy"]), int(request["uid"]), Path(request["workdir"]),
                start, tell,
            )
        except BaseException as error:
            print(f"umkmkit kernel server: {error}", file=sys.stderr)
            code = 127
        os._exit(code)
    os.close(ready_write)
    kernel = os.read(ready_read, 32)
    os.close(ready_read)
    return {"pid": pid, "kernel": int(kernel) if kernel else pid}


#: A cell like a trainee's: a check that fails, as a missing or wrong answer makes it.
_FAILING_CELL = 'def cek(nilai):\n    assert nilai == 1, "Belum benar."\n\ncek(2)\n'


def warm_up_tracebacks() -> None:
    """Format one failing cell's traceback as a kernel does, so every kernel forked afterwards
    inherits what that costs the first time.

    Most graded notebooks fail some check (an untouched exercise fails them all), and IPython
    formats each failure with stack_data and pygments. In a fresh kernel the first one imports
    stack_data and pygments' lexers and formatters and compiles the Python lexer's ~150 regular
    expressions (stack_data makes a new lexer class for every frame; the expressions come from
    `re`'s cache after the first). py-spy on 70 submissions of 02-pembukuan-pesanan: traceback
    formatting was half of the kernels' CPU, those first-time costs about half of that. The text
    a trainee sees is the same: only caches are warm.
    """
    import linecache

    from IPython.core.ultratb import AutoFormattedTB

    remember_lexer_expressions()
    filename = "<umkmkit-warm-up>"
    linecache.cache[filename] = (len(_FAILING_CELL), None, _FAILING_CELL.splitlines(True), filename)
    try:
        exec(compile(_FAILING_CELL, filename, "exec"), {})
    except AssertionError:
        AutoFormattedTB(mode="Context", theme_name="neutral").structured_traceback(*sys.exc_info())
    finally:
        linecache.cache.pop(filename, None)


def remember_lexer_expressions() -> None:
    """Let pygments build each keyword list's regular expression once per process (kernels inherit it).

    stack_data highlights every frame of a traceback with a new subclass of the Python lexer, and
    pygments prepares a new lexer class's rules from scratch: for each `words(...)` list it builds
    one optimised expression in pure Python (`regex_opt`; `re` keeps only the compiled result).
    The same list gives the same text, so it is kept. A two-frame traceback after the warm-up, in
    fresh processes (50 each, two rounds, this machine): 15.7-18.9 -> 10.1-11.8 ms of CPU; a forked
    kernel's first 14.4-16.3 -> 9.3-10.6 ms. IPython formats every failing cell twice (shown, and
    stored in the history). pygments.lexer names `regex_opt` in its module: the test
    of the warm-up (tests/test_kernel_provisioner.py) fails if that changes.
    """
    import functools

    import pygments.lexer
    from pygments.regexopt import regex_opt

    if getattr(pygments.lexer.regex_opt, "remembers", False):
        return

    @functools.lru_cache(maxsize=None)
    def remembered(strings: tuple[str, ...], prefix: str, suffix: str) -> str:
        return regex_opt(strings, prefix, suffix)

    def regex_opt_remembered(strings, prefix="", suffix=""):
        return remembered(tuple(strings), prefix, suffix)

    regex_opt_remembered.remembers = True
    pygments.lexer.regex_opt = regex_opt_remembered


#: The grading worker that starts the server names itself here (its process id).
PARENT_VARIABLE = "UMKMKIT_FORKSERVER_PARENT"


def serve(socket_path: str, preload: list[str]) -> None:
    # the server lives as long as the grading worker that started it
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # a worker that died before the line above sends no death signal: this process was handed to
    # another parent already (seen under load: a server that outlived a killed grader, still importing)
    parent = int(os.environ.pop(PARENT_VARIABLE, os.getppid()))
    if os.getppid() != parent:
        os._exit(0)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS threads across fork
    os.environ.setdefault("MPLBACKEND", "agg")
    # debugpy's import warns about frozen modules unless told not to check
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # what every kernel imports while it starts (the debugger's imports alone take 75 ms)
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401
    import IPython  # noqa: F401

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # a library the kit does not have is simply not preloaded
            pass
    warm_up_tracebacks()
    signal.signal(signal.SIGCHLD, _reap)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(16)
    print("ready", flush=True)
    # The grading worker reads that one line, then never again; every kernel forked from here would
    # inherit the pipe as its standard output, and ipykernel writes its banner there (403 bytes a
    # kernel): after some 160 kernels the pipe is full and the next kernel blocks before its
    # handshake, so each notebook waited out the 60-s start timeout. Kernels' output goes nowhere.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.close(quiet)
    kernels: dict[socket.socket, dict] = {}
    while True:
        try:
            readable, _, _ = select.select([server, *kernels], [], [], 0.5)
        except InterruptedError:
            continue
        if os.getppid() != parent:
            # the grading worker is gone (the death signal is the first line of defence, this the second)
            for pids in kernels.values():
                for pid in {pids.get("pid"), pids.get("kernel")} - {None}:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            os._exit(0)
        for sock in readable:
            if sock is server:
                connection, _ = server.accept()
                kernels[connection] = {}
                continue
            data = sock.recv(1 << 20)
            if data and not kernels[sock]:
                kernels[sock] = _spawn(json.loads(data), [server, *kernels])
                sock.sendall(json.dumps(kernels[sock]).encode())
            elif not data:
                # the client is gone: its kernel must not outlive it
                for pid in {kernels[sock].get("pid"), kernels[sock].get("kernel")} - {None}:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                del kernels[sock]
                sock.close()


if __name__ == "__main__":
    if not sys.platform.startswith("linux"):  # fork, setsid and prctl: the Linux sandbox's only
        sys.exit("umkmkit.grading.forkserver runs on Linux only (the portable path starts kernels directly)")
    serve(sys.argv[1], sys.argv[2:])
