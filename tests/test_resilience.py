"""Single sources, critical enterprises and removal what-ifs, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import NotFoundError
from graph.store import GraphStore
from queries.resilience import critical_enterprises, single_sources, what_if_remove
from tests.graphs import build_cycle_world, build_pu_world


def ranking(result: dict[str, Any]) -> list[tuple[str, list[str], list[str], float]]:
    return [
        (e["id"], [p["id"] for p in e["lost"]], [p["id"] for p in e["weakened"]], e["betweenness"])
        for e in result["enterprises"]
    ]


def test_single_sources_in_a_chain(store: GraphStore) -> None:
    build_pu_world(store)
    result = single_sources(store, "reg:city", "chain:pu")
    assert result == {
        "region": {"id": "reg:city", "name": "乙市", "label": "Region"},
        "chain": {"id": "chain:pu", "name": "聚氨酯产业链"},
        # a2-solo has two PRODUCES facts for a2: still one producer. m3 (one group) is not
        # a single source: it has two producers.
        "products": [
            {
                "id": "prod:a2",
                "name": "甲苯",
                "stage": "上游",
                "chains": ["chain:pu"],
                "producer": {"id": "ent:a2-solo", "name": "甲苯厂", "group": None},
            }
        ],
    }


def test_single_sources_across_chains(store: GraphStore) -> None:
    build_pu_world(store)
    result = single_sources(store, "reg:city")
    assert result["chain"] is None
    # s0 has one local producer but belongs to no chain: out of scope.
    assert [(p["id"], p["chains"], p["producer"]["id"]) for p in result["products"]] == [
        ("prod:a2", ["chain:pu"], "ent:a2-solo"),
        ("prod:e1", ["chain:ev"], "ent:a1-one"),
    ]
    assert [p["id"] for p in single_sources(store, "park:inner")["products"]] == ["prod:a1", "prod:e1", "prod:m3"]


def test_critical_enterprises_in_a_chain(store: GraphStore) -> None:
    build_pu_world(store)
    result = critical_enterprises(store, "reg:city", "chain:pu")
    assert result["total"] == 7  # local producers of chain products (s0-ref makes none)
    # product graph of chain:pu has 8 nodes; m1 and m3 each carry half of the a1→d1 paths:
    # 0.5 / (7 * 6), split between the two local makers of m3.
    m3_share = round(0.5 / 42 / 2, 6)
    assert ranking(result) == [
        ("ent:a2-solo", ["prod:a2"], [], 0.0),
        ("ent:a1-one", [], ["prod:a1"], 0.0),
        ("ent:a1-two", [], ["prod:a1"], 0.0),
        ("ent:d1-p", [], ["prod:d1"], 0.0),
        ("ent:d1-q", [], ["prod:d1"], 0.0),
        ("ent:m3-x", [], [], m3_share),
        ("ent:m3-y", [], [], m3_share),
    ]
    assert result["enterprises"][0]["lost"] == [{"id": "prod:a2", "name": "甲苯", "status": "missing"}]
    assert result["enterprises"][3]["group"] == "ent:group-g"
    assert len(critical_enterprises(store, "reg:city", "chain:pu", top=2)["enterprises"]) == 2
    with pytest.raises(ValueError):
        critical_enterprises(store, "reg:city", "chain:pu", top=-1)


def test_critical_enterprises_across_chains(store: GraphStore) -> None:
    build_pu_world(store)
    result = critical_enterprises(store, "reg:city", top=2)
    assert result["chain"] is None
    # a1-one is the only maker of e1 (chain:ev) and one of two makers of a1
    assert ranking(result) == [
        ("ent:a1-one", ["prod:e1"], ["prod:a1"], 0.0),
        ("ent:a2-solo", ["prod:a2"], [], 0.0),
    ]
    assert result["enterprises"][0]["products"] == ["prod:a1", "prod:e1"]


def test_critical_enterprises_in_a_cycle(store: GraphStore) -> None:
    build_cycle_world(store)
    result = critical_enterprises(store, "reg:r", "chain:cyc")
    assert ranking(result) == [
        ("ent:ca", ["prod:A"], [], round(4 / 6, 6)),
        ("ent:cc", ["prod:C"], [], round(4 / 6, 6)),
        ("ent:cd", ["prod:D"], [], round(0.5 / 6, 6)),
    ]
    assert result["enterprises"][0]["lost"] == [{"id": "prod:A", "name": "甲", "status": "broken"}]


def test_what_if_remove_sole_producer(store: GraphStore) -> None:
    build_pu_world(store)
    result = what_if_remove(store, "reg:city", "ent:a2-solo", "chain:pu")
    assert result["enterprise"] == {"id": "ent:a2-solo", "name": "甲苯厂"}
    assert result["local"] is True
    assert result["lost"] == [{"id": "prod:a2", "name": "甲苯", "status": "missing"}]
    assert result["newly_missing"] == [{"id": "prod:a2", "name": "甲苯"}]
    assert result["newly_broken"] == []
    assert result["changes"] == [{"id": "prod:a2", "name": "甲苯", "from": "weak", "to": "missing"}]
    assert result["completeness"]["before"]["covered"] == 4
    assert result["completeness"]["after"] == {
        "overall": 0.375,
        "by_stage": {"上游": 0.5, "中游": 0.25, "下游": 0.5},
        "products": 8,
        "covered": 3,
    }


def test_what_if_remove_breaks_a_link(store: GraphStore) -> None:
    build_cycle_world(store)
    result = what_if_remove(store, "reg:r", "ent:cd", "chain:cyc")
    assert result["newly_broken"] == [{"id": "prod:D", "name": "丁"}]
    assert result["newly_missing"] == []
    result = what_if_remove(store, "reg:r", "ent:ca", "chain:cyc")
    assert result["changes"] == [
        {"id": "prod:A", "name": "甲", "from": "weak", "to": "broken"},
        {"id": "prod:B", "name": "乙", "from": "broken", "to": "missing"},
    ]


def test_what_if_remove_an_input_outside_the_chain(store: GraphStore) -> None:
    build_pu_world(store)
    result = what_if_remove(store, "reg:city", "ent:s0-ref", "chain:pu")
    # s0 is no chain product, but it is m4's local input: m4 goes from broken to missing
    assert result["lost"] == [] and result["weakened"] == []
    assert result["changes"] == [{"id": "prod:m4", "name": "燃料油", "from": "broken", "to": "missing"}]


def test_what_if_remove_across_chains_and_outsiders(store: GraphStore) -> None:
    build_pu_world(store)
    result = what_if_remove(store, "reg:city", "ent:a1-one")
    assert result["completeness"] is None
    assert result["lost"] == [{"id": "prod:e1", "name": "电池", "status": "missing"}]
    assert result["weakened"] == [{"id": "prod:a1", "name": "苯"}]
    outsider = what_if_remove(store, "reg:city", "ent:out-m1", "chain:pu")
    assert outsider["local"] is False
    assert outsider["changes"] == [] and outsider["lost"] == []
    with pytest.raises(NotFoundError, match="ent:ghost"):
        what_if_remove(store, "reg:city", "ent:ghost")
    with pytest.raises(NotFoundError, match="reg:nope"):
        single_sources(store, "reg:nope")
