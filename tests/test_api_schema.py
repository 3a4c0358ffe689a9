"""Property-based run against the OpenAPI schema (schemathesis): no generated request gets a 5xx.

On both engines, every operation gets a bounded number of generated requests; writes are tried
with and without the API key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.settings import ApiSettings
from tests.test_entities import build

EXAMPLES_PER_OPERATION = 25


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["falkordb", "neo4j"])
def test_no_server_errors(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if engine == "falkordb":
        url = f"falkordb-lite://{tmp_path}/db"
    else:
        url = request.getfixturevalue("neo4j_url")
        request.getfixturevalue("neo4j_session_store").clear()
    app = create_app(ApiSettings(graph=url, cypher_timeout_ms=2000, cypher_max_rows=100))
    with TestClient(app):  # runs the lifespan: the store stays open while schemathesis calls the app
        build(app.state.store)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20
        for operation in operations:

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=operation.as_strategy(), with_key=st.booleans())
            def run(case: schemathesis.Case, with_key: bool) -> None:
                if with_key:
                    case.headers = {**(case.headers or {}), "X-API-Key": "dev-key-change-me"}
                case.call_and_validate(checks=[not_a_server_error])

            run()
        if engine == "neo4j":
            app.state.store.clear()
