"""The CLI end to end on both engines, and a README that documents every command and setting."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import ApiSettings
from graph.settings import GraphSettings
from tests.test_store import load

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(params=["falkordb", "neo4j"])
def graph_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "falkordb":
        return f"falkordb-lite://{tmp_path}/db"
    url: str = request.getfixturevalue("neo4j_url")
    request.getfixturevalue("neo4j_session_store").clear()
    return url


def test_export_import_info(graph_url: str, tmp_path: Path) -> None:
    from graph.store import open_store

    with open_store(graph_url) as store:
        load(store)
    out = tmp_path / "g.json"
    r = runner.invoke(app, ["--graph", graph_url, "export", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["nodes"]) == 5

    other = f"falkordb-lite://{tmp_path}/copy"
    r = runner.invoke(app, ["--graph", other, "import", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"file": str(out), "nodes": 5, "edges": 5}
    r = runner.invoke(app, ["--graph", other, "info", "--json"])
    info = json.loads(r.stdout)
    assert (info["backend"], info["nodes"], info["edges"]) == ("falkordb-lite", 5, 5)

    graphml = tmp_path / "g.graphml"
    r = runner.invoke(app, ["--graph", other, "export", "--format", "graphml", str(graphml)])
    assert r.exit_code == 0 and graphml.read_text(encoding="utf-8").count("<node ") == 5


def test_bad_import_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"id": "x", "label": "Nope", "properties": {}}], "edges": []}', encoding="utf-8")
    r = runner.invoke(app, ["--graph", f"falkordb-lite://{tmp_path}/db", "import", str(bad)])
    assert r.exit_code == 2
    assert "nodes[0]" in r.output and "Nope" in r.output


def test_unknown_graph_scheme() -> None:
    r = runner.invoke(app, ["--graph", "mysql://x", "info"])
    assert r.exit_code == 2 and "unknown graph URL" in r.output


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert "export" in names and "import" in names
    for name in names:
        assert f"chainkg {name}" in readme(), f"command {name} is not in the README"


def test_every_setting_is_documented() -> None:
    fields = set(GraphSettings.model_fields) | set(ApiSettings.model_fields)
    for field in fields:
        assert f"CHAINKG_{field.upper()}" in readme(), f"setting CHAINKG_{field.upper()} is not in the README"


def test_every_route_is_documented() -> None:
    from api.app import create_app

    documented = set(re.findall(r"`(?:GET|POST|PUT|DELETE) (/api/v1/[^`\s]*)`", readme()))
    for route in create_app(ApiSettings()).routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/v1/"):
            assert path in documented, f"route {path} is not in the README"


def test_run_command_restarted_on_the_same_data_comes_back_the_same(tmp_path: Path) -> None:
    """What `make run` does twice in a row: load baiyin (idempotent) into the same directory."""
    graph = f"falkordb-lite://{tmp_path}/data"
    exports = []
    for n in range(2):  # each invocation starts the embedded server and shuts it down again
        assert runner.invoke(app, ["--graph", graph, "load", "baiyin"]).exit_code == 0
        out = tmp_path / f"export{n}.json"
        assert runner.invoke(app, ["--graph", graph, "export", str(out)]).exit_code == 0
        exports.append(out.read_text(encoding="utf-8"))
    assert exports[0] == exports[1]
    assert len(json.loads(exports[0])["nodes"]) > 400


def test_analytics_commands_on_the_bundled_data(tmp_path: Path) -> None:
    graph = f"falkordb-lite://{tmp_path}/data"
    assert runner.invoke(app, ["--graph", graph, "load", "baiyin"]).exit_code == 0
    gaps = runner.invoke(app, ["--graph", graph, "gaps", "-c", "chain:tdi", "-r", "region:baiyin", "--json"])
    report = json.loads(gaps.stdout)
    assert set(report) == {"chain", "region", "completeness", "products", "extensions"}
    assert {p["status"] for p in report["products"]} <= {"missing", "broken", "weak", "strong"}
    human = [
        ["gaps", "-c", "chain:tdi", "-r", "region:baiyin"],
        ["targets", "-c", "chain:tdi", "-r", "region:baiyin"],
        ["resilience", "single-sources", "-r", "region:baiyin"],
        ["resilience", "critical", "-r", "region:baiyin"],
        ["resilience", "what-if-remove", "-r", "region:baiyin", "-e", "ent:yinguang"],
        ["partners", "--actor", "inst:lzu-baiyin-iri"],
        ["path", "inst:lzu-baiyin-iri", "park:baiyin-hitech"],
        ["evaluate-partners", "--hide", "0.3"],
        ["review", "list"],
    ]
    for args in human:
        r = runner.invoke(app, ["--graph", graph, *args])
        assert r.exit_code == 0, (args, r.output)
    r = runner.invoke(
        app, ["--graph", graph, "resilience", "what-if-remove", "-r", "region:baiyin", "-e", "ent:yinguang"]
    )
    assert "甲苯二异氰酸酯" in r.stdout  # TDI is lost without 银光
    r = runner.invoke(app, ["--graph", graph, "gaps", "-c", "chain:nope", "-r", "region:baiyin"])
    assert r.exit_code == 2 and "chain:nope" in r.output
