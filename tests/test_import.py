"""Tabular import (CSV / GB18030 CSV / JSON Lines / XLSX) on both engines.

Every fixture file is written here, in ``tmp_path``. Bad files assert the exact problems
(file, row, field) and that the store did not change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InputFileError
from graph.exchange import graph_document
from graph.model import (
    Chain,
    CooperatesWith,
    Enterprise,
    Institution,
    Park,
    Produces,
    Product,
    Region,
)
from graph.store import GraphStore
from ingest.importer import (
    KINDS,
    SCHEMAS,
    credit_code_check_char,
    credit_code_problem,
    detect_kind,
    import_file,
)
from ingest.tabular import read_table

SEED = {"source": "seed", "updated_at": "2026-01-01T00:00:00Z"}
EXAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "examples"


def credit_code(first17: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return first17 + credit_code_check_char(first17)


CODE_A = credit_code("91620400MA71A0001")
CODE_B = credit_code("91620400MA71A0002")
CODE_YINGUANG = credit_code("91620000224330001")


def seed(store: GraphStore) -> None:
    """A small graph to import into: a region, two parks, a chain, products, two firms, an institute."""
    nodes = [
        Region(id="region:baiyin", name="白银市", aliases=["白银"], **SEED),
        Park(id="park:yindong", name="银东精细化工产业园", aliases=["银东园"], **SEED),
        Park(id="park:liuchuan", name="刘川新材料产业园", **SEED),
        Chain(id="chain:tdi", name="光气化/TDI产业链", aliases=["TDI产业链"], **SEED),
        Product(id="prod:toluene", name="甲苯", **SEED),
        Product(id="prod:tdi", name="甲苯二异氰酸酯", aliases=["TDI"], **SEED),
        Product(id="prod:phosgene", name="光气", **SEED),
        Enterprise(id="ent:yinguang", name="甘肃银光化学工业集团有限公司", credit_code=CODE_YINGUANG, **SEED),
        Enterprise(id="ent:bnmc", name="白银有色集团股份有限公司", aliases=["白银有色"], employees=10000, **SEED),
        Institution(id="inst:lzu", name="兰州大学", **SEED),
    ]
    edges = [
        Produces(source_id="ent:yinguang", target_id="prod:tdi", evidence="seeded", **SEED),
        CooperatesWith(source_id="inst:lzu", target_id="park:liuchuan", kind="产学研", **SEED),
    ]
    store.load([n.to_node() for n in nodes], [e.to_edge() for e in edges])


def doc(store: GraphStore) -> dict[str, Any]:
    return graph_document(store)


def nodes_by_id(store: GraphStore) -> dict[str, dict[str, Any]]:
    return {n["id"]: {"label": n["label"], **n["properties"]} for n in doc(store)["nodes"]}


def edge_set(store: GraphStore, rel_type: str | None = None) -> set[tuple[str, str, str]]:
    return {(e["source"], e["type"], e["target"]) for e in doc(store)["edges"] if rel_type in (None, e["type"])}


# --- writing fixture files ---------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8", bom: bool = False) -> Path:
    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    text = "\r\n".join(",".join(cell(v) for v in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_jsonl(path: Path, rows: list[list[Any]]) -> Path:
    header, *body = rows
    lines = [
        json.dumps({h: v for h, v in zip(header, row, strict=True) if v is not None}, ensure_ascii=False)
        for row in body
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "企业"
    for row in rows:
        ws.append(row)
    wb.create_sheet("ignored").append(["name"])  # only the first sheet is read
    wb.save(path)
    return path


FORMATS = ["csv", "csv-bom", "csv-gb18030", "jsonl", "xlsx"]


def write_as(fmt: str, tmp_path: Path, stem: str, rows: list[list[Any]]) -> Path:
    if fmt == "csv":
        return write_csv(tmp_path / f"{stem}.csv", rows)
    if fmt == "csv-bom":
        return write_csv(tmp_path / f"{stem}.csv", rows, bom=True)
    if fmt == "csv-gb18030":
        return write_csv(tmp_path / f"{stem}.csv", rows, encoding="gb18030")
    if fmt == "jsonl":
        return write_jsonl(tmp_path / f"{stem}.jsonl", rows)
    return write_xlsx(tmp_path / f"{stem}.xlsx", rows)


def where(err: pytest.ExceptionInfo[InputFileError]) -> list[tuple[str, int | None, str | None]]:
    return [(p["file"], p["row"], p["field"]) for p in err.value.problems]


def rejected(store: GraphStore, path: Path, **kwargs: Any) -> pytest.ExceptionInfo[InputFileError]:
    """Import ``path``, expect InputFileError, and check the store did not change."""
    before = doc(store)
    with pytest.raises(InputFileError) as err:
        import_file(store, path, **kwargs)
    assert doc(store) == before
    return err


# --- good files of each kind in each format ----------------------------------------------------

ENTERPRISE_ROWS: list[list[Any]] = [
    ["名称", "统一社会信用代码", "园区", "区域", "产品", "别名", "员工数", "营收(百万元)", "集团", "来源", "置信度"],
    ["示例光气化工有限公司", CODE_A, "银东园", "白银", "光气;TDI", "示例光气", 320, 150.5, "银光集团", "s24", 0.9],
    ["示例新材料有限公司", None, "park:liuchuan", None, "甲苯", None, None, None, "示例光气化工有限公司", "s24", None],
    ["甘肃银光化学工业集团有限公司", None, "银东精细化工产业园", None, "光气", None, 6000, None, None, "s24", None],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_enterprises_in_every_format(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    seed(store)
    path = write_as(fmt, tmp_path, "企业名录", ENTERPRISE_ROWS)
    report = import_file(store, path)
    assert (report.kind, report.rows, report.errors, report.ambiguous) == ("enterprises", 3, 0, 0)
    assert (report.nodes_created, report.nodes_updated) == (2, 1)
    nodes = nodes_by_id(store)
    new_a = f"ent:{CODE_A}"
    a = nodes[new_a]
    assert a["name"] == "示例光气化工有限公司" and a["credit_code"] == CODE_A and a["aliases"] == ["示例光气"]
    assert (a["employees"], a["revenue_million_cny"], a["confidence"], a["source"]) == (320, 150.5, 0.9, "s24")
    assert a["status"] == "curated" and a["evidence"] == f"{path.name} {'line 1' if fmt == 'jsonl' else 'row 2'}"
    new_b = next(i for i, n in nodes.items() if n.get("name") == "示例新材料有限公司")
    assert re.fullmatch(r"ent:[0-9a-f]{12}", new_b)
    # 银光 was matched by its full name: it gains employees (absent before) and keeps its provenance
    yinguang = nodes["ent:yinguang"]
    assert yinguang["employees"] == 6000 and yinguang["source"] == "seed"
    assert edge_set(store) >= {
        (new_a, "LOCATED_IN", "park:yindong"),
        (new_a, "LOCATED_IN", "region:baiyin"),
        (new_a, "PRODUCES", "prod:phosgene"),
        (new_a, "PRODUCES", "prod:tdi"),
        (new_a, "PART_OF", "ent:yinguang"),  # 银光集团 → the short form of 甘肃银光化学工业集团有限公司
        (new_b, "PART_OF", new_a),  # a group defined earlier in the same file
        (new_b, "LOCATED_IN", "park:liuchuan"),
        ("ent:yinguang", "LOCATED_IN", "park:yindong"),
        ("ent:yinguang", "PRODUCES", "prod:phosgene"),
    }
    assert sorted(report.enterprise_ids) == sorted([new_a, new_b, "ent:yinguang"])
    after = doc(store)
    again = import_file(store, path)
    assert doc(store) == after
    assert (again.nodes_created, again.nodes_updated, again.edges_created, again.edges_updated) == (0, 0, 0, 0)
    assert again.nodes_unchanged == 3 and again.edges_unchanged == report.edges_created + report.edges_unchanged


PRODUCT_ROWS: list[list[Any]] = [
    ["id", "name", "name_en", "aliases", "chain", "stage", "upstream", "category", "source"],
    ["prod:dnt", "二硝基甲苯", "Dinitrotoluene", "DNT", "TDI产业链", "中游", "甲苯", "中间体", "chem"],
    [None, "甲苯二胺", None, "TDA;二氨基甲苯", "chain:tdi", "midstream", "DNT", None, "chem"],
    [None, "甲苯二异氰酸酯", None, "TDI-80", "chain:tdi", "中游", "TDA;光气", None, "chem"],
    [None, "聚氨酯软泡", None, None, "chain:tdi", "下游", "TDI-80", None, "chem"],  # an alias added above
]


@pytest.mark.parametrize("fmt", ["csv-gb18030", "jsonl", "xlsx"])
def test_products(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    seed(store)
    path = write_as(fmt, tmp_path, "products", PRODUCT_ROWS)
    report = import_file(store, path)
    assert (report.kind, report.nodes_created, report.nodes_updated) == ("products", 3, 1)
    nodes = nodes_by_id(store)
    tda = next(i for i, n in nodes.items() if n.get("name") == "甲苯二胺")
    foam = next(i for i, n in nodes.items() if n.get("name") == "聚氨酯软泡")
    assert tda.startswith("prod:") and nodes[tda]["aliases"] == ["TDA", "二氨基甲苯"]
    assert nodes["prod:dnt"]["name_en"] == "Dinitrotoluene"
    assert nodes["prod:tdi"]["aliases"] == ["TDI", "TDI-80"]  # another source: aliases added, rest kept
    assert nodes["prod:tdi"]["source"] == "seed"
    assert edge_set(store, "UPSTREAM_OF") == {
        ("prod:toluene", "UPSTREAM_OF", "prod:dnt"),
        ("prod:dnt", "UPSTREAM_OF", tda),
        (tda, "UPSTREAM_OF", "prod:tdi"),
        ("prod:phosgene", "UPSTREAM_OF", "prod:tdi"),
        ("prod:tdi", "UPSTREAM_OF", foam),
    }
    stages = {(e["source"], e["properties"]["stage"]) for e in doc(store)["edges"] if e["type"] == "IN_CHAIN"}
    assert stages == {("prod:dnt", "中游"), (tda, "中游"), ("prod:tdi", "中游"), (foam, "下游")}
    after = doc(store)
    assert import_file(store, path).nodes_written == 0
    assert doc(store) == after


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_supplies(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    seed(store)
    rows = [
        ["供应商", "客户", "产品", "证据"],
        ["白银有色", "银光集团", "光气", "合同 2024-001"],
        [CODE_YINGUANG, "ent:bnmc", None, None],
    ]
    path = write_as(fmt, tmp_path, "supply", rows)
    report = import_file(store, path)
    assert report.kind == "supplies" and report.edges_created == 2 and report.nodes_written == 0
    supplies = {
        (e["source"], e["target"], e["properties"]["key"]) for e in doc(store)["edges"] if e["type"] == "SUPPLIES"
    }
    assert supplies == {("ent:bnmc", "ent:yinguang", "prod:phosgene"), ("ent:yinguang", "ent:bnmc", "")}
    after = doc(store)
    import_file(store, path)
    assert doc(store) == after


def test_cooperation_reuses_a_stored_edge_in_either_direction(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    rows = [
        ["甲方", "乙方", "合作类型", "来源"],
        ["刘川新材料产业园", "兰州大学", "产学研", "seed"],  # stored as inst:lzu → park:liuchuan
        ["兰州大学", "银光集团", "共建实验室", "mou"],
    ]
    path = write_as("csv", tmp_path, "coop", rows)
    report = import_file(store, path)
    assert report.kind == "cooperation" and (report.edges_created, report.edges_updated) == (1, 1)
    coop = {
        (e["source"], e["target"], e["properties"]["kind"])
        for e in doc(store)["edges"]
        if e["type"] == "COOPERATES_WITH"
    }
    assert coop == {("inst:lzu", "park:liuchuan", "产学研"), ("inst:lzu", "ent:yinguang", "共建实验室")}
    after = doc(store)
    import_file(store, path)
    assert doc(store) == after


def test_kind_detection_and_chinese_headers() -> None:
    assert detect_kind(["名称", "统一社会信用代码"]) == "enterprises"
    assert detect_kind(["name", "chain", "stage"]) == "products"
    assert detect_kind(["供应商", "客户"]) == "supplies"
    assert detect_kind(["a", "b", "kind"]) == "cooperation"
    assert detect_kind(["name", "aliases"]) is None  # enterprise or product: give the kind
    assert detect_kind(["名称（企业）"]) is None


def test_name_only_file_needs_a_kind(store: GraphStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["name"], ["某某"]])
    err = rejected(store, path)
    assert where(err) == [(str(path), 1, None)]
    assert import_file(store, path, "products").nodes_created == 1


# --- merge rules ----------------------------------------------------------------------------------


def test_other_source_fills_gaps_and_warns_on_conflicts(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "e.csv", [["name", "employees", "name_en", "source"], ["白银有色", 12000, "BNMC", "other"]]
    )
    report = import_file(store, path, "enterprises")
    bnmc = nodes_by_id(store)["ent:bnmc"]
    assert (bnmc["employees"], bnmc["name_en"], bnmc["source"]) == (10000, "BNMC", "seed")
    assert [(w["row"], w["field"]) for w in report.warnings] == [(2, "employees")]


def test_same_source_restates(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "e.csv",
        [["id", "name", "employees", "source", "evidence"], ["ent:bnmc", "白银有色集团公司", 12000, "seed", "年报"]],
    )
    report = import_file(store, path, "enterprises")
    assert report.nodes_updated == 1 and not report.warnings
    bnmc = nodes_by_id(store)["ent:bnmc"]
    assert (bnmc["employees"], bnmc["evidence"], bnmc["name"]) == (12000, "年报", "白银有色集团公司")
    assert bnmc["aliases"] == ["白银有色", "白银有色集团股份有限公司"]
    assert bnmc["updated_at"] != SEED["updated_at"]
    # found by a name only, a restating row adds that name as an alias and keeps the node's name
    by_name = write_csv(tmp_path / "n.csv", [["name", "employees", "source"], ["白银有色集团有限公司", 13000, "seed"]])
    import_file(store, by_name, "enterprises")
    bnmc = nodes_by_id(store)["ent:bnmc"]
    assert (bnmc["name"], bnmc["employees"]) == ("白银有色集团公司", 13000)
    assert bnmc["aliases"][-1] == "白银有色集团有限公司"


def test_explicit_id_keeps_a_namesake_apart(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "p.csv", [["id", "name", "category"], ["prod:toluene-2", "甲苯", "芳烃"]])
    report = import_file(store, path, "products")
    assert report.nodes_created == 1
    assert [(w["row"], w["field"]) for w in report.warnings] == [(2, "name")]
    assert "prod:toluene" in report.warnings[0]["message"]


def test_dry_run_writes_nothing_and_returns_problems(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    before = doc(store)
    good = write_as("csv", tmp_path, "good", ENTERPRISE_ROWS)
    report = import_file(store, good, dry_run=True)
    assert report.nodes_created == 2 and report.errors == 0 and doc(store) == before
    bad = write_csv(tmp_path / "bad.csv", [["name", "park"], ["某某公司", "火星园"]])
    report = import_file(store, bad, dry_run=True)
    assert report.errors == 1 and report.problems[0]["field"] == "park" and doc(store) == before


def test_progress_is_called(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    seen: list[int] = []
    import_file(store, write_as("csv", tmp_path, "e", ENTERPRISE_ROWS), progress=seen.append)
    assert sum(seen) > 0


# --- bad files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        ("名称,园区\n某某,银东园\n".encode("utf-16"), 0),  # UTF-16 with a byte-order mark
        ("名称\n某某\n".encode("utf-16-le"), 5),  # no byte-order mark: the first NUL byte
        (b"name\nabc\xff\xfe\x80\n", 8),  # neither UTF-8 nor GB18030
        (b"\xef\xbb\xbfname\n\x81", 8),  # a truncated GB18030 sequence after a UTF-8 BOM
    ],
)
def test_wrong_encoding(store: GraphStore, tmp_path: Path, data: bytes, offset: int) -> None:
    seed(store)
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), None, None)]
    assert err.value.problems[0]["offset"] == offset


def test_missing_required_columns(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "s.csv", [["supplier", "product"], ["白银有色", "光气"]])
    err = rejected(store, path, kind="supplies")
    assert where(err) == [(str(path), 1, "customer")]
    jsonl = write_jsonl(tmp_path / "s.jsonl", [["supplier", "product"], ["白银有色", "光气"], ["银光集团", None]])
    err = rejected(store, jsonl, kind="supplies")
    assert where(err) == [(str(jsonl), 1, "customer"), (str(jsonl), 2, "customer")]


def test_unknown_and_repeated_columns(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "e.csv", [["序号", "名称", "name", "法人代表"], [1, "某某", "某某", "张三"]])
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 1, "name"), (str(path), 1, "法人代表")]


def test_duplicate_ids(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "p.csv",
        [["id", "name", "category"], ["prod:x", "甲", None], ["prod:y", "乙", None], ["prod:x", "丙", None]],
    )
    err = rejected(store, path, kind="products")
    assert where(err) == [(str(path), 4, "id")]


def test_two_rows_for_one_enterprise(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["name", "credit_code"],
            ["白银有色", None],
            ["白银有色集团股份有限公司", None],
            ["新甲", CODE_A],
            ["新乙", CODE_A],
        ],
    )
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 3, "name"), (str(path), 5, "credit_code")]


def test_unknown_park_region_group_and_product(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["name", "park", "region", "group", "products"],
            ["某某公司", "火星产业园", None, None, None],
            ["另一公司", "银东园", "火星市", "不存在集团", "反物质"],
        ],
    )
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [
        (str(path), 2, "park"),
        (str(path), 3, "region"),
        (str(path), 3, "products"),
        (str(path), 3, "group"),
    ]
    assert "火星产业园" in str(err.value)


def test_create_products(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "e.csv", [["name", "products"], ["某某公司", "反物质;甲苯"], ["另一公司", "反物质"]])
    rejected(store, path, kind="enterprises")
    report = import_file(store, path, "enterprises", create_products=True)
    assert report.nodes_created == 3
    made = [n for n in nodes_by_id(store).values() if n.get("name") == "反物质"]
    assert len(made) == 1 and made[0]["label"] == "Product"
    after = doc(store)
    import_file(store, path, "enterprises", create_products=True)
    assert doc(store) == after


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high", "nan"])
def test_bad_confidence(store: GraphStore, tmp_path: Path, value: str) -> None:
    seed(store)
    path = write_csv(tmp_path / "e.csv", [["name", "confidence"], ["某某公司", "0.5"], ["另一公司", value]])
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 3, "confidence")]


def test_bad_credit_codes(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    wrong_check = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["name", "credit_code"],
            ["甲", wrong_check],
            ["乙", CODE_A[:17]],
            ["丙", "91620400MA71A000IO"],
            ["丁", CODE_A.lower()],  # lower case is accepted and upper-cased
        ],
    )
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 2, "credit_code"), (str(path), 3, "credit_code"), (str(path), 4, "credit_code")]
    assert credit_code_problem(CODE_A) is None and "check character" in (credit_code_problem(wrong_check) or "")


def test_bad_values_are_all_listed(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["name", "employees", "revenue_million_cny", "valid_from", "valid_to", "id"],
            ["甲", "12.5", "-3", "2020-13", None, None],
            [None, "many", None, "2021", "2020", "not an id"],
        ],
    )
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [
        (str(path), 2, "employees"),
        (str(path), 2, "revenue_million_cny"),
        (str(path), 2, "valid_from"),
        (str(path), 3, "employees"),
        (str(path), 3, "id"),
        (str(path), 3, "valid_to"),
        (str(path), 3, "name"),
    ]


def test_products_stage_and_chain(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["name", "chain", "stage", "upstream"],
            ["甲", "chain:tdi", None, None],
            ["乙", None, "上游", None],
            ["丙", "不存在链", "上游", None],
            ["丁", None, "尾部", "丁"],
        ],
    )
    err = rejected(store, path, kind="products")
    assert where(err) == [
        (str(path), 2, "stage"),
        (str(path), 3, "chain"),
        (str(path), 4, "chain"),
        (str(path), 5, "stage"),
        (str(path), 5, "upstream"),
    ]


def test_id_of_another_label(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "e.csv", [["id", "name", "region"], ["prod:tdi", "某某", "白银"]])
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 2, "id")]


def test_jsonl_line_numbers(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = tmp_path / "e.jsonl"
    lines = ['{"name": "甲", "park": "银东园"}', "", "{not json", "[1, 2]", '{"name": "乙", "park": {"x": 1}}']
    lines += ['{"name": "丙", "color": "red", "products": ["光气", "TDI"]}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 3, None), (str(path), 4, None), (str(path), 5, "park"), (str(path), 6, "color")]


def test_row_longer_than_header(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = tmp_path / "e.csv"
    path.write_text('name,park\n甲,银东园\n乙,银东园,多余\n"丙\n', encoding="utf-8")
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 4, None)]  # the unterminated quote stops the read
    path.write_text("name,park\n甲,银东园\n乙,银东园,多余\n", encoding="utf-8")
    err = rejected(store, path, kind="enterprises")
    assert where(err) == [(str(path), 3, "column 3")]


def test_oversized_file(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = write_csv(tmp_path / "e.csv", [["name"], ["甲"], ["乙"], [None], ["丙"]])
    err = rejected(store, path, kind="enterprises", max_rows=2)
    assert where(err) == [(str(path), 5, None)]
    assert import_file(store, path, "enterprises", max_rows=3).nodes_created == 3


def test_broken_xlsx_and_unknown_suffix(store: GraphStore, tmp_path: Path) -> None:
    seed(store)
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert where(rejected(store, path, kind="enterprises")) == [(str(path), None, None)]
    other = tmp_path / "e.docx"
    other.write_text("name\n甲\n", encoding="utf-8")
    assert where(rejected(store, other, kind="enterprises")) == [(str(other), None, None)]
    assert where(rejected(store, tmp_path / "missing.csv")) == [(str(tmp_path / "missing.csv"), None, None)]


def test_xlsx_cells(store: GraphStore, tmp_path: Path) -> None:
    """Numbers, dates and a credit code typed as digits come through as the right types."""
    import datetime

    seed(store)
    digits = credit_code("12345678901234567")
    assert digits.isdigit() or True
    path = write_xlsx(
        tmp_path / "e.xlsx",
        [
            ["name", "credit_code", "employees", "valid_from", "founded", None],
            ["甲公司", digits, 12.0, datetime.datetime(2021, 5, 1), datetime.date(1999, 1, 2), None],
            [None, None, None, None, None, None],
        ],
    )
    report = import_file(store, path, "enterprises")
    node = nodes_by_id(store)[f"ent:{digits}"]
    assert (node["employees"], node["valid_from"], node["founded"]) == (12, "2021-05-01", "1999-01-02")
    assert report.rows == 1


def test_unknown_kind(store: GraphStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [["name"], ["甲"]])
    assert where(rejected(store, path, kind="factories")) == [(str(path), None, None)]


# --- the documented schema and the example files ------------------------------------------------


def test_every_column_is_documented() -> None:
    text = (EXAMPLES.parent / "IMPORT_FORMAT.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in text
        for column in SCHEMAS[kind]:
            assert f"`{column.name}`" in text, column.name
            for zh in column.zh:
                assert zh in text, zh


def test_example_files_import_onto_the_baiyin_dataset(store: GraphStore) -> None:
    from ingest.datasets import load_dataset

    nodes, edges = load_dataset("baiyin")
    store.load(nodes, edges)
    files = sorted(EXAMPLES.iterdir())
    kinds = set()
    order = {"products": 0, "enterprises": 1, "supplies": 2, "cooperation": 3}
    for path in sorted(files, key=lambda p: order[p.stem.split(".")[0]]):
        report = import_file(store, path)
        kinds.add(report.kind)
        assert report.kind == path.stem.split(".")[0]
        assert report.errors == 0 and report.rows > 0
    assert kinds == set(KINDS)
    after = doc(store)
    for path in files:
        assert import_file(store, path).nodes_written == 0
    assert doc(store) == after


# --- fuzzing ------------------------------------------------------------------------------------------

HEADERS = [h for kind in KINDS for c in SCHEMAS[kind] for h in (c.name, *c.zh[:1])]
CELL = st.text(alphabet=st.sampled_from(list('甲乙白银;,"\n\r 0.9-:/prod:tdiAZ\t')), max_size=8)


@st.composite
def csv_like(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 1), max_size=4))
    text = "\n".join(",".join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))
    return text.encode(encoding)


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), csv_like()))
def test_fuzz_csv_reader(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except InputFileError as e:
        assert e.problems and all(p["file"] == str(path) for p in e.problems)
        return
    assert all(isinstance(r.number, int) and r.number >= 2 for r in table.rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=120), csv_like()), kind=st.sampled_from([None, *KINDS]))
def test_fuzz_import(
    store: GraphStore, tmp_path_factory: pytest.TempPathFactory, data: bytes, kind: str | None
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(data)
    before = doc(store)
    try:
        import_file(store, path, kind, create_products=True)
    except InputFileError as e:
        assert e.problems
        assert doc(store) == before


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), CELL),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(HEADERS), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(JSON_VALUE, max_size=4).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    )
)
def test_fuzz_jsonl_reader(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.jsonl"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except InputFileError as e:
        assert e.problems and all(p["file"] == str(path) for p in e.problems)
        return
    assert all(isinstance(r.number, int) for r in table.rows)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), CELL), max_size=5), max_size=5
    ),
    garbage=st.one_of(st.none(), st.binary(max_size=100)),
)
def test_fuzz_xlsx_reader(
    tmp_path_factory: pytest.TempPathFactory, cells: list[list[object]], garbage: bytes | None
) -> None:
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    if garbage is not None:
        path.write_bytes(garbage)  # not a workbook at all
    else:
        wb = Workbook()
        for row in cells:
            wb.active.append(row)
        wb.save(path)
    try:
        table = read_table(path)
    except InputFileError as e:
        assert e.problems and all(p["file"] == str(path) for p in e.problems)
        return
    assert all(isinstance(r.number, int) for r in table.rows)
