"""The kit's logging: one logger per module under "umkmkit", quiet on screen, whole in a run's log file.

Each module logs to `logging.getLogger(__name__)`. Nothing is shown unless asked: the `umkmkit`
command shows warnings, or everything with `-v/--verbose` (`show_on_screen`), while what a trainer
must read stays in the command's own one-line summaries. A run that the trainer may need to look
into afterwards (a grading run) records everything its modules log, with each failure's whole
traceback, in a file of its own (`run_log`), which the summary on screen points at.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The parent of every module's logger.
ROOT = "umkmkit"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def show_on_screen(verbose: bool) -> logging.Handler:
    """Show the kit's log records on standard error: warnings and errors, everything if `verbose`."""
    logger = logging.getLogger(ROOT)
    for handler in [h for h in logger.handlers if isinstance(h, _Screen)]:
        logger.removeHandler(handler)
    handler = _Screen()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


class _Screen(logging.StreamHandler):
    """Standard error as it is when a record comes (a test runner may have swapped it since)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


@contextmanager
def run_log(path: Path) -> Iterator[Path]:
    """Record everything the kit's modules log while the block runs into `path` (UTF-8, appended)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(ROOT)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(_FORMAT))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
