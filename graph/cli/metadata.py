"""The ``greenplan metadata`` command: options → :func:`greenplan.api.metadata`, the description on standard output."""
from __future__ import annotations

import sys

from greenplan.messages import log


def main(args) -> int:
    from greenplan.api import metadata, open_for

    store = open_for(store=args.store, sources=args.source, base=args.base,
                     endpoint=getattr(args, "endpoint", None), timeout=getattr(args, "timeout", 60.0), log=log,
                     attachments=getattr(args, "attachment", None), ocr=getattr(args, "ocr", False))
    sys.stdout.buffer.write(metadata(store, args.site, args.format))
    sys.stdout.flush()
    return 0
