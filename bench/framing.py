"""Which HTTP framing reproducers of issue 24 a server refuses (not a test: it prints a table).

    python bench/framing.py PORT            # a server already listening on 127.0.0.1:PORT

Each request is sent raw on its own connection; the line shows the statuses the server answered
and whether a request smuggled behind the first one was answered too.  Used to compare
`greenplan serve` with uvicorn (httptools and h11 parsers) in docs/security.md.
"""
from __future__ import annotations

import socket
import sys

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
CASES = {
    "two Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 41\r\n\r\nASK{}"
                          + SMUGGLED,
    "Content-Length +5": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nASK{}" + SMUGGLED,
    "Content-Length 0_5": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0_5\r\n\r\nASK{}" + SMUGGLED,
    "Host: a b": b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
    "two Host": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "no Host": b"GET / HTTP/1.1\r\n\r\n",
    "space before colon": b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "obsolete folding": b"GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n",
    "Content-Length and chunked": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked"
                                  b"\r\n\r\n0\r\n\r\n",
}


def probe(port: int, data: bytes) -> tuple[list[str], bool]:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
    statuses = [line.split(b" ")[1].decode() for line in out.split(b"\r\n") if line.startswith(b"HTTP/1.")]
    return statuses, b"/smuggled" in out


def main() -> None:
    port = int(sys.argv[1])
    print("| request | statuses | smuggled request answered |\n|---|---|---|")
    for name, data in CASES.items():
        statuses, smuggled = probe(port, data)
        print(f"| {name} | {' '.join(statuses) or 'none'} | {'yes' if smuggled else 'no'} |")


if __name__ == "__main__":
    main()
