"""The scikit-learn estimators behind the intent and procedure-family models.

Rule features (`nlp.features.rule_features`, one-hot/count dict -> DictVectorizer -> MaxAbsScaler)
and TF-IDF word 1-2-grams of the note feed a LogisticRegression (char n-grams were dropped: they cost
~30 ms per note per model for no measured gain); the whole
pipeline is wrapped in `CalibratedClassifierCV` (sigmoid, stratified folds, fixed seed), so
`predict_proba` is calibrated. Only scikit-learn types: the artifact loads with skops' trusted list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler

from nlp.features import RULES_COLUMN, TEXT_COLUMN

SEED = 13
MAX_FOLDS = 3
MIN_PER_CLASS = 2


def base_pipeline(seed: int = SEED) -> Pipeline:
    """Features + logistic regression (uncalibrated)."""
    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=4000), TEXT_COLUMN),
        ("rules", Pipeline([("dict", DictVectorizer()), ("scale", MaxAbsScaler())]), RULES_COLUMN),
    ])
    clf = LogisticRegression(C=4.0, max_iter=5000, class_weight="balanced", random_state=seed)
    return Pipeline([("features", features), ("clf", clf)])


def kept_classes(labels: Sequence[str], min_per_class: int = MIN_PER_CLASS) -> list[str]:
    """Classes with enough training examples to be calibrated (rarer ones are left to the rules)."""
    return sorted(c for c, n in Counter(labels).items() if n >= min_per_class)


def calibrated(labels: Sequence[str], seed: int = SEED) -> CalibratedClassifierCV:
    """Calibrated classifier with as many stratified folds as the rarest kept class allows (2..3).

    `ensemble=False`: one pipeline fit on all train notes, calibrated on out-of-fold predictions.
    """
    folds = max(2, min(MAX_FOLDS, min(Counter(labels).values())))
    return CalibratedClassifierCV(base_pipeline(seed), method="sigmoid", ensemble=False,
                                  cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed))


def slim(estimator: CalibratedClassifierCV) -> CalibratedClassifierCV:
    """Make the artifact small: drop the vectorizers' `stop_words_` (every pruned n-gram, kept only
    for introspection) and store vocabularies with plain ints (numpy ints become one file each)."""
    for cal in estimator.calibrated_classifiers_:
        for _, step, _ in cal.estimator.named_steps["features"].transformers_:
            for vec in (step.steps[0][1],) if isinstance(step, Pipeline) else (step,):
                if hasattr(vec, "stop_words_"):
                    del vec.stop_words_
                if hasattr(vec, "vocabulary_"):
                    vec.vocabulary_ = {k: int(v) for k, v in vec.vocabulary_.items()}
    return estimator
