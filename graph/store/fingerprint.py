"""What decides the graph besides its sources: a digest of the installed package's code and data files.

The store cache key includes it, so a store built by older code (or older ontology, shapes, queries) is
never answered from after an upgrade or an edit.  It covers every ``.py`` file of ``greenplan`` (``graph/``)
and ``greenplan.loaders`` (``loaders/``), and every file of the data packages (``ontology/``,
``shapes/``, ``queries/``, ``data/``), a newly added file included.

It sits on the cold query path, so the content hash is computed once per state of the files: the digest
is cached under the files' stat signature (path, size, mtime, ctime, inode); any write to a file, or a
new or removed file, changes the signature and the contents are hashed again (≈ 1 ms to stat them).
"""
from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

try:                     # the C BLAKE2 module alone: hashlib would load OpenSSL (≈ 2 ms on every query)
    from _blake2 import blake2b
except ImportError:      # a Python built without it
    from hashlib import blake2b

CODE_PACKAGES = ("greenplan", "greenplan.loaders")               # their .py files
DATA_PACKAGES = ("greenplan.ontology", "greenplan.shapes", "greenplan.queries", "greenplan.data")  # all files
SKIP_DIRS = {"__pycache__", "static"}                              # compiled files; the web UI's assets


def new_hash():
    """A fresh 256-bit BLAKE2b: the hash of the store cache keys and the code digest."""
    return blake2b(digest_size=32)


def _roots() -> dict[str, Path]:
    """Each package's folder, found by the import system without importing it (importlib.resources costs
    ≈ 5 ms on the cold path)."""
    out = {}
    for name in CODE_PACKAGES + DATA_PACKAGES:
        spec = find_spec(name)
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise RuntimeError(f"greenplan is not installed whole: package {name} is missing; reinstall it")
        out[name] = Path(locations[0])
    return out


def package_files() -> list[tuple[str, str]]:
    """(name in the digest, path) of every file that decides the graph, sorted by name (plain strings and
    os.scandir: this runs on every cold query)."""
    roots = {name: str(path) for name, path in _roots().items()}
    nested = set(roots.values())
    out: list[tuple[str, str]] = []

    def walk(package: str, directory: str, prefix: str, code: bool) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    # a package nested inside another (installed wheel layout) is walked as itself
                    if entry.name not in SKIP_DIRS and entry.path not in nested:
                        walk(package, entry.path, f"{prefix}{entry.name}/", code)
                elif entry.name.endswith(".py") if code else not entry.name.endswith((".pyc", ".pyo")):
                    out.append((f"{package}/{prefix}{entry.name}", entry.path))

    for package, root in roots.items():
        walk(package, root, "", package in CODE_PACKAGES)
    return sorted(out)


def _content_digest(files: list[tuple[str, str]]) -> str:
    h = new_hash()
    for name, path in files:
        with open(path, "rb") as fh:
            data = fh.read()
        h.update(f"{name}\n{len(data)}\n".encode() + data)
    return h.hexdigest()


def code_digest(cache: Path | None = None) -> str:
    """Digest of the package's code and data files; remembered in ``cache`` (a folder) by stat signature."""
    files = package_files()
    signature = new_hash()
    for name, path in files:
        st = os.stat(path)
        signature.update(f"{name}\t{path}\t{st.st_size}\t{st.st_mtime_ns}\t{st.st_ctime_ns}\t{st.st_ino}\n".encode())
    remembered = cache / signature.hexdigest()[:32] if cache else None
    if remembered is not None:
        try:
            digest = remembered.read_text(encoding="ascii").strip()
            if len(digest) == 64:
                return digest
        except OSError:
            pass
    digest = _content_digest(files)
    if remembered is not None:
        _remember(remembered, digest)
    return digest


def _remember(path: Path, digest: str) -> None:
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError:   # a read-only cache only costs the hashing next time
        return
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(digest + "\n")
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
