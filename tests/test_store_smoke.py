from graph.model import Edge, Node
from graph.store import GraphStore


def test_upsert_and_read_back(store: GraphStore) -> None:
    nodes = [
        Node(label="Product", id="prod:a", properties={"name": "甲", "source": "test", "aliases": ["A"]}),
        Node(label="Product", id="prod:b", properties={"name": "乙", "source": "test"}),
    ]
    edges = [Edge(type="UPSTREAM_OF", source="prod:a", target="prod:b", properties={"source": "test"})]
    assert store.upsert_nodes(nodes) == 2
    assert store.upsert_edges(edges) == 1
    assert store.counts() == (2, 1)
    got = list(store.iter_nodes())
    assert [n.id for n in got] == ["prod:a", "prod:b"]
    assert got[0].properties["aliases"] == ["A"]
