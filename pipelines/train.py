"""`facetcoder train`: fit the intent and procedure-family models on the corpus train split.

Reproducible: fixed seeds, the corpus hash and library versions go to `meta.json`; the override
threshold of each model is tuned on the dev split (ties -> the more conservative threshold);
dev and test scores (rules-only vs rules+model, bootstrap CIs) go to `meta.json` and `MODEL_CARD.md`.
Artifacts are written with `skops.io.dump` and checked against `nlp.models_runtime.TRUSTED_TYPES`.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED

from nlp.features import feature_frame
from nlp.models_runtime import META_FILE, TASKS, TRUSTED_TYPES, Models, batch_proba, override
from nlp.schema import NoteResult
from nlp.scoring import DEFAULT_RESAMPLES, DEFAULT_SEED, categorical_value, score
from pipelines.evaluate import Comparison, compare, load_jsonl, load_splits, read_notes

FIELD_OF = {"family": "procedure.family", "intent": "intent.value"}
THRESHOLDS = [round(0.5 + 0.05 * i, 2) for i in range(10)] + [1.01]  # 1.01 = never override
CARD = "MODEL_CARD.md"


def corpus_hash(corpus: Path) -> str:
    """sha256 over gold.jsonl, splits.json and every notes/*.txt (names and bytes, sorted)."""
    h = hashlib.sha256()
    for path in [corpus / "gold.jsonl", corpus / "splits.json", *sorted((corpus / "notes").glob("*.txt"))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import skops
    import sklearn

    from nlp import __version__

    return {"python": platform.python_version(), "facetcoder": __version__, "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__}


def rule_facts(pairs: Sequence[tuple[str, str]]) -> dict[str, NoteResult]:
    """Rule-only facts (no coding) for (note_id, text) pairs."""
    from nlp.extract.facts import extract_facts
    from nlp.extract.view import note_view
    from nlp.normalize import normalize
    from nlp.pipeline import get_pipeline

    nlp = get_pipeline()
    return {nid: extract_facts(note_view(doc), nid)
            for doc, nid in nlp.pipe(((normalize(t).text, n) for n, t in pairs), as_tuples=True, batch_size=32)}


Probs = dict[str, dict[str, dict[str, float]]]  # note_id -> task -> class -> p


def note_probs(models: Models, facts: Mapping[str, NoteResult], texts: Mapping[str, str]) -> Probs:
    """Every task's calibrated probabilities for every note, computed in one batch per task."""
    ids = list(facts)
    out: Probs = {nid: {} for nid in ids}
    for task, est in models.estimators.items():
        for nid, p in zip(ids, batch_proba(est, [(facts[n], texts[n]) for n in ids])):
            out[nid][task] = p
    return out


def _records(facts: Mapping[str, NoteResult], probs: Probs | None, thresholds: Mapping[str, float]) -> dict[str, dict]:
    """Prediction dicts, rules-only (probs None) or with the model overrides at `thresholds`."""
    return {nid: (override(r, probs[nid], dict(thresholds)) if probs is not None else r).model_dump(mode="json")
            for nid, r in facts.items()}


def fit_task(task: str, gold: Sequence[dict], facts: Mapping[str, NoteResult], texts: Mapping[str, str],
             seed: int) -> tuple[Any, dict[str, Any]]:
    """Fit one calibrated model on the gold-labelled train notes; returns (estimator, info)."""
    from models.build import calibrated, kept_classes

    field = FIELD_OF[task]
    labelled = [(g["note_id"], categorical_value(g, field)) for g in gold
                if categorical_value(g, field) is not None and g["note_id"] in facts]
    all_counts = Counter(y for _, y in labelled)
    classes = kept_classes([y for _, y in labelled])
    if len(classes) < 2:
        raise ValueError(f"{task}: need at least two classes with 2+ train notes, have {dict(all_counts)}")
    rows = [(nid, y) for nid, y in labelled if y in classes]
    X = feature_frame([(facts[nid], texts[nid]) for nid, _ in rows])
    y = [label for _, label in rows]
    est = calibrated(y, seed).fit(X, y)
    info = {"file": TASKS[task][0], "field": field, "classes": classes, "n_train": len(rows),
            "train_counts": dict(sorted(all_counts.items())),
            "dropped_classes": sorted(set(all_counts) - set(classes)), "folds": est.cv.n_splits}
    return est, info


def tune_threshold(task: str, probs: Probs, thresholds: Mapping[str, float], gold: Sequence[dict],
                   facts: Mapping[str, NoteResult]) -> tuple[float, dict[str, float]]:
    """Dev accuracy of the task's field for each threshold; the best (highest on ties)."""
    field = FIELD_OF[task]
    acc: dict[str, float] = {}
    for t in THRESHOLDS:
        records = _records(facts, probs, {**thresholds, task: t})
        acc[str(t)] = score(gold, records, [field], resamples=0).fields[field].score
    best = max(THRESHOLDS, key=lambda t: (acc[str(t)], t))
    return best, acc


def split_metrics(gold: Sequence[dict], facts: Mapping[str, NoteResult], probs: Probs,
                  thresholds: Mapping[str, float], resamples: int = DEFAULT_RESAMPLES,
                  seed: int = DEFAULT_SEED) -> list[Comparison]:
    """Rules-only vs rules+model on the model fields (same functions as `evaluate --compare-models`)."""
    return compare(gold, _records(facts, None, {}), _records(facts, probs, thresholds), list(FIELD_OF.values()),
                   resamples, seed)


def train_models(corpus: str | Path, out: str | Path, seed: int = 13) -> dict[str, Any]:
    """Train, tune on dev, score dev/test, write skops artifacts, meta.json and MODEL_CARD.md."""
    from skops.io import dump, get_untrusted_types

    from models.build import slim

    corpus, out = Path(corpus), Path(out)
    gold_all = load_jsonl(corpus / "gold.jsonl")
    splits = load_splits(corpus / "splits.json")
    by_split = {s: [g for g in gold_all if g["note_id"] in set(splits.get(s, []))] for s in ("train", "dev", "test")}
    if not by_split["train"]:
        raise ValueError(f"{corpus}: the train split is empty")
    pairs = read_notes(corpus / "notes", [g["note_id"] for s in by_split.values() for g in s])
    from nlp.normalize import normalize

    texts = {nid: normalize(text).text for nid, text in pairs}  # what the runtime scores
    facts = rule_facts(pairs)
    out.mkdir(parents=True, exist_ok=True)
    thresholds: dict[str, float] = {}
    probs: Probs = {nid: {} for nid in facts}
    tasks: dict[str, Any] = {}
    dev = by_split["dev"] or by_split["train"]
    for task in TASKS:  # family first: intent is tuned with the family model in place
        est, info = fit_task(task, by_split["train"], facts, texts, seed)
        for nid, p in note_probs(Models({task: est}, {}), facts, texts).items():
            probs[nid][task] = p[task]
        info["threshold"], info["dev_accuracy_by_threshold"] = tune_threshold(task, probs, thresholds, dev, facts)
        thresholds[task] = info["threshold"]
        for split in ("dev", "test"):  # reported only (the model's argmax everywhere), never used for tuning
            if by_split[split]:
                info[f"{split}_model_alone"] = score(by_split[split], _records(facts, probs, {**thresholds, task: 0.0}),
                                                     [FIELD_OF[task]], resamples=0).fields[FIELD_OF[task]].score
        path = out / info["file"]
        dump(slim(est), path, compression=ZIP_DEFLATED, compresslevel=9)
        untrusted = set(get_untrusted_types(file=path))
        if not untrusted <= set(TRUSTED_TYPES):
            raise ValueError(f"{path}: types outside TRUSTED_TYPES: {sorted(untrusted - set(TRUSTED_TYPES))}")
        tasks[task] = info
    metrics = {s: [asdict(c) for c in split_metrics(by_split[s], facts, probs, thresholds)]
               for s in ("dev", "test") if by_split[s]}
    meta = {"seed": seed, "corpus": str(corpus), "data_sha256": corpus_hash(corpus),
            "n_notes": {s: len(v) for s, v in by_split.items()}, "versions": versions(),
            "bootstrap": {"resamples": DEFAULT_RESAMPLES, "seed": DEFAULT_SEED}, "tasks": tasks, "metrics": metrics}
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    from models.card import model_card

    (out / CARD).write_text(model_card(meta), encoding="utf-8")
    return meta
