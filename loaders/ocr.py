"""Optical character recognition of a scanned PDF (``--ocr``): ``ocrmypdf -l chi_sim`` (Debian ``ocrmypdf`` and
``tesseract-ocr-chi-sim``) adds a text layer, which :mod:`greenplan.loaders.pdf` then reads.  Run with a time
limit; a missing program or language is one clear error.  The records read this way are marked (the graph's
source document says ``gp:ocr true``; a shape flags them for checking against the scan)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from greenplan.loaders.errors import PlanFormatError

TIMEOUT = 600          # seconds for one document (OCR takes several seconds a page)
LANGUAGE = "chi_sim"


def ocrmypdf() -> str | None:
    """The ``ocrmypdf`` command (``GREENPLAN_OCRMYPDF`` names another)."""
    return os.environ.get("GREENPLAN_OCRMYPDF") or shutil.which("ocrmypdf")


def recognise(path: Path, file: str, out_dir: Path) -> Path:
    """``path`` with a text layer recognised by ocrmypdf, written to ``out_dir``."""
    exe = ocrmypdf()
    install = "install ocrmypdf and tesseract-ocr-chi-sim (Debian: apt-get install ocrmypdf tesseract-ocr-chi-sim)"
    if exe is None:
        raise PlanFormatError(file, 1, "ocrmypdf to read a scanned PDF (--ocr)", "no ocrmypdf command", install)
    out = out_dir / "recognised.pdf"
    try:
        run = subprocess.run([exe, "-l", LANGUAGE, "--output-type", "pdf", "--quiet", str(path), str(out)],
                             capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    except subprocess.TimeoutExpired:
        raise PlanFormatError(file, 1, f"a scan ocrmypdf reads within {TIMEOUT} s", "no result in time",
                              "OCR the file yourself (ocrmypdf -l chi_sim IN.pdf OUT.pdf) and pass OUT.pdf") from None
    except OSError as e:
        raise PlanFormatError(file, 1, "ocrmypdf to read a scanned PDF (--ocr)", f"{exe}: {e.strerror or e}",
                              install) from None
    if run.returncode != 0 or not out.is_file():
        said = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
        raise PlanFormatError(file, 1, "a scan ocrmypdf can read", said[-1] if said else f"exit status {run.returncode}",
                              install + "; or OCR the file yourself and pass the result")
    return out
