"""Denormalised place membership: each enterprise's ``places`` list property.

An enterprise is *in* a Park or Region when a chain of LOCATED_IN / PART_OF edges leads there
through Parks and Regions only: enterprise LOCATED_IN park, park PART_OF park (园中园), park
LOCATED_IN region, region LOCATED_IN region. PART_OF an Enterprise (a group) is ownership, not
place: a subsidiary is not where its group is.

``places`` holds the ids of every such Park and Region, sorted, so that queries filter with
``$place IN e.places`` instead of walking containment edges (see the performance notes in the
Cypher portability guide). The list is derived data: call :func:`refresh_places` after every
load or import that touches enterprises or containment edges (an upsert of an enterprise
replaces all its properties and therefore drops ``places``). Exports leave it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.store import GraphStore
from queries.loader import load

PAGE_SIZE = 5000
WRITE_BATCH = 5000


def place_closure(edges: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """For each place, every place that contains it (transitively), from (child, parent) edges.

    Cycles are harmless: a place in a containment cycle simply contains itself.
    """
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in edges:
        parents[child].add(parent)
    closure: dict[str, frozenset[str]] = {}
    for start in parents:
        seen: set[str] = set()
        stack = list(parents[start])
        while stack:
            place = stack.pop()
            if place in seen:
                continue
            seen.add(place)
            stack.extend(parents.get(place, ()))
        closure[start] = frozenset(seen)
    return closure


def places_of(direct: Iterable[str], closure: Mapping[str, frozenset[str]]) -> list[str]:
    """Sorted ids of the places an enterprise is in, given the places it is directly in."""
    result: set[str] = set()
    for place in direct:
        result.add(place)
        result |= closure.get(place, frozenset())
    return sorted(result)


def refresh_places(store: GraphStore, enterprise_ids: Sequence[str] | None = None) -> int:
    """Recompute ``places`` on enterprises and write it where it changed; return how many changed.

    ``enterprise_ids=None`` refreshes every enterprise (needed after containment edges between
    places changed); otherwise only the named ones (unknown ids are ignored). An enterprise in
    no place gets an empty list.
    """
    closure = place_closure((row["child"], row["parent"]) for row in store.read(load("place_edges")))
    changed: list[dict[str, Any]] = []
    for row in _enterprise_rows(store, enterprise_ids):
        new = places_of(row["direct"] or [], closure)
        if row["places"] is None or list(row["places"]) != new:
            changed.append({"id": row["id"], "places": new})
    query = load("set_places")
    for i in range(0, len(changed), WRITE_BATCH):
        store.write(query, {"rows": changed[i : i + WRITE_BATCH]})
    return len(changed)


def _enterprise_rows(store: GraphStore, enterprise_ids: Sequence[str] | None) -> Iterable[dict[str, Any]]:
    """Rows ``{id, places, direct}`` for the named enterprises, or for all of them."""
    if enterprise_ids is not None:
        ids = sorted(set(enterprise_ids))
        for i in range(0, len(ids), PAGE_SIZE):
            yield from store.read(load("enterprise_places_ids"), {"ids": ids[i : i + PAGE_SIZE]})
        return
    direct: dict[str, list[str]] = defaultdict(list)
    for row in store.read(load("enterprise_direct_places_all")):
        direct[row["id"]].append(row["place"])
    for row in store.read(load("enterprise_places_all")):
        yield {"id": row["id"], "places": row["places"], "direct": direct.get(row["id"], [])}
