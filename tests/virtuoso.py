"""A real OpenLink Virtuoso for tests: Debian's ``virtuoso-opensource`` (``virtuoso-t``) on 127.0.0.1.

``with virtuoso_server(tmp_dir) as v:`` writes an ini of its own into ``tmp_dir`` (database,
log and lock files there, SQL and HTTP ports chosen free, no plugins), starts
``virtuoso-t +foreground``, waits until ``/sparql`` answers, grants ``SPARQL_UPDATE`` to the
anonymous web user (so ``/sparql-graph-crud`` accepts PUT), creates a user with a password for
``/sparql-graph-crud-auth``, and stops the server with SIGTERM afterwards.
"""
from __future__ import annotations

import configparser
import contextlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tests.conftest import require_system
from tests.servers import Server, free_port, stop

PACKAGE_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
STARTUP_SECONDS = 120      # a bound on start-up on a busy 2-core machine, not a timed assertion
USER, PASSWORD = "greenplan_pusher", "s3cret-Pw"


@dataclass
class Virtuoso(Server):
    sql_port: int = 0
    QUERY_PATH: ClassVar[str] = "/sparql"
    UPDATE_PATH: ClassVar[str] = "/sparql"
    STORE_PATH: ClassVar[str] = "/sparql-graph-crud"

    @property
    def store_auth(self) -> str:
        return self.store + "-auth"

    def isql(self, statement: str) -> str:
        """Run one SQL statement as dba through ``isql-vt``; raise with its output when it fails."""
        out = subprocess.run([shutil.which("isql-vt"), f"127.0.0.1:{self.sql_port}", "dba", "dba",
                              f"exec={statement}"], capture_output=True, text=True, timeout=60)
        if out.returncode != 0 or "*** Error" in out.stdout + out.stderr:
            raise RuntimeError(f"isql-vt {statement!r}: {out.stdout} {out.stderr}")
        return out.stdout


def available() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt") and PACKAGE_INI.is_file())


def write_ini(directory: Path, sql_port: int, http_port: int) -> Path:
    ini = configparser.ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=(";",))
    ini.optionxform = str
    ini.read(PACKAGE_INI, encoding="utf-8")
    for section in ("Plugins", "Zero Config", "Striping", "Replication"):
        ini.remove_section(section)
    db = directory
    ini["Database"].update({"DatabaseFile": f"{db}/virtuoso.db", "ErrorLogFile": f"{db}/virtuoso.log",
                            "LockFile": f"{db}/virtuoso.lck", "TransactionFile": f"{db}/virtuoso.trx",
                            "xa_persistent_file": f"{db}/virtuoso.pxa"})
    ini["TempDatabase"].update({"DatabaseFile": f"{db}/virtuoso-temp.db", "TransactionFile": f"{db}/virtuoso-temp.trx"})
    (db / "vsp").mkdir(exist_ok=True)
    ini["Parameters"].update({"ServerPort": f"127.0.0.1:{sql_port}", "DirsAllowed": f"., {db}",
                              "NumberOfBuffers": "20000", "MaxDirtyBuffers": "15000", "ThreadsPerQuery": "2",
                              "CheckpointInterval": "0"})
    ini["HTTPServer"].update({"ServerPort": f"127.0.0.1:{http_port}", "ServerRoot": f"{db}/vsp", "Charset": "UTF-8",
                              "MaxClientConnections": "4", "ServerThreads": "4"})
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    # the multi-plan store has more quads than the package's 10,000-row cap; tests read them all
    ini["SPARQL"].update({"ResultSetMaxRows": "1000000", "MaxQueryExecutionTime": "300",
                          "MaxQueryCostEstimationTime": "0"})
    path = directory / "virtuoso.ini"
    with open(path, "w", encoding="utf-8") as f:
        ini.write(f)
    return path


def _answers(url: str) -> bool:
    req = urllib.request.Request(url + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def virtuoso_server(directory: Path):
    require_system("OpenLink Virtuoso (virtuoso-t, isql-vt)", available(), "apt-get install virtuoso-opensource")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = write_ini(directory, sql_port, http_port)
    log = open(directory / "stdout.log", "wb")
    proc = subprocess.Popen([shutil.which("virtuoso-t"), "+foreground", "+configfile", str(ini)],
                            cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    server = Virtuoso(f"http://127.0.0.1:{http_port}", directory, proc, sql_port)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(server.url):
            if proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {proc.returncode}; see {directory}/virtuoso.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer on {server.url} within {STARTUP_SECONDS} s")
            time.sleep(0.5)
        for attempt in range(20):           # the SQL listener may lag the HTTP one for a moment
            try:
                server.isql('grant SPARQL_UPDATE to "SPARQL";')
                break
            except RuntimeError:
                if attempt == 19:
                    raise
                time.sleep(0.5)
        server.isql(f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}');")
        server.isql(f"grant SPARQL_UPDATE to \"{USER}\";")
        yield server
    finally:
        stop(proc, 60)
        log.close()
