"""Apache Jena ARQ from Debian's ``libapache-jena-java`` (4.5), for comparing the saved queries' answers.

There is no Fuseki package in Debian, so the tests run ARQ itself — Fuseki's query engine — on the
exported TriG, all queries in one JVM (``RunQueries.java``, run by the JDK's source launcher). Debian
relocates Jena's bundled Xerces classes to ``xerces.…`` but leaves their message files under
``org/apache/jena/ext/xerces/…``; without them ARQ fails to start (``XSSimpleTypeDecl.applyFacets1``), so
:func:`classpath` copies them to where the classes look.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

JAVA = Path("/usr/share/java")
RUNNER = Path(__file__).with_name("RunQueries.java")
JARS = ["jena-arq", "jena-base", "jena-core", "jena-iri", "jena-shacl", "jena-shex", "jena-rdfconnection",
        "jena-cmds", "jena-tdb", "jena-tdb2", "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage",
        "jena-dboe-trans-data", "jena-dboe-transaction",
        "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
        "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
        "jackson-annotations", "jsonld-java", "slf4j-api", "slf4j-nop", "thrift", "protobuf", "titanium-json-ld",
        "jakarta.json-api"]


def available() -> bool:
    return bool(shutil.which("java")) and all((JAVA / f"{j}.jar").is_file() for j in JARS)


def classpath(work: Path) -> str:
    """The class path for ARQ, with Xerces' message files extracted under ``work``."""
    resources = work / "xerces-resources"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = resources / "xerces" / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(JAVA / f"{j}.jar") for j in JARS] + [str(resources)])
