"""FalkorDB's binary bulk-insert format (``GRAPH.BULK``), used to load an empty embedded store.

Loading through Cypher costs the engine a parse and plan per batch and a map per row; the
bulk format is what ``falkordb-bulk-loader`` sends, read straight into the graph. Here: the
encoder and the sender; ``FalkorDBLiteStore._load_into_empty`` decides when the format is safe
to use (see there).

The format (FalkorDB ``src/bulk_insert/bulk_insert.c``): after the counts, each argument is
one "file": a header (labels joined by ``:``, NUL-terminated; a uint32 property count; the
NUL-terminated property names), then records. A node record is one typed value per property;
an edge record is the internal ids of its source and destination (uint64 each), then its
values. A value is a type byte, then (native byte order): 0 null (property not stored),
1 bool (one byte), 2 double, 3 NUL-terminated UTF-8 string, 4 int64, 5 array (int64 length,
then the values). The format checks no constraint, and the engine gives each new node the id
it chooses (freed ids first).
"""

from __future__ import annotations

import math
import operator
import struct
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import redis.exceptions

from graph.errors import StoreError
from graph.store import Progress

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

    def edge_file(
        self, rel_type: str, props: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any] | None = None
    ) -> EdgeFile:
        """An edge file without its endpoints yet: the properties can be encoded before the
        engine has said which ids the nodes got."""
        defaults = defaults or {}
        keys, lists = _ordered_keys(props, set(), defaults)
        row = self._row_encoder(keys, lists, defaults)
        return EdgeFile(_header(rel_type, keys), [row(p) for p in props])

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


@dataclass(frozen=True)
class EdgeFile:
    """An edge file's header and its records' encoded properties, waiting for endpoints."""

    header: bytes
    records: list[bytes]

    def with_ends(self, ends: Sequence[tuple[int, int]]) -> bytes:
        if len(ends) != len(self.records):
            raise ValueError(f"{len(ends)} endpoint pairs for {len(self.records)} edges")
        pack = _ENDPOINTS
        return self.header + b"".join([pack(s, t) + r for (s, t), r in zip(ends, self.records, strict=True)])


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


class BulkSender:
    """Sends bulk-insert commands in order on one connection, in a background thread, so the
    next batch is encoded while the engine inserts this one (at most two waiting, unless the
    caller queues more)."""

    def __init__(self, client: Any, graph: str, progress: Progress | None) -> None:
        self._client, self._graph, self._progress = client, graph, progress
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainkg-bulk")  # one worker: FIFO
        self._pending: deque[Future[Any]] = deque()

    def __enter__(self) -> BulkSender:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.drain()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def nodes(self, count: int, blob: bytes, *, then: Callable[[], Any]) -> Future[Any]:
        """Queue a node file (without waiting); ``then`` runs after it, its result in the future."""
        return self._submit(count, 0, blob, then, wait=False)

    def edges(self, count: int, blob: bytes) -> None:
        self._submit(0, count, blob, None, wait=True)

    def drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def _submit(self, nodes: int, edges: int, blob: bytes, then: Callable[[], Any] | None, wait: bool) -> Future[Any]:
        while wait and len(self._pending) >= 2:
            self._pending.popleft().result()  # re-raises a failed batch; nothing after it is sent
        future = self._pool.submit(self._send, nodes, edges, blob, then)
        self._pending.append(future)
        return future

    def _send(self, nodes: int, edges: int, blob: bytes, then: Callable[[], Any] | None) -> Any:
        args = [nodes, edges, 1 if nodes else 0, 1 if edges else 0, blob]
        try:
            reply = self._client.execute_command("GRAPH.BULK", self._graph, *args)
        except redis.exceptions.ResponseError as e:
            raise StoreError(f"FalkorDB refused a bulk insert: {e}") from e
        text = reply.decode() if isinstance(reply, bytes) else str(reply)
        if text != f"{nodes} nodes created, {edges} edges created":
            raise StoreError(f"bulk insert of {nodes} nodes and {edges} edges answered {text!r}")
        if self._progress:
            self._progress(nodes + edges)
        return then() if then else None
