"""Partner suggestions, their evaluation and cooperation paths, on both engines."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph.errors import InvalidElementError, NotFoundError
from graph.model import Anchors, Chain, CooperatesWith, Enterprise, InChain, Institution, Produces, Product, Stage
from graph.store import GraphStore
from queries.partners import Projection, cooperation_paths, evaluate, project, suggest_partners

S = {"source": "test", "updated_at": "2026-01-01T00:00:00Z"}


def build(store: GraphStore) -> None:
    """E1–I1–E2–I2–E3 cooperation; E1 and E3 both make prod:a (chain:c); I2 anchors chain:c."""
    nodes = [
        Enterprise(id="ent:e1", name="一号企业", **S).to_node(),
        Enterprise(id="ent:e2", name="二号企业", **S).to_node(),
        Enterprise(id="ent:e3", name="三号企业", **S).to_node(),
        Institution(id="inst:i1", name="一号研究院", **S).to_node(),
        Institution(id="inst:i2", name="二号大学", **S).to_node(),
        Product(id="prod:a", name="甲产品", **S).to_node(),
        Chain(id="chain:c", name="某链", **S).to_node(),
    ]
    ties = [("ent:e1", "inst:i1"), ("ent:e2", "inst:i1"), ("ent:e2", "inst:i2"), ("ent:e3", "inst:i2")]
    edges = [CooperatesWith(source_id=a, target_id=b, kind="产学研", **S).to_edge() for a, b in ties]
    edges += [
        Produces(source_id="ent:e1", target_id="prod:a", **S).to_edge(),
        Produces(source_id="ent:e3", target_id="prod:a", **S).to_edge(),
        InChain(source_id="prod:a", target_id="chain:c", stage=Stage.MIDSTREAM, **S).to_edge(),
        Anchors(source_id="inst:i2", target_id="chain:c", **S).to_edge(),
    ]
    store.load(nodes, edges)


def test_scores_by_hand(store: GraphStore) -> None:
    build(store)
    result = suggest_partners(store, "ent:e1", method="adamic_adar")
    assert [c["actor"]["id"] for c in result["candidates"]] == ["ent:e2"]
    assert result["candidates"][0]["score"] == pytest.approx(1 / math.log(2), abs=1e-6)
    assert result["current_partners"] == ["inst:i1"]
    result = suggest_partners(store, "ent:e1")  # hybrid: resource allocation + topic overlap
    assert [(c["actor"]["id"], c["score"]) for c in result["candidates"]] == [
        ("ent:e3", 1.0),
        ("ent:e2", 0.5),
        ("inst:i2", 0.5),
    ]
    e3 = result["candidates"][0]
    assert e3["evidence"]["shared_topics"] == ["chain:c", "prod:a"]
    assert e3["evidence"]["common_partners"] == []
    assert "方向相同" in e3["reason_zh"]
    only_inst = suggest_partners(store, "ent:e1", labels=["Institution"])
    assert [c["actor"]["id"] for c in only_inst["candidates"]] == ["inst:i2"]


def test_unknown_actor_and_method(store: GraphStore) -> None:
    build(store)
    with pytest.raises(NotFoundError):
        suggest_partners(store, "ent:nope")
    with pytest.raises(NotFoundError):
        suggest_partners(store, "prod:a")  # a product is not an actor
    with pytest.raises(InvalidElementError):
        suggest_partners(store, "ent:e1", method="astrology")


def test_paths(store: GraphStore) -> None:
    build(store)
    result = cooperation_paths(store, "ent:e1", "ent:e3")
    assert result["shortest"]["hops"] == 4
    assert [n["id"] for n in result["shortest"]["nodes"]] == ["ent:e1", "inst:i1", "ent:e2", "inst:i2", "ent:e3"]
    assert result["shortest"]["ties"][0][0]["kind"] == "产学研"
    assert result["total"] == 1
    short = cooperation_paths(store, "ent:e1", "ent:e3", max_hops=3)
    assert short["paths"] == [] and short["shortest"]["hops"] == 4
    assert cooperation_paths(store, "ent:e1", "inst:i1")["shortest"]["hops"] == 1
    with pytest.raises(NotFoundError):
        cooperation_paths(store, "ent:e1", "ent:nope")


def test_evaluation_finds_structure() -> None:
    # Ten dense communities loosely linked: hidden ties are predictable from common neighbours.
    g = nx.connected_caveman_graph(10, 6)
    g = nx.relabel_nodes(g, {n: f"ent:{n}" for n in g})
    p = Projection(g, {n: "Enterprise" for n in g}, {n: n for n in g}, {n: frozenset() for n in g})
    result = evaluate(p, hide=0.2, k=10, seed=1)
    assert result["hidden"] == round(g.number_of_edges() * 0.2)
    assert result["methods"]["resource_allocation"]["auc"] > 0.8
    assert result["methods"]["topic_overlap"]["auc"] == 0.5  # no topics: no signal, ties count half
    assert evaluate(p, hide=0.2, k=10, seed=1) == result  # deterministic for a seed
    with pytest.raises(InvalidElementError):
        evaluate(p, hide=1.5)


def test_projection_reads_both_directions(store: GraphStore) -> None:
    build(store)
    p = project(store)
    assert sorted(p.graph["inst:i1"]) == ["ent:e1", "ent:e2"]
    assert p.topics["ent:e1"] == frozenset({"prod:a", "chain:c"})
