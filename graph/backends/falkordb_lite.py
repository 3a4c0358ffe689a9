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
import os
import re
import shutil
import signal
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import falkordb
import psutil
import redis.exceptions
from redislite.falkordb_client import FalkorDB

from graph.backends.values import plain
from graph.cypher import literal_map
from graph.errors import ConfigError, QueryError, ReadOnlyViolation, StoreError
from graph.model import ENTITY_LABEL, NODE_LABELS, REL_TYPES, check_label, check_rel_type, property_names
from graph.store import GraphStore, Row, StoreInfo, model_label

log = logging.getLogger(__name__)

DB_FILENAME = "chainkg.rdb"


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

    def __init__(self, directory: str | os.PathLike[str], graph: str = "chainkg", fsync: str | None = None) -> None:
        from graph.settings import get_settings

        fsync = fsync or get_settings().falkordb_fsync
        if fsync not in ("always", "everysec", "no"):
            raise ConfigError(f"CHAINKG_FALKORDB_FSYNC must be always, everysec or no, not {fsync!r}")
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.graph_name = graph
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
            result = self._graph.query(text, rest)
        except redis.exceptions.ResponseError as e:
            raise StoreError(f"FalkorDB query failed: {e}", query=query) from e
        return self._rows(result)

    # --- bulk path: FalkorDB's internal ids as handles ---------------------------------------
    # Looking endpoints up by internal id is ~6x faster than by the indexed ``id`` property.
    # Handles live only for one load, during which no node of it is deleted.

    def _lookup(self, ids: Sequence[str], chunk: int = 20000) -> dict[str, tuple[str, Any]]:
        found: dict[str, tuple[str, Any]] = {}
        query = (
            f"UNWIND $ids AS id MATCH (n:{ENTITY_LABEL} {{id: id}}) RETURN n.id AS id, labels(n) AS labels, id(n) AS h"
        )
        for i in range(0, len(ids), chunk):
            for row in self.read(query, {"ids": list(ids[i : i + chunk])}):
                found[row["id"]] = (model_label(row["labels"]), row["h"])
        return found

    def _create_nodes(self, label: str, rows: Sequence[Row]) -> dict[str, Any]:
        query = (
            f"UNWIND $rows AS row CREATE (n:{ENTITY_LABEL}:{check_label(label)} {literal_map(label)}) "
            "RETURN collect([row.id, id(n)]) AS h"  # one row back, not one per node
        )
        return dict(self.write(query, {"rows": [r["props"] for r in rows]})[0]["h"])

    def _create_edges(self, rel_type: str, rows: Sequence[Row]) -> None:
        query = (
            "UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.t "
            f"CREATE (a)-[r:{check_rel_type(rel_type)} {literal_map(rel_type, 'row.props')}]->(b) "
            "RETURN count(r) AS n"
        )
        self.write(query, {"rows": [{"s": r["s"], "t": r["t"], "props": r["props"]} for r in rows]})

    def ensure_schema(self) -> None:
        for label in sorted(NODE_LABELS | {ENTITY_LABEL}):
            self._ddl(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        self._ddl(f"CREATE INDEX FOR (n:{ENTITY_LABEL}) ON (n.name)")
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
            if "already indexed" in str(e) or "already exists" in str(e):
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
