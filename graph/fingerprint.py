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

import hashlib
import os
import tempfile
from pathlib import Path

CODE_PACKAGES = ("greenplan", "greenplan.loaders")               # their .py files
DATA_PACKAGES = ("greenplan.ontology", "greenplan.shapes", "greenplan.queries", "greenplan.data")  # all files
SKIP_DIRS = {"__pycache__", "static"}                              # compiled files; the web UI's assets


def _roots() -> dict[str, Path]:
    from importlib.resources import files

    return {name: Path(str(files(name))) for name in CODE_PACKAGES + DATA_PACKAGES}


def package_files() -> list[tuple[str, str]]:
    """(name in the digest, path) of every file that decides the graph, sorted by name."""
    roots = _roots()
    nested = {p for p in roots.values()}
    out = []
    for package, root in roots.items():
        code = package in CODE_PACKAGES
        for directory, dirs, names in os.walk(root):
            here = Path(directory)
            # a package nested inside another (installed wheel layout) is walked as itself
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and (here / d) not in nested)
            for n in names:
                if n.endswith(".py") if code else not n.endswith((".pyc", ".pyo")):
                    path = os.path.join(directory, n)
                    out.append((f"{package}/{Path(path).relative_to(root).as_posix()}", path))
    return sorted(out)


def _content_digest(files: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, path in files:
        with open(path, "rb") as fh:
            data = fh.read()
        h.update(f"{name}\n{len(data)}\n".encode() + data)
    return h.hexdigest()


def code_digest(cache: Path | None = None) -> str:
    """Digest of the package's code and data files; remembered in ``cache`` (a folder) by stat signature."""
    files = package_files()
    signature = hashlib.sha256()
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
