"""Read-only Cypher for power users and other tools: parameters only, time and row limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from api.deps import SettingsDep, StoreDep, require_read_access
from graph.guard import check_read_only

router = APIRouter(tags=["cypher"], dependencies=[Depends(require_read_access)])


class CypherRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000, description="One read-only Cypher statement.")
    params: dict[str, Any] = Field(default_factory=dict, description="Query parameters ($name).")

    @field_validator("params")
    @classmethod
    def _names_are_identifiers(cls, params: dict[str, Any]) -> dict[str, Any]:
        bad = [name for name in params if not (name.isidentifier() and name.isascii())]
        if bad:
            raise ValueError(f"parameter names must be identifiers: {bad}")
        return params


@router.post("/cypher")
def run_cypher(body: CypherRequest, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Run a read-only statement in the engine's read-only mode; any write is refused (403).

    Values must be passed as ``params``. At most ``CHAINKG_CYPHER_MAX_ROWS`` rows come back
    (``truncated`` says so) and the engine stops after ``CHAINKG_CYPHER_TIMEOUT_MS``.
    """
    check_read_only(body.query)
    limit = settings.cypher_max_rows
    rows = store.read(body.query, body.params, timeout_ms=settings.cypher_timeout_ms, max_rows=limit + 1)
    return {"rows": rows[:limit], "truncated": len(rows) > limit, "limit": limit}
