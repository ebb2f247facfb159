"""Layout cues (`lexicons/cues.yaml`, `layout`): an older note pasted below today's one, and a degree in a signature.

An older note below a separator: its procedure, imaging and scores are not today's.

Copy-forward EHRs and faxed records append the previous visit under a separator line. The older note has its own
"Procedure:" header, guidance and scores; read as today's, it gives today a modality, levels or a score it never had.
"""

from __future__ import annotations

import pytest

from nlp.api import Analyzer
from nlp.extract.view import EARLIER_NOTE

TODAY = """Lumbar facet injection, left L3-4 and L4-5.
Procedure: left L3-4 and L4-5 intra-articular facet joint injections.
Under fluoroscopic guidance a 22 gauge spinal needle was advanced into each joint. Arthrogram confirmed.
Injected 0.5 mL of 0.5% bupivacaine with 10 mg triamcinolone per joint.
Pain before 6/10, after 2/10. No complications.
"""

OLDER = """Procedure: CT-guided right L5-S1 medial branch block.
The CT gantry was angled and the needle placed at the right L5 and S1 medial branches.
Pain before 9/10, after 4/10.
"""

SEPARATORS = [
    "=========== PRIOR NOTE (copied for reference) ===========",
    "***** previous visit 2025-02-11 *****",
    "--- earlier procedure note ---",
    "Previous procedure note pasted below for reference",
    "Prior procedure note 01/14/2026:",
]


@pytest.fixture(scope="module")
def analyzer(pipeline) -> Analyzer:
    return Analyzer(nlp=pipeline)


@pytest.mark.parametrize("separator", SEPARATORS)
def test_older_note_below_a_separator_is_its_own_region(view_of, separator):
    text = TODAY + "\n" + separator + "\n" + OLDER
    view = view_of(text)
    assert view.section_at(text.index("CT gantry")) == EARLIER_NOTE
    assert view.section_at(text.index("Procedure: CT")) == EARLIER_NOTE
    assert view.section_at(text.index("22 gauge")) != EARLIER_NOTE
    assert not any(m.performed for m in view.mentions if m.start > text.index(separator))


@pytest.mark.parametrize("separator", SEPARATORS)
def test_older_note_gives_today_nothing(analyzer, separator):
    alone = analyzer.analyze(TODAY)
    both = analyzer.analyze(TODAY + "\n" + separator + "\n" + OLDER)
    assert both.imaging.modality == alone.imaging.modality == "fluoroscopy"
    assert [(lv.joint, lv.side) for lv in both.levels] == [(lv.joint, lv.side) for lv in alone.levels]
    assert [(c.cpt, c.modifiers) for c in both.claim_lines] == [(c.cpt, c.modifiers) for c in alone.claim_lines]
    assert [(p.timing, p.value) for p in both.pain_scores] == [("pre", 6.0), ("post", 2.0)]


def test_unguided_today_does_not_borrow_the_older_notes_guidance(analyzer):
    today = ("Procedure: bilateral C5-6 facet joint injections by palpation, no imaging used.\n"
             "A 25 gauge needle was walked into each joint; 0.5 mL lidocaine per joint.\n")
    result = analyzer.analyze(today + "\n------ previous note, same patient ------\n" + OLDER)
    assert result.imaging.modality == "none"
    assert not any(c.cpt.startswith("6449") for c in result.claim_lines)


@pytest.mark.parametrize(
    "line",
    [
        "Prior note reviewed; she had 80% relief after the last block.",  # a history sentence, not a separator
        "Previous MBB notes were reviewed and are consistent.",
        "---- Original note ----",  # an addendum above today's note introduces today's note itself
    ],
)
def test_history_sentences_and_original_notes_are_not_separators(view_of, line):
    text = line + "\n" + TODAY
    view = view_of(text)
    assert view.section_at(text.index("22 gauge")) != EARLIER_NOTE
    assert any(m.performed and m.label.startswith("IMG_") for m in view.mentions)


def test_separator_on_the_first_line_starts_no_region(view_of):
    text = "----- previous note -----\n" + TODAY
    assert view_of(text).section_at(text.index("22 gauge")) != EARLIER_NOTE


@pytest.mark.parametrize(
    ("text", "is_procedure"),
    [
        ("Operator: Dr Mei Lin Tan MBBS FRCA\nProcedure: right L4-5 facet joint injection.", False),
        ("Signed: K. Osei, MBBS, MD", False),
        ("Attending: Dr. R. Iyer MBBS", False),
        ("Bilateral L3, L4 and L5 MBBS under fluoroscopy.", True),   # an all-caps plural of MBB
        ("Plan: repeat L4-5 MBBS, then RFA if positive.", True),
    ],
)
def test_a_medical_degree_is_not_a_medial_branch_block(view_of, text, is_procedure):
    view = view_of(text)
    mbb = [m for m in view.mentions if m.label == "PROC_MBB" and m.text == "MBBS"]
    assert bool(mbb) is is_procedure
