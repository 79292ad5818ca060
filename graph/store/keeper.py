"""The store keeper: a local process that holds one large store in memory and answers read-only SPARQL.

Loading a corpus's ``graph.nq`` costs ≈ 23 ms per plan (≈ 7 s for 300 plans), more than any query on it, and a
command-line process pays it on every call. A store that records an on-disk index (≥ ``INDEX_MIN_QUADS``
quads, :mod:`greenplan.store.core`) is therefore kept open by a keeper: one process per store directory, started
by ``greenplan build`` and, when it is not running, by the first query, which answers in-process that once
(on the index when bound to one plan, else by loading) while the keeper loads. Nothing is ever started for
a small store, nor when ``GREENPLAN_KEEPER=off``.

What it serves and what it refuses
  * Only its owner: the socket lies in a private directory (``$XDG_RUNTIME_DIR/greenplan/``, else
    ``/tmp/greenplan-UID/``) that must be a real directory (not a symbolic link), owned by the user and
    closed to everyone else (mode 0700), or neither side uses it; both sides also check the peer's user id
    (``SO_PEERCRED``). The socket's name is a hash of the store's real path. No TCP, nothing outbound.
  * Only the store it loaded: every request names the identity of the store the client reads (real path; the
    generation and content digest its manifest records; device, inode, size and modification time of that
    generation's ``graph.nq``). The keeper compares it, and the store on disk, with what it loaded; if they
    differ it refuses (the client then answers in-process and starts a new keeper) and, when the store changed
    or went away, exits. It also checks the store once a second while idle. When it loads, it digests the
    bytes of ``graph.nq`` and compares them with the digest the manifest records: a file that differs (even
    rewritten in place with the same size and time) is never served.
  * Bounded: a request is at most ``MAX_REQUEST`` bytes and must arrive within ``READ_TIMEOUT`` seconds; at
    most ``MAX_CONCURRENT`` requests run at once (more are told "busy" and answered in-process by their
    client); an answer over ``MAX_ANSWER`` bytes is refused the same way. Oxigraph cannot interrupt a running
    query, so a runaway query keeps its slot until it ends; its client gives up after ``ANSWER_TIMEOUT``
    seconds and answers in-process. ``greenplan keeper --stop`` (or SIGTERM) ends the keeper, running queries
    with it.
  * It exits after ``GREENPLAN_KEEPER_IDLE`` seconds (default 600) without a request, on SIGTERM/SIGINT, on
    a stop request, and when its store changes or disappears.

Protocol (one request per connection): the client sends ``MAGIC``, a 4-byte big-endian length and the
payload ``OP identity\\n text`` (``Q`` query, ``S`` status, ``X`` stop); the keeper answers one status byte, a
4-byte length and the body. A query's answer is pyoxigraph's own serialisation (SPARQL TSV results for
SELECT, SPARQL JSON for ASK, N-Triples for CONSTRUCT/DESCRIBE), which the client parses back into the same
pyoxigraph objects the in-process path gives, so callers see identical rows (``tests/test_keeper.py``
compares every saved query).

This module's top level imports only ``os``, ``socket`` and ``struct`` (the client runs on the query path);
the keeper's own imports come when it runs. The ``greenplan keeper`` command is :mod:`greenplan.cli.keeper`.
"""
from __future__ import annotations

import os
import socket
import struct
import sys
from typing import Any

from greenplan.store.files import GRAPH_FILE, MANIFEST, generation_dir, read_graph, read_manifest

MAGIC = b"GPK1"
MAX_REQUEST = 1 << 20            # bytes of SPARQL text (parameters already substituted)
MAX_ANSWER = 512 << 20           # bytes of serialised answer; larger ones are computed in the client's process
MAX_CONCURRENT = 4               # requests running at once
READ_TIMEOUT = 10.0              # seconds for a request to arrive whole
ANSWER_TIMEOUT = 300.0           # seconds a client waits for an answer before answering in-process
IDLE_DEFAULT = 600.0             # seconds without a request after which the keeper exits
WAIT_READY = 120.0               # seconds a corpus-wide query waits for a loading keeper
ABSENT_GRACE = 15.0              # … of which at most this long for one that has not come up at all
FILES = (MANIFEST, GRAPH_FILE)   # the store files whose identity a keeper answers for

# status bytes of an answer
SOLUTIONS, BOOLEAN, TRIPLES, STATUS, REFUSED, LOADING, BUSY, FAILED = b"V", b"J", b"T", b"S", b"R", b"L", b"B", b"E"


class Unavailable(Exception):
    """The keeper cannot answer this request; ``start`` says whether a new keeper should be started."""

    def __init__(self, why: str, start: bool = False):
        super().__init__(why)
        self.start = start


def enabled() -> bool:
    return os.environ.get("GREENPLAN_KEEPER", "").strip().lower() not in ("off", "0", "no", "false")


def idle_seconds() -> float:
    try:
        return float(os.environ.get("GREENPLAN_KEEPER_IDLE", IDLE_DEFAULT))
    except ValueError:
        return IDLE_DEFAULT


# --- where the socket lives ---------------------------------------------------------------------------

def private_dir(create: bool = False) -> str | None:
    """The user's keeper directory, or None when it is missing (and not created) or not safe to use: not a
    directory, a symbolic link, not owned by this user, or open to group or others."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    d = os.path.join(runtime, "greenplan") if os.path.isabs(runtime) else f"/tmp/greenplan-{os.getuid()}"
    if create:
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
    try:
        st = os.lstat(d)
    except OSError:
        return None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return d


def _name(directory) -> str:
    import hashlib

    return hashlib.sha256(os.path.realpath(directory).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def socket_path(directory, create: bool = False) -> str | None:
    d = private_dir(create)
    if d is None:
        return None
    path = os.path.join(d, _name(directory) + ".sock")
    return path if len(path.encode()) <= 104 else None    # AF_UNIX limit (108 on Linux, 104 elsewhere)


def identity(directory, manifest: dict | None = None) -> str:
    """The store as this process reads it (``manifest``: the one it read; else read now): real path, the
    generation and content digest the manifest records, and the device, inode, size and mtime of the
    generation's graph.nq."""
    real = os.path.realpath(directory)
    try:
        manifest = read_manifest(real) if manifest is None else manifest
        graph = generation_dir(real, manifest) / GRAPH_FILE
    except (OSError, ValueError):
        return f"{real}|{MANIFEST}:missing"
    parts = [real, f"generation:{manifest.get('generation') or '-'}", f"digest:{manifest.get('digest') or '-'}"]
    try:
        st = os.stat(graph)
        parts.append(f"{GRAPH_FILE}:{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        parts.append(f"{GRAPH_FILE}:missing")
    return "|".join(parts)


# --- client -------------------------------------------------------------------------------------------

def _peer_uid(sock: socket.socket) -> int | None:
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None                   # not Linux: the private directory alone keeps others out
    pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i")))
    return uid


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if not k:
            raise ConnectionError("connection closed early")
        got += k
    return bytes(buf)


def request(directory, op: bytes, text: str = "", timeout: float = ANSWER_TIMEOUT,
            manifest: dict | None = None) -> tuple[bytes, bytes]:
    """One request to the keeper of ``directory`` (``manifest``: the one the caller read): ``(status byte,
    body)``; raises :class:`Unavailable`."""
    path = socket_path(directory)
    if path is None:
        raise Unavailable("no private keeper directory", start=private_dir() is None)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(2.0)
        try:
            sock.connect(path)
        except OSError as e:
            raise Unavailable(f"no keeper ({e.strerror or e})", start=True) from None
        try:
            uid = _peer_uid(sock)
            if uid is not None and uid != os.getuid():
                raise Unavailable("the keeper socket belongs to another user")
            payload = op + identity(directory, manifest).encode("utf-8", "surrogateescape") + b"\n" + text.encode("utf-8")
            sock.sendall(MAGIC + struct.pack(">I", len(payload)) + payload)
            sock.settimeout(timeout)
            head = _recv_exact(sock, 5)
            return head[:1], _recv_exact(sock, struct.unpack(">I", head[1:])[0])
        except (OSError, ConnectionError, struct.error) as e:
            raise Unavailable(f"keeper failed: {e}") from None
    finally:
        sock.close()


def ask(directory, text: str, wait: bool = False, manifest: dict | None = None):
    """The keeper's answer to a SPARQL query, as pyoxigraph objects (``QuerySolutions``/``QueryBoolean``, or a
    list of triples), or None when the caller must answer in-process. A keeper is started when none is
    running or the running one serves an older build of the store. ``wait``: when the keeper is not ready
    (just started, loading), wait for it (at most ``WAIT_READY`` seconds) instead of returning None — for a
    caller that would otherwise load the whole store itself, which takes as long and competes for the CPU
    (bench/README.md)."""
    for attempt in (1, 2):
        try:
            status, body = request(directory, b"Q", text, manifest=manifest)
        except Unavailable as e:
            if not e.start or not _start_once(directory):
                return None
            status, body = LOADING, b""
        if status == REFUSED:
            if not _start_once(directory, replacing=True):   # the old keeper exits; the new one waits for it
                return None
            status = LOADING
        if status != LOADING:
            break
        if not wait or attempt == 2 or wait_ready(directory, WAIT_READY) is None:
            return None
    import pyoxigraph as ox

    try:
        if status == SOLUTIONS:
            return ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        if status == BOOLEAN:
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if status == TRIPLES:
            return [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError):
        pass
    return None                       # busy or failed: the caller answers


def _start_once(directory, replacing: bool = False) -> bool:
    """Start a keeper unless one is already starting or loading (its lock is held); ``replacing``: the running
    one serves an older build and is exiting (the new one waits for its lock). False when it cannot be
    started (no safe socket directory)."""
    if not replacing and _lock_held(directory):
        return True
    return start(directory)


def status(directory) -> dict | None:
    """The running keeper's state (pid, store, requests answered, load time …) or None."""
    import json

    try:
        code, body = request(directory, b"S", timeout=10.0)
    except Unavailable:
        return None
    return json.loads(body) if code in (STATUS, LOADING) else None


def stop(directory, wait: float = 10.0) -> bool:
    """Ask the keeper of ``directory`` to exit and wait until it has; True if one was running."""
    import time

    try:
        request(directory, b"X", timeout=10.0)
    except Unavailable:
        return False
    end = time.monotonic() + wait
    while time.monotonic() < end and _lock_held(directory):
        time.sleep(0.02)
    return True


def _lock_held(directory) -> bool:
    import fcntl

    path = socket_path(directory)
    if path is None:
        return False
    try:
        fd = os.open(path[:-5] + ".lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


# A tiny interpreter (no site packages: starts in ≈ 10 ms) forks the keeper into the background and exits,
# so the keeper is nobody's child: no zombie in a long-running caller, no terminal, a session of its own.
_DETACH = "import os,sys\nif os.fork()==0:\n os.execv(sys.argv[1],sys.argv[1:])\nos._exit(0)"


def start(directory) -> bool:
    """Start a keeper for ``directory`` in the background (returns at once; the keeper loads the store and
    then listens; a second keeper for the same store waits for the first to exit, or gives up)."""
    import subprocess

    path = socket_path(directory, create=True)
    if path is None:
        return False
    try:
        log = os.open(path[:-5] + ".log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return False
    try:
        subprocess.run([sys.executable, "-S", "-c", _DETACH, sys.executable, "-m", "greenplan.store.keeper",
                        os.path.realpath(directory)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, close_fds=True, cwd="/",
                       start_new_session=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        os.close(log)
    return True


def restart(directory) -> bool:
    """After a build: ask the keeper of the old store, if any, to exit, and start one for the new without
    waiting for the old one to go (the new one waits for its lock; a build or add need not)."""
    try:
        request(directory, b"X", timeout=10.0)
    except Unavailable:
        pass
    return start(directory)


def wait_ready(directory, timeout: float, absent: float = ABSENT_GRACE) -> dict | None:
    """Poll until the keeper answers queries (its status says loaded); None after ``timeout`` seconds, or
    after ``absent`` seconds in which no keeper (not even a loading one) answered."""
    import time

    now = time.monotonic()
    end, seen = now + timeout, now
    while True:
        state = status(directory)
        now = time.monotonic()
        if state and state.get("state") == "ready":
            return state
        if state:
            seen = now
        if now >= end or now - seen > absent:
            return None
        time.sleep(0.05)


# --- the keeper ---------------------------------------------------------------------------------------

class _Capped:
    """A write-only buffer that stops a serialisation past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.parts: list[bytes] = []
        self.size, self.limit = 0, limit

    def write(self, b) -> int:
        self.size += len(b)
        if self.size > self.limit:
            raise OverflowError("answer too large for the keeper")
        self.parts.append(bytes(b))
        return len(b)

    def flush(self) -> None:
        pass


class Keeper:
    def __init__(self, directory: str, idle: float):
        import threading
        import time

        self.directory = os.path.realpath(directory)
        self.idle = idle
        try:
            self.manifest = read_manifest(self.directory)
        except (OSError, ValueError):
            self.manifest = {}
        self.identity = identity(self.directory, self.manifest)
        self.store: Any = None       # the loaded pyoxigraph Store, once loaded
        self.loaded = threading.Event()
        self.stopping = threading.Event()
        self.slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self.lock = threading.Lock()
        self.requests = 0
        self.in_flight = 0
        self.started = time.time()
        self.last = time.monotonic()
        self.load_seconds: float | None = None
        self.why = ""

    # loading runs in a thread (Oxigraph releases the GIL), so status requests are answered meanwhile
    def load(self) -> None:
        import threading
        import time

        t = time.perf_counter()
        try:
            graph = generation_dir(self.directory, self.manifest) / GRAPH_FILE
        except ValueError as e:
            self.exit(f"cannot load the store: {e}")
            return
        differs: list = []
        checker = None
        if self.manifest.get("graphs") is not None:     # digest the bytes while Oxigraph parses them (both free the GIL)
            from greenplan.store.generation import table_digest, verify

            def check():
                try:
                    differs.append(verify(graph, self.manifest["graphs"]) or
                                   (None if table_digest(self.manifest["graphs"]) == self.manifest.get("digest")
                                    else "the manifest's digest does not match its table"))
                except (OSError, KeyError, TypeError) as e:
                    differs.append(str(e))

            checker = threading.Thread(target=check, daemon=True)
            checker.start()
        try:
            store = read_graph(graph)
        except (OSError, SyntaxError, ValueError) as e:
            self.exit(f"cannot load the store: {e}")
            return
        if checker is not None:
            checker.join()
            if differs[0]:
                self.exit(f"graph.nq does not match its manifest ({differs[0]}); not serving it")
                return
        if identity(self.directory) != self.identity:
            self.exit("the store changed while it was loading")
            return
        self.store = store
        self.load_seconds = time.perf_counter() - t
        self.last = time.monotonic()
        self.loaded.set()

    def exit(self, why: str) -> None:
        if not self.stopping.is_set():
            self.why = why
            self.stopping.set()

    def status(self) -> dict:
        return {"pid": os.getpid(), "store": self.directory, "generation": self.manifest.get("generation"),
                "state": "ready" if self.loaded.is_set() else "loading",
                "requests": self.requests, "in_flight": self.in_flight, "load_seconds": self.load_seconds,
                "started": self.started, "idle_exit_seconds": self.idle}

    def handle(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(READ_TIMEOUT)
                uid = _peer_uid(conn)
                if uid is not None and uid != os.getuid():
                    return
                head = _recv_exact(conn, 8)
                (n,) = struct.unpack(">I", head[4:])
                if head[:4] != MAGIC or n > MAX_REQUEST or n < 2:
                    return
                payload = _recv_exact(conn, n)
                code, body = self.answer(payload)
                conn.settimeout(ANSWER_TIMEOUT)
                conn.sendall(code + struct.pack(">I", len(body)) + body)
        except (OSError, ConnectionError, struct.error):
            pass

    def answer(self, payload: bytes) -> tuple[bytes, bytes]:
        import json
        import time

        op, rest = payload[:1], payload[1:]
        ident, _, text = rest.partition(b"\n")
        if op == b"S":
            return (STATUS if self.loaded.is_set() else LOADING), json.dumps(self.status()).encode()
        if op == b"X":
            self.exit("asked to stop")
            return STATUS, b"{}"
        if op != b"Q":
            return FAILED, b"unknown request"
        now = identity(self.directory)
        if now != self.identity:
            self.exit("the store changed or went away")
            return REFUSED, b"the store changed"
        if ident.decode("utf-8", "surrogateescape") != self.identity:
            return REFUSED, b"another store"
        if not self.loaded.is_set():
            return LOADING, b""
        if not self.slots.acquire(blocking=False):
            return BUSY, b""
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.last = time.monotonic()
        try:
            return self.run(text.decode("utf-8"))
        finally:
            with self.lock:
                self.in_flight -= 1
                self.last = time.monotonic()
            self.slots.release()

    def run(self, text: str) -> tuple[bytes, bytes]:
        import pyoxigraph as ox

        try:
            result = self.store.query(text)
            out: Any = _Capped(MAX_ANSWER)     # a file-like object pyoxigraph writes into
            if isinstance(result, ox.QueryTriples):
                result.serialize(out, ox.RdfFormat.N_TRIPLES)
                return TRIPLES, b"".join(out.parts)
            if isinstance(result, ox.QueryBoolean):
                result.serialize(out, ox.QueryResultsFormat.JSON)
                return BOOLEAN, b"".join(out.parts)
            result.serialize(out, ox.QueryResultsFormat.TSV)     # 3× smaller than JSON, parsed faster
            return SOLUTIONS, b"".join(out.parts)
        except Exception as e:        # noqa: BLE001 – any failure: the client answers in-process, with its own error
            return FAILED, str(e).encode("utf-8", "replace")[:1000]

    def serve(self) -> int:
        import fcntl
        import signal
        import threading
        import time

        path = socket_path(self.directory, create=True)
        if path is None:
            print("greenplan keeper: no private directory for the socket ($XDG_RUNTIME_DIR/greenplan or "
                  "/tmp/greenplan-UID must be a directory of this user's, mode 0700, not a symbolic link)",
                  file=sys.stderr)
            return 2
        lock = os.open(path[:-5] + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        end = time.monotonic() + 5.0
        while True:                       # one keeper per store: a second waits briefly for the first to exit
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > end:
                    return 0
                time.sleep(0.05)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: self.exit("signal"))
        try:
            os.unlink(path)              # a socket left by a keeper that was killed
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(path)
        finally:
            os.umask(old)
        bound = os.stat(path).st_ino
        listener.listen(16)
        listener.settimeout(1.0)
        threading.Thread(target=self.load, daemon=True).start()
        print(f"greenplan keeper {os.getpid()}: serving {self.directory} on {path}", file=sys.stderr, flush=True)
        try:
            while not self.stopping.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    conn = None
                except OSError:
                    conn = None
                    if self.stopping.is_set():
                        break
                if conn is not None:
                    threading.Thread(target=self.handle, args=(conn,), daemon=True).start()
                    continue
                if identity(self.directory) != self.identity:
                    self.exit("the store changed or went away")
                elif self.loaded.is_set() and self.in_flight == 0 and time.monotonic() - self.last > self.idle:
                    self.exit(f"idle for {self.idle:g} s")
        finally:
            listener.close()
            try:
                if os.stat(path).st_ino == bound:
                    os.unlink(path)
            except OSError:
                pass
            print(f"greenplan keeper {os.getpid()}: exiting ({self.why})", file=sys.stderr, flush=True)
        return 0


def run_keeper(directory: str) -> int:
    """The keeper process (``python -m greenplan.store.keeper DIR``): serve until idle, stopped or the store changes."""
    return Keeper(directory, idle_seconds()).serve()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m greenplan.store.keeper STORE_DIR")
    sys.exit(run_keeper(sys.argv[1]))
