"""Issue 24, URL sources: each hostile answer of the second pass, from a scripted server on 127.0.0.1.

Every failure is one PlanFormatError line naming the URL (the CLI prints it and exits 2) and leaves
nothing in the sources directory; the waits are bounded by the fetch's deadline, set small here."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from greenplan.loaders import fetch, limits
from greenplan.loaders.errors import PlanFormatError
from greenplan.resources import bundled_plan

PAGE = bundled_plan().read_bytes()


class Scripted:
    """A TCP server on 127.0.0.1 that answers every connection with ``script(path, send)``."""

    def __init__(self, script):
        self.script = script
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str = "/plan.txt") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            path = head.split(b" ")[1].decode()
            self.requests.append(path)
            try:
                self.script(path, conn.sendall)
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.sock.close()


@pytest.fixture
def short_deadline(monkeypatch):
    monkeypatch.setattr(limits, "FETCH_DEADLINE", 1.5, raising=False)
    monkeypatch.setattr(limits, "FETCH_READ_TIMEOUT", 1.0, raising=False)


def _refused(tmp_path, script, path="/plan.txt", **kw) -> str:
    server = Scripted(script)
    try:
        with pytest.raises(PlanFormatError) as info:
            fetch.kept_copy(server.url(path), tmp_path / "sources", **kw)
    finally:
        server.close()
    message = str(info.value)
    assert "\n" not in message and server.url(path) in message, message
    assert not (tmp_path / "sources").exists() or not any((tmp_path / "sources").iterdir())   # nothing kept
    return message


def _ok(body: bytes = PAGE, extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def test_120_headers_are_one_line(tmp_path, short_deadline):
    pad = b"".join(b"X-H%d: v\r\n" % i for i in range(120))
    assert "header" in _refused(tmp_path, lambda p, send: send(_ok(extra=pad)))


def test_a_status_line_that_is_no_status_line(tmp_path, short_deadline):
    assert "status line" in _refused(tmp_path, lambda p, send: send(b"HELLO WORLD\r\n\r\n" + PAGE))


def test_a_70_kb_status_line(tmp_path, short_deadline):
    assert "64 KiB" in _refused(tmp_path, lambda p, send: send(b"HTTP/1.1 200 " + b"O" * 70_000 + b"\r\n\r\n"))


def test_a_chunked_body_cut_off(tmp_path, short_deadline):
    def script(path, send):
        send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
             + b"%x\r\n" % 1000 + PAGE[:1000] + b"\r\n" + b"%x\r\n" % 5000 + PAGE[1000:2000])
    assert "cut off" in _refused(tmp_path, script)


def test_a_body_shorter_than_its_length_is_not_kept(tmp_path, short_deadline):
    def script(path, send):
        send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(PAGE)).encode()
             + b"\r\nConnection: close\r\n\r\n" + PAGE[: len(PAGE) // 3])
    message = _refused(tmp_path, script)
    assert "Content-Length" in message or "cut off" in message


def test_two_content_lengths_in_a_response(tmp_path, short_deadline):
    assert "two Content-Length" in _refused(tmp_path, lambda p, send: send(_ok(extra=b"Content-Length: 5\r\n")))


def test_one_byte_every_half_second_meets_the_overall_deadline(tmp_path, short_deadline):
    def script(path, send):
        send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\n")
        for _ in range(40):           # 20 s in all; each byte well within the read timeout
            send(b"x")
            time.sleep(0.5)
    started = time.monotonic()
    message = _refused(tmp_path, script)
    assert "deadline" in message and time.monotonic() - started < 30, message


def test_redirects_to_another_port_or_scheme_are_refused(tmp_path, short_deadline):
    target = Scripted(lambda p, send: send(_ok()))
    try:
        elsewhere = target.url()
        message = _refused(tmp_path, lambda p, send: send(
            b"HTTP/1.1 302 Found\r\nLocation: " + elsewhere.encode() + b"\r\nContent-Length: 0\r\n\r\n"))
        assert "--follow-redirects" in message and target.requests == []
        assert "schemes" in _refused(tmp_path, lambda p, send: send(
            b"HTTP/1.1 301 Moved\r\nLocation: ftp://127.0.0.1/plan.txt\r\nContent-Length: 0\r\n\r\n"),
            follow_redirects=True)
        # with --follow-redirects another port is followed, and the kept copy is the page itself
        hop = Scripted(lambda p, send: send(
            b"HTTP/1.1 302 Found\r\nLocation: " + elsewhere.encode() + b"\r\nContent-Length: 0\r\n\r\n"))
        try:
            kept = fetch.kept_copy(hop.url(), tmp_path / "followed", follow_redirects=True)
        finally:
            hop.close()
        assert kept.read_bytes() == PAGE and target.requests == ["/plan.txt"]
    finally:
        target.close()


def test_a_redirect_on_the_same_host_and_port_is_followed(tmp_path):
    def script(path, send):
        if path == "/old":
            send(b"HTTP/1.1 301 Moved\r\nLocation: /plan.txt\r\nContent-Length: 0\r\n\r\n")
        else:
            send(_ok())
    server = Scripted(script)
    try:
        kept = fetch.kept_copy(server.url("/old"), tmp_path / "sources")
    finally:
        server.close()
    assert kept.read_bytes() == PAGE and server.requests == ["/old", "/plan.txt"]


def test_the_cli_says_one_line_and_exits_2(tmp_path):
    server = Scripted(lambda p, send: send(b"HELLO WORLD\r\n\r\n"))
    try:
        run = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", server.url(),
                              "--store", str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr[-600:]
    assert "Traceback" not in run.stderr and server.url() in run.stderr


def test_the_cli_follows_another_port_only_with_follow_redirects(tmp_path):
    target = Scripted(lambda p, send: send(_ok()))
    hop = Scripted(lambda p, send: send(
        b"HTTP/1.1 302 Found\r\nLocation: " + target.url().encode() + b"\r\nContent-Length: 0\r\n\r\n"))
    try:
        def build(*extra):
            return subprocess.run([sys.executable, "-m", "greenplan.cli.main", "build", "--source", hop.url(),
                                   "--store", str(tmp_path / "store"), *extra], capture_output=True, text=True,
                                  timeout=300)
        refused = build()
        assert refused.returncode == 2 and "--follow-redirects" in refused.stderr and target.requests == []
        followed = build("--follow-redirects")
        assert followed.returncode == 0, followed.stderr[-600:]
        assert target.requests == ["/plan.txt"]
    finally:
        hop.close()
        target.close()
