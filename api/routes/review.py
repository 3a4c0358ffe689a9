"""The review queue of extracted facts. Listing is a read; accept / reject / merge need the key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import StoreDep, require_read_access, require_write_key
from ingest import review

router = APIRouter(prefix="/review", tags=["review"])


class ReviewAction(BaseModel):
    item: str = Field(min_length=1, max_length=1000, description="Node id, or edge id source|TYPE|key|target")


class MergeAction(ReviewAction):
    into: str = Field(min_length=1, max_length=200, description="Existing node the item is an alias of")


@router.get("", dependencies=[Depends(require_read_access)])
def queue(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Extracted nodes, then extracted edges, each with its evidence sentence."""
    counts = review.pending_count(store)
    return {"counts": counts, "offset": offset, "limit": limit, "items": review.pending(store, limit, offset)}


@router.post("/accept", dependencies=[Depends(require_write_key)])
def accept(body: ReviewAction, store: StoreDep) -> dict[str, Any]:
    """Mark an extracted node or edge as reviewed."""
    return review.accept(store, body.item)


@router.post("/reject", dependencies=[Depends(require_write_key)])
def reject(body: ReviewAction, store: StoreDep) -> dict[str, Any]:
    """Delete an extracted node (with its extracted edges) or edge."""
    return review.reject(store, body.item)


@router.post("/merge", dependencies=[Depends(require_write_key)])
def merge(body: MergeAction, store: StoreDep) -> dict[str, Any]:
    """Fold an extracted node into an existing one (its name becomes an alias; edges move)."""
    return review.merge(store, body.item, body.into)
