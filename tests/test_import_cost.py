"""What every process the kit starts pays at import: rfc3987_syntax stays out (umkmkit/__init__.py),
and nbformat still validates notebooks."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import umkmkit
import nbformat
from jsonschema import Draft7Validator, FormatChecker
from nbformat.v4 import new_code_cell, new_notebook

assert sys.modules.get("rfc3987_syntax") is None and "lark" not in sys.modules  # its parser library
nb = new_notebook(cells=[new_code_cell("harga_jual = 15000")])
nbformat.validate(nb)
del nb.cells[0]["source"]
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    pass
else:
    raise AssertionError("a cell without its source passed validation")
checker = FormatChecker()
assert "iri" not in checker.checkers and "date" in checker.checkers
assert not Draft7Validator({"format": "date"}, format_checker=checker).is_valid("2022-13-45")
print("ok")
"""


def test_the_kit_keeps_rfc3987_syntax_out_and_notebooks_are_still_validated():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
