"""Writing a store's generations: one writer at a time, everything aside, one rename to switch.

``with writing(directory, log) as gen:`` takes the store's lock (``.lock``, ``flock``: a second build, add or
remove of the same store waits for the first and says so on ``log``), removes what earlier writers left
(building folders of killed writers, generations neither current nor previous, temporary files, the files of
a store written before generations once they are no longer the previous generation; in a thread, while the
caller reads and builds), and opens a new
generation folder aside (``.gen-000008-….building/``). The caller writes ``graph.nq`` (:func:`write_graph`) and
the index into it; ``gen.commit(manifest)`` renames the folder to ``gen-000008-…/`` and then replaces
``manifest.json`` atomically — the one rename that switches readers to the new generation. Anything that
stops the writer before that rename (an error, Ctrl-C, ``kill -9``) leaves the previous generation current and
whole; a building folder left by ``kill -9`` is removed by the next writer.

The previous generation is kept until the next switch, so that a reader that read the manifest just before a
switch still finds its files; the one before it is removed by the next writer (so a store directory holds at
most three generations between writes).

``graph.nq`` is written as chunks, one per named graph in sorted order; the manifest's ``graphs`` table gives
each chunk's graph, offset, length, quads and BLAKE2b digest, and ``digest`` is the digest of that table: what
the keeper compares with the content it loaded, and what lets ``greenplan add`` copy the chunks of unchanged
plans byte for byte (``os.copy_file_range``) instead of parsing and serialising them again.
"""
from __future__ import annotations

import os
import re
import shutil
from collections import namedtuple
from contextlib import contextmanager
from pathlib import Path

from greenplan.errors import GreenplanError
from greenplan.store.files import GRAPH_FILE, INDEX_DIR, LOCK_FILE, MANIFEST, read_manifest
from greenplan.store.fingerprint import new_hash


class LockError(GreenplanError, OSError):
    """The store's lock file cannot be opened (one line for the user)."""


# gen-000007-3fa85c1e: a number (one more than any before) and 8 random hex digits, so that a name never
# stands for two contents, even in a store directory removed and built anew (a server's cache and ETags key on it)
GENERATION = re.compile(r"gen-(\d{6,})-[0-9a-f]{8}\Z")
BUILDING = re.compile(r"\.gen-\d{6,}-[0-9a-f]{8}\.building\Z")
NUMBERED = re.compile(r"\.?gen-(\d{6,})-[0-9a-f]{8}(?:\.building)?\Z")
LEFTOVER_FILES = re.compile(r"(manifest\.json|graph\.nq)\..+\.tmp\Z")        # atomic writes cut by kill -9
LEFTOVER_DIRS = re.compile(r"\.index\..+\.building\Z|\.index\.old\Z")          # index builds before generations

# One chunk of graph.nq: a named graph's quads as N-Quads. ``data`` holds the bytes of a freshly built graph;
# a chunk kept from the previous generation has ``data`` None and is copied from ``source`` at ``offset``.
Chunk = namedtuple("Chunk", "graph quads length digest data source offset")


def chunks(quads) -> list[Chunk]:
    """Sorted, unique quads (``greenplan.build.dataset.build``) as one chunk per named graph."""
    import pyoxigraph as ox

    from greenplan.quads import to_bytes

    out, start = [], 0
    for i in range(1, len(quads) + 1):
        if i == len(quads) or quads[i].graph_name != quads[start].graph_name:
            data = to_bytes(quads[start:i], ox.RdfFormat.N_QUADS)
            out.append(Chunk(str(quads[start].graph_name), i - start, len(data), _digest(data), data, None, 0))
            start = i
    return out


def kept_chunks(directory: Path, manifest: dict) -> dict[str, Chunk]:
    """The chunks of the current generation's graph.nq, by graph (to be copied into the next one)."""
    from greenplan.store.files import generation_dir

    source = generation_dir(directory, manifest) / GRAPH_FILE
    return {g["graph"]: Chunk(g["graph"], g["quads"], g["length"], g["digest"], None, source, g["offset"])
            for g in manifest.get("graphs", [])}


def _digest(data: bytes) -> str:
    h = new_hash()
    h.update(data)
    return h.hexdigest()


def table_digest(table: list[dict]) -> str:
    """The digest of a whole graph.nq: of its graphs and their chunks' digests, in file order."""
    h = new_hash()
    for g in table:
        h.update(f"{g['graph']}\t{g['length']}\t{g['digest']}\n".encode())
    return h.hexdigest()


def verify(path: Path, table: list[dict]) -> str | None:
    """Read ``path`` and compare it with ``table`` (the manifest's ``graphs``): None when every chunk's bytes
    have the recorded digest and nothing follows them, else what differs."""
    end = 0
    with open(path, "rb") as fh:
        for g in table:
            if g["offset"] != end:
                return f"chunk {g['graph']} does not start where the previous one ends"
            data = fh.read(g["length"])
            if len(data) != g["length"] or _digest(data) != g["digest"]:
                return f"the quads of {g['graph']} differ from those the manifest records"
            end += g["length"]
        if fh.read(1):
            return "the file is longer than the manifest records"
    return None


def write_graph(path: Path, parts: list[Chunk]) -> list[dict]:
    """Write graph.nq from chunks in graph order (new bytes, or ranges copied from an earlier graph.nq);
    returns the manifest's ``graphs`` table."""
    table, offset = [], 0
    sources: dict[Path, int] = {}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        for c in sorted(parts, key=lambda c: c.graph):
            if c.data is not None:
                _write_all(fd, c.data)
            else:
                if c.source not in sources:
                    sources[c.source] = os.open(c.source, os.O_RDONLY | os.O_CLOEXEC)
                _copy(sources[c.source], fd, c.offset, c.length)
            table.append({"graph": c.graph, "offset": offset, "length": c.length, "quads": c.quads,
                          "digest": c.digest})
            offset += c.length
        os.fsync(fd)
    finally:
        os.close(fd)
        for s in sources.values():
            os.close(s)
    return table


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy(src: int, dst: int, offset: int, length: int) -> None:
    while length:
        try:
            n = os.copy_file_range(src, dst, length, offset)
        except OSError:          # another file system, or no copy_file_range: read and write
            os.lseek(src, offset, os.SEEK_SET)
            n = len(data := os.read(src, min(length, 1 << 24)))
            _write_all(dst, data)
        if n == 0:
            raise OSError("graph.nq of the previous generation is shorter than its manifest records")
        offset += n
        length -= n


class Generation:
    """A new generation being written (see the module doc)."""

    def __init__(self, directory: Path):
        self.directory = directory
        try:
            self.current: dict | None = read_manifest(directory)
        except (OSError, ValueError):
            self.current = None
        # above every generation and building folder there is (those of killed writers are being removed)
        numbers = [int(m.group(1)) for m in map(NUMBERED.match, os.listdir(directory)) if m]
        cur = GENERATION.match((self.current or {}).get("generation") or "")
        numbers.append(int(cur.group(1)) if cur else 0)
        import secrets

        self.name = f"gen-{max(numbers) + 1:06d}-{secrets.token_hex(4)}"
        self.folder = directory / f".{self.name}.building"
        self.folder.mkdir()
        self.committed = False

    def path(self, name: str) -> Path:
        return self.folder / name

    def commit(self, manifest: dict) -> dict:
        """Switch readers to this generation: rename its folder into place, then replace the manifest."""
        import json

        from greenplan.output import replace_file

        previous = self.current.get("generation", "") if self.current else None    # "": files before generations
        manifest = dict(manifest, generation=self.name, previous=previous)
        _fsync_dir(self.folder)
        os.rename(self.folder, self.directory / self.name)
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        replace_file(self.directory / MANIFEST, lambda fh: fh.write(data))
        _fsync_dir(self.directory)
        self.committed = True
        self.current = manifest
        return manifest

    def discard(self) -> None:
        if not self.committed:
            shutil.rmtree(self.folder, ignore_errors=True)


def stale(directory: Path) -> list[str]:
    """What no reader can need (listed with the lock held): building folders of killed writers, generations
    neither current nor previous, temporary files, and the files of a store written before generations once
    they are no longer the previous generation."""
    try:
        manifest = read_manifest(directory)
    except (OSError, ValueError):
        manifest = {}
    keep = {manifest.get("generation"), manifest.get("previous")} - {None, ""}
    out = [entry.path for entry in os.scandir(directory)
           if BUILDING.match(entry.name) or LEFTOVER_DIRS.match(entry.name) or LEFTOVER_FILES.match(entry.name)
           or (GENERATION.match(entry.name) and entry.name not in keep)]
    if manifest.get("generation") and manifest.get("previous") not in ("",):
        out += [str(p) for p in (directory / GRAPH_FILE, directory / INDEX_DIR) if os.path.lexists(p)]
    return out


def remove_all(paths: list[str]) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            _unlink(path)


def clean(directory: Path) -> None:
    """Remove what no reader can need (call with the lock held): :func:`stale`."""
    remove_all(stale(directory))


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def writing(directory: Path, log=None):
    """Hold the store's lock and yield a new :class:`Generation` (discarded unless committed)."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise LockError(f"{directory}: cannot open the store's lock file {LOCK_FILE} ({e.strerror or e})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log:
                log(f"{directory}: another greenplan build, add or remove is writing this store; waiting for it …")
            fcntl.flock(fd, fcntl.LOCK_EX)
        # what earlier writers left is listed now and removed while this one reads and builds (unlinking a
        # corpus's graph.nq takes ≈ 0.1 s); the generation this one makes previous-but-one goes at the next write
        import threading

        cleaner = threading.Thread(target=remove_all, args=(stale(directory),), name="greenplan-store-clean")
        cleaner.start()
        gen = Generation(directory)
        try:
            yield gen
        finally:
            gen.discard()
            cleaner.join()
    finally:
        os.close(fd)
