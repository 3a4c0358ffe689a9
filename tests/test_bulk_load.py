"""``GraphStore.load`` into an empty store.

On the embedded engine this takes FalkorDB's binary bulk format (graph/backends/falkordb_bulk.py)
instead of Cypher. These tests hold it to the Cypher path: the same graph, values and types;
bad input refused whole; restarts replay it; a concurrent writer never makes a duplicate id.
Every test runs on both engines (Neo4j always loads through Cypher: the same answers).
"""

from __future__ import annotations

import math
import struct
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from graph.backends.falkordb_bulk import Encoder, Unencodable
from graph.backends.falkordb_lite import FalkorDBLiteStore
from graph.errors import InvalidElementError, MissingEndpointError, StoreError
from graph.exchange import graph_document
from graph.model import Edge, Node, Produces, Product, Status, UpstreamOf
from graph.store import GraphStore, open_store
from ingest.datasets import load_dataset
from tests.test_store import _range_indexes, small_graph

T = "2026-01-01T00:00:00Z"


def without(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return {**doc, "nodes": [n for n in doc["nodes"] if n["id"] != node_id]}


def test_load_into_an_empty_store_equals_loading_through_cypher(store: GraphStore) -> None:
    nodes, edges = load_dataset("baiyin")
    assert store.load(nodes, edges) == (len(nodes), len(edges))  # empty: the bulk format
    first = graph_document(store)
    store.clear()
    store.upsert_nodes([Product(id="prod:sentinel", name="哨兵", source="test").to_node()])
    store.load(nodes, edges)  # not empty: Cypher
    assert without(graph_document(store), "prod:sentinel") == first
    assert len(first["nodes"]) == len(nodes) and len(first["edges"]) == len(edges)


def test_bulk_load_keeps_every_value_and_type(store: GraphStore) -> None:
    nodes, edges = small_graph()
    odd = Product(
        id="prod:odd", name="名称 ‘引号’ \\ 反斜杠", name_en="", aliases=[], description="多行\n文本\t制表", source="t"
    ).to_node()
    store.load([*nodes, odd], edges)
    got = {n.id: n for n in store.iter_nodes()}
    assert got["prod:tdi"].properties["aliases"] == ["TDI"]
    assert got["prod:tdi"].properties["status"] == "curated"
    confidence, employees = got["prod:tdi"].properties["confidence"], got["ent:a"].properties["employees"]
    assert (confidence, type(confidence), employees, type(employees)) == (1.0, float, 120, int)
    for key, value in odd.properties.items():
        assert got["prod:odd"].properties.get(key) == value, key
    links = {(e.type, e.source, e.target, e.key): e for e in store.iter_edges()}
    assert links[("PRODUCES", "ent:a", "prod:tdi", "")].properties["share"] == 0.5
    assert links[("SUPPLIES", "ent:b", "ent:a", "prod:tdi")].properties["product"] == "prod:tdi"  # keyed
    assert store.counts() == (len(nodes) + 1, len(edges))


def test_repeated_ids_and_edges_count_once_last_wins(store: GraphStore) -> None:
    a1 = Product(id="prod:a", name="旧", source="t").to_node()
    a2 = Product(id="prod:a", name="新", source="t").to_node()
    b = Product(id="prod:b", name="乙", source="t").to_node()
    up = UpstreamOf(source_id="prod:a", target_id="prod:b", source="t", confidence=0.3).to_edge()
    up2 = UpstreamOf(source_id="prod:a", target_id="prod:b", source="t", confidence=0.9).to_edge()
    assert store.load([a1, b, a2], [up, up2]) == (2, 1)
    assert store.read("MATCH (n:Entity {id: 'prod:a'}) RETURN n.name AS name") == [{"name": "新"}]
    assert [e.properties["confidence"] for e in store.iter_edges()] == [0.9]


@pytest.mark.parametrize(
    ("edge", "error"),
    [
        (Produces(source_id="prod:a", target_id="prod:nope", source="t").to_edge(), MissingEndpointError),
        (Edge(type="PRODUCES", source="prod:a", target="prod:b", properties={"source": "t"}), InvalidElementError),
    ],
)
def test_a_bad_edge_leaves_the_store_empty(store: GraphStore, edge: Edge, error: type[Exception]) -> None:
    # Edges are checked while the engine inserts the nodes: a bad one must undo those.
    nodes = [Product(id=f"prod:{c}", name=c, source="t").to_node() for c in "ab"]
    with pytest.raises(error):
        store.load(nodes, [edge])
    assert store.counts() == (0, 0)
    assert store.load(nodes, []) == (2, 0)  # and the store still works


def _schema(store: GraphStore) -> tuple[set[tuple[str, str]], list[str]]:
    """Range indexes, and the ids full-text search finds for a name, once the engine has them
    all ready."""
    if store.backend == "falkordb-lite":  # FalkorDB builds indexes on a thread of its own
        states = store.read("CALL db.indexes() YIELD status RETURN status")
        states += store.read("CALL db.constraints() YIELD status RETURN status")
        assert {r["status"] for r in states} == {"OPERATIONAL"}, "load returned before its indexes were ready"
    return _range_indexes(store), sorted(hit["id"] for hit in store.fulltext("甲苯"))


@pytest.mark.parametrize("outcome", ["loaded", "refused"])
def test_a_load_into_an_empty_store_leaves_the_whole_schema_ready(store: GraphStore, outcome: str) -> None:
    # The embedded bulk path drops the full-text and per-label indexes while it inserts the
    # nodes and builds them again after; a refused load must leave them too.
    nodes, edges = small_graph()
    store.ensure_schema()
    store.load(nodes, edges)
    expected = _schema(store)
    assert ("Product", "id") in expected[0] and "prod:toluene" in expected[1]
    store.clear()
    if outcome == "refused":
        with pytest.raises(MissingEndpointError):
            store.load(nodes, [*edges, Produces(source_id="ent:a", target_id="prod:nope", source="t").to_edge()])
        assert store.counts() == (0, 0)
        store.upsert_nodes(nodes)  # through Cypher: indexes filled one node at a time
    else:
        store.load(nodes, edges)
    assert _schema(store) == expected
    with pytest.raises(StoreError):  # the uniqueness constraint holds
        store.write("CREATE (:Entity:Product {id: 'prod:toluene', name: 'x'})")


def test_a_large_load_returns_once_its_indexes_are_built(store: GraphStore) -> None:
    # FalkorDB builds indexes made on a populated graph on a thread of its own; the load waits.
    nodes = [Product(id=f"prod:{i}", name=f"产品{i}", source="t").to_node() for i in range(40000)]
    store.load(nodes, [])
    _schema(store)


def test_a_nul_character_is_treated_alike_on_both_paths(store: GraphStore) -> None:
    # The bulk format cannot carry NUL (C strings): that load falls back to Cypher, so an empty
    # and a non-empty store answer the same. (FalkorDB refuses NUL in a parameter; Neo4j keeps it.)
    node = Product(id="prod:nul", name="a\x00b", source="t").to_node()
    outcomes = []
    for empty in (True, False):
        store.clear()
        if not empty:
            store.upsert_nodes([Product(id="prod:other", name="其他", source="t").to_node()])
        try:
            store.load([node], [])
            outcomes.append(store.read("MATCH (n:Entity {id: 'prod:nul'}) RETURN n.name AS name"))
        except StoreError:
            outcomes.append("refused")
            assert store.counts() == ((0, 0) if empty else (1, 0))
    assert outcomes[0] == outcomes[1]


def test_a_concurrent_writer_never_makes_a_duplicate(store: GraphStore, request: pytest.FixtureRequest) -> None:
    # While a bulk load runs, Cypher writers wait for it; if they come first, the load takes the
    # Cypher path. Either way each id exists once.
    if isinstance(store, FalkorDBLiteStore):
        other: GraphStore = FalkorDBLiteStore(store.directory, graph=store.graph_name)
    else:
        other = open_store(request.getfixturevalue("neo4j_url"))
    nodes = [Product(id=f"prod:{i}", name=f"产品{i}", source="t", updated_at=T).to_node() for i in range(20000)]
    edges = [UpstreamOf(source_id=f"prod:{i}", target_id=f"prod:{i + 1}", source="t").to_edge() for i in range(19999)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def rival() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                other.upsert_nodes([Product(id=f"prod:{n * 997 % 20000}", name="抢先", source="rival").to_node()])
            except BaseException as e:  # reported below
                errors.append(e)
                return

    thread = threading.Thread(target=rival)
    thread.start()
    try:
        store.load(nodes, edges, batch_size=2000)
    finally:
        stop.set()
        thread.join()
        if other is not store:
            other.close()
    assert not errors
    dup = store.read("MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n")
    assert dup == [{"n": 0}]
    assert store.counts() == (20000, 19999)


def test_a_batch_another_writer_got_to_first_is_merged(store: GraphStore, request: pytest.FixtureRequest) -> None:
    # Between the load's look-up and its first create, another writer creates one of its ids:
    # the uniqueness constraint refuses that create batch, the batch is MERGEd instead, and the
    # edges touching its nodes still reach them (through handles read back from the store).
    store.upsert_nodes([Product(id="prod:seed", name="种子", source="t").to_node()])  # the Cypher path
    if isinstance(store, FalkorDBLiteStore):
        other: GraphStore = FalkorDBLiteStore(store.directory, graph=store.graph_name)
    else:
        other = open_store(request.getfixturevalue("neo4j_url"))
    create = store._create_nodes
    first = [True]

    def create_after_a_rival(label: str, nodes: list[Node]) -> dict[str, Any]:
        if first[0]:
            first[0] = False
            other.upsert_nodes([Product(id=nodes[0].id, name="抢先", source="rival").to_node()])
        return create(label, nodes)

    store._create_nodes = create_after_a_rival  # type: ignore[method-assign]
    try:
        nodes = [Product(id=f"prod:{i}", name=f"产品{i}", source="t").to_node() for i in range(10)]
        edges = [UpstreamOf(source_id=f"prod:{i}", target_id=f"prod:{i + 1}", source="t").to_edge() for i in range(9)]
        edges.append(UpstreamOf(source_id="prod:seed", target_id="prod:0", source="t").to_edge())
        assert store.load(nodes, edges, batch_size=4) == (10, 10)
    finally:
        del store._create_nodes
        if other is not store:
            other.close()
    assert first == [False]
    assert store.counts() == (11, 10)
    names = store.read("MATCH (n:Product) RETURN n.id AS id, n.name AS name ORDER BY id")
    assert {r["id"]: r["name"] for r in names} == {"prod:seed": "种子", **{f"prod:{i}": f"产品{i}" for i in range(10)}}
    chain = store.read("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) RETURN a.id AS a, b.id AS b ORDER BY a, b")
    expected = [("prod:seed", "prod:0"), *((f"prod:{i}", f"prod:{i + 1}") for i in range(9))]
    assert sorted((r["a"], r["b"]) for r in chain) == sorted(expected)


def test_an_embedded_bulk_load_survives_restarts(tmp_path: Path) -> None:
    # Reopening replays the append-only file; a second reopen replays what the first appended
    # (FalkorDB once diverged here when a load deleted and recreated the graph).
    url = f"falkordb-lite://{tmp_path}/db"
    nodes, edges = load_dataset("baiyin")
    with open_store(url) as store:
        store.ensure_schema()
    with open_store(url) as store:
        store.load(nodes, edges)
        expected = graph_document(store)
    for _ in range(2):
        with open_store(url) as store:
            store.ensure_schema()
            assert graph_document(store) == expected
            assert store.fulltext("银光")  # the full-text index came back too


# --- the encoder on its own (no engine) ------------------------------------------------------


def test_encoder_writes_falkordb_value_types() -> None:
    enc = Encoder()
    assert enc.value(None) == b"\x00"
    assert enc.value(True) == b"\x01\x01" and enc.value(False) == b"\x01\x00"
    assert enc.value(1.5) == b"\x02" + struct.pack("=d", 1.5)
    assert enc.value("白银") == b"\x03" + "白银".encode() + b"\x00"
    assert enc.value(-7) == b"\x04" + struct.pack("=q", -7)
    assert enc.value(["a", 1]) == b"\x05" + struct.pack("=q", 2) + b"\x03a\x00" + b"\x04" + struct.pack("=q", 1)
    # 1, 1.0 and True are equal in Python: a cached string must never answer for them
    assert enc.value("1") == b"\x031\x00" and enc.value(1)[0] == 4 and enc.value(1.0)[0] == 2


@pytest.mark.parametrize("value", ["a\x00b", math.nan, math.inf, 2**63, {"a": 1}, b"raw"])
def test_encoder_refuses_what_the_format_cannot_carry(value: object) -> None:
    with pytest.raises(Unencodable):
        Encoder().value(value)


def test_encoder_files_have_header_then_records() -> None:
    blob = Encoder().nodes(("Entity", "Product"), ["p1"], [{"name": "甲", "aliases": ["x"]}])
    header = b"Entity:Product\x00" + struct.pack("=I", 3) + b"id\x00aliases\x00name\x00"
    assert blob == header + b"\x03p1\x00" + b"\x05" + struct.pack("=q", 1) + b"\x03x\x00" + "\x03甲\x00".encode()
    blob = Encoder().edge_file("UPSTREAM_OF", [{"source": "t"}], {"key": ""}).with_ends([0], [1])
    header = b"UPSTREAM_OF\x00" + struct.pack("=I", 2) + b"key\x00source\x00"
    assert blob == header + struct.pack("=QQ", 0, 1) + b"\x03\x00" + b"\x03t\x00"


# Values whose Python equality differs from their encoding: 1 == 1.0 == True, 0.0 == -0.0.
_tricky = st.sampled_from([None, "", "a", "1", 1, 1.0, True, False, 0, 0.0, -0.0, Status.CURATED, "curated", ["a"], []])
_values = st.one_of(_tricky, st.text(max_size=3).filter(lambda s: "\x00" not in s), st.integers(-(2**63), 2**63 - 1))


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), _values, max_size=3), min_size=1, max_size=40))
@example([{"a": 0.0}, {"a": -0.0}])
@example([{"a": 1}, {"a": 1.0}, {"a": True}])
@example([{"b": "x", "c": Status.CURATED}, {"b": "x", "c": "curated"}])
def test_encoder_records_equal_value_by_value(props: list[dict[str, Any]]) -> None:
    """Records are encoded a column or a distinct record at a time: the bytes must be those of
    encoding each value on its own, absent keys taking their default."""
    enc = Encoder()
    keys = sorted(set().union(*props) | {"a"})
    expected = [b"".join(enc.value(p.get(k, "dflt" if k == "a" else None)) for k in keys) for p in props]
    assert Encoder().records(props, keys, {"a": "dflt"}) == expected
    repeated = props * 3  # at most a third distinct: the whole-record table
    assert Encoder().records(repeated, keys, {"a": "dflt"}) == expected * 3


@pytest.mark.parametrize("bad", ["a\x00b", math.nan, math.inf, 2**63, {"a": 1}])
@pytest.mark.parametrize("copies", [1, 5])  # distinct (column at a time) or repeated (table)
def test_encoder_records_refuse_what_the_format_cannot_carry(bad: object, copies: int) -> None:
    with pytest.raises(Unencodable):
        Encoder().records([{"k": bad}, {"k": "x"}] * copies, ["k"], {})
