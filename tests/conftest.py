"""Fixtures that run every storage and query test on both real engines.

``store`` is parametrised over embedded FalkorDB and Neo4j. Neo4j is the server started by
``make test`` (tests/neo4j_server/harness.py), reached through ``CHAINKG_TEST_NEO4J``. Without
it the Neo4j half is skipped, unless ``CHAINKG_REQUIRE_NEO4J=1`` (set by the harness and CI),
where a missing server is an error: CI never passes on one engine alone.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.falkordb_lite import FalkorDBLiteStore
from graph.store import GraphStore

ENGINES = ["falkordb", "neo4j"]
_graph_numbers = itertools.count()


@pytest.fixture(scope="session")
def falkordb_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("falkordb")
    anchor = FalkorDBLiteStore(path, graph="anchor")  # keeps the embedded server up all session
    yield path
    anchor.close()


@pytest.fixture(scope="session")
def neo4j_url() -> str:
    url = os.environ.get("CHAINKG_TEST_NEO4J")
    if not url:
        if os.environ.get("CHAINKG_REQUIRE_NEO4J") == "1":
            pytest.fail("CHAINKG_REQUIRE_NEO4J=1 but CHAINKG_TEST_NEO4J is not set")
        pytest.skip("no Neo4j test server (run the suite with `make test`)")
    return url


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_url: str) -> Iterator[GraphStore]:
    from graph.backends.neo4j_bolt import Neo4jStore

    store = Neo4jStore.from_url(neo4j_url)
    store.clear()
    store.ensure_schema()
    yield store
    store.close()


def make_store(engine: str, request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if engine == "falkordb":
        directory = request.getfixturevalue("falkordb_dir")
        store = FalkorDBLiteStore(directory, graph=f"test{next(_graph_numbers)}")
        store.ensure_schema()
        try:
            yield store
        finally:
            store.write("MATCH (n) DETACH DELETE n")
            store.close()
    else:
        neo = request.getfixturevalue("neo4j_session_store")
        neo.clear()
        yield neo
        neo.clear()


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty store on each engine in turn."""
    yield from make_store(request.param, request)


@pytest.fixture
def other_store(request: pytest.FixtureRequest, store: GraphStore) -> Iterator[GraphStore]:
    """An empty store on the *other* engine (for cross-engine round trips)."""
    if store.backend == "neo4j":
        yield from make_store("falkordb", request)
    else:
        yield from make_store("neo4j", request)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("store") == "neo4j":
            item.add_marker(pytest.mark.neo4j)
