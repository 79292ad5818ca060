"""``--out`` cannot hurt (issue 15, "Writes"): devices and FIFOs written in place, symlinks kept,
regular files replaced atomically with their mode, OS errors one line with exit 2 and the old file
intact, no temporary file left behind, not even when the command is killed.

Devices are probed with a FIFO and a symlink in a temporary directory (never /dev/null)."""
from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from greenplan.output import OutputError, replace_file, write_output

ROOT = Path(__file__).resolve().parents[2]


def greenplan(*args, preexec=None, **kw):
    return subprocess.run([sys.executable, "-m", "greenplan.cli.main", *args], capture_output=True, text=True,
                          timeout=120, preexec_fn=preexec, **kw)


def tmp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_fifo_is_written_in_place(store, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = {}

    def read():
        with open(fifo, "rb") as fh:
            got["data"] = fh.read()

    reader = threading.Thread(target=read)
    reader.start()
    proc = greenplan("query", "tasks", "--format", "csv", "--store", str(store.directory), "--out", str(fifo))
    reader.join(60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)                   # still a FIFO, not a regular file
    lines = got["data"].decode("utf-8").splitlines()
    assert len(lines) == 113 and lines[0].startswith("number")   # header + the 112 tasks of annex 1
    assert tmp_files(tmp_path) == []


def test_symlink_to_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("data", open(fifo, "rb").read()))
    reader.start()
    write_output(link, "hello\n")
    reader.join(10)
    assert got["data"] == b"hello\n"
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_symlink_to_a_file_stays_a_link_and_the_file_keeps_its_mode(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    write_output(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert tmp_files(tmp_path) == []


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_output(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640


def test_existing_file_keeps_its_mode(tmp_path):
    f = tmp_path / "kept.txt"
    f.write_text("old")
    os.chmod(f, 0o604)
    write_output(f, "new")
    assert f.read_text() == "new" and stat.S_IMODE(os.stat(f).st_mode) == 0o604


def test_dash_is_standard_output(store):
    proc = greenplan("query", "projects", "--format", "csv", "--store", str(store.directory), "--out", "-")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 25     # header + annex 2's 24 projects


@pytest.mark.parametrize("case", ["directory", "parent-is-a-file", "file-size-limit"])
def test_os_errors_are_one_line_exit_2_and_the_old_file_is_intact(store, tmp_path, case):
    old = tmp_path / "old.csv"
    old.write_text("previous content\n")
    preexec = None
    if case == "directory":
        out = tmp_path / "dir"
        out.mkdir()
    elif case == "parent-is-a-file":
        out = old / "x.csv"
    else:
        out = old

        def preexec():
            resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))    # the new CSV is ~30 KB
    proc = greenplan("query", "tasks", "--format", "csv", "--store", str(store.directory), "--out", str(out),
                     preexec=preexec)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("greenplan: error: ") and "Traceback" not in proc.stderr
    assert str(out) in lines[0]
    assert old.read_text() == "previous content\n"
    assert tmp_files(tmp_path) == [] and (not out.is_dir() or list(out.iterdir()) == [])


def test_disk_full_on_a_device_is_one_line(tmp_path):
    """A character device that refuses data (ENOSPC): /dev/full behind a symlink in the temp dir."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    with pytest.raises(OutputError) as e:
        write_output(link, "x" * 100_000)
    assert str(link) in str(e.value) and "\n" not in str(e.value)


def test_failed_writer_leaves_no_temporary_file(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("old")

    def boom(fh):
        fh.write(b"partial")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        replace_file(f, boom)
    assert f.read_text() == "old" and tmp_files(tmp_path) == []


KILLED = """
import sys, time
from pathlib import Path
from greenplan.output import exit_on_signals, replace_file
exit_on_signals()
def slow(fh):
    fh.write(b"partial")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
replace_file(Path(sys.argv[1]), slow)
"""


def default_signals():
    """In the child, before exec: the default disposition of the signals the tests send. A suite started under
    ``nohup`` or as a background job hands its children SIGHUP/SIGINT ignored, and Python keeps an inherited
    ignore; the tests must not depend on how the suite was started."""
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_killed_write_leaves_no_temporary_file(tmp_path, sig):
    target = tmp_path / "graph.nq"
    target.write_text("old\n")
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(target)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT, preexec_fn=default_signals)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert len(tmp_files(tmp_path)) == 1           # the temporary file exists while writing
        proc.send_signal(sig)
        proc.wait(30)
    finally:
        proc.kill() if proc.poll() is None else None
        proc.stdout.close()
    assert tmp_files(tmp_path) == [] and target.read_text() == "old\n"


def test_a_killed_build_leaves_no_temporary_file(tmp_path, source):
    """SIGTERM at some point of `greenplan build`: whenever it lands, no graph.nq.*.tmp stays."""
    store_dir = tmp_path / "store"
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "greenplan.cli.main", "build", "--store", str(store_dir),
                                 "--source", str(source)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=default_signals)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        if store_dir.exists():
            assert tmp_files(store_dir) == []
