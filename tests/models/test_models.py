"""`facetcoder train` on a small corpus (the 30 golden notes), skops round trip, model card reproduction."""

from __future__ import annotations

import json
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
from skops.io import get_untrusted_types, load
from skops.io.exceptions import UntrustedTypesFoundException
from typer.testing import CliRunner

from nlp.models_runtime import MODEL_TAG, TRUSTED_TYPES, Models, apply_models, load_models, override
from nlp.schema import Intent, NoteResult, Procedure
from pipelines.cli import app
from pipelines.evaluate import run

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
IDS = [f"golden_{i:02d}" for i in range(1, 31)]
SPLITS = {"train": IDS[:18], "dev": IDS[18:24], "test": IDS[24:], "seed": 0}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "notes").mkdir()
    for nid in IDS:
        shutil.copy(GOLDEN / f"{nid}.txt", root / "notes" / f"{nid}.txt")
    shutil.copy(GOLDEN / "expected.jsonl", root / "gold.jsonl")
    (root / "splits.json").write_text(json.dumps(SPLITS))
    return root


@pytest.fixture(scope="module")
def trained(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifacts")
    result = CliRunner().invoke(app, ["train", "--corpus", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_artifacts_and_meta(trained: Path):
    assert {p.name for p in trained.iterdir()} == {"family.skops", "intent.skops", "meta.json", "MODEL_CARD.md"}
    meta = json.loads((trained / "meta.json").read_text())
    assert len(meta["data_sha256"]) == 64 and meta["seed"] == 13
    assert {"scikit-learn", "skops", "numpy", "python"} <= set(meta["versions"])
    assert meta["n_notes"] == {"train": 18, "dev": 6, "test": 6}
    intent = meta["tasks"]["intent"]
    # train split only: 18 notes, intent annotated on 16 of them, "unknown" too rare -> dropped
    assert intent["classes"] == ["diagnostic", "therapeutic"] and intent["n_train"] == sum(
        n for c, n in intent["train_counts"].items() if c in intent["classes"])
    assert 0.5 <= intent["threshold"] <= 1.01


def test_skops_round_trip_without_pickle(trained: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("family.skops", "intent.skops"):
        path = trained / name
        with zipfile.ZipFile(path) as z:  # a skops zip: a JSON schema and .npy arrays, no pickle stream
            assert all(n == "schema.json" or n.endswith(".npy") for n in z.namelist())
        assert set(get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
        with pytest.raises(UntrustedTypesFoundException):
            load(path)  # nothing is trusted implicitly

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    models = load_models(trained)
    assert models is not None and set(models.estimators) == {"family", "intent"}


def test_train_then_evaluate_reproduces_the_card(corpus: Path, trained: Path):
    meta = json.loads((trained / "meta.json").read_text())
    card = (trained / "MODEL_CARD.md").read_text()
    for split in ("dev", "test"):
        ev = run(corpus / "gold.jsonl", notes_dir=corpus / "notes", split=split, compare_models=True, models_dir=trained)
        got = {c.field: c for c in ev.comparison}
        for row in meta["metrics"][split]:
            c = got[row["field"]]
            assert (c.n_notes, c.rules, c.model, c.delta) == (row["n_notes"], row["rules"], row["model"], row["delta"])
            assert list(c.rules_ci) == row["rules_ci"] and list(c.model_ci) == row["model_ci"]
            assert f"| {c.field} | {c.n_notes} | {c.rules:.3f} [{c.rules_ci[0]:.3f}, {c.rules_ci[1]:.3f}] |" in card


def test_training_is_reproducible(corpus: Path, trained: Path, tmp_path: Path):
    result = CliRunner().invoke(app, ["train", "--corpus", str(corpus), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "meta.json").read_text()) == json.loads((trained / "meta.json").read_text())
    assert (tmp_path / "MODEL_CARD.md").read_text() == (trained / "MODEL_CARD.md").read_text()


def test_apply_models_sets_confidence_and_reason(trained: Path):
    models = load_models(trained)
    text = (GOLDEN / "golden_01.txt").read_text()
    rules = NoteResult(note_id="x", procedure=Procedure(family="medial_branch_block", reason="rule says MBB"),
                       intent=Intent(value="diagnostic", reason="documented as a diagnostic block", confidence=0.95))
    out = apply_models(rules, text, models)
    assert rules.intent.reason == "documented as a diagnostic block"  # input untouched
    assert out.intent.reason.endswith(MODEL_TAG) and 0.0 <= out.intent.confidence <= 1.0
    assert out.procedure.reason.endswith(MODEL_TAG)
    assert apply_models(rules, text, None) is rules


def test_models_record_their_reading_and_never_override_the_rules():
    rules = NoteResult(note_id="x", procedure=Procedure(family="medial_branch_block"),
                       intent=Intent(value="diagnostic", reason="local anaesthetic only", confidence=0.75))
    probs = {"intent": {"diagnostic": 0.2, "therapeutic": 0.8}}
    for threshold in (0.5, 0.8, 0.9):
        out = override(rules, probs, {"intent": threshold})
        assert out.intent.value == "diagnostic" and out.intent.confidence == 0.2
        assert out.intent.model is not None and (out.intent.model.value, out.intent.model.p) == ("therapeutic", 0.8)
        assert out.intent.reason == f"local anaesthetic only {MODEL_TAG}"
    assert rules.intent.model is None  # input untouched
    none = rules.model_copy(update={"procedure": Procedure(family="no_procedure")})
    assert override(none, probs, {"intent": 0.5}).intent.model is None  # no intent without a procedure


def test_load_models_absent(tmp_path: Path):
    assert load_models(tmp_path) is None
    assert isinstance(Models({}, {}), Models)


def test_fast_single_note_path_equals_sklearn_predict_proba(pipeline):
    """NoteScorer (single-note inference in plain numpy, without sklearn's per-call overhead) matches predict_proba."""
    from pathlib import Path

    from nlp.api import Analyzer
    from nlp.models_runtime import batch_proba, load_models

    models = load_models()
    if models is None:
        pytest.skip("no model artifacts installed")
    analyzer = Analyzer(nlp=pipeline, use_models=False)
    assert set(models.fast) == set(models.estimators)  # the numpy path is the one tested
    golden = sorted(GOLDEN.glob("*.txt")) + sorted((GOLDEN.parents[2] / "data" / "corpus" / "notes").glob("*.txt"))[::4]
    for path in golden:
        text = path.read_text(encoding="utf-8")
        result = analyzer.analyze(text, path.stem)
        from nlp.features import rule_features

        feats = rule_features(result, text)
        for task, estimator in models.estimators.items():
            expected = batch_proba(estimator, [(result, text)])[0]
            scorer = models.fast[task]
            got = scorer(feats, scorer.analyse(text))
            assert got.keys() == expected.keys()
            for cls in expected:
                assert got[cls] == pytest.approx(expected[cls], abs=1e-9)


def test_batch_path_shares_the_ngrams_and_equals_sklearn(pipeline):
    """apply_models_batch's hand-applied path (one n-gram analysis for both tasks) gives the same
    probabilities and the same final facts as scikit-learn's predict_proba on a feature frame."""
    from dataclasses import replace

    from nlp.api import Analyzer
    from nlp.models_runtime import _fast_probs, apply_models_batch, batch_proba, load_models

    models = load_models()
    assert models is not None and models.fast, "the shipped artifacts are single-fold: the fast path must be on"
    analyzer = Analyzer(nlp=pipeline, use_models=False)
    paths = sorted(GOLDEN.glob("*.txt")) + sorted((GOLDEN.parents[2] / "data" / "corpus" / "notes").glob("*.txt"))[:34]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    results = [analyzer.analyze(t, p.stem) for t, p in zip(texts, paths)]
    analysed: list[str] = []
    for scorer in models.fast.values():  # count the n-gram analyses the batch path makes
        analyse = scorer.analyse
        scorer.analyse = lambda text, analyse=analyse: analysed.append(text) or analyse(text)
    got = [_fast_probs(models, r, t) for r, t in zip(results, texts)]
    for task, estimator in models.estimators.items():
        want = batch_proba(estimator, list(zip(results, texts)))
        for g, w in zip((row[task] for row in got), want, strict=True):
            assert g.keys() == w.keys() and all(g[c] == pytest.approx(w[c], abs=1e-12) for c in w)
    assert analysed == texts  # both tasks' vectorizers cut text the same way: each text analysed once
    slow = replace(models, fast={})
    assert apply_models_batch(results, texts, models) == apply_models_batch(results, texts, slow)
