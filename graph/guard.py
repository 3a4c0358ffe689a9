"""Checks on user-written Cypher for the read-only endpoint.

The engines' read-only modes are the real guard: FalkorDB's ``GRAPH.RO_QUERY`` and Neo4j's
READ access mode refuse every write. This lexical check runs first and refuses what a read-only
transaction may still do but a shared service should not: ``LOAD CSV`` (reads files or URLs from
the server) and procedure calls outside a small allow-list of read procedures. Comments and
string literals are blanked before scanning, so neither hides nor fakes a keyword.
"""

from __future__ import annotations

import re

from graph.errors import ReadOnlyViolation

ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.index.fulltext.querynodes",
        "db.idx.fulltext.querynodes",
    }
)

_STRING_OR_COMMENT = re.compile(
    r"""
    '(?:[^'\\]|\\.)*'          # single-quoted string
  | "(?:[^"\\]|\\.)*"          # double-quoted string
  | `[^`]*`                    # quoted identifier
  | //[^\n]*                   # line comment
  | /\*.*?\*/                  # block comment
    """,
    re.VERBOSE | re.DOTALL,
)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
_CALL = re.compile(r"\bCALL\s*([A-Za-z_][\w.]*)?\s*(\{)?", re.IGNORECASE)
_WRITE = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|GRANT|REVOKE|DENY|ALTER|RENAME|START|STOP)\b",
    re.IGNORECASE,
)


def blank_literals(query: str) -> str:
    """The query with strings, quoted identifiers and comments replaced by spaces."""
    return _STRING_OR_COMMENT.sub(lambda m: " " * len(m.group(0)), query)


def check_read_only(query: str) -> None:
    """Raise ReadOnlyViolation for writes, LOAD CSV and procedure calls outside the allow-list."""
    if len(query) > 20_000:
        raise ReadOnlyViolation("query longer than 20,000 characters")
    code = blank_literals(query)
    if "/*" in code or "//" in code:
        raise ReadOnlyViolation("unterminated comment")
    if _LOAD_CSV.search(code):
        raise ReadOnlyViolation("LOAD CSV is not allowed on the read-only endpoint")
    for m in _CALL.finditer(code):
        name, brace = m.group(1), m.group(2)
        if brace and not name:
            continue  # CALL { subquery }: its body is scanned like the rest
        if not name or name.lower() not in ALLOWED_PROCEDURES:
            raise ReadOnlyViolation(
                f"procedure {name or '?'} is not allowed; allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}"
            )
    w = _WRITE.search(code)
    if w:
        raise ReadOnlyViolation(f"{w.group(1).upper()} is a write: the endpoint is read-only")
