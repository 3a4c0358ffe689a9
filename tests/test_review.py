"""Staging extracted candidates and the review queue, on both engines (the ``store`` fixture)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidElementError, NotFoundError
from graph.model import Edge, Enterprise, GovernmentUnit, Institution, Leads, Node, Task
from graph.store import GraphStore
from ingest.extract import Candidate, Extractor, extracted_id, known_from_store, stage
from ingest.review import accept, edge_item_id, merge, parse_item_id, pending, pending_count, reject

TEXT = (
    "临江市新材料产业发展工作方案\n"
    "(一)壮大龙头企业\n"
    "临江经济技术开发区依托瑞峰新材料股份有限公司,重点发展高纯石英砂、光伏玻璃。"
    "推进瑞峰新材料股份有限公司与北辰理工学院在光伏材料领域的合作。\n"
    "牵头单位:市工信局\n"
    "责任单位:市科技局、临江经济技术开发区管委会\n"
)
SRC = "src:test-doc"


@pytest.fixture(scope="module")
def cands() -> list[Candidate]:
    return Extractor().extract(TEXT)


def snapshot(store: GraphStore) -> tuple[list[tuple[str, str, dict[str, object]]], list[tuple[object, ...]]]:
    nodes = sorted((n.label, n.id, n.properties) for n in store.iter_nodes())
    edges = sorted((e.type, e.source, e.key, e.target, sorted(e.properties.items())) for e in store.iter_edges())
    return nodes, edges  # type: ignore[return-value]


def node_props(store: GraphStore, node_id: str) -> dict[str, object]:
    rows = store.read("MATCH (n:Entity {id: $id}) RETURN properties(n) AS p", {"id": node_id})
    assert rows, node_id
    return dict(rows[0]["p"])


def edge_status(store: GraphStore, source: str, rel_type: str, target: str) -> list[str]:
    rows = store.read(
        "MATCH (a:Entity {id: $s})-[r]->(b:Entity {id: $t}) WHERE type(r) = $type RETURN r.status AS s",
        {"s": source, "t": target, "type": rel_type},
    )
    return [r["s"] for r in rows]


def test_stage_creates_extracted_nodes_and_edges(store: GraphStore, cands: list[Candidate]) -> None:
    res = stage(store, cands, SRC, "临江市新材料产业发展工作方案")
    assert res.nodes_created and res.edges_created > 0 and not res.skipped
    src = node_props(store, SRC)
    assert src["name"] == "临江市新材料产业发展工作方案"
    ent = extracted_id("Enterprise", "瑞峰新材料股份有限公司")
    props = node_props(store, ent)
    assert ent.startswith("x:")
    assert props["status"] == "extracted" and props["source"] == SRC
    assert "瑞峰新材料股份有限公司" in str(props["evidence"])
    task = extracted_id("Task", "壮大龙头企业", SRC)
    unit = extracted_id("GovernmentUnit", "市工信局", SRC)  # a relative name: scoped to its document
    assert edge_status(store, unit, "LEADS", task) == ["extracted"]
    assert edge_status(store, ent, "ANCHORS", extracted_id("Product", "光伏玻璃")) == ["extracted"]
    counts = pending_count(store)
    assert counts["nodes"] == len(res.nodes_created)
    assert counts["edges"] == res.edges_created


def test_stage_is_idempotent(store: GraphStore, cands: list[Candidate]) -> None:
    stage(store, cands, SRC, "doc")
    before = snapshot(store)
    again = stage(store, cands, SRC, "doc")
    assert again.nodes_created == [] and again.edges_created == 0
    assert snapshot(store) == before
    # a fresh extraction of the same text (dicts from JSON Lines) changes nothing either
    stage(store, [c.to_dict() for c in Extractor().extract(TEXT)], SRC, "doc")
    assert snapshot(store) == before


def test_stage_attaches_to_existing_nodes(store: GraphStore, cands: list[Candidate]) -> None:
    curated = Enterprise(id="ent:ruifeng", name="瑞峰新材料股份有限公司", aliases=["瑞峰新材"], source="src:registry")
    unit = GovernmentUnit(
        id="unit:linjiang-iit", name="临江市工业和信息化局", aliases=["市工信局"], source="src:registry"
    )
    store.load([curated.to_node(), unit.to_node()], [])
    res = stage(store, cands, SRC, "临江市新材料产业发展工作方案")
    assert res.nodes_matched["瑞峰新材料股份有限公司"] == "ent:ruifeng"
    assert res.nodes_matched["市工信局"] == "unit:linjiang-iit"
    assert not store.labels_of([extracted_id("Enterprise", "瑞峰新材料股份有限公司")])
    assert node_props(store, "ent:ruifeng")["status"] == "curated"  # not rewritten
    task = extracted_id("Task", "壮大龙头企业", SRC)
    assert edge_status(store, "unit:linjiang-iit", "LEADS", task) == ["extracted"]
    assert edge_status(store, "ent:ruifeng", "COOPERATES_WITH", extracted_id("Institution", "北辰理工学院")) == [
        "extracted"
    ]


def test_stage_does_not_duplicate_existing_edges(store: GraphStore) -> None:
    unit = GovernmentUnit(id="unit:a", name="临江市工信局", aliases=["市工信局"], source="src:x")
    task = Task(id="task:1", name="壮大龙头企业", source=SRC)
    lead = Leads(source_id="unit:a", target_id="task:1", source="src:x")
    store.load([unit.to_node(), task.to_node()], [lead.to_edge()])
    rel = Candidate(
        kind="relation", type="LEADS", source="市工信局", target="壮大龙头企业", evidence="e", confidence=0.8
    )
    entities = [
        Candidate(kind="entity", type="GovernmentUnit", name="市工信局", evidence="e", confidence=0.8, start=0, end=4),
        Candidate(kind="entity", type="Task", name="壮大龙头企业", evidence="e", confidence=0.8, start=5, end=11),
    ]
    res = stage(store, [*entities, rel], SRC, "临江市工作方案")
    assert res.nodes_created == [] and res.edges_created == 0 and res.edges_existing == 1
    assert edge_status(store, "unit:a", "LEADS", "task:1") == ["curated"]
    # a task of another document with the same title is another task
    other = stage(store, [*entities, rel], "src:other-doc", "other")
    assert extracted_id("Task", "壮大龙头企业", "src:other-doc") in other.nodes_created


def test_stage_skips_relations_the_model_forbids(store: GraphStore) -> None:
    cands = [
        Candidate(kind="entity", type="Product", name="光伏玻璃", evidence="e", confidence=0.7, start=0, end=4),
        Candidate(kind="entity", type="Task", name="某任务", evidence="e", confidence=0.8, start=5, end=8),
        Candidate(kind="relation", type="LEADS", source="光伏玻璃", target="某任务", evidence="e", confidence=0.8),
        Candidate(kind="relation", type="LEADS", source="无此单位", target="某任务", evidence="e", confidence=0.8),
    ]
    res = stage(store, cands, SRC, "doc")
    assert res.edges_created == 0 and len(res.skipped) == 2


def test_known_from_store_feeds_the_extractor(store: GraphStore) -> None:
    store.load([Institution(id="inst:cas", name="中国科学院", aliases=["中科院"], source="s").to_node()], [])
    known = known_from_store(store)
    assert ("Institution", "中国科学院", ["中科院"]) in known
    found = {(c.type, c.name) for c in Extractor(known).extract("加强与中科院的合作。") if c.kind == "entity"}
    assert ("Institution", "中科院") in found


# --- the review queue ---------------------------------------------------------------------------


def test_pending_lists_nodes_then_edges_with_evidence(store: GraphStore, cands: list[Candidate]) -> None:
    res = stage(store, cands, SRC, "doc")
    items = pending(store, limit=1000)
    nodes = [i for i in items if i["kind"] == "node"]
    edges = [i for i in items if i["kind"] == "edge"]
    assert len(nodes) == len(res.nodes_created) and len(edges) == res.edges_created
    assert items == nodes + edges and [n["id"] for n in nodes] == sorted(n["id"] for n in nodes)
    assert all(i["evidence"] for i in items)
    e = edges[0]
    assert parse_item_id(e["id"]) == (e["source"], e["type"], e["key"], e["target"])
    # pages are consistent slices of the whole queue, across the node/edge boundary
    k = len(nodes)
    assert pending(store, limit=3, offset=k - 1) == items[k - 1 : k + 2]
    assert pending(store, limit=0) == []
    assert pending(store, limit=5, offset=len(items)) == []


def test_accept_node_and_edge(store: GraphStore, cands: list[Candidate]) -> None:
    stage(store, cands, SRC, "doc")
    ent = extracted_id("Enterprise", "瑞峰新材料股份有限公司")
    accept(store, ent)
    assert node_props(store, ent)["status"] == "reviewed"
    edge = next(i for i in pending(store, 1000) if i["kind"] == "edge" and i["type"] == "ANCHORS")
    accept(store, edge["id"])
    assert edge_status(store, edge["source"], "ANCHORS", edge["target"]) == ["reviewed"]
    ids = {i["id"] for i in pending(store, 1000)}
    assert ent not in ids and edge["id"] not in ids
    with pytest.raises(NotFoundError):
        accept(store, ent)  # no longer pending
    with pytest.raises(NotFoundError):
        accept(store, edge["id"])


def test_reject_edge_and_node(store: GraphStore, cands: list[Candidate]) -> None:
    stage(store, cands, SRC, "doc")
    inst = extracted_id("Institution", "北辰理工学院")
    coop = next(i for i in pending(store, 1000) if i["kind"] == "edge" and i["type"] == "COOPERATES_WITH")
    reject(store, coop["id"])
    assert edge_status(store, coop["source"], "COOPERATES_WITH", coop["target"]) == []
    assert store.labels_of([inst])  # the node stays
    # a node goes with its extracted edges
    park = extracted_id("Park", "临江经济技术开发区")
    n_edges_before = store.counts()[1]
    out = reject(store, park)
    assert out["edges_deleted"] >= 2  # DEVELOPS x2
    assert not store.labels_of([park])
    assert store.counts()[1] == n_edges_before - out["edges_deleted"]
    with pytest.raises(NotFoundError):
        reject(store, park)


def test_reject_keeps_nodes_with_curated_edges(store: GraphStore) -> None:
    x = Node(
        label="Enterprise",
        id="x:abc",
        properties={"name": "某公司", "source": SRC, "status": "extracted", "evidence": "e"},
    )
    y = Enterprise(id="ent:y", name="某集团", source="s")
    edge = Edge(type="SUPPLIES", source="ent:y", target="x:abc", properties={"source": "s"})
    store.load([x, y.to_node()], [edge])
    with pytest.raises(InvalidElementError):
        reject(store, "x:abc")
    assert store.labels_of(["x:abc"])


def test_merge_moves_name_and_edges(store: GraphStore, cands: list[Candidate]) -> None:
    stage(store, cands, SRC, "doc")
    curated = Enterprise(id="ent:ruifeng", name="瑞峰新材料有限公司", aliases=["瑞峰"], source="src:registry")
    store.load([curated.to_node()], [])
    x = extracted_id("Enterprise", "瑞峰新材料股份有限公司")
    out_before = {
        (r["t"], r["o"])
        for r in store.read("MATCH (n:Entity {id: $id})-[r]->(b:Entity) RETURN type(r) AS t, b.id AS o", {"id": x})
    }
    assert out_before  # ANCHORS x2, COOPERATES_WITH
    res = merge(store, x, "ent:ruifeng")
    assert not store.labels_of([x])
    props = node_props(store, "ent:ruifeng")
    assert props["aliases"] == ["瑞峰", "瑞峰新材料股份有限公司"]
    assert props["status"] == "curated"
    out_after = {
        (r["t"], r["o"])
        for r in store.read(
            "MATCH (n:Entity {id: $id})-[r]->(b:Entity) RETURN type(r) AS t, b.id AS o", {"id": "ent:ruifeng"}
        )
    }
    assert out_after == out_before
    assert res["edges_moved"] == len(out_before)
    # moved edges keep their status: still waiting for review, now on the curated node
    assert all(i["source"] != x for i in pending(store, 1000) if i["kind"] == "edge")
    assert any(i["source"] == "ent:ruifeng" for i in pending(store, 1000) if i["kind"] == "edge")
    # the merged name is now known: staging the text again attaches to the curated node
    again = stage(store, cands, SRC, "doc")
    assert again.nodes_matched["瑞峰新材料股份有限公司"] == "ent:ruifeng"
    assert again.nodes_created == [] and again.edges_created == 0


def test_merge_refuses_what_the_model_forbids(store: GraphStore, cands: list[Candidate]) -> None:
    stage(store, cands, SRC, "doc")
    x = extracted_id("Enterprise", "瑞峰新材料股份有限公司")
    store.load([Task(id="task:t", name="某任务", source="s").to_node()], [])
    with pytest.raises(InvalidElementError):
        merge(store, x, "task:t")  # a task cannot anchor products
    assert store.labels_of([x])  # nothing written
    with pytest.raises(InvalidElementError):
        merge(store, x, x)
    with pytest.raises(NotFoundError):
        merge(store, x, "ent:missing")
    with pytest.raises(NotFoundError):
        merge(store, "ent:missing", "task:t")


def test_unknown_items_raise_not_found(store: GraphStore) -> None:
    for bad in ["x:nothing", "a|NOT_A_TYPE||b", "a|LEADS", edge_item_id("x:a", "LEADS", "", "x:b")]:
        for action in (accept, reject):
            with pytest.raises(NotFoundError):
                action(store, bad)
    curated = Enterprise(id="ent:c", name="某公司", source="s")
    store.load([curated.to_node()], [])
    with pytest.raises(NotFoundError):
        accept(store, "ent:c")  # curated: not in the queue
    with pytest.raises(NotFoundError):
        reject(store, "ent:c")
    assert node_props(store, "ent:c")["status"] == "curated"


def test_relative_unit_names_do_not_cross_cities(store: GraphStore) -> None:
    """市科技局 in another city's document is that city's bureau, not the one already stored."""
    baiyin = GovernmentUnit(id="unit:baiyin-stc", name="白银市科学技术局", aliases=["市科技局"], source="src:plan")
    store.load([baiyin.to_node()], [])
    unit = Candidate(
        kind="entity", type="GovernmentUnit", name="市科技局", evidence="e", confidence=0.8, start=0, end=4
    )
    other = stage(store, [unit], "src:yunzhou", "云州市科技创新行动方案")
    assert "市科技局" not in other.nodes_matched
    assert other.nodes_created == [extracted_id("GovernmentUnit", "市科技局", "src:yunzhou")]
    same_city = stage(store, [unit], "src:baiyin-doc", "白银市科技成果转化办法")
    assert same_city.nodes_matched["市科技局"] == "unit:baiyin-stc"


def test_ambiguous_names_are_not_merged_silently(store: GraphStore) -> None:
    a = Enterprise(id="ent:a", name="华泰公司甲", aliases=["华泰公司"], source="src:r")
    b = Enterprise(id="ent:b", name="华泰公司乙", aliases=["华泰公司"], source="src:r")
    store.load([a.to_node(), b.to_node()], [])
    cand = Candidate(kind="entity", type="Enterprise", name="华泰公司", evidence="e", confidence=0.8, start=0, end=4)
    res = stage(store, [cand], "src:doc", "某市方案")
    assert res.nodes_matched == {} and len(res.nodes_created) == 1  # a new extracted node, for review
