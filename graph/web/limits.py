"""The limits of ``greenplan serve`` and the bookkeeping that makes them hold.

* :class:`Limits` holds every limit with its default (the ``serve`` options set them).
* :class:`Gate` counts open connections (or, behind a trusted reverse proxy, requests in flight)
  in all and per client, and refuses the one over the bound.
* :class:`Reaper` closes a connection whose request has not fully arrived by its deadline: a
  socket read timeout alone bounds each ``recv``, not a client that sends one byte just before
  each timeout (slowloris); the reaper bounds the whole request.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time


class Limits:
    """Every limit of the server, with its default; ``serve`` options override them."""

    def __init__(self, timeout: float = 10.0, max_results: int = 10000, max_result_bytes: int = 16 << 20,
                 max_body: int = 1 << 20, read_timeout: float = 10.0, request_timeout: float = 20.0,
                 max_connections: int = 64, max_per_client: int = 8, trusted_proxies=(),
                 public_url: str | None = None, max_openers: int | None = None, max_chain: int | None = None,
                 cache_bytes: int = 32 << 20, cache_max_age: int = 60, max_memory: int = 1 << 30,
                 workers: int = 2):
        from greenplan.web import protocol

        for name, value in (("--timeout", timeout), ("--max-results", max_results),
                            ("--max-result-bytes", max_result_bytes), ("--max-body", max_body),
                            ("--read-timeout", read_timeout), ("--request-timeout", request_timeout),
                            ("--max-connections", max_connections), ("--max-per-client", max_per_client),
                            ("--max-memory", max_memory), ("--workers", workers)):
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value}")
        self.timeout = float(timeout)
        self.max_results = int(max_results)
        self.max_result_bytes = int(max_result_bytes)
        self.max_body = int(max_body)
        self.read_timeout = float(read_timeout)
        self.request_timeout = float(request_timeout)
        self.max_connections = int(max_connections)
        self.max_per_client = int(max_per_client)
        self.trusted_proxies = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise ValueError(f"--public-url must be an http:// or https:// URL, got {public_url!r}")
        self.public_url = public_url if public_url is None or public_url.endswith("/") else public_url + "/"
        for name, value in (("--cache-bytes", cache_bytes), ("--cache-max-age", cache_max_age)):
            if value < 0:
                raise ValueError(f"{name} must be 0 or more, got {value}")
        self.cache_bytes = int(cache_bytes)          # answers kept per store generation (0: none)
        self.cache_max_age = int(cache_max_age)      # Cache-Control max-age of cacheable answers, seconds
        self.max_memory = int(max_memory)            # address space one query may add in a worker, bytes
        self.workers = int(workers)                  # query worker processes
        self.max_openers = max_openers or protocol.MAX_OPENERS
        self.max_chain = max_chain or protocol.MAX_CHAIN

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted_proxies)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client a request counts against: the peer, or behind a trusted proxy the address it reports.

        ``X-Forwarded-For`` is read right to left, skipping the trusted proxies, so a client cannot
        pick its own identity by sending the header itself; from any other peer it is ignored.
        """
        if not forwarded_for or not self.trusted(peer):
            return peer
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop
        return hops[0] if hops else peer


class Gate:
    """Bounded counts: in all and per client key."""

    def __init__(self, total: int, per_client: int):
        self.total, self.per_client = total, per_client
        self._lock = threading.Lock()
        self._all = 0
        self._by_client: dict[str, int] = {}

    def enter(self, client: str | None, count_total: bool = True) -> str | None:
        """None when admitted (call :meth:`leave` later), else why not."""
        with self._lock:
            if count_total and self._all >= self.total:
                return f"the server has {self.total} connections open, its limit (--max-connections)"
            if client is not None and self._by_client.get(client, 0) >= self.per_client:
                return f"{self.per_client} connections from your address are open, the limit (--max-per-client)"
            if count_total:
                self._all += 1
            if client is not None:
                self._by_client[client] = self._by_client.get(client, 0) + 1
        return None

    def leave(self, client: str | None, count_total: bool = True) -> None:
        with self._lock:
            if count_total:
                self._all -= 1
            if client is not None:
                n = self._by_client.get(client, 0) - 1
                if n > 0:
                    self._by_client[client] = n
                else:
                    self._by_client.pop(client, None)


class Reaper:
    """Shuts down connections whose deadline has passed (checked every ``tick`` seconds)."""

    def __init__(self, tick: float = 0.1):
        self.tick = tick
        self._lock = threading.Lock()
        self._deadlines: dict[socket.socket, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="greenplan-reaper", daemon=True)
        self._thread.start()

    def watch(self, sock: socket.socket, deadline: float) -> None:
        with self._lock:
            self._deadlines[sock] = deadline

    def unwatch(self, sock: socket.socket) -> None:
        with self._lock:
            self._deadlines.pop(sock, None)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            now = time.monotonic()
            with self._lock:
                late = [s for s, d in self._deadlines.items() if d <= now]
                for s in late:
                    del self._deadlines[s]
            for s in late:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
