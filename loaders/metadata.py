"""The metadata file kept next to a source file.

The plan text carries no issuer, date or identifier, so each source
``NAME.txt`` has a small TOML file ``NAME.meta.toml`` beside it (see
``data/zhanjiang-green-plan-draft.meta.toml``).  A source without one gets
defaults (identifier from the file name) and a warning in the load report.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.paths import metadata_path
from greenplan.loaders.records import LoadReport, PlanMetadata, Span

FIELDS = {"identifier", "title", "title_en", "jurisdiction_code", "jurisdiction_name", "issuer", "issuer_basis",
          "number", "date_written", "date_published", "index_number", "subject",
          "status", "language", "description", "description_en"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def slug_from_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "plan"


def read_metadata(source: Path, report: LoadReport) -> PlanMetadata:
    return read_metadata_keys(source, report)[0]


def read_metadata_keys(source: Path, report: LoadReport, warn_missing: bool = True) -> tuple[PlanMetadata, set[str]]:
    """The metadata beside ``source`` and the keys its file sets (they win over what the document says)."""
    path = metadata_path(source)
    if not path.exists():
        if warn_missing:
            report.add("warning", None,
                       f"no metadata file {path.name} next to {source.name}: using defaults "
                       f"(identifier {slug_from_name(source.stem)!r}, no issuer or jurisdiction); "
                       f"copy data/zhanjiang-green-plan-draft.meta.toml and edit it")
        return PlanMetadata(identifier=slug_from_name(source.stem)), set()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        line = int(m[1]) if (m := re.search(r"line (\d+)", str(e))) else 1
        raise PlanFormatError(str(path), line, "a TOML metadata file", str(e), "fix the TOML syntax") from None
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        report.add("warning", Span(str(path), 1, 1), f"unknown metadata keys ignored: {', '.join(unknown)} "
                                                    f"(known: {', '.join(sorted(FIELDS))})")
    ident = str(data.get("identifier") or slug_from_name(source.stem))
    if not SLUG.match(ident):
        raise PlanFormatError(str(path), 1, "identifier: a slug of lower-case letters, digits and hyphens", ident,
                              "the identifier names the plan's IRIs; choose e.g. zhanjiang-green-economy")
    values = {k: data[k] for k in FIELDS if k in data and k != "identifier"}
    meta = PlanMetadata(identifier=ident, source_path=str(path), **{k: str(v) for k, v in values.items()})
    return meta, set(data) & FIELDS
