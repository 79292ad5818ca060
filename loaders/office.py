"""Old and other word-processor files (.doc, .wps, .rtf, .odt …) read through LibreOffice.

The file is converted to ``.docx`` by LibreOffice headless (``soffice --headless --convert-to docx``; Debian's
``libreoffice-writer-nogui``) in a private temporary profile (``-env:UserInstallation``, so that a running
LibreOffice or another conversion never shares it), within a time limit, and the ``.docx`` is read by
:mod:`greenplan.loaders.docx`.  The document keeps the original file's name and SHA-256; its format is
``docx`` since its locations are those of the converted Word body (block ordinals and XPaths in
``word/document.xml``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError
from greenplan.loaders.model import Document

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


def read_converted(path: Path, display_name: str | None = None) -> Document:
    """The document model of a file LibreOffice converts to .docx (see the module's description)."""
    from greenplan.loaders.docx import read_docx

    file = display_name or path.name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory(prefix="greenplan-converted-") as tmp:
        doc = read_docx(to_docx(path, file, Path(tmp)), file)
    doc.sha256 = digest
    return doc
