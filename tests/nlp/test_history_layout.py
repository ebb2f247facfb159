"""Earlier procedures and template choices told apart from today's procedure by the layout (issue 10).

Classes seen in blind notes, tested here with new sentences:
- a header that names earlier procedures by its words ("PREVIOUS INJECTIONS:", "Injection history",
  "From outside records (...):") opens a history section, even though no section rule lists it; found by
  its words, it covers its own paragraph only;
- a header word inside such a title ("RESULTS:" of "PRIOR BLOCK RESULTS:") does not open a section of its own;
- a template's bracketed list of level choices ("[L3-4/L4-5/L5-S1]") offers joints, it does not treat them;
- ConText words that put a procedure in the past ("old", "outside", "last") or in a request ("before any",
  "auth for", "request auth"), and an age ("62 year old") that is not "old".
"""

from __future__ import annotations

import pytest

from nlp.api import Analyzer

TODAY = """Procedure: right L5-S1 facet joint injection, intra-articular.
Under fluoroscopy a 22 gauge needle entered the right L5-S1 joint; 1 mL of 0.5% bupivacaine with 20 mg
triamcinolone was injected. Pain 7/10 before, 3/10 after.
"""

HISTORY_HEADERS = [
    "PREVIOUS INJECTIONS:",
    "Past interventional procedures -",
    "Injection history",
    "Prior MBB results:",
    "Earlier blocks at this clinic (2025):",
    "From outside records (Lakeview Spine, faxed):",
]

PAST_LINE = "- bilateral L2-3 and L3-4 medial branch blocks 04/2025 with 70% relief for two days"


@pytest.fixture(scope="module")
def analyzer(pipeline) -> Analyzer:
    return Analyzer(nlp=pipeline)


def _joints(result) -> list[tuple[str, str]]:
    return [(lv.joint, str(lv.side)) for lv in result.levels]


@pytest.mark.parametrize("header", HISTORY_HEADERS)
def test_a_header_naming_earlier_procedures_opens_a_history_section(view_of, header):
    text = header + "\n" + PAST_LINE + "\n\n" + TODAY
    view = view_of(text)
    assert view.section_at(text.index("bilateral L2-3")) == "history"
    assert view.section_at(text.index("22 gauge")) != "history"


@pytest.mark.parametrize("header", HISTORY_HEADERS)
def test_joints_under_a_history_header_are_not_treated_today(analyzer, header):
    alone = analyzer.analyze(TODAY)
    both = analyzer.analyze(header + "\n" + PAST_LINE + "\n\n" + TODAY)
    assert _joints(both) == _joints(alone)
    assert [(c.cpt, c.modifiers) for c in both.claim_lines] == [(c.cpt, c.modifiers) for c in alone.claim_lines]


def test_a_history_header_found_by_its_words_covers_its_paragraph_only(view_of):
    # No header follows the history paragraph: today's technique must not inherit "history".
    text = ("Prior injections:\n" + PAST_LINE + "\n\n"
            "Today the right L5-S1 joint was entered under fluoroscopy and 1 mL of bupivacaine injected.\n")
    view = view_of(text)
    assert view.section_at(text.index("bilateral L2-3")) == "history"
    assert view.section_at(text.index("Today the right")) != "history"


@pytest.mark.parametrize(
    "line",
    [
        "Prior to the procedure, risks were reviewed:",   # "prior to" is time, not a history header
        "Procedure: right L5-S1 facet joint injection",   # a rule-known header keeps its category
    ],
)
def test_lines_that_are_not_history_headers(view_of, line):
    text = line + "\n" + TODAY
    view = view_of(text)
    assert view.section_at(len(line) + 2) != "history"


def test_a_header_word_inside_a_longer_title_is_part_of_that_title(view_of):
    text = "PRIOR BLOCK RESULTS: left C4-5 and C5-6 MBB last spring, 90% relief.\n\n" + TODAY
    view = view_of(text)
    titles = [s.title for s in view.sections]
    assert not any(t.strip().upper() == "RESULTS" for t in titles), titles
    assert view.section_at(text.index("left C4-5")) == "history"


@pytest.mark.parametrize(
    "choices",
    ["[L3-4/L4-5/L5-S1]", "{L3-4 | L4-5 | L5-S1}", "[ L2-L3 / L3-L4 / L5-S1 ]"],
)
def test_a_bracketed_list_of_level_choices_is_not_a_treated_level(analyzer, choices):
    # A smart-text field left with its choices beside the level the writer typed.
    text = (f"Procedure: right lumbar facet joint injection at L5-S1 {choices}, intra-articular.\n"
            "Under fluoroscopy a 22 gauge needle entered the joint; 1 mL bupivacaine and 20 mg triamcinolone.\n")
    result = analyzer.analyze(text)
    assert _joints(result) == [("L5-S1", "right")]
    assert [c.cpt for c in result.claim_lines] == ["64493"]


def test_a_single_bracketed_level_is_still_a_level(analyzer):
    text = "Level: [L4-5] right.\n" + TODAY.replace("right L5-S1", "right L4-5")
    assert ("L4-L5", "right") in _joints(analyzer.analyze(text))


@pytest.mark.parametrize(
    ("text", "phrase", "historical", "hypothetical"),
    [
        ("Reviewed the old medial branch block report from March.", "medial branch block", True, False),
        ("An outside facet injection gave no relief.", "facet injection", True, False),
        ("Her last medial branch block helped for a day.", "medial branch block", True, False),
        ("Before any facet injection we will try physical therapy.", "facet injection", False, True),
        ("Please request auth for bilateral L4-5 medial branch blocks.", "medial branch blocks", False, True),
        ("We are seeking auth for a right C5-6 facet injection next month.", "facet injection", False, True),
        ("Procedure for this 70 year old: facet injection, right L4-5.", "facet injection", False, False),
        ("Procedure for this 64-year-old: medial branch block, left C5-6.", "medial branch block", False, False),
    ],
)
def test_context_words_for_past_and_requested_procedures(view_of, text, phrase, historical, hypothetical):
    view = view_of(text)
    start = text.index(phrase)
    mention = next(m for m in view.mentions if m.start == start)
    assert (mention.historical, mention.hypothetical) == (historical, hypothetical)
