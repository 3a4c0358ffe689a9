"""Whole-graph export (JSON for chainkg import, GraphML for Gephi / Cytoscape)."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import StoreDep, require_read_access
from graph.exchange import export_graphml, export_json

router = APIRouter(tags=["export"], dependencies=[Depends(require_read_access)])


@router.get("/export", response_class=Response)
def export(
    store: StoreDep,
    format: Annotated[Literal["json", "graphml"], Query(description="json (chainkg format) or graphml")] = "json",
) -> Response:
    """Every node and edge with all properties."""
    buf = io.StringIO()
    if format == "json":
        export_json(store, buf)
        media, ext = "application/json", "json"
    else:
        export_graphml(store, buf)
        media, ext = "application/graphml+xml", "graphml"
    return Response(
        buf.getvalue().encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="chainkg.{ext}"'},
    )
