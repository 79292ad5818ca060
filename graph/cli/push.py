"""The ``greenplan push`` command: options → :func:`greenplan.api.push`, and the printed account of what went where."""
from __future__ import annotations

import os
import sys

from greenplan.export.push import PASSWORD_VARIABLE
from greenplan.messages import log
from greenplan.store.core import StoreError


def password_for(user: str, url: str) -> str:
    """The password of ``user``: ``GREENPLAN_PASSWORD``, else asked on the terminal without echo."""
    import getpass

    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        raise StoreError(f"--user {user}: no password; set {PASSWORD_VARIABLE} or run on a terminal to be asked")
    try:
        return getpass.getpass(f"password for {user} at {url}: ")
    except (EOFError, KeyboardInterrupt):
        raise StoreError(f"--user {user}: no password given") from None


def main(args) -> int:
    from greenplan.api import open_store, push
    from greenplan.export.push import PushError

    if args.timeout <= 0:
        raise StoreError(f"--timeout {args.timeout:g}: give a number of seconds greater than 0")
    password = password_for(args.user, args.store) if args.user else None
    store = open_store(args.local_store, args.source, args.base, log=log, attachments=args.attachment, ocr=args.ocr)
    try:
        pushed = push(store, args.store, user=args.user, password=password, timeout=args.timeout,
                      start=getattr(args, "start", None))
    except PushError as e:
        for p in e.done:
            print(f"{p.graph}  {p.triples:>7} triples (replaced)")
        raise
    width = max((len(p.graph) for p in pushed), default=5)
    for p in pushed:
        print(f"{p.graph}{' ' * (width - len(p.graph))}  {p.triples:>7} triples")
    print(f"pushed {len(pushed)} graph{'s' if len(pushed) != 1 else ''}, "
          f"{sum(p.triples for p in pushed)} triples to {args.store}")
    return 0
