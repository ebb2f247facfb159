"""Builds the spaCy/medSpaCy pipeline: tokenizer, fast sentences, sections, targets, ConText.

`spacy.blank("en")` (nothing downloaded), then:
  facet_sentences -> facet_sectionizer (medSpaCy's Sectionizer, our procedure-note section rules)
  -> medspacy_target_matcher (lexicons/targets.jsonl) -> facet_context (medSpaCy's ConText, context_rules.json).
The two facet_* components are medSpaCy's own classes with per-token writes and impossible pair
checks skipped (nlp/components/sections.py, context.py); their output equals the stock components'.
medSpaCy's TargetRule objects do not pickle, so multi-process callers build the pipeline inside
each worker (see pipelines/batch.py) instead of passing `n_process` to `nlp.pipe`.
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

import nlp.components.context  # noqa: F401  (registers facet_context)
import nlp.components.sections  # noqa: F401  (registers facet_sectionizer)
import nlp.components.sentences  # noqa: F401  (registers facet_sentences)
from nlp.components.tokenizer import TextKeepingTokenizer
from nlp import __version__
from nlp.resources import checksum, read_jsonl, resource_path

SECTION_RULES = "section_rules.json"
CONTEXT_RULES = "context_rules.json"
FIELD_SEPARATOR_INFIX = r"(?<=[A-Za-z0-9_)\]])[;|](?=[A-Za-z0-9(\[])"
TARGET_RULES = "lexicons/targets.jsonl"
SPAN_GROUP = "facet_targets"

_TARGET_KEYS = {"literal", "category", "pattern", "attributes", "case_sensitive"}


def _quiet_medspacy_logging() -> None:
    """medSpaCy/PyRuSH log through loguru at DEBUG; keep note text out of any log."""
    try:
        from loguru import logger

        logger.remove()
    except Exception:  # pragma: no cover - loguru is a medspacy dependency
        pass
    logging.getLogger("medspacy").setLevel(logging.WARNING)
    # medSpaCy's internal matchers warn (W036) when one of their sub-matchers has no patterns.
    warnings.filterwarnings("ignore", message=r".*\[W036\]")


def load_target_rules(name: str = TARGET_RULES) -> list:
    """Target rules from a JSONL lexicon; unknown keys are an error that names the row."""
    from medspacy.target_matcher import TargetRule

    from nlp.errors import RuleTableError

    rules = []
    for i, row in enumerate(read_jsonl(name), start=1):
        unknown = set(row) - _TARGET_KEYS
        if unknown or "literal" not in row or "category" not in row:
            raise RuleTableError(
                f"{name} row {i}: expected keys {sorted(_TARGET_KEYS)} with literal and category, received {sorted(row)}"
            )
        if "case_sensitive" in row and (row["case_sensitive"] is not True or "pattern" in row):
            raise RuleTableError(f"{name} row {i}: case_sensitive must be true on a literal row without a pattern, "
                                 f"received case_sensitive={row['case_sensitive']!r}, pattern={row.get('pattern')!r}")
        rules.append(TargetRule(row["literal"], row["category"], pattern=row.get("pattern"), attributes=row.get("attributes")))
    return rules


@lru_cache(maxsize=4)
def case_sensitive_literals(name: str = TARGET_RULES) -> dict[tuple[str, str], str]:
    """(category, lower-cased literal) -> the exact spelling required ("PT" is physical therapy, "Pt" the patient).

    These literals go to medSpaCy's phrase matcher, which matches lower case (a case-sensitive token
    pattern would make spaCy's Matcher visit every token of every note); `NoteView` drops the
    matches spelled otherwise.
    """
    return {(row["category"], row["literal"].lower()): row["literal"] for row in read_jsonl(name) if row.get("case_sensitive")}


def build_pipeline() -> Language:
    """A fresh pipeline. Use `get_pipeline()` for the per-process shared instance."""
    _quiet_medspacy_logging()
    import medspacy  # noqa: F401  (registers medspacy_* factories)

    nlp = spacy.blank("en")
    # Database exports and pipe tables glue fields: "GUIDANCE;CT", "L4-5|right|bupi" are three tokens each.
    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, FIELD_SEPARATOR_INFIX]).finditer
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("facet_sentences")
    nlp.add_pipe(
        "facet_sectionizer",
        config={"rules": str(resource_path(SECTION_RULES)), "require_start_line": False, "span_attrs": None},
    )
    # Matches go to a span group: medSpaCy's "ents" mode re-sets doc.ents once per match (slow).
    matcher = nlp.add_pipe("medspacy_target_matcher", config={"result_type": "group", "span_group_name": SPAN_GROUP})
    matcher.add(load_target_rules())
    nlp.add_pipe(
        "facet_context",
        config={"rules": str(resource_path(CONTEXT_RULES)), "input_span_type": "group", "span_group_name": SPAN_GROUP},
    )
    nlp.meta["facetcoder"] = {
        "version": __version__,
        "tables": {name: checksum(name) for name in (SECTION_RULES, CONTEXT_RULES, TARGET_RULES)},
    }
    return nlp


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The pipeline, built once per process."""
    return build_pipeline()
