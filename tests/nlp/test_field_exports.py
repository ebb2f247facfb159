"""Database exports and pipe tables glue their fields: "GUIDANCE;CT", "L4-5|right|bupi" (issue 10).

A field separator between two words is its own token, so the words on either side are read as words:
a modality after "GUIDANCE;" is the modality, a level after a "|" is a level. New sentences, not blind text.
"""

from __future__ import annotations

import pytest

from nlp.api import Analyzer


@pytest.fixture(scope="module")
def analyzer(pipeline) -> Analyzer:
    return Analyzer(nlp=pipeline)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("GUIDANCE;CT", ["GUIDANCE", ";", "CT"]),
        ("OP_NOTE;CT-guided", ["OP_NOTE", ";", "CT", "-", "guided"]),
        ("L4-5|right|bupi", ["L4", "-", "5", "|", "right", "|", "bupi"]),
        ("003;CLINIC", ["003", ";", "CLINIC"]),
        ("pain 7; better", ["pain", "7", ";", "better"]),
    ],
)
def test_field_separators_split_words(pipeline, text, tokens):
    assert [t.text for t in pipeline.make_doc(text)] == tokens


EXPORT = """REC;PROC_LOG
PROC_DATE;2026-03-02
PAYER;Medicare Part B
PROC_DESC;Right L4-L5 intra-articular facet joint injection, therapeutic
GUIDANCE;{guidance}
TECH;prone, 22g needle advanced into the right L4-L5 joint, tip intra-articular
MEDS;0.5 mL bupivacaine 0.5% + triamcinolone 20 mg into the joint
PAIN_PRE;7
PAIN_POST;2
"""


@pytest.mark.parametrize(("guidance", "modality"), [("CT", "ct"), ("FLUORO", "fluoroscopy")])
def test_a_modality_in_a_semicolon_field_is_read(analyzer, guidance, modality):
    result = analyzer.analyze(EXPORT.format(guidance=guidance))
    assert result.imaging.modality == modality
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["RT"])]


@pytest.mark.parametrize(
    "survey",
    ["Planning CT C3-C7 obtained.", "Topogram C3 through C7.", "Planning images C3-C7 were acquired."],
)
def test_a_planning_scan_range_is_not_treated_levels(analyzer, survey):
    text = ("Procedure: left C5-C6 intra-articular facet injection under CT guidance.\n"
            f"Prone on the CT table. {survey} The needle was advanced into the left C5-C6 joint and 0.5 mL "
            "of 2% lidocaine injected.\n")
    result = analyzer.analyze(text)
    assert [(lv.joint, str(lv.side)) for lv in result.levels] == [("C5-C6", "left")]


@pytest.mark.parametrize("line", ["012;GUIDANCE;CT", "012|GUIDANCE|CT", "IMAGING_GUIDANCE=CT"])
def test_a_numbered_or_piped_guidance_field_is_read(analyzer, line):
    text = EXPORT.replace("GUIDANCE;{guidance}", line)
    assert analyzer.analyze(text).imaging.modality == "ct"
