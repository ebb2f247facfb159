"""facet_sectionizer and facet_context must give exactly medSpaCy's sections and ConText statuses.

They are speed-ups of medSpaCy's own components (see nlp/components/sections.py and context.py);
this compares them, note by note, with a pipeline built from the unmodified medSpaCy factories
on every golden and corpus note plus small edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from nlp.pipeline import CONTEXT_RULES, SECTION_RULES, SPAN_GROUP, build_pipeline, load_target_rules
from nlp.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
NOTES = sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.txt")) + sorted((ROOT / "data" / "corpus" / "notes").glob("*.txt"))
EDGE_CASES = [
    "No facet injection today.",
    "PROCEDURE:",
    "Denies pain. History of RFA at L4-5. Will consider medial branch blocks if no relief, no fever, no chills.",
    "INDICATIONS: pain\nPROCEDURE: bilateral L4-L5 and L5-S1 facet joint injections under fluoroscopy without sedation.",
]
STATUS = ("is_negated", "is_historical", "is_hypothetical", "is_family", "is_uncertain")


@pytest.fixture(scope="module")
def reference():
    """The same rules through medSpaCy's stock sectionizer and ConText."""
    import nlp.pipeline  # noqa: F401  (facet_sentences registered)

    ref = spacy.blank("en")
    ref.add_pipe("facet_sentences")
    ref.add_pipe("medspacy_sectionizer", config={"rules": str(resource_path(SECTION_RULES)), "require_start_line": False, "span_attrs": None})
    matcher = ref.add_pipe("medspacy_target_matcher", config={"result_type": "group", "span_group_name": SPAN_GROUP})
    matcher.add(load_target_rules())
    ref.add_pipe("medspacy_context", config={"rules": str(resource_path(CONTEXT_RULES)), "input_span_type": "group", "span_group_name": SPAN_GROUP})
    return ref


@pytest.fixture(scope="module")
def fast():
    nlp = build_pipeline()
    assert [name for name, _ in nlp.pipeline] == ["facet_sentences", "facet_sectionizer", "medspacy_target_matcher", "facet_context"]
    return nlp


def _section_key(s):
    return None if s is None else (s.category, s.title_start, s.title_end, s.body_start, s.body_end)


def _sections(doc):
    return [(*_section_key(s), _section_key(s.parent)) for s in doc._.sections]


def _statuses(doc):
    return [(sp.start, sp.end, sp.label_, *(getattr(sp._, a) for a in STATUS),
             tuple((m.category, m.modifier_span, m.scope_span) for m in sp._.modifiers)) for sp in doc.spans[SPAN_GROUP]]


def _texts():
    return [p.read_text(encoding="utf-8") for p in NOTES] + EDGE_CASES


def test_there_are_notes_to_compare():
    assert len(NOTES) > 150


def test_sections_equal_medspacy(reference, fast):
    for text in _texts():
        assert _sections(fast(text)) == _sections(reference(text)), text[:80]


def test_context_statuses_and_modifiers_equal_medspacy(reference, fast):
    n_modified = 0
    for text in _texts():
        got, want = _statuses(fast(text)), _statuses(reference(text))
        assert got == want, text[:80]
        n_modified += sum(1 for row in want if row[-1])
    assert n_modified > 100  # the comparison covers many real modifier edges, not only empty ones


def test_context_graph_edges_equal_medspacy(reference, fast):
    for text in _texts():
        a, b = fast(text)._.context_graph, reference(text)._.context_graph
        assert [(t.start, t.end, m.category, m.scope_span) for t, m in a.edges] == [(t.start, t.end, m.category, m.scope_span) for t, m in b.edges]
        assert [m.scope_span for m in a.modifiers] == [m.scope_span for m in b.modifiers]


def test_token_section_attribute_is_not_set(fast):
    doc = fast("PROCEDURE: right L4-5 facet injection.")
    assert doc._.sections and all(t._.section is None for t in doc)


def test_sectionizer_scope_limits_and_parents_equal_medspacy():
    """Rule features our table does not use yet (max_scope, parents, max_section_length) behave alike."""
    from medspacy.section_detection import SectionRule

    import nlp.components.sections  # noqa: F401

    rules = [
        SectionRule("Procedure:", "procedure", max_scope=3),
        SectionRule("Findings:", "findings", parents=["procedure"]),
        SectionRule("Plan:", "plan"),
    ]
    text = "Intro text here. Procedure: right L4-5 facet joint injection. Findings: good spread. Plan: follow up in two weeks."
    for config in ({}, {"max_section_length": 4}):
        docs = []
        for factory in ("medspacy_sectionizer", "facet_sectionizer"):
            nlp = spacy.blank("en")
            nlp.add_pipe("facet_sentences")
            nlp.add_pipe(factory, config={"rules": None, "span_attrs": None, **config}).add(rules)
            docs.append(nlp(text))
        assert _sections(docs[1]) == _sections(docs[0])
        assert docs[0]._.sections[1].body_end - docs[0]._.sections[1].body_start <= 4
        assert docs[1]._.sections[2].parent is not None  # the parent path ran


def test_view_statuses_from_facet_context_equal_span_attributes(fast):
    """note_view reads ConText statuses from facet_context's dict; the span attributes agree."""
    from nlp.components.context import STATUS_KEY
    from nlp.extract.view import note_view

    flagged = 0
    for text in _texts():
        doc = fast(text)
        fast_view = note_view(doc)
        del doc.user_data[STATUS_KEY]  # forces the span._ fallback
        assert note_view(doc).mentions == fast_view.mentions, text[:80]
        flagged += sum(not m.asserted for m in fast_view.mentions)
    assert flagged > 100


def test_kept_text_is_the_doc_text(fast):
    from nlp.components.tokenizer import TEXT_KEY

    for text in _texts() + ["  leading and trailing blanks \n\n", "tabs\tand\r\nCRLF\r\n"]:
        doc = fast(text)
        assert doc.user_data[TEXT_KEY] == doc.text == text


@pytest.mark.parametrize("direction", ["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"])
@pytest.mark.parametrize("max_scope", [None, 1, 3, 50])
def test_sentence_scope_equals_medspacy_modifier_scope(fast, direction, max_scope):
    from medspacy.context import ConTextRule
    from medspacy.context.context_modifier import ConTextModifier

    from nlp.components.context import sentence_scope

    doc = fast("Short one. The patient had no relief after the prior left L4-5 and L5-S1 blocks done last year at the other clinic. End.")
    rule = ConTextRule("x", "NEGATED_EXISTENCE", direction=direction, max_scope=max_scope)
    sentences = [(s.start, s.end) for s in doc.sents]
    for start in range(len(doc) - 1):
        for end in (start + 1, start + 2):
            sent = next(s for s in sentences if s[0] <= start < s[1])
            want = ConTextModifier(rule, start, end, doc).scope_span
            assert sentence_scope(direction, max_scope, start, end, sent) == want, (start, end)
