"""Search, entity pages and the chain panorama, on both engines."""

from __future__ import annotations

import pytest

from graph.errors import InvalidElementError, NotFoundError
from graph.model import Chain, Enterprise, InChain, Park, Produces, Product, Stage, UpstreamOf
from graph.store import GraphStore
from queries.entities import chains, entity, panorama, places, search

S = {"source": "test", "updated_at": "2026-01-01T00:00:00Z"}


def build(store: GraphStore) -> None:
    nodes = [
        Chain(id="chain:tdi", name="光气化/TDI产业链", **S).to_node(),
        Chain(id="chain:empty", name="空链", **S).to_node(),
        Product(id="prod:toluene", name="甲苯", name_en="Toluene", **S).to_node(),
        Product(id="prod:tda", name="甲苯二胺", aliases=["TDA"], **S).to_node(),
        Product(id="prod:tdi", name="甲苯二异氰酸酯", aliases=["TDI"], **S).to_node(),
        Enterprise(id="ent:yg", name="甘肃银光化学工业集团有限公司", aliases=["银光集团"], **S).to_node(),
        Park(id="park:hitech", name="白银高新技术产业开发区", aliases=["白银高新区"], **S).to_node(),
    ]
    edges = [
        InChain(source_id="prod:toluene", target_id="chain:tdi", stage=Stage.UPSTREAM, **S).to_edge(),
        InChain(source_id="prod:tda", target_id="chain:tdi", stage=Stage.MIDSTREAM, **S).to_edge(),
        InChain(source_id="prod:tdi", target_id="chain:tdi", stage=Stage.DOWNSTREAM, **S).to_edge(),
        UpstreamOf(source_id="prod:toluene", target_id="prod:tda", **S).to_edge(),
        UpstreamOf(source_id="prod:tda", target_id="prod:tdi", **S).to_edge(),
        Produces(source_id="ent:yg", target_id="prod:tdi", **S).to_edge(),
    ]
    store.load(nodes, edges)


def test_search_by_name_alias_english_and_substring(store: GraphStore) -> None:
    build(store)
    assert [h["id"] for h in search(store, "甲苯")][:1] == ["prod:toluene"]  # shortest name first
    assert {h["id"] for h in search(store, "甲苯")} >= {"prod:toluene", "prod:tda", "prod:tdi"}
    assert search(store, "银光集团")[0]["id"] == "ent:yg"
    assert search(store, "tdi")[0]["id"] == "prod:tdi"  # alias, case-insensitive
    assert search(store, "toluene")[0]["id"] == "prod:toluene"
    assert search(store, "高新")[0]["id"] == "park:hitech"  # substring inside a Chinese word
    assert [h["id"] for h in search(store, "甲苯", label="Enterprise")] == []
    with pytest.raises(InvalidElementError):
        search(store, "x", label="Robot")
    with pytest.raises(InvalidElementError):
        search(store, "  ")


def test_entity_page(store: GraphStore) -> None:
    build(store)
    page = entity(store, "prod:tda")
    assert page["label"] == "Product" and page["properties"]["aliases"] == ["TDA"]
    items = page["neighbours"]["items"]
    assert page["neighbours"]["total"] == 3
    assert [(i["type"], i["direction"], i["node"]["id"]) for i in items] == [
        ("IN_CHAIN", "out", "chain:tdi"),
        ("UPSTREAM_OF", "out", "prod:tdi"),
        ("UPSTREAM_OF", "in", "prod:toluene"),
    ]
    assert entity(store, "prod:tda", offset=1, limit=1)["neighbours"]["items"][0]["node"]["id"] == "prod:tdi"
    with pytest.raises(NotFoundError):
        entity(store, "prod:nope")


def test_chains_and_panorama(store: GraphStore) -> None:
    build(store)
    assert [(c["id"], c["products"]) for c in chains(store)] == [("chain:empty", 0), ("chain:tdi", 3)]
    pano = panorama(store, "chain:tdi")
    assert [s["stage"] for s in pano["stages"]] == ["上游", "中游", "下游"]
    assert [p["id"] for s in pano["stages"] for p in s["products"]] == ["prod:toluene", "prod:tda", "prod:tdi"]
    assert pano["stages"][2]["products"][0]["producers"] == 1
    assert pano["edges"] == [
        {"source": "prod:tda", "target": "prod:tdi", "kind": "input"},
        {"source": "prod:toluene", "target": "prod:tda", "kind": "input"},
    ]
    assert panorama(store, "chain:empty")["stages"] == []
    with pytest.raises(NotFoundError):
        panorama(store, "chain:nope")


def test_places(store: GraphStore) -> None:
    build(store)
    assert places(store) == [
        {"id": "park:hitech", "label": "Park", "name": "白银高新技术产业开发区", "name_en": None, "parents": []}
    ]
