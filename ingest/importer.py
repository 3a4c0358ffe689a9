"""Import tabular files (CSV, JSON Lines, XLSX) of enterprises, products, supply and cooperation.

``import_file(store, path)`` reads a whole file, checks every row, resolves every name to a node
(:mod:`ingest.resolve`), and only then writes, through ``store.load``. A file with any problem
writes nothing and raises one :class:`InputFileError` listing every problem with its file, row
and column. Importing the same file again changes nothing. The column schema of each kind is
:data:`SCHEMAS`; ``ingest/IMPORT_FORMAT.md`` documents it for people.

Merging into stored nodes and edges (an import never deletes a property or an edge):

- a row that resolves to a stored element whose ``source`` is the row's source restates it:
  the row's values and provenance replace the stored ones; a row naming the element by id or
  credit code also renames it (the old name becomes an alias), one that found it by name adds
  its name as an alias;
- otherwise the stored element keeps its provenance and values: the row only fills properties
  it lacks and adds aliases (its own name included). Differing values are reported as
  warnings, not written;
- an element whose merged properties equal the stored ones is not written at all, so its
  ``updated_at`` keeps the time it last changed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from pydantic import ValidationError

from graph.errors import InputFileError
from graph.model import (
    ACTOR_LABELS,
    EDGE_TYPES,
    ENTITY_LABEL,
    ID_PATTERN,
    NODE_TYPES,
    Edge,
    Node,
    check_rel_type,
    utc_now,
)
from graph.store import GraphStore
from ingest.resolve import AMBIGUOUS_PREFIX, Match, Resolver, product_id
from ingest.tabular import DEFAULT_MAX_ROWS, Format, Problem, Table, TableRow, problem, read_table

Kind = Literal["enterprises", "products", "supplies", "cooperation"]
KINDS: tuple[Kind, ...] = get_args(Kind)
ColumnType = Literal["text", "list", "int", "amount", "confidence", "date", "stage", "id", "credit_code"]
Progress = Callable[[int], None]

PROVENANCE_FIELDS = ("source", "evidence", "confidence", "status", "valid_from", "valid_to")


@dataclass(frozen=True)
class Column:
    """One column of an import file: canonical name, value type, Chinese headers, meaning."""

    name: str
    type: ColumnType = "text"
    required: bool = False
    zh: tuple[str, ...] = ()
    help: str = ""


PROVENANCE_COLUMNS = (
    Column("source", zh=("来源", "数据来源"), help="source id or citation; default: the `source` argument"),
    Column("evidence", zh=("证据", "依据", "原文"), help="the sentence or record the row was taken from"),
    Column("confidence", "confidence", zh=("置信度",), help="0 to 1; default 1"),
    Column("valid_from", "date", zh=("生效日期", "起始日期", "开始日期"), help="date the fact became true"),
    Column("valid_to", "date", zh=("失效日期", "截止日期", "结束日期"), help="date the fact stopped being true"),
)

SCHEMAS: dict[Kind, tuple[Column, ...]] = {
    "enterprises": (
        Column("name", required=True, zh=("名称", "企业名称", "企业"), help="legal or usual name"),
        Column("credit_code", "credit_code", zh=("统一社会信用代码", "信用代码"), help="18 characters, checked"),
        Column("id", "id", zh=("编号",), help="node id; default: resolved, else ent:<credit code> or ent:<hash>"),
        Column("park", "list", zh=("园区", "所在园区"), help="park name, alias or id (must exist); `;` list"),
        Column("region", "list", zh=("区域", "地区", "所在地区", "所在区域"), help="region name or id (must exist)"),
        Column("products", "list", zh=("产品", "主要产品"), help="`;` list of product names, aliases or ids"),
        Column("name_en", zh=("英文名称", "英文名"), help="English name"),
        Column("aliases", "list", zh=("别名", "简称"), help="`;` list of other names"),
        Column("employees", "int", zh=("员工数", "员工人数", "从业人数"), help="whole number ≥ 0"),
        Column("revenue_million_cny", "amount", zh=("营收(百万元)", "营业收入(百万元)"), help="million CNY ≥ 0"),
        Column("group", zh=("集团", "所属集团", "上级企业"), help="parent enterprise name or id (PART_OF)"),
        Column("founded", "date", zh=("成立日期",), help="date founded"),
        Column("description", zh=("简介", "描述"), help="free text"),
        *PROVENANCE_COLUMNS,
    ),
    "products": (
        Column("name", required=True, zh=("名称", "产品名称"), help="Chinese name"),
        Column("id", "id", zh=("编号",), help="node id; default: resolved, else prod:<hash>"),
        Column("name_en", zh=("英文名称", "英文名"), help="English name"),
        Column("aliases", "list", zh=("别名",), help="`;` list of other names"),
        Column("chain", zh=("产业链",), help="chain name or id (must exist); needs stage"),
        Column("stage", "stage", zh=("环节", "阶段", "产业链环节"), help="上游 / 中游 / 下游"),
        Column("upstream", "list", zh=("上游产品", "原料"), help="`;` list of input products (UPSTREAM_OF)"),
        Column("category", zh=("类别", "分类"), help="product category"),
        Column("hs_code", zh=("HS编码", "海关编码"), help="HS code"),
        Column("description", zh=("简介", "描述"), help="free text"),
        *PROVENANCE_COLUMNS,
    ),
    "supplies": (
        Column("supplier", required=True, zh=("供应商", "供方", "供应方"), help="enterprise name, credit code or id"),
        Column("customer", required=True, zh=("客户", "需方", "采购方"), help="enterprise name, credit code or id"),
        Column("product", zh=("产品", "供应产品"), help="product name or id (edge key)"),
        *PROVENANCE_COLUMNS,
    ),
    "cooperation": (
        Column("a", required=True, zh=("甲方", "合作方A", "一方"), help="actor name or id"),
        Column("b", required=True, zh=("乙方", "合作方B", "另一方"), help="actor name or id"),
        Column("kind", zh=("类型", "合作类型", "合作方式"), help="e.g. 产学研 / 飞地 / 共建; default cooperation"),
        *PROVENANCE_COLUMNS,
    ),
}

# Columns that tell a kind apart when the kind is not given.
DISTINCTIVE: dict[Kind, frozenset[str]] = {
    "enterprises": frozenset(
        {"credit_code", "park", "region", "products", "employees", "revenue_million_cny", "group", "founded"}
    ),
    "products": frozenset({"chain", "stage", "upstream", "category", "hs_code"}),
    "supplies": frozenset({"supplier", "customer"}),
    "cooperation": frozenset({"a", "b"}),
}

# Headers accepted and ignored in every kind (row numbers and remarks of government lists).
IGNORED_HEADERS = frozenset({"序号", "备注", "no", "no.", "#", "note", "notes", "remark", "remarks", "comment"})

STAGES = {"上游": "上游", "中游": "中游", "下游": "下游", "upstream": "上游", "midstream": "中游", "downstream": "下游"}

# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character (18th) of a unified social credit code whose first 17 are given."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"统一社会信用代码 must have 18 characters, not {len(code)}"
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARS})
    if bad:
        return f"统一社会信用代码 has characters {''.join(bad)!r}: only digits and capitals except I O S V Z"
    if not code[2:8].isdigit():
        return "统一社会信用代码 characters 3-8 must be the digits of an administrative division code"
    check = credit_code_check_char(code[:17])
    if check != code[17]:
        return f"统一社会信用代码 check character is {code[17]!r}, expected {check!r} (mistyped code?)"
    return None


# --- the report ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    file: str
    kind: str = ""
    format: str = ""
    dry_run: bool = False
    rows: int = 0
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_unchanged: int = 0
    ambiguous: int = 0
    errors: int = 0
    # Rows whose name matched several stored nodes: created apart, status extracted, for review.
    review: list[dict[str, Any]] = field(default_factory=list)
    # Values that differ from a stored element of another source (kept as stored).
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # Every problem found (only a dry run returns them; otherwise they are raised).
    problems: list[dict[str, Any]] = field(default_factory=list)
    # Enterprises written or given LOCATED_IN / PART_OF edges: refresh their derived ``places``.
    enterprise_ids: list[str] = field(default_factory=list)

    @property
    def nodes_written(self) -> int:
        return self.nodes_created + self.nodes_updated

    @property
    def edges_written(self) -> int:
        return self.edges_created + self.edges_updated

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- headers and values -------------------------------------------------------------------------


def header_key(header: str) -> str:
    """How headers are compared: NFKC (full-width brackets → ASCII), case-folded, no spaces."""
    text = unicodedata.normalize("NFKC", header).strip().casefold()
    return re.sub(r"[\s\-]+", "_", text) if text.isascii() else re.sub(r"\s+", "", text)


def _column_index(kind: Kind) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for col in SCHEMAS[kind]:
        for h in (col.name, *col.zh):
            index[header_key(h)] = col
    return index


COLUMN_INDEX: dict[Kind, dict[str, Column]] = {k: _column_index(k) for k in KINDS}


def detect_kind(headers: Sequence[str]) -> Kind | None:
    """The kind whose required columns are all present and which has a distinctive column; or None."""
    found: list[Kind] = []
    for kind in KINDS:
        index = COLUMN_INDEX[kind]
        names = {index[header_key(h)].name for h in headers if header_key(h) in index}
        required = {c.name for c in SCHEMAS[kind] if c.required}
        if required <= names and names & DISTINCTIVE[kind]:
            found.append(kind)
    return found[0] if len(found) == 1 else None


class _ValueError(Exception):
    pass


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        raise _ValueError("must be a number, not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _ValueError("must be a finite number")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise _ValueError("must be a single value, not a list")


def _text(value: Any) -> str:
    return _number_text(value).strip() if not isinstance(value, bool) else str(value).lower()


def _float(value: Any, what: str) -> float:
    text = _number_text(value).strip().replace(",", "").replace(" ", "")
    try:
        number = float(text)
    except ValueError:
        raise _ValueError(f"{what} must be a number, not {text!r}") from None
    if not math.isfinite(number):
        raise _ValueError(f"{what} must be a finite number")
    return number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?$"),
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?$"),
)


def _date(value: Any) -> str:
    text = _number_text(value).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year, month, day = (int(g) if g else None for g in (*m.groups(), None, None)[:3])
        if month is not None and not 1 <= month <= 12:
            break
        if day is not None and not 1 <= day <= 31:
            break
        parts = [f"{year:04d}"] + [f"{p:02d}" for p in (month, day) if p is not None]
        return "-".join(parts)
    raise _ValueError(f"must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {text!r}")


def _list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[;；]", _text(value))
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = _text(item)
        if text and text not in out:
            out.append(text)
    return out


def convert(column: Column, value: Any) -> Any:
    """A cell value as the column's type; raises ``_ValueError`` with the reason."""
    t = column.type
    if t == "list":
        return _list(value)
    if isinstance(value, list):
        raise _ValueError("must be a single value, not a list")
    if t == "text":
        return _text(value)
    if t == "id":
        text = _text(value)
        if not ID_PATTERN.match(text):
            raise _ValueError(f"id {text!r} must be ASCII letters, digits and _ . : - (at most 200)")
        return text
    if t == "credit_code":
        if isinstance(value, float) and value >= 1e15:
            raise _ValueError("统一社会信用代码 stored as a number lost its digits: format the column as text")
        code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value))).upper()
        reason = credit_code_problem(code)
        if reason:
            raise _ValueError(reason)
        return code
    if t == "int":
        number = _float(value, column.name)
        if not number.is_integer() or number < 0:
            raise _ValueError(f"{column.name} must be a whole number ≥ 0, not {_text(value)!r}")
        return int(number)
    if t == "amount":
        number = _float(value, column.name)
        if number < 0:
            raise _ValueError(f"{column.name} must be ≥ 0")
        return number
    if t == "confidence":
        number = _float(value, "confidence")
        if not 0.0 <= number <= 1.0:
            raise _ValueError(f"confidence must be between 0 and 1, not {_text(value)}")
        return number
    if t == "date":
        return _date(value)
    if t == "stage":
        text = _text(value)
        stage = STAGES.get(text.casefold())
        if stage is None:
            raise _ValueError(f"stage must be 上游, 中游 or 下游, not {text!r}")
        return stage
    raise AssertionError(t)


# --- plans: what the file asks for, before merging with the store --------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    prov: dict[str, Any]


@dataclass
class _PlanNode:
    label: str
    id: str
    row: int
    data: dict[str, Any]
    prov: dict[str, Any]
    rename: bool = False  # identified by id or credit code, not by its name


@dataclass
class _PlanEdge:
    type: str
    source: str
    target: str
    key: str
    row: int
    data: dict[str, Any]
    prov: dict[str, Any]
    field: str | None = None  # column to blame for a problem with this edge

    def identity(self) -> tuple[str, str, str, str]:
        return (self.source, self.type, self.key, self.target)


class _Planner:
    def __init__(
        self,
        store: GraphStore,
        table: Table,
        kind: Kind,
        rows: list[_Row],
        header_missing: set[str],
        create_products: bool,
    ) -> None:
        self.store = store
        self.file = table.file
        self.kind = kind
        self.rows = rows
        self.header_missing = header_missing
        self.create_products = create_products
        self.problems: list[Problem] = []
        self.nodes: dict[str, _PlanNode] = {}
        self.edges: list[_PlanEdge] = []
        self.review: list[dict[str, Any]] = []
        self.warnings: list[Problem] = []
        self.resolver = Resolver(store)
        self._explicit_labels: dict[str, str] = {}

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(problem(self.file, row, column, message))

    def required(self, row: _Row, column: str) -> str | None:
        value = row.values.get(column)
        if value is None:
            if column not in self.header_missing:
                self.problem(row.number, column, f"{column} is required")
            return None
        return cast(str, value)

    def explicit_labels(self) -> None:
        ids = sorted({r.values["id"] for r in self.rows if "id" in r.values})
        unknown = [i for i in ids if self.resolver.label_of(i) is None]
        self._explicit_labels = {i: lbl for i in ids if (lbl := self.resolver.label_of(i))}
        self._explicit_labels.update(self.store.labels_of(unknown) if unknown else {})

    def add_node(
        self, label: str, node_id: str, row: int, data: dict[str, Any], prov: dict[str, Any], rename: bool = False
    ) -> None:
        self.nodes[node_id] = _PlanNode(label, node_id, row, data, prov, rename)

    def add_edge(
        self,
        rel_type: str,
        source: str,
        target: str,
        row: _Row,
        prov: dict[str, Any],
        *,
        key: str = "",
        column: str | None = None,
        **data: Any,
    ) -> None:
        self.edges.append(_PlanEdge(rel_type, source, target, key, row.number, data, prov, column))

    def ref(self, row: _Row, column: str, labels: str | Sequence[str], text: str, what: str) -> str | None:
        m = self.resolver.resolve(labels, text)
        if m.node_id:
            return m.node_id
        if m.kind == "ambiguous":
            self.problem(row.number, column, f"{what} {text!r} is ambiguous: {', '.join(m.candidates)}; use the id")
        else:
            self.problem(row.number, column, f"unknown {what} {text!r}")
        return None

    def product_ref(self, row: _Row, column: str, text: str) -> str | None:
        m = self.resolver.resolve("Product", text)
        if m.node_id:
            return m.node_id
        if m.kind == "ambiguous":
            self.problem(row.number, column, f"product {text!r} is ambiguous: {', '.join(m.candidates)}; use the id")
            return None
        if not self.create_products:
            self.problem(row.number, column, f"unknown product {text!r} (import with create_products to create it)")
            return None
        if ID_PATTERN.match(text) and not re.search(r"[^\x00-\x7f]", text) and ":" in text:
            self.problem(row.number, column, f"unknown product id {text!r}")
            return None
        new_id = product_id(text)
        self.resolver.add("Product", new_id, text)
        self.add_node("Product", new_id, row.number, {"name": text}, row.prov)
        return new_id

    def warn_other(self, row: _Row, node_id: str, m: Match) -> None:
        """A row with an explicit id whose name designates another node: kept apart, but said."""
        if m.node_id and m.node_id != node_id:
            message = f"name matches {m.node_id} ({m.kind}), kept apart because the id {node_id} is given"
            self.warnings.append(problem(self.file, row.number, "name", message))

    def check_explicit_id(self, row: _Row, label: str) -> str | None:
        node_id = cast(str | None, row.values.get("id"))
        if node_id is None:
            return None
        existing = self._explicit_labels.get(node_id)
        if existing is not None and existing != label:
            self.problem(row.number, "id", f"id {node_id!r} already exists as a {existing}, not a {label}")
        return node_id

    # -- enterprises ----------------------------------------------------------------------------

    def enterprises(self) -> None:
        self.explicit_labels()
        seen: dict[str, int] = {}
        seen_codes: dict[str, int] = {}
        planned: list[tuple[_Row, str, dict[str, Any]]] = []
        for row in self.rows:
            name = self.required(row, "name")
            if name is None:
                continue
            code = cast(str | None, row.values.get("credit_code"))
            node_id = self.check_explicit_id(row, "Enterprise")
            prov = dict(row.prov)
            blame = "name"
            duplicate_code = False
            if code is not None:
                if code in seen_codes:
                    self.problem(row.number, "credit_code", f"duplicate credit code (also row {seen_codes[code]})")
                    duplicate_code = True
                seen_codes.setdefault(code, row.number)
            if node_id is not None:
                blame = "id"
                holder = self.resolver.by_credit_code(code) if code else None
                if holder is not None and holder != node_id:
                    self.problem(row.number, "credit_code", f"credit code {code} belongs to {holder}, not {node_id}")
                self.warn_other(row, node_id, self.resolver.resolve_enterprise(name, code))
            else:
                m = self.resolver.resolve_enterprise(name, code)
                if code and m.node_id and self.resolver.by_credit_code(code) == m.node_id:
                    blame = "credit_code"
                node_id = self.enterprise_target(row, name, code, m, prov)
            if node_id in seen:
                if not duplicate_code:
                    what = "duplicate id" if blame == "id" else f"same enterprise ({node_id}) as"
                    self.problem(row.number, blame, f"{what} row {seen[node_id]}")
                continue
            seen[node_id] = row.number
            data = {k: row.values[k] for k in ENTERPRISE_FIELDS if k in row.values}
            planned.append((row, node_id, prov))
            self.add_node("Enterprise", node_id, row.number, data, prov, rename=blame != "name")
        for row, node_id, _prov in planned:
            self.resolver.add(
                "Enterprise",
                node_id,
                row.values["name"],
                row.values.get("aliases", []),
                credit_code=row.values.get("credit_code"),
            )
        for row, node_id, prov in planned:
            for column, label in (("park", "Park"), ("region", "Region")):
                for text in row.values.get(column, []):
                    place = self.ref(row, column, label, text, column)
                    if place:
                        self.add_edge("LOCATED_IN", node_id, place, row, prov, column=column)
            for text in row.values.get("products", []):
                pid = self.product_ref(row, "products", text)
                if pid:
                    self.add_edge("PRODUCES", node_id, pid, row, prov, column="products")
            group = row.values.get("group")
            if group:
                gid = self.ref(row, "group", "Enterprise", group, "group enterprise")
                if gid == node_id:
                    self.problem(row.number, "group", "an enterprise cannot be its own group")
                elif gid:
                    self.add_edge("PART_OF", node_id, gid, row, prov, column="group")

    def enterprise_target(self, row: _Row, name: str, code: str | None, m: Match, prov: dict[str, Any]) -> str:
        if m.node_id:
            return m.node_id
        own = self.resolver.enterprise_id(name, code)
        if m.kind == "ambiguous":
            evidence = prov.get("evidence") or ""
            prov["status"] = "extracted"
            prov["evidence"] = f"{AMBIGUOUS_PREFIX}{', '.join(m.candidates)}" + (f"; {evidence}" if evidence else "")
            self.review.append({"row": row.number, "name": name, "node_id": own, "candidates": list(m.candidates)})
        return own

    # -- products -------------------------------------------------------------------------------

    def products(self) -> None:
        self.explicit_labels()
        seen: dict[str, int] = {}
        planned: list[tuple[_Row, str]] = []
        for row in self.rows:
            name = self.required(row, "name")
            if name is None:
                continue
            node_id = self.check_explicit_id(row, "Product")
            blame = "id"
            if node_id is not None:
                self.warn_other(row, node_id, self.resolver.resolve("Product", name))
            else:
                blame = "name"
                m = self.resolver.resolve("Product", name)
                if m.kind == "ambiguous":
                    self.problem(row.number, "name", f"product {name!r} is ambiguous: {', '.join(m.candidates)}")
                    continue
                node_id = m.node_id or product_id(name)
            if node_id in seen:
                what = "duplicate id" if blame == "id" else f"same product ({node_id}) as"
                self.problem(row.number, blame, f"{what} row {seen[node_id]}")
                continue
            seen[node_id] = row.number
            planned.append((row, node_id))
            data = {k: row.values[k] for k in PRODUCT_FIELDS if k in row.values}
            self.add_node("Product", node_id, row.number, data, row.prov, rename=blame == "id")
        for row, node_id in planned:
            self.resolver.add("Product", node_id, row.values["name"], row.values.get("aliases", []))
        for row, node_id in planned:
            chain, stage = row.values.get("chain"), row.values.get("stage")
            if chain is not None:
                cid = self.ref(row, "chain", "Chain", chain, "chain")
                if stage is None:
                    self.problem(row.number, "stage", "stage (上游/中游/下游) is required with a chain")
                elif cid:
                    self.add_edge("IN_CHAIN", node_id, cid, row, row.prov, column="stage", stage=stage)
            elif stage is not None:
                self.problem(row.number, "chain", "a stage needs a chain")
            for text in row.values.get("upstream", []):
                up = self.product_ref(row, "upstream", text)
                if up == node_id:
                    self.problem(row.number, "upstream", f"{text!r} is the product itself")
                elif up:
                    self.add_edge("UPSTREAM_OF", up, node_id, row, row.prov, column="upstream")

    # -- supplies and cooperation --------------------------------------------------------------------

    def supplies(self) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        for row in self.rows:
            ends = []
            for column in ("supplier", "customer"):
                text = self.required(row, column)
                ends.append(self.ref(row, column, "Enterprise", text, "enterprise") if text else None)
            pid = None
            if row.values.get("product"):
                pid = self.product_ref(row, "product", row.values["product"])
                if pid is None:
                    continue
            supplier, customer = ends
            if supplier is None or customer is None:
                continue
            if supplier == customer:
                self.problem(row.number, "customer", "supplier and customer are the same enterprise")
                continue
            ident = (supplier, customer, pid or "")
            if ident in seen:
                self.problem(row.number, "supplier", f"same supplier, customer and product as row {seen[ident]}")
                continue
            seen[ident] = row.number
            extra = {"product": pid} if pid else {}
            self.add_edge("SUPPLIES", supplier, customer, row, row.prov, key=pid or "", column="product", **extra)

    def cooperation(self) -> None:
        seen: dict[tuple[frozenset[str], str], int] = {}
        for row in self.rows:
            ends = []
            for column in ("a", "b"):
                text = self.required(row, column)
                ends.append(self.ref(row, column, sorted(ACTOR_LABELS), text, "actor") if text else None)
            a, b = ends
            if a is None or b is None:
                continue
            if a == b:
                self.problem(row.number, "b", "a and b are the same")
                continue
            kind = row.values.get("kind") or "cooperation"
            ident = (frozenset((a, b)), kind)
            if ident in seen:
                self.problem(row.number, "b", f"same pair and kind as row {seen[ident]}")
                continue
            seen[ident] = row.number
            self.add_edge("COOPERATES_WITH", a, b, row, row.prov, key=kind, column="kind", kind=kind)


ENTERPRISE_FIELDS = (
    "name",
    "name_en",
    "aliases",
    "credit_code",
    "employees",
    "revenue_million_cny",
    "founded",
    "description",
)
PRODUCT_FIELDS = ("name", "name_en", "aliases", "category", "hs_code", "description")


# --- merging with the store -----------------------------------------------------------------------

_EXISTING_PROPS = f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) RETURN n.id AS id, properties(n) AS props"


def _existing_edges_query(rel_type: str) -> str:
    rel_type = check_rel_type(rel_type)
    return (
        f"UNWIND $pairs AS p MATCH (a:{ENTITY_LABEL} {{id: p.s}})-[r:{rel_type}]->(b:{ENTITY_LABEL} {{id: p.t}}) "
        "RETURN a.id AS source, b.id AS target, properties(r) AS props"
    )


def _chunks[T](items: Sequence[T], size: int = 5000) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _union(*lists: Iterable[str]) -> list[str]:
    out: list[str] = []
    for items in lists:
        for item in items:
            if item and item not in out:
                out.append(item)
    return out


@dataclass
class _Merged:
    props: dict[str, Any]
    changed: bool


def _merge(
    existing: Mapping[str, Any] | None,
    fields: Iterable[str],
    data: Mapping[str, Any],
    prov: Mapping[str, Any],
    warn: Callable[[str, str], None],
    rename: bool = False,
) -> _Merged:
    """The properties to store for a row's element; see the module docstring for the rules.

    ``rename``: the row named the element by id or credit code, so a restating row (same
    source) may change its name; a row that found it by name only adds its name as an alias.
    """
    if existing is None:
        return _Merged({**data, **prov}, True)
    allowed = set(fields)
    base = {k: v for k, v in existing.items() if k in allowed and k not in ("id", "updated_at")}
    same = base.get("source") in (None, prov.get("source"))
    result = dict(base)
    extra_aliases: list[str] = []
    name = data.get("name")
    if name is not None and base.get("name") not in (None, name):
        if same and rename:
            extra_aliases.append(str(base["name"]))
            result["name"] = name
        else:
            extra_aliases.append(name)
    elif name is not None:
        result["name"] = name
    for key, value in data.items():
        if key in ("name", "aliases"):
            continue
        if same or base.get(key) is None:
            result[key] = value
        elif base[key] != value:
            warn(key, f"stored {key} {base[key]!r} (source {base.get('source')!r}) kept; file has {value!r}")
    if "aliases" in allowed:
        aliases = _union(base.get("aliases") or [], data.get("aliases") or [], extra_aliases)
        aliases = [a for a in aliases if a != result.get("name")]
        if aliases or "aliases" in base:
            result["aliases"] = aliases
    if same:
        result.update(prov)
        if base.get("status") == "reviewed" and prov.get("status") == "curated":
            result["status"] = "reviewed"  # a person accepted it: restating does not undo that
    changed = result != base
    if "updated_at" in existing:
        result["updated_at"] = existing["updated_at"]
    return _Merged(result, changed)


def _field_of(err: ValidationError, mapping: Mapping[str, str | None], default: str | None) -> str | None:
    for e in err.errors():
        if e["loc"]:
            return mapping.get(str(e["loc"][0]), str(e["loc"][0]))
    return default


def _describe(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in err.errors())


# --- the entry point ------------------------------------------------------------------------------


def _default_source(path: Path) -> str:
    return f"import:{path.name}"


def _parse_rows(
    table: Table, kind: Kind, source: str, evidence_prefix: str
) -> tuple[list[_Row], set[str], list[Problem]]:
    """Map headers to columns, convert every value; return rows, missing required columns, problems."""
    problems: list[Problem] = list(table.problems)
    index = COLUMN_INDEX[kind]
    columns: dict[str, Column] = {}  # header → column (CSV and XLSX; JSON Lines maps each line's keys)
    header_row = table.header_row
    missing: set[str] = set()
    if header_row is not None:
        seen_cols: dict[str, str] = {}
        seen_headers: set[str] = set()
        accepted = ", ".join(c.name for c in SCHEMAS[kind])
        for number, header in enumerate(table.headers, start=1):
            key = header_key(header)
            if not key or key in IGNORED_HEADERS:
                continue
            if header in seen_headers:
                problems.append(problem(table.file, header_row, header, f"column {header!r} appears twice"))
                continue
            seen_headers.add(header)
            col = index.get(key)
            if col is None:
                message = f"unknown column {header!r} (column {number}) for {kind}; accepted: {accepted}"
                problems.append(problem(table.file, header_row, header, message))
                continue
            if col.name in seen_cols:
                message = f"column {header!r} repeats {seen_cols[col.name]!r} ({col.name})"
                problems.append(problem(table.file, header_row, header, message))
                continue
            seen_cols[col.name] = header
            columns[header] = col
        missing = {c.name for c in SCHEMAS[kind] if c.required and c.name not in seen_cols}
        for name in sorted(missing):
            problems.append(problem(table.file, header_row, name, f"missing required column {name!r}"))
    rows: list[_Row] = []
    for trow in table.rows:
        values: dict[str, Any] = {}
        for header, raw in trow.values.items():
            col = columns.get(header) if header_row is not None else index.get(header_key(header))
            if col is None:
                if header_row is None and header_key(header) not in IGNORED_HEADERS:
                    problems.append(problem(table.file, trow.number, header, f"unknown field {header!r} for {kind}"))
                continue
            try:
                value = convert(col, raw)
            except _ValueError as e:
                problems.append(problem(table.file, trow.number, col.name, str(e)))
                continue
            if value in ("", []):
                continue
            if col.name in values:
                problems.append(problem(table.file, trow.number, col.name, f"{col.name} is given twice"))
                continue
            values[col.name] = value
        rows.append(_Row(trow.number, values, _provenance(values, trow, source, evidence_prefix)))
        vf, vt = values.get("valid_from"), values.get("valid_to")
        if vf and vt and vt < vf:
            problems.append(problem(table.file, trow.number, "valid_to", f"valid_to {vt} is before valid_from {vf}"))
    return rows, missing, problems


def _provenance(values: Mapping[str, Any], trow: TableRow, source: str, evidence_prefix: str) -> dict[str, Any]:
    prov: dict[str, Any] = {
        "source": values.get("source") or source,
        "evidence": values.get("evidence") or f"{evidence_prefix} {trow.number}",
        "confidence": values.get("confidence", 1.0),
        "status": "curated",
    }
    for key in ("valid_from", "valid_to"):
        if key in values:
            prov[key] = values[key]
    return prov


def import_file(
    store: GraphStore,
    path: str | Path,
    kind: str | None = None,
    *,
    source: str | None = None,
    create_products: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    fmt: Format | None = None,
) -> ImportReport:
    """Import one file of ``kind`` (``enterprises``, ``products``, ``supplies``, ``cooperation``;
    detected from the headers when None) into ``store``.

    Every row is read, checked and resolved before anything is written; any problem raises
    :class:`InputFileError` listing all of them (file, row, field, message) and writes nothing.
    ``source`` is the provenance of rows without a ``source`` column (default
    ``import:<file name>``). ``create_products`` creates products named but not found (else an
    error). ``dry_run`` writes nothing and returns the report, problems included, without raising.
    ``progress`` is called with the number of elements written by each batch.
    """
    path = Path(path)
    report = ImportReport(file=str(path), dry_run=dry_run)
    try:
        return _import(store, path, kind, report, source, create_products, dry_run, progress, max_rows, fmt)
    except InputFileError as e:
        if not dry_run:
            raise
        report.problems = list(e.problems) or [problem(str(path), None, None, e.message)]
        report.errors = len(report.problems)
        return report


def _import(
    store: GraphStore,
    path: Path,
    kind_name: str | None,
    report: ImportReport,
    source: str | None,
    create_products: bool,
    dry_run: bool,
    progress: Progress | None,
    max_rows: int,
    fmt: Format | None,
) -> ImportReport:
    file = str(path)
    if kind_name is not None and kind_name not in KINDS:
        message = f"unknown kind {kind_name!r}; expected one of {', '.join(KINDS)}"
        raise InputFileError(message, [problem(file, None, None, message)])
    table = read_table(path, fmt, max_rows=max_rows)
    report.format = table.format
    report.rows = len(table.rows)
    kind = kind_name or detect_kind(table.headers)
    if kind is None:
        message = (
            "cannot tell the kind of file from its columns "
            f"({', '.join(table.headers) or 'none'}); give the kind ({', '.join(KINDS)})"
        )
        raise InputFileError(f"{file}: {message}", [problem(file, table.header_row, None, message)])
    report.kind = kind
    where = f"{path.name} {'line' if table.header_row is None else 'row'}"
    rows, missing, problems = _parse_rows(table, kind, source or _default_source(path), where)
    if problems and (missing or not rows):
        _raise(file, problems)
    planner = _Planner(store, table, kind, rows, missing, create_products)
    getattr(planner, kind)()
    problems += planner.problems
    report.review = planner.review
    report.ambiguous = len(planner.review)
    report.warnings = list(planner.warnings)
    nodes, edges, problems_after = _diff(store, planner, report)
    problems += problems_after
    if problems:
        _raise(file, problems)
    if not dry_run and (nodes or edges):
        store.load(nodes, edges, progress=progress)
    return report


def _raise(file: str, problems: list[Problem]) -> None:
    problems.sort(key=lambda p: (p.get("row") is not None, p.get("row") or 0))
    raise InputFileError(f"{file}: {len(problems)} problem(s); nothing was written", problems)


def _diff(store: GraphStore, planner: _Planner, report: ImportReport) -> tuple[list[Node], list[Edge], list[Problem]]:
    """Merge the plan with the stored elements; keep what changes; validate it with the model."""
    file = planner.file
    problems: list[Problem] = []
    now = utc_now()

    def warner(row: int) -> Callable[[str, str], None]:
        def warn(column: str, message: str) -> None:
            report.warnings.append(problem(file, row, column, message))

        return warn

    existing: dict[str, dict[str, Any]] = {}
    ids = sorted(planner.nodes)
    for part in _chunks(ids):
        for r in store.read(_EXISTING_PROPS, {"ids": list(part)}):
            existing[r["id"]] = dict(r["props"])
    nodes: list[Node] = []
    touched: set[str] = set()
    for node_id in ids:
        plan = planner.nodes[node_id]
        cls = NODE_TYPES[plan.label]
        before = existing.get(node_id)
        merged = _merge(before, cls.model_fields, plan.data, plan.prov, warner(plan.row), plan.rename)
        if not merged.changed:
            report.nodes_unchanged += 1
            continue
        props = {**merged.props, "updated_at": now}
        try:
            node = cls.model_validate({**props, "id": node_id}).to_node()
        except ValidationError as e:
            problems.append(problem(file, plan.row, _field_of(e, {}, None), _describe(e)))
            continue
        nodes.append(node)
        if before is None:
            report.nodes_created += 1
        else:
            report.nodes_updated += 1
        if plan.label == "Enterprise":
            touched.add(node_id)

    edges: list[Edge] = []
    stored = _stored_edges(store, planner.edges)
    if planner.kind == "cooperation":
        _align_cooperation(planner.edges, stored)
    for plan_edge in planner.edges:
        cls_e = EDGE_TYPES[plan_edge.type]
        before = stored.get(plan_edge.identity())
        data = {**plan_edge.data, "key": plan_edge.key}
        merged = _merge(before, cls_e.model_fields, data, plan_edge.prov, warner(plan_edge.row))
        if not merged.changed:
            report.edges_unchanged += 1
            continue
        props = {**merged.props, "updated_at": now}
        try:
            typed = cls_e.model_validate({**props, "source_id": plan_edge.source, "target_id": plan_edge.target})
        except ValidationError as e:
            mapping: dict[str, str | None] = {"source_id": plan_edge.field, "target_id": plan_edge.field}
            problems.append(problem(file, plan_edge.row, _field_of(e, mapping, plan_edge.field), _describe(e)))
            continue
        edges.append(typed.to_edge())
        if before is None:
            report.edges_created += 1
        else:
            report.edges_updated += 1
        if plan_edge.type in ("LOCATED_IN", "PART_OF") and planner.resolver.label_of(plan_edge.source) == "Enterprise":
            touched.add(plan_edge.source)
    report.enterprise_ids = sorted(touched)
    return nodes, edges, problems


def _stored_edges(store: GraphStore, planned: Sequence[_PlanEdge]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Stored edges between the planned pairs (both directions for cooperation), by identity."""
    pairs: dict[str, set[tuple[str, str]]] = {}
    for e in planned:
        pairs.setdefault(e.type, set()).add((e.source, e.target))
        if e.type == "COOPERATES_WITH":
            pairs[e.type].add((e.target, e.source))
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for rel_type, type_pairs in sorted(pairs.items()):
        query = _existing_edges_query(rel_type)
        rows = [{"s": s, "t": t} for s, t in sorted(type_pairs)]
        for part in _chunks(rows):
            for r in store.read(query, {"pairs": list(part)}):
                props = dict(r["props"])
                found[(r["source"], rel_type, str(props.get("key", "")), r["target"])] = props
    return found


def _align_cooperation(planned: Sequence[_PlanEdge], stored: Mapping[tuple[str, str, str, str], Any]) -> None:
    """Point each cooperation row at a stored edge of the same pair and kind, whatever its direction/key."""
    by_pair: dict[tuple[frozenset[str], str], tuple[str, str, str]] = {}
    for (s, _type, key, t), props in stored.items():
        kind = str(props.get("kind", "cooperation"))
        by_pair.setdefault((frozenset((s, t)), kind), (s, t, key))
    for e in planned:
        hit = by_pair.get((frozenset((e.source, e.target)), str(e.data.get("kind"))))
        if hit:
            e.source, e.target, e.key = hit
