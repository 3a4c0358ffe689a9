"""Settings of the HTTP API, read from ``CHAINKG_*`` environment variables when first asked for."""

from __future__ import annotations

from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_KEY = "dev-key-change-me"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAINKG_", extra="ignore")

    graph: str = "falkordb-lite:///./data/chainkg"
    env: str = "development"  # development / production
    api_key: str = DEFAULT_API_KEY  # needed for every write (import, review, edits)
    read_key_required: bool = False  # also require the key for reads
    cors_origins: list[str] = []
    max_upload_mb: int = 20
    cypher_timeout_ms: int = 5000
    cypher_max_rows: int = 10000
    ui_default_chain: str = "chain:tdi"  # what the web UI opens on, when that chain exists
    ui_default_region: str = "region:baiyin"

    @model_validator(mode="after")
    def _no_default_key_in_production(self) -> ApiSettings:
        if self.env != "development" and self.api_key == DEFAULT_API_KEY:
            raise ValueError("CHAINKG_API_KEY must be set to a secret outside development (CHAINKG_ENV)")
        if len(self.api_key) < 8:
            raise ValueError("CHAINKG_API_KEY must be at least 8 characters")
        return self


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
