"""The review queue: extracted nodes and edges waiting for a person to accept, reject or merge.

Items are addressed by a stable id: a node by its id, an edge by ``source|TYPE|key|target``
(``edge_item_id``). Only items with status ``extracted`` are in the queue.

- ``pending(store, limit, offset)``: the queue (nodes first, by id; then edges), with evidence;
- ``accept(store, item_id)``: status becomes ``reviewed``;
- ``reject(store, item_id)``: the edge, or the node with its edges, is deleted;
- ``merge(store, extracted_id, into_id)``: the extracted node is the same thing as ``into_id``:
  its name (and aliases) become aliases of ``into_id``, its edges move there, and it is deleted.

Every query is portable Cypher; relationship types only ever come from ``graph.model.REL_TYPES``.
An unknown or non-pending item raises ``graph.errors.NotFoundError``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from graph.cypher import upsert_edges_query
from graph.errors import InvalidElementError, NotFoundError
from graph.model import ENTITY_LABEL, REL_TYPES, Edge, Status, check_rel_type, endpoint_labels_ok, utc_now
from graph.store import GraphStore, model_label

__all__ = ["accept", "edge_item_id", "merge", "parse_item_id", "pending", "pending_count", "reject"]

PENDING = Status.EXTRACTED.value
REVIEWED = Status.REVIEWED.value

_COUNT_NODES = f"MATCH (n:{ENTITY_LABEL}) WHERE n.status = $status RETURN count(n) AS n"
_COUNT_EDGES = f"MATCH (:{ENTITY_LABEL})-[r]->(:{ENTITY_LABEL}) WHERE r.status = $status RETURN count(r) AS n"
_NODES = (
    f"MATCH (n:{ENTITY_LABEL}) WHERE n.status = $status "
    "RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.evidence AS evidence, "
    "n.confidence AS confidence, n.source AS source "
    "ORDER BY id SKIP $skip LIMIT $limit"
)
_EDGES = (
    f"MATCH (a:{ENTITY_LABEL})-[r]->(b:{ENTITY_LABEL}) WHERE r.status = $status "
    "RETURN a.id AS source, type(r) AS type, r.key AS key, b.id AS target, a.name AS source_name, "
    "b.name AS target_name, r.evidence AS evidence, r.confidence AS confidence, r.source AS doc "
    "ORDER BY source, type, key, target SKIP $skip LIMIT $limit"
)
_NODE = f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
_NODE_EDGES_OUT = (
    f"MATCH (n:{ENTITY_LABEL} {{id: $id}})-[r]->(b:{ENTITY_LABEL}) "
    "RETURN type(r) AS type, b.id AS other, labels(b) AS labels, properties(r) AS props"
)
_NODE_EDGES_IN = (
    f"MATCH (n:{ENTITY_LABEL} {{id: $id}})<-[r]-(b:{ENTITY_LABEL}) "
    "RETURN type(r) AS type, b.id AS other, labels(b) AS labels, properties(r) AS props"
)
_SET_NODE_STATUS = (
    f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) WHERE n.status = $pending "
    "SET n.status = $status, n.updated_at = $now RETURN count(n) AS n"
)
_DELETE_NODE = f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) WHERE n.status = $pending DETACH DELETE n"
_SET_ALIASES = f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) SET n.aliases = $aliases RETURN count(n) AS n"


def _edge_query(rel_type: str, action: str) -> str:
    """A query on one edge ``(source)-[TYPE {key}]->(target)`` with status ``$pending``."""
    rel_type = check_rel_type(rel_type)
    match = (
        f"MATCH (a:{ENTITY_LABEL} {{id: $source}})-[r:{rel_type}]->(b:{ENTITY_LABEL} {{id: $target}}) "
        "WHERE r.key = $key AND r.status = $pending "
    )
    if action == "find":
        return match + "RETURN count(r) AS n"
    if action == "accept":
        return match + "SET r.status = $status, r.updated_at = $now RETURN count(r) AS n"
    if action == "delete":
        return match + "DELETE r"
    raise ValueError(action)


def _move_edges_query(rel_type: str) -> str:
    """Create the moved edges of one type unless an edge with that key already links the pair."""
    return upsert_edges_query(rel_type, keep_existing=True)


# --- item ids ---------------------------------------------------------------------------------


def edge_item_id(source: str, rel_type: str, key: str, target: str) -> str:
    """The review id of an edge: ``source|TYPE|key|target``."""
    return f"{source}|{rel_type}|{key}|{target}"


def parse_item_id(item_id: str) -> tuple[str, str, str, str] | None:
    """(source, TYPE, key, target) of an edge id; None for a node id. Malformed → NotFoundError."""
    if "|" not in item_id:
        return None
    parts = item_id.split("|")
    if len(parts) < 4 or not parts[0] or not parts[-1]:
        raise NotFoundError(f"no review item {item_id!r}: an edge is addressed as source|TYPE|key|target", id=item_id)
    source, rel_type, target = parts[0], parts[1], parts[-1]
    key = "|".join(parts[2:-1])
    if rel_type not in REL_TYPES:
        raise NotFoundError(f"no review item {item_id!r}: unknown relationship type {rel_type!r}", id=item_id)
    return source, rel_type, key, target


def _edge_params(item: tuple[str, str, str, str]) -> dict[str, Any]:
    source, _, key, target = item
    return {"source": source, "key": key, "target": target, "pending": PENDING}


# --- the queue ----------------------------------------------------------------------------------


def pending_count(store: GraphStore) -> dict[str, int]:
    """Number of extracted nodes and edges waiting for review."""
    nodes = int(store.read(_COUNT_NODES, {"status": PENDING})[0]["n"])
    edges = int(store.read(_COUNT_EDGES, {"status": PENDING})[0]["n"])
    return {"nodes": nodes, "edges": edges}


def pending(store: GraphStore, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """One page of the review queue: extracted nodes (by id), then extracted edges.

    A node item: ``{"kind": "node", "id", "label", "name", "evidence", "confidence", "source"}``;
    an edge item: ``{"kind": "edge", "id" (source|TYPE|key|target), "type", "source", "target",
    "key", "source_name", "target_name", "evidence", "confidence", "doc"}``.
    """
    if limit < 0 or offset < 0:
        raise InvalidElementError("limit and offset must not be negative")
    items: list[dict[str, Any]] = []
    if limit == 0:
        return items
    n_nodes = int(store.read(_COUNT_NODES, {"status": PENDING})[0]["n"])
    if offset < n_nodes:
        rows = store.read(_NODES, {"status": PENDING, "skip": offset, "limit": limit})
        for r in rows:
            items.append(
                {
                    "kind": "node",
                    "id": r["id"],
                    "label": model_label(r["labels"]),
                    "name": r["name"],
                    "evidence": r["evidence"] or "",
                    "confidence": r["confidence"],
                    "source": r["source"],
                }
            )
    remaining = limit - len(items)
    if remaining > 0:
        skip = max(0, offset - n_nodes)
        rows = store.read(_EDGES, {"status": PENDING, "skip": skip, "limit": remaining})
        for r in rows:
            key = r["key"] if r["key"] is not None else ""
            items.append(
                {
                    "kind": "edge",
                    "id": edge_item_id(r["source"], r["type"], key, r["target"]),
                    "type": r["type"],
                    "source": r["source"],
                    "target": r["target"],
                    "key": key,
                    "source_name": r["source_name"],
                    "target_name": r["target_name"],
                    "evidence": r["evidence"] or "",
                    "confidence": r["confidence"],
                    "doc": r["doc"],
                }
            )
    return items


def _pending_node(store: GraphStore, node_id: str) -> dict[str, Any]:
    rows = store.read(_NODE, {"id": node_id})
    if not rows or rows[0]["props"].get("status") != PENDING:
        raise NotFoundError(f"no extracted node {node_id!r} waiting for review", id=node_id)
    return dict(rows[0])


def _require_edge(store: GraphStore, item_id: str, item: tuple[str, str, str, str]) -> None:
    rows = store.read(_edge_query(item[1], "find"), _edge_params(item))
    if not rows or int(rows[0]["n"]) == 0:
        raise NotFoundError(f"no extracted edge {item_id!r} waiting for review", id=item_id)


# --- decisions ----------------------------------------------------------------------------------


def accept(store: GraphStore, item_id: str) -> dict[str, Any]:
    """Mark an extracted node or edge as ``reviewed``."""
    item = parse_item_id(item_id)
    now = utc_now()
    if item is None:
        _pending_node(store, item_id)
        store.write(_SET_NODE_STATUS, {"id": item_id, "pending": PENDING, "status": REVIEWED, "now": now})
    else:
        _require_edge(store, item_id, item)
        store.write(_edge_query(item[1], "accept"), {**_edge_params(item), "status": REVIEWED, "now": now})
    return {"id": item_id, "status": REVIEWED}


def reject(store: GraphStore, item_id: str) -> dict[str, Any]:
    """Delete an extracted edge, or an extracted node with its extracted edges.

    A node that other, non-extracted facts hang on (a curated or reviewed edge) is not deleted:
    reject or re-attach those first (InvalidElementError).
    """
    item = parse_item_id(item_id)
    if item is None:
        _pending_node(store, item_id)
        edges = _node_edges(store, item_id)
        kept = [e for e in edges if e["props"].get("status") != PENDING]
        if kept:
            raise InvalidElementError(
                f"node {item_id!r} has {len(kept)} edge(s) that are not extracted "
                f"({', '.join(sorted({e['type'] for e in kept}))}); reject or merge it after dealing with them",
                id=item_id,
            )
        store.write(_DELETE_NODE, {"id": item_id, "pending": PENDING})
        return {"id": item_id, "deleted": "node", "edges_deleted": len(edges)}
    _require_edge(store, item_id, item)
    store.write(_edge_query(item[1], "delete"), _edge_params(item))
    return {"id": item_id, "deleted": "edge", "edges_deleted": 1}


def _node_edges(store: GraphStore, node_id: str) -> list[dict[str, Any]]:
    """Every edge of a node: type, direction, the other end (id, label) and properties."""
    out: list[dict[str, Any]] = []
    for direction, query in (("out", _NODE_EDGES_OUT), ("in", _NODE_EDGES_IN)):
        for r in store.read(query, {"id": node_id}):
            out.append(
                {
                    "type": r["type"],
                    "direction": direction,
                    "other": r["other"],
                    "other_label": model_label(r["labels"]),
                    "props": dict(r["props"]),
                }
            )
    return out


def merge(store: GraphStore, extracted_id: str, into_id: str) -> dict[str, Any]:
    """Fold the extracted node ``extracted_id`` into the existing node ``into_id``.

    Its name and aliases become aliases of ``into_id``; each of its edges is re-created on
    ``into_id`` (same type, key and properties; an edge that already links ``into_id`` to the same
    node with the same type and key is kept as it is, and one that would become a self-loop is
    dropped); then the extracted node is deleted. Edges the model does not allow on ``into_id``'s
    label make the whole merge fail before anything is written.
    """
    if extracted_id == into_id:
        raise InvalidElementError("cannot merge a node into itself", id=into_id)
    source = _pending_node(store, extracted_id)
    rows = store.read(_NODE, {"id": into_id})
    if not rows:
        raise NotFoundError(f"no node {into_id!r} to merge into", id=into_id)
    target = rows[0]
    into_label = model_label(target["labels"])

    by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    # cooperation is stored once and read both ways: do not add B→A where A→B exists
    cooperating = {e["other"] for e in _node_edges(store, into_id) if e["type"] == "COOPERATES_WITH"}
    dropped = 0
    for e in _node_edges(store, extracted_id):
        rel_type = check_rel_type(e["type"])
        if e["other"] == into_id or (rel_type == "COOPERATES_WITH" and e["other"] in cooperating):
            dropped += 1
            continue
        if e["direction"] == "out":
            s, t, s_label, t_label = into_id, e["other"], into_label, e["other_label"]
        else:
            s, t, s_label, t_label = e["other"], into_id, e["other_label"], into_label
        if not endpoint_labels_ok(Edge(type=rel_type, source=s, target=t), s_label, t_label):
            raise InvalidElementError(
                f"cannot merge {extracted_id!r} into {into_id!r}: a {rel_type} edge cannot go from "
                f"{s_label} {s!r} to {t_label} {t!r}",
                type=rel_type,
            )
        props = dict(e["props"])
        props.setdefault("key", "")
        by_type[rel_type].append({"source": s, "target": t, "key": props["key"], "props": props})

    tprops = target["props"]
    aliases: list[str] = []
    for a in [*(tprops.get("aliases") or []), source["props"].get("name"), *(source["props"].get("aliases") or [])]:
        if a and a != tprops.get("name") and a not in aliases:
            aliases.append(str(a))
    store.write(_SET_ALIASES, {"id": into_id, "aliases": aliases})
    moved = 0
    for rel_type in sorted(REL_TYPES):
        rows_t = by_type.get(rel_type)
        if rows_t:
            store.write(_move_edges_query(rel_type), {"rows": rows_t})
            moved += len(rows_t)
    store.write(_DELETE_NODE, {"id": extracted_id, "pending": PENDING})
    return {"id": extracted_id, "into": into_id, "aliases": aliases, "edges_moved": moved, "edges_dropped": dropped}
