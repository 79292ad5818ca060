"""Old and other word-processor files (.doc, .wps, .rtf, .odt …) read through LibreOffice.

The file is converted to ``.docx`` by LibreOffice headless (``soffice --headless --convert-to docx``; Debian's
``libreoffice-writer-nogui``) in a private temporary profile (``-env:UserInstallation``, so that a running
LibreOffice or another conversion never shares it), within a time limit, and the ``.docx`` is read by
:mod:`greenplan.loaders.docx`.  The document keeps the original file's name and SHA-256; its format is
``docx`` since its locations are those of the converted Word body (block ordinals and XPaths in
``word/document.xml``).  A store's build keeps the converted file in the store's ``sources/`` folder, named by
the original's SHA-256 (:func:`kept_docx`), so a later build of the same original starts no LibreOffice.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Document
from greenplan.loaders.paths import record_path

TIMEOUT = 120      # seconds for one conversion (a plan converts in a few seconds; the first start takes longest)
CONVERTED = {".doc": "Word 97–2003", ".dot": "Word 97–2003 template", ".wps": "WPS Writer", ".wpt": "WPS Writer template",
             ".rtf": "RTF", ".odt": "OpenDocument text", ".fodt": "flat OpenDocument text", ".docm": "Word with macros",
             ".wpd": "WordPerfect"}


def soffice() -> str | None:
    """LibreOffice's command (``GREENPLAN_SOFFICE`` names another)."""
    return os.environ.get("GREENPLAN_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, file: str, out_dir: Path) -> Path:
    """``path`` converted to ``out_dir/<stem>.docx`` by LibreOffice; a located error when that cannot be done."""
    exe = soffice()
    what = CONVERTED.get(path.suffix.lower(), path.suffix)
    if exe is None:
        raise PlanFormatError(file, 1, f"LibreOffice to read a {what} file", "no soffice command",
                              "install LibreOffice (Debian: apt-get install libreoffice-writer-nogui) or save the "
                              "document as .docx")
    with tempfile.TemporaryDirectory(prefix="greenplan-soffice-") as work:
        work_dir = Path(work)
        source = work_dir / path.with_stem("input").name.lower()   # a plain name: LibreOffice names the output after it
        shutil.copyfile(path, source)
        profile = (work_dir / "profile").as_uri()
        command = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work_dir / "out"), str(source)]
        try:
            run = subprocess.run(command, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        except subprocess.TimeoutExpired:
            raise PlanFormatError(file, 1, f"a {what} file LibreOffice converts within {TIMEOUT} s",
                                  "no result in time", "save the document as .docx") from None
        except OSError as e:
            raise PlanFormatError(file, 1, f"LibreOffice to read a {what} file", f"{exe}: {e.strerror or e}",
                                  "install LibreOffice or save the document as .docx") from None
        made = work_dir / "out" / "input.docx"
        if run.returncode != 0 or not made.is_file():
            said = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
            raise PlanFormatError(file, 1, f"a {what} file LibreOffice can convert to .docx",
                                  said[-1] if said else f"exit status {run.returncode}, no .docx made",
                                  "open the file in LibreOffice or Word and save it as .docx")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / (Path(file).stem + ".docx")
        shutil.move(str(made), target)
        return target


def read_converted(path: Path, display_name: str | None = None, kept: Path | None = None) -> Document:
    """The document model of a file LibreOffice converts to .docx (see the module's description).
    ``kept``: the folder where converted files are kept (a store's ``sources/``): the .docx is kept there as
    ``<SHA-256 of the original>.docx`` with a ``.source.json`` record beside it, and read from there, without
    LibreOffice, while the original has the same SHA-256. Without it the .docx is made in a temporary folder."""
    from greenplan.loaders.docx import read_docx

    file = display_name or path.name
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if kept is None:
        with tempfile.TemporaryDirectory(prefix="greenplan-converted-") as tmp:
            doc = read_docx(to_docx(path, file, Path(tmp)), file)
    else:
        doc = read_docx(kept_docx(path, file, digest, kept), file)
    doc.sha256 = digest
    return doc


def kept_docx(path: Path, file: str, digest: str, kept: Path) -> Path:
    """``kept/<digest>.docx``, converted on first use (and again when it or its record no longer match: a
    cut-off or edited copy is never reused)."""
    target = kept / f"{digest}.docx"
    record = record_path(target)
    if target.is_file() and record.is_file():
        try:
            said = json.loads(record.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            said = None
        if isinstance(said, dict) and said.get("original_sha256") == digest and \
                said.get("sha256") == hashlib.sha256(target.read_bytes()).hexdigest():
            return target
    kept.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".greenplan-converting-", dir=kept) as tmp:
        made = to_docx(path, file, Path(tmp))
        body = made.read_bytes()
        entry = {"original": file, "original_sha256": digest, "converter": "LibreOffice",
                 "converter_version": converter_version(made), "sha256": hashlib.sha256(body).hexdigest()}
        os.replace(made, target)            # the .docx first: a record never names a file not yet in place
        part = Path(tmp) / record.name
        part.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(part, record)
    return target


def converter_version(docx: Path) -> str | None:
    """LibreOffice's version as it wrote it into the converted file (``docProps/app.xml``'s Application,
    ``LibreOffice/7.4.7.2$Linux_X86_64 …``): known without starting LibreOffice again."""
    try:
        with zipfile.ZipFile(docx) as z:
            app = z.read("docProps/app.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(r"<Application>[^<$/]*/([^<$\s]+)", app)
    return found[1] if found else None
