"""FalkorDB's binary bulk-insert format (``GRAPH.BULK``), used to load an empty embedded store.

Loading through Cypher costs the engine a parse and plan per batch and a map per row; the
bulk format is what ``falkordb-bulk-loader`` sends, read straight into the graph. We only
encode; ``FalkorDBLiteStore.load`` decides when it is safe to use (see there).

The format (FalkorDB ``src/bulk_insert/bulk_insert.c``): after the counts, each argument is
one "file": a header (labels joined by ``:``, NUL-terminated; a uint32 property count; the
NUL-terminated property names), then records. A node record is one typed value per property;
an edge record is the internal ids of its source and destination (uint64 each), then its
values. A value is a type byte, then (native byte order): 0 null (property not stored),
1 bool (one byte), 2 double, 3 NUL-terminated UTF-8 string, 4 int64, 5 array (int64 length,
then the values). Node ids are assigned in the order the records arrive.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_INT64 = struct.Struct("=q").pack
_DOUBLE = struct.Struct("=d").pack
_UINT32 = struct.Struct("=I").pack
_ENDPOINTS = struct.Struct("=QQ").pack
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_NULL = b"\x00"
_TRUE, _FALSE = b"\x01\x01", b"\x01\x00"
_STRING_CACHE_MAX = 100_000  # repeated values (sources, statuses, dates) are the common case


class Unencodable(ValueError):
    """A value the bulk format cannot carry (a NUL inside a string, a map, a non-finite number,
    an integer outside int64); the caller loads through Cypher instead."""


class Encoder:
    """Encodes records into bulk-insert arguments; one per load (it caches repeated strings)."""

    def __init__(self) -> None:
        self._strings: dict[str, bytes] = {}

    def value(self, v: Any) -> bytes:
        if type(v) is str:  # the common case first: most values are strings
            b = self._strings.get(v)
            return b if b is not None else self._string(v)
        if v is None:
            return _NULL
        if type(v) is float:
            if not math.isfinite(v):
                raise Unencodable(f"non-finite number {v!r}")
            return b"\x02" + _DOUBLE(v)
        if type(v) is bool:
            return _TRUE if v else _FALSE
        if type(v) is int:
            if not _INT64_MIN <= v <= _INT64_MAX:
                raise Unencodable(f"integer {v} is outside int64")
            return b"\x04" + _INT64(v)
        if isinstance(v, (list, tuple)):
            return b"\x05" + _INT64(len(v)) + b"".join([self.value(x) for x in v])
        if isinstance(v, str):  # str subclasses such as the model's StrEnum statuses
            b = self._strings.get(v)
            return b if b is not None else self._string(str.__str__(v))
        raise Unencodable(f"{type(v).__name__} value {v!r}")

    def _string(self, v: str) -> bytes:
        b = self._string_uncached(v)
        if len(self._strings) < _STRING_CACHE_MAX:
            self._strings[v] = b
        return b

    @staticmethod
    def _string_uncached(v: str) -> bytes:
        if "\x00" in v:
            raise Unencodable("a string holds a NUL character")
        return b"\x03" + v.encode() + b"\x00"

    def nodes(self, labels: Sequence[str], ids: Sequence[str], props: Sequence[Mapping[str, Any]]) -> bytes:
        """One node file: node ``ids[i]`` gets ``labels`` and ``props[i]`` (absent keys are null)."""
        keys, lists = _ordered_keys(props, {"id"})
        row, string = self._row_encoder(keys, lists, {}), self._string_uncached  # ids are unique: not cached
        parts = [_header(":".join(labels), ["id", *keys])]
        for node_id, p in zip(ids, props, strict=True):
            parts.append(string(node_id) + row(p))
        return b"".join(parts)

    def edges(
        self,
        rel_type: str,
        ends: Sequence[tuple[int, int]],
        props: Sequence[Mapping[str, Any]],
        defaults: Mapping[str, Any] | None = None,
    ) -> bytes:
        """One edge file of ``rel_type``: edge i goes from node id ``ends[i][0]`` to
        ``ends[i][1]`` with ``props[i]``; ``defaults`` fill keys a row lacks."""
        defaults = defaults or {}
        keys, lists = _ordered_keys(props, set(), defaults)
        row = self._row_encoder(keys, lists, defaults)
        parts = [_header(rel_type, keys)]
        for (source, target), p in zip(ends, props, strict=True):
            parts.append(_ENDPOINTS(source, target) + row(p))
        return b"".join(parts)

    def _row_encoder(
        self, keys: Sequence[str], lists: int, defaults: Mapping[str, Any]
    ) -> Callable[[Mapping[str, Any]], bytes]:
        """The values of ``keys`` in one row, encoded. This loop runs for every value of a load,
        so the common case avoids Python calls: values are fetched by ``itemgetter`` and cached
        strings found by ``dict.get`` (a str-keyed dict never matches a number, so any hashable
        value can be looked up). The last ``lists`` keys hold lists, which are unhashable; a row
        with a list among the others (see ``_ordered_keys``) takes the general path."""
        if not keys:
            return lambda p: b""
        fill = [defaults.get(k) for k in keys]
        fetch = operator.itemgetter(*keys) if len(keys) > 1 else (lambda p, k=keys[0]: (p[k],))
        cut = len(keys) - lists
        cached, value = self._strings.get, self.value

        def row(p: Mapping[str, Any]) -> bytes:
            try:
                values = fetch(p)
            except KeyError:
                values = [p.get(k, d) for k, d in zip(keys, fill, strict=True)]
            try:
                head = b"".join([cached(v) or value(v) for v in values[:cut]])
            except TypeError:
                head = b"".join([value(v) for v in values[:cut]])
            return head + b"".join([value(v) for v in values[cut:]]) if lists else head

        return row


def _ordered_keys(
    props: Sequence[Mapping[str, Any]], skip: set[str], defaults: Mapping[str, Any] | None = None
) -> tuple[list[str], int]:
    """Every key of ``props`` (and ``defaults``) except ``skip``, and how many come last because
    their first value is a list (the encoder's slower path); scalar keys first, each part sorted."""
    keys = {k for p in props for k in p} - skip
    if defaults:
        keys |= defaults.keys()
    first = props[0] if props else {}
    is_list = {k for k in keys if isinstance(first.get(k), (list, tuple))}
    return sorted(keys - is_list) + sorted(is_list), len(is_list)


def _header(name: str, keys: Sequence[str]) -> bytes:
    return name.encode() + b"\x00" + _UINT32(len(keys)) + b"".join(k.encode() + b"\x00" for k in keys)
