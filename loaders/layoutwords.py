"""``loaders/layout.toml``: the words and marks by which the readers recognise the parts of a published plan."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def layout() -> dict:
    return tomllib.loads(resources.files("greenplan.loaders").joinpath("layout.toml").read_text(encoding="utf-8"))
