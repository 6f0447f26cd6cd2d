"""The package import graph of ``accord``, counting every import, and the cycles in it.

Every ``import accord.x`` and ``from accord.x import y`` counts, at module level or inside a function; imports
under ``if TYPE_CHECKING:`` are listed separately (they never run, yet they still tie the packages together in a
reader's head). A package is ``accord.<first name>``: ``accord.cases`` for ``accord.cases.decisions``,
``accord.db`` for the module ``accord/db.py``.

    python scripts/import_graph.py            # cycles (strongly connected packages) and the edges inside them
    python scripts/import_graph.py --edges    # every package edge with where it comes from
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "accord"
Graph = dict[str, set[str]]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str
    in_function: bool
    type_checking: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join([*parts[:keep], *([node.module] if node.module else [])])
    if node.module is None:
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return _resolve(node, module, is_package)
    return []


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, where: str) -> None:
        self.module, self.is_package, self.where = module, is_package, where
        self.depth = 0
        self.type_checking = 0
        self.edges: list[Edge] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _function  # noqa: N815 - ast.NodeVisitor's naming
    visit_AsyncFunctionDef = _function  # noqa: N815

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self.type_checking += 1
            for child in node.body:
                self.visit(child)
            self.type_checking -= 1
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for target in _targets(node, self.module, self.is_package):
            if target == "accord" or not target.startswith("accord."):
                continue
            self.edges.append(Edge(self.module, target, f"{self.where}:{node.lineno}", self.depth > 0,
                                   self.type_checking > 0))

    visit_Import = _import  # noqa: N815
    visit_ImportFrom = _import  # noqa: N815


def collect(root: Path = ROOT) -> list[Edge]:
    edges: list[Edge] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        collector = _Collector(module_name(path), path.name == "__init__.py", str(path.relative_to(root.parent)))
        collector.visit(ast.parse(path.read_text(encoding="utf-8")))
        edges.extend(collector.edges)
    return edges


def package_graph(edges: list[Edge]) -> Graph:
    graph: Graph = defaultdict(set)
    for edge in edges:
        source, target = package_of(edge.source), package_of(edge.target)
        graph[source]
        if source != target:
            graph[source].add(target)
    return dict(graph)


class _Tarjan:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.found: list[list[str]] = []

    def visit(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        for nxt in sorted(self.graph.get(node, ())):
            if nxt not in self.index:
                self.visit(nxt)
                self.low[node] = min(self.low[node], self.low[nxt])
            elif nxt in self.stack:
                self.low[node] = min(self.low[node], self.index[nxt])
        if self.low[node] == self.index[node]:
            self._pop(node)

    def _pop(self, root: str) -> None:
        component = self.stack[self.stack.index(root):]
        del self.stack[self.stack.index(root):]
        if len(component) > 1:
            self.found.append(sorted(component))


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's components with more than one package: each is a knot of packages that import one another."""
    tarjan = _Tarjan(graph)
    for node in sorted(graph):
        if node not in tarjan.index:
            tarjan.visit(node)
    return tarjan.found


def simple_cycles(graph: Graph, limit: int = 100_000) -> int:
    """How many elementary cycles there are (Johnson-style search from each start, smallest node first)."""
    nodes = sorted(graph)
    count = 0
    for start_index, start in enumerate(nodes):
        allowed = set(nodes[start_index:])
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack and count < limit:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    count += 1
                elif nxt in allowed and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return count


def _print_component(component: list[str], edges: list[Edge]) -> None:
    members = set(component)
    print(f"cycle of {len(component)} packages: {', '.join(component)}")
    for edge in edges:
        source, target = package_of(edge.source), package_of(edge.target)
        if source in members and target in members and source != target:
            how = "TYPE_CHECKING" if edge.type_checking else "function" if edge.in_function else "module"
            print(f"  {source} -> {target}  [{how}] {edge.where} ({edge.target})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="print every package edge")
    args = parser.parse_args()
    edges = collect()
    runtime = [edge for edge in edges if not edge.type_checking]
    if args.edges:
        for edge in edges:
            if package_of(edge.source) != package_of(edge.target):
                print(f"{package_of(edge.source)} -> {package_of(edge.target)}  {edge.where}")
        return 0
    for label, chosen in (("every import", edges), ("without TYPE_CHECKING", runtime)):
        graph = package_graph(chosen)
        components = strongly_connected(graph)
        print(f"{label}: {len(graph)} packages, {sum(map(len, graph.values()))} package edges, "
              f"{len(components)} knot(s), {simple_cycles(graph)} elementary cycle(s)")
    print(f"function-level imports of another package: "
          f"{sum(1 for e in edges if e.in_function and package_of(e.source) != package_of(e.target))}; "
          f"TYPE_CHECKING imports: {sum(1 for e in edges if e.type_checking)}")
    for component in strongly_connected(package_graph(edges)):
        _print_component(component, edges)
    return 1 if strongly_connected(package_graph(edges)) else 0


if __name__ == "__main__":
    raise SystemExit(main())
