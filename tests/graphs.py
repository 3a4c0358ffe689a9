"""Small hand-built graphs whose chain analytics are known by hand.

Each builder writes through ``store.upsert_nodes`` / ``store.upsert_edges`` with the model's
typed classes, then calls ``refresh_places``. The expected answers are spelled out next to
each graph so the tests can be checked against the picture, not against the code.
"""

from __future__ import annotations

from graph.model import (
    Chain,
    Edge,
    Enterprise,
    InChain,
    LocatedIn,
    Node,
    Park,
    PartOf,
    Produces,
    Product,
    Region,
    Supplies,
    UpstreamOf,
)
from graph.store import GraphStore
from queries.places import refresh_places

SRC = "test"


def product(pid: str, name: str) -> Node:
    return Product(id=pid, name=name, source=SRC).to_node()


def enterprise(eid: str, name: str, **props: object) -> Node:
    return Enterprise.model_validate({"id": eid, "name": name, "source": SRC, **props}).to_node()


def produces(eid: str, pid: str, key: str = "", confidence: float = 1.0) -> Edge:
    return Produces(source_id=eid, target_id=pid, key=key, confidence=confidence, source=SRC).to_edge()


def upstream(a: str, b: str) -> Edge:
    return UpstreamOf(source_id=a, target_id=b, source=SRC).to_edge()


def in_chain(pid: str, chain: str, stage: str) -> Edge:
    return InChain.model_validate({"source_id": pid, "target_id": chain, "stage": stage, "source": SRC}).to_edge()


def located(a: str, b: str) -> Edge:
    return LocatedIn(source_id=a, target_id=b, source=SRC).to_edge()


def part_of(a: str, b: str) -> Edge:
    return PartOf(source_id=a, target_id=b, source=SRC).to_edge()


def supplies(a: str, b: str, product_id: str | None = None) -> Edge:
    return Supplies(source_id=a, target_id=b, product=product_id, source=SRC).to_edge()


def load(store: GraphStore, nodes: list[Node], edges: list[Edge]) -> None:
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    refresh_places(store)


# ---------------------------------------------------------------------------------------------
# The polyurethane world
# ---------------------------------------------------------------------------------------------
#
# Places:   reg:prov ⊃ reg:city ⊃ park:hz ⊃ park:inner ⊃ park:core      (LOCATED_IN / PART_OF)
#           reg:prov ⊃ reg:other
# Chain chain:pu (聚氨酯), products by stage:
#   上游 a1, a2      中游 m1, m2, m3, m4      下游 d1, d2
# Out of the chain: s0 (原油, input of m4), x1 (泡沫, output of d1); chain:ev holds e1 only.
# UPSTREAM_OF: a1→m1→d1, a2→m2→d2, a1→m3→d1, s0→m4→d1, d1→x1
#
# Enterprises (place → products):
#   a1-one   park:core            a1, e1
#   a1-two   reg:city             a1
#   a2-solo  park:hz              a2 twice (PRODUCES keys k1 and k2: still one producer)
#   m3-x     park:inner, PART_OF group-g     m3
#   m3-y     reg:city,   PART_OF group-g     m3
#   d1-p     reg:city,   PART_OF group-g     d1
#   d1-q     reg:city,   PART_OF group-h     d1
#   s0-ref   reg:city             s0
#   group-g  reg:other (a group; its subsidiaries are not in reg:other because of it)
#   group-h  nowhere
#   out-m1   reg:other            m1 (0.9), m2 (0.7); 5000 employees; SUPPLIES d1-p; d1-q SUPPLIES it
#   out-m1b  nowhere              m1 (0.5)
#   out-m2   reg:other            m2 (1.0); revenue 99999 million CNY
#   out-d2   reg:other            d2
#
# In reg:city:  a1 strong, a2 weak (one producer), m1 broken (a1 and d1 local), m2 missing
#   (a2 local, d2 not), m3 weak (one group), m4 broken (s0 local, out of chain), d1 strong
#   (groups g and h), d2 missing. Covered 4/8: 上游 1.0, 中游 0.25, 下游 0.5.
#   Extensions: m1 from [a1], m2 from [a2], x1 from [d1].
# In park:hz (a1-one, a2-solo, m3-x): a1, a2, m3 weak; everything else missing. 3/8.

PU_PRODUCTS = {
    "prod:a1": ("苯", "上游"),
    "prod:a2": ("甲苯", "上游"),
    "prod:m1": ("硝基苯", "中游"),
    "prod:m2": ("甲苯二胺", "中游"),
    "prod:m3": ("苯胺", "中游"),
    "prod:m4": ("燃料油", "中游"),
    "prod:d1": ("MDI", "下游"),
    "prod:d2": ("TDI", "下游"),
}


def build_pu_world(store: GraphStore) -> None:
    nodes: list[Node] = [
        Region(id="reg:prov", name="甲省", level="province", source=SRC).to_node(),
        Region(id="reg:city", name="乙市", level="city", source=SRC).to_node(),
        Region(id="reg:other", name="丙市", level="city", source=SRC).to_node(),
        Park(id="park:hz", name="化工园", source=SRC).to_node(),
        Park(id="park:inner", name="园中园", source=SRC).to_node(),
        Park(id="park:core", name="核心区", source=SRC).to_node(),
        Chain(id="chain:pu", name="聚氨酯产业链", source=SRC).to_node(),
        Chain(id="chain:ev", name="新能源汽车产业链", source=SRC).to_node(),
        product("prod:s0", "原油"),
        product("prod:x1", "聚氨酯泡沫"),
        product("prod:e1", "电池"),
        enterprise("ent:a1-one", "苯一厂"),
        enterprise("ent:a1-two", "苯二厂"),
        enterprise("ent:a2-solo", "甲苯厂"),
        enterprise("ent:m3-x", "苯胺甲厂"),
        enterprise("ent:m3-y", "苯胺乙厂"),
        enterprise("ent:d1-p", "MDI甲厂"),
        enterprise("ent:d1-q", "MDI乙厂"),
        enterprise("ent:s0-ref", "炼油厂"),
        enterprise("ent:group-g", "G集团", is_group=True),
        enterprise("ent:group-h", "H集团", is_group=True),
        enterprise("ent:out-m1", "外地硝基苯厂", employees=5000),
        enterprise("ent:out-m1b", "无名硝基苯厂"),
        enterprise("ent:out-m2", "外地二胺厂", revenue_million_cny=99999.0),
        enterprise("ent:out-d2", "外地TDI厂"),
    ]
    nodes += [product(pid, name) for pid, (name, _) in PU_PRODUCTS.items()]
    edges: list[Edge] = [
        located("reg:city", "reg:prov"),
        located("reg:other", "reg:prov"),
        located("park:hz", "reg:city"),
        part_of("park:inner", "park:hz"),
        part_of("park:core", "park:inner"),
        located("ent:a1-one", "park:core"),
        located("ent:a1-two", "reg:city"),
        located("ent:a2-solo", "park:hz"),
        located("ent:m3-x", "park:inner"),
        located("ent:m3-y", "reg:city"),
        located("ent:d1-p", "reg:city"),
        located("ent:d1-q", "reg:city"),
        located("ent:s0-ref", "reg:city"),
        located("ent:group-g", "reg:other"),
        located("ent:out-m1", "reg:other"),
        located("ent:out-m2", "reg:other"),
        located("ent:out-d2", "reg:other"),
        part_of("ent:m3-x", "ent:group-g"),
        part_of("ent:m3-y", "ent:group-g"),
        part_of("ent:d1-p", "ent:group-g"),
        part_of("ent:d1-q", "ent:group-h"),
        upstream("prod:a1", "prod:m1"),
        upstream("prod:m1", "prod:d1"),
        upstream("prod:a2", "prod:m2"),
        upstream("prod:m2", "prod:d2"),
        upstream("prod:a1", "prod:m3"),
        upstream("prod:m3", "prod:d1"),
        upstream("prod:s0", "prod:m4"),
        upstream("prod:m4", "prod:d1"),
        upstream("prod:d1", "prod:x1"),
        produces("ent:a1-one", "prod:a1"),
        produces("ent:a1-one", "prod:e1"),
        produces("ent:a1-two", "prod:a1"),
        produces("ent:a2-solo", "prod:a2", key="k1"),
        produces("ent:a2-solo", "prod:a2", key="k2"),
        produces("ent:m3-x", "prod:m3"),
        produces("ent:m3-y", "prod:m3"),
        produces("ent:d1-p", "prod:d1"),
        produces("ent:d1-q", "prod:d1"),
        produces("ent:s0-ref", "prod:s0"),
        produces("ent:out-m1", "prod:m1", confidence=0.9),
        produces("ent:out-m1", "prod:m2", confidence=0.7),
        produces("ent:out-m1b", "prod:m1", confidence=0.5),
        produces("ent:out-m2", "prod:m2"),
        produces("ent:out-d2", "prod:d2"),
        supplies("ent:out-m1", "ent:d1-p", "prod:m1"),
        supplies("ent:d1-q", "ent:out-m1", "prod:d1"),
        in_chain("prod:e1", "chain:ev", "下游"),
    ]
    edges += [in_chain(pid, "chain:pu", stage) for pid, (_, stage) in PU_PRODUCTS.items()]
    load(store, nodes, edges)


# ---------------------------------------------------------------------------------------------
# A cycle in the product graph
# ---------------------------------------------------------------------------------------------
#
# chain:cyc (all 中游): A→B→C→A, plus A→D→C. In reg:r, ent:ca makes A, ent:cc makes C and
# ent:cd makes D. B has no local producer, its input A and its output C are local: B is broken;
# A, C and D are weak (one producer each). chain:empty has no products.
# Without ent:ca, A is broken (input C, output D still local) and B missing; without ent:cc,
# C is broken (input D, output A) and B missing; without ent:cd, D is broken.
# Betweenness (directed, normalised by (n-1)(n-2) = 6): A 4/6, C 4/6, B 0.5/6, D 0.5/6.


def build_cycle_world(store: GraphStore) -> None:
    nodes = [
        Region(id="reg:r", name="环市", source=SRC).to_node(),
        Chain(id="chain:cyc", name="循环链", source=SRC).to_node(),
        Chain(id="chain:empty", name="空链", source=SRC).to_node(),
        product("prod:A", "甲"),
        product("prod:B", "乙"),
        product("prod:C", "丙"),
        product("prod:D", "丁"),
        enterprise("ent:ca", "甲厂"),
        enterprise("ent:cc", "丙厂"),
        enterprise("ent:cd", "丁厂"),
    ]
    edges = [
        upstream("prod:A", "prod:B"),
        upstream("prod:B", "prod:C"),
        upstream("prod:C", "prod:A"),
        upstream("prod:A", "prod:D"),
        upstream("prod:D", "prod:C"),
        in_chain("prod:A", "chain:cyc", "中游"),
        in_chain("prod:B", "chain:cyc", "中游"),
        in_chain("prod:C", "chain:cyc", "中游"),
        in_chain("prod:D", "chain:cyc", "中游"),
        located("ent:ca", "reg:r"),
        located("ent:cc", "reg:r"),
        located("ent:cd", "reg:r"),
        produces("ent:ca", "prod:A"),
        produces("ent:cc", "prod:C"),
        produces("ent:cd", "prod:D"),
    ]
    load(store, nodes, edges)
