"""The folders are the architecture: no import cycles, and no package imports one above it.

An AST walk over `src/` (every import counts, including those under `TYPE_CHECKING` or inside
functions), so the rule holds for the code as written, not only for what happens to run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Each top-level part of `charter` and its layer (design.md, "Shape"): a module may import its
#: own package and packages of a lower layer only. Same-layer packages never import each other.
LAYERS: dict[str, int] = {
    "": 0, "errors": 0, "__main__": 99,
    "yamlio": 1,
    "policy": 2, "git": 2,
    "engine": 3,
    "scenario": 4, "apidiff": 4,
    "checks": 5,
    "gate": 6, "store": 6,
    "forge": 7,
    "worker": 8,
    "web": 9,
    "cli": 10,
}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted((SRC / "charter").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _graph() -> dict[str, dict[str, int]]:
    """Module -> {imported charter module: line}, without a module's own ancestors."""
    graph: dict[str, dict[str, int]] = {}
    for name, path in MODULES.items():
        deps: dict[str, int] = {}
        for target, line in _imports(name, path):
            if target in MODULES and target != name and not name.startswith(target + "."):
                deps.setdefault(target, line)
        graph[name] = deps
    return graph


GRAPH = _graph()


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_cycle_detection_finds_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_every_package_has_a_layer() -> None:
    assert sorted({_part(m) for m in MODULES} - set(LAYERS)) == []


def test_no_package_imports_one_above_it() -> None:
    upward = [
        f"{MODULES[module].relative_to(SRC)}:{line} imports {target} "
        f"({_part(target) or 'charter'} is not below {_part(module)})"
        for module, deps in GRAPH.items() for target, line in deps.items()
        if _part(target) != _part(module) and LAYERS[_part(target)] >= LAYERS[_part(module)]
    ]
    assert upward == []


IO_MODULES = ("subprocess", "socket", "os", "shutil", "urllib", "httpx", "sqlalchemy")
CLOCK_CALLS = ("now", "utcnow", "today", "time", "monotonic")


def test_engine_does_no_io_and_reads_no_clock() -> None:
    """The engine decides from commands and an explicit `now`: state is a fold over the log."""
    found: list[str] = []
    for module, path in MODULES.items():
        if _part(module) != "engine":
            continue
        for target, line in _imports(module, path):
            if target.split(".")[0] in IO_MODULES or _part(target) == "git":
                found.append(f"{path.relative_to(SRC)}:{line} imports {target}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in CLOCK_CALLS:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} calls .{node.func.attr}()")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "open":
                found.append(f"{path.relative_to(SRC)}:{node.lineno} opens a file")
    assert found == []


def test_only_git_starts_git() -> None:
    starters = sorted(str(p.relative_to(SRC)) for m, p in MODULES.items()
                      if '"git"' in p.read_text(encoding="utf-8") and _part(m) != "git")
    assert starters == []


#: Modules that gather facts through git/ for the pure rules beside them.
FACT_READERS = {"charter.checks.repository", "charter.checks.suite", "charter.gate.facts",
                "charter.gate.evaluate"}
#: What a pure rule may take from git/: the records facts arrive in, never a reader.
GIT_RECORDS = {"Commit", "TreeEntry"}


def test_rules_decide_from_facts_and_read_nothing() -> None:
    """checks/ and gate/ rules get their facts from the readers; only those touch git."""
    found: list[str] = []
    for module, path in MODULES.items():
        if _part(module) not in ("checks", "gate") or module in FACT_READERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [(a.name, "") for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "", a.name) for a in node.names]
            else:
                continue
            for source, name in names:
                reads_git = source.startswith("charter.git") and name not in GIT_RECORDS
                if reads_git or source in FACT_READERS or source.split(".")[0] in IO_MODULES:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} imports "
                                 f"{source}{'.' + name if name else ''}")
    assert found == []
