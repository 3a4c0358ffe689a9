"""The read-only Cypher endpoint refuses every write in a corpus of attempts, on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graph.errors import ReadOnlyViolation
from graph.guard import check_read_only
from tests.test_api import client  # noqa: F401  (fixture: the API on each engine)

WRITES = [
    "CREATE (n:Entity {id: 'w1'})",
    "create (n:Entity {id: 'w2'}) return n",
    "MERGE (n:Entity {id: 'w3'}) RETURN n.id",
    "MATCH (n:Entity) SET n.name = 'x'",
    "MATCH (n:Entity) SET n:Hacked",
    "MATCH (n:Entity) REMOVE n.name",
    "MATCH (n:Entity) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Entity) WITH n LIMIT 1 CREATE (n)-[:LIKES]->(n)",
    "MATCH (n) FOREACH (x IN [1] | SET n.x = 1)",
    "UNWIND [1,2] AS i CREATE (:Entity {id: toString(i)})",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "load csv with headers from 'http://127.0.0.1/x.csv' AS r RETURN r",
    "CALL dbms.components()",
    "CALL db.idx.fulltext.createNodeIndex('Entity', 'name')",
    "CALL db.index.fulltext.drop('chainkg_names')",
    "CALL apoc.cypher.runWrite('CREATE (n)', {})",
    "CALL { CREATE (n:Entity {id: 'w4'}) } RETURN 1",
    "MATCH (n) RETURN n /* comment */ CREATE (m:Entity {id: 'w5'})",
    "RETURN 1 // hidden\nCREATE (m:Entity {id: 'w6'})",
    "RETURN 1 /* unterminated CREATE (m)",
    "MATCH (n) RETURN n UNION CREATE (m:Entity {id: 'w7'}) RETURN m",
    "CrEaTe (n:Entity {id: 'w8'})",
    "MATCH (n) SET\tn.name = 'tab'",
    "DROP INDEX chainkg_entity_name",
    "CREATE INDEX FOR (n:Entity) ON (n.x)",
    "MATCH (n:Entity) CALL { WITH n DETACH DELETE n } RETURN 1",
]


@pytest.mark.parametrize("query", WRITES)
def test_guard_refuses(query: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        check_read_only(query)


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n:Entity) WHERE n.name = 'CREATE (x)' RETURN n.id",  # keywords inside strings are data
        "MATCH (n:Entity) RETURN n.id AS `create`",
        "CALL db.labels() YIELD label RETURN label",
        "MATCH (n) WHERE n.name STARTS WITH 'x' RETURN count(n)",
        "CALL { MATCH (n:Entity) RETURN n.id AS id } RETURN id",
    ],
)
def test_guard_allows_reads(query: str) -> None:
    check_read_only(query)


def test_endpoint_refuses_every_write_and_changes_nothing(client: TestClient) -> None:  # noqa: F811
    before = client.get("/api/v1/export").json()
    for query in WRITES:
        r = client.post("/api/v1/cypher", json={"query": query})
        assert r.status_code == 403, (query, r.text)
        assert r.json()["error"]["code"] == "read_only"
    assert client.get("/api/v1/export").json() == before


def test_engine_refuses_writes_the_guard_never_sees(client: TestClient) -> None:  # noqa: F811
    store = client.app.state.store  # type: ignore[attr-defined]
    before = client.get("/api/v1/export").json()
    for query in ["CREATE (n:Entity {id: 'e1'})", "MATCH (n) DETACH DELETE n", "MERGE (n:Entity {id: 'e2'})"]:
        with pytest.raises(Exception, match=r"(?i)read|write|access"):
            store.read(query)
    assert client.get("/api/v1/export").json() == before


def test_endpoint_reads_with_params_and_row_limit(client: TestClient) -> None:  # noqa: F811
    r = client.post(
        "/api/v1/cypher",
        json={
            "query": "MATCH (n:Entity) WHERE n.id STARTS WITH $p RETURN n.id AS id ORDER BY id",
            "params": {"p": "ent:"},
        },
    )
    assert r.status_code == 200
    assert r.json() == {"rows": [{"id": "ent:a"}, {"id": "ent:b"}], "truncated": False, "limit": 10000}
    r = client.post("/api/v1/cypher", json={"query": "MATCH (n:Entity {id: 'prod:tdi'}) RETURN n"})
    assert r.json()["rows"][0]["n"]["name"] == "甲苯二异氰酸酯"  # nodes come back as property maps
    client.app.state.settings.cypher_max_rows = 2  # type: ignore[attr-defined]
    r = client.post("/api/v1/cypher", json={"query": "UNWIND range(1, 10) AS i RETURN i"})
    assert r.json() == {"rows": [{"i": 1}, {"i": 2}], "truncated": True, "limit": 2}
    r = client.post("/api/v1/cypher", json={"query": "MATCH (n RETURN n"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_query"
    r = client.post("/api/v1/cypher", json={"query": "RETURN $missing + 1 AS x", "params": {}})
    assert r.status_code == 400


def test_odd_parameters_are_400_not_500(client: TestClient) -> None:  # noqa: F811
    for params in ({"": 1}, {"a b": 1}):
        r = client.post("/api/v1/cypher", json={"query": "RETURN 1 AS one", "params": params})
        assert r.status_code == 422, (params, r.text)
    r = client.post("/api/v1/cypher", json={"query": "RETURN $x AS x", "params": {"x": 2**70}})
    assert r.status_code < 500, r.text  # an integer beyond 64 bits: refused or passed, never a crash
