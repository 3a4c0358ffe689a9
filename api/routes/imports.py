"""Upload a CSV / XLSX / JSON Lines file (or a chainkg JSON export) and import it. Needs the key."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, UploadFile

from api.deps import SettingsDep, StoreDep, require_write_key
from graph.errors import InputFileError
from graph.exchange import load_elements, read_json
from ingest.importer import import_file
from queries.places import refresh_places

router = APIRouter(tags=["import"], dependencies=[Depends(require_write_key)])

SUFFIXES = {".csv", ".tsv", ".xlsx", ".jsonl", ".json"}


@router.post("/import")
async def upload(
    file: UploadFile,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[
        Literal["graph", "enterprises", "products", "supplies", "cooperation"] | None,
        Query(description="What the rows are; detected from the headers if omitted"),
    ] = None,
    create_products: Annotated[bool, Query(description="Create unknown products")] = False,
    dry_run: Annotated[bool, Query(description="Validate only, write nothing")] = False,
) -> dict[str, Any]:
    """All-or-nothing import of one file; every problem comes back with its row and column."""
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputFileError(
            f"{name}: unsupported file type {suffix or '(none)'}; expected one of {sorted(SUFFIXES)}",
            [{"file": name, "message": "unsupported file type"}],
        )
    limit = settings.max_upload_mb * 1024 * 1024
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413, detail=f"upload larger than {settings.max_upload_mb} MB")
    with tempfile.TemporaryDirectory(prefix="chainkg-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            if kind == "graph" or (kind is None and suffix == ".json"):
                nodes, edges = read_json(path)
                if dry_run:
                    return {"file": name, "nodes": len(nodes), "edges": len(edges), "dry_run": True}
                n, m = load_elements(store, nodes, edges)
                refresh_places(store)
                return {"file": name, "nodes": n, "edges": m, "dry_run": False}
            report = import_file(store, path, kind, create_products=create_products, dry_run=dry_run)
        except InputFileError as e:  # name the uploaded file, not our temporary copy
            problems = [{**p, "file": name} if p.get("file") == str(path) else p for p in e.problems]
            raise InputFileError(e.message.replace(str(path), name), problems) from e
    if not dry_run:
        refresh_places(store, report.enterprise_ids)
    return {"file": name, **report.to_dict()}
