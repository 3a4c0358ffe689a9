"""A small known graph for the browser tests: a polyurethane chain in 乙市 with every status.

Places: region:prov 甲省 ⊃ region:city 乙市 ⊃ park:hz 化工园; region:other 丙市 (in 甲省).
Chain chain:pu 聚氨酯产业链:  上游 苯, 甲苯 → 中游 硝基苯, 苯胺, 甲苯二胺 → 下游 MDI, TDI
(苯→硝基苯→苯胺→MDI, 甲苯→甲苯二胺→TDI). chain:ev 新能源汽车产业链 holds 电池 only.

In region:city: 苯 strong (two producers), 甲苯 weak, 硝基苯 broken (苯 and 苯胺 local),
苯胺 weak, 甲苯二胺 missing, MDI strong, TDI missing. Outside (丙市): 外地硝基苯厂 makes
硝基苯 (evidence and confidence 0.9 on the edge, supplies MDI甲厂), 外地二胺厂 makes 甲苯二胺
and TDI, 外地TDI厂 makes TDI.
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
    Produces,
    Product,
    Region,
    Stage,
    Supplies,
    UpstreamOf,
)

SRC = "ui-test"
T = "2026-01-01T00:00:00Z"

PRODUCTS: dict[str, tuple[str, Stage]] = {
    "prod:benzene": ("苯", Stage.UPSTREAM),
    "prod:toluene": ("甲苯", Stage.UPSTREAM),
    "prod:nitro": ("硝基苯", Stage.MIDSTREAM),
    "prod:aniline": ("苯胺", Stage.MIDSTREAM),
    "prod:tda": ("甲苯二胺", Stage.MIDSTREAM),
    "prod:mdi": ("MDI", Stage.DOWNSTREAM),
    "prod:tdi": ("TDI", Stage.DOWNSTREAM),
}
# enterprise id → (name, place, products, extra properties)
ENTERPRISES: dict[str, tuple[str, str, list[str], dict[str, object]]] = {
    "ent:ben1": ("苯一厂", "park:hz", ["prod:benzene"], {}),
    "ent:ben2": ("苯二厂", "region:city", ["prod:benzene"], {}),
    "ent:tol1": ("甲苯厂", "park:hz", ["prod:toluene"], {}),
    "ent:ani1": ("苯胺厂", "region:city", ["prod:aniline"], {}),
    "ent:mdi1": ("MDI甲厂", "region:city", ["prod:mdi"], {}),
    "ent:mdi2": ("MDI乙厂", "region:city", ["prod:mdi"], {}),
    "ent:out-nitro": ("外地硝基苯厂", "region:other", [], {"employees": 5000}),
    "ent:out-tda": ("外地二胺厂", "region:other", ["prod:tda", "prod:tdi"], {"revenue_million_cny": 50000.0}),
    "ent:out-tdi": ("外地TDI厂", "region:other", ["prod:tdi"], {}),
    "ent:bat1": ("电池厂", "region:city", [], {}),
}
NITRO_EVIDENCE = "2025年报：硝基苯产能20万吨/年"


def pu_world() -> tuple[list[Node], list[Edge]]:
    nodes: list[Node] = [
        Region(id="region:prov", name="甲省", level="province", source=SRC, updated_at=T).to_node(),
        Region(id="region:city", name="乙市", level="city", source=SRC, updated_at=T).to_node(),
        Region(id="region:other", name="丙市", level="city", source=SRC, updated_at=T).to_node(),
        Park(id="park:hz", name="化工园", source=SRC, updated_at=T).to_node(),
        Chain(id="chain:pu", name="聚氨酯产业链", name_en="Polyurethane", source=SRC, updated_at=T).to_node(),
        Chain(id="chain:ev", name="新能源汽车产业链", source=SRC, updated_at=T).to_node(),
        Product(id="prod:battery", name="电池", source=SRC, updated_at=T).to_node(),
    ]
    edges: list[Edge] = [
        LocatedIn(source_id="region:city", target_id="region:prov", source=SRC, updated_at=T).to_edge(),
        LocatedIn(source_id="region:other", target_id="region:prov", source=SRC, updated_at=T).to_edge(),
        LocatedIn(source_id="park:hz", target_id="region:city", source=SRC, updated_at=T).to_edge(),
        InChain(
            source_id="prod:battery", target_id="chain:ev", stage=Stage.DOWNSTREAM, source=SRC, updated_at=T
        ).to_edge(),
        Produces(source_id="ent:bat1", target_id="prod:battery", source=SRC, updated_at=T).to_edge(),
    ]
    for pid, (name, stage) in PRODUCTS.items():
        nodes.append(Product(id=pid, name=name, source=SRC, updated_at=T).to_node())
        edges.append(InChain(source_id=pid, target_id="chain:pu", stage=stage, source=SRC, updated_at=T).to_edge())
    for a, b in [
        ("prod:benzene", "prod:nitro"),
        ("prod:nitro", "prod:aniline"),
        ("prod:aniline", "prod:mdi"),
        ("prod:toluene", "prod:tda"),
        ("prod:tda", "prod:tdi"),
    ]:
        edges.append(UpstreamOf(source_id=a, target_id=b, source=SRC, updated_at=T).to_edge())
    for eid, (name, place, made, extra) in ENTERPRISES.items():
        nodes.append(
            Enterprise.model_validate({"id": eid, "name": name, "source": SRC, "updated_at": T, **extra}).to_node()
        )
        edges.append(LocatedIn(source_id=eid, target_id=place, source=SRC, updated_at=T).to_edge())
        edges += [Produces(source_id=eid, target_id=p, source=SRC, updated_at=T).to_edge() for p in made]
    edges.append(
        Produces(
            source_id="ent:out-nitro",
            target_id="prod:nitro",
            source="企业年报",
            evidence=NITRO_EVIDENCE,
            confidence=0.9,
            status="extracted",
            updated_at=T,
        ).to_edge()
    )
    edges.append(Supplies(source_id="ent:out-nitro", target_id="ent:mdi1", source=SRC, updated_at=T).to_edge())
    return nodes, edges
