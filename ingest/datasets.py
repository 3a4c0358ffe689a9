"""Bundled datasets: curated YAML files under ``ingest/data/<name>/`` turned into graph records.

``load_dataset("baiyin")`` reads every ``*.yaml`` file of the dataset (sub-folders included, in
sorted order), merges each file's ``defaults`` into its entries, validates every node and edge
against :mod:`graph.model` and returns ``(nodes, edges)`` ready for ``graph.exchange.load_elements``.

Any problem (bad YAML, unknown field, missing endpoint, duplicate id, missing evidence...) is
collected with its file and entry, and reported at once in one :class:`InputFileError`.
The file format is documented in ``ingest/data/baiyin/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputFileError, InvalidElementError, NotFoundError
from graph.model import EDGE_TYPES, NODE_LABELS, Edge, Node, endpoint_labels_ok

DATA_DIR = Path(__file__).parent / "data"

PROVENANCE_KEYS = frozenset({"source", "evidence", "confidence", "status", "updated_at", "valid_from", "valid_to"})
FILE_KEYS = frozenset({"defaults", "quotes", "nodes", "edges", "chain", "products", "flows"})
PRODUCT_ONLY_KEYS = frozenset({"stage", "in_chain"})


def list_datasets() -> list[str]:
    """Names of the bundled datasets (folders of ``ingest/data`` holding YAML files)."""
    if not DATA_DIR.is_dir():
        return []
    return sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir() and any(p.rglob("*.yaml")))


def load_dataset(name: str = "baiyin") -> tuple[list[Node], list[Edge]]:
    """Read, check and return the nodes and edges of a bundled dataset."""
    available = list_datasets()
    if name not in available:
        raise NotFoundError(f"unknown dataset {name!r}; available: {', '.join(available) or 'none'}", name=name)
    return load_dataset_dir(DATA_DIR / name)


def load_dataset_dir(directory: Path) -> tuple[list[Node], list[Edge]]:
    """Read, check and return the nodes and edges of every ``*.yaml`` file under ``directory``."""
    directory = Path(directory)
    files = sorted(directory.rglob("*.yaml"))
    if not files:
        raise InputFileError(f"no dataset files in {directory}", [{"file": str(directory), "message": "no *.yaml"}])
    reader = _Reader(directory)
    for path in files:
        reader.read_file(path)
    return reader.finish(directory.name)


def _is_row(entry: Any) -> bool:
    """A list entry: three values, optionally followed by a mapping of properties."""
    return isinstance(entry, list) and (len(entry) == 3 or (len(entry) == 4 and isinstance(entry[3], dict)))


class _Reader:
    """Accumulates records and problems across the files of one dataset."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.nodes: dict[str, Node] = {}
        self.node_where: dict[str, tuple[str, str]] = {}  # id -> (file, entry)
        # (edge, file, entry) so that late checks can still name where an edge came from
        self.edges: list[tuple[Edge, str, str]] = []
        self.problems: list[dict[str, Any]] = []

    # -- problems ---------------------------------------------------------------------------

    def problem(self, file: str, row: str, message: str, field: str | None = None) -> None:
        entry: dict[str, Any] = {"file": file, "row": row, "message": message}
        if field is not None:
            entry["field"] = field
        self.problems.append(entry)

    # -- files ------------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        file = path.relative_to(self.root).as_posix()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            self.problem(file, "-", f"cannot parse YAML: {e}")
            return
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(file, "-", "top level must be a mapping")
            return
        unknown = set(data) - FILE_KEYS
        if unknown:
            self.problem(file, "-", f"unknown top-level keys {sorted(unknown)}; allowed: {sorted(FILE_KEYS)}")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict) or set(defaults) - PROVENANCE_KEYS:
            self.problem(file, "defaults", f"defaults must be a mapping of {sorted(PROVENANCE_KEYS)}")
            defaults = {}

        nodes = data.get("nodes") or {}
        if not isinstance(nodes, dict):
            self.problem(file, "nodes", "nodes must be a mapping of label -> list of entries")
            nodes = {}
        for label, entries in nodes.items():
            for i, entry in enumerate(self._as_list(file, f"nodes.{label}", entries)):
                self.add_node(file, f"nodes.{label}[{i}]", str(label), entry, defaults)

        chain_id = None
        if "chain" in data:
            chain = data["chain"]
            if isinstance(chain, dict):
                chain_id = chain.get("id")
                self.add_node(file, "chain", "Chain", chain, defaults)
            else:
                self.problem(file, "chain", "chain must be a mapping")
        if "products" in data:
            if chain_id is None:
                self.problem(file, "products", "products need a chain: entry in the same file")
            for i, entry in enumerate(self._as_list(file, "products", data["products"])):
                self.add_product(file, f"products[{i}]", entry, defaults, chain_id)
        for i, entry in enumerate(self._as_list(file, "flows", data.get("flows"))):
            self.add_flow(file, f"flows[{i}]", entry, defaults)
        for i, entry in enumerate(self._as_list(file, "edges", data.get("edges"))):
            self.add_edge_entry(file, f"edges[{i}]", entry, defaults)

    def _as_list(self, file: str, row: str, value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(file, row, "must be a list")
            return []
        return value

    # -- nodes ------------------------------------------------------------------------------

    def add_node(
        self, file: str, row: str, label: str, entry: Any, defaults: Mapping[str, Any], skip: Iterable[str] = ()
    ) -> str | None:
        if not isinstance(entry, dict):
            self.problem(file, row, "entry must be a mapping")
            return None
        node_id = entry.get("id")
        if not isinstance(node_id, str) or not node_id:
            self.problem(file, row, "entry has no id", field="id")
            return None
        where = f"{row} ({node_id})"
        if label not in NODE_LABELS:
            self.problem(file, where, f"unknown label {label!r}; expected one of {sorted(NODE_LABELS)}")
            return None
        props = {**defaults, **{k: v for k, v in entry.items() if k != "id" and k not in skip}}
        if "updated_at" not in props:  # the model would stamp "now": loading twice would differ
            self.problem(file, where, "updated_at is not set (put it in the file defaults)", "updated_at")
        try:
            node = Node(label=label, id=node_id, properties=props).validated()
        except InvalidElementError as e:
            self.problem(file, where, e.message)
            return None
        if node_id in self.nodes:
            first = " ".join(self.node_where[node_id])
            self.problem(file, where, f"duplicate node id (first defined in {first})", field="id")
            return None
        self.nodes[node_id] = node
        self.node_where[node_id] = (file, where)
        return node_id

    def add_product(self, file: str, row: str, entry: Any, defaults: Mapping[str, Any], chain_id: str | None) -> None:
        if not isinstance(entry, dict):
            self.problem(file, row, "entry must be a mapping")
            return
        stage = entry.get("stage")
        if stage is None:
            self.problem(file, f"{row} ({entry.get('id') or entry.get('ref')})", "product has no stage", field="stage")
        in_chain = entry.get("in_chain") or {}
        if not isinstance(in_chain, dict):
            self.problem(file, row, "in_chain must be a mapping of provenance fields", field="in_chain")
            in_chain = {}
        if "ref" in entry:
            # A product defined in another file, placed in this chain too.
            product_id = entry["ref"]
            extra = set(entry) - {"ref", "stage"} - PROVENANCE_KEYS
            if extra:
                message = f"a ref entry takes only ref, stage and provenance fields, not {sorted(extra)}"
                self.problem(file, f"{row} ({product_id})", message)
            prov = {k: v for k, v in entry.items() if k in PROVENANCE_KEYS}
        else:
            product_id = self.add_node(file, row, "Product", entry, defaults, skip=PRODUCT_ONLY_KEYS)
            if product_id is None:
                return
            prov = {k: v for k, v in entry.items() if k in PROVENANCE_KEYS}
        if chain_id and stage is not None:
            props = {**prov, **in_chain, "stage": stage}
            self.add_edge(file, f"{row} IN_CHAIN", "IN_CHAIN", product_id, chain_id, props, defaults)

    # -- edges ------------------------------------------------------------------------------

    def add_flow(self, file: str, row: str, entry: Any, defaults: Mapping[str, Any]) -> None:
        if not _is_row(entry):
            self.problem(file, row, "a flow is [source, target, evidence] or [source, target, evidence, {props}]")
            return
        props = dict(entry[3]) if len(entry) == 4 else {}
        props.setdefault("evidence", entry[2])
        self.add_edge(file, row, "UPSTREAM_OF", entry[0], entry[1], props, defaults)

    def add_edge_entry(self, file: str, row: str, entry: Any, defaults: Mapping[str, Any]) -> None:
        if isinstance(entry, list):
            if not _is_row(entry):
                self.problem(file, row, "an edge is [TYPE, source, target] or [TYPE, source, target, {props}]")
                return
            rel_type, sources, targets = entry[0], entry[1], entry[2]
            props = dict(entry[3]) if len(entry) == 4 else {}
        elif isinstance(entry, dict):
            props = dict(entry)
            # "from"/"to" name the endpoints, so that "source" keeps its provenance meaning.
            try:
                rel_type, sources, targets = props.pop("type"), props.pop("from"), props.pop("to")
            except KeyError as e:
                self.problem(file, row, f"edge mapping needs type, from and to (missing {e})")
                return
        else:
            self.problem(file, row, "edge must be a list or a mapping")
            return
        # A list of sources or targets expands to one edge per pair (same properties).
        for s in sources if isinstance(sources, list) else [sources]:
            for t in targets if isinstance(targets, list) else [targets]:
                self.add_edge(file, row, rel_type, s, t, props, defaults)

    def add_edge(
        self,
        file: str,
        row: str,
        rel_type: Any,
        source: Any,
        target: Any,
        props: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> None:
        where = f"{row} ({rel_type} {source} -> {target})"
        if not isinstance(rel_type, str) or rel_type not in EDGE_TYPES:
            self.problem(file, where, f"unknown edge type {rel_type!r}; expected one of {sorted(EDGE_TYPES)}")
            return
        if not isinstance(source, str) or not isinstance(target, str):
            self.problem(file, where, "source and target must be node ids")
            return
        if "updated_at" not in {**defaults, **props}:
            self.problem(file, where, "updated_at is not set (put it in the file defaults)", "updated_at")
        try:
            edge = Edge(type=rel_type, source=source, target=target, properties={**defaults, **props}).validated()
        except InvalidElementError as e:
            self.problem(file, where, e.message)
            return
        self.edges.append((edge, file, where))

    # -- whole-dataset checks ---------------------------------------------------------------

    def finish(self, name: str) -> tuple[list[Node], list[Edge]]:
        sources = {i for i, n in self.nodes.items() if n.label == "Source"}
        for node_id, node in self.nodes.items():
            self._check_provenance(*self.node_where[node_id], node.properties, sources)
        seen: dict[tuple[str, str, str, str], str] = {}
        edges: list[Edge] = []
        for edge, file, where in self.edges:
            ok = True
            for end in (edge.source, edge.target):
                if end not in self.nodes:
                    self.problem(file, where, f"no node with id {end!r} in the dataset")
                    ok = False
            if ok and not endpoint_labels_ok(edge, self.nodes[edge.source].label, self.nodes[edge.target].label):
                self.problem(
                    file,
                    where,
                    f"{edge.type} cannot join {self.nodes[edge.source].label} to {self.nodes[edge.target].label}",
                )
                ok = False
            if edge.identity() in seen:
                self.problem(file, where, f"duplicate edge (first in {seen[edge.identity()]}); set a distinct key")
                ok = False
            self._check_provenance(file, where, edge.properties, sources)
            if ok:
                seen[edge.identity()] = f"{file} {where}"
                edges.append(edge)
        # Every node is described by the Source it names: derive the CITED_IN edges.
        for node_id, node in self.nodes.items():
            src = node.properties.get("source")
            if node.label != "Source" and src in sources:
                props = {k: v for k, v in node.properties.items() if k in PROVENANCE_KEYS}
                edges.append(Edge(type="CITED_IN", source=node_id, target=src, properties=props).validated())
        if self.problems:
            raise InputFileError(f"dataset {name!r}: {len(self.problems)} problem(s)", self.problems)
        return list(self.nodes.values()), edges

    def _check_provenance(self, file: str, row: str, props: Mapping[str, Any], sources: set[str]) -> None:
        """Dataset rules beyond the model: a source that is a Source node, non-empty evidence."""
        if props.get("source") not in sources:
            self.problem(file, row, f"source {props.get('source')!r} is not a Source node of the dataset", "source")
        if not str(props.get("evidence") or "").strip():
            self.problem(file, row, "evidence is empty", "evidence")
