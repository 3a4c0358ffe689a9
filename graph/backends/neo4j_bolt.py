"""Neo4j 5.26 LTS through the official ``neo4j`` driver (6.x): production and clusters."""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import neo4j
import neo4j.exceptions
import neo4j.graph
from neo4j import GraphDatabase

from graph.backends.values import plain
from graph.errors import QueryError, ReadOnlyViolation, StoreError
from graph.model import ENTITY_LABEL, NODE_LABELS
from graph.store import GraphStore, Row, StoreInfo

log = logging.getLogger(__name__)

FULLTEXT_INDEX = "chainkg_names"
# How long a bulk batch is retried after transient errors (the driver's own default for
# managed transactions), and the first pause between attempts (doubling, at most a second).
BATCH_RETRY_SECONDS = 30.0
BATCH_RETRY_PAUSE = 0.05


def _graph_object(value: Any) -> Any | None:
    if isinstance(value, (neo4j.graph.Node, neo4j.graph.Relationship)):
        return dict(value)
    if isinstance(value, neo4j.graph.Path):
        return [dict(n) for n in value.nodes]
    return None


def _plain(value: Any) -> Any:
    return plain(value, _graph_object)


class _Rows(list[Any]):
    """A list parameter with a short repr. The driver formats every RUN's parameters for its
    debug log before it knows whether debug logging is on: about 2 us per row of a batch, a
    tenth of a bulk load's client time, spent on a string nobody reads."""

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def _rows(records: Iterable[neo4j.Record]) -> list[Row]:
    return [{k: _plain(v) for k, v in zip(rec.keys(), rec.values(), strict=True)} for rec in records]


def _params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: _Rows(v) if isinstance(v, list) else v for k, v in (params or {}).items()}


class Neo4jStore(GraphStore):
    backend = "neo4j"
    # Neo4j's work per element grows with the size of the transaction: a national bulk load
    # spends 17-21 s of CPU on its edges in batches of 1,000-2,500, 24 s in 5,000 and 38 s in
    # 10,000 (benchmarks/bulk_load.py --batch-size).
    batch_size = 2000
    # Edges find their endpoints by elementId (a record read) rather than through the id
    # constraint's index, whose seek also takes a lock: about a fifth of Neo4j's time per edge.
    handle_function = "elementId"

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str | None = None) -> None:
        self.uri = uri
        self.database = database
        try:
            self._driver = GraphDatabase.driver(uri, auth=auth)
            self._driver.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
            raise StoreError(f"cannot reach Neo4j at {uri}: {e}") from e

    @classmethod
    def from_url(cls, url: str) -> Neo4jStore:
        from graph.settings import get_settings

        parts = urlsplit(url)
        settings = get_settings()
        user = parts.username or settings.neo4j_user
        password = parts.password or settings.neo4j_password
        host = parts.hostname or "127.0.0.1"
        netloc = f"{host}:{parts.port}" if parts.port else host
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        uri = urlunsplit((parts.scheme, netloc, "", "", ""))
        auth = (user, password or "") if user else None
        return cls(uri, auth, query.get("database"))

    # --- primitives ------------------------------------------------------------------------

    def _session(self, mode: str) -> neo4j.Session:
        return self._driver.session(database=self.database, default_access_mode=mode)

    def read(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_ms: int | None = None,
        max_rows: int | None = None,
    ) -> list[Row]:
        timeout = timeout_ms / 1000 if timeout_ms else None

        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return _rows(itertools.islice(tx.run(query, _params(params)), max_rows))

        try:
            with self._session(neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except neo4j.exceptions.ClientError as e:
            code = e.code or ""
            if "AccessMode" in code or "ForbiddenOnReadOnlyDatabase" in code or "WriteOnReadOnly" in code:
                raise ReadOnlyViolation(f"write refused in read-only mode: {e.message}") from e
            if code.startswith(
                (
                    "Neo.ClientError.Statement",
                    "Neo.ClientError.Procedure",
                    "Neo.ClientError.Transaction.TransactionTimedOut",
                )
            ):
                raise QueryError(f"Neo4j rejected the query: {e.message}", query=query, code=code) from e
            raise StoreError(f"Neo4j query failed: {e.message}", query=query, code=code) from e
        except neo4j.exceptions.Neo4jError as e:
            raise StoreError(f"Neo4j query failed: {e.message}", query=query, code=e.code) from e
        except (OverflowError, TypeError, ValueError) as e:  # a parameter the driver cannot encode
            raise QueryError(f"parameter not accepted: {e}", query=query) from e

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return _rows(tx.run(query, _params(params)))

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                return session.execute_write(work)
        except neo4j.exceptions.Neo4jError as e:
            raise StoreError(f"Neo4j query failed: {e.message}", query=query, code=e.code) from e

    def _write_batch(self, query: str, params: Mapping[str, Any]) -> list[Row]:
        """One batch of a bulk write as an auto-commit transaction: the server commits when the
        statement ends instead of waiting for a COMMIT from the client, whose other thread may
        be busy packing the next batch (national load: ~6% more elements/s, and locks are held
        for less time). The driver retries only managed transactions, so transient errors (two
        concurrent batches deadlocking on a shared node) are retried here: the server has rolled
        such a batch back. Anything else, a lost connection included, is raised: whether that
        batch committed is unknown, and re-creating its edges could duplicate them."""
        deadline = time.monotonic() + BATCH_RETRY_SECONDS
        pause = BATCH_RETRY_PAUSE
        while True:
            try:
                with self._session(neo4j.WRITE_ACCESS) as session:
                    return _rows(session.run(query, _params(params)))
            except neo4j.exceptions.TransientError as e:
                if time.monotonic() >= deadline:
                    raise StoreError(f"Neo4j batch failed: {e.message}", query=query, code=e.code) from e
                wait = random.uniform(0.5, 1.0) * pause
                log.info("batch rolled back (%s), retrying in %.2f s", e.code, wait)
                time.sleep(wait)
                pause = min(1.0, pause * 2)
            except neo4j.exceptions.Neo4jError as e:
                raise StoreError(f"Neo4j query failed: {e.message}", query=query, code=e.code) from e

    def ensure_schema(self) -> None:
        self._ddl(f"CREATE CONSTRAINT chainkg_entity_id IF NOT EXISTS FOR (n:{ENTITY_LABEL}) REQUIRE n.id IS UNIQUE")
        for label in sorted(NODE_LABELS):
            self._ddl(f"CREATE INDEX chainkg_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) ON (n.id)")
        # No range index on name: no query looks a name up by equality or prefix (search goes
        # through the full-text index and CONTAINS), and it cost 14 us of server CPU per node
        # written, a third of a node's cost. Stores made before this drop it.
        self._ddl("DROP INDEX chainkg_entity_name IF EXISTS")
        # The CJK analyzer indexes Chinese as overlapping bigrams, so 高新 finds 白银高新区.
        self._ddl(
            f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:{ENTITY_LABEL}) "
            "ON EACH [n.name, n.name_en] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
        )
        self.write("CALL db.awaitIndexes(300)")

    def _ddl(self, statement: str) -> None:
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.run(statement).consume()
        except neo4j.exceptions.Neo4jError as e:
            raise StoreError(f"schema statement failed: {e.message}", query=statement) from e

    def fulltext(self, text: str, limit: int = 20) -> list[Row]:
        query = (
            "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
            "RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit"
        )
        try:
            return self.read(query, {"index": FULLTEXT_INDEX, "q": text, "limit": limit})
        except StoreError:
            return []  # Lucene syntax errors on odd input are not the user's problem

    def info(self) -> StoreInfo:
        rows = self.read("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
        return StoreInfo(self.backend, self.uri, str(rows[0]["v"]) if rows else "unknown")

    def close(self) -> None:
        self._driver.close()
