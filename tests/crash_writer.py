"""A bulk writer that a test kills with SIGKILL part-way (see test_crash_safety.py).

    python tests/crash_writer.py GRAPH_URL BATCHES BATCH_SIZE [upsert|load]

``upsert`` (the default) writes BATCHES node batches then BATCHES edge batches with
``upsert_nodes`` / ``upsert_edges``, printing ``ack node B`` / ``ack edge B`` after each batch
the store acknowledged. ``load`` writes everything with one ``GraphStore.load`` (into an empty
embedded store: its bulk format), printing ``ack elements N`` (a running total) as batches are
acknowledged. ``server-pid P`` comes first for the embedded engine.
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


def main(url: str, batches: int, size: int, mode: str = "upsert") -> None:
    store = open_store(url)
    store.ensure_schema()
    pid = getattr(store, "server_pid", None)
    if pid:
        print(f"server-pid {pid}", flush=True)
    if mode == "load":
        total = 0

        def ack(n: int) -> None:
            nonlocal total
            total += n
            print(f"ack elements {total}", flush=True)

        nodes = [n for b in range(batches) for n in batch_nodes(b, size)]
        edges = [e for b in range(batches) for e in batch_edges(b, size)]
        store.load(nodes, edges, batch_size=size, progress=ack)
        print("done", flush=True)
        store.close()
        return
    for b in range(batches):
        store.upsert_nodes(batch_nodes(b, size), batch_size=size)
        print(f"ack node {b}", flush=True)
    for b in range(batches):
        store.upsert_edges(batch_edges(b, size), batch_size=size)
        print(f"ack edge {b}", flush=True)
    print("done", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:5])
