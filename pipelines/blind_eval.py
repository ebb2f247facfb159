"""Scores for a blind batch: the numbers issue 10 asks for, per note, with bootstrap intervals.

A blind batch is a folder of notes written by people who never saw the rules, with a frozen gold
file (`data/blind/README.md`). Besides the per-field scores of `facetcoder evaluate`, a coder needs
to know how often a claim is wrong *without a warning*: `wrong_lines_unflagged` counts notes whose
claim lines differ from the gold while `review.status` is `auto`.

    python -m pipelines.blind_eval --notes data/blind/A/notes --gold data/blind/A/gold.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.coding import rule_tables

Record = Mapping[str, Any]
# The families a 6449x line can come from (procedure_families.csv, in_scope).
FACET = frozenset(family for family, row in rule_tables().families.items() if row.in_scope)
RESAMPLES = 2000
SEED = 20261203


def line_key(record: Record) -> list[tuple[str, tuple[str, ...], int]]:
    """Claim lines as an ordered-modifier multiset key (a line's modifier order is part of the claim)."""
    return sorted((c["cpt"], tuple(c.get("modifiers") or []), int(c.get("units", 1)))
                  for c in record.get("claim_lines") or [])


def levels_key(record: Record) -> list[tuple[str, str]]:
    return sorted((lv["joint"], lv.get("side", "unspecified")) for lv in record.get("levels") or [])


def pain_of(record: Record, timing: str) -> tuple[float, str] | None:
    """The first score with this timing, as (value, scale); None when there is none."""
    for p in record.get("pain_scores") or []:
        if p.get("timing") == timing:
            return float(p["value"]), str(p.get("scale", "NRS"))
    return None


def status(record: Record) -> str:
    """Review status; a result without a review (an older schema) was sent as it was: auto."""
    return str((record.get("review") or {}).get("status", "auto"))


def _get(record: Record, section: str, key: str) -> Any:
    sec = record.get(section)
    return sec.get(key) if isinstance(sec, Mapping) else None


Metric = Callable[[Record, Record], bool | None]  # None: not scored on this note

METRICS: dict[str, Metric] = {
    "procedure.family": lambda g, p: _get(g, "procedure", "family") == _get(p, "procedure", "family"),
    "imaging.modality": lambda g, p: _get(g, "imaging", "modality") == _get(p, "imaging", "modality"),
    "levels (joint+side, facet notes)": lambda g, p: levels_key(g) == levels_key(p)
    if _get(g, "procedure", "family") in FACET else None,
    "intent (facet notes)": lambda g, p: _get(g, "intent", "value") == _get(p, "intent", "value")
    if _get(g, "procedure", "family") in FACET and _get(g, "intent", "value") else None,
    "pain pre (facet notes)": lambda g, p: pain_of(g, "pre") == pain_of(p, "pre")
    if _get(g, "procedure", "family") in FACET else None,
    "pain post (facet notes)": lambda g, p: pain_of(g, "post") == pain_of(p, "post")
    if _get(g, "procedure", "family") in FACET else None,
    "claim lines exact (all notes)": lambda g, p: line_key(g) == line_key(p),
    "claim lines exact (facet notes)": lambda g, p: line_key(g) == line_key(p)
    if _get(g, "procedure", "family") in FACET else None,
    "auto-coded": lambda g, p: status(p) == "auto",
    "wrong lines without needs_review": lambda g, p: line_key(g) != line_key(p) and status(p) == "auto",
    "wrong lines, any": lambda g, p: line_key(g) != line_key(p),
    "review raised where the gold expects it": lambda g, p: status(p) == "needs_review"
    if g.get("review_expected") is True else None,
    "review raised where the gold expects none": lambda g, p: status(p) == "needs_review"
    if g.get("review_expected") is False else None,
    # The engine codes only the facet family (64490-64495, 0213T-0218T): any line on a non-facet note is over-coding.
    "6449x line on a non-facet note": lambda g, p: bool(p.get("claim_lines"))
    if _get(g, "procedure", "family") not in FACET else None,
}


def _interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    if len(values) == 0:
        return float("nan"), float("nan")
    means = rng.choice(values, size=(RESAMPLES, len(values)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def score(gold: Sequence[Record], predicted: Mapping[str, Record]) -> dict[str, dict[str, Any]]:
    """metric -> {n, hits, rate, ci}; a note without a prediction is scored against an empty record."""
    rng = np.random.default_rng(SEED)
    out: dict[str, dict[str, Any]] = {}
    for name, metric in METRICS.items():
        vals = [metric(g, predicted.get(str(g["note_id"]), {})) for g in gold]
        arr = np.array([float(v) for v in vals if v is not None])
        low, high = _interval(arr, rng)
        out[name] = {"n": int(len(arr)), "hits": int(arr.sum()), "rate": float(arr.mean()) if len(arr) else None,
                     "ci": [low, high]}
    return out


def paired_difference(gold: Sequence[Record], a: Mapping[str, Record], b: Mapping[str, Record],
                      metric: str) -> dict[str, Any]:
    """Rate of `metric` under b minus under a, with a paired percentile-bootstrap 95% interval."""
    fn = METRICS[metric]
    pairs = [(fn(g, a.get(str(g["note_id"]), {})), fn(g, b.get(str(g["note_id"]), {}))) for g in gold]
    diffs = np.array([float(y) - float(x) for x, y in pairs if x is not None and y is not None])
    low, high = _interval(diffs, np.random.default_rng(SEED))
    return {"metric": metric, "n": int(len(diffs)), "delta": float(diffs.mean()) if len(diffs) else None,
            "ci": [low, high]}


def errors(gold: Sequence[Record], predicted: Mapping[str, Record]) -> list[dict[str, Any]]:
    """One row per note and failed metric: what the gold says and what was predicted (no note text)."""
    rows = []
    show = {"levels (joint+side, facet notes)": levels_key, "claim lines exact (all notes)": line_key,
            "pain post (facet notes)": lambda r: pain_of(r, "post"), "pain pre (facet notes)": lambda r: pain_of(r, "pre"),
            "intent (facet notes)": lambda r: _get(r, "intent", "value"),
            "procedure.family": lambda r: _get(r, "procedure", "family"),
            "imaging.modality": lambda r: _get(r, "imaging", "modality")}
    for g in gold:
        p = predicted.get(str(g["note_id"]), {})
        for name, view in show.items():
            ok = METRICS[name](g, p)
            if ok is False:
                rows.append({"note_id": g["note_id"], "metric": name, "gold": str(view(g)), "predicted": str(view(p)),
                             "review": status(p),
                             "reasons": [r["id"] for r in (p.get("review") or {}).get("reasons", [])]})
    return rows


def predict(notes: Path, gold: Sequence[Record], use_models: bool = True) -> dict[str, Record]:
    """Run the analyser on every gold note, each under the payer its gold names."""
    from nlp.api import Analyzer

    analyzer = Analyzer(use_models=use_models)
    items = [(str(g["note_id"]), (notes / f"{g['note_id']}.txt").read_text(encoding="utf-8"), g.get("payer"))
             for g in gold if (notes / f"{g['note_id']}.txt").is_file()]
    return {r.note_id: r.model_dump(mode="json") for r in analyzer.analyze_many(items)}


def markdown(scores: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["| metric | notes | rate | 95% CI |", "|---|---|---|---|"]
    for name, s in scores.items():
        rate = "n/a" if s["rate"] is None else f"{s['rate']:.3f}"
        ci = "" if s["rate"] is None else f"{s['ci'][0]:.3f}-{s['ci'][1]:.3f}"
        lines.append(f"| {name} | {s['n']} | {rate} ({s['hits']}) | {ci} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=Path, required=True)
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--out", type=Path, help="write scores, model comparison and the error table as JSON")
    args = ap.parse_args(argv)
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    with_models = predict(args.notes, gold, use_models=True)
    rules_only = predict(args.notes, gold, use_models=False)
    scores = score(gold, with_models)
    print(markdown(scores))
    comparison = [paired_difference(gold, rules_only, with_models, m)
                  for m in ("wrong lines without needs_review", "auto-coded", "claim lines exact (all notes)")]
    for c in comparison:
        print(f"models on vs off, {c['metric']}: delta {c['delta']:+.3f} (95% CI {c['ci'][0]:+.3f} to {c['ci'][1]:+.3f})")
    if args.out:
        args.out.write_text(json.dumps({"scores": scores, "models_vs_rules": comparison,
                                        "errors": errors(gold, with_models)}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
