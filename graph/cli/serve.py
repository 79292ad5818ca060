"""The ``greenplan serve`` command: options → :class:`greenplan.web.limits.Limits` and a server; prints its address."""
from __future__ import annotations

import signal

from greenplan.messages import log, usage_error


def _stop(signum, frame):
    raise KeyboardInterrupt


def limits_from(args):
    """The serve options as :class:`~greenplan.web.limits.Limits` (ValueError names the bad option)."""
    from greenplan.web.limits import Limits

    return Limits(timeout=args.timeout, max_results=args.max_results, max_result_bytes=args.max_result_bytes,
                  max_body=args.max_body, read_timeout=args.read_timeout, request_timeout=args.request_timeout,
                  max_connections=args.max_connections, max_per_client=args.max_per_client,
                  trusted_proxies=args.trusted_proxy or (), public_url=args.public_url,
                  cache_bytes=args.cache_bytes, cache_max_age=args.cache_max_age, max_memory=args.max_memory,
                  workers=args.workers)


def main(args) -> int:
    from greenplan.api import open_for
    from greenplan.web.server import make_server

    try:
        limits = limits_from(args)
    except ValueError as e:
        return usage_error(str(e))
    store = open_for(store=args.store, sources=args.source, base=args.base, endpoint=getattr(args, "endpoint", None),
                     timeout=getattr(args, "timeout", 60.0), log=log, attachments=getattr(args, "attachment", None),
                     ocr=getattr(args, "ocr", False))
    try:
        server = make_server(store, args.host, args.port, log=log, limits=limits)
    except OSError as e:
        return usage_error(f"cannot listen on {args.host}:{args.port} ({e.strerror or e}); pick another --port "
                           "(0 picks a free one)")
    url = server.url
    signal.signal(signal.SIGTERM, _stop)
    print(f"greenplan serve: {url}  (SPARQL endpoint {url}sparql; {store.base}X is served at {url}X)", flush=True)
    if limits.public_url:
        print(f"published as {limits.public_url} (--public-url)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
