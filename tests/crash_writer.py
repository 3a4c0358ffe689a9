"""A bulk writer that a test kills with SIGKILL part-way (see test_crash_safety.py).

    python tests/crash_writer.py GRAPH_URL BATCHES BATCH_SIZE

Writes BATCHES node batches then BATCHES edge batches, printing ``ack N`` after each batch the
store acknowledged, and ``server-pid P`` first for the embedded engine.
"""

from __future__ import annotations

import sys

from graph.model import Edge, Node, Product, UpstreamOf
from graph.store import open_store

T = "2026-01-01T00:00:00Z"


def batch_nodes(b: int, size: int) -> list[Node]:
    return [
        Product(
            id=f"prod:b{b}-{i}", name=f"产品{b}-{i}", description=f"batch {b}", source="crash", updated_at=T
        ).to_node()
        for i in range(size)
    ]


def batch_edges(b: int, size: int) -> list[Edge]:
    return [
        UpstreamOf(
            source_id=f"prod:b{b}-{i}", target_id=f"prod:b{b}-{(i + 1) % size}", source="crash", updated_at=T
        ).to_edge()
        for i in range(size)
    ]


def main(url: str, batches: int, size: int) -> None:
    store = open_store(url)
    store.ensure_schema()
    pid = getattr(store, "server_pid", None)
    if pid:
        print(f"server-pid {pid}", flush=True)
    for b in range(batches):
        store.upsert_nodes(batch_nodes(b, size), batch_size=size)
        print(f"ack node {b}", flush=True)
    for b in range(batches):
        store.upsert_edges(batch_edges(b, size), batch_size=size)
        print(f"ack edge {b}", flush=True)
    print("done", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
