"""The ``greenplan validate`` command: a plan store against shapes/, or files against files (``--shapes``/``--data``).

Exit codes: 0 without violations, 1 with violations (warnings alone do not fail; the report still says
``conforms false`` as the SHACL specification does), 2 on bad input."""
from __future__ import annotations

import sys

from greenplan.messages import log


def main(args) -> int:
    from greenplan.api import open_for, validate, validate_files

    fmt = getattr(args, "format", "text")
    engine = getattr(args, "engine", "oxigraph")
    if getattr(args, "shapes", None) or getattr(args, "data", None):
        from greenplan.validate.report import InputError
        from greenplan.validate.report import rendered as files_rendered

        if getattr(args, "source", None) or getattr(args, "store", None):
            raise InputError("--shapes/--data validate files; --source and --store name a plan store "
                             "(use one or the other)")
        report = validate_files(args.shapes or [], args.data or [], engine)
        sys.stdout.write(files_rendered(report, fmt))
        return 1 if report.violations else 0
    from greenplan.validate.check import rendered

    store = open_for(store=args.store, sources=args.source, base=args.base, endpoint=getattr(args, "endpoint", None),
                     timeout=getattr(args, "timeout", 60.0), log=log, attachments=getattr(args, "attachment", None),
                     ocr=getattr(args, "ocr", False))
    conforms, found, text = validate(store, engine, getattr(args, "verbose", False))
    sys.stdout.write(rendered(store, found, fmt, text))
    return 0 if conforms else 1
