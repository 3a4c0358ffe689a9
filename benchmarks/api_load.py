"""API load benchmark: requests/s and latency of ``GET /api/v1/gaps`` under concurrent clients.

    python -m benchmarks.api_load --graph falkordb-lite:///DIR [--clients 16] [--seconds 20]

Starts ``chainkg serve`` on a free loopback port over an already loaded store, runs CLIENTS
concurrent clients for SECONDS (bounded), and prints requests/s, p50 and p99. Goal (issue 5):
>= 200 requests/s with p99 <= 100 ms on the embedded store at national scale, 16 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(graph: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CHAINKG_GRAPH": graph, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "uvicorn", "api.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("API server did not become ready")


async def _client(
    host: str, port: int, pairs: list[tuple[str, str]], seed: int, stop_at: float, latencies: list[float]
) -> int:
    """One keep-alive HTTP/1.1 connection issuing GETs back to back; returns its error count.

    A few lines of asyncio instead of an HTTP library: the load generator shares the machine's
    two cores with the server, and httpx spent about 1 ms of CPU per request (a third of the
    server's own), which the server's figures then paid for.
    """
    rnd = random.Random(seed)
    errors = 0
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < stop_at:
            chain, region = rnd.choice(pairs)
            query = urllib.parse.urlencode({"chain": chain, "region": region})
            start = time.perf_counter()
            writer.write(f"GET /api/v1/gaps?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            if status_line.split()[1:2] != [b"200"]:
                errors += 1
    finally:
        writer.close()
    return errors


async def load(base: str, pairs: list[tuple[str, str]], clients: int, seconds: float) -> dict[str, Any]:
    url = urllib.parse.urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    errors = sum(await asyncio.gather(*(_client(host, port, pairs, n, stop_at, latencies) for n in range(clients))))
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def run(graph: str, pairs: list[tuple[str, str]], clients: int = 16, seconds: float = 20.0) -> dict[str, Any]:
    port = free_port()
    proc = start_server(graph, port)
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(load(base, pairs, clients, min(seconds, 2.0)))  # warm up
        return asyncio.run(load(base, pairs, clients, seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", required=True, help="an already loaded store (see benchmarks.report)")
    parser.add_argument("--chains", type=int, default=300)
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    rnd = random.Random(1)
    pairs = [(f"chain:{rnd.randrange(args.chains)}", f"region:c{rnd.randrange(args.cities)}") for _ in range(500)]
    print(json.dumps(run(args.graph, pairs, args.clients, args.seconds)))


if __name__ == "__main__":
    main()
