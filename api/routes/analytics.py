"""Chain gaps (缺链 / 断链 / 弱链), investment targets (精准招商), what-if and resilience."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api import spreadsheets
from api.deps import StoreDep, require_read_access
from queries import gaps, resilience, targets
from queries import partners as partner_queries

router = APIRouter(tags=["analytics"], dependencies=[Depends(require_read_access)])

ChainQ = Annotated[str, Query(min_length=1, max_length=200, description="Chain id, e.g. chain:tdi")]
RegionQ = Annotated[str, Query(min_length=1, max_length=200, description="Region or park id (includes all inside)")]
OptChainQ = Annotated[str | None, Query(max_length=200, description="Restrict to one chain")]


@router.get("/gaps")
def gap_diagnosis(store: StoreDep, chain: ChainQ, region: RegionQ) -> dict[str, Any]:
    """Each product of the chain with its local producers and status (missing / broken / weak /
    strong), completeness overall and per stage, and extension (延链) opportunities."""
    return gaps.diagnose_gaps(store, chain, region)


@router.get("/targets")
def investment_targets(
    store: StoreDep,
    chain: ChainQ,
    region: RegionQ,
    limit: Annotated[int, Query(ge=1, le=200, description="How many candidates, best first")] = 20,
    add: Annotated[list[str] | None, Query(description="What-if: enterprise ids to treat as local")] = None,
) -> dict[str, Any]:
    """Outside enterprises that would fill each gap, ranked by a transparent score with reasons."""
    return targets.investment_targets(store, chain, region, limit=limit, add=add)


@router.get("/targets/export", response_class=Response)
def export_targets(
    store: StoreDep,
    chain: ChainQ,
    region: RegionQ,
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx (Excel) or csv (UTF-8 with BOM)")] = "xlsx",
    limit: Annotated[int, Query(ge=1, le=1000, description="How many candidates, best first")] = 200,
) -> Response:
    """The investment target list as a spreadsheet, one row per candidate with its reason."""
    report = targets.investment_targets(store, chain, region, limit=limit)
    rows = spreadsheets.target_rows(report)
    name = f"targets-{chain}-{region}".replace(":", "_")
    if format == "csv":
        body, media = spreadsheets.to_csv(spreadsheets.TARGET_COLUMNS, rows), "text/csv; charset=utf-8"
    else:
        body = spreadsheets.to_xlsx("招商目标", spreadsheets.TARGET_COLUMNS, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'})


@router.get("/resilience/single-sources")
def single_sources(store: StoreDep, region: RegionQ, chain: OptChainQ = None) -> dict[str, Any]:
    """Products with exactly one local producer."""
    return resilience.single_sources(store, region, chain)


@router.get("/resilience/critical")
def critical_enterprises(
    store: StoreDep, region: RegionQ, chain: OptChainQ = None, top: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    """Local enterprises whose loss would break the most chain links."""
    return resilience.critical_enterprises(store, region, chain, top=top)


@router.get("/resilience/what-if-remove")
def what_if_remove(
    store: StoreDep,
    region: RegionQ,
    enterprise: Annotated[str, Query(min_length=1, max_length=200, description="Enterprise id")],
    chain: OptChainQ = None,
) -> dict[str, Any]:
    """The links that become missing or broken if this enterprise left."""
    return resilience.what_if_remove(store, region, enterprise, chain)


@router.get("/partners")
def partners(
    store: StoreDep,
    actor: Annotated[str, Query(min_length=1, max_length=200, description="Actor id")],
    method: Annotated[str, Query(max_length=40, description="Link-prediction method")] = "hybrid",
    label: Annotated[list[str] | None, Query(description="Only candidates of these labels")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
) -> dict[str, Any]:
    """Partnership candidates for an actor, each with common partners and shared topics."""
    return partner_queries.suggest_partners(store, actor, method=method, labels=label, limit=limit)


@router.get("/paths")
def paths(
    store: StoreDep,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Shortest and all short cooperation paths between two actors."""
    return partner_queries.cooperation_paths(store, source, target, max_hops=max_hops, limit=limit)


@router.get("/partners/evaluation")
def partner_evaluation(
    store: StoreDep,
    hide: Annotated[float, Query(gt=0, lt=1)] = 0.2,
    k: Annotated[int, Query(ge=1, le=1000)] = 10,
    seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    """AUC and precision@k of each method on hidden cooperation ties."""
    return partner_queries.evaluate(partner_queries.project(store), hide=hide, k=k, seed=seed)
