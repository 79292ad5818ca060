"""Where a source's companion files live (imported by the store's cache key, so kept free of the reader)."""
from __future__ import annotations

from pathlib import Path


def metadata_path(source: Path) -> Path:
    """``NAME.meta.toml`` beside ``NAME.txt``."""
    return source.with_name(source.stem + ".meta.toml")


def is_url(source: str) -> bool:
    """A source given as an ``http(s)://`` URL (fetched once by :mod:`greenplan.loaders.fetch`)."""
    return source[:8].lower().startswith(("http://", "https://"))
