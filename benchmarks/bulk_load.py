"""Bulk-load benchmark: elements/second into each engine (a script, not a timed test).

    python -m benchmarks.bulk_load [--scale city|province|national] [--neo4j bolt://...]

Generates a synthetic graph (benchmarks/synthetic.py), loads it into an empty store of each
engine through ``GraphStore.load`` (validation included, the engine's default batch size), and
prints the rate. On Neo4j the same graph is first loaded (and deleted) ``--warm-up`` times (2),
a benchmark's warm-up iterations: the server's JIT compiler keeps compiling through the first
loads of a new size. Per-thread CPU of a fresh test server: its compiler threads used 11-12 s
during a national load after a province-scale warm-up, ~5 s during the next and ~1 s from the
third on, which ran 20-40% faster than the first; a server in service is warm. The warm-up
loads' own rates are printed too. ``--runs 2`` measures two loads, each into the emptied store.
(The embedded engine is C and needs no warm-up.) Neo4j is taken from ``--neo4j`` or
``CHAINKG_TEST_NEO4J`` (``make bench`` starts the test server).
Goals (issue 2): embedded >= 150k elements/s, Neo4j >= 50k elements/s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from benchmarks.synthetic import SCALES, generate
from graph.model import Edge, Node
from graph.store import GraphStore, open_store

NEO4J_WARM_UP_LOADS = 2


def warm_up(store: GraphStore, nodes: list[Node], edges: list[Edge], loads: int = NEO4J_WARM_UP_LOADS) -> list[int]:
    """Load the graph to be measured ``loads`` times, deleting it after each; their elements/s."""
    rates = []
    for _ in range(loads):
        store.clear()
        start = time.perf_counter()
        n, m = store.load(nodes, edges)
        rates.append(round((n + m) / (time.perf_counter() - start)))
    store.clear()
    return rates


def bench(
    url: str, scale: str, batch_size: int | None = None, runs: int = 1, warm_up_loads: int = NEO4J_WARM_UP_LOADS
) -> list[dict[str, float | int | str]]:
    """One result per measured load (and one per Neo4j warm-up load, ``run`` "warm-up N")."""
    nodes, edges = generate(SCALES[scale])
    store = open_store(url)
    results: list[dict[str, float | int | str]] = []
    try:
        store.ensure_schema()
        if store.backend == "neo4j":
            for i, rate in enumerate(warm_up(store, nodes, edges, warm_up_loads), 1):
                results.append({"engine": store.backend, "scale": scale, "run": f"warm-up {i}", "elements_per_s": rate})
        for run in range(1, runs + 1):
            store.clear()
            start = time.perf_counter()
            n, m = store.load(nodes, edges, batch_size=batch_size)
            seconds = time.perf_counter() - start
            assert store.counts() == (n, m)
            results.append(
                {
                    "engine": store.backend,
                    "scale": scale,
                    "run": run,
                    "nodes": n,
                    "edges": m,
                    "batch_size": batch_size or store.batch_size,
                    "seconds": round(seconds, 3),
                    "elements_per_s": round((n + m) / seconds),
                }
            )
        return results
    finally:
        store.clear()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--neo4j", default=os.environ.get("CHAINKG_TEST_NEO4J"))
    parser.add_argument("--batch-size", type=int, default=None, help="elements per statement (default: the engine's)")
    parser.add_argument("--engine", choices=["both", "falkordb-lite", "neo4j"], default="both")
    parser.add_argument("--runs", type=int, default=1, help="loads into the emptied store, each reported")
    parser.add_argument(
        "--warm-up", type=int, default=NEO4J_WARM_UP_LOADS, help="Neo4j: loads of the same graph before measuring"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    urls = [] if args.engine == "neo4j" else [f"falkordb-lite://{tempfile.mkdtemp(prefix='chainkg-bench-')}/db"]
    if args.neo4j and args.engine != "falkordb-lite":
        urls.append(args.neo4j)
    for url in urls:
        for result in bench(url, args.scale, args.batch_size, args.runs, args.warm_up):
            if args.json:
                print(json.dumps(result))
            elif str(result["run"]).startswith("warm-up"):
                rate = result["elements_per_s"]
                print(f"{result['engine']:>14}  {result['scale']} ({result['run']}): {rate:,} elements/s")
            else:
                print(
                    f"{result['engine']:>14}  {result['scale']} (run {result['run']}): {result['nodes']} nodes + "
                    f"{result['edges']} edges in {result['seconds']} s = {result['elements_per_s']:,} elements/s"
                )


if __name__ == "__main__":
    main()
