"""Load test of `POST /api/analyze` on loopback: N concurrent clients for a bounded time.

    python benchmarks/load_web.py                      # starts `facetcoder serve` on a free port
    python benchmarks/load_web.py --url http://127.0.0.1:8000 --seconds 10 --clients 4

Each client is a thread with its own httpx connection, posting the same 2-3 KB note in a
loop. Prints requests, errors, latency percentiles and throughput; writes JSON results.
Loopback only: any other host is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NOTE = ROOT / "data" / "examples" / "lumbar_mbb_example.txt"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "web.json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}



def _transport() -> httpx.HTTPTransport:
    """TCP_NODELAY on the client socket. httpx writes a POST's headers and body separately; with
    Nagle's algorithm on, the body waits for the server's delayed ACK (~40 ms on Linux), which
    would measure the client's socket settings rather than the server."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, token: str | None, log: Path, workers: int = 1, rules_only: bool = False) -> subprocess.Popen:
    """`facetcoder serve` in a child process (its own GIL), access log off to keep the run quiet."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("FACETCODER_TOKEN", None)
    if token:
        env["FACETCODER_TOKEN"] = token  # the environment, not argv: argv shows in ps
    cmd = [sys.executable, "-m", "pipelines.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
           "--workers", str(workers)] + (["--rules-only"] if rules_only else [])
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health = httpx.get(url + "/api/health", timeout=2).json()
            if health.get("pipeline_loaded"):
                return health
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready after {timeout:.0f} s")


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, round(p / 100 * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def client_loop(url: str, body: bytes, headers: dict, stop_at: float, latencies: list[float], errors: list[str]) -> None:
    with httpx.Client(base_url=url, headers=headers, timeout=30, transport=_transport()) as client:
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                r = client.post("/api/analyze", content=body)
                ok = r.status_code == 200
            except httpx.HTTPError as exc:
                ok, r = False, exc
            elapsed = (time.perf_counter() - t0) * 1000
            if ok:
                latencies.append(elapsed)  # list.append is atomic under the GIL
            else:
                errors.append(str(getattr(r, "status_code", type(r).__name__)))


def run(url: str, note: str, clients: int, seconds: float, token: str | None, warmup: int = 20) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"text": note, "note_id": "load"}).encode()
    with httpx.Client(base_url=url, headers=headers, timeout=30, transport=_transport()) as c:
        for _ in range(warmup):
            c.post("/api/analyze", content=body).raise_for_status()
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=client_loop, args=(url, body, headers, stop_at, latencies, errors))
               for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    lat = sorted(latencies)
    return {
        "url": url, "clients": clients, "seconds": round(wall, 2), "note_bytes": len(note.encode()),
        "requests": len(lat) + len(errors), "errors": len(errors), "error_kinds": sorted(set(errors)),
        "p50_ms": round(percentile(lat, 50), 1), "p90_ms": round(percentile(lat, 90), 1),
        "p99_ms": round(percentile(lat, 99), 1), "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
        "max_ms": round(lat[-1], 1) if lat else None, "req_per_s": round(len(lat) / wall, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="A running server (loopback only); default: start one.")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--note", type=Path, default=DEFAULT_NOTE, help="Note to post (2-3 KB).")
    ap.add_argument("--token", default=os.environ.get("FACETCODER_TOKEN"))
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes when the script starts it.")
    ap.add_argument("--rules-only", action="store_true", help="Start the server with --rules-only (no models).")
    ap.add_argument("--single", action="store_true", help="Also measure one client alone (service time).")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 64:
        ap.error("--seconds must be in (0, 600] and --clients in 1..64")

    note = args.note.read_text(encoding="utf-8")
    proc = None
    url = args.url.rstrip("/") if args.url else None
    if url:
        if urlparse(url).hostname not in LOOPBACK:
            ap.error(f"--url must be on loopback (127.0.0.1, localhost, ::1), received {url}")
    else:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(port, args.token, Path(tempfile.gettempdir()) / "facetcoder_load_server.log", args.workers,
                            args.rules_only)
    try:
        health = wait_ready(url)
        report = {"runs": {}}
        if args.single:
            report["runs"]["single_client"] = run(url, note, 1, min(args.seconds, 10), args.token)
        report["runs"]["concurrent"] = run(url, note, args.clients, args.seconds, args.token)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    report.update({
        "server_version": health.get("version"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "machine": platform.machine(), "server_workers": None if args.url else args.workers,
        "server_rules_only": None if args.url else args.rules_only,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })
    for name, r in report["runs"].items():
        print(f"{name}: {r['clients']} clients x {r['seconds']} s, {r['note_bytes']} B note: "
              f"{r['requests']} requests, {r['errors']} errors, p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, "
              f"p99 {r['p99_ms']} ms, {r['req_per_s']} req/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if any(r["errors"] for r in report["runs"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
