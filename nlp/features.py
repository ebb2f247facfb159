"""Model features from a rule-based `NoteResult` plus the note text (models depend on nlp, not the reverse).

`rule_features()` gives a flat dict (strings are one-hot encoded by `DictVectorizer`): the rule
values and confidences, agent kinds, imaging, level/pain counts and counts of target-lexicon labels
in the text (plain regex over `lexicons/targets.jsonl`, so no spaCy run is needed at model time).
`feature_frame()` stacks (text, rule features) rows into the DataFrame the model pipelines take.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from nlp.resources import read_jsonl
from nlp.schema import NoteResult

TEXT_COLUMN = "text"
RULES_COLUMN = "rules"
FAMILIES_PREFIX = "PROC_"


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, re.Pattern[str]]:
    """One case-insensitive alternation per target category."""
    by_cat: dict[str, list[str]] = {}
    for row in read_jsonl("lexicons/targets.jsonl"):
        pattern = row.get("pattern") or r"(?<!\w)" + re.escape(row["literal"]) + r"(?!\w)"
        by_cat.setdefault(row["category"], []).append(pattern)
    return {cat: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) for cat, pats in sorted(by_cat.items())}


def label_counts(text: str) -> Counter:
    """Occurrences of each target-lexicon category in the text."""
    return Counter({cat: len(rx.findall(text)) for cat, rx in _lexicon().items()})


def rule_features(result: NoteResult, text: str) -> dict[str, Any]:
    """Flat feature dict from the rule outputs and lexicon counts."""
    feats: dict[str, Any] = {
        "rule_family": result.procedure.family,
        "rule_family_conf": result.procedure.confidence or 0.0,
        "rule_intent": result.intent.value,
        "rule_intent_conf": result.intent.confidence or 0.0,
        "rule_imaging": result.imaging.modality,
        "n_levels": float(len(result.levels)),
        "n_levels_from_nerves": float(sum(lv.source == "nerve_map" for lv in result.levels)),
        "n_pain_scores": float(len(result.pain_scores)),
        "n_relief": float(len(result.percent_relief)),
        "sedation": float(result.sedation.given),
        "n_other_families": float(len(result.procedure.other_families)),
    }
    for fam in result.procedure.other_families:
        feats[f"other_family={fam}"] = 1.0
    for kind, n in Counter(a.kind for a in result.agents).items():
        feats[f"agent={kind}"] = float(n)
    for rid in result.intent.rule_ids:
        feats[f"intent_rule={rid}"] = 1.0
    for rid in result.procedure.rule_ids:
        feats[f"family_rule={rid}"] = 1.0
    for cat, n in label_counts(text).items():
        if n:
            feats[f"lex={cat}"] = float(n)
    return feats


def feature_frame(rows: Sequence[tuple[NoteResult, str]]) -> pd.DataFrame:
    """DataFrame with a text column and a column of rule-feature dicts (the model input)."""
    return pd.DataFrame({
        TEXT_COLUMN: [text for _, text in rows],
        RULES_COLUMN: [rule_features(result, text) for result, text in rows],
    })
