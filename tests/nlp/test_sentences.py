"""facet_sentences: the fast rule-based splitter."""

from __future__ import annotations

import pytest

from nlp.components.sentences import sentence_starts


def split(text: str) -> list[str]:
    starts = sentence_starts(text)
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sentence punctuation followed by a capital
        ("Pain is 7/10. The patient was prone.", ["Pain is 7/10.", "The patient was prone."]),
        # headers on their own line start a sentence
        ("PROCEDURE: L4-5 MBB\nINDICATIONS: axial pain", ["PROCEDURE: L4-5 MBB", "INDICATIONS: axial pain"]),
        # blank lines always break
        ("first part\n\nsecond part", ["first part", "second part"]),
        # bullets break
        ("Failed:\n- PT x 8 wks\n- meloxicam", ["Failed:", "- PT x 8 wks", "- meloxicam"]),
        # hard-wrapped dictation stays one sentence
        ("bilateral medial branch blocks at L4-5 and\nL5-S1 were performed.", ["bilateral medial branch blocks at L4-5 and\nL5-S1 were performed."]),
    ],
)
def test_breaks(text, expected):
    assert split(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith performed the block.",          # abbreviation
        "0.5 mL of 0.5% bupivacaine was injected.",  # decimals
        "Referred by Dr. Jones for evaluation.",
    ],
)
def test_no_false_breaks(text):
    assert split(text) == [text]


def test_pipeline_sentences_match_function(pipeline):
    text = "PROCEDURE: Right L4-5 MBB.\nTECHNIQUE: The needle was advanced. Lidocaine was injected."
    doc = pipeline(text)
    assert [s.start_char for s in doc.sents] == sentence_starts(text)


def test_each_line_of_an_unpunctuated_unwrapped_paragraph_is_a_sentence():
    text = ("consent signed, risks reviewed, time out done, no sedation requested by the pt\n"
            "prone, prepped\n"
            "under fluoro 22g needle to the right l4-l5 joint")
    lines = text.split("\n")
    assert sentence_starts(text) == [text.index(line) for line in lines]


def test_a_hard_wrapped_or_punctuated_paragraph_keeps_its_lines_together():
    wrapped = ("the needle was advanced under fluoroscopy to the junction of the superior articular\n"
               "process and transverse process at each of the three levels treated")
    assert sentence_starts(wrapped) == [0]
    punctuated = "Prepped and draped in sterile fashion, then the\nneedle was placed. Tolerated well."
    assert len(sentence_starts(punctuated)) == 2
