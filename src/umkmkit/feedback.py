"""Feedback pages a trainee may keep: which checks failed and why, never the hidden tests' code,
and readable offline (no CDN)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets.config import Config

from umkmkit import notebooks

#: What a trainee sees in place of the hidden tests' code.
HIDDEN_PLACEHOLDER = "# (pemeriksaan tersembunyi: kodenya tidak ditampilkan)"
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>\s*", re.IGNORECASE)
_MATHJAX_CONFIG = re.compile(r"<script[^>]*text/x-mathjax-config[^>]*>.*?</script>\s*", re.IGNORECASE | re.DOTALL)
_REMOTE_STYLESHEET = re.compile(r"<link[^>]*\bhref=[\"']https?://[^>]*>\s*", re.IGNORECASE)


class HideHiddenTests(NbGraderPreprocessor):
    """Replace hidden tests by a placeholder and cut tracebacks down to the assert message."""

    def preprocess_cell(self, cell, resources, index):
        if notebooks.is_test_cell(cell):
            cell.source = hide_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    message = f"{output.ename}: {output.evalue}" if output.evalue else output.ename
                    output.traceback = [message]
        return cell, resources


def hide_hidden_tests(source: str) -> str:
    """The test cell's source with each hidden block replaced by one placeholder line."""
    kept, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == notebooks.BEGIN_HIDDEN_TESTS:
            inside = True
            kept.append(line[: len(line) - len(line.lstrip())] + HIDDEN_PLACEHOLDER)
        elif marker == notebooks.END_HIDDEN_TESTS:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def configure(config: Config) -> None:
    """Make nbgrader's generate_feedback run HideHiddenTests before rendering."""
    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]


def make_offline(page: Path) -> None:
    """Drop references to the internet (MathJax from a CDN) from a feedback page, in place."""
    text = page.read_text(encoding="utf-8")
    cleaned = _REMOTE_STYLESHEET.sub("", _REMOTE_SCRIPT.sub("", _MATHJAX_CONFIG.sub("", text)))
    if cleaned != text:
        temporary = page.with_name(f".{page.name}.tmp")
        temporary.write_text(cleaned, encoding="utf-8")
        os.replace(temporary, page)
