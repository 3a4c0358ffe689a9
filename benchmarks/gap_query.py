"""Gap-query benchmark: median and p90 of ``diagnose_gaps`` per engine, with the same computation
done in memory on an adjacency list in the same run (the floor to compare against).

    python -m benchmarks.gap_query [--scale national] [--queries 200] [--neo4j bolt://...]

Goals (issue 4) at national scale, one chain and one city: embedded median <= 5 ms and
p90 <= 20 ms; Neo4j median <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.synthetic import SCALES, generate
from graph.model import Edge, Node
from graph.store import GraphStore, open_store
from queries.gaps import diagnose_gaps
from queries.places import refresh_places


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timings(run: Callable[[str, str], Any], pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    for chain, city in pairs[:5]:  # warm caches and query plans
        run(chain, city)
    ms = []
    for chain, city in pairs:
        start = time.perf_counter()
        run(chain, city)
        ms.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p90_ms": round(percentile(ms, 0.9), 3),
        "max_ms": round(max(ms), 3),
        "queries": len(ms),
    }


class InMemory:
    """Local producer counts and broken-link flags from Python dicts: the floor."""

    def __init__(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        self.chain_products: dict[str, list[str]] = defaultdict(list)
        self.producers: dict[str, list[str]] = defaultdict(list)
        self.up: dict[str, list[str]] = defaultdict(list)
        self.down: dict[str, list[str]] = defaultdict(list)
        parent: dict[str, list[str]] = defaultdict(list)
        direct: dict[str, list[str]] = defaultdict(list)
        enterprises = {n.id for n in nodes if n.label == "Enterprise"}
        for e in edges:
            if e.type == "IN_CHAIN":
                self.chain_products[e.target].append(e.source)
            elif e.type == "PRODUCES":
                self.producers[e.target].append(e.source)
            elif e.type == "UPSTREAM_OF":
                self.down[e.source].append(e.target)
                self.up[e.target].append(e.source)
            elif e.type in ("LOCATED_IN", "PART_OF"):
                (direct if e.source in enterprises else parent)[e.source].append(e.target)
        self.places: dict[str, set[str]] = {}
        for ent, first in direct.items():
            seen: set[str] = set()
            stack = list(first)
            while stack:
                p = stack.pop()
                if p not in seen and not p.startswith("ent:"):
                    seen.add(p)
                    stack.extend(parent.get(p, ()))
            self.places[ent] = seen

    def gaps(self, chain: str, place: str) -> dict[str, tuple[int, bool]]:
        def local(p: str) -> int:
            return sum(1 for e in self.producers.get(p, ()) if place in self.places.get(e, ()))

        out = {}
        for p in self.chain_products[chain]:
            n = local(p)
            broken = n == 0 and any(local(u) for u in self.up[p]) and any(local(d) for d in self.down[p])
            out[p] = (n, broken)
        return out


def run_engine(url: str, nodes: list[Node], edges: list[Edge], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    store: GraphStore = open_store(url)
    try:
        store.clear()
        store.ensure_schema()
        start = time.perf_counter()
        store.load(nodes, edges, batch_size=20000)
        refresh_places(store)
        load_s = time.perf_counter() - start
        result = timings(lambda c, r: diagnose_gaps(store, c, r), pairs)
        return {"engine": store.backend, "load_s": round(load_s, 1), **result}
    finally:
        store.clear()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--neo4j", default=os.environ.get("CHAINKG_TEST_NEO4J"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    scale = SCALES[args.scale]
    nodes, edges = generate(scale)
    rnd = random.Random(args.seed)
    pairs = [
        (f"chain:{rnd.randrange(scale.chains)}", f"region:c{rnd.randrange(scale.cities)}") for _ in range(args.queries)
    ]

    memory = InMemory(nodes, edges)
    results = [{"engine": "in-memory", **timings(memory.gaps, pairs)}]
    urls = [f"falkordb-lite://{tempfile.mkdtemp(prefix='chainkg-gapbench-')}/db"]
    if args.neo4j:
        urls.append(args.neo4j)
    for url in urls:
        results.append(run_engine(url, nodes, edges, pairs))
    for r in results:
        if args.json:
            print(json.dumps({"scale": args.scale, **r}))
        else:
            print(
                f"{r['engine']:>14} {args.scale}: median {r['median_ms']} ms, p90 {r['p90_ms']} ms, "
                f"max {r['max_ms']} ms over {r['queries']} queries"
            )


if __name__ == "__main__":
    main()
