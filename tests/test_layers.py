"""The package's parts and the one direction of their imports.

src/umkmkit/ is folders by part, stacked: the shared base (the package's own top-level modules:
errors, files, formats, logs, workspace, pdf, spreadsheet), the datasets, the course, a cohort's
flow, grading and the ledger (side by side), the report and the room (side by side), the demo,
and the CLI on top. A module imports from its own part or from a part below; never from a part
above, nor from a part beside it, and no chain of imports comes back to where it started. Every
import counts, also one inside a function (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "umkmkit"

#: Bottom to top; the parts in one set sit side by side and import nothing of each other.
LAYERS: list[set[str]] = [
    {"base"},
    {"datasets"},
    {"course"},
    {"cohort"},
    {"grading", "ledger"},
    {"report", "room"},
    {"demo"},
    {"cli"},
]
#: The package's own top-level modules that every part may use.
BASE = {"__init__", "__main__", "errors", "files", "formats", "logs", "workspace", "pdf", "spreadsheet"}
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(["umkmkit", *parts])


def part_of(module: str) -> str:
    """The part a module of umkmkit belongs to: its folder, or base/demo/cli for a top-level one."""
    names = module.split(".")[1:]
    if not names:
        return "base"
    if (SOURCE / names[0]).is_dir():
        return names[0]
    return names[0] if names[0] in {"demo", "cli"} else ("base" if names[0] in BASE else f"unplaced:{names[0]}")


def imports(path: Path, module: str) -> list[tuple[str, int]]:
    """The umkmkit modules `path` imports (anywhere in it), with the line of each import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "umkmkit"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "umkmkit":
                continue
            # `from umkmkit.x import y`: y may be a module of the package x or a name in module x
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.append((candidate if known(candidate) else target, node.lineno))
    return found


def known(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (SOURCE / relative).with_suffix(".py").is_file() or (SOURCE / relative / "__init__.py").is_file()


def graph() -> dict[str, list[tuple[str, int]]]:
    modules = {module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}
    return {module: [(target, line) for target, line in imports(path, module) if target != module]
            for module, path in modules.items()}


def relative(module: str) -> str:
    path = SOURCE.joinpath(*module.split(".")[1:])
    return (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).relative_to(SOURCE.parents[1]).as_posix()


def test_every_module_sits_in_a_known_part():
    unplaced = sorted(module for module in graph() if part_of(module) not in RANK)
    assert not unplaced, (
        f"Put these modules into the folder of their part (or add a part to LAYERS): {', '.join(unplaced)}"
    )


def test_imports_go_only_down():
    wrong = []
    for module, targets in graph().items():
        for target, line in targets:
            source_part, target_part = part_of(module), part_of(target)
            if source_part == target_part or target_part not in RANK:
                continue
            if RANK[target_part] > RANK[source_part]:
                wrong.append(f"{relative(module)}:{line} imports {target} from {target_part}, a part above {source_part}")
            elif RANK[target_part] == RANK[source_part]:
                wrong.append(f"{relative(module)}:{line} imports {target} from {target_part}, a part beside {source_part}")
    assert not wrong, "Imports go down only (tests/test_layers.py, LAYERS):\n" + "\n".join(wrong)


def test_no_import_cycle():
    edges = {module: sorted({target for target, _ in targets if known(target)}) for module, targets in graph().items()}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for target in edges.get(module, []):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "Import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_checks_see_an_upward_import_and_a_cycle(tmp_path, monkeypatch):
    """The checks above can fail: a course module importing the report, and two modules importing each other."""
    fake = tmp_path / "umkmkit"
    for folder in ("course", "report"):
        (fake / folder).mkdir(parents=True)
        (fake / folder / "__init__.py").write_text("", encoding="utf-8")
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "course" / "curriculum.py").write_text("from umkmkit.report.build import build_report\n", encoding="utf-8")
    (fake / "report" / "build.py").write_text("def build_report():\n    from umkmkit.course import curriculum\n",
                                              encoding="utf-8")
    monkeypatch.setitem(globals(), "SOURCE", fake)
    try:
        test_imports_go_only_down()
    except AssertionError as error:
        assert "umkmkit/course/curriculum.py:1 imports umkmkit.report.build from report, a part above course" in str(error)
    else:
        raise AssertionError("an upward import went unseen")
    try:
        test_no_import_cycle()
    except AssertionError as error:
        assert "umkmkit.course.curriculum -> umkmkit.report.build -> umkmkit.course.curriculum" in str(error)
    else:
        raise AssertionError("an import cycle went unseen")
