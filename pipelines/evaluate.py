"""`facetcoder evaluate`: score predictions (a JSONL file, or the pipeline run on a notes directory)
against a gold JSONL file, optionally on one split, and render tables, JSON, markdown, CSV and a plot.

The metrics themselves live in `nlp.scoring`; this module only reads files, runs the analyser,
and renders. Notebooks and `pipelines.train` use the same functions.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nlp.scoring import (ALL_FIELDS, DEFAULT_RESAMPLES, DEFAULT_SEED, FieldScore, Report, gold_flag_ids,
                         paired_difference, score)

Record = dict[str, Any]


# ----------------------------------------------------------------------------- reading

def load_jsonl(path: str | Path) -> list[Record]:
    """Records of a JSONL file (blank lines skipped)."""
    rows: list[Record] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
    return rows


def load_predictions(path: str | Path) -> dict[str, Record]:
    """note_id -> prediction record (NoteResult JSONL as written by `facetcoder analyze -f jsonl`)."""
    return {str(r["note_id"]): r for r in load_jsonl(path)}


def load_splits(path: str | Path) -> dict[str, list[str]]:
    """split -> note ids, from `{"train": [...], ..., "seed": 7}` or `{note_id: split}`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "splits" in data and isinstance(data["splits"], dict):
        data = data["splits"]
    lists = {k: [str(x) for x in v] for k, v in data.items() if isinstance(v, list)}
    if lists:  # other keys (e.g. "seed") are metadata
        return lists
    out: dict[str, list[str]] = {}
    for nid, split in data.items():
        out.setdefault(str(split), []).append(str(nid))
    return out


def select_split(gold: Sequence[Record], split: str | None, splits: Mapping[str, Sequence[str]] | None) -> list[Record]:
    """Gold records of one split (all when split is None); a record's own "split" key also counts."""
    if split is None:
        return list(gold)
    ids = set(splits.get(split, [])) if splits else set()
    if splits is not None and split not in splits:
        raise ValueError(f"unknown split {split!r}; the splits file has {sorted(splits)}")
    return [g for g in gold if str(g["note_id"]) in ids or g.get("split") == split]


def read_notes(notes_dir: str | Path, note_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(note_id, text) for `<notes_dir>/<note_id>.txt` (all *.txt when note_ids is None)."""
    root = Path(notes_dir)
    if note_ids is None:
        return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.txt"))]
    return [(nid, (root / f"{nid}.txt").read_text(encoding="utf-8")) for nid in note_ids
            if (root / f"{nid}.txt").is_file()]


# ----------------------------------------------------------------------------- predicting

def predict(pairs: Sequence[tuple[str, str]], models: Any = None, payer: str = "medicare",
            analyzer: Any = None) -> Iterator[Any]:
    """NoteResults for (note_id, text) pairs: rules, then the models (when given), then coding.

    The Analyzer's own batch path (`nlp.api.run_notes`) with an explicit models argument, so rules-only
    and rules+model can be compared whatever the Analyzer's default is.
    """
    from nlp.api import Analyzer, run_notes

    analyzer = analyzer or Analyzer(payer, use_models=False)
    yield from run_notes(analyzer.nlp, pairs, models, payer, batch_size=32)


def predict_records(pairs: Sequence[tuple[str, str]], models: Any = None, payer: str = "medicare",
                    analyzer: Any = None) -> dict[str, Record]:
    """note_id -> prediction dict (`NoteResult.model_dump()`)."""
    return {r.note_id: r.model_dump(mode="json") for r in predict(pairs, models, payer, analyzer)}


# ----------------------------------------------------------------------------- comparing

@dataclass(frozen=True)
class Comparison:
    """Rules-only vs rules+model on one field, with the paired-bootstrap interval of the difference."""

    field: str
    n_notes: int
    rules: float
    rules_ci: tuple[float, float]
    model: float
    model_ci: tuple[float, float]
    delta: float
    delta_ci: tuple[float, float]


def compare(gold: Sequence[Record], rules: Mapping[str, Record], model: Mapping[str, Record],
            fields: Sequence[str] = ALL_FIELDS, resamples: int = DEFAULT_RESAMPLES,
            seed: int = DEFAULT_SEED, flag_ids: Collection[str] | None = None) -> list[Comparison]:
    """Per-field comparison of two prediction sets on the same gold notes."""
    ra = score(gold, rules, fields, resamples=resamples, seed=seed, flag_ids=flag_ids).fields
    rb = score(gold, model, fields, resamples=resamples, seed=seed, flag_ids=flag_ids).fields
    out = []
    for f in fields:
        delta, lo, hi, n = paired_difference(gold, rules, model, f, resamples, seed, flag_ids=flag_ids)
        a, b = ra[f], rb[f]
        out.append(Comparison(f, n, a.score, (a.ci_low, a.ci_high), b.score, (b.ci_low, b.ci_high), delta, (lo, hi)))
    return out


# ----------------------------------------------------------------------------- rendering

def _f(x: float | None, digits: int = 3) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _counts(s: FieldScore) -> str:
    return f"{s.correct}/{s.n_notes}" if s.kind == "accuracy" else f"tp={s.tp} fp={s.fp} fn={s.fn}"


def score_rows(report: Report) -> list[list[str]]:
    """Header + one row per field: field, metric, n, score, 95% CI, P, R, counts."""
    rows = [["field", "metric", "n", "score", "95% CI", "P", "R", "counts"]]
    for s in report.fields.values():
        metric = "accuracy" if s.kind == "accuracy" else "F1"
        rows.append([s.field, metric, str(s.n_notes), _f(s.score), f"[{_f(s.ci_low)}, {_f(s.ci_high)}]",
                     _f(s.precision), _f(s.recall), _counts(s)])
    for fid, s in report.flags_by_id.items():
        rows.append([f"flags[{fid}]", "F1", str(s.n_notes), _f(s.score), f"[{_f(s.ci_low)}, {_f(s.ci_high)}]",
                     _f(s.precision), _f(s.recall), _counts(s)])
    return rows


def comparison_rows(comparison: Sequence[Comparison]) -> list[list[str]]:
    """Header + one row per field: n, rules and rules+model with 95% CIs, paired delta with its CI."""
    rows = [["field", "n", "rules", "rules 95% CI", "rules+model", "rules+model 95% CI", "delta", "delta 95% CI"]]
    for c in comparison:
        delta = "-" if math.isnan(c.delta) else f"{c.delta:+.3f}"
        rows.append([c.field, str(c.n_notes), _f(c.rules), f"[{_f(c.rules_ci[0])}, {_f(c.rules_ci[1])}]", _f(c.model),
                     f"[{_f(c.model_ci[0])}, {_f(c.model_ci[1])}]", delta, f"[{_f(c.delta_ci[0])}, {_f(c.delta_ci[1])}]"])
    return rows


def confusion_rows(matrix: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """Header (gold \\ predicted) + one row per gold label."""
    cols = sorted({p for row in matrix.values() for p in row})
    return [["gold \\ pred", *cols]] + [[g, *(str(row.get(c, 0)) for c in cols)] for g, row in matrix.items()]


def _plain(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md(rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in rows]
    return "\n".join(["| " + " | ".join(esc[0]) + " |", "|" + "---|" * len(esc[0])]
                     + ["| " + " | ".join(r) + " |" for r in esc[1:]])


def _strict(value: Any) -> Any:
    """NaN -> None, recursively (strict JSON)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def render(report: Report, fmt: str = "table", comparison: Sequence[Comparison] | None = None,
           title: str = "") -> str:
    """The report as a plain-text table, markdown or JSON."""
    if fmt == "json":
        data = report.as_dict()
        if comparison is not None:
            data["comparison"] = [_strict(asdict(c)) for c in comparison]
        return json.dumps(data, indent=2, allow_nan=False)
    table = _md if fmt == "markdown" else _plain
    head = f"## {title}\n\n" if fmt == "markdown" and title else f"{title}\n" if title else ""
    scope = "all flag ids" if report.flag_ids is None else f"flags limited to {len(report.flag_ids)} annotated ids"
    parts = [head + f"{report.n_notes} gold notes; 95% CIs: percentile bootstrap over notes; {scope}",
             table(score_rows(report))]
    for name, matrix in report.confusion.items():
        if matrix:
            parts.append(("### " if fmt == "markdown" else "") + f"confusion: {name}\n" + table(confusion_rows(matrix)))
    if comparison is not None:
        parts.append(("### " if fmt == "markdown" else "") + "rules-only vs rules+model\n" + table(comparison_rows(comparison)))
    if report.missing_predictions:
        parts.append(f"no prediction for {len(report.missing_predictions)} note(s): {', '.join(report.missing_predictions)}")
    return "\n\n".join(parts) + "\n"


def write_errors_csv(report: Report, path: str | Path) -> None:
    """The error table: note_id, field, gold, predicted, evidence."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["note_id", "field", "gold", "predicted", "evidence"])
        for e in report.errors:
            w.writerow([e.note_id, e.field, e.gold, e.predicted, e.evidence])


def plot_scores(report: Report, path: str | Path | None = None, comparison: Sequence[Comparison] | None = None,
                title: str = "") -> Any:
    """Per-field scores with their 95% intervals (and rules+model when compared); saved when path is given."""
    from matplotlib.figure import Figure  # no pyplot: backend-free (Agg canvas on savefig)

    series: list[tuple[str, list[str], list[float], list[tuple[float, float]]]]
    if comparison is not None:
        comparison = [c for c in comparison if c.n_notes]
        names = [c.field for c in comparison]
        series = [("rules", names, [c.rules for c in comparison], [c.rules_ci for c in comparison]),
                  ("rules+model", names, [c.model for c in comparison], [c.model_ci for c in comparison])]
    else:
        fs = [s for s in report.fields.values() if s.n_notes]
        names = [s.field for s in fs]
        series = [("score", names, [s.score for s in fs], [(s.ci_low, s.ci_high) for s in fs])]
    fig = Figure(figsize=(7, 0.38 * len(names) + 1.4))
    ax = fig.add_subplot()
    offset = 0.18 if len(series) > 1 else 0.0
    for k, (label, labels, vals, cis) in enumerate(series):
        ys = [i + (k - (len(series) - 1) / 2) * 2 * offset for i in range(len(labels))]
        lo = [max(0.0, v - c[0]) if not math.isnan(c[0]) else 0.0 for v, c in zip(vals, cis)]
        hi = [max(0.0, c[1] - v) if not math.isnan(c[1]) else 0.0 for v, c in zip(vals, cis)]
        ax.errorbar(vals, ys, xerr=[lo, hi], fmt="o", capsize=3, label=label)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("accuracy or F1 (95% bootstrap CI)")
    ax.set_title(title or f"{report.n_notes} notes")
    ax.grid(axis="x", alpha=0.3)
    if len(series) > 1:
        ax.legend(loc="lower left")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


# ----------------------------------------------------------------------------- one call for CLI/notebooks

@dataclass
class Evaluation:
    report: Report
    comparison: list[Comparison] | None
    predictions: dict[str, Record]
    gold: list[Record]


def parse_flags_scope(scope: str, gold: Sequence[Record]) -> list[str] | None:
    """"all" -> None (every id), "gold" -> ids in the whole gold file, else a comma-separated id list."""
    if scope == "all":
        return None
    if scope == "gold":
        return gold_flag_ids(gold)
    return sorted(x.strip() for x in scope.split(",") if x.strip())


def run(gold_path: str | Path, pred_path: str | Path | None = None, notes_dir: str | Path | None = None,
        split: str | None = None, splits_path: str | Path | None = None, compare_models: bool = False,
        models_dir: str | Path | None = None, rules_only: bool = False, payer: str = "medicare",
        resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED, limit: int | None = None,
        analyzer: Any = None, flags_scope: str = "all") -> Evaluation:
    """Load gold (one split), get predictions (file or pipeline, with installed models unless
    `rules_only`), score them, and compare rules-only vs rules+model when asked (needs notes).
    Pass an `Analyzer` to reuse one pipeline across calls. `flags_scope`: "all" scores every flag id,
    "gold" only the ids that occur in the gold file, or a comma-separated list of ids."""
    from nlp.models_runtime import load_models

    gold = load_jsonl(gold_path)
    flag_ids = parse_flags_scope(flags_scope, gold)
    if split is not None:
        sp = Path(splits_path) if splits_path else Path(gold_path).with_name("splits.json")
        gold = select_split(gold, split, load_splits(sp) if sp.is_file() else None)
        if not gold:
            raise ValueError(f"no gold notes in split {split!r} (splits file: {sp})")
    if limit is not None:
        gold = gold[:limit]
    if (pred_path is None) == (notes_dir is None):
        raise ValueError("give exactly one of a predictions file or a notes directory")
    if compare_models and notes_dir is None:
        raise ValueError("--compare-models needs --notes (it runs the pipeline twice)")
    comparison = None
    if pred_path is not None:
        preds = load_predictions(pred_path)
    else:
        pairs = read_notes(notes_dir, [str(g["note_id"]) for g in gold])  # type: ignore[arg-type]
        models = None if rules_only and not compare_models else load_models(models_dir)
        if compare_models and models is None:
            raise ValueError(f"--compare-models: no model artifacts in {models_dir or 'models/artifacts'}; run facetcoder train")
        from nlp.api import Analyzer

        analyzer = analyzer or Analyzer(payer)
        preds = predict_records(pairs, None if rules_only else models, payer, analyzer)
        if compare_models:
            rules = preds if rules_only else predict_records(pairs, None, payer, analyzer)
            with_model = predict_records(pairs, models, payer, analyzer) if rules_only else preds
            comparison = compare(gold, rules, with_model, resamples=resamples, seed=seed, flag_ids=flag_ids)
    report = score(gold, preds, resamples=resamples, seed=seed, flag_ids=flag_ids)
    return Evaluation(report, comparison, preds, gold)
