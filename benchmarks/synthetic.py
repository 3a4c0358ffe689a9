"""Synthetic industry-chain graphs of any size, deterministic for a seed (benchmarks and scale tests).

National scale (the default of ``national()``): 300 cities in 31 provinces, 20k products in 300
chains, 200k enterprises. Products of a chain form a layered DAG (upstream → downstream);
enterprises produce 1–3 products, sit in a city or one of its parks, and some belong to groups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from graph.model import (
    Anchors,
    Chain,
    CooperatesWith,
    Edge,
    Enterprise,
    InChain,
    Institution,
    LocatedIn,
    Node,
    Park,
    PartOf,
    Produces,
    Product,
    Region,
    Stage,
    Supplies,
    UpstreamOf,
)

T = "2026-01-01T00:00:00Z"
SRC = "synthetic"
STAGES = [Stage.UPSTREAM, Stage.MIDSTREAM, Stage.DOWNSTREAM]


@dataclass(frozen=True)
class Scale:
    provinces: int
    cities: int
    parks_per_city: int
    chains: int
    products: int
    enterprises: int


CITY = Scale(provinces=1, cities=1, parks_per_city=3, chains=20, products=600, enterprises=2000)
PROVINCE = Scale(provinces=1, cities=14, parks_per_city=3, chains=100, products=5000, enterprises=30000)
NATIONAL = Scale(provinces=31, cities=300, parks_per_city=3, chains=300, products=20000, enterprises=200000)
SCALES = {"city": CITY, "province": PROVINCE, "national": NATIONAL}


def generate(scale: Scale, seed: int = 7) -> tuple[list[Node], list[Edge]]:
    rnd = random.Random(seed)
    nodes: list[Node] = []
    edges: list[Edge] = []

    nodes.append(Region(id="region:cn", name="中国", level="country", source=SRC, updated_at=T).to_node())
    cities: list[str] = []
    parks: list[str] = []
    for p in range(scale.provinces):
        pid = f"region:p{p}"
        nodes.append(Region(id=pid, name=f"省{p}", level="province", source=SRC, updated_at=T).to_node())
        edges.append(LocatedIn(source_id=pid, target_id="region:cn", source=SRC, updated_at=T).to_edge())
    for c in range(scale.cities):
        cid = f"region:c{c}"
        cities.append(cid)
        nodes.append(Region(id=cid, name=f"市{c}", level="city", source=SRC, updated_at=T).to_node())
        edges.append(
            LocatedIn(source_id=cid, target_id=f"region:p{c % scale.provinces}", source=SRC, updated_at=T).to_edge()
        )
        for k in range(scale.parks_per_city):
            park = f"park:c{c}-{k}"
            parks.append(park)
            nodes.append(Park(id=park, name=f"市{c}园区{k}", source=SRC, updated_at=T).to_node())
            edges.append(LocatedIn(source_id=park, target_id=cid, source=SRC, updated_at=T).to_edge())
        inner = f"park:c{c}-0-in"  # one park-in-park per city
        parks.append(inner)
        nodes.append(Park(id=inner, name=f"市{c}园中园", source=SRC, updated_at=T).to_node())
        edges.append(PartOf(source_id=inner, target_id=f"park:c{c}-0", source=SRC, updated_at=T).to_edge())

    per_chain = scale.products // scale.chains
    products: list[str] = []
    for ch in range(scale.chains):
        chain = f"chain:{ch}"
        nodes.append(Chain(id=chain, name=f"产业链{ch}", source=SRC, updated_at=T).to_node())
        layer_of: list[list[str]] = [[], [], []]
        for i in range(per_chain):
            pid = f"prod:{ch}-{i}"
            products.append(pid)
            stage = min(2, i * 3 // per_chain)
            layer_of[stage].append(pid)
            nodes.append(Product(id=pid, name=f"产品{ch}-{i}", source=SRC, updated_at=T).to_node())
            edges.append(
                InChain(source_id=pid, target_id=chain, stage=STAGES[stage], source=SRC, updated_at=T).to_edge()
            )
        for stage in (1, 2):
            for pid in layer_of[stage]:
                for src in rnd.sample(layer_of[stage - 1], k=min(2, len(layer_of[stage - 1]))):
                    edges.append(UpstreamOf(source_id=src, target_id=pid, source=SRC, updated_at=T).to_edge())

    for ch in range(scale.chains):  # one research institute per chain
        nodes.append(
            Institution(
                id=f"inst:{ch}", name=f"产业链{ch}研究院", kind="research institute", source=SRC, updated_at=T
            ).to_node()
        )
        edges.append(Anchors(source_id=f"inst:{ch}", target_id=f"chain:{ch}", source=SRC, updated_at=T).to_edge())
    by_institute: dict[str, list[str]] = {}

    groups = [f"ent:g{g}" for g in range(max(1, scale.enterprises // 1000))]
    for g in groups:
        nodes.append(Enterprise(id=g, name=f"集团{g}", is_group=True, source=SRC, updated_at=T).to_node())
    enterprises: list[str] = []
    for e in range(scale.enterprises):
        eid = f"ent:{e}"
        enterprises.append(eid)
        nodes.append(
            Enterprise(
                id=eid, name=f"企业{e}有限公司", employees=rnd.randint(5, 5000), source=SRC, updated_at=T
            ).to_node()
        )
        place = rnd.choice(parks) if rnd.random() < 0.6 else rnd.choice(cities)
        edges.append(LocatedIn(source_id=eid, target_id=place, source=SRC, updated_at=T).to_edge())
        if rnd.random() < 0.1:
            edges.append(PartOf(source_id=eid, target_id=rnd.choice(groups), source=SRC, updated_at=T).to_edge())
        made = rnd.sample(products, k=rnd.randint(1, 3))
        for pid in made:
            edges.append(Produces(source_id=eid, target_id=pid, confidence=0.9, source=SRC, updated_at=T).to_edge())
        if rnd.random() < 0.3:  # 产学研 with the institute of its first product's chain
            institute = "inst:" + made[0].removeprefix("prod:").split("-")[0]
            members = by_institute.setdefault(institute, [])
            if members and rnd.random() < 0.5:  # and sometimes with firms already working with it
                for peer in rnd.sample(members, k=min(2, len(members))):
                    edges.append(
                        CooperatesWith(
                            source_id=eid, target_id=peer, kind="企业合作", source=SRC, updated_at=T
                        ).to_edge()
                    )
            edges.append(
                CooperatesWith(source_id=eid, target_id=institute, kind="产学研", source=SRC, updated_at=T).to_edge()
            )
            members.append(eid)
    for _ in range(scale.enterprises // 2):
        a, b = rnd.sample(enterprises, 2)
        edges.append(
            Supplies(source_id=a, target_id=b, product=rnd.choice(products), source=SRC, updated_at=T).to_edge()
        )
    return nodes, edges
