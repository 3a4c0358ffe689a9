"""Look-ups behind search, entity pages and the chain panorama."""

from __future__ import annotations

from typing import Any

from graph.errors import InvalidElementError, NotFoundError
from graph.model import check_label
from graph.store import GraphStore, model_label
from queries.gaps import stage_rank
from queries.loader import load


def search(store: GraphStore, text: str, *, label: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Nodes matching ``text`` by name, English name or alias, best first.

    Substring matches on names and aliases come first (shortest name first: an exact name beats
    a longer one containing it), then the engine's full-text hits that were not found that way.
    """
    q = text.strip().lower()
    if not q:
        raise InvalidElementError("search text is empty")
    if label is not None:
        check_label(label)
    rows = store.read(load("search_names"), {"q": q, "label": label, "limit": limit})
    hits = [_hit(r, "name") for r in rows]
    seen = {h["id"] for h in hits}
    if len(hits) < limit:
        extra = [h["id"] for h in store.fulltext(text, limit=limit) if h["id"] not in seen]
        for row in store.read(load("entity_by_ids"), {"ids": extra}):
            if label is None or label in row["labels"]:
                props = row["props"]
                hits.append(
                    {
                        "id": row["id"],
                        "label": model_label(row["labels"]),
                        "name": props.get("name"),
                        "name_en": props.get("name_en"),
                        "aliases": props.get("aliases") or [],
                        "match": "fulltext",
                    }
                )
    return hits[:limit]


def _hit(row: dict[str, Any], how: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "label": model_label(row["labels"]),
        "name": row["name"],
        "name_en": row["name_en"],
        "aliases": row["aliases"] or [],
        "match": how,
    }


def entity(store: GraphStore, entity_id: str, *, offset: int = 0, limit: int = 100) -> dict[str, Any]:
    """A node with all its properties and one page of its neighbours (edges with provenance)."""
    rows = store.read(load("entity_by_ids"), {"ids": [entity_id]})
    if not rows:
        raise NotFoundError(f"no node with id {entity_id!r}", id=entity_id)
    props = dict(rows[0]["props"])
    props.pop("places", None)
    neighbours = [
        {
            "type": r["type"],
            "direction": "out" if r["outgoing"] else "in",
            "node": {"id": r["id"], "label": model_label(r["labels"]), "name": r["name"]},
            "properties": r["props"],
        }
        for r in store.read(load("entity_neighbours"), {"id": entity_id, "skip": offset, "limit": limit})
    ]
    total = int(store.read(load("entity_degree"), {"id": entity_id})[0]["n"])
    return {
        "id": entity_id,
        "label": model_label(rows[0]["labels"]),
        "properties": props,
        "neighbours": {"total": total, "offset": offset, "limit": limit, "items": neighbours},
    }


def chains(store: GraphStore, *, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Every chain with how many products it has."""
    return [
        {"id": r["id"], "name": r["name"], "name_en": r["name_en"], "products": int(r["products"])}
        for r in store.read(load("chain_list"), {"skip": offset, "limit": limit})
    ]


def places(store: GraphStore, *, offset: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """Every region and park with the places that contain it directly."""
    return [
        {
            "id": r["id"],
            "label": model_label(r["labels"]),
            "name": r["name"],
            "name_en": r["name_en"],
            "parents": sorted(r["parents"]),
        }
        for r in store.read(load("place_list"), {"skip": offset, "limit": limit})
    ]


def panorama(store: GraphStore, chain_id: str) -> dict[str, Any]:
    """A chain's products grouped by stage (上游 → 下游) and the input edges between them."""
    rows = store.read(load("chain_panorama"), {"chain": chain_id})
    if not rows:
        if not store.read(load("entity_by_ids"), {"ids": [chain_id]}):
            raise NotFoundError(f"no chain with id {chain_id!r}", id=chain_id)
        return {"id": chain_id, "name": None, "stages": [], "edges": []}
    row = rows[0]
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for p in sorted(row["products"], key=lambda p: (stage_rank(p["stage"]), p["id"])):
        by_stage.setdefault(p["stage"], []).append({**p, "producers": int(p["producers"])})
    edges = sorted(row["edges"], key=lambda e: (e["source"], e["target"]))
    return {
        "id": row["id"],
        "name": row["name"],
        "stages": [{"stage": s, "products": ps} for s, ps in by_stage.items()],
        "edges": edges,
    }
