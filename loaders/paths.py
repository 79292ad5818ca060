"""Where a source's companion files live (imported by the store's cache key, so kept free of the reader)."""
from __future__ import annotations

import json
from pathlib import Path


def metadata_path(source: Path) -> Path:
    """``NAME.meta.toml`` beside ``NAME.txt``."""
    return source.with_name(source.stem + ".meta.toml")


def is_url(source: str) -> bool:
    """A source given as an ``http(s)://`` URL (fetched once by :mod:`greenplan.loaders.fetch`)."""
    return source[:8].lower().startswith(("http://", "https://"))


def record_path(source: Path) -> Path:
    """``NAME.source.json`` beside ``NAME.html``: where a fetched source came from (:mod:`greenplan.loaders.fetch`)."""
    return source.with_name(source.stem + ".source.json")


def attachment_entries(source: Path) -> list:
    """The ``attachments`` listed in the record beside a fetched page (raw JSON entries; [] when none).
    Raises ValueError (or UnicodeDecodeError) for a record that is not JSON."""
    path = record_path(source)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    listed = data.get("attachments") if isinstance(data, dict) else None
    return listed if isinstance(listed, list) else []


def attachment_files(source: Path) -> list[Path]:
    """The kept files of a fetched page's attachments (for the store's cache key; a damaged record is reported
    when the page is read, not here)."""
    try:
        return [source.with_name(Path(str(a["file"])).name) for a in attachment_entries(source) if "file" in a]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return []
