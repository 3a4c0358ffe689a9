"""Load the portable Cypher statements kept as ``queries/<name>.cypher`` files.

Each file holds one statement. Full-line ``//`` comments (the file's documentation) are
stripped before the text is sent, so no engine has to parse comments. Texts are cached: the
files are part of the package and do not change while the process runs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@cache
def load(name: str) -> str:
    """The statement in ``queries/<name>.cypher``, comments removed.

    ``name`` is a fixed identifier chosen by code (``"gap_links"``), never user input; it is
    checked anyway so that no path outside this directory can be read.
    """
    if not _NAME.match(name):
        raise ValueError(f"invalid query name {name!r}")
    path = QUERY_DIR / f"{name}.cypher"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no query named {name!r} (expected {path})") from None
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    statement = "\n".join(line.rstrip() for line in lines if line.strip())
    if not statement:
        raise ValueError(f"query file {path} holds no statement")
    return statement


def names() -> list[str]:
    """Names of every query file (for tests that run each one on both engines)."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.cypher"))
