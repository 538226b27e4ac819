"""Makes the kit's grading path see a Windows machine: put this folder on PYTHONPATH.

Used by tests/test_portable_path.py. The modules that grade (sandbox, kernel_provisioner, grading,
kernel_watchdog, graded_outputs, doctor) get a `sys` whose platform is "win32" and an `os` and
`signal` without the calls Windows lacks, so a Unix-only call reached on the portable path fails the test with
AttributeError, as it would on a trainer's Windows laptop. Everything else (Python itself,
nbgrader, jupyter_client, the kernels) is untouched.
"""

import importlib.abc
import importlib.machinery
import os
import signal
import sys

GRADING_PATH = {"umkmkit.grading.sandbox", "umkmkit.grading.provisioner", "umkmkit.grading.grader", "umkmkit.grading.watchdog", "umkmkit.grading.graded_outputs", "umkmkit.room.doctor"}
NOT_ON_WINDOWS = {
    "os": {"geteuid", "getuid", "getegid", "getgid", "setuid", "setgid", "fork", "forkpty", "chown", "lchown",
           "fchown", "killpg", "setsid", "setpgid", "getpgid", "getpgrp", "sched_getaffinity", "getloadavg", "sync"},
    "signal": {"SIGKILL", "SIGCHLD", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGSTOP", "SIGCONT",
               "pthread_kill", "alarm", "setitimer"},
}


class _Without:
    def __init__(self, module, missing):
        self._module, self._missing = module, missing

    def __getattr__(self, name):
        if name in self._missing:
            raise AttributeError(f"module {self._module.__name__!r} has no attribute {name!r} (not on Windows)")
        return getattr(self._module, name)


class _WindowsSys:
    platform = "win32"

    def __getattr__(self, name):
        return getattr(sys, name)


class _Loader(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__dict__.update(os=_Without(os, NOT_ON_WINDOWS["os"]), signal=_Without(signal, NOT_ON_WINDOWS["signal"]),
                               sys=_WindowsSys())
        self._loader.exec_module(module)
        # the module's own `import os` rebinds the names: bind them again to the stand-ins
        for name, stand_in in (("os", _Without(os, NOT_ON_WINDOWS["os"])),
                               ("signal", _Without(signal, NOT_ON_WINDOWS["signal"])), ("sys", _WindowsSys())):
            if name in module.__dict__:
                module.__dict__[name] = stand_in


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name not in GRADING_PATH:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = _Loader(spec.loader)
        return spec


sys.meta_path.insert(0, _Finder())
