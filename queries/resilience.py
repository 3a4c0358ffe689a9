"""Resilience of a place's chains: single sources, critical enterprises, removal what-ifs.

Scope: with ``chain_id``, every product of that chain (statuses as in :mod:`queries.gaps`);
without it, every product that belongs to some chain and has a producer in the place. Statuses
are recomputed in Python for each scenario; nothing is written.

- :func:`single_sources`: products with exactly one local producer (parallel PRODUCES edges
  count once; several producers of one group are not a single source here, they are ``weak``).
- :func:`critical_enterprises`: remove-one analysis. For each local producer of a product in
  scope: the products that would lose local production (become missing or broken), those that
  would fall from strong to weak, and a bridging score: the betweenness centrality (networkx,
  directed, normalised) of the products it makes in the product graph projected on the scope
  (UPSTREAM_OF edges between scope products), each divided by the number of local producers
  of that product. Ranked by lost, then weakened, then betweenness (descending), then id.
- :func:`what_if_remove`: every status change in scope if one enterprise left the place.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.store import GraphStore
from queries.gaps import (
    BASELINE,
    BROKEN,
    COVERED_STATUSES,
    MISSING,
    STRONG,
    WEAK,
    GapData,
    ProductFacts,
    Scenario,
    completeness,
    fetch_chain,
    fetch_enterprises,
    fetch_products,
    lookup,
    status_of,
    statuses,
)
from queries.loader import load

# Exact betweenness up to this many products; above it, 500 sampled sources with a fixed seed
# (still deterministic, and bounded in time on region-wide scopes).
BETWEENNESS_EXACT_LIMIT = 2000
BETWEENNESS_SAMPLES = 500


def fetch_scope(store: GraphStore, region_id: str, chain_id: str | None, *, timeout_ms: int | None = None) -> GapData:
    """The products in scope (see the module docstring) with their local facts."""
    if chain_id is not None:
        data = fetch_chain(store, chain_id, region_id, timeout_ms=timeout_ms)
        for facts in data.products:
            facts.chains = (chain_id,)
        return data
    _, region = lookup(store, None, region_id, timeout_ms=timeout_ms)
    chains: dict[str, set[str]] = {}
    for row in store.read(load("region_chain_products"), {"region": region_id}, timeout_ms=timeout_ms):
        chains.setdefault(row["id"], set()).add(row["chain"])
    return fetch_products(store, region, chains, chains, timeout_ms=timeout_ms)


def _header(data: GapData) -> dict[str, Any]:
    return {"region": data.region.as_dict(), "chain": data.chain.as_dict() if data.chain else None}


def _ref(facts: ProductFacts, status: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": facts.id, "name": facts.name}
    if status is not None:
        out["status"] = status
    return out


def single_sources(
    store: GraphStore, region_id: str, chain_id: str | None = None, *, timeout_ms: int | None = None
) -> dict[str, Any]:
    """Products in scope with exactly one local producer.

    Returns ``{"region", "chain", "products": [{"id", "name", "stage", "chains", "producer"}]}``
    in stage then id order (id order without a chain).
    """
    data = fetch_scope(store, region_id, chain_id, timeout_ms=timeout_ms)
    products = [
        {
            "id": p.id,
            "name": p.name,
            "stage": p.stage,
            "chains": list(p.chains),
            "producer": next(iter(p.producers.values())).as_dict(),
        }
        for p in data.products
        if len(p.producers) == 1
    ]
    return {**_header(data), "products": products}


def product_betweenness(data: GapData) -> dict[str, float]:
    """Betweenness centrality of each product in the UPSTREAM_OF graph projected on the scope."""
    graph = nx.DiGraph()
    scope = {p.id for p in data.products}
    graph.add_nodes_from(sorted(scope))
    for facts in data.products:
        for down in sorted(facts.downstream):
            if down in scope and down != facts.id:
                graph.add_edge(facts.id, down)
    if graph.number_of_nodes() > BETWEENNESS_EXACT_LIMIT:
        centrality = nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, normalized=True, seed=0)
    else:
        centrality = nx.betweenness_centrality(graph, normalized=True)
    return {str(k): float(v) for k, v in centrality.items()}


def _removal(data: GapData, enterprise_id: str, before: dict[str, str]) -> dict[str, Any]:
    after = statuses(data, Scenario(removed=frozenset({enterprise_id})))
    by_id = data.by_id()
    changed = [pid for pid in by_id if before[pid] != after[pid]]
    lost = [pid for pid in changed if before[pid] in COVERED_STATUSES and after[pid] not in COVERED_STATUSES]
    return {
        "after": after,
        "lost": [_ref(by_id[pid], after[pid]) for pid in lost],
        "newly_missing": [_ref(by_id[pid]) for pid in lost if after[pid] == MISSING],
        "newly_broken": [_ref(by_id[pid]) for pid in lost if after[pid] == BROKEN],
        "weakened": [_ref(by_id[pid]) for pid in changed if before[pid] == STRONG and after[pid] == WEAK],
        "changes": [{"id": pid, "name": by_id[pid].name, "from": before[pid], "to": after[pid]} for pid in changed],
    }


def critical_enterprises(
    store: GraphStore,
    region_id: str,
    chain_id: str | None = None,
    top: int = 10,
    *,
    timeout_ms: int | None = None,
) -> dict[str, Any]:
    """The ``top`` local enterprises whose departure would hurt the scope most.

    Returns ``{"region", "chain", "total", "enterprises": [{"id", "name", "group", "products",
    "lost", "weakened", "betweenness"}]}``; ``lost`` lists the products that would become
    missing or broken (with that status), ``weakened`` those that would fall from strong to
    weak, ``total`` counts the local producers analysed. ValueError for a negative ``top``.
    """
    if top < 0:
        raise ValueError(f"top must be 0 or more, not {top}")
    data = fetch_scope(store, region_id, chain_id, timeout_ms=timeout_ms)
    before = statuses(data, BASELINE)
    centrality = product_betweenness(data)
    makes: dict[str, list[ProductFacts]] = {}
    for facts in data.products:
        for eid in facts.producers:
            makes.setdefault(eid, []).append(facts)
    entries = []
    for eid in sorted(makes):
        products = makes[eid]
        producer = products[0].producers[eid]
        # Only the products it makes can lose local production or fall from strong to weak.
        gone = Scenario(removed=frozenset({eid}))
        after = {p.id: status_of(p, gone) for p in products}
        lost = [p for p in products if after[p.id] not in COVERED_STATUSES]
        weakened = [p for p in products if before[p.id] == STRONG and after[p.id] == WEAK]
        bridging = sum(centrality.get(p.id, 0.0) / len(p.producers) for p in products)
        entries.append(
            {
                **producer.as_dict(),
                "products": sorted(p.id for p in products),
                "lost": [_ref(p, after[p.id]) for p in lost],
                "weakened": [_ref(p) for p in weakened],
                "betweenness": round(bridging, 6),
            }
        )
    entries.sort(key=lambda e: (-len(e["lost"]), -len(e["weakened"]), -e["betweenness"], e["id"]))
    return {**_header(data), "total": len(entries), "enterprises": entries[:top]}


def what_if_remove(
    store: GraphStore,
    region_id: str,
    enterprise_id: str,
    chain_id: str | None = None,
    *,
    timeout_ms: int | None = None,
) -> dict[str, Any]:
    """Status changes in scope if ``enterprise_id`` left the place.

    Returns ``{"region", "chain", "enterprise", "local", "lost", "newly_missing",
    "newly_broken", "weakened", "changes", "completeness"}``: ``lost`` are products that would
    lose local production (with their new status, split into ``newly_missing`` and
    ``newly_broken``), ``changes`` every status change (a broken product can also become
    missing when its local input goes), ``completeness`` is ``{"before", "after"}`` for a chain
    and None without one. An enterprise outside the place changes nothing (``local`` false).
    NotFoundError for an unknown enterprise, place or chain.
    """
    data = fetch_scope(store, region_id, chain_id, timeout_ms=timeout_ms)
    found = fetch_enterprises(store, [enterprise_id], timeout_ms=timeout_ms)[enterprise_id]
    before = statuses(data, BASELINE)
    removal = _removal(data, enterprise_id, before)
    after = removal.pop("after")
    return {
        **_header(data),
        "enterprise": {"id": enterprise_id, "name": found["producer"].name},
        "local": data.region.id in found["places"],
        **removal,
        "completeness": (
            {"before": completeness(data, before), "after": completeness(data, after)} if data.chain else None
        ),
    }
