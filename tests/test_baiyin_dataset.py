"""The bundled Baiyin dataset (ingest/data/baiyin): structure, provenance and the plan's content.

Pure Python, no database. The plan-quote test reads the plan text from the seed folder (or from
``CHAINKG_BAIYIN_PLAN``) and is skipped when it is not there.
"""

from __future__ import annotations

import collections
import graphlib
import os
import re
from pathlib import Path

import pytest

from graph.errors import InputFileError, NotFoundError
from graph.model import Edge, Node, Stage, endpoint_labels_ok
from ingest.datasets import list_datasets, load_dataset, load_dataset_dir

UPDATED_AT = "2026-11-27T00:00:00Z"
PLAN_SOURCE = "src:baiyin-plan"
PLAN_TEXT = Path(
    os.environ.get(
        "CHAINKG_BAIYIN_PLAN",
        Path(__file__).resolve().parents[2] / "shared" / "seed" / "baiyin_innovation_zone_plan.txt",
    )
)


class Data:
    def __init__(self, nodes: list[Node], edges: list[Edge]) -> None:
        self.nodes = nodes
        self.edges = edges
        self.by_id = {n.id: n for n in nodes}

    def label(self, label: str) -> list[Node]:
        return [n for n in self.nodes if n.label == label]

    def typed(self, rel_type: str) -> list[Edge]:
        return [e for e in self.edges if e.type == rel_type]

    def pairs(self, rel_type: str) -> set[tuple[str, str]]:
        return {(e.source, e.target) for e in self.typed(rel_type)}

    def targets(self, rel_type: str, source: str) -> set[str]:
        return {e.target for e in self.typed(rel_type) if e.source == source}

    def sources(self, rel_type: str, target: str) -> set[str]:
        return {e.source for e in self.typed(rel_type) if e.target == target}

    def flow(self, a: str, b: str) -> Edge | None:
        for e in self.typed("UPSTREAM_OF"):
            if e.source == a and e.target == b:
                return e
        return None

    def chain_members(self, chain: str) -> dict[str, str]:
        return {e.source: e.properties["stage"] for e in self.typed("IN_CHAIN") if e.target == chain}


@pytest.fixture(scope="module")
def data() -> Data:
    return Data(*load_dataset("baiyin"))


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_dataset_is_listed() -> None:
    assert "baiyin" in list_datasets()


def test_unknown_dataset_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        load_dataset("no-such-dataset")
    with pytest.raises(NotFoundError):
        load_dataset("../baiyin")


def test_every_record_validates(data: Data) -> None:
    for n in data.nodes:
        assert n.validated() == n
    for e in data.edges:
        assert e.validated() == e


def test_no_duplicate_ids_or_edges(data: Data) -> None:
    ids = [n.id for n in data.nodes]
    assert len(ids) == len(set(ids))
    identities = [e.identity() for e in data.edges]
    assert len(identities) == len(set(identities))


def test_edge_endpoints_exist_with_allowed_labels(data: Data) -> None:
    for e in data.edges:
        assert e.source in data.by_id, e
        assert e.target in data.by_id, e
        assert endpoint_labels_ok(e, data.by_id[e.source].label, data.by_id[e.target].label), e


def test_loading_is_deterministic(data: Data) -> None:
    nodes, edges = load_dataset("baiyin")
    assert nodes == data.nodes
    assert edges == data.edges


def test_sizes(data: Data) -> None:
    counts = collections.Counter(n.label for n in data.nodes)
    assert 150 <= counts["Product"] <= 350
    actors = sum(counts[k] for k in ("Enterprise", "Institution", "GovernmentUnit", "Park", "Region"))
    assert 60 <= actors <= 120
    assert counts["Chain"] >= 15


# ---------------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------------


def test_every_fact_has_source_and_evidence(data: Data) -> None:
    sources = {n.id for n in data.label("Source")}
    assert {PLAN_SOURCE, "src:general-knowledge"} <= sources
    for rec in [*data.nodes, *data.edges]:
        p = rec.properties
        assert p["source"] in sources, rec
        assert p["evidence"].strip(), rec
        assert p["status"] == "curated", rec
        assert p["updated_at"] == UPDATED_AT, rec
        assert 0.0 <= p["confidence"] <= 1.0, rec


def test_cited_in_follows_each_nodes_source(data: Data) -> None:
    cited = data.pairs("CITED_IN")
    for n in data.nodes:
        if n.label != "Source":
            assert (n.id, n.properties["source"]) in cited


def _quote_fragments(evidence: str) -> list[str]:
    """Evidence format: "[note] <section> —— <quote>[ …… [<section> —— ]<quote>]"."""
    assert " —— " in evidence, evidence
    return [frag.split(" —— ", 1)[-1] for frag in evidence.split(" —— ", 1)[1].split(" …… ")]


@pytest.mark.skipif(not PLAN_TEXT.is_file(), reason=f"plan text not found at {PLAN_TEXT}")
def test_plan_evidence_is_quoted_verbatim(data: Data) -> None:
    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s)

    plan = squash(PLAN_TEXT.read_text(encoding="utf-8"))
    checked = 0
    for rec in [*data.nodes, *data.edges]:
        if rec.properties["source"] != PLAN_SOURCE or getattr(rec, "label", "") == "Source":
            continue
        for fragment in _quote_fragments(rec.properties["evidence"]):
            assert squash(fragment) in plan, (rec, fragment)
            checked += 1
    assert checked > 300


def test_inferred_facts_are_marked_and_discounted(data: Data) -> None:
    for rec in [*data.nodes, *data.edges]:
        if getattr(rec, "label", "") == "Source":
            continue
        ev = rec.properties["evidence"]
        if ev.startswith("Inferred"):
            assert rec.properties["confidence"] <= 0.9, rec
        if "widely reported" in ev.lower():
            assert rec.properties["confidence"] <= 0.7, rec


# ---------------------------------------------------------------------------------------------
# The plan: layout, tasks, targets, anchors
# ---------------------------------------------------------------------------------------------

SIX_PARKS = {"park:yindong", "park:yinxi", "park:liuchuan", "park:pingchuan", "park:huining", "park:zhenglu"}


def test_one_zone_six_parks(data: Data) -> None:
    assert data.sources("PART_OF", "park:baiyin-nidz") == {"park:baiyin-hitech", *SIX_PARKS}
    assert ("park:baiyin-nidz", "park:lanbai-nidz") in data.pairs("PART_OF")
    for park in SIX_PARKS | {"park:baiyin-hitech"}:
        assert data.by_id[park].label == "Park"
        assert data.targets("LOCATED_IN", park) & {"region:baiyin", "region:pingchuan", "region:huining"}


def test_park_in_parks(data: Data) -> None:
    expected = {
        "park:yindong": {"park:bnmc-new-materials", "park:phosgene-park", "park:eco-recycling"},
        "park:liuchuan": {
            "park:liuchuan-rare-earth",
            "park:liuchuan-carbon-fibre",
            "park:liuchuan-aluminium",
            "park:liuchuan-fluorine",
        },
        "park:yinxi": {"park:zhangjiang-enclave"},
    }
    for park, children in expected.items():
        assert data.sources("PART_OF", park) == children
        for child in children:
            assert data.by_id[child].properties["kind"] in {"园中园", "飞地产业园"}
    assert data.by_id["park:phosgene-park"].properties["name"] == "光气化产业园"


def test_parks_develop_what_the_plan_says(data: Data) -> None:
    assert {"chain:rare-earth", "chain:carbon-fibre", "chain:fluorine-lithium"} <= data.targets(
        "DEVELOPS", "park:liuchuan"
    )
    assert {"chain:pharma", "prod:api"} <= data.targets("DEVELOPS", "park:yinxi")
    assert {"chain:ceramics-building", "prod:art-ceramics"} <= data.targets("DEVELOPS", "park:pingchuan")
    assert "chain:chromium-salts" in data.targets("DEVELOPS", "park:yindong")
    assert "chain:agri-processing" in data.targets("DEVELOPS", "park:huining")
    chains = {n.id for n in data.label("Chain")}
    assert chains <= data.targets("DEVELOPS", "park:baiyin-nidz")


# The plan's 17 tasks with a 牵头单位 (lead unit): 13 in 三、重点任务, 4 in 五、保障措施.
LEADS = {
    "task:3-1-1": "unit:baiyin-establishment-office",  # 市编办
    "task:3-1-2": "unit:hitech-admin",
    "task:3-1-3": "unit:hitech-admin",
    "task:3-2-1": "unit:baiyin-iit",  # 市工信委
    "task:3-2-2": "unit:baiyin-iit",
    "task:3-3": "unit:baiyin-org-dept",  # 市委组织部
    "task:3-4": "unit:baiyin-stc",  # 市科技局
    "task:3-5": "unit:baiyin-stc",
    "task:3-6": "unit:hitech-admin",
    "task:3-7": "unit:baiyin-drc",  # 市发改委
    "task:3-8-1": "unit:baiyin-finance-office",  # 市政府金融办
    "task:3-8-2": "unit:baiyin-drc",
    "task:3-8-3": "unit:baiyin-housing",  # 市住建局
    "task:5-1": "unit:baiyin-party-office",  # 市委办
    "task:5-2": "unit:hitech-admin",
    "task:5-3": "unit:baiyin-finance",  # 市财政局
    "task:5-4": "unit:baiyin-stc",
}


def test_seventeen_tasks_each_with_its_lead(data: Data) -> None:
    tasks = {n.id for n in data.label("Task")}
    assert len(tasks) == 17
    assert tasks == set(LEADS)
    for task, lead in LEADS.items():
        assert data.sources("LEADS", task) == {lead}, task


def test_implementing_body_and_responsible_units(data: Data) -> None:
    implemented = data.targets("IMPLEMENTS", "unit:zone-admin")
    assert implemented == {t for t in LEADS if t.startswith("task:3-")}
    assert {e.source for e in data.typed("IMPLEMENTS")} == {"unit:zone-admin"}
    # 三(一)1 lists 15 responsible units; 三(八)2 includes the two anchor enterprises.
    assert len(data.sources("RESPONSIBLE_FOR", "task:3-1-1")) == 15
    assert {"ent:baiyin-nonferrous", "ent:yinguang"} <= data.sources("RESPONSIBLE_FOR", "task:3-8-2")
    assert "ent:state-grid-baiyin" in data.sources("RESPONSIBLE_FOR", "task:3-1-2")
    assert "inst:baiyin-mining-college" in data.sources("RESPONSIBLE_FOR", "task:3-3")
    for task in LEADS:
        assert data.sources("RESPONSIBLE_FOR", task), task
        assert data.by_id[task].properties["number"]


def test_2022_targets(data: Data) -> None:
    targets = [n for n in data.label("Target") if n.properties.get("year") == 2022]
    assert len(targets) == 14
    zone = data.targets("HAS_TARGET", "park:baiyin-nidz")
    assert {t.id for t in targets} <= zone
    gdp = data.by_id["target:2022-gdp"].properties
    assert (gdp["value"], gdp["unit"], gdp["metric"]) == (160, "亿元", "地区生产总值")
    assert data.by_id["target:2022-rd-intensity"].properties["value"] == 4.16
    assert data.by_id["target:2022-hitech-enterprises"].properties["value"] == 115
    assert "target:2022-green-ratio" in data.targets("HAS_TARGET", "task:3-7")


ANCHORS = {
    "ent:baiyin-nonferrous": {"chain:copper", "chain:aluminium", "chain:zinc-lead", "chain:rare-precious-metals"},
    "ent:yinguang": {"chain:tdi"},
    "ent:gansu-rare-earth": {"chain:rare-earth"},
    "ent:haoshi-carbon": {"chain:carbon-fibre"},
    "ent:zhongtian-chem": {"chain:fluorine-lithium"},
    "inst:attapulgite-institute": {"chain:attapulgite"},
    "park:liuchuan": {"chain:rare-earth", "chain:carbon-fibre", "chain:fluorine-lithium", "chain:attapulgite"},
    "park:yinxi": {"chain:pharma"},
}


def test_anchor_actors_anchor_what_the_plan_says(data: Data) -> None:
    for actor, chains in ANCHORS.items():
        assert data.targets("ANCHORS", actor) == chains, actor
        for e in data.typed("ANCHORS"):
            if e.source == actor:
                assert e.properties["source"] == PLAN_SOURCE
                assert "依托" in e.properties["evidence"]


def test_cooperation_ties(data: Data) -> None:
    coop = data.pairs("COOPERATES_WITH")
    assert ("park:yinxi", "park:zhangjiang") in coop
    assert ("park:zhangjiang-enclave", "park:zhangjiang") in coop
    assert ("park:liuchuan", "ent:hangzhou-jinjiang") in coop
    assert ("park:liuchuan", "inst:lzu") in coop
    assert ("park:baiyin-nidz", "park:lanzhou-hitech") in coop
    assert ("park:zhenglu", "park:lanzhou-new-area") in coop
    assert ("region:baiyin", "region:lanzhou") in coop
    assert all(e.properties.get("kind") for e in data.typed("COOPERATES_WITH"))


def test_enterprise_products_are_sourced_honestly(data: Data) -> None:
    produces = data.typed("PRODUCES")
    assert ("ent:yinguang", "prod:tdi") in data.pairs("PRODUCES")
    assert ("ent:baiyin-nonferrous", "prod:cathode-copper") in data.pairs("PRODUCES")
    for e in produces:
        assert e.properties["source"] not in {PLAN_SOURCE, "src:general-knowledge"}, e
        assert e.properties["confidence"] <= 0.9, e
        if e.properties["source"] == "src:public-company-profile":
            assert e.properties["confidence"] <= 0.7, e
        if "capacity" in e.properties:
            assert e.properties["capacity_unit"], e


# ---------------------------------------------------------------------------------------------
# Chains
# ---------------------------------------------------------------------------------------------

CHAINS = {
    "chain:copper",
    "chain:aluminium",
    "chain:zinc-lead",
    "chain:rare-precious-metals",
    "chain:tdi",
    "chain:chromium-salts",
    "chain:chlor-alkali",
    "chain:coal-chemicals",
    "chain:rare-earth",
    "chain:carbon-fibre",
    "chain:fluorine-lithium",
    "chain:attapulgite",
    "chain:ceramics-building",
    "chain:pharma",
    "chain:agri-processing",
    "chain:equipment",
    "chain:energy-env",
}


def test_every_chain_has_staged_products_and_flows(data: Data) -> None:
    assert {n.id for n in data.label("Chain")} == CHAINS
    for chain in CHAINS:
        members = data.chain_members(chain)
        assert len(members) >= 8, chain
        assert set(members.values()) == {s.value for s in Stage}, chain
        inner = [e for e in data.typed("UPSTREAM_OF") if e.source in members and e.target in members]
        assert len(inner) >= 5, chain


def test_every_product_is_in_a_chain_and_linked(data: Data) -> None:
    in_chain = {e.source for e in data.typed("IN_CHAIN")}
    linked = {e.source for e in data.typed("UPSTREAM_OF")} | {e.target for e in data.typed("UPSTREAM_OF")}
    for p in data.label("Product"):
        assert p.id in in_chain, p.id
        # Only plan-named products (e.g. 新型疫苗) may stand without a general-knowledge flow.
        assert p.id in linked or p.properties["source"] == PLAN_SOURCE, p.id


def test_upstream_graph_is_acyclic(data: Data) -> None:
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for e in data.typed("UPSTREAM_OF"):
        sorter.add(e.target, e.source)
    list(sorter.static_order())  # raises CycleError on a cycle


def test_tdi_chain_process(data: Data) -> None:
    for a, b in [
        ("prod:toluene", "prod:dnt"),
        ("prod:nitric-acid", "prod:dnt"),
        ("prod:dnt", "prod:tda"),
        ("prod:hydrogen", "prod:tda"),
        ("prod:carbon-monoxide", "prod:phosgene"),
        ("prod:chlorine", "prod:phosgene"),
        ("prod:tda", "prod:tdi"),
        ("prod:phosgene", "prod:tdi"),
        ("prod:tdi", "prod:pu-flexible-foam"),
        ("prod:tdi", "prod:pu-coatings"),
        ("prod:tdi", "prod:pu-adhesives"),
        ("prod:tdi", "prod:pu-elastomers"),
        ("prod:phosgene", "prod:carbonates"),
        ("prod:phosgene", "prod:acyl-chlorides"),
        ("prod:phosgene", "prod:chloroformates"),
        ("prod:hydrogen-chloride", "prod:vcm"),
    ]:
        assert data.flow(a, b) is not None, (a, b)
    assert data.flow("prod:sulfuric-acid", "prod:dnt").properties["kind"] == "auxiliary"
    assert data.flow("prod:phosgene", "prod:hydrogen-chloride").properties["kind"] == "byproduct"
    tdi = data.chain_members("chain:tdi")
    assert tdi["prod:toluene"] == "上游"
    assert tdi["prod:tdi"] == "中游"
    assert tdi["prod:pu-flexible-foam"] == "下游"
    assert {"prod:dnt", "prod:tda", "prod:phosgene", "prod:chlorine", "prod:carbonates"} <= set(tdi)
    names = data.by_id["prod:tdi"].properties
    assert names["name"] == "甲苯二异氰酸酯"
    assert "TDI" in names["aliases"]


def test_cross_chain_links(data: Data) -> None:
    assert {"chain:chlor-alkali", "chain:tdi"} <= {
        e.target for e in data.typed("IN_CHAIN") if e.source == "prod:chlorine"
    }
    assert data.flow("prod:zinc-concentrate", "prod:sulfuric-acid").properties["kind"] == "byproduct"
    assert data.flow("prod:cathode-copper", "prod:copper-rod") is not None
    assert data.flow("prod:copper-rod", "prod:copper-wire") is not None
    assert data.flow("prod:copper-wire", "prod:wire-cable") is not None
    assert data.flow("prod:copper-foil", "prod:li-ion-cell") is not None
    assert data.flow("prod:lipf6", "prod:li-electrolyte") is not None
    assert data.flow("prod:ndfeb", "prod:pm-motor") is not None
    assert data.flow("prod:carbon-fibre", "prod:composite-core-conductor") is not None


# ---------------------------------------------------------------------------------------------
# Loader errors
# ---------------------------------------------------------------------------------------------

GOOD_HEADER = """\
defaults: {source: src:x, status: curated, updated_at: "2026-11-27T00:00:00Z"}
nodes:
  Source:
    - {id: src:x, name: X, evidence: record}
"""


def _load(tmp_path: Path, text: str) -> InputFileError:
    (tmp_path / "data.yaml").write_text(GOOD_HEADER + text, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_dataset_dir(tmp_path)
    return info.value


def test_loader_accepts_a_minimal_dataset(tmp_path: Path) -> None:
    text = """\
  Region:
    - {id: region:a, name: 甲, evidence: e}
    - {id: region:b, name: 乙, evidence: e}
edges:
  - [LOCATED_IN, region:a, region:b, {evidence: e}]
  - {type: COOPERATES_WITH, from: region:a, to: [region:b], kind: 会商, evidence: e}
"""
    (tmp_path / "data.yaml").write_text(GOOD_HEADER + text, encoding="utf-8")
    nodes, edges = load_dataset_dir(tmp_path)
    assert {n.id for n in nodes} == {"src:x", "region:a", "region:b"}
    assert {e.type for e in edges} == {"LOCATED_IN", "COOPERATES_WITH", "CITED_IN"}


def test_loader_names_file_and_entry_of_bad_data(tmp_path: Path) -> None:
    err = _load(
        tmp_path,
        """\
  Region:
    - {id: region:a, name: 甲, evidence: e}
    - {id: region:a, name: 重复, evidence: e}
    - {id: region:c, name: 丙, colour: red, evidence: e}
    - {id: region:d, name: 丁}
edges:
  - [LOCATED_IN, region:a, region:missing, {evidence: e}]
  - [UPSTREAM_OF, region:a, region:d, {evidence: e}]
""",
    )
    messages = [(p["file"], p["row"], p["message"]) for p in err.problems]
    assert all(file == "data.yaml" for file, _, _ in messages)
    text = "\n".join(f"{row}: {msg}" for _, row, msg in messages)
    assert "region:a" in text and "duplicate node id" in text
    assert "region:c" in text and "colour" in text
    assert "region:missing" in text
    assert "UPSTREAM_OF cannot join Region to Region" in text
    assert "region:d" in text and "evidence is empty" in text
    assert "data.yaml" in str(err)


def test_loader_requires_a_fixed_timestamp(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text(
        "nodes:\n  Source:\n    - {id: src:x, name: X, source: src:x, evidence: record}\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="problem") as info:
        load_dataset_dir(tmp_path)
    assert any(p.get("field") == "updated_at" for p in info.value.problems)


def test_loader_rejects_unparsable_yaml(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("nodes: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_dataset_dir(tmp_path)
    assert info.value.problems[0]["file"] == "broken.yaml"
