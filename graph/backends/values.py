"""Turning driver result values into plain Python data, the same way for every engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# A backend's hook: the plain form of one of its driver's graph objects, or None if ``value``
# is not one (nodes and relationships become their property maps, paths their nodes' maps).
GraphObjects = Callable[[Any], Any | None]


def plain(value: Any, graph_objects: GraphObjects) -> Any:
    """Scalars as they are, maps as dicts, lists as lists, graph objects through the hook."""
    if value is None or isinstance(value, (str, int, float)):
        return value  # the common case first: most values are scalars
    if isinstance(value, Mapping):
        return {str(k): plain(v, graph_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, graph_objects) for v in value]
    converted = graph_objects(value)
    return value if converted is None else plain(converted, graph_objects)
