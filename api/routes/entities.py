"""Search, entity pages, chains and the chain panorama."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import StoreDep, require_read_access
from queries import entities

router = APIRouter(tags=["entities"], dependencies=[Depends(require_read_access)])

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]


@router.get("/search")
def search(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Name, alias or English name (part).")],
    label: Annotated[str | None, Query(description="Only nodes of this label, e.g. Enterprise.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Nodes whose names or aliases match ``q`` (substring and full-text)."""
    items = entities.search(store, q, label=label, limit=limit)
    return {"items": items, "total": len(items), "limit": limit}


@router.get("/entities/{entity_id}")
def entity(store: StoreDep, entity_id: str, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """A node with its properties and one page of its neighbours with edge provenance."""
    return entities.entity(store, entity_id, offset=offset, limit=limit)


@router.get("/chains")
def chains(store: StoreDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Every chain with its product count."""
    items = entities.chains(store, offset=offset, limit=limit)
    return {"items": items, "offset": offset, "limit": limit}


@router.get("/places")
def places(store: StoreDep, limit: Limit = 1000, offset: Offset = 0) -> dict[str, Any]:
    """Regions and parks, each with the places that directly contain it."""
    items = entities.places(store, offset=offset, limit=limit)
    return {"items": items, "offset": offset, "limit": limit}


@router.get("/chains/{chain_id}/panorama")
def panorama(store: StoreDep, chain_id: str) -> dict[str, Any]:
    """The chain's products by stage (上游 → 下游) with the input edges between them."""
    return entities.panorama(store, chain_id)
