"""``loaders/layout.toml``: the words and marks by which the readers recognise the parts of a published plan."""
from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def package_toml(name: str) -> dict:
    """A TOML word file of the loaders' package (``layout.toml``, ``grammar.toml``), read once."""
    return tomllib.loads(resources.files("greenplan.loaders").joinpath(name).read_text(encoding="utf-8"))


def layout() -> dict:
    return package_toml("layout.toml")
