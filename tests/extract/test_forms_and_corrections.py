"""Paper forms typed up, question-and-answer forms, and corrections left in the text.

Classes: struck-through text (`~~old~~ new`) and dictated retractions ("X, no, scratch that, Y") are not read;
a grid row of empty boxes is an option not done; on a line of boxes written after their labels the box after
a label governs it; "NOT L5-S1" and "nothing done at L2-L3" deny those levels; a drug label left blank names no
drug; a Q&A form's prompt ("Guidance?") is a field label and "Fluoro used? / No." negates fluoroscopy; a
"(circled)" option is the one chosen. Sentences are our own.
"""

from __future__ import annotations

import pytest

from nlp.extract.view import box_state, unticked_row
from nlp.normalize import normalize

TECHNIQUE = ("\nTechnique: Time-out. Prepped and draped. Under fluoroscopy 22-gauge needles were placed and 0.5 mL of "
             "0.5% bupivacaine was injected at each site.\n")


def levels(result) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in result.levels]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Procedure: L2-L3, no, scratch that, right L3-L4 facet injection", "Procedure: right L3-L4 facet injection"),
        ("Levels: C4-C5, sorry, C5-C6 and C6-C7", "Levels: C5-C6 and C6-C7"),
        ("blocks at L3-4 and L for 5, uh, scratch that, L2-3 and L3-4", "blocks at L2-3 and L3-4"),
        ("needles on the left, actually both sides, at L4-5", "needles on the both sides, at L4-5"),
        ("the needle was advanced on the right, sorry, left side", "the needle was advanced on the left side"),
        ("Approach from the R, I mean L side", "Approach from the L side"),
        # a long clause: only its levels are taken back; a list is taken back whole
        ("here today for repeat lumbar medial branch blocks at L4-5 and L5-S1, no, scratch that, L3-4 and L4-5",
         "here today for repeat lumbar medial branch blocks at L3-4 and L4-5"),
        ("Levels L2-3, L3-4, L4-5, no, scratch that, L3-4, L4-5, L5-S1", "Levels L3-4, L4-5, L5-S1"),
        ("Ropivacaine ~~1.0~~ 1.5 mL per joint", "Ropivacaine 1.5 mL per joint"),
        ("~~L5-S1~~ L4-L5 (corrected)", "L4-L5 (corrected)"),
        ("Needles removed intact. [L4/5 template text removed]\nEBL: none", "Needles removed intact.\nEBL: none"),
    ],
)
def test_struck_and_retracted_words_are_not_read(text: str, expected: str) -> None:
    norm = normalize(text)
    assert norm.text == expected
    assert [text[i] for i in norm.origin or range(len(text))] == list(norm.text)


@pytest.mark.parametrize("text", [
    "tender at L4-5, no radiation to the legs",       # "no" that starts a new clause, not a retraction
    "She actually did well, no complications.",       # no level or side taken back
    "right L4-L5, actually a very arthritic joint",   # nothing replaces it
    "Dx: spondylosis ~ 6 months",
])
def test_words_that_only_look_like_a_correction_stay(text: str) -> None:
    assert normalize(text).text == text


def test_a_dictated_level_correction_codes_the_corrected_level(analyzer) -> None:
    text = "Procedure: Left L3-L4, no, scratch that, left L4-L5 facet joint injection." + TECHNIQUE
    result = analyzer.analyze(text)
    assert levels(result) == [("L4-L5", "left")]
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["LT", "KX"])]


def test_a_struck_level_on_a_form_is_not_treated(analyzer) -> None:
    text = "Procedure: ~~Right L5-S1~~ Right L4-L5 facet joint injection (corrected - JD)" + TECHNIQUE
    assert levels(analyzer.analyze(text)) == [("L4-L5", "right")]


GRID = ("Procedure: Lumbar facet [X] intra-articular [ ] medial branch\n"
        "Levels (X = done):\n"
        "           R      L\n"
        "  L3-4    [ ]    [ ]\n"
        "  L4-5    [X]    [X]\n"
        "  L5-S1   [ ]    [ ]\n")


def test_a_grid_row_of_empty_boxes_is_a_level_not_done(analyzer) -> None:
    start = GRID.index("L3-4")
    assert unticked_row(GRID, start, start + 4)
    start = GRID.index("L4-5")
    assert not unticked_row(GRID, start, start + 4)
    assert [lv.joint for lv in analyzer.analyze(GRID + TECHNIQUE).levels] == ["L4-L5"]


def test_on_a_line_of_boxes_after_their_labels_the_next_box_governs() -> None:
    line = "LEFT   C5 MB [ ]   C6 MB [X]   C7 MB [X]"
    assert box_state(line, line.index("C5")) is False
    assert box_state(line, line.index("C6")) is True
    assert box_state(line, line.index("C7")) is True
    leading = "Sides: [ ] right  [X] left"  # a box before its label governs the label after it
    assert box_state(leading, leading.index("right")) is False
    assert box_state(leading, leading.index("left")) is True


def test_sites_ticked_per_side_give_each_joint_its_sides(analyzer) -> None:
    text = ("Procedure: Cervical medial branch blocks, diagnostic, fluoroscopy.\n"
            "Sites:\n"
            "   RIGHT  C4 MB [X]   C5 MB [X]   C6 MB [X]\n"
            "   LEFT   C4 MB [ ]   C5 MB [X]   C6 MB [X]\n"
            "Bupivacaine 0.5% 0.5 mL per site. Time-out done, needles placed under fluoroscopy.\n")
    assert levels(analyzer.analyze(text)) == [("C4-C5", "right"), ("C5-C6", "bilateral")]


@pytest.mark.parametrize("denial", ["NOT L5-S1.", "Nothing done at L5-S1, survey only.",
                                    "nothing was injected at L1-L2 or L5-S1."])
def test_a_level_said_not_done_is_not_treated(analyzer, denial) -> None:
    text = "Procedure: Bilateral L3-L4 and L4-L5 facet joint injections. " + denial + TECHNIQUE
    assert levels(analyzer.analyze(text)) == [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]


def test_a_blank_steroid_field_names_no_steroid(analyzer) -> None:
    text = "Procedure: Right L4-L5 facet joint injection.\nSteroid: ___ [none written]" + TECHNIQUE
    result = analyzer.analyze(text)
    assert "steroid" not in {a.kind for a in result.agents}
    assert result.intent.value == "diagnostic"


@pytest.mark.parametrize(("line", "word", "state"), [
    ("Type: Diagnostic (circled)  /  Therapeutic", "Diagnostic", True),
    ("Type: Diagnostic (circled)  /  Therapeutic", "Therapeutic", False),
    ("Ins: Medicare (circled)  Comm  WC  Self", "Comm", False),
    ("Sedation: None  Local  IV mod (circled)", "Local", False),
    ("Sedation: None  Local  IV mod (circled)", "IV", True),
    ("Radicular sx: Y  N (circled) - denies leg symptoms", "Y", False),
    ("Radicular sx: Y  N (circled) - denies leg symptoms", "denies", None),  # a comment after the field
    ("Guidance: fluoroscopy", "fluoroscopy", None),  # no mark: no choice
])
def test_a_circled_option_is_the_one_chosen(line, word, state) -> None:
    assert box_state(line, line.index(word)) is state


def test_the_circled_intent_decides(analyzer) -> None:
    text = ("Procedure: Left L4-L5 facet joint injection\nType: Diagnostic (circled) / Therapeutic\n" + TECHNIQUE
            .replace("0.5% bupivacaine", "0.5% bupivacaine with 40 mg triamcinolone"))
    result = analyzer.analyze(text)
    assert result.intent.value == "diagnostic"
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["LT", "KX"])]


@pytest.mark.parametrize(("text", "expected"), [
    ("Guidance?\nUltrasound, curvilinear probe.", "Guidance:\nUltrasound, curvilinear probe."),
    ("Date of service?   08/21/2025", "Date of service: 08/21/2025"),
    ("Any questions? None today.", "Any questions? None today."),  # a question in running text stays
    ("Is this right?\n", "Is this right?\n"),  # no answer follows
])
def test_a_question_form_prompt_is_a_field_label(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_a_question_form_answered_no_negates_its_item(analyzer) -> None:
    text = ("Procedure?\nLeft T7-T8 facet joint injection, diagnostic.\n\nImaging used?\nUltrasound, curvilinear "
            "probe, in-plane approach.\nFluoro used?\nNo.\n\nTechnique?\nTime-out, prepped, needle into the left "
            "T7-T8 joint under direct ultrasound view, 0.5 mL bupivacaine injected.\n")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "ultrasound", result.imaging.reason
    assert result.review.status == "auto", [r.id for r in result.review.reasons]
    assert [c.cpt for c in result.claim_lines] == ["0213T"]


FIELD_TABLE = ("Field | Value\n------ | ------\nNote type | Procedure note\nPayer | Medicare\n"
               "Procedure | Right L4-L5 facet joint injection, diagnostic\n"
               "Consent | Signed for right L3-L4 and L4-L5 facet injections; L4-L5 only today per the physician\n"
               "Technique | Time-out. Under fluoroscopy a 22-gauge needle was advanced into the right L4-L5 joint and "
               "0.5 mL bupivacaine injected.\n")


def test_a_field_value_table_reads_as_field_lines(analyzer) -> None:
    norm = normalize(FIELD_TABLE)
    assert "\nConsent: Signed for right L3-L4" in norm.text and "\nTechnique: Time-out." in norm.text
    assert normalize("| L4-5 | Left | 1 mL |\n| L5-S1 | Left | 1 mL |").text.count("|") == 8  # a real table stays
    result = analyzer.analyze(FIELD_TABLE)
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L4-L5", "right")], "the consent row is not today"
