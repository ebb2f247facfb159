"""Reliability under hostile input and broken runs (issue 11): the numbers of the README's reliability table.

1. Pathological corpus (`pipelines.hostile.corpus`) at the 200 KB note limit: seconds per note, crashes, hangs
   (over the batch's per-note deadline), worst seconds per 100 KB. Target: no note over 2 s.
2. Mutated notes: the golden notes with random byte-level damage (deletions, duplications, control and
   invisible characters, cut multi-byte text): crashes, and evidence that does not equal the note at its offsets.
3. `facetcoder batch` killed with SIGKILL mid-run, then `--resume`, repeated: rows lost or duplicated against
   the input ids.
4. Two concurrent runs on one output: the second must be refused (exit 2) and the first complete.
5. A CSV of bad cells (cp1252 ids, lone surrogates, dates 0001-01-01 and 9999-12-31, an unterminated quote):
   every input row yields exactly one output row.
6. `facetcoder serve` while the slowest pathological note is analysed: the health check's latency (target
   under 100 ms), and with `--note-timeout 0.5` the note gets 422 analysis_timeout and the next note is served.

A full disk cannot be made without root here; `tests/pipelines/test_batch_hostile.py` injects ENOSPC instead and
the table says so. Prints a table and writes benchmarks/results/reliability.json.

    python benchmarks/bench_reliability.py [--rows 3000] [--kills 3] [--mutants 300]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.api import Analyzer  # noqa: E402
from nlp.errors import InputError  # noqa: E402
from pipelines.hostile import corpus  # noqa: E402

GOLDEN = sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.txt"))
HANG_S = 20.0  # the batch's default per-note deadline
FACETCODER = [sys.executable, "-m", "pipelines.cli"]


def _evidence_ok(text: str, result: object) -> bool:
    """Every evidence item of the result equals the note at its offsets."""
    bad = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if {"start", "end", "text"} <= node.keys() and isinstance(node["start"], int):
                if text[node["start"]:node["end"]] != node["text"]:
                    bad.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.model_dump())  # type: ignore[attr-defined]
    return not bad


def pathological(analyzer: Analyzer, size: int) -> dict:
    rows, crashes, hangs = [], 0, 0
    for kind, note in corpus(size):
        started = time.perf_counter()
        try:
            result = analyzer.analyze(note, note_id=kind)
            ok = _evidence_ok(note, result)
        except Exception as exc:  # noqa: BLE001 - counted, not hidden
            crashes += 1
            ok = False
            print(f"  crash on {kind}: {type(exc).__name__}")
        seconds = time.perf_counter() - started
        hangs += seconds > HANG_S
        kb = len(note.encode()) / 1000
        rows.append({"kind": kind, "kb": round(kb, 1), "seconds": round(seconds, 3), "evidence_ok": ok})
    worst = max(rows, key=lambda r: r["seconds"])
    return {"inputs": len(rows), "crashes": crashes, "hangs": hangs, "evidence_mismatches": sum(not r["evidence_ok"] for r in rows),
            "worst_kind": worst["kind"], "worst_seconds": worst["seconds"],
            "worst_seconds_per_100kb": round(max(r["seconds"] / r["kb"] * 100 for r in rows), 3),
            "over_2s": sum(r["seconds"] > 2.0 for r in rows), "notes": rows}


_DAMAGE = ["\u200b", "\u00ad", "\x00", "\x0c", "\ufeff", "\u202e", "\ud800", "=" * 40, "\r", "\t\t", "\u00a0"]


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 30)):
        pos = rng.randrange(len(chars) + 1)
        op = rng.random()
        if op < 0.35:
            chars.insert(pos, rng.choice(_DAMAGE))
        elif op < 0.6 and chars:
            del chars[pos : pos + rng.randint(1, 40)]
        elif op < 0.8 and chars:
            chars[pos:pos] = chars[max(0, pos - 200) : pos]
        else:
            chars.insert(pos, chr(rng.randrange(32, 0x2FFF)))
    return "".join(chars)


def mutants(analyzer: Analyzer, n: int) -> dict:
    rng = random.Random(11)
    texts = [p.read_text() for p in GOLDEN]
    crashes = mismatches = refused = 0
    worst = 0.0
    for i in range(n):
        note = mutate(rng.choice(texts), rng)
        started = time.perf_counter()
        try:
            mismatches += not _evidence_ok(note, analyzer.analyze(note, note_id=f"m{i}"))
        except InputError:
            refused += 1  # NUL bytes or a lone surrogate: a clear error (batch: an error row), not a crash
        except Exception as exc:  # noqa: BLE001
            crashes += 1
            print(f"  crash on mutant {i}: {type(exc).__name__}")
        worst = max(worst, time.perf_counter() - started)
    return {"inputs": n, "crashes": crashes, "refused_with_input_error": refused, "evidence_mismatches": mismatches,
            "worst_seconds": round(worst, 3)}


def _archive(path: Path, rows: int) -> list[str]:
    texts = [p.read_text() for p in GOLDEN]
    ids = [f"r{i:06d}" for i in range(rows)]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["note_id", "text"])
        for i, note_id in enumerate(ids):
            w.writerow([note_id, texts[i % len(texts)] + f"\nEncounter {i}."])
    return ids


def _batch(inp: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*FACETCODER, "batch", str(inp), "--out", str(out), "--workers", "2", "--chunk-size", "32",
                             "--no-progress", *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _out_ids(out: Path) -> list[str]:
    return [json.loads(line)["note_id"] for line in out.read_text().splitlines() if line.strip()]


def _rows_done(out: Path) -> int:
    """Rows in the run's append-only partial file (the final output appears only at the end)."""
    partial = out.with_name(out.name + ".partial.jsonl")
    return partial.read_bytes().count(b"\n") if partial.exists() else 0


def killed_runs(tmp: Path, rows: int, kills: int) -> dict:
    inp, out = tmp / "archive.csv", tmp / "out.jsonl"
    ids = _archive(inp, rows)
    killed = 0
    proc = _batch(inp, out)
    for k in range(kills):
        target = (k + 1) * rows // (kills + 1)  # kill at evenly spread points of progress, whatever the speed
        while proc.poll() is None and _rows_done(out) < target:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
        proc.send_signal(signal.SIGKILL)  # the batch parent; its workers die with it (PR_SET_PDEATHSIG)
        proc.wait()
        killed += 1
        time.sleep(0.5)
        proc = _batch(inp, out, "--resume")
    proc.wait()
    got = _out_ids(out)
    return {"rows": rows, "kills": killed, "exit": proc.returncode, "output_rows": len(got),
            "lost": len(set(ids) - set(got)), "duplicated": len(got) - len(set(got))}


def concurrent_runs(tmp: Path, rows: int) -> dict:
    inp, out = tmp / "archive2.csv", tmp / "out2.jsonl"
    ids = _archive(inp, rows)
    first = _batch(inp, out)
    time.sleep(6)
    second = _batch(inp, out)
    _, err = second.communicate()
    first.wait()
    got = _out_ids(out)
    return {"first_exit": first.returncode, "second_exit": second.returncode,
            "second_refused": second.returncode == 2 and b"another batch run" in err.lower(),
            "output_rows": len(got), "lost": len(set(ids) - set(got)), "duplicated": len(got) - len(set(got))}


def bad_cells(tmp: Path) -> dict:
    inp, out = tmp / "bad.csv", tmp / "bad.jsonl"
    note = GOLDEN[0].read_text().replace('"', "'")
    lines = [b"note_id,patient_id,date_of_service,text",
             b'ok1,p1,2025-03-04,"' + note.encode() + b'"',
             b'caf\xe9,p2,2025-03-04,"' + note.encode() + b'"',          # cp1252 byte in the id
             b'ok3,p\xed\xa0\x80,2025-03-04,"' + note.encode() + b'"',   # a lone surrogate in UTF-8 form
             b'ok4,p4,0001-01-01,"' + note.encode() + b'"',
             b'ok5,p5,9999-12-31,"' + note.encode() + b'"',
             b'ok6,p6,2025-03-04,"' + note.encode() + b'"',
             b'ok7,p7,2025-03-04,"' + note.encode() + b'"',
             # last: a quote that is never closed swallows every later line, whatever a reader does
             b'ok8,p8,2025-03-04,"unterminated quote starts here']
    inp.write_bytes(b"\n".join(lines) + b"\n")
    proc = _batch(inp, out)
    proc.wait()
    got = [json.loads(line) for line in out.read_text().splitlines() if line.strip()] if out.exists() else []
    return {"input_rows": len(lines) - 1, "output_rows": len(got), "exit": proc.returncode,
            "error_rows": sum(1 for r in got if r.get("error"))}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*FACETCODER, "serve", "--port", str(port), "--rules-only", "--no-access-log", *extra],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def server_under_load(size: int) -> dict:
    """Health latency while the slowest pathological note is analysed, and the per-note deadline (422)."""
    import threading

    import httpx

    note = dict(corpus(size))["nerve_list"]
    report: dict = {}
    for label, extra in (("default_limit", ()), ("limit_0_5_s", ("--note-timeout", "0.5"))):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = _serve(port, *extra)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                for _ in range(600):
                    try:
                        if client.get("/api/health").json().get("pipeline_loaded"):
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.1)
                answer: dict = {}

                def post() -> None:
                    started = time.perf_counter()
                    r = client.post("/api/analyze", json={"text": note, "note_id": "pathological"})
                    answer.update(status=r.status_code, error=r.json().get("error"),
                                  seconds=round(time.perf_counter() - started, 3))

                worker = threading.Thread(target=post)
                worker.start()
                latencies = []
                while worker.is_alive():
                    started = time.perf_counter()
                    client.get("/api/health").raise_for_status()
                    latencies.append((time.perf_counter() - started) * 1000)
                    time.sleep(0.02)
                worker.join()
                after = client.post("/api/analyze", json={"text": GOLDEN[0].read_text(), "note_id": "after"})
                latencies.sort()
                report[label] = {**answer, "health_checks": len(latencies),
                                 "health_max_ms": round(latencies[-1], 1) if latencies else None,
                                 "health_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
                                 "next_note_status": after.status_code}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--mutants", type=int, default=300)
    parser.add_argument("--size", type=int, default=200_000)
    args = parser.parse_args()
    analyzer = Analyzer()
    report: dict = {"pathological": pathological(analyzer, args.size), "mutants": mutants(analyzer, args.mutants)}
    with tempfile.TemporaryDirectory() as tmp:
        report["killed"] = killed_runs(Path(tmp), args.rows, args.kills)
        report["concurrent"] = concurrent_runs(Path(tmp), args.rows)
        report["bad_cells"] = bad_cells(Path(tmp))
    report["server"] = server_under_load(args.size)
    p, m, k, c, b = (report[x] for x in ("pathological", "mutants", "killed", "concurrent", "bad_cells"))
    print("| check | inputs | result |\n|---|---|---|")
    print(f"| pathological notes at {args.size // 1000} KB | {p['inputs']} kinds | crashes {p['crashes']}, hangs "
          f"{p['hangs']}, over 2 s {p['over_2s']}, worst {p['worst_seconds']} s ({p['worst_kind']}), worst "
          f"{p['worst_seconds_per_100kb']} s per 100 KB, evidence mismatches {p['evidence_mismatches']} |")
    print(f"| mutated golden notes | {m['inputs']} | crashes {m['crashes']}, refused with a clear input error "
          f"{m['refused_with_input_error']}, evidence mismatches "
          f"{m['evidence_mismatches']}, worst {m['worst_seconds']} s |")
    print(f"| batch killed with SIGKILL, then --resume | {k['rows']} rows, {k['kills']} kills | lost {k['lost']}, "
          f"duplicated {k['duplicated']}, final exit {k['exit']} |")
    print(f"| two runs on one output at once | {args.rows} rows | second refused: {c['second_refused']} (exit "
          f"{c['second_exit']}); lost {c['lost']}, duplicated {c['duplicated']} |")
    print(f"| bad cells and an unterminated quote | {b['input_rows']} rows | {b['output_rows']} output rows, "
          f"{b['error_rows']} error rows, exit {b['exit']} |")
    for label, r in report["server"].items():
        print(f"| serve ({label.replace('_', ' ')}): {p['worst_kind']} note posted, health polled | "
              f"{r['health_checks']} health checks | note {r['status']} {r['error'] or 'ok'} in {r['seconds']} s; "
              f"health max {r['health_max_ms']} ms, p50 {r['health_p50_ms']} ms; next note {r['next_note_status']} |")
    print("| full disk | - | not reproducible without root here; ENOSPC injected in tests/pipelines/test_batch_hostile.py |")
    (ROOT / "benchmarks" / "results" / "reliability.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
