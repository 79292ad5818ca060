"""Sources given as ``http(s)://`` URLs: fetched once, kept with their URL and fetch time.

The kept copy is ``DIR/<host>-<sha1(url)[:12]>.<ext>`` with ``….source.json`` beside it (``url``,
``fetched_at``, ``content_type``, ``sha256``).  Later builds read the kept copy and never fetch again, so a
rebuild gives byte-identical output.  The loader reads the JSON beside any source (the corpus's crawl
records use ``crawl_url``/``crawl_time``) so that the graph can name the URL as the source.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.paths import attachment_entries, record_path

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = 30
EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
              "application/pdf": ".pdf", "application/msword": ".doc", "application/rtf": ".rtf",
              "application/vnd.ms-excel": ".xls", "application/vnd.oasis.opendocument.text": ".odt",
              "application/vnd.oasis.opendocument.spreadsheet": ".ods",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}
KEPT = (".html", ".docx", ".txt", ".pdf", ".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ods")
ATTACHMENTS_SECONDS = 120     # all the attachments of one page, fetched one after another


def source_record(source: Path) -> tuple[str | None, str | None]:
    """(URL, fetch time) recorded beside a source, if any."""
    path = record_path(source)
    if not path.is_file():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise PlanFormatError(str(path), 1, "a JSON record of where the source came from", str(e)[:60],
                              "fix or delete the .source.json file") from None
    when = data.get("fetched_at") or data.get("crawl_time")
    if when and not re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$", when):
        raise PlanFormatError(str(path), 1, "a fetch time like 2019-02-17 15:28:32 or 2019-02-17T15:28:32Z", when,
                              "fix the .source.json file")
    return data.get("url") or data.get("crawl_url"), when.replace(" ", "T") if when else None


def attachments(source: Path) -> list[tuple[int, Path, str]]:
    """(annex number, kept file, URL) of the attachments fetched with a kept page, in printed order."""
    try:
        return [(int(a["number"]), source.with_name(Path(str(a["file"])).name), str(a["url"]))
                for a in attachment_entries(source)]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as e:
        raise PlanFormatError(str(record_path(source)), 1, "a JSON record listing the page's attachments (number, "
                              "file, url)", str(e)[:60], "fix or delete the .source.json file") from None


def kept_copy(url: str, directory: Path, with_attachments: bool = True) -> Path:
    """The kept copy of ``url`` in ``directory``, fetching it on first use; a page's attachments (the links of
    its content to document files on the same host and port, :func:`greenplan.loaders.attachments.links`) are
    fetched with it, kept beside it and listed in its record."""
    parts = urllib.parse.urlsplit(url)
    stem = f"{re.sub(r'[^a-z0-9.-]+', '-', parts.hostname or 'host')}-{hashlib.sha1(url.encode()).hexdigest()[:12]}"
    for ext in KEPT:
        if (directory / (stem + ext)).is_file() and record_path(directory / (stem + ext)).is_file():
            return directory / (stem + ext)
    data, content_type = _get(url, same_origin=not with_attachments)
    ext = EXTENSIONS.get(content_type.split(";")[0].strip().lower()) or _suffix(parts.path) or ".html"
    path = directory / (stem + ext)
    record: dict[str, object] = {"url": url, "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "content_type": content_type, "sha256": hashlib.sha256(data).hexdigest()}
    directory.mkdir(parents=True, exist_ok=True)
    if ext == ".html" and with_attachments:
        record["attachments"] = _fetch_attachments(url, data, directory)
    _write(path, data)   # the page last: a page is kept only with all its attachments
    _write(record_path(path), json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return path


def _fetch_attachments(url: str, page: bytes, directory: Path) -> list[dict]:
    import time

    from greenplan.loaders.attachments import links

    out = []
    deadline = time.monotonic() + ATTACHMENTS_SECONDS
    for link in links(url, page):
        if time.monotonic() > deadline:
            raise PlanFormatError(url, 1, f"the page's attachments fetched within {ATTACHMENTS_SECONDS} s",
                                  f"attachment {link.number} ({link.url}) not reached in time",
                                  "save the page and its attachments, then pass --attachment for each file")
        kept = kept_copy(link.url, directory, with_attachments=False)
        out.append({"number": link.number, "file": kept.name, "url": link.url, "text": link.text})
    return out


def _suffix(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    if suffix in (".htm", ".shtml"):
        return ".html"
    return suffix if suffix in KEPT else None


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port (a page's attachments are its own site's)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            raise urllib.error.URLError(f"redirected to another site ({new.scheme}://{new.netloc})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _get(url: str, same_origin: bool = False) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"User-Agent": "greenplan (policy-plan reader)"})
    opener = urllib.request.build_opener(_SameOrigin) if same_origin else urllib.request.build_opener()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise PlanFormatError(url, 1, "a page that can be fetched", str(getattr(e, "reason", e))[:60],
                              "check the URL, or save the page and pass its file") from None
    if len(data) > MAX_BYTES:
        raise PlanFormatError(url, 1, f"a page of at most {MAX_BYTES // 2**20} MB", "a larger response",
                              "save the page and pass its file")
    return data, content_type


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
