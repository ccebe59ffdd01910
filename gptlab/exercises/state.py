"""A page's state as plain data: what a widget-task checker reads, the same from the app or a JSON file."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

MAX_DEPTH = 12


def to_plain(value: Any, depth: int = 0) -> Any:
    """Dataclasses, tuples, sets and mappings -> dicts and lists of str/int/float/bool/None.

    Anything else (a model, a file upload, a tensor) becomes None: checkers never see live objects.
    """
    if depth > MAX_DEPTH:
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if not math.isnan(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items() if isinstance(k, (str, int))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_plain(v, depth + 1) for v in items]
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        try:
            return to_plain(value.item(), depth + 1)
        except (TypeError, ValueError, RuntimeError):
            return None
    return None
