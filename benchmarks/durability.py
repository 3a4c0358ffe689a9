"""What the embedded store's durability costs: fsync on every write vs once a second.

    python -m benchmarks.durability [--writes 2000]

Times small acknowledged writes (one node upsert each, as an API write or a review is) and a
bulk load, with ``appendfsync always`` (the default: nothing acknowledged is lost on a crash)
and ``everysec`` (up to a second of acknowledged writes can be lost).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from benchmarks.synthetic import CITY, generate
from graph.backends.falkordb_lite import FalkorDBLiteStore
from graph.model import Product


def measure(fsync: str, writes: int) -> dict[str, float]:
    store = FalkorDBLiteStore(tempfile.mkdtemp(prefix="chainkg-fsync-"), fsync=fsync)
    try:
        store.ensure_schema()
        nodes = [Product(id=f"prod:w{i}", name=f"产品{i}", source="bench").to_node() for i in range(writes)]
        start = time.perf_counter()
        for node in nodes:
            store.upsert_nodes([node])
        small = time.perf_counter() - start
        bulk_nodes, bulk_edges = generate(CITY)
        start = time.perf_counter()
        store.load(bulk_nodes, bulk_edges)
        bulk = time.perf_counter() - start
        return {
            "small_writes_per_s": round(writes / small, 1),
            "bulk_elements_per_s": round((len(bulk_nodes) + len(bulk_edges)) / bulk),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    for fsync in ("always", "everysec"):
        r = measure(fsync, args.writes)
        print(
            f"appendfsync {fsync:>8}: {r['small_writes_per_s']:,} acknowledged small writes/s, "
            f"bulk load {r['bulk_elements_per_s']:,} elements/s"
        )


if __name__ == "__main__":
    main()
