"""The metadata file kept next to a source file.

The plan text carries no issuer, date or identifier, so each source
``NAME.txt`` has a small TOML file ``NAME.meta.toml`` beside it (see
``data/zhanjiang-green-plan-draft.meta.toml``).  A source without one gets
defaults (identifier from the file name) and a warning in the load report.
"""
from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.paths import metadata_path
from greenplan.loaders.records import LoadReport, PlanMetadata, Span

FIELDS = {"identifier", "title", "title_en", "jurisdiction_code", "jurisdiction_name", "issuer", "issuer_basis",
          "number", "date_written", "date_published", "index_number", "subject",
          "status", "kind", "language", "description", "description_en"}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")                # whole value (fullmatch: no final newline slips through)
JURISDICTION_CODE = re.compile(r"CN|[0-9]{6}")          # a GB/T 2260 division code, or CN for the whole country


def slug_from_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "plan"


def read_metadata_keys(source: Path, report: LoadReport, warn_missing: bool = True) -> tuple[PlanMetadata, set[str]]:
    """The metadata beside ``source`` and the keys its file sets (they win over what the document says)."""
    path = metadata_path(source)
    if not path.exists() and not path.is_symlink():
        if warn_missing:
            report.add("warning", None,
                       f"no metadata file {path.name} next to {source.name}: using defaults "
                       f"(identifier {slug_from_name(source.stem)!r}, no issuer or jurisdiction); "
                       f"copy data/zhanjiang-green-plan-draft.meta.toml and edit it")
        return PlanMetadata(identifier=slug_from_name(source.stem)), set()
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = int(m[1]) if (m := re.search(r"line (\d+)", str(e))) else 1
        raise PlanFormatError(str(path), line, "a TOML metadata file", str(e), "fix the TOML syntax") from None
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        report.add("warning", Span(str(path), 1, 1), f"unknown metadata keys ignored: {', '.join(unknown)} "
                                                    f"(known: {', '.join(sorted(FIELDS))})")
    ident = str(data.get("identifier") or slug_from_name(source.stem))
    if not SLUG.fullmatch(ident):
        raise PlanFormatError(str(path), _key_line(text, "identifier"),
                              "identifier: a slug of lower-case letters, digits and hyphens", ident,
                              "the identifier names the plan's IRIs; choose e.g. zhanjiang-green-economy")
    code = data.get("jurisdiction_code")
    if code is not None and not (isinstance(code, str) and JURISDICTION_CODE.fullmatch(code)):
        raise PlanFormatError(str(path), _key_line(text, "jurisdiction_code"),
                              "jurisdiction_code: a six-digit administrative division code (GB/T 2260) or CN", str(code),
                              "e.g. jurisdiction_code = \"440800\" for 湛江市; leave it out when not known")
    for key in ("date_written", "date_published"):
        if key in data and not _iso_date(str(data[key])):
            raise PlanFormatError(str(path), _key_line(text, key), f"{key}: a date written YYYY-MM-DD",
                                  str(data[key]), f"e.g. {key} = 2018-11-12 (a TOML date) or \"2018-11-12\"")
    for key in sorted(set(data) & FIELDS):
        if len(str(data[key])) > limits.MAX_CELL_CHARS:
            raise PlanFormatError(str(path), _key_line(text, key), f"{key}: at most {limits.MAX_CELL_CHARS:,} characters",
                                  f"{len(str(data[key])):,} characters", "metadata values are short")
    values = {k: data[k] for k in FIELDS if k in data and k != "identifier"}
    meta = PlanMetadata(identifier=ident, source_path=str(path), **{k: str(v) for k, v in values.items()})
    return meta, set(data) & FIELDS


def _read(path: Path) -> str:
    """The metadata file's text; a directory, an unreadable, oversized or non-UTF-8 file is a located error."""
    if path.is_dir():
        raise PlanFormatError(str(path), 1, "a metadata file (TOML text)", "a directory",
                              "remove or rename the directory; the metadata file NAME.meta.toml is a text file")
    try:
        with path.open("rb") as f:
            data = f.read(limits.MAX_DOCUMENT_BYTES + 1)
    except OSError as e:
        raise PlanFormatError(str(path), 1, "a readable metadata file", e.strerror or type(e).__name__,
                              "check the file's permissions and that it is not a broken or looping link") from None
    if len(data) > limits.MAX_DOCUMENT_BYTES:
        raise PlanFormatError(str(path), 1, f"a metadata file of at most {limits.size(limits.MAX_DOCUMENT_BYTES)}",
                              "a larger file", "the metadata file holds a few lines of TOML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise PlanFormatError(str(path), line, "UTF-8 text", f"byte 0x{data[e.start]:02x}",
                              "save the metadata file as UTF-8") from None


def _iso_date(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _key_line(text: str, key: str) -> int:
    """1-based line of ``key = …`` in the TOML text (1 when not found)."""
    m = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return text[: m.start()].count("\n") + 1 if m else 1
