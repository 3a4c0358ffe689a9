"""One error root for chainkg; the HTTP layer maps these classes to status codes in one place."""

from __future__ import annotations

from typing import Any


class ChainKGError(Exception):
    """Base of every error chainkg raises on purpose."""

    code = "chainkg_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class InvalidElementError(ChainKGError, ValueError):
    """A node or edge that does not fit the model (unknown label, missing id, wrong type...)."""

    code = "invalid_element"


class MissingEndpointError(InvalidElementError):
    """An edge names a node id that is not in the store."""

    code = "missing_endpoint"


class NotFoundError(ChainKGError, LookupError):
    """An id, chain, region or other named thing does not exist."""

    code = "not_found"


class ConfigError(ChainKGError):
    """A setting is missing or malformed (for example an unknown graph URL scheme)."""

    code = "config_error"


class StoreError(ChainKGError):
    """The engine refused or failed a query; wraps the driver's own exception."""

    code = "store_error"


class QueryError(StoreError):
    """The engine rejected a query as written (syntax, types, unknown function, time limit)."""

    code = "bad_query"


class ReadOnlyViolation(StoreError):
    """A write was attempted through the read-only path."""

    code = "read_only"


class InputFileError(ChainKGError):
    """A user file was rejected. ``problems`` lists every error with file, row and field."""

    code = "invalid_input"

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, problems=problems or [])
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message]
        for p in self.problems[:50]:
            where = ", ".join(f"{k} {p[k]}" for k in ("file", "row", "field") if p.get(k) is not None)
            lines.append(f"  {where}: {p.get('message', '')}")
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)
