"""Shared by the browser tests and ``benchmarks/ui_render.py``: load a graph into an embedded
store, serve the API and the web UI on a free local port, and start Debian's Chromium.

The server runs uvicorn in a daemon thread of the calling process, so a test needs no extra
process to clean up; Chromium is driven through Playwright's Python client (PyPI ``playwright``)
with ``executable_path``: Playwright's own browser download is never used.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from api.app import create_app
from api.settings import ApiSettings
from graph.model import Edge, Node
from graph.store import open_store
from queries.places import refresh_places

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
# No network side traffic and no first-run UI: the browser talks to 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def load_graph(graph_url: str, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
    """Write ``nodes`` and ``edges`` into the store at ``graph_url`` and derive ``places``."""
    store = open_store(graph_url)
    try:
        store.ensure_schema()
        store.load(nodes, edges)
        refresh_places(store)
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serve(graph_url: str) -> Iterator[str]:
    """Serve the API and the UI on the store at ``graph_url``; yield the base URL."""
    app = create_app(ApiSettings(graph=graph_url))  # serves the UI too
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="chainkg-ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless. Playwright starts it with a fresh temporary profile
    (user-data-dir) and deletes it afterwards; each ``browser.new_context()`` is isolated."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium (see the Makefile)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
