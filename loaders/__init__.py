"""Loaders: plan documents to typed records with source spans (``greenplan.loaders``).

The names below are imported on first use (PEP 562), so that importing one
small submodule (``greenplan.loaders.errors`` on the query path) does not load
the whole document reader.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "load": "greenplan.loaders.document",
    "PlanFormatError": "greenplan.loaders.errors",
    "LoadReport": "greenplan.loaders.records",
    "Plan": "greenplan.loaders.records",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'greenplan.loaders' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
