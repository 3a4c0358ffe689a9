"""Portable write statements for bulk upserts.

Labels and relationship types cannot be query parameters, so they are put into the text, but
only after ``check_label`` / ``check_rel_type`` accepted them from the model's fixed sets.
All values travel as parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from graph.model import ENTITY_LABEL, check_label, check_rel_type, property_names


def upsert_nodes_query(label: str) -> str:
    """MERGE nodes of one label by id and replace their properties with the given ones.

    ``SET n = row.props`` (not ``+=``) makes an upsert complete: a property dropped from the
    record is dropped from the store, so re-loading a file converges on exactly its content.
    """
    label = check_label(label)
    return f"UNWIND $rows AS row MERGE (n:{ENTITY_LABEL}:{label} {{id: row.id}}) SET n = row.props RETURN count(n) AS n"


def upsert_edges_query(rel_type: str, *, keep_existing: bool = False) -> str:
    """MERGE relationships of one type by (source, key, target), replacing their properties;
    with ``keep_existing`` an edge already there keeps its properties (only new ones get them)."""
    rel_type = check_rel_type(rel_type)
    setter = "ON CREATE SET r += row.props " if keep_existing else "SET r = row.props "
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{ENTITY_LABEL} {{id: row.source}}) "
        f"MATCH (b:{ENTITY_LABEL} {{id: row.target}}) "
        f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b) "
        f"{setter}"
        "RETURN count(r) AS n"
    )


# A node's handle during one load is the engine's own id for it, read without an index: ``id``
# on FalkorDB, ``elementId`` on Neo4j (where ``id`` is deprecated).
HANDLE_FUNCTIONS = frozenset({"id", "elementId"})


def _check_handle(function: str) -> str:
    if function not in HANDLE_FUNCTIONS:
        raise ValueError(f"unknown node handle function {function!r}")
    return function


def existing_ids_query(handle: str) -> str:
    """Which of ``$ids`` exist, with their labels and handles."""
    return (
        f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) "
        f"RETURN n.id AS id, labels(n) AS labels, {_check_handle(handle)}(n) AS h"
    )


def create_nodes_query(label: str, handle: str, columns: Sequence[str], shared: Collection[str]) -> str:
    """CREATE nodes of one label from ``$rows``, each a list of the values of ``columns`` (``id``
    among them), the properties named in ``shared`` taken from the map ``$shared``; one record
    back with the [id, handle] pairs (not one record per node)."""
    props = literal_map(label, columns, shared)
    return (
        f"UNWIND $rows AS row CREATE (n:{ENTITY_LABEL}:{check_label(label)} {props}) "
        f"RETURN collect([n.id, {_check_handle(handle)}(n)]) AS h"
    )


def create_edges_query(rel_type: str, handle: str, columns: Sequence[str], shared: Collection[str]) -> str:
    """CREATE edges of one type from ``$rows``, each a list: the endpoints' handles, then the
    values of ``columns``; the properties named in ``shared`` come from the map ``$shared``."""
    fn = _check_handle(handle)
    props = literal_map(rel_type, columns, shared, first=2)
    return (
        f"UNWIND $rows AS row MATCH (a) WHERE {fn}(a) = row[0] MATCH (b) WHERE {fn}(b) = row[1] "
        f"CREATE (a)-[r:{check_rel_type(rel_type)} {props}]->(b) "
        "RETURN count(r) AS n"
    )


ALL_NODES = (
    f"MATCH (n:{ENTITY_LABEL}) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props "
    "ORDER BY id SKIP $skip LIMIT $limit"
)

ALL_EDGES = (
    f"MATCH (a:{ENTITY_LABEL})-[r]->(b:{ENTITY_LABEL}) "
    "RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props "
    "ORDER BY source, type, target, props.key SKIP $skip LIMIT $limit"
)

COUNT_NODES = f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n"
COUNT_EDGES = f"MATCH (:{ENTITY_LABEL})-[r]->(:{ENTITY_LABEL}) RETURN count(r) AS n"

# Deleting in bounded batches keeps each transaction small on large graphs: relationships
# first, so that a node batch never drags along the thousands of edges of a hub (a national
# graph's cities and products overran Neo4j's transaction memory limit that way).
DELETE_SOME_EDGES = f"MATCH (:{ENTITY_LABEL})-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS n"
DELETE_SOME_NODES = f"MATCH (n:{ENTITY_LABEL}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"


def literal_map(kind: str, columns: Sequence[str], shared: Collection[str], first: int = 0) -> str:
    """``{name: row[0], source: $shared.source, ...}``: property ``columns[i]`` from the row
    list's item ``first + i``, the ``shared`` ones (equal in every row of a batch) from the
    ``$shared`` map, sent once. Names must be properties the model allows for the label or
    relationship type. A literal map is about twice as fast as ``SET n = row`` on both engines;
    a null value stores nothing on either."""
    unknown = (set(columns) | set(shared)) - set(property_names(kind))
    if unknown:
        raise ValueError(f"{kind} has no properties {sorted(unknown)}")
    items = [f"{k}: row[{first + i}]" for i, k in enumerate(columns)]
    items += [f"{k}: $shared.{k}" for k in sorted(shared)]
    return "{" + ", ".join(items) + "}"
