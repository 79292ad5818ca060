"""Sources given as ``http(s)://`` URLs: fetched once, kept with their URL and fetch time.

The kept copy is ``DIR/<host>-<sha1(url)[:12]>.<ext>`` with ``….source.json`` beside it (``url``,
``fetched_at``, ``content_type``, ``sha256``).  Later builds read the kept copy and never fetch again, so a
rebuild gives byte-identical output.  The loader reads the JSON beside any source (the corpus's crawl
records use ``crawl_url``/``crawl_time``) so that the graph can name the URL as the source.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from greenplan.loaders import limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.paths import attachment_entries, record_path

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
                for a in attachment_entries(source) if "skipped" not in a]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as e:
        raise PlanFormatError(str(record_path(source)), 1, "a JSON record listing the page's attachments (number, "
                              "file, url)", str(e)[:60], "fix or delete the .source.json file") from None


def skipped_attachments(source: Path) -> list[tuple[str, str]]:
    """(link, why) of the document links of a kept page that were not fetched (reported by the build)."""
    try:
        return [(str(a["skipped"]), str(a.get("why", ""))) for a in attachment_entries(source) if "skipped" in a]
    except (ValueError, UnicodeDecodeError, TypeError):
        return []       # attachments() reports a damaged record


def kept_copy(url: str, directory: Path, follow_redirects: bool | None = None, with_attachments: bool = True) -> Path:
    """The kept copy of ``url`` in ``directory``, fetching it on first use (and again when the kept copy no
    longer has the SHA-256 its record names: an earlier, cut-off copy is never reused). A page's attachments
    (the links of its content to document files on the same host and port,
    :func:`greenplan.loaders.attachments.links`) are fetched with it, kept beside it and listed in its record."""
    parts = urllib.parse.urlsplit(url)
    stem = f"{re.sub(r'[^a-z0-9.-]+', '-', parts.hostname or 'host')}-{hashlib.sha1(url.encode()).hexdigest()[:12]}"
    for ext in KEPT:
        if (directory / (stem + ext)).is_file() and record_path(directory / (stem + ext)).is_file() \
                and _intact(directory / (stem + ext)):
            return directory / (stem + ext)
    if follow_redirects is None:
        follow_redirects = limits.FOLLOW_REDIRECTS
    # an attachment is its page's site's own: never a redirect to another host or port
    data, content_type = _get(url, follow_redirects and with_attachments)
    ext = EXTENSIONS.get(content_type.split(";")[0].strip().lower()) or _suffix(parts.path) or ".html"
    path = directory / (stem + ext)
    record: dict[str, object] = {"url": url, "fetched_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                 "content_type": content_type, "sha256": hashlib.sha256(data).hexdigest()}
    directory.mkdir(parents=True, exist_ok=True)
    if ext == ".html" and with_attachments:
        record["attachments"] = _fetch_attachments(url, data, directory)
    _write(path, data)   # the page last: a page is kept only with all its attachments
    _write(record_path(path), json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return path


def _fetch_attachments(url: str, page: bytes, directory: Path) -> list[dict]:
    from greenplan.loaders.attachments import links

    out: list[dict] = []
    skipped: list[dict] = []
    deadline = time.monotonic() + ATTACHMENTS_SECONDS
    for link in links(url, page, skipped):
        if time.monotonic() > deadline:
            raise PlanFormatError(url, 1, f"the page's attachments fetched within {ATTACHMENTS_SECONDS} s",
                                  f"attachment {link.number} ({link.url}) not reached in time",
                                  "save the page and its attachments, then pass --attachment for each file")
        kept = kept_copy(link.url, directory, follow_redirects=False, with_attachments=False)
        out.append({"number": link.number, "file": kept.name, "url": link.url, "text": link.text})
    return out + [{"skipped": s["url"], "why": s["why"]} for s in skipped]


def _intact(path: Path) -> bool:
    """Whether a kept copy still has the SHA-256 its record names."""
    try:
        record = json.loads(record_path(path).read_text(encoding="utf-8"))
        return record.get("sha256") == hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return False


def _suffix(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    if suffix in (".htm", ".shtml"):
        return ".html"
    return suffix if suffix in KEPT else None


class _Deadline:
    """Shuts a connection's socket down when the whole fetch's time is up (a per-read timeout alone
    lets a server that sends one byte every few seconds keep the build waiting forever)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.passed = False
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        return self.end - time.monotonic()

    def watch(self, conn) -> None:
        self.cancel()

        def cut():
            self.passed = True
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        self._timer = threading.Timer(max(0.0, self.left()), cut)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _refused(url: str, found: str, hint: str = "check the URL, or save the page and pass its file") -> PlanFormatError:
    return PlanFormatError(url, 1, "a complete HTTP response", found[:120], hint)


def _get(url: str, follow_redirects: bool = False) -> tuple[bytes, str]:
    """The body and Content-Type of ``url``, every limit of :mod:`greenplan.loaders.limits` applied.

    One overall deadline (``FETCH_DEADLINE``); at most ``MAX_RESPONSE_HEADERS`` header lines and
    ``MAX_RESPONSE_HEADER_BYTES`` of head; a malformed status line, a body shorter (or longer) than
    its ``Content-Length`` and a chunked body cut off are errors, and nothing is kept.  Redirects
    go to ``http``/``https`` only, and to the same host and port unless ``follow_redirects``."""
    deadline = _Deadline(limits.FETCH_DEADLINE)
    try:
        for _ in range(limits.MAX_REDIRECTS + 1):
            status, headers, data = _exchange(url, deadline)
            if status in (301, 302, 303, 307, 308):
                url = _redirect(url, headers.get("Location"), follow_redirects)
                continue
            if status != 200:
                raise _refused(url, f"HTTP status {status}")
            return data, headers.get("Content-Type", "")
        raise _refused(url, f"more than {limits.MAX_REDIRECTS} redirects")
    finally:
        deadline.cancel()


def _redirect(url: str, location: str | None, follow: bool) -> str:
    if not location:
        raise _refused(url, "a redirect without a Location header")
    target = urllib.parse.urljoin(url, location.strip())
    old, new = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
    if new.scheme not in ("http", "https"):
        raise PlanFormatError(url, 1, "a redirect to an http:// or https:// URL", f"a redirect to {target[:80]}",
                              "fetch that address yourself if you trust it; other schemes are never followed")
    if not follow and (new.scheme, new.hostname, _port(new)) != (old.scheme, old.hostname, _port(old)):
        raise PlanFormatError(url, 1, "a redirect to the same host and port",
                              f"a redirect to {target[:80]}", "pass --follow-redirects to follow it")
    return target


def _port(parts) -> int:
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return -1


def _exchange(url: str, deadline: _Deadline) -> tuple[int, dict, bytes]:
    """One request and its whole response: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlanFormatError(url, 1, "an http:// or https:// URL", url[:80], "check the URL")
    connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    if deadline.left() <= 0:
        raise _refused(url, f"no answer within {deadline.seconds:g} s (the fetch's deadline)")
    conn = connection(parts.hostname, _port(parts), timeout=min(limits.FETCH_READ_TIMEOUT, deadline.left()))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.connect()
        deadline.watch(conn)
        conn.putrequest("GET", target)
        conn.putheader("User-Agent", "greenplan (policy-plan reader)")
        conn.putheader("Accept-Encoding", "identity")
        conn.endheaders()
        response = conn.getresponse()
        lines = response.msg.items()
        if len(lines) > limits.MAX_RESPONSE_HEADERS:
            raise _refused(url, f"{len(lines)} header lines (at most {limits.MAX_RESPONSE_HEADERS})")
        head = sum(len(k) + len(v) + 4 for k, v in lines)
        if head > limits.MAX_RESPONSE_HEADER_BYTES:
            raise _refused(url, f"{head} bytes of headers (at most {limits.MAX_RESPONSE_HEADER_BYTES})")
        if sum(1 for k, _ in lines if k.lower() == "content-length") > 1:
            raise _refused(url, "two Content-Length headers")
        headers = {k.title(): v for k, v in lines}
        if response.status in (301, 302, 303, 307, 308):
            return response.status, headers, b""
        declared = headers.get("Content-Length")
        if declared is not None and not re.fullmatch(r"[0-9]{1,18}", declared.strip()):
            raise _refused(url, f"Content-Length {declared[:40]!r}")
        if declared is not None and int(declared) > limits.MAX_FETCH_BYTES:
            raise PlanFormatError(url, 1, f"a page of at most {limits.size(limits.MAX_FETCH_BYTES)}",
                                  f"Content-Length {declared}", "save the page and pass its file")
        data = response.read(limits.MAX_FETCH_BYTES + 1)
        if len(data) > limits.MAX_FETCH_BYTES:
            raise PlanFormatError(url, 1, f"a page of at most {limits.size(limits.MAX_FETCH_BYTES)}",
                                  "a larger response", "save the page and pass its file")
        if deadline.passed:
            raise _refused(url, f"no complete answer within the fetch's deadline of {deadline.seconds:g} s")
        if declared is not None and len(data) != int(declared):
            raise _refused(url, f"a body of {len(data)} bytes where Content-Length says {int(declared)}")
        return response.status, headers, data
    except PlanFormatError:
        raise
    except http.client.IncompleteRead as e:
        if deadline.passed:
            raise _refused(url, f"no complete answer within the fetch's deadline of {deadline.seconds:g} s") from None
        raise _refused(url, f"a body cut off after {len(e.partial)} bytes") from None
    except http.client.LineTooLong:
        raise _refused(url, "a status or header line longer than 64 KiB") from None
    except http.client.BadStatusLine as e:
        raise _refused(url, f"status line {str(e)[:60]!r} (expected HTTP/1.x NNN)") from None
    except http.client.HTTPException as e:
        raise _refused(url, f"{type(e).__name__}: {e}") from None
    except (OSError, ValueError) as e:
        if deadline.passed:
            raise _refused(url, f"no complete answer within the fetch's deadline of {deadline.seconds:g} s") from None
        raise PlanFormatError(url, 1, "a page that can be fetched", str(getattr(e, "reason", e))[:60],
                              "check the URL, or save the page and pass its file") from None
    finally:
        deadline.cancel()
        conn.close()


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
