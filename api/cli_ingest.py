"""CLI commands for text: ``extract`` and the ``review`` queue. Registered by ``api.cli``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_base import JsonOption, command, console, out, print_json, store_session
from graph.errors import InputFileError


@command()
def extract(
    file: Annotated[Path, typer.Argument(help="UTF-8 Chinese text file ('-' for standard input).")],
    as_json: JsonOption = False,
    known: Annotated[bool, typer.Option(help="Also match the names and aliases already in the graph.")] = True,
    stage_it: Annotated[
        bool, typer.Option("--stage", help="Write the candidates to the graph (status extracted) for review.")
    ] = False,
    source_id: Annotated[str | None, typer.Option(help="Source node id of the document (with --stage).")] = None,
    source_name: Annotated[str | None, typer.Option(help="Document title (default: its first line).")] = None,
) -> None:
    """Find organisations, parks, units, tasks and their relations in Chinese policy text.

    ``--json`` prints JSON Lines, one candidate per line (``kind`` entity or relation)."""
    from ingest.extract import Extractor, known_from_store, stage

    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"{file}: cannot read as UTF-8 text: {e}", [{"file": str(file), "message": str(e)}]) from e
    if stage_it and not source_id:
        raise typer.BadParameter("--stage needs --source-id", param_hint="--source-id")
    if known or stage_it:
        with store_session(schema=stage_it) as store:
            candidates = Extractor(known_from_store(store) if known else []).extract(text)
            result = None
            if stage_it:
                assert source_id is not None
                title = source_name or next((ln.strip() for ln in text.splitlines() if ln.strip()), source_id)
                result = stage(store, candidates, source_id, title)
    else:
        candidates, result = Extractor().extract(text), None
    if as_json:
        for c in candidates:
            sys.stdout.write(c.to_json() + "\n")
    else:
        table = Table(title=f"{file}: {len(candidates)} candidates")
        for col in ("kind", "type", "name / relation", "confidence", "evidence"):
            table.add_column(col)
        for c in candidates:
            what = c.name if c.kind == "entity" else f"{c.source} → {c.target}"
            table.add_row(c.kind, c.type, what, f"{c.confidence:.2f}", (c.evidence or "")[:40])
        out.print(table)
    if result is not None:
        console.print(f"staged for review: {result.to_dict()}")


review_app: typer.Typer = typer.Typer(help="The review queue of extracted facts: list, accept, reject, merge.")


@command("list", on=review_app)
def review_list(
    limit: Annotated[int, typer.Option(help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(help="Items to skip.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Extracted nodes and edges waiting for review, with their evidence."""
    from ingest.review import pending, pending_count

    with store_session() as store:
        items = pending(store, limit=limit, offset=offset)
        counts = pending_count(store)
    if as_json:
        print_json({"counts": counts, "offset": offset, "limit": limit, "items": items})
        return
    table = Table(title=f"review queue: {counts}")
    for col in ("id", "what", "confidence", "evidence"):
        table.add_column(col)
    for i in items:
        what = (
            f"{i['label']} {i['name']}"
            if i["kind"] == "node"
            else f"{i['source_name']} -{i['type']}→ {i['target_name']}"
        )
        table.add_row(i["id"], what, f"{i['confidence']:.2f}", (i["evidence"] or "")[:50])
    out.print(table)


def _run(action: str, *args: str, as_json: bool) -> None:
    from ingest import review

    with store_session() as store:
        result = getattr(review, action)(store, *args)
    if as_json:
        print_json(result)
    else:
        console.print(f"{action}: {result}")


@command("accept", on=review_app)
def review_accept(
    item: Annotated[str, typer.Argument(help="Node id or edge id (source|TYPE|key|target).")],
    as_json: JsonOption = False,
) -> None:
    """Mark an extracted node or edge as reviewed."""
    _run("accept", item, as_json=as_json)


@command("reject", on=review_app)
def review_reject(
    item: Annotated[str, typer.Argument(help="Node id or edge id (source|TYPE|key|target).")],
    as_json: JsonOption = False,
) -> None:
    """Delete an extracted node (with its extracted edges) or edge."""
    _run("reject", item, as_json=as_json)


@command("merge", on=review_app)
def review_merge(
    item: Annotated[str, typer.Argument(help="Extracted node id.")],
    into: Annotated[str, typer.Argument(help="Existing node id it is an alias of.")],
    as_json: JsonOption = False,
) -> None:
    """Fold an extracted node into an existing one: its name becomes an alias, its edges move."""
    _run("merge", item, into, as_json=as_json)
