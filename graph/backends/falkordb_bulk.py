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
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from types import NoneType
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
_STRING_RECORD = b"\x03%b\x00"  # a string value around its UTF-8 bytes
_TRUE, _FALSE = b"\x01\x01", b"\x01\x00"
_STRING_CACHE_MAX = 100_000  # repeated values (sources, statuses, dates) are the common case


class Unencodable(ValueError):
    """A value the bulk format cannot carry (a NUL inside a string, a map, a non-finite number,
    an integer outside int64); the caller loads through Cypher instead."""


class Encoder:
    """Encodes records into bulk-insert arguments; one per load (it caches repeated strings).

    The per-record work runs in C (``map``, ``zip``, ``itemgetter``, ``struct``, dicts of
    distinct values) rather than a Python call per value: a load's records are encoded once
    per distinct record when they repeat, else a column (one property of every record) at a
    time, then interleaved by ``zip``. Mixed or unusual columns take ``value`` per value.
    """

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

    def column(self, values: Sequence[Any]) -> Sequence[bytes]:
        """``values`` encoded, each as ``value`` would (the same bytes, the same refusals)."""
        if _hashes_faithfully(values):
            distinct = set(values)
            if len(distinct) * 2 <= len(values):  # repeated values: encode each once
                table = {v: self.value(v) for v in distinct}
                return list(map(table.__getitem__, values))
        kinds = set(map(type, values))
        if kinds <= {str}:  # mostly distinct strings (ids, names)
            if "\x00" in "".join(values):
                raise Unencodable("a string holds a NUL character")
            return list(map(_STRING_RECORD.__mod__, map(str.encode, values)))
        if kinds == {float}:
            if not all(map(math.isfinite, values)):
                raise Unencodable(f"non-finite number among {len(values)} values")
            return list(map(b"\x02".__add__, map(_DOUBLE, values)))
        return [self.value(v) for v in values]

    def nodes(self, labels: Sequence[str], ids: Sequence[str], props: Sequence[Mapping[str, Any]]) -> bytes:
        """One node file: node ``ids[i]`` gets ``labels`` and ``props[i]`` (absent keys are null)."""
        keys = _ordered_keys(props, {"id"})
        records = zip(self.column(ids), self.records(props, keys, {}), strict=True)
        return _header(":".join(labels), ["id", *keys]) + b"".join(chain.from_iterable(records))

    def edge_file(
        self, rel_type: str, props: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any] | None = None
    ) -> EdgeFile:
        """An edge file without its endpoints yet: the properties can be encoded before the
        engine has said which ids the nodes got."""
        defaults = defaults or {}
        keys = _ordered_keys(props, set(), defaults)
        return EdgeFile(_header(rel_type, keys), self.records(props, keys, defaults))

    def records(
        self, props: Sequence[Mapping[str, Any]], keys: Sequence[str], defaults: Mapping[str, Any]
    ) -> list[bytes]:
        """The values of ``keys`` in each of ``props`` (``defaults`` for absent ones), encoded
        and joined: one ``bytes`` per record.

        Records of a bulk load repeat themselves (one source, status and date for a whole
        import): when at most half are distinct, each distinct one is encoded once. Otherwise
        a column at a time (see ``column``)."""
        if not keys:
            return [b""] * len(props)
        get = operator.itemgetter(*keys)
        try:
            rows = list(map(get, props)) if len(keys) > 1 else list(zip(map(get, props)))
        except KeyError:  # some records lack some keys
            fill = [defaults.get(k) for k in keys]
            rows = [tuple([p.get(k, d) for k, d in zip(keys, fill, strict=True)]) for p in props]
        columns = list(zip(*rows, strict=True)) if rows else []
        if len(rows) > 1 and all(map(_hashes_faithfully, columns)):
            distinct = set(rows)
            if len(distinct) * 2 <= len(rows):
                table = {row: b"".join(map(self.value, row)) for row in distinct}
                return list(map(table.__getitem__, rows))
        return list(map(b"".join, zip(*map(self.column, columns), strict=True)))


def _hashes_faithfully(column: Sequence[Any]) -> bool:
    """Whether values of ``column`` that are equal as dict keys are encoded alike. Not so for
    1, 1.0 and True (equal in Python, three types in the format), 0.0 and -0.0, or lists
    (unhashable)."""
    kinds = set(map(type, column)) - {NoneType}
    if all(issubclass(k, str) for k in kinds) or kinds == {int} or kinds == {bool}:
        return True
    return kinds == {float} and 0.0 not in column


@dataclass(frozen=True)
class EdgeFile:
    """An edge file's header and its records' encoded properties, waiting for endpoints."""

    header: bytes
    records: Sequence[bytes]

    @property
    def count(self) -> int:
        return len(self.records)

    def with_ends(self, sources: Sequence[int], targets: Sequence[int]) -> bytes:
        """The file, edge ``i`` going from engine node id ``sources[i]`` to ``targets[i]``."""
        if len(sources) != self.count or len(targets) != self.count:
            raise ValueError(f"{len(sources)} sources and {len(targets)} targets for {self.count} edges")
        return self.header + b"".join(map(operator.add, map(_ENDPOINTS, sources, targets), self.records))


def _ordered_keys(
    props: Sequence[Mapping[str, Any]], skip: set[str], defaults: Mapping[str, Any] | None = None
) -> list[str]:
    """Every key of ``props`` (and ``defaults``) except ``skip``, sorted."""
    keys = set().union(*props) - skip
    if defaults:
        keys |= defaults.keys()
    return sorted(keys)


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

    def nodes(self, count: int, blob: bytes) -> None:
        """Queue a node file (without waiting: node files are small)."""
        self._submit(count, 0, blob, wait=False)

    def edges(self, count: int, blob: bytes) -> None:
        self._submit(0, count, blob, wait=True)

    def drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def _submit(self, nodes: int, edges: int, blob: bytes, wait: bool) -> None:
        while wait and len(self._pending) >= 2:
            self._pending.popleft().result()  # re-raises a failed batch; nothing after it is sent
        self._pending.append(self._pool.submit(self._send, nodes, edges, blob))

    def _send(self, nodes: int, edges: int, blob: bytes) -> None:
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
