"""Kill -9 in the middle of a bulk upsert: no half batch, every acknowledged batch kept, and
re-running the upsert gives the same graph as an uninterrupted run. On both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from graph.store import GraphStore, open_store

ROOT = Path(__file__).resolve().parent.parent
BATCHES, SIZE = 60, 400


def run_writer(url: str, kill_after_acks: int | None, mode: str = "upsert") -> tuple[list[str], int | None]:
    """Start the writer; SIGKILL it (and the embedded server) after some acks. Returns acks."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "crash_writer.py"), url, str(BATCHES), str(SIZE), mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    acks: list[str] = []
    server_pid = None
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        line = line.strip()
        if line.startswith("server-pid"):
            server_pid = int(line.split()[1])
        elif line.startswith("ack"):
            acks.append(line)
            if kill_after_acks is not None and len(acks) >= kill_after_acks:
                os.kill(proc.pid, signal.SIGKILL)
                if server_pid:  # a machine crash: the embedded server dies too
                    os.kill(server_pid, signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "writer too slow"
    proc.wait(timeout=60)
    return acks, server_pid


def batch_sizes(store: GraphStore) -> tuple[Counter[str], Counter[str]]:
    nodes = Counter(r["b"] for r in store.read("MATCH (p:Product) WHERE p.source = 'crash' RETURN p.description AS b"))
    edges = Counter(
        r["b"]
        for r in store.read(
            "MATCH (p:Product)-[r:UPSTREAM_OF]->(:Product) WHERE r.source = 'crash' RETURN p.description AS b"
        )
    )
    return nodes, edges


def wait_gone(pid: int) -> None:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def empty_store_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine == "falkordb":
        return f"falkordb-lite://{tmp_path}/db"
    request.getfixturevalue("neo4j_session_store").clear()
    return str(request.getfixturevalue("neo4j_url"))


def check_complete(url: str, engine: str, *, no_duplicate_ids: bool = False) -> None:
    """After a re-run to completion: every batch whole, nothing else (then Neo4j is emptied)."""
    store = open_store(url)
    try:
        nodes, edges = batch_sizes(store)
        assert nodes == Counter({f"batch {b}": SIZE for b in range(BATCHES)})
        assert edges == Counter({f"batch {b}": SIZE for b in range(BATCHES)})
        assert store.counts() == (BATCHES * SIZE, BATCHES * SIZE)
        if no_duplicate_ids:
            duplicates = store.read("MATCH (n:Entity) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n")
            assert duplicates[0]["n"] == 0
    finally:
        if engine == "neo4j":
            store.clear()
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["falkordb", "neo4j"])
@pytest.mark.parametrize("kill_after", [5, BATCHES + 7])  # during the node phase, during the edge phase
def test_kill_mid_upsert_leaves_whole_batches(
    engine: str, kill_after: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = empty_store_url(engine, tmp_path, request)

    acks, server_pid = run_writer(url, kill_after)
    if server_pid:
        wait_gone(server_pid)
    acked_nodes = {f"batch {a.split()[2]}" for a in acks if a.startswith("ack node")}
    acked_edges = {f"batch {a.split()[2]}" for a in acks if a.startswith("ack edge")}

    store = open_store(url)  # restarts the embedded server from its append-only file
    try:
        nodes, edges = batch_sizes(store)
        assert set(nodes.values()) <= {SIZE}, "a node batch was half written"
        assert set(edges.values()) <= {SIZE}, "an edge batch was half written"
        assert acked_nodes <= set(nodes), "an acknowledged node batch was lost"
        assert acked_edges <= set(edges), "an acknowledged edge batch was lost"
        assert len(nodes) <= len(acked_nodes) + 1 and len(edges) <= len(acked_edges) + 1
    finally:
        store.close()

    acks, _ = run_writer(url, None)  # re-run to completion
    assert acks[-1] == f"ack edge {BATCHES - 1}"
    check_complete(url, engine)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["falkordb", "neo4j"])
@pytest.mark.parametrize("kill_after", [3, BATCHES])  # during the nodes, as the edges start
def test_kill_mid_load_into_an_empty_store(
    engine: str, kill_after: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """``GraphStore.load`` into an empty store (FalkorDB's bulk format on the embedded engine):
    whole batches only, the append-only file replays after a crash, and loading again
    completes the graph."""
    url = empty_store_url(engine, tmp_path, request)

    acks, server_pid = run_writer(url, kill_after, mode="load")
    if server_pid:
        wait_gone(server_pid)
    acked = int(acks[-1].split()[2]) if acks else 0
    store = open_store(url)  # the embedded server replays its append-only file
    try:
        nodes, edges = batch_sizes(store)
        assert set(nodes.values()) <= {SIZE}, "a node batch was half written"
        assert set(edges.values()) <= {SIZE}, "an edge batch was half written"
        assert sum(nodes.values()) + sum(edges.values()) >= acked, "an acknowledged batch was lost"
        assert sum(edges.values()) == 0 or len(nodes) == BATCHES, "edges before all their nodes"
    finally:
        store.close()

    acks, _ = run_writer(url, None, mode="load")
    assert acks[-1] == f"ack elements {2 * BATCHES * SIZE}"
    check_complete(url, engine, no_duplicate_ids=True)
