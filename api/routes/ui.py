"""The web UI: static files from ``api/web/static`` and an allow-list of library files.

``mount_ui(app)`` adds ``/`` (index.html), ``/static/...`` (the UI's own ES modules and CSS)
and ``/vendor/<package>/<file>`` (files from ``api/web/node_modules/<package>/dist``). The UI
only talks to ``/api/v1``. node_modules is installed by ``npm ci`` (``make install``); without
it ``/`` explains what to run instead of serving a broken page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
STATIC_DIR = WEB_DIR / "static"
NODE_MODULES = WEB_DIR / "node_modules"

# Only these dist files are served: nothing else under node_modules is reachable.
VENDOR_FILES: dict[str, frozenset[str]] = {
    "@dagrejs/dagre": frozenset({"dagre.esm.js", "dagre.esm.js.map"}),
}

NOT_INSTALLED = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>chainkg</title></head>
<body style="font: 18px/1.6 sans-serif; max-width: 40em; margin: 3em auto">
<h1>网页界面尚未安装 · Web UI not installed</h1>
<p>缺少前端依赖（api/web/node_modules）。请在仓库根目录运行 <code>make install</code>
（它会执行 <code>cd api/web &amp;&amp; npm ci</code>），然后重启 <code>chainkg serve</code>。</p>
<p>The UI's libraries (api/web/node_modules) are missing. Run <code>make install</code> in the
repository (it runs <code>cd api/web &amp;&amp; npm ci</code>), then restart
<code>chainkg serve</code>.</p>
<p>HTTP API: <a href="/docs">/docs</a></p>
</body></html>
"""


def vendor_path(package: str, file: str) -> Path | None:
    """The dist file of an allow-listed package, or None."""
    if file not in VENDOR_FILES.get(package, frozenset()):
        return None
    return NODE_MODULES / package / "dist" / file


def ui_installed() -> bool:
    return all(
        (path := vendor_path(pkg, f)) is not None and path.is_file()
        for pkg, files in VENDOR_FILES.items()
        for f in files
        if f.endswith(".js")
    )


def mount_ui(app: FastAPI) -> None:
    """Serve the web UI on ``app`` (call after the API routers are included)."""

    @app.get("/", include_in_schema=False, response_model=None)
    def index() -> FileResponse | HTMLResponse:
        if not ui_installed():
            return HTMLResponse(NOT_INSTALLED, status_code=503)
        # no-cache: the page is tiny, and a stale one would pair with new modules after an update.
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/vendor/{path:path}", include_in_schema=False)
    def vendor(path: str) -> FileResponse:
        # "@scope/name/file" or "name/file"
        package, _, file = path.rpartition("/")
        found = vendor_path(package, file)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no vendored file {path!r}")
        if not found.is_file():
            raise HTTPException(status_code=503, detail="web UI libraries are not installed: run `make install`")
        media = "text/javascript" if file.endswith(".js") else "application/json"
        return FileResponse(found, media_type=media, headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
