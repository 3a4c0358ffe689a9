"""Investment targets (招商目标): outside enterprises that could fill a chain's local gaps.

For every product of the chain whose status in the place is missing, broken or weak (see
:mod:`queries.gaps`), each enterprise outside the place that PRODUCES it is a candidate. A
candidate's score is the sum of the points of its components, every one returned as data
(``{"value": raw, "points": weight x scaled value}``) so the ranking can be explained:

==============  ==============================================  =============================
component       value                                           points
==============  ==============================================  =============================
produces        1 (it makes the product)                        1.0
gap             the product's status                            1.0 x (broken 1, missing 0.6,
                                                                weak 0.3)
supply_links    distinct local enterprises it SUPPLIES or is    0.5 x log2(1 + value)
                supplied by (either direction)
other_gaps      other gap products of this chain it makes       0.5 x value
confidence      mean confidence of its PRODUCES facts for the   1.0 x value
                product (a fact without one counts as 1.0)
size            max(log10(1 + employees), log10(1 + revenue     0.5 x value
                in million CNY)) / 5, capped at 1; 0 unknown
==============  ==============================================  =============================

Candidates are ranked by score (highest first), then stage, product id and enterprise id.
``add`` runs a what-if: completeness before and after treating those enterprises as local,
computed in Python from the gap facts (nothing is written).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from graph.store import GraphStore
from queries.gaps import (
    BASELINE,
    BROKEN,
    GAP_STATUSES,
    MISSING,
    WEAK,
    GapData,
    ProductFacts,
    Scenario,
    completeness,
    fetch_chain,
    fetch_enterprises,
    stage_rank,
    statuses,
)
from queries.loader import load

WEIGHTS: dict[str, float] = {
    "produces": 1.0,
    "gap": 1.0,
    "supply_links": 0.5,
    "other_gaps": 0.5,
    "confidence": 1.0,
    "size": 0.5,
}
GAP_SEVERITY: dict[str, float] = {BROKEN: 1.0, MISSING: 0.6, WEAK: 0.3}
STATUS_ZH: dict[str, str] = {BROKEN: "断链", MISSING: "缺链", WEAK: "弱链", "strong": "强链"}


def size_scale(employees: float | None, revenue_million_cny: float | None) -> float:
    """Log-scaled size in [0, 1]: 10^5 employees or 10^5 million CNY of revenue give 1."""
    logs = [math.log10(1 + float(v)) for v in (employees, revenue_million_cny) if v is not None and v >= 0]
    return min(1.0, max(logs) / 5) if logs else 0.0


def _node(ref_id: str, label: str, name: str) -> dict[str, str]:
    return {"id": ref_id, "label": label, "name": name}


def _reason_zh(name: str, product: str, status: str, links: int, other: int, employees: Any, revenue: Any) -> str:
    parts = [f"{name}（区外）生产本地{STATUS_ZH[status]}产品{product}"]
    if links:
        parts.append(f"已与本地{links}家企业有供应往来")
    if other:
        parts.append(f"还能补本链另外{other}个缺口")
    size = []
    if employees is not None:
        size.append(f"员工{int(employees)}人")
    if revenue is not None:
        size.append(f"营收约{round(float(revenue) / 100, 1):g}亿元")
    if size:
        parts.append("、".join(size))
    return "，".join(parts) + "。"


def _candidate(
    row: Mapping[str, Any],
    facts: ProductFacts,
    status: str,
    gap_status: Mapping[str, str],
    by_id: Mapping[str, ProductFacts],
    data: GapData,
) -> dict[str, Any]:
    confidences = [1.0 if c is None else float(c) for c in row["confidences"]]
    confidence = sum(confidences) / len(confidences) if confidences else 1.0
    partners: dict[tuple[str, str], str] = {}
    for direction, key in (("to", "supplies_to"), ("from", "supplied_by")):
        for partner in row.get(key) or ():
            partners[(direction, partner["id"])] = partner.get("name") or partner["id"]
    local_partners = sorted({pid for _, pid in partners})
    other = sorted({q for q in row.get("gap_products") or () if q != facts.id and q in gap_status})
    employees, revenue = row.get("employees"), row.get("revenue_million_cny")
    size = size_scale(employees, revenue)
    values: dict[str, Any] = {
        "produces": 1,
        "gap": status,
        "supply_links": len(local_partners),
        "other_gaps": len(other),
        "confidence": round(confidence, 4),
        "size": round(size, 4),
    }
    scaled = {
        "produces": 1.0,
        "gap": GAP_SEVERITY[status],
        "supply_links": math.log2(1 + len(local_partners)),
        "other_gaps": float(len(other)),
        "confidence": confidence,
        "size": size,
    }
    points = {k: WEIGHTS[k] * scaled[k] for k in WEIGHTS}
    components = {k: {"value": values[k], "points": round(points[k], 4)} for k in WEIGHTS}
    reasons: list[dict[str, Any]] = [
        {
            "kind": "produces",
            "product": facts.id,
            "facts": len(confidences),
            "confidence": values["confidence"],
        },
        {"kind": "gap", "product": facts.id, "status": status},
    ]
    for (direction, pid), pname in sorted(partners.items()):
        reasons.append({"kind": "supplies", "direction": direction, "enterprise": {"id": pid, "name": pname}})
    if other:
        reasons.append(
            {
                "kind": "other_gaps",
                "products": [{"id": q, "name": by_id[q].name, "status": gap_status[q]} for q in other],
            }
        )
    if employees is not None or revenue is not None:
        reasons.append({"kind": "size", "employees": employees, "revenue_million_cny": revenue})
    name = row.get("name") or row["id"]
    chain = data.chain
    assert chain is not None
    return {
        "enterprise": {"id": row["id"], "name": name},
        "product": {"id": facts.id, "name": facts.name, "stage": facts.stage, "status": status},
        "score": round(sum(points.values()), 4),
        "components": components,
        "reasons": reasons,
        "reason_zh": _reason_zh(name, facts.name, status, len(local_partners), len(other), employees, revenue),
        "path": [
            _node(row["id"], "Enterprise", name),
            "PRODUCES",
            _node(facts.id, "Product", facts.name),
            "IN_CHAIN",
            _node(chain.id, "Chain", chain.name),
        ],
    }


def what_if_add(
    store: GraphStore, data: GapData, enterprise_ids: Sequence[str], *, timeout_ms: int | None = None
) -> dict[str, Any]:
    """Completeness before and after treating ``enterprise_ids`` as local (no writes).

    Unknown enterprise ids raise NotFoundError. Enterprises already in the place change nothing.
    """
    found = fetch_enterprises(store, enterprise_ids, timeout_ms=timeout_ms)
    region = data.region.id
    scenario = Scenario(
        added={eid: f["producer"] for eid, f in found.items()},
        added_products={eid: frozenset(f["products"]) for eid, f in found.items()},
    )
    before, after = statuses(data, BASELINE), statuses(data, scenario)
    chain_products = {p.id for p in data.products}
    return {
        "add": [
            {
                "id": eid,
                "name": found[eid]["producer"].name,
                "already_local": region in found[eid]["places"],
                "chain_products": sorted(found[eid]["products"] & chain_products),
            }
            for eid in sorted(found)
        ],
        "before": completeness(data, before),
        "after": completeness(data, after),
        "changes": [
            {"id": p.id, "name": p.name, "from": before[p.id], "to": after[p.id]}
            for p in data.products
            if before[p.id] != after[p.id]
        ],
    }


def investment_targets(
    store: GraphStore,
    chain_id: str,
    region_id: str,
    limit: int = 20,
    add: Sequence[str] | None = None,
    *,
    timeout_ms: int | None = None,
) -> dict[str, Any]:
    """Outside enterprises that make the chain's missing, broken or weak products, ranked.

    Returns ``{"chain", "region", "weights", "total", "candidates": [...], "what_if"}``;
    ``candidates`` holds at most ``limit`` entries (``total`` counts them all); ``what_if`` is
    None unless ``add`` names enterprises. NotFoundError for an unknown chain, place or
    enterprise in ``add``; ValueError for a negative ``limit``.
    """
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    data = fetch_chain(store, chain_id, region_id, timeout_ms=timeout_ms)
    status = statuses(data)
    by_id = data.by_id()
    gap_status = {pid: s for pid, s in status.items() if s in GAP_STATUSES}
    gaps = sorted(gap_status)
    params = {"products": gaps, "region": region_id}
    rows = store.read(load("target_candidates"), params, timeout_ms=timeout_ms) if gaps else []
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    makes: dict[str, set[str]] = {}  # candidate enterprise -> the gap products it makes
    for row in rows:
        key = (row["product"], row["id"])
        entry = merged.setdefault(key, {**row, "confidences": [], "supplies_to": [], "supplied_by": []})
        entry["confidences"].append(row["confidence"])
        makes.setdefault(row["id"], set()).add(row["product"])
    links: dict[str, dict[str, list[dict[str, str]]]] = {}
    if makes:
        params = {"ids": sorted(makes), "region": region_id}
        for link in store.read(load("target_supplies"), params, timeout_ms=timeout_ms):
            side = "supplies_to" if link["direction"] == "to" else "supplied_by"
            partner = {"id": link["partner"], "name": link["partner_name"]}
            links.setdefault(link["id"], {}).setdefault(side, []).append(partner)
    for (_, eid), entry in merged.items():
        entry["gap_products"] = sorted(makes[eid])
        entry.update(links.get(eid, {}))
    candidates = [
        _candidate(row, by_id[pid], gap_status[pid], gap_status, by_id, data) for (pid, _), row in merged.items()
    ]
    candidates.sort(
        key=lambda c: (
            -c["score"],
            stage_rank(c["product"]["stage"]),
            c["product"]["id"],
            c["enterprise"]["id"],
        )
    )
    assert data.chain is not None
    return {
        "chain": data.chain.as_dict(),
        "region": data.region.as_dict(),
        "weights": dict(WEIGHTS),
        "total": len(candidates),
        "candidates": candidates[:limit],
        "what_if": what_if_add(store, data, add, timeout_ms=timeout_ms) if add else None,
    }
