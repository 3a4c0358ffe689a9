"""Health, readiness and store information."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import SettingsDep, StoreDep, require_read_access
from graph.errors import ChainKGError

router = APIRouter(tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up (does not touch the store)."""
    return {"status": "ok"}


@router.get("/ready", response_model=None)
def ready(store: StoreDep) -> dict[str, Any] | JSONResponse:
    """The store answers a query."""
    try:
        store.ping()
    except ChainKGError as e:
        return JSONResponse(status_code=503, content={"status": "unavailable", "detail": str(e)})
    return {"status": "ready", "backend": store.backend}


@router.get("/stats", dependencies=[Depends(require_read_access)])
def stats(store: StoreDep) -> dict[str, Any]:
    """Engine, version and element counts."""
    info = store.info()
    nodes, edges = store.counts()
    return {"backend": info.backend, "version": info.version, "nodes": nodes, "edges": edges}


@router.get("/config")
def config(settings: SettingsDep) -> dict[str, Any]:
    """What the web UI needs to know about this server: its default chain and region."""
    return {
        "default_chain": settings.ui_default_chain,
        "default_region": settings.ui_default_region,
        "read_key_required": settings.read_key_required,
    }
