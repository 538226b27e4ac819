"""What a participant finds in place of each solution: a blank to fill, not a line to delete.

nbgrader's ClearSolutions replaces every `### BEGIN SOLUTION` ... `### END SOLUTION` region
with one fixed stub (`# YOUR CODE HERE` + `raise NotImplementedError()`), which a beginner must
delete before "Run All" gets past it. `ClearSolutionsWithBlanks` keeps nbgrader's behaviour and
derives the stub from the region instead:

- lines `### STUB: <code>` inside the region are the stub, verbatim (e.g. "fix this wrong line");
- otherwise, a region made only of assignments to names gets `name = ...` for each name, the
  worksheet blank participants know ("harga = ....");
- otherwise (a function body in an optional challenge), nbgrader's configured code stub.

The class plugs into nbgrader's own GenerateAssignment pipeline through nbgrader_config.py
(`GenerateAssignment.preprocessors`), so exercises/ is still made by nbgrader alone.
"""

from __future__ import annotations

import ast
import re
import textwrap

from nbgrader.converters.generate_assignment import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

from umkmkit.course.notebooks import STUB_MARKER


def stub_lines(region: list[str]) -> list[str] | None:
    """The participant's version of a solution region (its lines without the markers), or None
    when nbgrader's configured stub applies. Lines are returned without the region's indent."""
    code = textwrap.dedent("\n".join(region))
    explicit = [line.strip()[len(STUB_MARKER):].removeprefix(" ") for line in code.splitlines()
                if line.strip().startswith(STUB_MARKER)]
    if explicit:
        return explicit
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    names: list[str] = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets)):
            return None
        for target in statement.targets:
            if target.id not in names:
                names.append(target.id)
    return [f"{name} = ..." for name in names] or None


class ClearSolutionsWithBlanks(ClearSolutions):
    """nbgrader's ClearSolutions, with a stub made from each code region (see the module)."""

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code":
            return super()._replace_solution_region(cell, language)
        lines = cell.source.split("\n")
        new_lines: list[str] = []
        region: list[str] | None = None
        indent = ""
        replaced = False
        for line in lines:
            if self.begin_solution_delimeter in line:
                if region is not None:
                    raise RuntimeError("encountered nested begin solution statements")
                region, indent, replaced = [], re.match(r"\s*", line).group(0), True
            elif self.end_solution_delimeter in line and region is not None:
                stub = stub_lines(region) or self.code_stub[language].split("\n")
                new_lines.extend(indent + stub_line for stub_line in stub)
                region = None
            elif region is not None:
                region.append(line)
            else:
                new_lines.append(line)
        if region is not None:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(new_lines)
        return replaced


def generate_assignment_preprocessors() -> list[str]:
    """nbgrader's GenerateAssignment pipeline with ClearSolutions swapped for ours (same place).

    As import names, which nbconvert accepts and a cohort's written nbgrader_config.py can hold.
    """
    steps = [
        ClearSolutionsWithBlanks if step is ClearSolutions else step
        for step in GenerateAssignment.class_traits()["preprocessors"].default()
    ]
    return [f"{step.__module__}.{step.__qualname__}" for step in steps]
