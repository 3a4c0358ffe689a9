"""Partner discovery (产学研): link prediction on the cooperation graph, its evaluation, and paths.

The cooperation graph is projected from the store into networkx (Cypher has no link-prediction
scores, and undirected shortest paths are not portable). Methods:

- ``common_neighbours``: how many partners two actors share;
- ``adamic_adar``: shared partners weighted by 1 / log(their degree);
- ``resource_allocation``: shared partners weighted by 1 / degree;
- ``topic_overlap``: Jaccard overlap of topics (the chains and products an actor produces,
  anchors or develops), which also scores actors with no cooperation ties yet;
- ``hybrid``: resource allocation plus topic overlap, so both structure and subject count.

``evaluate`` hides a random share of the existing ties, scores the hidden ties against an equal
number of random non-ties, and reports AUC and precision@k per method, so the default method
is the measured best rather than a guess.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import InvalidElementError, NotFoundError
from graph.store import GraphStore, model_label
from queries.loader import load

Pair = tuple[str, str]


@dataclass
class Projection:
    """The cooperation graph plus every actor's label, name and topic set."""

    graph: nx.Graph
    labels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    topics: dict[str, frozenset[str]] = field(default_factory=dict)
    _by_topic: dict[str, set[str]] | None = None

    def sharing_a_topic(self, actor: str) -> set[str]:
        """Actors with at least one topic in common with ``actor`` (inverted index, built once)."""
        if self._by_topic is None:
            self._by_topic = {}
            for other, topics in self.topics.items():
                for t in topics:
                    self._by_topic.setdefault(t, set()).add(other)
        found: set[str] = set()
        for t in self.topics.get(actor, ()):
            found |= self._by_topic.get(t, set())
        return found

    def candidates(self, actor: str) -> set[str]:
        """Every actor that can score above zero with ``actor``: two cooperation hops away, or
        sharing a topic. Scoring only these keeps a suggestion fast on a national graph."""
        two_hops = {z for n in self.graph[actor] for z in self.graph[n]}
        return (two_hops | self.sharing_a_topic(actor)) - {actor}


def project(store: GraphStore) -> Projection:
    """Read actors, their topics and the cooperation ties into a networkx graph."""
    proj = Projection(nx.Graph())
    for row in store.read(load("actors")):
        proj.labels[row["id"]] = model_label(row["labels"])
        proj.names[row["id"]] = row["name"]
        proj.graph.add_node(row["id"])
    chains_of: dict[str, list[str]] = {}
    for row in store.read(load("product_chains")):
        chains_of.setdefault(row["product"], []).append(row["chain"])
    topics: dict[str, set[str]] = {actor: set() for actor in proj.labels}
    for row in store.read(load("actor_topics")):
        if row["id"] in topics:
            topics[row["id"]].add(row["topic"])
            if row["type"] == "PRODUCES":  # a product made also puts the maker in its chains
                topics[row["id"]].update(chains_of.get(row["topic"], ()))
    proj.topics = {actor: frozenset(t) for actor, t in topics.items()}
    for row in store.read(load("cooperation_edges")):
        a, b = row["a"], row["b"]
        if a == b or a not in proj.labels or b not in proj.labels:
            continue
        evidence = {"kind": row["kind"], "source": row["source"], "evidence": row["evidence"]}
        if proj.graph.has_edge(a, b):
            proj.graph[a][b]["ties"].append(evidence)
        else:
            proj.graph.add_edge(a, b, ties=[evidence])
    return proj


# --- scores -----------------------------------------------------------------------------------


def _common(g: nx.Graph, a: str, b: str) -> list[str]:
    return sorted(set(g[a]) & set(g[b]))


def common_neighbours(p: Projection, a: str, b: str) -> float:
    return float(len(_common(p.graph, a, b)))


def adamic_adar(p: Projection, a: str, b: str) -> float:
    g = p.graph
    return float(sum(1 / math.log(g.degree(z)) for z in _common(g, a, b) if g.degree(z) > 1))


def resource_allocation(p: Projection, a: str, b: str) -> float:
    return float(sum(1 / p.graph.degree(z) for z in _common(p.graph, a, b)))


def topic_overlap(p: Projection, a: str, b: str) -> float:
    ta, tb = p.topics.get(a, frozenset()), p.topics.get(b, frozenset())
    union = ta | tb
    return len(ta & tb) / len(union) if union else 0.0


def hybrid(p: Projection, a: str, b: str) -> float:
    return resource_allocation(p, a, b) + topic_overlap(p, a, b)


METHODS: dict[str, Callable[[Projection, str, str], float]] = {
    "common_neighbours": common_neighbours,
    "adamic_adar": adamic_adar,
    "resource_allocation": resource_allocation,
    "topic_overlap": topic_overlap,
    "hybrid": hybrid,
}
DEFAULT_METHOD = "hybrid"


def _method(name: str) -> Callable[[Projection, str, str], float]:
    if name not in METHODS:
        raise InvalidElementError(f"unknown method {name!r}; expected one of {sorted(METHODS)}")
    return METHODS[name]


# --- suggestions ------------------------------------------------------------------------------


def suggest_partners(
    store: GraphStore,
    actor_id: str,
    *,
    method: str = DEFAULT_METHOD,
    labels: Iterable[str] | None = None,
    limit: int = 10,
    projection: Projection | None = None,
) -> dict[str, Any]:
    """Actors not yet cooperating with ``actor_id``, best first, each with its evidence.

    ``labels`` restricts candidates (e.g. ``["Institution"]`` for an enterprise looking for 产学研
    partners). Candidates with a zero score are left out: no evidence, no suggestion.
    """
    score = _method(method)
    p = projection or project(store)
    if actor_id not in p.labels:
        raise NotFoundError(f"no actor (enterprise, institution, park, region, unit) with id {actor_id!r}")
    wanted = set(labels) if labels else None
    current = set(p.graph[actor_id])
    items: list[dict[str, Any]] = []
    for other in sorted(p.candidates(actor_id)):
        if other in current or (wanted and p.labels[other] not in wanted):
            continue
        s = score(p, actor_id, other)
        if s <= 0:
            continue
        shared = sorted(p.topics.get(actor_id, frozenset()) & p.topics.get(other, frozenset()))
        via = _common(p.graph, actor_id, other)
        items.append(
            {
                "actor": {"id": other, "label": p.labels[other], "name": p.names[other]},
                "score": round(s, 6),
                "evidence": {
                    "common_partners": [{"id": z, "name": p.names[z]} for z in via],
                    "shared_topics": shared,
                    "scores": {m: round(f(p, actor_id, other), 6) for m, f in METHODS.items()},
                },
                "reason_zh": _reason(p, via, shared),
            }
        )
    items.sort(key=lambda i: (-i["score"], i["actor"]["id"]))
    return {
        "actor": {"id": actor_id, "label": p.labels[actor_id], "name": p.names[actor_id]},
        "method": method,
        "current_partners": sorted(current),
        "candidates": items[:limit],
    }


def _reason(p: Projection, via: list[str], shared: list[str]) -> str:
    parts = []
    if via:
        names = "、".join(p.names[z] for z in via[:3])
        parts.append(f"双方都与{names}等{len(via)}家单位有合作")
    if shared:
        parts.append(f"在{len(shared)}个产业链或产品上方向相同")
    return ",".join(parts) + "。"


# --- evaluation -------------------------------------------------------------------------------


def evaluate(
    projection: Projection,
    *,
    hide: float = 0.2,
    k: int = 10,
    seed: int = 0,
    methods: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Hide ``hide`` of the ties, score hidden ties against as many random non-ties.

    AUC: the chance that a random hidden tie scores above a random non-tie (ties count half).
    precision@k: the share of hidden ties among the k best-scored pairs of the test set.
    """
    if not 0 < hide < 1:
        raise InvalidElementError("hide must be between 0 and 1")
    rnd = random.Random(seed)
    edges = sorted(tuple(sorted(e)) for e in projection.graph.edges())
    n_hidden = max(1, round(len(edges) * hide)) if edges else 0
    if n_hidden < 2:
        raise InvalidElementError(f"too few cooperation ties to evaluate ({len(edges)})")
    hidden = rnd.sample(edges, n_hidden)
    train = projection.graph.copy()
    train.remove_edges_from(hidden)
    nodes = sorted(projection.graph.nodes())
    negatives: set[Pair] = set()
    existing = set(edges)
    attempts = 0
    while len(negatives) < n_hidden and attempts < n_hidden * 1000:
        attempts += 1
        a, b = rnd.sample(nodes, 2)
        pair = (min(a, b), max(a, b))
        if pair not in existing:
            negatives.add(pair)
    trained = Projection(train, projection.labels, projection.names, projection.topics)
    results = {}
    for name in methods or METHODS:
        f = _method(name)
        pos = [f(trained, a, b) for a, b in hidden]
        neg = [f(trained, a, b) for a, b in sorted(negatives)]
        results[name] = {"auc": round(_auc(pos, neg), 4), f"precision_at_{k}": round(_precision_at(pos, neg, k), 4)}
    best = max(results, key=lambda m: (results[m]["auc"], m))
    return {
        "ties": len(edges),
        "hidden": n_hidden,
        "negatives": len(negatives),
        "k": k,
        "seed": seed,
        "methods": results,
        "best": best,
    }


def _auc(pos: list[float], neg: list[float]) -> float:
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else 0.0


def _precision_at(pos: list[float], neg: list[float], k: int) -> float:
    # Ties in score are broken against the method (negatives first): no credit for luck.
    ranked = sorted([(s, 0) for s in neg] + [(s, 1) for s in pos], key=lambda t: (-t[0], t[1]))
    top = ranked[: min(k, len(ranked))]
    return sum(label for _, label in top) / len(top) if top else 0.0


# --- paths ------------------------------------------------------------------------------------


def cooperation_paths(
    store: GraphStore, source: str, target: str, *, max_hops: int = 4, limit: int = 20
) -> dict[str, Any]:
    """The shortest cooperation path between two actors and all simple paths up to ``max_hops``."""
    if not 1 <= max_hops <= 6:
        raise InvalidElementError("max_hops must be between 1 and 6")
    p = project(store)
    for end in (source, target):
        if end not in p.labels:
            raise NotFoundError(f"no actor with id {end!r}")
    g = p.graph
    try:
        shortest = nx.shortest_path(g, source, target)
    except nx.NetworkXNoPath:
        shortest = None
    paths = []
    if shortest is not None and len(shortest) - 1 <= max_hops:
        for path in nx.all_simple_paths(g, source, target, cutoff=max_hops):
            paths.append(path)
            if len(paths) >= 10_000:  # bound the work on dense graphs
                break
        paths.sort(key=lambda q: (len(q), q))

    def describe(path: list[str]) -> dict[str, Any]:
        return {
            "hops": len(path) - 1,
            "nodes": [{"id": n, "label": p.labels[n], "name": p.names[n]} for n in path],
            "ties": [g[a][b]["ties"] for a, b in itertools.pairwise(path)],
        }

    return {
        "source": source,
        "target": target,
        "shortest": describe(shortest) if shortest else None,
        "paths": [describe(q) for q in paths[:limit]],
        "total": len(paths),
    }
