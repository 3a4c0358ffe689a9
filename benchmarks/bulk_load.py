"""Bulk-load benchmark: elements/second into each engine (a script, not a timed test).

    python -m benchmarks.bulk_load [--scale city|province|national] [--neo4j bolt://...]

Generates a synthetic graph (benchmarks/synthetic.py), loads it into an empty store of each
engine through ``GraphStore.load`` (validation included, the engine's default batch size), and
prints the rate. On Neo4j one province-scale load first warms the JVM's JIT compiler up: a fresh
server loads the province graph at a third of its warm rate (a city-scale warm-up still leaves the
first national load ~10% slow), and a server in service is warm. ``--runs 2`` loads the graph a
second time into the emptied store: Neo4j re-loads faster than it loads into a new database,
whose store files and index trees still have to grow. (The embedded engine is C; loading and
deleting a graph first only leaves it compacting its log.) Neo4j is taken from ``--neo4j`` or
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
from graph.store import GraphStore, open_store


def warm_up(store: GraphStore) -> None:
    nodes, edges = generate(SCALES["province"])
    store.clear()
    store.load(nodes, edges)
    store.clear()


def bench(url: str, scale: str, batch_size: int | None = None, runs: int = 1) -> list[dict[str, float | int | str]]:
    nodes, edges = generate(SCALES[scale])
    store = open_store(url)
    results: list[dict[str, float | int | str]] = []
    try:
        store.ensure_schema()
        if store.backend == "neo4j":
            warm_up(store)
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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    urls = [] if args.engine == "neo4j" else [f"falkordb-lite://{tempfile.mkdtemp(prefix='chainkg-bench-')}/db"]
    if args.neo4j and args.engine != "falkordb-lite":
        urls.append(args.neo4j)
    for url in urls:
        for result in bench(url, args.scale, args.batch_size, args.runs):
            if args.json:
                print(json.dumps(result))
            else:
                print(
                    f"{result['engine']:>14}  {result['scale']} (run {result['run']}): {result['nodes']} nodes + "
                    f"{result['edges']} edges in {result['seconds']} s = {result['elements_per_s']:,} elements/s"
                )


if __name__ == "__main__":
    main()
