"""``chainkg``: the command line for people (rich tables, progress bars) and scripts (``--json``).

Each command is a thin layer over functions in ``graph``, ``ingest`` and ``queries``. The app and
shared helpers live in ``api.cli_base``; analytics and text commands in their own modules.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from api import cli_analytics, cli_ingest
from api.cli_base import JsonOption, _state, app, command, console, out, print_json, progress_bar, store_session
from queries.places import refresh_places

app.add_typer(cli_analytics.resilience_app, name="resilience")
app.add_typer(cli_ingest.review_app, name="review")


class ExportFormat(StrEnum):
    json = "json"
    graphml = "graphml"


@command()
def info(as_json: JsonOption = False) -> None:
    """Show which store is in use, its engine version and how many nodes and edges it holds."""
    with store_session() as store:
        i = store.info()
        nodes, edges = store.counts()
    data = {"backend": i.backend, "url": i.url, "version": i.version, "nodes": nodes, "edges": edges}
    if as_json:
        print_json(data)
    else:
        for k, v in data.items():
            out.print(f"[bold]{k}[/bold]: {v}")


@command()
def init() -> None:
    """Create indexes, the uniqueness constraint on id and the full-text index (idempotent)."""
    with store_session(schema=True) as store:
        console.print(f"schema ready on {store.info().url}")


@command()
def load(
    dataset: Annotated[str, typer.Argument(help="Bundled dataset name, e.g. baiyin.")] = "baiyin",
    as_json: JsonOption = False,
) -> None:
    """Load a bundled dataset (idempotent: loading twice changes nothing)."""
    from graph.exchange import load_elements
    from ingest.datasets import load_dataset

    nodes, edges = load_dataset(dataset)
    with store_session(schema=True) as store, progress_bar(f"load {dataset}") as bar:
        task = bar.add_task("load", total=len(nodes) + len(edges))
        n, m = load_elements(store, nodes, edges, progress=lambda k: bar.advance(task, k))
        refresh_places(store)
    result = {"dataset": dataset, "nodes": n, "edges": m}
    if as_json:
        print_json(result)
    else:
        console.print(f"loaded {dataset}: {n} nodes, {m} edges")


@command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="Output file ('-' for standard output).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="json (chainkg format) or graphml.")] = (
        ExportFormat.json
    ),
) -> None:
    """Write every node and edge with all properties (JSON round-trips through ``import``)."""
    from graph.exchange import export_graphml, export_json

    writer = export_json if fmt is ExportFormat.json else export_graphml
    with store_session() as store:
        if str(file) == "-":
            n, m = writer(store, sys.stdout)
        else:
            tmp = file.with_name(file.name + ".part")
            with tmp.open("w", encoding="utf-8") as fh:
                n, m = writer(store, fh)
            tmp.replace(file)  # never leave a half-written export under the real name
    console.print(f"exported {n} nodes, {m} edges ({fmt.value})")


class ImportKind(StrEnum):
    graph = "graph"
    enterprises = "enterprises"
    products = "products"
    supplies = "supplies"
    cooperation = "cooperation"


@command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030), XLSX, JSON Lines, or a chainkg JSON export.")],
    kind: Annotated[
        ImportKind | None,
        typer.Option(help="What the rows are; detected from the headers (or the chainkg JSON format) if omitted."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Provenance source for rows without one.")] = None,
    create_products: Annotated[
        bool, typer.Option(help="Create unknown products named in an enterprises file.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Validate and report; write nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a file, all-or-nothing: every row is checked before anything is written, and
    re-importing the same file changes nothing. See ingest/IMPORT_FORMAT.md for the columns."""
    from graph.errors import InputFileError

    if not file.is_file():
        raise InputFileError(f"{file}: no such file", [{"file": str(file), "message": "no such file"}])
    if kind is ImportKind.graph or (kind is None and _is_graph_export(file)):
        result = _import_graph(file, dry_run)
    else:
        from ingest.importer import import_file

        with store_session(schema=True) as store, progress_bar(f"import {file.name}") as bar:
            task = bar.add_task("import", total=None)
            report = import_file(
                store,
                file,
                kind.value if kind else None,
                source=source,
                create_products=create_products,
                dry_run=dry_run,
                progress=lambda k: bar.advance(task, k),
            )
            if not dry_run:
                refresh_places(store, report.enterprise_ids)
        result = {"file": str(file), **report.to_dict()}
    if as_json:
        print_json(result)
    else:
        shown = {k: v for k, v in result.items() if not isinstance(v, (list, dict)) or k == "warnings"}
        for k, v in shown.items():
            console.print(f"[bold]{k}[/bold]: {v}")


def _is_graph_export(file: Path) -> bool:
    if file.suffix.lower() != ".json":
        return False
    with file.open("rb") as fh:
        head = fh.read(4096)
    return b'"nodes"' in head or b'"format"' in head


def _import_graph(file: Path, dry_run: bool) -> dict[str, Any]:
    from graph.exchange import load_elements, read_json

    nodes, edges = read_json(file)
    if dry_run:
        return {"file": str(file), "nodes": len(nodes), "edges": len(edges), "dry_run": True}
    with store_session(schema=True) as store, progress_bar(f"import {file.name}") as bar:
        task = bar.add_task("import", total=len(nodes) + len(edges))
        n, m = load_elements(store, nodes, edges, progress=lambda k: bar.advance(task, k))
        refresh_places(store)
    return {"file": str(file), "nodes": n, "edges": m}


@command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API (and web UI) on HOST:PORT."""
    import uvicorn

    from api.app import create_app

    if _state["graph"]:
        import os

        os.environ["CHAINKG_GRAPH"] = _state["graph"]
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


class BenchScale(StrEnum):
    city = "city"
    province = "province"
    national = "national"


@command()
def bench(
    scale: Annotated[BenchScale, typer.Option(help="Synthetic graph size.")] = BenchScale.province,
    neo4j: Annotated[
        str | None, typer.Option(help="Also benchmark this Neo4j (bolt://...); its graph is cleared first!")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where report.md and report.json go.")] = Path("benchmarks"),
    queries: Annotated[int, typer.Option(help="Gap queries per engine.")] = 200,
    api_seconds: Annotated[float, typer.Option(help="Length of the API load run (0 to skip).")] = 20.0,
    as_json: JsonOption = False,
) -> None:
    """Run every benchmark (bulk load, gap query with its in-memory baseline, targets, partners,
    API load) on a synthetic graph and write a Markdown + JSON report."""
    from benchmarks.report import run_report

    report = run_report(
        scale.value, neo4j, out_dir, queries=queries, api_seconds=api_seconds, say=lambda m: console.print(m)
    )
    if as_json:
        print_json(report)
    else:
        sys.stdout.write((out_dir / "report.md").read_text(encoding="utf-8"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
