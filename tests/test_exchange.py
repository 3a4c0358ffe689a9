"""Export → import into an empty store of the other engine → export gives the same graph."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graph.errors import InputFileError, MissingEndpointError
from graph.exchange import export_graphml, export_json, load_elements, read_json
from graph.store import GraphStore
from tests.test_store import load


def exported(store: GraphStore) -> str:
    buf = io.StringIO()
    export_json(store, buf)
    return buf.getvalue()


def test_round_trip_across_engines(store: GraphStore, other_store: GraphStore, tmp_path: Path) -> None:
    load(store)
    first = exported(store)
    doc = json.loads(first)
    assert doc["format"] == "chainkg-graph" and len(doc["nodes"]) == 5 and len(doc["edges"]) == 5
    edge = next(e for e in doc["edges"] if e["type"] == "PRODUCES")
    assert edge["source"] == "ent:a" and edge["target"] == "prod:tdi" and edge["properties"]["share"] == 0.5
    path = tmp_path / "g.json"
    path.write_text(first, encoding="utf-8")
    nodes, edges = read_json(path)
    load_elements(other_store, nodes, edges)
    assert exported(other_store) == first
    load_elements(other_store, nodes, edges)  # importing again changes nothing
    assert exported(other_store) == first


def test_bad_file_is_rejected_whole(store: GraphStore, tmp_path: Path) -> None:
    load(store)
    before = exported(store)
    doc = json.loads(before)
    doc["nodes"].append({"id": "prod:new", "label": "Product", "properties": {"name": "新", "source": "t"}})
    doc["nodes"].append({"id": "x:1", "label": "Spaceship", "properties": {"name": "x", "source": "t"}})
    doc["edges"].append({"type": "PRODUCES", "source": "ent:a", "target": "prod:new", "properties": {"source": "t"}})
    doc["edges"].append({"type": "PRODUCES", "source": "ent:a", "target": "prod:tdi", "properties": {"confidence": 7}})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        read_json(path)
    rows = [p["row"] for p in err.value.problems]
    assert rows == ["nodes[6]", "edges[6]"]
    assert "Spaceship" in str(err.value) and "confidence" in str(err.value)
    assert exported(store) == before


def test_missing_endpoint_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    doc = {
        "nodes": [{"id": "prod:a", "label": "Product", "properties": {"name": "甲", "source": "t"}}],
        "edges": [{"type": "UPSTREAM_OF", "source": "prod:a", "target": "prod:zz", "properties": {"source": "t"}}],
    }
    path = tmp_path / "dangling.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    nodes, edges = read_json(path)
    with pytest.raises(MissingEndpointError, match="prod:zz"):
        load_elements(store, nodes, edges)
    assert store.counts() == (0, 0)


@pytest.mark.parametrize("content", [b"\xff\xfe not utf8", b"{not json", b'{"nodes": 3}'])
def test_malformed_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=str(path)):
        read_json(path)


def test_graphml_is_valid_xml_with_all_elements(store: GraphStore) -> None:
    load(store)
    buf = io.StringIO()
    assert export_graphml(store, buf) == (5, 5)
    root = ET.fromstring(buf.getvalue())
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == 5
    assert len(root.findall(".//g:edge", ns)) == 5
    names = {d.text for d in root.findall(".//g:node/g:data[@key='n_name']", ns)}
    assert "甲苯二异氰酸酯" in names
