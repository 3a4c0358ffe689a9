"""No Docker engine runs here, so check docker-compose.yml's structure instead."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_ports() -> None:
    services = compose()["services"]
    assert set(services) == {"neo4j", "api"}
    assert services["neo4j"]["image"].startswith("neo4j:5.26")
    assert "127.0.0.1:7687:7687" in services["neo4j"]["ports"]
    assert "127.0.0.1:8000:8000" in services["api"]["ports"]


def test_neo4j_has_healthcheck_volumes_and_memory() -> None:
    neo = compose()["services"]["neo4j"]
    assert "cypher-shell" in " ".join(neo["healthcheck"]["test"])
    assert any(v.startswith("neo4j-data:/data") for v in neo["volumes"])
    env = neo["environment"]
    assert {"NEO4J_server_memory_heap_max__size", "NEO4J_server_memory_pagecache_size"} <= set(env)


def test_api_points_at_the_neo4j_service() -> None:
    doc = compose()
    api = doc["services"]["api"]
    assert api["environment"]["CHAINKG_GRAPH"] == "bolt://neo4j:7687"
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["build"]["dockerfile"] == "Dockerfile"
    assert (ROOT / api["build"]["dockerfile"]).is_file()
    # the API refuses a default key outside development, so compose must demand one
    assert api["environment"]["CHAINKG_ENV"] == "production"
    assert "CHAINKG_API_KEY:?" in api["environment"]["CHAINKG_API_KEY"]


def test_dockerfile_serves_the_api() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.12" in text
    assert 'CMD ["chainkg", "serve"' in text
