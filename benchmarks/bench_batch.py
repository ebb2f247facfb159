"""Throughput and memory of `facetcoder batch` for 1 and 2 workers vs the spaCy tokenizer alone.

Generates an archive of N notes (default 10,000) of 2-3 KB from the realistic notes in
tests/fixtures/golden/ and data/corpus/notes/, each copy varied (ages, dates, an encounter line) so
no two texts are identical, with ids, patients and dates for the cross-visit pass. Runs the batch in
a subprocess per worker count while sampling the RSS of its processes (psutil), and times
`spacy.blank("en").tokenizer` over the same texts.

Per core, two views:
- wall: notes/s divided by the worker count;
- CPU: notes per CPU-second of the whole run (parent + workers, from getrusage), i.e. the rate of
  one core that is really available. On a shared VM the two differ: a calibration step runs a
  pure-Python loop alone and in 2 processes at once and reports how much of a second core the
  machine actually gives (2.0 = all of it).

Prints the numbers and ratios and writes benchmarks/results/batch.json. Targets (issue 4):
>= 100 notes/s per core, >= 0.5 x tokenizer rate, < 500 MB peak RSS per worker.

    python benchmarks/bench_batch.py [--notes 10000] [--workers 1 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "batch.json"

_RUNNER = """
import json, sys
from pipelines.batch import BatchOptions, run_batch
s = run_batch(sys.argv[1], sys.argv[2], options=BatchOptions(workers=int(sys.argv[3]), progress=False))
print(json.dumps({"rows": s.rows, "results": s.results, "errors": dict(s.errors), "elapsed": s.elapsed,
                  "workers": s.workers, "cross_visit_flags": s.cross_visit_flags}))
"""


def source_texts() -> list[str]:
    """Realistic notes of 2-3 KB (never public sample notes)."""
    paths = sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.txt")) + sorted((ROOT / "data" / "corpus" / "notes").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    sized = [t for t in texts if 2000 <= len(t.encode()) <= 3000]
    if not sized:
        raise SystemExit("no 2-3 KB notes found under tests/fixtures/golden or data/corpus/notes")
    return sized


_AGE = re.compile(r"\b\d{2}(?=[- ]year[- ]old)")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b")


def vary(text: str, i: int) -> str:
    """A distinct copy of a source note: other ages and dates, plus an encounter line."""
    rng = random.Random(i)
    text = _AGE.sub(lambda m: str(rng.randint(35, 85)), text)
    text = _DATE.sub(lambda m: f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice((2023, 2024, 2025))}", text)
    return f"{text.rstrip()}\n\nEncounter {i:07d}; dictated by provider {rng.randint(100, 999)}.\n"


def make_archive(path: Path, n: int) -> list[str]:
    """A Parquet archive of n distinct notes with ids, patients and dates; returns the texts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pool = source_texts()
    texts = [vary(pool[(i * 7919) % len(pool)], i) for i in range(n)]
    table = pa.table({
        "note_id": [f"BN{i:07d}" for i in range(n)],
        "text": texts,
        "patient_id": [f"BP{i % max(1, n // 6):06d}" for i in range(n)],
        "date_of_service": [f"{2023 + i % 2}-{1 + i % 12:02d}-{1 + (i * 13) % 28:02d}" for i in range(n)],
    })
    pq.write_table(table, path, row_group_size=1000)
    return texts


def tokenizer_rate(texts: list[str]) -> float:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    for t in texts[:50]:
        tokenizer(t)
    start = time.perf_counter()
    for t in texts:
        tokenizer(t)
    return len(texts) / (time.perf_counter() - start)


_SPIN = "import time\nt=time.perf_counter()\ns=0\nfor i in range(8_000_000): s+=i*i%7\nprint(time.perf_counter()-t)"


def parallel_capacity() -> float:
    """How many cores' worth of a pure-Python loop 2 processes get at once (2.0 on idle dedicated cores)."""
    def spin(n: int) -> list[float]:
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(p.communicate()[0]) for p in procs]

    alone = min(spin(1)[0] for _ in range(2))
    together = min(max(spin(2)) for _ in range(2))
    return round(2 * alone / together, 2)


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(archive: Path, out: Path, workers: int) -> dict:
    """Run the batch in a subprocess; sample RSS of it and its children every 0.1 s; CPU from getrusage."""
    out.unlink(missing_ok=True)
    cpu_before = _cpu_children()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, str(archive), str(out), str(workers)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peaks: dict[int, float] = {}
    roles: dict[int, str] = {}
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                rss = p.memory_info().rss / 2**20
                roles.setdefault(p.pid, "main" if p.pid == proc.pid else "child")
            except psutil.NoSuchProcess:
                continue
            peaks[p.pid] = max(peaks.get(p.pid, 0.0), rss)
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    cpu = _cpu_children() - cpu_before  # the batch process and every worker it reaped
    if proc.returncode != 0:
        raise SystemExit(f"batch with {workers} worker(s) failed:\n{stderr[-2000:]}")
    summary = json.loads(stdout.strip().splitlines()[-1])
    main_peak = peaks.get(proc.pid, 0.0)
    # the pipeline lives in the main process for 1 worker, in the pool's children otherwise
    worker_peaks = [v for pid, v in peaks.items() if roles[pid] == "child" and v > 100] if workers > 1 else [main_peak]
    return {
        "workers": workers, "notes": summary["rows"], "results": summary["results"], "errors": summary["errors"],
        "wall_s": round(wall, 2), "run_s": round(summary["elapsed"], 2),
        "notes_per_s": round(summary["rows"] / summary["elapsed"], 1),
        "notes_per_s_wall": round(summary["rows"] / wall, 1),
        "notes_per_s_per_core": round(summary["rows"] / summary["elapsed"] / workers, 1),
        "cpu_s": round(cpu, 1),
        "cpu_ms_per_note": round(1000 * cpu / summary["rows"], 2),
        "notes_per_cpu_s": round(summary["rows"] / cpu, 1),
        "peak_rss_mb_main": round(main_peak, 1),
        "peak_rss_mb_per_worker": round(max(worker_peaks), 1) if worker_peaks else None,
        "cross_visit_flags": summary["cross_visit_flags"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=10_000, help="archive size (default 10000)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--keep", type=Path, help="write the archive and outputs here instead of a temp folder")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / "bench_notes.parquet"
        texts = make_archive(archive, args.notes)
        mean_kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
        load_start = round(os.getloadavg()[0], 2)
        print(f"archive: {args.notes:,} notes, mean {mean_kb:.2f} KB; cores {os.cpu_count()}; load {os.getloadavg()[0]:.1f}")
        tok = tokenizer_rate(texts)
        print(f"tokenizer only (spacy.blank('en')): {tok:,.0f} notes/s")
        capacity = parallel_capacity()
        print(f"machine: 2 busy processes get {capacity:.2f} cores' worth of a pure-Python loop (2.00 = two full cores)")
        runs = []
        for workers in args.workers:
            run = run_batch(archive, folder / f"bench_out_{workers}.jsonl", workers)
            run["ratio_to_tokenizer"] = round(run["notes_per_s"] / tok, 4)
            run["ratio_per_core_to_tokenizer"] = round(run["notes_per_s_per_core"] / tok, 4)
            runs.append(run)
            run["ratio_cpu_to_tokenizer"] = round(run["notes_per_cpu_s"] / tok, 4)
            print(f"batch --workers {workers}: {run['notes_per_s']:,.1f} notes/s ({run['notes_per_s_per_core']:,.1f}/core wall, "
                  f"{run['notes_per_cpu_s']:,.1f} per CPU-second = {run['cpu_ms_per_note']} ms CPU/note; "
                  f"{run['notes_per_s_wall']:,.1f} incl. start-up), peak RSS/worker {run['peak_rss_mb_per_worker']} MB "
                  f"(main {run['peak_rss_mb_main']} MB), x{run['ratio_to_tokenizer']:.3f} of tokenizer")
        if len(runs) >= 2:
            speedup = runs[-1]["notes_per_s"] / runs[0]["notes_per_s"]
            print(f"speed-up {runs[0]['workers']} -> {runs[-1]['workers']} workers: x{speedup:.2f}")
    result = {
        "benchmark": "facetcoder batch (full pipeline: extraction + coding + cross-visit pass) vs spaCy tokenizer",
        "notes": args.notes, "mean_kb": round(mean_kb, 2), "cpu_count": os.cpu_count(),
        "load_avg_1m_at_start": load_start, "python": platform.python_version(),
        "platform": platform.platform(), "tokenizer_notes_per_s": round(tok, 1),
        "parallel_capacity_2_processes": capacity, "runs": runs,
        "targets": {"notes_per_s_per_core": 100, "ratio_to_tokenizer": 0.5, "peak_rss_mb_per_worker": 500},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
