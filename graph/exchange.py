"""Whole-graph export and import: chainkg's JSON interchange format and GraphML.

JSON (``format: chainkg-graph``, version 1)::

    {"format": "chainkg-graph", "version": 1,
     "nodes": [{"id": "prod:tdi", "label": "Product", "properties": {"name": "TDI", ...}}],
     "edges": [{"type": "UPSTREAM_OF", "source": "prod:tda", "target": "prod:tdi",
                "properties": {"key": "", "source": "src:...", ...}}]}

Nodes are sorted by id and edges by (source, type, target, key), so two exports of the same
graph are byte-identical whatever the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from pydantic import ValidationError

from graph.errors import InputFileError
from graph.model import Edge, Node
from graph.store import GraphStore, Progress

FORMAT = "chainkg-graph"
VERSION = 1

# Properties derived from others and rebuilt by the store's maintenance, never exchanged.
DERIVED_PROPERTIES = frozenset({"places"})


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in sorted(props) if k not in DERIVED_PROPERTIES}


def graph_document(store: GraphStore) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {"id": n.id, "label": n.label, "properties": _clean(n.properties)} for n in store.iter_nodes()
    ]
    edges: list[dict[str, Any]] = [
        {"type": e.type, "source": e.source, "target": e.target, "properties": _clean(e.properties)}
        for e in store.iter_edges()
    ]
    nodes.sort(key=lambda n: n["id"])
    edges.sort(key=lambda e: (e["source"], e["type"], e["target"], str(e["properties"].get("key", ""))))
    return {"format": FORMAT, "version": VERSION, "nodes": nodes, "edges": edges}


def export_json(store: GraphStore, out: IO[str]) -> tuple[int, int]:
    doc = graph_document(store)
    json.dump(doc, out, ensure_ascii=False, indent=1, sort_keys=False)
    out.write("\n")
    return len(doc["nodes"]), len(doc["edges"])


def read_json(path: Path) -> tuple[list[Node], list[Edge]]:
    """Parse and validate a chainkg JSON file; every problem is listed with its place."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path}: not UTF-8", [{"file": str(path), "message": str(e)}]) from e
    except json.JSONDecodeError as e:
        raise InputFileError(f"{path}: not valid JSON", [{"file": str(path), "row": e.lineno, "message": e.msg}]) from e
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list) or not isinstance(doc.get("edges"), list):
        raise InputFileError(
            f"{path}: expected an object with 'nodes' and 'edges' lists",
            [{"file": str(path), "message": "missing nodes/edges"}],
        )
    return parse_document(doc, str(path))


def parse_document(doc: dict[str, Any], where: str) -> tuple[list[Node], list[Edge]]:
    problems: list[dict[str, Any]] = []
    nodes: list[Node] = []
    edges: list[Edge] = []
    ids: set[str] = set()
    for i, raw in enumerate(doc["nodes"]):
        try:
            node = Node.model_validate(raw).validated()
        except (ValidationError, ValueError) as e:
            problems.append({"file": where, "row": f"nodes[{i}]", "field": None, "message": str(e)})
            continue
        if node.id in ids:
            problems.append(
                {"file": where, "row": f"nodes[{i}]", "field": "id", "message": f"duplicate id {node.id!r}"}
            )
        ids.add(node.id)
        nodes.append(node)
    for i, raw in enumerate(doc["edges"]):
        try:
            edges.append(Edge.model_validate(raw).validated())
        except (ValidationError, ValueError) as e:
            problems.append({"file": where, "row": f"edges[{i}]", "field": None, "message": str(e)})
    if problems:
        raise InputFileError(f"{where}: {len(problems)} problem(s); nothing was written", problems)
    return nodes, edges


def load_elements(
    store: GraphStore,
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    *,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Upsert nodes, then edges. Edge endpoints may be in ``nodes`` or already in the store."""
    return store.load(nodes, edges, batch_size=batch_size, progress=progress)


# --- GraphML, for Gephi and Cytoscape desktop -------------------------------------------------


def _graphml_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _graphml_value(v: Any) -> str:
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)  # GraphML has no list type
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def export_graphml(store: GraphStore, out: IO[str]) -> tuple[int, int]:
    doc = graph_document(store)
    node_keys: dict[str, list[Any]] = {"label": []}
    edge_keys: dict[str, list[Any]] = {"type": []}
    for n in doc["nodes"]:
        node_keys["label"].append(n["label"])
        for k, v in n["properties"].items():
            node_keys.setdefault(k, []).append(v)
    for e in doc["edges"]:
        edge_keys["type"].append(e["type"])
        for k, v in e["properties"].items():
            edge_keys.setdefault(k, []).append(v)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for k, vals in node_keys.items():
        out.write(
            f'  <key id="n_{escape(k)}" for="node" attr.name={quoteattr(k)} attr.type="{_graphml_type(vals)}"/>\n'
        )
    for k, vals in edge_keys.items():
        out.write(
            f'  <key id="e_{escape(k)}" for="edge" attr.name={quoteattr(k)} attr.type="{_graphml_type(vals)}"/>\n'
        )
    out.write('  <graph id="chainkg" edgedefault="directed">\n')
    for n in doc["nodes"]:
        out.write(f"    <node id={quoteattr(n['id'])}>\n")
        out.write(f'      <data key="n_label">{escape(n["label"])}</data>\n')
        for k, v in n["properties"].items():
            out.write(f'      <data key="n_{escape(k)}">{escape(_graphml_value(v))}</data>\n')
        out.write("    </node>\n")
    for i, e in enumerate(doc["edges"]):
        out.write(f'    <edge id="e{i}" source={quoteattr(e["source"])} target={quoteattr(e["target"])}>\n')
        out.write(f'      <data key="e_type">{escape(e["type"])}</data>\n')
        for k, v in e["properties"].items():
            out.write(f'      <data key="e_{escape(k)}">{escape(_graphml_value(v))}</data>\n')
        out.write("    </edge>\n")
    out.write("  </graph>\n</graphml>\n")
    return len(doc["nodes"]), len(doc["edges"])
