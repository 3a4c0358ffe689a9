"""Dependencies shared by routes: the store, the settings, and the API-key checks."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.settings import ApiSettings
from graph.store import GraphStore

_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings_dep(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings_dep)]


def _key_ok(given: str | None, settings: ApiSettings) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), settings.api_key.encode())


def require_write_key(settings: SettingsDep, key: Annotated[str | None, Security(_key_header)] = None) -> None:
    """Every write needs the configured API key in ``X-API-Key``."""
    if not _key_ok(key, settings):
        raise HTTPException(status_code=401, detail="a valid X-API-Key header is required for writes")


def require_read_access(settings: SettingsDep, key: Annotated[str | None, Security(_key_header)] = None) -> None:
    """Reads are open unless ``CHAINKG_READ_KEY_REQUIRED`` is set."""
    if settings.read_key_required and not _key_ok(key, settings):
        raise HTTPException(status_code=401, detail="a valid X-API-Key header is required")
