"""The chainkg data model: node labels, relationship types, their properties and provenance.

Plain Pydantic data with no database code. The label and relationship-type sets defined here
are the only ones a store accepts: Cypher cannot take a label as a parameter, so every label
that reaches a query string comes from these fixed sets (see ``check_label`` / ``check_rel_type``).

Storage works on two generic records, :class:`Node` and :class:`Edge`; the typed classes
(``Enterprise``, ``Produces``...) validate the properties of each kind and produce those records.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from graph.errors import InvalidElementError

# Application ids: ASCII, stable, readable in URLs ("ent:baiyin-nonferrous", "prod:tdi").
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}$")

# Every node also carries this label so that ids are unique and indexed across all kinds.
ENTITY_LABEL = "Entity"


class Status(StrEnum):
    """How a fact entered the graph."""

    CURATED = "curated"  # written by a person from a named source
    EXTRACTED = "extracted"  # found by the text pipeline, waiting for review
    PREDICTED = "predicted"  # proposed by an algorithm (link prediction...)
    REVIEWED = "reviewed"  # an extracted or predicted fact that a person accepted


class Stage(StrEnum):
    """Position of a product in a chain."""

    UPSTREAM = "上游"
    MIDSTREAM = "中游"
    DOWNSTREAM = "下游"


def utc_now() -> str:
    """Current time as an ISO-8601 UTC string (the portable time format of both engines)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Provenance(BaseModel):
    """Where a fact comes from. Every node and every edge carries these fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)

    source: str = Field(min_length=1, description="Source id or citation (document, dataset, URL).")
    evidence: str = Field(default="", description="The sentence or row the fact was taken from.")
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    status: Status = Status.CURATED
    updated_at: str = Field(default_factory=utc_now, description="ISO-8601 UTC time.")
    valid_from: str | None = Field(default=None, description="ISO-8601 date the fact became true.")
    valid_to: str | None = Field(default=None, description="ISO-8601 date the fact stopped being true.")

    @field_validator("confidence")
    @classmethod
    def _finite(cls, v: float) -> float:
        if math.isnan(v):
            raise ValueError("confidence must be a number between 0 and 1")
        return v


# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------


class NodeBase(Provenance):
    """Properties shared by every node."""

    LABEL: ClassVar[str] = ""

    id: str = Field(description="Stable application id: ASCII letters, digits and _ . : -")
    name: str = Field(min_length=1, description="Chinese name.")
    name_en: str | None = None
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(f"id {v!r} must match {ID_PATTERN.pattern}")
        return v

    def to_node(self) -> Node:
        props = self.model_dump(exclude_none=True)
        node_id = props.pop("id")
        node = Node(label=self.LABEL, id=node_id, properties=props)
        node._checked = True  # built from a validated typed model: no need to check again
        return node


class Region(NodeBase):
    LABEL: ClassVar[str] = "Region"
    level: str | None = Field(default=None, description="country / province / city / county / district")
    admin_code: str | None = Field(default=None, description="GB/T 2260 administrative division code")


class Park(NodeBase):
    LABEL: ClassVar[str] = "Park"
    kind: str | None = Field(default=None, description="e.g. 高新区 / 产业园 / 园中园")
    level: str | None = Field(default=None, description="national / provincial / municipal")


class Enterprise(NodeBase):
    LABEL: ClassVar[str] = "Enterprise"
    credit_code: str | None = Field(default=None, description="统一社会信用代码 (18 characters)")
    employees: int | None = Field(default=None, ge=0)
    revenue_million_cny: float | None = Field(default=None, ge=0)
    founded: str | None = None
    is_group: bool | None = None


class Product(NodeBase):
    LABEL: ClassVar[str] = "Product"
    category: str | None = None
    hs_code: str | None = None


class Chain(NodeBase):
    LABEL: ClassVar[str] = "Chain"
    industry: str | None = None


class Industry(NodeBase):
    LABEL: ClassVar[str] = "Industry"
    code: str | None = Field(default=None, description="GB/T 4754 industry code where known")


class Institution(NodeBase):
    LABEL: ClassVar[str] = "Institution"
    kind: str | None = Field(default=None, description="university / research institute / platform")


class GovernmentUnit(NodeBase):
    LABEL: ClassVar[str] = "GovernmentUnit"
    level: str | None = None


class Task(NodeBase):
    LABEL: ClassVar[str] = "Task"
    number: str | None = Field(default=None, description="Numbering in the plan, e.g. 三(一)1")
    section: str | None = None


class Target(NodeBase):
    LABEL: ClassVar[str] = "Target"
    metric: str | None = None
    value: float | None = None
    unit: str | None = None
    year: int | None = None


class Source(NodeBase):
    LABEL: ClassVar[str] = "Source"
    url: str | None = None
    published: str | None = None
    publisher: str | None = None


NODE_TYPES: dict[str, type[NodeBase]] = {
    cls.LABEL: cls
    for cls in (
        Region,
        Park,
        Enterprise,
        Product,
        Chain,
        Industry,
        Institution,
        GovernmentUnit,
        Task,
        Target,
        Source,
    )
}
NODE_LABELS: frozenset[str] = frozenset(NODE_TYPES)

# Actors take part in cooperation and supply.
ACTOR_LABELS = frozenset({"Enterprise", "Institution", "Park", "Region", "GovernmentUnit"})

# ---------------------------------------------------------------------------------------------
# Edges
# ---------------------------------------------------------------------------------------------


class EdgeBase(Provenance):
    """Properties shared by every relationship.

    ``key`` tells parallel edges of one type apart (two SUPPLIES edges for two products);
    upserts MERGE on (source, type, key, target), so re-loading a fact never duplicates it.
    """

    TYPE: ClassVar[str] = ""
    SOURCES: ClassVar[frozenset[str]] = frozenset()
    TARGETS: ClassVar[frozenset[str]] = frozenset()

    source_id: str
    target_id: str
    key: str = ""

    @field_validator("source_id", "target_id")
    @classmethod
    def _valid_endpoint(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(f"endpoint id {v!r} must match {ID_PATTERN.pattern}")
        return v

    def to_edge(self) -> Edge:
        props = self.model_dump(exclude_none=True, exclude={"source_id", "target_id"})
        edge = Edge(type=self.TYPE, source=self.source_id, target=self.target_id, properties=props)
        edge._checked = True
        return edge


class UpstreamOf(EdgeBase):
    """Product A is an input of product B (A → B flows downstream)."""

    TYPE: ClassVar[str] = "UPSTREAM_OF"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Product"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Product"})
    kind: str = Field(default="input", description="input / byproduct / energy / auxiliary")


class Produces(EdgeBase):
    TYPE: ClassVar[str] = "PRODUCES"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Enterprise"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Product"})
    share: float | None = Field(default=None, ge=0, le=1, description="Share of the firm's output")
    capacity: float | None = Field(default=None, ge=0)
    capacity_unit: str | None = None


class Supplies(EdgeBase):
    TYPE: ClassVar[str] = "SUPPLIES"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Enterprise"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Enterprise"})
    product: str | None = Field(default=None, description="Product id supplied")

    def to_edge(self) -> Edge:
        edge = super().to_edge()
        if not edge.properties.get("key") and self.product:
            edge.properties["key"] = self.product
        return edge


class LocatedIn(EdgeBase):
    TYPE: ClassVar[str] = "LOCATED_IN"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Enterprise", "Institution", "Park", "Region", "GovernmentUnit"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Park", "Region"})


class PartOf(EdgeBase):
    """Park-in-park (园中园) in its park; an enterprise in its group; a unit in its parent."""

    TYPE: ClassVar[str] = "PART_OF"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Park", "Enterprise", "Institution", "GovernmentUnit"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Park", "Enterprise", "Institution", "GovernmentUnit"})


class InChain(EdgeBase):
    TYPE: ClassVar[str] = "IN_CHAIN"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Product"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Chain"})
    stage: Stage


class CooperatesWith(EdgeBase):
    """Cooperation between actors; stored once, read in both directions."""

    TYPE: ClassVar[str] = "COOPERATES_WITH"
    SOURCES: ClassVar[frozenset[str]] = ACTOR_LABELS
    TARGETS: ClassVar[frozenset[str]] = ACTOR_LABELS
    kind: str = Field(default="cooperation", description="e.g. 产学研 / 飞地 / 会商 / 共建")


class Leads(EdgeBase):
    """A unit is the lead unit (牵头单位) of a task."""

    TYPE: ClassVar[str] = "LEADS"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"GovernmentUnit", "Park", "Enterprise", "Institution"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Task"})


class ResponsibleFor(EdgeBase):
    """A unit shares responsibility (责任单位) for a task."""

    TYPE: ClassVar[str] = "RESPONSIBLE_FOR"
    SOURCES: ClassVar[frozenset[str]] = Leads.SOURCES
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Task"})


class Implements(EdgeBase):
    """A unit is the implementing body (实施主体) of a task."""

    TYPE: ClassVar[str] = "IMPLEMENTS"
    SOURCES: ClassVar[frozenset[str]] = Leads.SOURCES
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Task"})


class Anchors(EdgeBase):
    """An anchor actor (依托 X 重点发展 Y): an enterprise, institution or park anchors a chain."""

    TYPE: ClassVar[str] = "ANCHORS"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Enterprise", "Institution", "Park"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Chain", "Park", "Industry", "Product"})


class Develops(EdgeBase):
    """A park or region plans to develop a chain, industry or product (重点发展)."""

    TYPE: ClassVar[str] = "DEVELOPS"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Park", "Region"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Chain", "Industry", "Product"})


class HasTarget(EdgeBase):
    TYPE: ClassVar[str] = "HAS_TARGET"
    SOURCES: ClassVar[frozenset[str]] = frozenset({"Region", "Park", "Task"})
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Target"})


class CitedIn(EdgeBase):
    """Any node is described by a Source document."""

    TYPE: ClassVar[str] = "CITED_IN"
    SOURCES: ClassVar[frozenset[str]] = NODE_LABELS
    TARGETS: ClassVar[frozenset[str]] = frozenset({"Source"})


EDGE_TYPES: dict[str, type[EdgeBase]] = {
    cls.TYPE: cls
    for cls in (
        UpstreamOf,
        Produces,
        Supplies,
        LocatedIn,
        PartOf,
        InChain,
        CooperatesWith,
        Leads,
        ResponsibleFor,
        Implements,
        Anchors,
        Develops,
        HasTarget,
        CitedIn,
    )
}
REL_TYPES: frozenset[str] = frozenset(EDGE_TYPES)


# ---------------------------------------------------------------------------------------------
# Generic records the store reads and writes
# ---------------------------------------------------------------------------------------------

Scalar = str | int | float | bool
PropertyValue = Scalar | list[str] | list[int] | list[float] | list[bool]


def check_label(label: str) -> str:
    """Return ``label`` if it is one of the model's node labels, else raise."""
    if label not in NODE_LABELS:
        raise InvalidElementError(f"unknown node label {label!r}; expected one of {sorted(NODE_LABELS)}", label=label)
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if it is one of the model's relationship types, else raise."""
    if rel_type not in REL_TYPES:
        raise InvalidElementError(
            f"unknown relationship type {rel_type!r}; expected one of {sorted(REL_TYPES)}",
            type=rel_type,
        )
    return rel_type


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(record)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


class Node(BaseModel):
    """A node as stored: its label, id and every other property (provenance included)."""

    model_config = ConfigDict(extra="forbid")

    label: str
    id: str
    properties: dict[str, Any] = Field(default_factory=dict)
    # Set when the record was produced by a typed model (or by ``validated``); bulk loads of
    # such records skip a second validation. Mutating ``properties`` afterwards voids it.
    _checked: bool = PrivateAttr(default=False)

    def validated(self) -> Node:
        """Check the label and properties against the typed model; return a normalised copy."""
        if (self.__pydantic_private__ or {}).get("_checked"):  # plain dict read: this is a hot path
            return self
        cls = NODE_TYPES.get(self.label)
        if cls is None:
            check_label(self.label)
            raise AssertionError("unreachable")
        if "id" in self.properties and self.properties["id"] != self.id:
            raise InvalidElementError(f"node {self.id!r}: properties.id differs from id")
        try:
            typed = cls.model_validate({**self.properties, "id": self.id})
        except ValidationError as e:
            raise InvalidElementError(
                f"invalid {self.label} node {self.id!r}: {_describe(e)}", id=self.id, label=self.label
            ) from e
        return typed.to_node()


class Edge(BaseModel):
    """A relationship as stored: type, source id, target id and properties (``key`` included)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    source: str
    target: str
    properties: dict[str, Any] = Field(default_factory=dict)

    _checked: bool = PrivateAttr(default=False)

    @property
    def key(self) -> str:
        return str(self.properties.get("key", ""))

    def identity(self) -> tuple[str, str, str, str]:
        return (self.source, self.type, str(self.properties.get("key", "")), self.target)  # hot: key inlined

    def validated(self) -> Edge:
        """Check the type and properties against the typed model; return a normalised copy."""
        if (self.__pydantic_private__ or {}).get("_checked"):  # plain dict read: this is a hot path
            return self
        cls = EDGE_TYPES.get(self.type)
        if cls is None:
            check_rel_type(self.type)
            raise AssertionError("unreachable")
        data = {**self.properties, "source_id": self.source, "target_id": self.target}
        try:
            typed = cls.model_validate(data)
        except ValidationError as e:
            raise InvalidElementError(
                f"invalid {self.type} edge {self.source!r}->{self.target!r}: {_describe(e)}",
                type=self.type,
                source=self.source,
                target=self.target,
            ) from e
        return typed.to_edge()


def property_names(kind: str) -> list[str]:
    """Every property a node label or relationship type can carry (the fixed set from the model)."""
    if kind in NODE_TYPES:
        return sorted(NODE_TYPES[kind].model_fields)
    return sorted(set(EDGE_TYPES[check_rel_type(kind)].model_fields) - {"source_id", "target_id"})


def endpoint_labels_ok(edge: Edge, source_label: str, target_label: str) -> bool:
    """Whether ``edge``'s type allows these endpoint labels."""
    cls = EDGE_TYPES[check_rel_type(edge.type)]
    return source_label in cls.SOURCES and target_label in cls.TARGETS
