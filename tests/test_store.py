"""The store on both engines: upserts, idempotency, validation, injection, read-only mode."""

from __future__ import annotations

import contextlib
import logging
import math
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidElementError, MissingEndpointError, ReadOnlyViolation, StoreError
from graph.model import (
    Edge,
    Enterprise,
    LocatedIn,
    Node,
    Park,
    Produces,
    Product,
    Supplies,
    UpstreamOf,
)
from graph.store import GraphStore, shared_and_rows

T = "2026-01-01T00:00:00Z"


def small_graph() -> tuple[list[Node], list[Edge]]:
    nodes = [
        Product(id="prod:toluene", name="甲苯", name_en="toluene", source="test", updated_at=T).to_node(),
        Product(id="prod:tdi", name="甲苯二异氰酸酯", aliases=["TDI"], source="test", updated_at=T).to_node(),
        Enterprise(id="ent:a", name="甲公司", employees=120, source="test", updated_at=T).to_node(),
        Enterprise(id="ent:b", name="乙公司", source="test", updated_at=T).to_node(),
        Park(id="park:p", name="某园区", source="test", updated_at=T).to_node(),
    ]
    edges = [
        UpstreamOf(source_id="prod:toluene", target_id="prod:tdi", source="test", updated_at=T).to_edge(),
        Produces(source_id="ent:a", target_id="prod:tdi", share=0.5, source="test", updated_at=T).to_edge(),
        LocatedIn(source_id="ent:a", target_id="park:p", source="test", updated_at=T).to_edge(),
        Supplies(source_id="ent:b", target_id="ent:a", product="prod:toluene", source="test", updated_at=T).to_edge(),
        Supplies(source_id="ent:b", target_id="ent:a", product="prod:tdi", source="test", updated_at=T).to_edge(),
    ]
    return nodes, edges


def load(store: GraphStore) -> None:
    nodes, edges = small_graph()
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)


def test_properties_round_trip_with_types(store: GraphStore) -> None:
    load(store)
    nodes = {n.id: n for n in store.iter_nodes()}
    tdi = nodes["prod:tdi"]
    assert tdi.label == "Product"
    assert tdi.properties["aliases"] == ["TDI"]
    assert tdi.properties["status"] == "curated"
    assert tdi.properties["confidence"] == 1.0
    assert nodes["ent:a"].properties["employees"] == 120
    edges = {(e.type, e.source, e.target, e.key): e for e in store.iter_edges()}
    assert edges[("PRODUCES", "ent:a", "prod:tdi", "")].properties["share"] == 0.5


def test_upsert_is_idempotent(store: GraphStore) -> None:
    load(store)
    before = (list(store.iter_nodes()), list(store.iter_edges()))
    load(store)
    load(store)
    assert store.counts() == (5, 5)
    assert (list(store.iter_nodes()), list(store.iter_edges())) == before


def test_parallel_edges_are_kept_apart_by_key(store: GraphStore) -> None:
    load(store)
    supplies = [e for e in store.iter_edges() if e.type == "SUPPLIES"]
    assert sorted(e.key for e in supplies) == ["prod:tdi", "prod:toluene"]


def test_upsert_replaces_properties(store: GraphStore) -> None:
    load(store)
    changed = Enterprise(id="ent:a", name="甲公司(新)", source="test2", updated_at=T).to_node()
    store.upsert_nodes([changed])
    got = {n.id: n for n in store.iter_nodes()}["ent:a"]
    assert got.properties["name"] == "甲公司(新)"
    assert "employees" not in got.properties  # dropped from the record, dropped from the store


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (Node(label="Robot", id="x:1", properties={"name": "r", "source": "t"}), "unknown node label"),
        (Node(label="Product", id="", properties={"name": "r", "source": "t"}), "id"),
        (Node(label="Product", id="p:1", properties={"source": "t"}), "name"),
        (Node(label="Product", id="p:1", properties={"name": "r"}), "source"),
        (Node(label="Enterprise", id="e:1", properties={"name": "r", "source": "t", "employees": "many"}), "employees"),
        (Node(label="Product", id="p:1", properties={"name": "r", "source": "t", "confidence": 2}), "confidence"),
        (Node(label="Product", id="p:1", properties={"name": "r", "source": "t", "color": "red"}), "color"),
        (Node(label="Product", id="p:1", properties={"name": "r", "source": "t", "status": "guessed"}), "status"),
    ],
)
def test_bad_nodes_are_refused_and_nothing_is_written(store: GraphStore, node: Node, message: str) -> None:
    good = Product(id="prod:ok", name="好", source="test").to_node()
    with pytest.raises(InvalidElementError, match=message):
        store.upsert_nodes([good, node])
    assert store.counts() == (0, 0)


def test_bad_edges_are_refused(store: GraphStore) -> None:
    load(store)
    with pytest.raises(InvalidElementError, match="unknown relationship type"):
        store.upsert_edges([Edge(type="LIKES", source="ent:a", target="ent:b", properties={"source": "t"})])
    with pytest.raises(MissingEndpointError, match="prod:nope"):
        store.upsert_edges([Produces(source_id="ent:a", target_id="prod:nope", source="t").to_edge()])
    with pytest.raises(InvalidElementError, match="PRODUCES cannot go from Product"):
        store.upsert_edges([Edge(type="PRODUCES", source="prod:tdi", target="prod:tdi", properties={"source": "t"})])
    assert store.counts() == (5, 5)


def test_id_cannot_change_label(store: GraphStore) -> None:
    load(store)
    with pytest.raises(InvalidElementError, match="already exists as a Product"):
        store.upsert_nodes([Enterprise(id="prod:tdi", name="x", source="t").to_node()])


INJECTIONS = [
    "Product {id: 'x'}) DETACH DELETE n //",
    "Product`) MATCH (n) DETACH DELETE n //",
    "Product:Entity",
    "product",
    "Product\n",
]


@pytest.mark.parametrize("label", INJECTIONS)
def test_label_injection_is_refused(store: GraphStore, label: str) -> None:
    load(store)
    with pytest.raises(InvalidElementError, match="unknown node label"):
        store.upsert_nodes([Node(label=label, id="x:1", properties={"name": "x", "source": "t"})])
    with pytest.raises(InvalidElementError, match="unknown relationship type"):
        store.upsert_edges([Edge(type=label, source="ent:a", target="ent:b", properties={"source": "t"})])
    assert store.counts() == (5, 5)


def test_values_are_parameters_not_code(store: GraphStore) -> None:
    evil = "x'}) MATCH (n) DETACH DELETE n //"
    store.upsert_nodes([Product(id="prod:evil", name=evil, aliases=[evil], source=evil).to_node()])
    got = list(store.iter_nodes())
    assert len(got) == 1 and got[0].properties["name"] == evil


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n:Entity {id: 'w'}) RETURN n.id AS id",
        "MATCH (n:Entity) SET n.name = 'w' RETURN count(n) AS c",
        "MATCH (n:Entity) DETACH DELETE n",
        "MERGE (n:Entity {id: 'w'}) RETURN n.id AS id",
    ],
)
def test_read_refuses_writes(store: GraphStore, query: str) -> None:
    load(store)
    with pytest.raises((ReadOnlyViolation, StoreError)):
        store.read(query)
    assert store.counts() == (5, 5)
    assert {n.properties["name"] for n in store.iter_nodes()} >= {"甲公司", "乙公司"}


def test_read_returns_plain_values(store: GraphStore) -> None:
    load(store)
    rows = store.read(
        "MATCH (e:Enterprise)-[r:PRODUCES]->(p:Product) RETURN e.id AS e, p.aliases AS a, properties(r) AS props"
    )
    assert rows == [{"e": "ent:a", "a": ["TDI"], "props": rows[0]["props"]}]
    assert isinstance(rows[0]["props"], dict) and rows[0]["props"]["share"] == 0.5


def test_fulltext_finds_chinese_names(store: GraphStore) -> None:
    load(store)
    hits = store.fulltext("甲苯")
    assert "prod:toluene" in {h["id"] for h in hits}
    assert store.fulltext("toluene")[0]["id"] == "prod:toluene"


def test_schema_setup_is_idempotent_and_enforces_unique_ids(store: GraphStore) -> None:
    store.ensure_schema()
    store.ensure_schema()
    load(store)
    with pytest.raises(StoreError):
        store.write("CREATE (n:Entity:Product {id: 'prod:tdi', name: 'dup'})")
    assert store.counts() == (5, 5)


def _range_indexes(store: GraphStore) -> set[tuple[str, str]]:
    """(label, property) of each range (exact-value) index, as the engine lists them."""
    if store.backend == "neo4j":
        rows = store.read("SHOW RANGE INDEXES YIELD labelsOrTypes AS l, properties AS p RETURN l[0] AS l, p[0] AS p")
        return {(r["l"], r["p"]) for r in rows}
    rows = store.read("CALL db.indexes() YIELD label, types RETURN label, types")
    return {(r["label"], prop) for r in rows for prop, kinds in r["types"].items() if "RANGE" in kinds}


def test_schema_indexes_ids_but_not_names(store: GraphStore) -> None:
    # A range index on name served no query and cost a third of each node's write on Neo4j;
    # stores made with one lose it when the schema is set up again.
    old = "CREATE INDEX chainkg_entity_name" if store.backend == "neo4j" else "CREATE INDEX"
    store.write(f"{old} FOR (n:Entity) ON (n.name)")
    assert ("Entity", "name") in _range_indexes(store)
    store.ensure_schema()
    indexed = _range_indexes(store)
    assert ("Entity", "name") not in indexed
    assert {("Entity", "id"), ("Enterprise", "id"), ("Product", "id"), ("Chain", "id")} <= indexed
    load(store)
    assert store.fulltext("甲苯")[0]["id"] == "prod:toluene"


def test_clear_empties_the_store(store: GraphStore) -> None:
    load(store)
    store.clear()
    assert store.counts() == (0, 0)


def test_embedded_store_persists_across_restarts(tmp_path: Path) -> None:
    from graph.store import open_store

    url = f"falkordb-lite://{tmp_path}/db"
    with open_store(url) as store:
        store.ensure_schema()
        load(store)
        before = (list(store.iter_nodes()), list(store.iter_edges()))
        pid = store.server_pid  # type: ignore[attr-defined]
    with contextlib.suppress(psutil.NoSuchProcess):  # the last client shut the server down
        assert psutil.Process(pid).status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    with open_store(url) as store:
        assert (list(store.iter_nodes()), list(store.iter_edges())) == before
        assert store.fulltext("甲苯")[0]["id"] == "prod:toluene"  # indexes survive too


TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(list("\"\\:',{}[]`\n\t")), max_size=12
)
KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True) | st.sampled_from(["name", "source", "key", "id"])
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=False, allow_infinity=False).map(lambda f: float(f"{f:.14g}"))
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_parameters_round_trip_exactly(store: GraphStore, value: object) -> None:
    """Whatever the value (quotes, colons, backslashes, nesting), it comes back as it went in.

    Floats are kept to 14 significant digits: FalkorDB prints doubles with 15 in its replies."""
    assert store.read("RETURN $p AS p", {"p": value})[0]["p"] == value


def test_pipelined_batches_keep_order_and_stop_after_a_failure() -> None:
    from graph.store import _pipelined

    ran: list[int] = []

    def job(i: int) -> int:
        ran.append(i)
        if i == 1:
            raise StoreError("batch 1 refused")
        return i * 10

    progress: list[int] = []
    assert _pipelined([lambda i=i: job(i) for i in (0, 2, 3)], [1, 1, 1], progress.append) == [0, 20, 30]
    assert progress == [1, 1, 1]
    ran.clear()
    with pytest.raises(StoreError, match="batch 1"):
        _pipelined([lambda i=i: job(i) for i in range(6)], [1] * 6, None)
    assert max(ran) <= 2  # at most one batch beyond the failed one was started


def test_a_big_batch_does_not_flood_the_drivers_debug_log(
    neo4j_session_store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    # The driver formats each RUN's parameters for its debug log before it checks the level;
    # batch parameters carry a short repr so that costs nothing and a debug log stays readable.
    rows = [{"id": f"x{i}", "name": "名" * 20} for i in range(5000)]
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        got = neo4j_session_store.read("UNWIND $rows AS row RETURN count(row) AS n", {"rows": rows})
    assert got == [{"n": 5000}]
    runs = [r.getMessage() for r in caplog.records if " C: RUN " in r.getMessage()]
    assert runs and max(len(m) for m in runs) < 1000
    assert "<5000 items>" in runs[-1]


def test_bulk_statements_take_handle_functions_only_from_their_set() -> None:
    from graph import cypher

    assert "elementId(a) = row[0]" in cypher.create_edges_query("UPSTREAM_OF", "elementId", ["key"], ["source"])
    for build in (
        lambda f: cypher.existing_ids_query(f),
        lambda f: cypher.create_nodes_query("Product", f, ["id"], []),
        lambda f: cypher.create_edges_query("UPSTREAM_OF", f, [], []),
    ):
        with pytest.raises(ValueError, match="handle function"):
            build("id(a) = 0 DETACH DELETE a //")


@pytest.mark.neo4j
def test_bulk_batches_that_deadlock_are_retried(
    neo4j_session_store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    # Bulk batches run as auto-commit transactions, which the driver does not retry. Two such
    # batches lock a and b in opposite orders (spinning in between): Neo4j rolls one back as the
    # deadlock's victim, and the store must run it again, so both apply, each once.
    import threading

    from graph.backends.neo4j_bolt import Neo4jStore

    store = neo4j_session_store
    assert isinstance(store, Neo4jStore)
    store.write("CREATE (:Entity:Product {id: 'x:a', n: 0}), (:Entity:Product {id: 'x:b', n: 0})")
    batch = (
        "MATCH (first:Entity {id: $first}) SET first.n = first.n + 1 "
        "WITH first UNWIND range(1, $spin) AS i WITH first, count(i) AS spun "
        "MATCH (second:Entity {id: $second}) SET second.n = second.n + 1 RETURN spun"
    )
    errors: list[BaseException] = []

    def run_batch(first: str, second: str) -> None:
        try:  # ~1.5 s between the two locks: both batches hold their first when they ask
            store._write_batch(batch, {"first": first, "second": second, "spin": 60_000_000})
        except BaseException as e:  # reported by the test thread
            errors.append(e)

    workers = [threading.Thread(target=run_batch, args=pair) for pair in (("x:a", "x:b"), ("x:b", "x:a"))]
    with caplog.at_level(logging.INFO, logger="graph.backends.neo4j_bolt"):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert not any(w.is_alive() for w in workers) and errors == []
    assert any("DeadlockDetected" in r.getMessage() for r in caplog.records)
    rows = store.read("MATCH (n:Entity) WHERE n.id IN ['x:a', 'x:b'] RETURN n.id AS id, n.n AS n ORDER BY id")
    assert rows == [{"id": "x:a", "n": 2}, {"id": "x:b", "n": 2}]  # each batch applied once


def test_bulk_statements_take_property_names_only_from_the_model() -> None:
    from graph import cypher

    with pytest.raises(ValueError, match="no properties"):
        cypher.create_nodes_query("Product", "id", ["id", "name}) DETACH DELETE n //"], [])
    with pytest.raises(ValueError, match="no properties"):
        cypher.create_edges_query("UPSTREAM_OF", "id", [], ["employees"])


def test_a_batch_sends_what_all_its_records_share_once() -> None:
    props = [
        {"source": "s", "confidence": 0.9, "n": 1, "flag": True, "zero": 0.0, "aliases": [], "name": "甲", "x": None},
        {"source": "s", "confidence": 0.9, "n": 1.0, "flag": True, "zero": -0.0, "aliases": [], "name": "乙"},
    ]
    shared, columns, rows = shared_and_rows(props, [(10, 20), (11, 21)])
    assert shared == {"source": "s", "confidence": 0.9, "flag": True}
    assert columns == ["aliases", "n", "name", "zero"]  # lists, 1 vs 1.0, 0.0 vs -0.0 stay per row; x is null
    assert rows == [(10, 20, [], 1, "甲", 0.0), (11, 21, [], 1.0, "乙", -0.0)]
    assert [type(r[3]) for r in rows] == [int, float] and math.copysign(1, rows[1][5]) == -1
    assert shared_and_rows([{"id": "a", "source": "s"}]) == ({"id": "a", "source": "s"}, [], [()])


def test_created_batches_keep_shared_and_single_values(store: GraphStore) -> None:
    # Into a non-empty store both engines create through Cypher, values shared by the batch
    # sent once: a batch of one record shares all but its lists, even its id.
    load(store)
    one = [Product(id="prod:solo", name="独", aliases=["单"], source="solo", updated_at=T).to_node()]
    many = [Product(id=f"prod:m{i}", name=f"多{i}", source="many", updated_at=T).to_node() for i in range(3)]
    edges = [
        UpstreamOf(source_id="prod:solo", target_id=f"prod:m{i}", source="e", updated_at=T).to_edge() for i in range(3)
    ]
    assert store.upsert_nodes(one) == 1
    store.load(many, edges)
    got = {n.id: n for n in store.iter_nodes()}
    assert got["prod:solo"].properties == one[0].properties
    assert [got[n.id].properties for n in many] == [n.properties for n in many]
    links = sorted((e.source, e.target, e.properties["source"]) for e in store.iter_edges() if e.source == "prod:solo")
    assert links == [("prod:solo", f"prod:m{i}", "e") for i in range(3)]
