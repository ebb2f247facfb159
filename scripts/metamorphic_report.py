"""Metamorphic report: every relation of `pipelines.metamorphic` over the golden and corpus notes.

Prints the invariance table as markdown (transformation, kind, applicable notes, unchanged or as
expected, percent) and writes benchmarks/results/metamorphic.json with, per relation, the failing
note ids and their claim lines and the skipped note ids with the reason. Never prints note text.

    python scripts/metamorphic_report.py [--only NAME ...] [--out benchmarks/results/metamorphic.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from nlp.api import Analyzer
from pipelines import metamorphic as mm
from pipelines.metamorphic import PASS_RATE, RELATIONS, TransformReport

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def markdown_table(reports: list[TransformReport]) -> str:
    """The invariance table, one row per relation."""
    rows = ["| transformation | kind | applicable notes | unchanged / as expected | % | >= 99% |",
            "|---|---|---|---|---|---|"]
    for r in reports:
        ok = "yes" if r.rate >= PASS_RATE else "**no**"
        rows.append(f"| {r.name} | {r.kind.replace('_', '-')} | {r.notes} | {r.held} | {100 * r.rate:.1f} | {ok} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=list(RELATIONS), metavar="NAME", help="relations (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "metamorphic.json")
    args = ap.parse_args()

    start = time.perf_counter()
    notes = mm.bundled_notes(ROOT)
    analyzer = Analyzer()
    originals = mm.analyze_originals(analyzer, notes)
    reports = [mm.check_relation(analyzer, name, notes, originals) for name in (args.only or RELATIONS)]
    seconds = time.perf_counter() - start

    print(markdown_table(reports))
    below = [r.name for r in reports if r.rate < PASS_RATE]
    print(f"\n{len(notes)} notes, {len(reports)} relations, {len(below)} below {PASS_RATE:.0%}"
          f"{': ' + ', '.join(below) if below else ''} ({seconds:.0f} s)")

    result = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "HEAD"),
        "working_tree_dirty": bool(_git("status", "--porcelain", "--", "nlp")),
        "notes": len(notes),
        "pass_rate": PASS_RATE,
        "seconds": round(seconds, 1),
        "python": platform.python_version(),
        "relations": {r.name: r.to_dict() for r in reports},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
