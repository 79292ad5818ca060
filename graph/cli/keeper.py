"""The ``greenplan keeper`` command: the status of a store's keeper (:mod:`greenplan.store.keeper`); start or stop it."""
from __future__ import annotations

import json
import sys

from greenplan.store.core import Store, locate
from greenplan.store.keeper import start, status, stop, wait_ready


def main(args) -> int:
    """``greenplan keeper [--store DIR] [--start | --stop]``: the keeper's status, or start/stop it."""
    loc = locate(args.store, args.source, args.base, getattr(args, "attachment", None), getattr(args, "ocr", False))
    store = Store(loc.directory)          # a StoreError (no store there) is the CLI's usage error
    if args.stop:
        print(f"stopped the keeper of {loc.directory}" if stop(loc.directory)
              else f"no keeper is running for {loc.directory}")
        return 0
    if args.start:
        if not store.large:
            print(f"{loc.directory} is a small store ({store.manifest.get('quads')} quads): queries load it "
                  f"directly; no keeper is started")
            return 0
        if status(loc.directory) is None:
            start(loc.directory)
        state = wait_ready(loc.directory, args.wait)
        if state is None:
            print(f"the keeper of {loc.directory} is not ready after {args.wait:g} s", file=sys.stderr)
            return 1
    state = status(loc.directory)
    if args.format == "json":
        print(json.dumps(state, indent=2))
    elif state is None:
        print(f"no keeper is running for {loc.directory}")
    else:
        loaded = f", loaded in {state['load_seconds']:.1f} s" if state.get("load_seconds") is not None else ""
        print(f"keeper {state['pid']} {state['state']}: {state['store']}{loaded}; {state['requests']} queries "
              f"answered; exits after {state['idle_exit_seconds']:g} s without a request")
    return 0
