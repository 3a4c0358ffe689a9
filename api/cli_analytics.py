"""CLI commands for chain analytics: ``gaps``, ``targets``, ``resilience``.

Registered on the ``chainkg`` app by ``api.cli``. ``--json`` prints exactly what the HTTP API
returns for the same question.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli_base import JsonOption, command, out, print_json, store_session

STATUS_ZH = {"missing": "缺链", "broken": "断链", "weak": "弱链", "strong": "强链"}
STATUS_STYLE = {"missing": "red", "broken": "magenta", "weak": "yellow", "strong": "green"}

ChainOpt = Annotated[str, typer.Option("--chain", "-c", help="Chain id, e.g. chain:tdi.")]
RegionOpt = Annotated[str, typer.Option("--region", "-r", help="Region or park id; everything inside counts.")]


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


@command()
def gaps(chain: ChainOpt, region: RegionOpt, as_json: JsonOption = False) -> None:
    """Gap diagnosis of a chain in a region: 缺链 missing, 断链 broken, 弱链 weak, strong."""
    from queries.gaps import diagnose_gaps

    with store_session() as store:
        report = diagnose_gaps(store, chain, region)
    if as_json:
        print_json(report)
        return
    c = report["completeness"]
    by_stage = ", ".join(f"{k} {_pct(v)}" for k, v in c["by_stage"].items())
    table = Table(
        title=f"{report['chain']['name']} @ {report['region']['name']}  完整度 {_pct(c['overall'])} ({by_stage})"
    )
    for col in ("环节", "产品", "状态", "本地企业"):
        table.add_column(col)
    for p in report["products"]:
        style = STATUS_STYLE.get(p["status"], "")
        producers = "、".join(e["name"] for e in p["local_producers"]) or "-"
        table.add_row(p["stage"], p["name"], f"[{style}]{STATUS_ZH.get(p['status'], p['status'])}[/]", producers)
    out.print(table)
    if report["extensions"]:
        out.print("延链机会: " + "、".join(e["name"] for e in report["extensions"]))


@command()
def targets(
    chain: ChainOpt,
    region: RegionOpt,
    limit: Annotated[int, typer.Option(help="How many candidates (best first).")] = 20,
    add: Annotated[list[str] | None, typer.Option("--add", help="What-if: treat this enterprise as local.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Investment targets (精准招商): outside enterprises that would fill each gap, with reasons."""
    from queries.targets import investment_targets

    with store_session() as store:
        report = investment_targets(store, chain, region, limit=limit, add=add)
    if as_json:
        print_json(report)
        return
    table = Table(
        title=f"招商目标 {report['chain']['name']} @ {report['region']['name']}  (共 {report['total']} 个候选)"
    )
    for col in ("缺口产品", "状态", "候选企业", "得分", "理由"):
        table.add_column(col)
    for cand in report["candidates"]:
        status = cand["product"].get("status", "")
        table.add_row(
            cand["product"]["name"],
            STATUS_ZH.get(status, status),
            cand["enterprise"]["name"],
            f"{cand['score']:.2f}",
            cand["reason_zh"],
        )
    out.print(table)
    if report.get("what_if"):
        w: dict[str, Any] = report["what_if"]
        out.print(f"what-if: 完整度 {_pct(w['before']['overall'])} → {_pct(w['after']['overall'])}")


resilience_app: typer.Typer = typer.Typer(help="Resilience: single sources, critical enterprises, what-if removal.")


@command("single-sources", on=resilience_app)
def single_sources(
    region: RegionOpt,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Only this chain.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Products with exactly one local producer."""
    from queries.resilience import single_sources as run

    with store_session() as store:
        report = run(store, region, chain)
    _print(report, as_json, "products", ("id", "name", "stage", "producer"))


@command("critical", on=resilience_app)
def critical(
    region: RegionOpt,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Only this chain.")] = None,
    top: Annotated[int, typer.Option(help="How many enterprises.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Local enterprises whose loss would break the most chain links."""
    from queries.resilience import critical_enterprises

    with store_session() as store:
        report = critical_enterprises(store, region, chain, top=top)
    _print(report, as_json, "enterprises", ("id", "name", "lost", "weakened", "betweenness"))


@command("what-if-remove", on=resilience_app)
def what_if_remove(
    region: RegionOpt,
    enterprise: Annotated[str, typer.Option("--enterprise", "-e", help="Enterprise id to remove.")],
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="Only this chain.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The links that become missing or broken if this enterprise left."""
    from queries.resilience import what_if_remove as run

    with store_session() as store:
        report = run(store, region, enterprise, chain)
    _print(report, as_json, "changes", ("id", "name", "from", "to"))


def _print(report: dict[str, Any], as_json: bool, key: str, columns: tuple[str, ...]) -> None:
    if as_json:
        print_json(report)
        return
    table = Table(title=key)
    for col in columns:
        table.add_column(col)
    for row in report.get(key, []):
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)


def _cell(v: Any) -> str:
    if isinstance(v, list):  # e.g. the links an enterprise's loss would break: count and names
        names = "、".join(str(x.get("name", x.get("id"))) if isinstance(x, dict) else str(x) for x in v[:3])
        return f"{len(v)}" + (f" ({names}{'…' if len(v) > 3 else ''})" if v else "")
    if isinstance(v, dict):
        return str(v.get("name") or v.get("id") or v)
    if isinstance(v, float):
        return f"{v:.3f}"
    return "-" if v is None else str(v)


@command()
def partners(
    actor: Annotated[str, typer.Option("--actor", "-a", help="Enterprise, institution, park or unit id.")],
    method: Annotated[
        str, typer.Option(help="hybrid, resource_allocation, adamic_adar, common_neighbours, topic_overlap.")
    ] = "hybrid",
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Only candidates of this label (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many candidates.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Partnership candidates (产学研) for an actor, from link prediction, each with its evidence."""
    from queries.partners import suggest_partners

    with store_session() as store:
        report = suggest_partners(store, actor, method=method, labels=label, limit=limit)
    if as_json:
        print_json(report)
        return
    table = Table(title=f"合作伙伴推荐: {report['actor']['name']} ({method})")
    for col in ("候选", "类型", "得分", "理由"):
        table.add_column(col)
    for c in report["candidates"]:
        table.add_row(c["actor"]["name"], c["actor"]["label"], f"{c['score']:.3f}", c["reason_zh"])
    out.print(table)


@command()
def path(
    source: Annotated[str, typer.Argument(help="Actor id.")],
    target: Annotated[str, typer.Argument(help="Actor id.")],
    max_hops: Annotated[int, typer.Option(help="Longest path to list (1-6).")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Shortest and all short cooperation paths between two actors."""
    from queries.partners import cooperation_paths

    with store_session() as store:
        report = cooperation_paths(store, source, target, max_hops=max_hops)
    if as_json:
        print_json(report)
        return
    if report["shortest"] is None:
        out.print("无合作路径 (no cooperation path)")
        return
    for p in report["paths"] or [report["shortest"]]:
        out.print(f"{p['hops']} 步: " + " — ".join(n["name"] for n in p["nodes"]))


@command("evaluate-partners")
def evaluate_partners(
    hide: Annotated[float, typer.Option(help="Share of cooperation ties to hide.")] = 0.2,
    k: Annotated[int, typer.Option(help="k of precision@k.")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Hide a share of cooperation ties; report AUC and precision@k of each link-prediction method."""
    from queries.partners import evaluate, project

    with store_session() as store:
        report = evaluate(project(store), hide=hide, k=k, seed=seed)
    if as_json:
        print_json(report)
        return
    table = Table(title=f"{report['hidden']} of {report['ties']} ties hidden, seed {seed}")
    for col in ("method", "AUC", f"precision@{k}"):
        table.add_column(col)
    for name, r in report["methods"].items():
        table.add_row(
            name + (" *" if name == report["best"] else ""), f"{r['auc']:.3f}", f"{r[f'precision_at_{k}']:.3f}"
        )
    out.print(table)
