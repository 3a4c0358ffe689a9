"""The ``chainkg`` Typer app and what every command module shares: the ``--graph`` option, the
error-handling ``command`` decorator, store sessions, progress bars and JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.errors import ChainKGError
from graph.store import GraphStore, open_store

app = typer.Typer(
    name="chainkg",
    help="chainkg: a knowledge graph of industry chains (产业链) and their actors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()

_state: dict[str, Any] = {"graph": None}

GraphOption = Annotated[
    str | None,
    typer.Option(
        "--graph",
        "-g",
        envvar="CHAINKG_GRAPH",
        help="Graph store URL: falkordb-lite:///DIR (default ./data/chainkg) or bolt://HOST:PORT.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


def command(
    *args: Any, on: typer.Typer | None = None, **kwargs: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.command`` (or ``on.command`` for a sub-group) that turns chainkg's own errors into
    one clear line and exit code 2."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            try:
                return fn(*a, **k)
            except ChainKGError as e:
                console.print(f"[red]error:[/red] {escape(str(e))}")
                raise typer.Exit(2) from e

        (on or app).command(*args, **kwargs)(wrapper)
        return fn

    return decorate


@app.callback()
def _main(graph: GraphOption = None) -> None:
    _state["graph"] = graph


@contextmanager
def store_session(schema: bool = False) -> Iterator[GraphStore]:
    store = open_store(_state["graph"])
    try:
        if schema:
            store.ensure_schema()
        yield store
    finally:
        store.close()


def progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
