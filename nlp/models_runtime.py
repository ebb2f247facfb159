"""Optional learned models on top of the rules: load skops artifacts, override low-certainty rule values.

    models = load_models()                      # None when no artifacts are installed
    facts = apply_models(facts, note_text, models)

Artifacts (`intent.skops`, `family.skops`, `meta.json`) are written by `facetcoder train` and read
with `skops.io.load` against the explicit `TRUSTED_TYPES` list below (never pickle). A model only
replaces a rule value when its calibrated probability reaches the threshold recorded in
`meta.json`; either way the fact's `confidence` becomes the model's calibrated probability of the
final value and its `reason` ends with "(model)".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nlp.features import RULES_COLUMN, TEXT_COLUMN, feature_frame, rule_features
from nlp.schema import ModelReading, NoteResult

META_FILE = "meta.json"
# task -> (artifact file, NoteResult section, attribute)
TASKS: dict[str, tuple[str, str, str]] = {
    "family": ("family.skops", "procedure", "family"),
    "intent": ("intent.skops", "intent", "value"),
}
MODEL_TAG = "(model)"

# Types the artifacts hold beyond skops' default-trusted set (sklearn estimators, numpy, builtins).
# `facetcoder train` refuses to write an artifact whose `get_untrusted_types` is not in this list.
TRUSTED_TYPES: list[str] = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
]


@dataclass
class Models:
    """Loaded classifiers (task -> fitted estimator), their thresholds and the training metadata."""

    estimators: dict[str, Any]
    thresholds: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)
    directory: Path | None = None
    fast: dict[str, NoteScorer] = field(default_factory=dict)  # numpy inference per note (see NoteScorer)


def default_dir() -> Path:
    """`models/artifacts` of the installed package."""
    return Path(str(resources.files("models").joinpath("artifacts")))


def load_models(dir: str | Path | None = None) -> Models | None:
    """Load the artifacts in `dir` (default: installed `models/artifacts`); None when there are none."""
    from skops.io import load

    directory = Path(dir) if dir is not None else default_dir()
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    estimators: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    for task, (filename, _, _) in TASKS.items():
        info = meta.get("tasks", {}).get(task)
        path = directory / filename
        if info is None or not path.is_file():
            continue
        estimators[task] = load(path, trusted=TRUSTED_TYPES)
        thresholds[task] = float(info["threshold"])
    if not estimators:
        return None
    scorers = {task: NoteScorer.of(est) for task, est in estimators.items()}
    fast = {task: s for task, s in scorers.items() if s is not None} if all(scorers.values()) else {}
    return Models(estimators, thresholds, meta, directory, fast)


def batch_proba(estimator: Any, rows: list[tuple[NoteResult, str]]) -> list[dict[str, float]]:
    """Calibrated class probabilities for many (rule result, text) rows at once."""
    return _row_probs(estimator, feature_frame(rows))


def _row_probs(estimator: Any, frame: Any) -> list[dict[str, float]]:
    probs = estimator.predict_proba(frame)
    return [{str(c): float(p) for c, p in zip(estimator.classes_, row, strict=True)} for row in probs]


def _apply_one(result: NoteResult, task: str, probs: dict[str, float], threshold: float) -> None:
    """Record the model's reading on the fact; the rules' value stands (the models never override today).

    `threshold` is kept in the artifacts for the model card; review routing uses its own cut-off
    (`nlp.coding.review.MODEL_DISAGREE_P`).
    """
    _, section, attr = TASKS[task]
    fact = getattr(result, section)
    rule_value = getattr(fact, attr)
    best = max(probs, key=lambda c: (probs[c], c))
    fact.model = ModelReading(value=best, p=round(probs[best], 4))
    fact.reason = f"{fact.reason} {MODEL_TAG}"
    fact.confidence = round(probs.get(rule_value, 0.0), 4)


def override(result: NoteResult, probs: dict[str, dict[str, float]], thresholds: dict[str, float]) -> NoteResult:
    """Copy of `result` with the tasks' probabilities applied (family first, then intent).

    Intent is left alone when the final family is `no_procedure`.
    """
    # Only scalar fields of these two facts change: shallow copies of them, the rest shared.
    out = result.model_copy(update={"procedure": result.procedure.model_copy(), "intent": result.intent.model_copy()})
    for task in TASKS:
        if task not in probs:
            continue
        if task == "intent" and out.procedure.family == "no_procedure":
            continue
        _apply_one(out, task, probs[task], thresholds[task])
    return out


def apply_models_batch(results: list[NoteResult], texts: list[str], models: Models | None) -> list[NoteResult]:
    """`apply_models` for many notes at once.

    With `models.fast` (the shipped model shape), each note goes through `NoteScorer`, its text cut into
    n-grams once for all tasks whose vectorizers analyse text the same way; otherwise one
    scikit-learn `predict_proba` per task on a feature frame.
    """
    if models is None or not results:
        return results
    if models.fast:
        probs = [_fast_probs(models, result, text) for result, text in zip(results, texts, strict=True)]
    else:
        frame = feature_frame(list(zip(results, texts, strict=True)))
        per_task = {task: _row_probs(models.estimators[task], frame) for task in TASKS if task in models.estimators}
        probs = [{task: rows[i] for task, rows in per_task.items()} for i in range(len(results))]
    return [override(result, p, models.thresholds) for result, p in zip(results, probs, strict=True)]


def _fast_probs(models: Models, result: NoteResult, text: str) -> dict[str, dict[str, float]]:
    """Every task's probabilities for one note: rule features once, n-grams once per analyser."""
    feats = rule_features(result, text)
    ngrams: dict[tuple, list[str]] = {}
    out = {}
    for task, scorer in models.fast.items():
        if scorer.analysis_key not in ngrams:
            ngrams[scorer.analysis_key] = scorer.analyse(text)
        out[task] = scorer(feats, ngrams[scorer.analysis_key])
    return out


class NoteScorer:
    """`predict_proba` of one note through the shipped model shape in plain numpy: TF-IDF words +
    (DictVectorizer -> MaxAbsScaler) rule features -> LogisticRegression scores -> per-class sigmoid
    calibration, normalised as scikit-learn's `_CalibratedClassifier.predict_proba` does.
    scikit-learn spends ~2 ms per call on input validation for a single row; this takes ~0.2 ms.
    `of()` returns None for any other model shape (the scikit-learn path is used then); tests
    check equality with `predict_proba`."""

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)

    @classmethod
    def of(cls, estimator: Any) -> NoteScorer | None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import LabelEncoder, MaxAbsScaler

        if len(estimator.calibrated_classifiers_) != 1:  # ensemble=True: one pipeline per fold
            return None
        cal = estimator.calibrated_classifiers_[0]
        pipe = cal.estimator
        steps = [(name, trans, col) for name, trans, col in pipe.named_steps["features"].transformers_
                 if name != "remainder" and trans != "drop"]
        clf = pipe.named_steps.get("clf")
        if (cal.method != "sigmoid" or len(steps) != 2 or type(clf) is not LogisticRegression
                or [col for _, _, col in steps] != [TEXT_COLUMN, RULES_COLUMN]):
            return None
        words, rules = steps[0][1], steps[1][1]
        if (type(words) is not TfidfVectorizer or words.norm != "l2" or type(rules) is not Pipeline
                or [type(t) for _, t in rules.steps] != [DictVectorizer, MaxAbsScaler]):
            return None
        dict_vec, scaler = rules.steps[0][1], rules.steps[1][1]
        positions = LabelEncoder().fit(cal.classes).transform(clf.classes_)
        return cls(
            classes=[str(c) for c in estimator.classes_], analysis_key=_analysis_key(words),
            analyse=words.build_analyzer(), vocabulary=words.vocabulary_, binary=words.binary,
            sublinear=words.sublinear_tf, idf=getattr(words, "idf_", None), n_words=len(words.vocabulary_),
            rule_vocabulary=dict_vec.vocabulary_, separator=dict_vec.separator, inv_scale=1.0 / scaler.scale_,
            coef=clf.coef_, intercept=clf.intercept_, n_classes=len(cal.classes),
            positions=[int(p) + (1 if len(cal.classes) == 2 else 0) for p in positions],
            calibrators=[(float(c.a_), float(c.b_)) for c in cal.calibrators],
        )

    def __call__(self, rule_feats: dict[str, Any], ngrams: list[str]) -> dict[str, float]:
        """Class probabilities from the note's rule features and its n-grams (`self.analyse(text)`)."""
        import numpy as np
        from scipy.special import expit

        counts: dict[int, int] = {}
        for gram in ngrams:
            j = self.vocabulary.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        val = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.binary:
            val[:] = 1.0
        if self.sublinear:
            val = np.log(val) + 1.0
        if self.idf is not None:
            val *= self.idf[idx]
        norm = np.sqrt(np.dot(val, val))
        if norm > 0:
            val /= norm
        rule_idx: dict[int, float] = {}
        for name, value in rule_feats.items():
            if isinstance(value, str):
                name, value = f"{name}{self.separator}{value}", 1.0
            j = self.rule_vocabulary.get(name)
            if j is not None:
                rule_idx[j] = rule_idx.get(j, 0.0) + float(value)
        r_idx = np.fromiter(rule_idx.keys(), dtype=np.int64, count=len(rule_idx))
        r_val = np.fromiter(rule_idx.values(), dtype=np.float64, count=len(rule_idx)) * self.inv_scale[r_idx]
        scores = self.coef[:, idx] @ val + self.coef[:, self.n_words + r_idx] @ r_val + self.intercept
        proba = np.zeros(self.n_classes)
        for position, score, (a, b) in zip(self.positions, scores, self.calibrators):
            proba[position] = expit(-(a * score + b))
        if self.n_classes == 2:
            proba[0] = 1.0 - proba[1]
        else:
            total = proba.sum()
            proba = proba / total if total != 0 else np.full(self.n_classes, 1.0 / self.n_classes)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return {c: float(p) for c, p in zip(self.classes, proba, strict=True)}


# TfidfVectorizer settings that decide how a text is cut into n-grams (not which n-grams are kept).
_ANALYSIS_PARAMS = ("input", "encoding", "decode_error", "strip_accents", "lowercase", "preprocessor", "tokenizer",
                    "analyzer", "stop_words", "token_pattern", "ngram_range")


def _analysis_key(vectorizer: Any) -> tuple:
    params = vectorizer.get_params()
    return tuple(repr(params[name]) for name in _ANALYSIS_PARAMS)


def apply_models(result: NoteResult, note_text: str, models: Models | None) -> NoteResult:
    """Return a copy of the rule facts with model confidences and confident overrides.

    Call on the facts before coding, so claim lines and flags follow the final values; the models
    read the rule output (not each other's overrides). `models=None` returns `result` unchanged.
    """
    if models is None:
        return result
    if models.fast:
        probs = _fast_probs(models, result, note_text)
    else:
        frame = feature_frame([(result, note_text)])
        probs = {task: _row_probs(est, frame)[0] for task, est in models.estimators.items()}
    return override(result, probs, models.thresholds)
