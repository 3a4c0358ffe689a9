"""One benchmark report for every figure the issues ask for (``chainkg bench``).

For a scale (city, province, national) and each engine: bulk load (elements/s), the gap query
(median / p90 against the in-memory baseline in the same run), investment targets, partner
suggestions, and, on the embedded engine, the HTTP API under 16 concurrent clients. Writes
``report.json`` and ``report.md`` (machine, versions, medians, p90s, ratios, memory) into the
output folder. Loopback only; every loop is bounded by a count.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from benchmarks import api_load
from benchmarks.bulk_load import warm_up
from benchmarks.gap_query import InMemory, percentile
from benchmarks.synthetic import SCALES, generate
from graph.store import GraphStore, open_store
from queries.gaps import diagnose_gaps
from queries.partners import project, suggest_partners
from queries.places import refresh_places
from queries.targets import investment_targets

Progress = Callable[[str], None]


def _timings(run: Callable[[], Any], count: int) -> dict[str, float]:
    ms = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        ms.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p90_ms": round(percentile(ms, 0.9), 3),
        "max_ms": round(max(ms), 3),
        "n": count,
    }


def _cycle(pairs: Sequence[tuple[str, str]]) -> Callable[[], tuple[str, str]]:
    it = iter(range(10**9))
    return lambda: pairs[next(it) % len(pairs)]


def _rss_mb(pid: int | None = None) -> float:
    try:
        return round(psutil.Process(pid).memory_info().rss / 2**20, 1)
    except psutil.Error:
        return 0.0


def bench_engine(
    url: str,
    nodes: list[Any],
    edges: list[Any],
    pairs: list[tuple[str, str]],
    actors: list[str],
    *,
    queries: int,
    api_seconds: float,
    say: Progress,
) -> dict[str, Any]:
    store: GraphStore = open_store(url)
    result: dict[str, Any] = {}
    try:
        result["engine"] = store.backend
        result["version"] = store.info().version
        store.clear()
        store.ensure_schema()
        warm_up_rates: list[int] = []
        if store.backend == "neo4j":
            say("neo4j: warm-up loads (the JVM compiles as it goes)")
            warm_up_rates = warm_up(store, nodes, edges)
        say(f"{store.backend}: bulk load")
        start = time.perf_counter()
        n, m = store.load(nodes, edges)
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        refresh_places(store)
        result["bulk_load"] = {
            "nodes": n,
            "edges": m,
            "seconds": round(load_s, 2),
            "elements_per_s": round((n + m) / load_s),
            "refresh_places_s": round(time.perf_counter() - start, 2),
            "warm_up_elements_per_s": warm_up_rates,
        }
        say(f"{store.backend}: gap query")
        for chain, region in pairs[:5]:
            diagnose_gaps(store, chain, region)
        nxt = _cycle(pairs)
        result["gap_query"] = _timings(lambda: diagnose_gaps(store, *nxt()), queries)
        say(f"{store.backend}: targets")
        nxt = _cycle(pairs)
        result["targets"] = _timings(lambda: investment_targets(store, *nxt(), limit=20), max(10, queries // 10))
        say(f"{store.backend}: partners")
        start = time.perf_counter()
        proj = project(store)
        project_s = time.perf_counter() - start
        actor_it = iter(actors * 100)
        result["partners"] = {
            "projection_s": round(project_s, 2),
            **_timings(lambda: suggest_partners(store, next(actor_it), projection=proj), max(10, queries // 10)),
        }
        server_pid = getattr(store, "server_pid", None)
        result["memory_mb"] = {"python": _rss_mb(), "engine": _rss_mb(server_pid) if server_pid else None}
        if store.backend == "falkordb-lite" and api_seconds > 0:
            say(f"{store.backend}: API load ({api_seconds:.0f} s)")
            result["api_load"] = api_load.run(url, pairs, clients=16, seconds=api_seconds)
        return result
    finally:
        store.clear()
        store.close()


def run_report(
    scale: str = "national",
    neo4j: str | None = None,
    out_dir: Path | None = None,
    *,
    queries: int = 200,
    api_seconds: float = 20.0,
    seed: int = 1,
    say: Progress = print,
) -> dict[str, Any]:
    say(f"generating the {scale} graph")
    spec = SCALES[scale]
    nodes, edges = generate(spec)
    rnd = random.Random(seed)
    pairs = [(f"chain:{rnd.randrange(spec.chains)}", f"region:c{rnd.randrange(spec.cities)}") for _ in range(queries)]
    actors = [f"ent:{rnd.randrange(spec.enterprises)}" for _ in range(50)]

    say("in-memory baseline")
    memory = InMemory(nodes, edges)
    nxt = _cycle(pairs)
    baseline = _timings(lambda: memory.gaps(*nxt()), queries)

    engines = []
    urls = [f"falkordb-lite://{tempfile.mkdtemp(prefix='chainkg-bench-')}/db"]
    if neo4j:
        urls.append(neo4j)
    for url in urls:
        engines.append(
            bench_engine(url, nodes, edges, pairs, actors, queries=queries, api_seconds=api_seconds, say=say)
        )
    for e in engines:
        e["gap_query"]["ratio_to_memory"] = round(e["gap_query"]["median_ms"] / max(baseline["median_ms"], 1e-6), 1)

    report = {
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "scale": {"name": scale, **spec.__dict__, "nodes": len(nodes), "edges": len(edges)},
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {p: _version(p) for p in ("chainkg", "falkordblite", "neo4j", "fastapi", "networkx")},
        "in_memory_gap_query": baseline,
        "engines": engines,
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (out_dir / "report.md").write_text(markdown(report), encoding="utf-8")
    return report


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def markdown(r: dict[str, Any]) -> str:
    s = r["scale"]
    lines = [
        f"# chainkg benchmark report ({s['name']} scale)",
        "",
        f"Run {r['when']} on {r['machine']['cpus']} CPUs, {r['machine']['memory_gb']} GiB, "
        f"{r['machine']['platform']}, Python {r['machine']['python']}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + ".",
        "",
        f"Graph: {s['nodes']:,} nodes, {s['edges']:,} edges ({s['enterprises']:,} enterprises, "
        f"{s['products']:,} products, {s['chains']} chains, {s['cities']} cities).",
        "",
        "| measure | " + " | ".join(e["engine"] + " " + e["version"] for e in r["engines"]) + " | goal |",
        "|---|" + "---|" * len(r["engines"]) + "---|",
    ]

    def row(name: str, get: Callable[[dict[str, Any]], Any], goal: str) -> None:
        lines.append(f"| {name} | " + " | ".join(str(get(e)) for e in r["engines"]) + f" | {goal} |")

    row("bulk load, elements/s", lambda e: f"{e['bulk_load']['elements_per_s']:,}", "embedded 150k, Neo4j 50k")

    def warm_up_rates(e: dict[str, Any]) -> str:
        return ", ".join(f"{rate:,}" for rate in e["bulk_load"].get("warm_up_elements_per_s") or []) or "-"

    row("warm-up loads before it (JIT compiling), elements/s", warm_up_rates, "")
    row("refresh places, s", lambda e: e["bulk_load"]["refresh_places_s"], "")
    row("gap query median, ms", lambda e: e["gap_query"]["median_ms"], "embedded 5, Neo4j 20")
    row("gap query p90, ms", lambda e: e["gap_query"]["p90_ms"], "embedded 20")
    row("gap query / in-memory (median)", lambda e: f"{e['gap_query']['ratio_to_memory']}x", "")
    row("targets median / p90, ms", lambda e: f"{e['targets']['median_ms']} / {e['targets']['p90_ms']}", "")
    row("partners median / p90, ms", lambda e: f"{e['partners']['median_ms']} / {e['partners']['p90_ms']}", "")
    row("cooperation projection, s", lambda e: e["partners"]["projection_s"], "")
    row("memory (python / engine), MB", lambda e: f"{e['memory_mb']['python']} / {e['memory_mb']['engine'] or '-'}", "")
    base = r["in_memory_gap_query"]
    lines += [
        "",
        f"In-memory gap computation (adjacency lists, same run): median {base['median_ms']} ms, "
        f"p90 {base['p90_ms']} ms.",
    ]
    for e in r["engines"]:
        if "api_load" in e:
            a = e["api_load"]
            lines += [
                "",
                f"HTTP API on {e['engine']}, `GET /api/v1/gaps`, {a['clients']} clients for {a['seconds']} s: "
                f"{a['requests_per_s']} requests/s, p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms, "
                f"{a['errors']} errors (goal: 200 requests/s, p99 100 ms).",
            ]
    return "\n".join(lines) + "\n"
