"""Throughput of the full facetcoder pipeline vs the spaCy tokenizer alone vs default medspacy.load().

Prints notes/s for each on the same 2-3 KB notes (the bundled realistic notes, cycled) and the
ratios; writes benchmarks/results/pipeline.json. Target (issue 2): full >= 0.5 x tokenizer.

    python benchmarks/bench_pipeline.py [--notes 600] [--medspacy-notes 60]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_texts(n: int) -> list[str]:
    sources = sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.txt"))
    sources += sorted((ROOT / "data" / "corpus" / "notes").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    texts = [t for t in texts if 1500 <= len(t.encode()) <= 3500] or texts
    return [texts[i % len(texts)] for i in range(n)]


def rate(fn, texts: list[str]) -> float:
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=600)
    ap.add_argument("--medspacy-notes", type=int, default=60, help="default medspacy.load() is slow; fewer notes")
    args = ap.parse_args()

    import spacy

    from nlp.api import Analyzer

    texts = load_texts(args.notes)
    mean_kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
    tokenizer = spacy.blank("en").tokenizer
    analyzer = Analyzer()
    analyzer.analyze(texts[0], "warmup")
    for text in texts[:50]:  # warm the tokenizer's cache as bench_batch does
        tokenizer(text)

    tok = rate(lambda ts: [tokenizer(t) for t in ts], texts)
    full_single = rate(lambda ts: [analyzer.analyze(t, "n") for t in ts], texts)
    full_pipe = rate(lambda ts: list(analyzer.analyze_many((str(i), t) for i, t in enumerate(ts))), texts)

    import medspacy
    from nlp.pipeline import _quiet_medspacy_logging

    default = medspacy.load()
    _quiet_medspacy_logging()
    med_texts = texts[: args.medspacy_notes]
    med = rate(lambda ts: list(default.pipe(ts)), med_texts)

    results = {
        "notes": len(texts),
        "mean_note_kb": round(mean_kb, 2),
        "tokenizer_notes_per_s": round(tok, 1),
        "facetcoder_analyze_notes_per_s": round(full_single, 1),
        "facetcoder_analyze_many_notes_per_s": round(full_pipe, 1),
        "medspacy_default_notes_per_s": round(med, 1),
        "ratio_full_to_tokenizer": round(full_pipe / tok, 3),
        "ratio_full_to_medspacy_default": round(full_pipe / med, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for k, v in results.items():
        print(f"{k:40} {v}")
    target = "MET" if results["ratio_full_to_tokenizer"] >= 0.5 else "NOT MET"
    print(f"target full >= 0.5 x tokenizer: {target}")
    out = ROOT / "benchmarks" / "results" / "pipeline.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
