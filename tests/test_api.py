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


def test_search_entities_chains(client: TestClient) -> None:
    from tests.test_entities import build

    build(client.app.state.store)  # type: ignore[attr-defined]
    r = client.get("/api/v1/search", params={"q": "银光集团"})
    assert r.status_code == 200 and r.json()["items"][0]["id"] == "ent:yg"
    r = client.get("/api/v1/entities/prod:tda", params={"limit": 1, "offset": 1})
    assert r.json()["neighbours"]["items"][0]["node"]["id"] == "prod:tdi"
    assert client.get("/api/v1/chains").json()["items"][1] == {
        "id": "chain:tdi",
        "name": "光气化/TDI产业链",
        "name_en": None,
        "products": 3,
    }
    pano = client.get("/api/v1/chains/chain:tdi/panorama").json()
    assert [s["stage"] for s in pano["stages"]] == ["上游", "中游", "下游"]


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/v1/entities/prod:nope", {}, 404, "not_found"),
        ("/api/v1/chains/chain:nope/panorama", {}, 404, "not_found"),
        ("/api/v1/search", {}, 422, "bad_request"),
        ("/api/v1/search", {"q": "x", "label": "Robot"}, 422, "invalid_element"),
        ("/api/v1/chains", {"limit": 0}, 422, "bad_request"),
        ("/api/v1/export", {"format": "pdf"}, 422, "bad_request"),
    ],
)
def test_bad_requests_are_clear_4xx(
    client: TestClient, path: str, params: dict[str, object], status: int, code: str
) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_export_json_and_graphml(client: TestClient) -> None:
    r = client.get("/api/v1/export")
    assert r.status_code == 200 and len(r.json()["nodes"]) == 5
    r = client.get("/api/v1/export", params={"format": "graphml"})
    assert r.status_code == 200 and r.text.count("<edge ") == 5


KEY = {"X-API-Key": "dev-key-change-me"}
CSV = "name,credit_code,products,source\n甲化工有限公司,,prod:tdi,test\n"


def test_import_needs_the_key_and_is_all_or_nothing(client: TestClient) -> None:
    before = client.get("/api/v1/export").json()
    files = {"file": ("ents.csv", CSV.encode(), "text/csv")}
    assert client.post("/api/v1/import", files=files).status_code == 401
    assert client.post("/api/v1/import", files=files, headers={"X-API-Key": "wrong-key!"}).status_code == 401
    bad = {"file": ("ents.csv", (CSV + "乙公司,BADCODE,prod:nope,test\n").encode(), "text/csv")}
    r = client.post("/api/v1/import", files=bad, headers=KEY)
    assert r.status_code == 422
    problems = r.json()["error"]["details"]["problems"]
    assert {p["file"] for p in problems} == {"ents.csv"}  # the uploaded name, not a temporary path
    fields = {(p["row"], p["field"]) for p in problems}
    assert (3, "credit_code") in fields and (3, "products") in fields
    assert client.post("/api/v1/import", files={"file": ("x.exe", b"MZ", "x")}, headers=KEY).status_code == 422
    assert client.get("/api/v1/export").json() == before
    r = client.post("/api/v1/import", files=files, headers=KEY)
    assert r.status_code == 200, r.text
    assert r.json()["nodes_created"] == 1
    again = client.post("/api/v1/import", files=files, headers=KEY).json()
    assert again["nodes_created"] == 0 and again["edges_created"] == 0


def test_oversized_upload_is_413(client: TestClient) -> None:
    client.app.state.settings.max_upload_mb = 1  # type: ignore[attr-defined]
    big = {"file": ("big.csv", b"name\n" + b"x" * (1024 * 1024 + 10), "text/csv")}
    r = client.post("/api/v1/import", files=big, headers=KEY)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_review_queue_routes(client: TestClient) -> None:
    from ingest.extract import Extractor, stage

    store = client.app.state.store  # type: ignore[attr-defined]
    text = (
        "推进白银市与兰州大学、甘肃华达科技有限公司在新材料领域的合作。依托甘肃西部凹凸棒石应用研究院,重点发展吸附剂。"
    )
    stage(store, Extractor().extract(text), "src:doc1", "测试文件")
    queue = client.get("/api/v1/review").json()
    assert queue["counts"]["nodes"] >= 1
    node = next(i for i in queue["items"] if i["kind"] == "node" and i["name"] == "甘肃华达科技有限公司")
    assert client.post("/api/v1/review/accept", json={"item": node["id"]}).status_code == 401
    r = client.post("/api/v1/review/accept", json={"item": node["id"]}, headers=KEY)
    assert r.status_code == 200, r.text
    assert node["id"] not in {i["id"] for i in client.get("/api/v1/review").json()["items"]}
    r = client.post("/api/v1/review/reject", json={"item": "x:nope"}, headers=KEY)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post("/api/v1/review/merge", json={"item": "x:nope"}, headers=KEY)
    assert r.status_code == 422


def test_targets_export_xlsx_and_csv(client: TestClient) -> None:
    import io

    from openpyxl import load_workbook

    from queries.places import refresh_places
    from tests.graphs import build_pu_world

    store = client.app.state.store  # type: ignore[attr-defined]
    build_pu_world(store)
    refresh_places(store)
    expected = client.get("/api/v1/targets", params={"chain": "chain:pu", "region": "reg:city"}).json()
    r = client.get("/api/v1/targets/export", params={"chain": "chain:pu", "region": "reg:city"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "排名 rank" and len(rows) == 1 + expected["total"]
    first = expected["candidates"][0]
    assert rows[1][5] == first["enterprise"]["name"] and rows[1][11] == first["reason_zh"]
    r = client.get("/api/v1/targets/export", params={"chain": "chain:pu", "region": "reg:city", "format": "csv"})
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith(f"1,{first['product']['name']},")
    r = client.get("/api/v1/targets/export", params={"chain": "chain:nope", "region": "reg:city"})
    assert r.status_code == 404
