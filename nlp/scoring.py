"""Pure evaluation metrics: gold records vs predictions (no I/O).

Gold and predictions are plain dicts in the output-schema shape (a `NoteResult.model_dump()`
or a gold JSONL record). A field absent from a gold record is not scored for that note; a note
with no prediction is scored against an empty prediction (everything missed).

* Categorical fields -> accuracy over notes, with a confusion matrix (gold -> predicted -> count).
* Set fields (levels, pain scores, claim lines, flags) -> micro precision/recall/F1 over notes
  (multiset matching of normalized items), claim lines also exact match per note.
* Every score has a seeded percentile-bootstrap 95% interval over notes and its counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Record = Mapping[str, Any]

# field name -> (section key, value key)
CATEGORICAL: dict[str, tuple[str, str]] = {
    "procedure.family": ("procedure", "family"),
    "imaging.modality": ("imaging", "modality"),
    "intent.value": ("intent", "value"),
    "conservative_care.failed": ("conservative_care", "failed"),
    "radiculopathy.status": ("radiculopathy", "status"),
    "sedation.given": ("sedation", "given"),
    "pain_duration.months": ("pain_duration", "months"),
}
SET_FIELDS = ("levels", "levels.joint", "pain_scores", "claim_lines", "flags")
EXACT_FIELDS = ("claim_lines.exact",)
ALL_FIELDS = (*CATEGORICAL, *SET_FIELDS, *EXACT_FIELDS)
# Facts that `evidence` is read from for the error table.
_EVIDENCE_OF = {"levels.joint": "levels", "claim_lines.exact": "claim_lines"}

DEFAULT_MONTHS_TOLERANCE = 1.0
DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20240411


@dataclass(frozen=True)
class FieldScore:
    """One field's headline score (accuracy or F1) with its bootstrap 95% interval and counts."""

    field: str
    kind: Literal["accuracy", "prf"]
    n_notes: int
    score: float
    ci_low: float
    ci_high: float
    correct: int = 0  # accuracy: notes right
    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float | None = None
    recall: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict; NaN (a field with no scored note) becomes None so the JSON stays strict."""
        return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ErrorRow:
    note_id: str
    field: str
    gold: str
    predicted: str
    evidence: str


@dataclass
class Report:
    """Everything `evaluate` reports; built by `score()`."""

    n_notes: int
    fields: dict[str, FieldScore]
    flags_by_id: dict[str, FieldScore]
    confusion: dict[str, dict[str, dict[str, int]]]
    errors: list[ErrorRow]
    missing_predictions: list[str] = field(default_factory=list)
    flag_ids: list[str] | None = None  # flags restricted to these ids (None: every id is scored)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n_notes": self.n_notes,
            "fields": {k: v.as_dict() for k, v in self.fields.items()},
            "flags_by_id": {k: v.as_dict() for k, v in self.flags_by_id.items()},
            "confusion": self.confusion,
            "errors": [asdict(e) for e in self.errors],
            "missing_predictions": self.missing_predictions,
            "flag_ids": self.flag_ids,
        }


# ----------------------------------------------------------------------------- normalisation

def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _label(value: Any) -> str:
    """Printable label for a categorical value (bools lower-case, None as 'none')."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def categorical_value(record: Record, name: str) -> Any:
    """The value of a categorical field in a record (None when the section or key is absent)."""
    section, key = CATEGORICAL[name]
    sec = record.get(section)
    return sec.get(key) if isinstance(sec, Mapping) else None


def set_items(record: Record, name: str) -> Counter:
    """The normalized multiset of a set field: (joint, side), joint, (timing, value, scale),
    (cpt, sorted modifiers, units) or flag id."""
    if name in ("levels", "levels.joint"):
        lv = record.get("levels") or []
        return Counter(l["joint"] if name == "levels.joint" else (l["joint"], l.get("side", "unspecified")) for l in lv)
    if name == "pain_scores":
        return Counter((p.get("timing", "unspecified"), float(p["value"]), p["scale"]) for p in record.get("pain_scores") or [])
    if name in ("claim_lines", "claim_lines.exact"):
        return Counter((c["cpt"], tuple(sorted(c.get("modifiers") or [])), int(c.get("units", 1)))
                       for c in record.get("claim_lines") or [])
    if name == "flags":
        return Counter(f["id"] if isinstance(f, Mapping) else str(f) for f in record.get("flags") or [])
    raise KeyError(name)


def is_scored(gold: Record, name: str) -> bool:
    """A field is scored for a note only when its gold record has the key."""
    section = CATEGORICAL[name][0] if name in CATEGORICAL else name.split(".")[0]
    if section not in gold:
        return False
    if name in CATEGORICAL:
        sec = gold[section]
        return isinstance(sec, Mapping) and CATEGORICAL[name][1] in sec
    return True


def _fmt_item(item: Any) -> str:
    if isinstance(item, tuple):
        if len(item) == 3 and isinstance(item[1], tuple):  # claim line
            mods = "-".join(item[1])
            return f"{item[0]}{'-' + mods if mods else ''} x{item[2]}"
        return " ".join(_label(x) for x in item)
    return _label(item)


def fmt_items(items: Counter) -> str:
    return "; ".join(_fmt_item(i) for i in sorted(items.elements(), key=str))


# ----------------------------------------------------------------------------- per-note comparison

def months_match(gold: Any, pred: Any, tolerance: float = DEFAULT_MONTHS_TOLERANCE) -> bool:
    g, p = _num(gold), _num(pred)
    if g is None or p is None:
        return g is None and p is None
    return abs(g - p) <= tolerance + 1e-9


def _evidence(pred: Record, name: str, limit: int = 160) -> str:
    """Evidence texts of the predicted fact behind a field (empty when none)."""
    section = _EVIDENCE_OF.get(name, CATEGORICAL[name][0] if name in CATEGORICAL else name)
    sec = pred.get(section)
    parts: list[str] = []
    items = sec if isinstance(sec, list) else [sec] if isinstance(sec, Mapping) else []
    for it in items:
        if isinstance(it, Mapping):
            parts.extend(e.get("text", "") for e in it.get("evidence") or [] if isinstance(e, Mapping))
    text = " | ".join(p.replace("\n", " ") for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class _Cell:
    """One note's contribution to one field."""

    correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0


def compare_note(gold: Record, pred: Record, name: str, months_tolerance: float = DEFAULT_MONTHS_TOLERANCE,
                 ) -> tuple[_Cell, ErrorRow | None]:
    """Score one scored field of one note; returns its counts and an error row when wrong."""
    nid = str(gold.get("note_id", ""))
    if name in CATEGORICAL:
        g, p = categorical_value(gold, name), categorical_value(pred, name)
        ok = months_match(g, p, months_tolerance) if name == "pain_duration.months" else g == p
        row = None if ok else ErrorRow(nid, name, _label(g), _label(p), _evidence(pred, name))
        return _Cell(correct=int(ok)), row
    g_items, p_items = set_items(gold, name), set_items(pred, name)
    tp = sum((g_items & p_items).values())
    fp, fn = sum(p_items.values()) - tp, sum(g_items.values()) - tp
    if name == "claim_lines.exact":
        ok = g_items == p_items
        row = None if ok else ErrorRow(nid, name, fmt_items(g_items), fmt_items(p_items), _evidence(pred, name))
        return _Cell(correct=int(ok)), row
    row = None
    if fp or fn:
        row = ErrorRow(nid, name, "missed: " + fmt_items(g_items - p_items) if fn else "",
                       "extra: " + fmt_items(p_items - g_items) if fp else "", _evidence(pred, name))
    return _Cell(tp=tp, fp=fp, fn=fn), row


# ----------------------------------------------------------------------------- aggregation

def prf(tp: float, fp: float, fn: float) -> tuple[float | None, float | None, float]:
    """Precision, recall (None when undefined: nothing predicted / nothing to find) and F1
    (1.0 when there was nothing to find and nothing was predicted)."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return p, r, f


def bootstrap_ci(stat: Callable[[np.ndarray], float], n: int, resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED) -> tuple[float, float]:
    """Percentile 95% interval of `stat(indices)` over `resamples` resamples of n notes (seeded)."""
    if n == 0 or resamples <= 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    values = np.array([stat(row) for row in idx])
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def aggregate(name: str, cells: Sequence[_Cell], resamples: int = DEFAULT_RESAMPLES,
              seed: int = DEFAULT_SEED) -> FieldScore:
    """Field score from per-note cells: accuracy for categorical/exact fields, micro P/R/F1 for sets."""
    n = len(cells)
    if name in CATEGORICAL or name in EXACT_FIELDS:
        correct = np.array([c.correct for c in cells], dtype=float)
        acc = float(correct.mean()) if n else float("nan")
        lo, hi = bootstrap_ci(lambda ix: float(correct[ix].mean()), n, resamples, seed)
        return FieldScore(name, "accuracy", n, acc, lo, hi, correct=int(correct.sum()))
    counts = np.array([[c.tp, c.fp, c.fn] for c in cells], dtype=float).reshape(n, 3)
    tp, fp, fn = (int(x) for x in counts.sum(axis=0))
    p, r, f = prf(tp, fp, fn)
    lo, hi = bootstrap_ci(lambda ix: prf(*counts[ix].sum(axis=0))[2], n, resamples, seed)
    return FieldScore(name, "prf", n, f, lo, hi, tp=tp, fp=fp, fn=fn, precision=p, recall=r)


def confusion(pairs: Iterable[tuple[Any, Any]]) -> dict[str, dict[str, int]]:
    """gold label -> predicted label -> count, labels sorted."""
    out: dict[str, dict[str, int]] = {}
    for g, p in sorted(pairs, key=lambda gp: (_label(gp[0]), _label(gp[1]))):
        row = out.setdefault(_label(g), {})
        row[_label(p)] = row.get(_label(p), 0) + 1
    return out


def gold_flag_ids(gold: Iterable[Record]) -> list[str]:
    """Every flag id that occurs in the gold records (the annotated flag vocabulary)."""
    return sorted({f for g in gold for f in set_items(g, "flags")})


def restrict_flags(record: Record, flag_ids: Collection[str] | None) -> Record:
    """The record with its flags limited to `flag_ids` (unchanged when None or when it has no flags)."""
    if flag_ids is None or "flags" not in record:
        return record
    keep = [f for f in record.get("flags") or [] if (f["id"] if isinstance(f, Mapping) else str(f)) in flag_ids]
    return {**record, "flags": keep}


def score(gold: Sequence[Record], predictions: Mapping[str, Record], fields: Sequence[str] = ALL_FIELDS,
          months_tolerance: float = DEFAULT_MONTHS_TOLERANCE, resamples: int = DEFAULT_RESAMPLES,
          seed: int = DEFAULT_SEED, flag_ids: Collection[str] | None = None) -> Report:
    """Score predictions (note_id -> record) against gold records.

    `flag_ids` limits flag scoring to an annotated vocabulary (other ids are dropped on both sides),
    for a gold set that annotates only some flags.
    """
    if flag_ids is not None:
        gold = [restrict_flags(g, flag_ids) for g in gold]
        predictions = {k: restrict_flags(v, flag_ids) for k, v in predictions.items()}
    cells: dict[str, list[_Cell]] = {f: [] for f in fields}
    pairs: dict[str, list[tuple[Any, Any]]] = {f: [] for f in fields if f in CATEGORICAL}
    flag_cells: dict[str, list[_Cell]] = {}
    errors: list[ErrorRow] = []
    missing: list[str] = []
    flag_notes: list[tuple[set[str], set[str]]] = []
    for g in gold:
        nid = str(g["note_id"])
        pred = predictions.get(nid)
        if pred is None:
            missing.append(nid)
            pred = {"note_id": nid}
        for name in fields:
            if not is_scored(g, name):
                continue
            cell, row = compare_note(g, pred, name, months_tolerance)
            cells[name].append(cell)
            if row is not None:
                errors.append(row)
            if name in pairs:
                pv = categorical_value(pred, name)
                gv = categorical_value(g, name)
                if name == "pain_duration.months" and months_match(gv, pv, months_tolerance):
                    pv = gv  # within tolerance counts as the gold value in the matrix
                pairs[name].append((gv, pv))
        if "flags" in fields and is_scored(g, "flags"):
            flag_notes.append((set(set_items(g, "flags")), set(set_items(pred, "flags"))))
    for fid in sorted({f for gs, ps in flag_notes for f in gs | ps}):
        flag_cells[fid] = [_Cell(tp=int(fid in gs and fid in ps), fp=int(fid in ps and fid not in gs),
                                 fn=int(fid in gs and fid not in ps)) for gs, ps in flag_notes]
    return Report(
        n_notes=len(gold),
        fields={f: aggregate(f, c, resamples, seed) for f, c in cells.items()},
        flags_by_id={fid: aggregate("flags", c, resamples, seed) for fid, c in flag_cells.items()},
        confusion={f: confusion(p) for f, p in pairs.items()},
        errors=errors,
        missing_predictions=missing,
        flag_ids=sorted(flag_ids) if flag_ids is not None else None,
    )


def paired_difference(gold: Sequence[Record], pred_a: Mapping[str, Record], pred_b: Mapping[str, Record],
                      name: str, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                      months_tolerance: float = DEFAULT_MONTHS_TOLERANCE, flag_ids: Collection[str] | None = None,
                      ) -> tuple[float, float, float, int]:
    """Score(b) - score(a) on one field with a paired bootstrap 95% interval: (delta, lo, hi, n)."""
    if flag_ids is not None:
        gold = [restrict_flags(g, flag_ids) for g in gold]
        pred_a = {k: restrict_flags(v, flag_ids) for k, v in pred_a.items()}
        pred_b = {k: restrict_flags(v, flag_ids) for k, v in pred_b.items()}
    ca: list[_Cell] = []
    cb: list[_Cell] = []
    for g in gold:
        if not is_scored(g, name):
            continue
        nid = str(g["note_id"])
        ca.append(compare_note(g, pred_a.get(nid, {"note_id": nid}), name, months_tolerance)[0])
        cb.append(compare_note(g, pred_b.get(nid, {"note_id": nid}), name, months_tolerance)[0])
    n = len(ca)
    delta = aggregate(name, cb, 0).score - aggregate(name, ca, 0).score if n else float("nan")
    arr = np.array([[a.correct, a.tp, a.fp, a.fn, b.correct, b.tp, b.fp, b.fn] for a, b in zip(ca, cb)],
                   dtype=float).reshape(n, 8)

    def stat(ix: np.ndarray) -> float:
        s = arr[ix].sum(axis=0)
        if name in CATEGORICAL or name in EXACT_FIELDS:
            return (s[4] - s[0]) / len(ix)
        return prf(*s[5:8])[2] - prf(*s[1:4])[2]

    lo, hi = bootstrap_ci(stat, n, resamples, seed)
    return delta, lo, hi, n
