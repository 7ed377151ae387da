"""Benchmark: ``docgen serve`` under 20 concurrent users checking the 60-file bench bundle.

Starts the server as a subprocess on 127.0.0.1 (its own data folder, one ``credit`` user),
then for a bounded time (``--seconds``, default 60) ``--users`` threads (default 20) each log
in once and POST the bundle .zip to ``/api/check`` again and again. Prints requests per
second, p50/p95 latency, the in-run baseline (``docgen check ZIP --format json`` as a
subprocess, best of 3, one user alone) and the ratios, the server's memory (resident set of
the server and its worker processes, at rest and at peak) and the failed requests. Exit 1
when any request failed.

Usage: ``.venv/bin/python bench/bench_serve.py [--users 20] [--seconds 60] [--port 8765]``
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_check  # noqa: E402  (the bench bundle's recipe and builder)

PASSWORD = "bench-password-1"


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """Return ``pid`` and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    return sum(_rss_kb(p) for p in _tree(pid)) / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long new requests are started")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--cache", default=tempfile.gettempdir(), help="where the built bundle is cached")
    args = parser.parse_args()

    bundle = bench_check.build_bundle(Path(args.cache))
    archive = bench_check.make_zip(bundle)
    payload = archive.read_bytes()
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    docgen = str(Path(sys.executable).with_name("docgen"))
    print(f"bundle: {archive} ({files} files, {len(payload) / 1e6:.1f} MB)  cpus: {os.cpu_count()}")

    def cli_once() -> float:
        started = time.perf_counter()
        result = subprocess.run([docgen, "check", str(archive), "--format", "json"], capture_output=True)
        if result.returncode not in (0, 1):
            raise SystemExit(f"docgen check failed: {result.stderr.decode()[-500:]}")
        return time.perf_counter() - started

    cli_once()  # warm the page cache and .pyc files
    cli = min(cli_once() for _ in range(3))
    print(f"baseline: docgen check ZIP --format json (subprocess, one user alone), best of 3: {cli * 1000:.0f} ms")

    data = Path(tempfile.mkdtemp(prefix="docgen-bench-serve-"))
    env = {**os.environ, "DOCGEN_PASSWORD": PASSWORD}
    subprocess.run([docgen, "users", "add", "bench", "--role", "credit", "--data", str(data)], env=env, check=True,
                   capture_output=True)
    port = args.port or _free_port()
    server = subprocess.Popen([docgen, "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start: " + server.stderr.read().decode()[-1000:])
            time.sleep(0.2)
        time.sleep(2)  # let the check workers finish importing
        idle_mb = tree_rss_mb(server.pid)

        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds
        peak = [idle_mb]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], tree_rss_mb(server.pid))
                time.sleep(0.25)

        def user(n: int) -> None:
            with httpx.Client(base_url=base, timeout=600) as client:
                token = client.post("/api/token", data={"username": "bench", "password": PASSWORD}).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                while time.monotonic() < stop_at:
                    started = time.perf_counter()
                    try:
                        answer = client.post("/api/check", headers=headers,
                                             files={"bundle": (f"客户{n}.zip", payload, "application/zip")})
                        ok = answer.status_code == 200 and len(answer.json()["files"]) == files
                        problem = None if ok else f"{answer.status_code} {answer.text[:200]}"
                    except httpx.HTTPError as exc:
                        problem = f"{type(exc).__name__}: {exc}"
                    elapsed = time.perf_counter() - started
                    with lock:
                        (failures.append(problem) if problem else latencies.append(elapsed))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        began = time.perf_counter()
        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        sampling.set()
        sampler.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)

    done = len(latencies)
    if done:
        ordered = sorted(latencies)
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
        print(f"{args.users} users for {args.seconds:.0f} s (+ the requests in flight): {done} checks in {wall:.1f} s = "
              f"{done / wall:.2f} requests/s ({done / wall * cli:.2f}x one CLI check at a time)")
        print(f"latency p50 {p50:.2f} s ({p50 / cli:.1f}x the CLI's one check), p95 {p95:.2f} s "
              f"({p95 / cli:.1f}x), min {ordered[0]:.2f} s, max {ordered[-1]:.2f} s")
    print(f"server memory (server + worker processes, resident): {idle_mb:.0f} MB at rest, {peak[0]:.0f} MB peak")
    print(f"failed requests: {len(failures)}")
    for problem in failures[:10]:
        print(f"  {problem}")
    print(json.dumps({"users": args.users, "seconds": args.seconds, "requests": done, "failed": len(failures),
                      "rps": round(done / wall, 3) if done else 0, "cli_s": round(cli, 3),
                      "p50_s": round(p50, 3) if done else None, "p95_s": round(p95, 3) if done else None,
                      "idle_mb": round(idle_mb), "peak_mb": round(peak[0])}))
    return 1 if failures or not done else 0


if __name__ == "__main__":
    sys.exit(main())
