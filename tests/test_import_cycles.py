"""No import circles between the modules of nlp/, flows/ and taxonomy/.

The graph is built from the source with ``ast``: every ``import`` and ``from … import``, at
module level and inside functions alike (a function-level import is still a dependency, it only
hides the circle until run time). ``from pkg import name`` counts as an import of ``pkg.name``
when that is a module, else of ``pkg``. A package depends on its ``__init__`` only through the
imports written there.

There is no allow-list: the last cycle outside the reports (nlp.analysis.themes ↔ taxonomy.themes) was
removed with them, and none was found in ingest / analysis.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nlp", "flows", "taxonomy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> nx.DiGraph:
    files = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, name, path.name == "__init__.py")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in targets:
                while target and target not in files:  # nlp.report.labels.X → nlp.report.labels
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def cycles() -> list[frozenset[str]]:
    return [frozenset(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert graph.has_edge("nlp.runs.pipeline", "nlp.report.write")  # imported inside write_stage
    assert graph.has_edge("nlp.report.render_xlsx", "nlp.report.document")


def test_no_import_cycles():
    assert [sorted(c) for c in cycles()] == []


def test_a_planted_cycle_is_found(tmp_path, monkeypatch):
    """The check itself: two modules importing each other inside functions form a cycle."""
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / "nlp").mkdir(exist_ok=True)
        (tmp_path / "nlp" / f"{name}.py").write_text(f"def f():\n    from nlp import {other}\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert cycles() == [frozenset({"nlp.a", "nlp.b"})]


def test_the_report_renderers_do_not_import_the_builders():
    graph = import_graph()
    for renderer in ("render_xlsx", "render_html", "render_pptx", "render_markdown"):
        reached = nx.descendants(graph, f"nlp.report.{renderer}")
        assert not {m for m in reached if m.startswith("nlp.report.build")}, renderer
        assert "nlp.tables.aggregate" not in reached and "nlp.runs.pipeline" not in reached, renderer
