"""Investment targets and the what-if of adding enterprises, on both engines."""

from __future__ import annotations

import math

import pytest

from graph.errors import NotFoundError
from graph.store import GraphStore
from queries.targets import investment_targets
from tests.graphs import build_pu_world

# Scores worked out by hand from the table in queries/targets.py and the graph in tests/graphs.py.
OUT_M1_SIZE = 0.5 * math.log10(5001) / 5  # 5000 employees
OUT_M1_LINKS = 0.5 * math.log2(3)  # supplies d1-p, supplied by d1-q
EXPECTED_RANKING = [
    # enterprise, product, produces + gap + supply_links + other_gaps + confidence + size
    ("ent:out-m1", "prod:m1", 1 + 1.0 + OUT_M1_LINKS + 0.5 + 0.9 + OUT_M1_SIZE),
    ("ent:out-m1", "prod:m2", 1 + 0.6 + OUT_M1_LINKS + 0.5 + 0.7 + OUT_M1_SIZE),
    ("ent:out-m2", "prod:m2", 1 + 0.6 + 0 + 0 + 1.0 + 0.5 * 1.0),  # revenue 99999 million: size 1
    ("ent:out-d2", "prod:d2", 1 + 0.6 + 0 + 0 + 1.0 + 0),
    ("ent:out-m1b", "prod:m1", 1 + 1.0 + 0 + 0 + 0.5 + 0),
]


def test_ranking_in_a_city(store: GraphStore) -> None:
    build_pu_world(store)
    result = investment_targets(store, "chain:pu", "reg:city")
    assert result["chain"] == {"id": "chain:pu", "name": "聚氨酯产业链"}
    assert result["region"] == {"id": "reg:city", "name": "乙市", "label": "Region"}
    assert result["total"] == 5
    got = [(c["enterprise"]["id"], c["product"]["id"], c["score"]) for c in result["candidates"]]
    assert [g[:2] for g in got] == [e[:2] for e in EXPECTED_RANKING]
    for (_, _, score), (_, _, expected) in zip(got, EXPECTED_RANKING, strict=True):
        assert score == pytest.approx(expected, abs=1e-4)
    for c in result["candidates"]:
        assert c["score"] == pytest.approx(sum(x["points"] for x in c["components"].values()), abs=1e-3)
    assert result["what_if"] is None


def test_top_candidate_explains_itself(store: GraphStore) -> None:
    build_pu_world(store)
    top = investment_targets(store, "chain:pu", "reg:city")["candidates"][0]
    assert top["enterprise"] == {"id": "ent:out-m1", "name": "外地硝基苯厂"}
    assert top["product"] == {"id": "prod:m1", "name": "硝基苯", "stage": "中游", "status": "broken"}
    assert {k: v["value"] for k, v in top["components"].items()} == {
        "produces": 1,
        "gap": "broken",
        "supply_links": 2,
        "other_gaps": 1,
        "confidence": 0.9,
        "size": round(math.log10(5001) / 5, 4),
    }
    kinds = [r["kind"] for r in top["reasons"]]
    assert kinds == ["produces", "gap", "supplies", "supplies", "other_gaps", "size"]
    assert top["reasons"][2] == {
        "kind": "supplies",
        "direction": "from",
        "enterprise": {"id": "ent:d1-q", "name": "MDI乙厂"},
    }
    assert top["reasons"][3] == {
        "kind": "supplies",
        "direction": "to",
        "enterprise": {"id": "ent:d1-p", "name": "MDI甲厂"},
    }
    assert top["reasons"][4]["products"] == [{"id": "prod:m2", "name": "甲苯二胺", "status": "missing"}]
    assert top["reason_zh"] == (
        "外地硝基苯厂（区外）生产本地断链产品硝基苯，已与本地2家企业有供应往来，还能补本链另外1个缺口，员工5000人。"
    )
    assert top["path"] == [
        {"id": "ent:out-m1", "label": "Enterprise", "name": "外地硝基苯厂"},
        "PRODUCES",
        {"id": "prod:m1", "label": "Product", "name": "硝基苯"},
        "IN_CHAIN",
        {"id": "chain:pu", "label": "Chain", "name": "聚氨酯产业链"},
    ]


def test_local_enterprises_are_not_targets(store: GraphStore) -> None:
    build_pu_world(store)
    result = investment_targets(store, "chain:pu", "reg:prov")  # out-m1, out-m2, out-d2 are local here
    assert [(c["enterprise"]["id"], c["product"]["id"], c["score"]) for c in result["candidates"]] == [
        ("ent:out-m1b", "prod:m1", pytest.approx(1 + 0.3 + 0.5, abs=1e-4))  # m1 is weak in the province
    ]


def test_limit(store: GraphStore) -> None:
    build_pu_world(store)
    result = investment_targets(store, "chain:pu", "reg:city", limit=2)
    assert result["total"] == 5
    assert [c["product"]["id"] for c in result["candidates"]] == ["prod:m1", "prod:m2"]
    assert investment_targets(store, "chain:pu", "reg:city", limit=0)["candidates"] == []
    with pytest.raises(ValueError):
        investment_targets(store, "chain:pu", "reg:city", limit=-1)


def test_what_if_adding_enterprises(store: GraphStore) -> None:
    build_pu_world(store)
    counts = store.counts()
    result = investment_targets(store, "chain:pu", "reg:city", add=["ent:out-m1"])["what_if"]
    assert result == {
        "add": [
            {
                "id": "ent:out-m1",
                "name": "外地硝基苯厂",
                "already_local": False,
                "chain_products": ["prod:m1", "prod:m2"],
            }
        ],
        "before": {"overall": 0.5, "by_stage": {"上游": 1.0, "中游": 0.25, "下游": 0.5}, "products": 8, "covered": 4},
        "after": {"overall": 0.75, "by_stage": {"上游": 1.0, "中游": 0.75, "下游": 0.5}, "products": 8, "covered": 6},
        "changes": [
            {"id": "prod:m1", "name": "硝基苯", "from": "broken", "to": "weak"},
            {"id": "prod:m2", "name": "甲苯二胺", "from": "missing", "to": "weak"},
        ],
    }
    # Adding a TDI maker makes d2 local, so m2 now sits between two local products: broken.
    changes = investment_targets(store, "chain:pu", "reg:city", add=["ent:out-d2"])["what_if"]["changes"]
    assert changes == [
        {"id": "prod:m2", "name": "甲苯二胺", "from": "missing", "to": "broken"},
        {"id": "prod:d2", "name": "TDI", "from": "missing", "to": "weak"},
    ]
    # An enterprise already in the place changes nothing.
    same = investment_targets(store, "chain:pu", "reg:city", add=["ent:a1-one"])["what_if"]
    assert same["add"][0]["already_local"] is True
    assert same["changes"] == [] and same["before"] == same["after"]
    assert store.counts() == counts  # nothing written
    assert refreshed_places_untouched(store)


def refreshed_places_untouched(store: GraphStore) -> bool:
    rows = store.read("MATCH (e:Enterprise {id: 'ent:out-m1'}) RETURN e.places AS places")
    return bool(rows[0]["places"] == ["reg:other", "reg:prov"])


def test_unknown_ids(store: GraphStore) -> None:
    build_pu_world(store)
    with pytest.raises(NotFoundError, match="ent:ghost"):
        investment_targets(store, "chain:pu", "reg:city", add=["ent:out-m1", "ent:ghost"])
    with pytest.raises(NotFoundError, match="chain:nope"):
        investment_targets(store, "chain:nope", "reg:city")
    with pytest.raises(NotFoundError, match="reg:nope"):
        investment_targets(store, "chain:pu", "reg:nope")
