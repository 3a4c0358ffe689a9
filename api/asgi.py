"""ASGI entry point for servers: ``uvicorn api.asgi:app`` (settings from ``CHAINKG_*``)."""

from __future__ import annotations

from api.app import create_app

app = create_app()
