"""Issue 24, HTTP server: the second adversarial pass, one test per reproducer.

The server runs in process on 127.0.0.1; requests are raw bytes over a socket, so that what
urllib would refuse to send is sent as the issue's reproducers sent it."""
from __future__ import annotations

import subprocess
import sys
import urllib.parse

import pytest

from tests.security.helpers import get, raw, serving, status_of

ASK = b"ASK {}"


@pytest.fixture(scope="module")
def server(store):
    with serving(store) as s:
        yield s


def _post(lengths: list[bytes], body: bytes, host: bytes = b"x") -> bytes:
    head = b"POST /sparql HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/sparql-query\r\n"
    head += b"".join(b"Content-Length: " + n + b"\r\n" for n in lengths)
    return head + b"\r\n" + body


SMUGGLED = b"GET /queries/tasks.json HTTP/1.1\r\nHost: x\r\n\r\n"


def test_two_content_lengths_are_one_400_and_the_rest_is_not_a_request(server):
    # The reproducer: Content-Length 5 then 71; the first was used and the rest parsed as a request.
    body = ASK + SMUGGLED
    answer = raw(server, _post([b"5", str(len(body)).encode()], body), timeout=5, until_close=True)
    assert status_of(answer) == 400, answer[:200]
    assert answer.count(b"HTTP/1.") == 1          # one answer, and the connection closed after it
    assert b"Content-Length" in answer.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("length", [b"+6", b"0_6", b"6 6", b"0x6", b"6.0", b"", b"9" * 40])
def test_signed_or_non_digit_content_length_is_400_and_closed(server, length):
    answer = raw(server, _post([length], ASK + SMUGGLED), timeout=5, until_close=True)
    assert status_of(answer) == 400, answer[:200]
    assert answer.count(b"HTTP/1.") == 1


def test_plain_content_length_still_works_on_a_kept_alive_connection(server):
    answer = raw(server, _post([b"6"], ASK) + b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n",
                 timeout=1, until_close=True)
    assert answer.count(b"HTTP/1.1 200") == 2, answer[:300]


@pytest.mark.parametrize("host", [b"a b", b"a>b", b"a\tb", b"x:y:z", b"a/b"])
def test_an_invalid_host_is_400_and_closed(server, host):
    answer = raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: " + host + b"\r\n\r\n" + SMUGGLED,
                 timeout=5, until_close=True)
    assert status_of(answer) == 400, answer[:200]
    assert answer.count(b"HTTP/1.") == 1


@pytest.mark.parametrize("head", [b"Host: x\r\nHost: y\r\n", b"", b"Host : x\r\n", b"Host: x\r\n folded\r\n"])
def test_repeated_missing_or_malformed_header_lines_are_400(server, head):
    answer = raw(server, b"GET / HTTP/1.1\r\n" + head + b"\r\n", timeout=5, until_close=True)
    assert status_of(answer) == 400, answer[:200]


@pytest.mark.parametrize("host", [b"localhost", b"127.0.0.1:8080", b"[::1]:80", b"data.example.org", b""])
def test_valid_hosts_are_served(server, host):
    assert status_of(raw(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")) == 200


def test_framing_rules_read_the_raw_lines():
    from greenplan.web.server import framing_error

    assert framing_error([b"Host: a\r\n", b"Content-Length: 12\r\n", b"\r\n"], "HTTP/1.1") is None
    assert framing_error([b"\r\n"], "HTTP/1.0") is None
    assert "2 Content-Length" in framing_error([b"Host: a\r\n", b"Content-length: 1\r\n", b"CONTENT-LENGTH: 1\r\n",
                                                b"\r\n"], "HTTP/1.1")


# --- parameters validated by type and size -----------------------------------------------------

DIGITS = "9" * 5000


def test_a_5000_digit_integer_is_one_line_and_exit_2_in_the_cli(store):
    run = subprocess.run([sys.executable, "-m", "greenplan.cli.main", "query", "tasks-min-owners", "--store",
                          str(store.directory), "--param", f"minOwners={DIGITS}"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2, run.stderr[-500:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "minOwners" in lines[0] and "Traceback" not in run.stderr, run.stderr[-500:]


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_a_5000_digit_integer_is_400_on_the_web(server, ext):
    status, _, body = get(server.url + f"queries/tasks-min-owners.{ext}?" + urllib.parse.urlencode(
        {"minOwners": DIGITS}), accept="text/plain")
    assert status == 400, body[:300]
    assert b"minOwners" in body and len(body.strip().splitlines()) == 1


def test_a_normal_integer_still_answers(server):
    # tasks-min-owners with minOwners=15: the bundled plan's annex task 51 lists 15 bodies (read by hand).
    status, _, body = get(server.url + "queries/tasks-min-owners.csv?minOwners=15")
    assert status == 200 and body.decode().splitlines()[1].startswith("51,15,"), body[:300]
