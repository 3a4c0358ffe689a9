"""Settings of the storage layer, read from the environment when first asked for (not at import)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class GraphSettings(BaseSettings):
    """``CHAINKG_GRAPH`` picks the engine: ``falkordb-lite:///DIR`` (default) or ``bolt://...``."""

    model_config = SettingsConfigDict(env_prefix="CHAINKG_", extra="ignore")

    graph: str = "falkordb-lite:///./data/chainkg"
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    # Embedded engine durability: fsync the append-only file on every write ("always"), or once a
    # second ("everysec", faster, may lose the last second on a machine crash).
    falkordb_fsync: str = "always"


@lru_cache
def get_settings() -> GraphSettings:
    return GraphSettings()
