"""Build and start the real Neo4j test server, run a command against it, stop it by PID.

    python tests/neo4j_server/harness.py -- python -m pytest

The command sees ``CHAINKG_TEST_NEO4J=bolt://127.0.0.1:PORT`` and ``CHAINKG_REQUIRE_NEO4J=1`` (so
the suite fails instead of skipping if Neo4j is unreachable). The harness exits with the
command's exit code. Only the standard library is used: it runs before anything is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
READY = "CHAINKG-NEO4J-READY"
START_TIMEOUT_S = 240


def build() -> None:
    """``mvn package`` unless the classes and jars are newer than the sources."""
    stamp = HERE / "target" / "lib"
    sources = [HERE / "pom.xml", *HERE.glob("src/**/*.java")]
    if stamp.is_dir() and (HERE / "target" / "classes").is_dir():
        newest = max(p.stat().st_mtime for p in sources)
        if stamp.stat().st_mtime >= newest:
            return
    print("harness: building the Neo4j test server (mvn package)", flush=True)
    subprocess.run(["mvn", "-q", "-B", "package"], cwd=HERE, check=True)
    stamp.touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    classpath = f"{HERE / 'target' / 'classes'}{os.pathsep}{HERE / 'target' / 'lib' / '*'}"
    cmd = ["java", "-Xms256m", "-Xmx1g", "-cp", classpath, "chainkg.TestNeo4jServer", str(data_dir), str(port)]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Neo4j test server exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        if READY in log_path.read_text(errors="replace"):
            return proc
        time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"Neo4j test server not ready after {START_TIMEOUT_S}s:\n{log_path.read_text()[-4000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__)
        return 2
    command = argv[argv.index("--") + 1 :]
    build()
    work = Path(tempfile.mkdtemp(prefix="chainkg-neo4j-"))
    port = free_port()
    proc = start(work / "data", port, work / "neo4j.log")
    url = f"bolt://127.0.0.1:{port}"
    print(f"harness: Neo4j ready at {url} (pid {proc.pid})", flush=True)
    env = dict(os.environ, CHAINKG_TEST_NEO4J=url, CHAINKG_REQUIRE_NEO4J="1")
    try:
        return subprocess.run(command, env=env).returncode
    finally:
        stop(proc)
        print(f"harness: Neo4j stopped (pid {proc.pid})", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
