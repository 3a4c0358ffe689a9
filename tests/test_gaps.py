"""Gap diagnosis and place membership on hand-built graphs (tests/graphs.py), on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import NotFoundError
from graph.model import Chain, Region
from graph.store import GraphStore
from queries import loader
from queries.gaps import diagnose_gaps
from queries.places import place_closure, places_of, refresh_places
from tests.graphs import (
    build_cycle_world,
    build_pu_world,
    enterprise,
    in_chain,
    load,
    located,
    part_of,
    produces,
    product,
)

GROUP_G = "ent:group-g"


def producer(eid: str, name: str, group: str | None = None) -> dict[str, Any]:
    return {"id": eid, "name": name, "group": group}


def entry(
    pid: str, name: str, stage: str, status: str, producers: list[dict[str, Any]], up: list[str], down: list[str]
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "stage": stage,
        "status": status,
        "local_producers": producers,
        "upstream": up,
        "downstream": down,
    }


CITY_EXPECTED: dict[str, Any] = {
    "chain": {"id": "chain:pu", "name": "聚氨酯产业链"},
    "region": {"id": "reg:city", "name": "乙市", "label": "Region"},
    "completeness": {
        "overall": 0.5,
        "by_stage": {"上游": 1.0, "中游": 0.25, "下游": 0.5},
        "products": 8,
        "covered": 4,
    },
    "products": [
        entry(
            "prod:a1",
            "苯",
            "上游",
            "strong",
            [producer("ent:a1-one", "苯一厂"), producer("ent:a1-two", "苯二厂")],
            [],
            ["prod:m1", "prod:m3"],
        ),
        entry("prod:a2", "甲苯", "上游", "weak", [producer("ent:a2-solo", "甲苯厂")], [], ["prod:m2"]),
        entry("prod:m1", "硝基苯", "中游", "broken", [], ["prod:a1"], ["prod:d1"]),
        entry("prod:m2", "甲苯二胺", "中游", "missing", [], ["prod:a2"], ["prod:d2"]),
        entry(
            "prod:m3",
            "苯胺",
            "中游",
            "weak",
            [producer("ent:m3-x", "苯胺甲厂", GROUP_G), producer("ent:m3-y", "苯胺乙厂", GROUP_G)],
            ["prod:a1"],
            ["prod:d1"],
        ),
        entry("prod:m4", "燃料油", "中游", "broken", [], ["prod:s0"], ["prod:d1"]),
        entry(
            "prod:d1",
            "MDI",
            "下游",
            "strong",
            [producer("ent:d1-p", "MDI甲厂", GROUP_G), producer("ent:d1-q", "MDI乙厂", "ent:group-h")],
            ["prod:m1", "prod:m3", "prod:m4"],
            ["prod:x1"],
        ),
        entry("prod:d2", "TDI", "下游", "missing", [], ["prod:m2"], []),
    ],
    "extensions": [
        {"id": "prod:m1", "name": "硝基苯", "from": ["prod:a1"]},
        {"id": "prod:m2", "name": "甲苯二胺", "from": ["prod:a2"]},
        {"id": "prod:x1", "name": "聚氨酯泡沫", "from": ["prod:d1"]},
    ],
}


def status_map(result: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["status"] for p in result["products"]}


def places(store: GraphStore) -> dict[str, list[str] | None]:
    rows = store.read("MATCH (e:Enterprise) RETURN e.id AS id, e.places AS places ORDER BY id")
    return {r["id"]: r["places"] for r in rows}


# --- place membership ------------------------------------------------------------------------


def test_place_closure_is_transitive_and_cycle_safe() -> None:
    closure = place_closure([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
    assert closure["a"] == {"a", "b", "c"}
    assert closure["d"] == {"a", "b", "c"}
    assert places_of(["d", "x"], closure) == ["a", "b", "c", "d", "x"]


def test_places_follow_parks_and_regions_transitively(store: GraphStore) -> None:
    build_pu_world(store)
    got = places(store)
    # park:core PART_OF park:inner PART_OF park:hz LOCATED_IN reg:city LOCATED_IN reg:prov
    assert got["ent:a1-one"] == ["park:core", "park:hz", "park:inner", "reg:city", "reg:prov"]
    assert got["ent:a2-solo"] == ["park:hz", "reg:city", "reg:prov"]
    # PART_OF a group located in reg:other does not put a subsidiary in reg:other
    assert got["ent:m3-x"] == ["park:hz", "park:inner", "reg:city", "reg:prov"]
    assert got[GROUP_G] == ["reg:other", "reg:prov"]
    assert got["ent:out-m1b"] == []  # in no place: an empty list, not missing


def test_refresh_places_incremental_and_after_upsert(store: GraphStore) -> None:
    build_pu_world(store)
    assert refresh_places(store) == 0  # already current: nothing written
    store.upsert_edges([located("ent:out-m1b", "park:inner")])
    assert refresh_places(store, ["ent:out-m1b"]) == 1
    assert places(store)["ent:out-m1b"] == ["park:hz", "park:inner", "reg:city", "reg:prov"]
    assert refresh_places(store, ["ent:out-m1b", "ent:nobody"]) == 0
    # an enterprise PART_OF a park is in it too; PART_OF a group is not a place
    store.upsert_edges([part_of("ent:out-d2", "park:core"), part_of("ent:out-d2", "ent:group-h")])
    assert refresh_places(store, ["ent:out-d2"]) == 1
    assert places(store)["ent:out-d2"] == ["park:core", "park:hz", "park:inner", "reg:city", "reg:other", "reg:prov"]
    # m1 now has one producer in reg:city
    assert status_map(diagnose_gaps(store, "chain:pu", "reg:city"))["prod:m1"] == "weak"
    # re-upserting an enterprise replaces its properties: places must be refreshed again
    store.upsert_nodes([enterprise("ent:a1-two", "苯二厂")])
    assert places(store)["ent:a1-two"] is None
    assert refresh_places(store) == 1
    assert places(store)["ent:a1-two"] == ["reg:city", "reg:prov"]


def test_moving_a_park_needs_a_full_refresh(store: GraphStore) -> None:
    build_pu_world(store)
    store.upsert_edges([located("park:hz", "reg:other")])  # park:hz now in both cities
    assert refresh_places(store) == 3  # a1-one, a2-solo, m3-x
    assert places(store)["ent:a2-solo"] == ["park:hz", "reg:city", "reg:other", "reg:prov"]


# --- diagnosis -------------------------------------------------------------------------------


def test_diagnosis_in_a_city(store: GraphStore) -> None:
    build_pu_world(store)
    assert diagnose_gaps(store, "chain:pu", "reg:city") == CITY_EXPECTED


def test_diagnosis_in_a_park_includes_parks_inside_it(store: GraphStore) -> None:
    build_pu_world(store)
    result = diagnose_gaps(store, "chain:pu", "park:hz")
    assert result["region"] == {"id": "park:hz", "name": "化工园", "label": "Park"}
    assert status_map(result) == {
        "prod:a1": "weak",  # a1-one, three parks deep
        "prod:a2": "weak",
        "prod:m1": "missing",  # a1 is local but d1 is not
        "prod:m2": "missing",
        "prod:m3": "weak",  # only m3-x is in the park
        "prod:m4": "missing",
        "prod:d1": "missing",
        "prod:d2": "missing",
    }
    assert result["completeness"] == {
        "overall": 0.375,
        "by_stage": {"上游": 1.0, "中游": 0.25, "下游": 0.0},
        "products": 8,
        "covered": 3,
    }
    assert [x["id"] for x in result["extensions"]] == ["prod:d1", "prod:m1", "prod:m2"]
    assert result["extensions"][0]["from"] == ["prod:m3"]


def test_diagnosis_in_a_province_includes_its_cities(store: GraphStore) -> None:
    build_pu_world(store)
    result = diagnose_gaps(store, "chain:pu", "reg:prov")
    assert status_map(result) == {
        "prod:a1": "strong",
        "prod:a2": "weak",
        "prod:m1": "weak",  # out-m1 of reg:other
        "prod:m2": "strong",  # out-m1 and out-m2, no common group
        "prod:m3": "weak",
        "prod:m4": "broken",
        "prod:d1": "strong",
        "prod:d2": "weak",
    }
    assert result["completeness"]["overall"] == 0.875
    assert result["extensions"] == [{"id": "prod:x1", "name": "聚氨酯泡沫", "from": ["prod:d1"]}]


def test_parallel_produces_edges_count_once(store: GraphStore) -> None:
    build_pu_world(store)
    rows = store.read(
        "MATCH (:Enterprise {id: 'ent:a2-solo'})-[r:PRODUCES]->(:Product {id: 'prod:a2'}) RETURN count(r) AS n"
    )
    assert rows[0]["n"] == 2  # the graph really has two facts
    a2 = diagnose_gaps(store, "chain:pu", "reg:city")["products"][1]
    assert a2["id"] == "prod:a2"
    assert a2["local_producers"] == [producer("ent:a2-solo", "甲苯厂")]
    assert a2["status"] == "weak"


def test_weak_when_producers_share_a_group_through_sub_groups(store: GraphStore) -> None:
    nodes = [
        product("prod:p", "产品"),
        product("prod:q", "产品乙"),
        enterprise("ent:top", "总集团", is_group=True),
        enterprise("ent:sub", "子集团"),
        enterprise("ent:u", "甲厂"),
        enterprise("ent:v", "乙厂"),
        enterprise("ent:w", "丙厂"),
        Region(id="reg:r", name="市", source="test").to_node(),
        Chain(id="chain:c", name="链", source="test").to_node(),
    ]
    edges = [
        in_chain("prod:p", "chain:c", "上游"),
        in_chain("prod:q", "chain:c", "下游"),
        part_of("ent:u", "ent:sub"),
        part_of("ent:sub", "ent:top"),
        part_of("ent:v", "ent:top"),
        located("ent:u", "reg:r"),
        located("ent:v", "reg:r"),
        located("ent:w", "reg:r"),
        located("ent:top", "reg:r"),
        produces("ent:u", "prod:p"),
        produces("ent:v", "prod:p"),
        produces("ent:top", "prod:q"),  # the group itself and its subsidiary u
        produces("ent:u", "prod:q"),
    ]
    load(store, nodes, edges)
    result = diagnose_gaps(store, "chain:c", "reg:r")
    assert status_map(result) == {"prod:p": "weak", "prod:q": "weak"}
    assert result["products"][0]["local_producers"] == [
        producer("ent:u", "甲厂", "ent:top"),  # shown by its top-level group
        producer("ent:v", "乙厂", "ent:top"),
    ]
    store.upsert_edges([produces("ent:w", "prod:p")])  # an independent third producer
    assert status_map(diagnose_gaps(store, "chain:c", "reg:r"))["prod:p"] == "strong"


def test_cycle_in_the_product_graph(store: GraphStore) -> None:
    build_cycle_world(store)
    result = diagnose_gaps(store, "chain:cyc", "reg:r", timeout_ms=10000)
    assert status_map(result) == {"prod:A": "weak", "prod:B": "broken", "prod:C": "weak", "prod:D": "weak"}
    assert result["products"][0]["upstream"] == ["prod:C"]
    assert result["products"][0]["downstream"] == ["prod:B", "prod:D"]
    assert result["extensions"] == [{"id": "prod:B", "name": "乙", "from": ["prod:A"]}]
    assert result["completeness"]["by_stage"] == {"上游": 0.0, "中游": 0.75, "下游": 0.0}


def test_empty_chain(store: GraphStore) -> None:
    build_cycle_world(store)
    assert diagnose_gaps(store, "chain:empty", "reg:r") == {
        "chain": {"id": "chain:empty", "name": "空链"},
        "region": {"id": "reg:r", "name": "环市", "label": "Region"},
        "completeness": {
            "overall": 0.0,
            "by_stage": {"上游": 0.0, "中游": 0.0, "下游": 0.0},
            "products": 0,
            "covered": 0,
        },
        "products": [],
        "extensions": [],
    }


@pytest.mark.parametrize(
    ("chain", "region", "message"),
    [
        ("chain:nope", "reg:city", "no chain with id 'chain:nope'"),
        ("chain:pu", "reg:nope", "no Region or Park with id 'reg:nope'"),
        ("chain:pu", "prod:a1", "'prod:a1' is a Product, not a Region or Park"),
        ("prod:a1", "reg:city", "no chain with id 'prod:a1'"),
    ],
)
def test_unknown_chain_or_region(store: GraphStore, chain: str, region: str, message: str) -> None:
    build_pu_world(store)
    with pytest.raises(NotFoundError) as err:
        diagnose_gaps(store, chain, region)
    assert str(err.value) == message


def test_query_files_load_without_comments() -> None:
    assert "gap_links" in loader.names()
    text = loader.load("gap_links")
    assert "//" not in text and text.startswith("MATCH")
    with pytest.raises(ValueError):
        loader.load("../graph/model")
    with pytest.raises(ValueError):
        loader.load("no_such_query")
