"""Writing output files so that a failure cannot hurt: ``--out`` of every command and the store files.

* ``-`` is standard output.
* A target that exists and is not a regular file — a character device, a FIFO, a socket, or a
  symbolic link to one — is written in place: it is opened and written, never replaced (replacing
  ``/dev/null`` with a regular file is what a rename would do).
* A regular file (or a new one) is replaced atomically: the data go to a temporary file next to
  it (a symbolic link is followed, so the link stays a link), which is flushed to disk and renamed
  over the target.
* No folder is ever created: a target whose folder is missing (also through a dangling symbolic
  link) is refused with one line.
* A symbolic link anywhere on the path is followed only when it is the user's own, or root's outside a
  sticky world-writable folder not owned by root (the rule the kernel's ``fs.protected_symlinks`` applies
  in such folders, checked here too so that it is not the only defence): a link another user planted in
  ``/tmp`` or in a shared folder is refused with one line, never written through.  The target keeps its permission bits (and, when allowed, its owner); a new file
  gets the mode the umask gives (``0o666 & ~umask``), not the temporary file's 0600.
* Every OS error (disk full, read-only file system, file-size limit, a directory as target, a parent
  that is a file or missing) is an :class:`OutputError` with one line naming the path; the previous
  file is intact and the temporary file removed.  The temporary file is removed on every way out,
  including SIGTERM/SIGHUP/SIGINT once :func:`exit_on_signals` has turned them into exceptions.
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from greenplan.errors import GreenplanError


class OutputError(GreenplanError, OSError):
    """An output that could not be written; the message is one line for the user."""


def exit_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into SystemExit (SIGINT is already KeyboardInterrupt), so that
    ``finally`` blocks run and temporary files go away when the command is killed."""
    try:       # the C module: the signal module wraps it in enums (≈ 0.7 ms of every command)
        import _signal as signal
    except ImportError:
        import signal

    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _exit)


def _message(path, e: OSError) -> str:
    reason = e.strerror or str(e)
    return f"{path}: cannot write the output ({reason}); the previous file, if any, is unchanged"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(target: str | os.PathLike | None, data: bytes | str) -> None:
    """Write ``data`` to ``target`` (``None`` or ``-``: standard output) as the module doc says."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target is None or str(target) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    replace_file(Path(target), lambda fh: fh.write(payload))


def replace_file(path: Path, writer) -> None:
    """Call ``writer(binary file)`` to make the new content of ``path``, written in place or atomically."""
    real = Path(followed(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:     # e.g. a parent that is a file (ENOTDIR)
        raise OutputError(_message(path, e)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory; give a file name to write to")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(real, writer, shown=path)
        return
    if st is None and not os.path.isdir(real.parent):
        where = f" (the symbolic link {path} points there)" if str(real) != os.path.abspath(path) else ""
        raise OutputError(f"{path}: cannot write the output: the folder {real.parent} does not exist{where}; "
                          f"create it first (greenplan never creates folders for an output)")
    _write_atomically(real, writer, st, shown=path)


MAX_LINKS = 40      # symbolic links followed on one path, as Linux allows


def may_follow(link: os.stat_result, folder: os.stat_result) -> bool:
    """Whether a symbolic link (its lstat) in ``folder`` (its stat) may be followed: the user's own link, or
    root's unless it lies in a sticky world-writable folder that root does not own."""
    if link.st_uid == os.geteuid():
        return True
    sticky_shared = bool(folder.st_mode & stat.S_ISVTX) and bool(folder.st_mode & stat.S_IWOTH)
    return link.st_uid == 0 and (not sticky_shared or folder.st_uid == 0)


def followed(path) -> str:
    """The path with every symbolic link on it resolved, each checked with :func:`may_follow` (OutputError
    otherwise); a missing part ends the walk (the rest is kept as written)."""
    shown = path
    pending = list(reversed(Path(os.path.join(os.getcwd(), os.fspath(path))).parts[1:]))
    current, hops = "/", 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, name)
        try:
            st = os.lstat(candidate)
        except FileNotFoundError:
            return os.path.join(candidate, *reversed(pending))
        except OSError as e:
            raise OutputError(_message(shown, e)) from None
        if not stat.S_ISLNK(st.st_mode):
            current = candidate
            continue
        hops += 1
        if hops > MAX_LINKS:
            raise OutputError(f"{shown}: cannot write the output (too many levels of symbolic links)")
        if not may_follow(st, os.stat(current)):
            raise OutputError(f"{shown}: refusing to write through the symbolic link {candidate}: it belongs to "
                              f"user id {st.st_uid}, not to you" +
                              (" (in a sticky world-writable folder)" if st.st_uid == 0 else "") +
                              "; write to a path of your own")
        target = os.readlink(candidate)
        if os.path.isabs(target):
            current = "/"
        pending.extend(reversed(Path(target).parts[1:] if os.path.isabs(target) else Path(target).parts))
    return current


def _write_in_place(path: Path, writer, shown: Path) -> None:
    try:
        with open(path, "wb") as fh:
            writer(fh)
    except OSError as e:
        raise OutputError(_message(shown, e)) from None


def _write_atomically(path: Path, writer, st, shown: Path) -> None:
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(_message(shown, e)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
            fh.flush()
            if st is not None:
                os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
                try:
                    os.fchown(fh.fileno(), st.st_uid, st.st_gid)
                except OSError:
                    pass     # not allowed to give it away: the writer owns the new file
            else:
                os.fchmod(fh.fileno(), 0o666 & ~_umask())
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        _remove(tmp)
        raise OutputError(_message(shown, e)) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
