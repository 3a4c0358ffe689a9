"""The HTTP API against the real embedded store and Neo4j (no mocked store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.test_store import load


@pytest.fixture(params=["falkordb", "neo4j"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "falkordb":
        url = f"falkordb-lite://{tmp_path}/db"
    else:
        url = request.getfixturevalue("neo4j_url")
        request.getfixturevalue("neo4j_session_store").clear()
    app = create_app(ApiSettings(graph=url))
    with TestClient(app) as c:
        load(c.app.state.store)  # type: ignore[attr-defined]
        yield c
        if request.param == "neo4j":
            c.app.state.store.clear()  # type: ignore[attr-defined]


def test_health_ready_stats(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/ready").json()["status"] == "ready"
    stats = client.get("/api/v1/stats").json()
    assert (stats["nodes"], stats["edges"]) == (5, 5)


def test_unknown_route_is_a_json_error(client: TestClient) -> None:
    r = client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_production_refuses_default_key() -> None:
    with pytest.raises(ValueError, match="CHAINKG_API_KEY"):
        ApiSettings(env="production")
    assert ApiSettings(env="production", api_key="a-long-secret-key").api_key == "a-long-secret-key"
