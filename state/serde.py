"""The types our checkpoints contain, for LangGraph's msgpack allowlist.

LangGraph logs a warning for every unregistered type it reads back from a checkpoint (and will
refuse them in strict mode); every boundary model and enum of the state is registered here.
"""

from __future__ import annotations

import inspect
from enum import Enum

from pydantic import BaseModel

from . import attempts, models, workflow


def checkpoint_allowlist() -> set[tuple[str, str]]:
    """``(module, name)`` of every pydantic model and enum defined by the state modules."""
    found: set[tuple[str, str]] = set()
    for module in (models, workflow, attempts):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and issubclass(obj, (BaseModel, Enum)):
                found.add((obj.__module__, obj.__name__))
    return found
