"""Procedure-note sections and ConText statuses as the extractors see them (NoteView)."""

from __future__ import annotations

import pytest

NOTE = """PROCEDURE: Bilateral L4-5 medial branch block.
PREOP DIAGNOSES: Lumbar spondylosis.
INDICATIONS: Axial low back pain. History of prior radiofrequency ablation.
DESCRIPTION OF PROCEDURE: The patient was placed prone. Needles were advanced under fluoroscopy.
COMPLICATIONS: None.
PLAN: Will schedule radiofrequency ablation if the block is positive.
"""


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("Bilateral L4-5", "procedure"),
        ("Lumbar spondylosis", "diagnosis"),
        ("Axial low back pain", "indication"),
        ("Needles were advanced", "technique"),
        ("None.", "complications"),
        ("Will schedule", "plan"),
    ],
)
def test_procedure_note_sections(view_of, phrase, category):
    view = view_of(NOTE)
    assert view.section_at(NOTE.index(phrase)) == category


@pytest.mark.parametrize(
    ("text", "phrase", "performed"),
    [
        (NOTE, "medial branch block", True),
        (NOTE, "radiofrequency ablation.\n", False),          # historical, indication section
        (NOTE, "radiofrequency ablation if", False),          # planned
        ("No fluoroscopy was used for this injection.", "fluoroscopy", False),  # negated
        ("Sedation: [ ] IV sedation [x] none", "IV sedation", False),         # unchecked template box
        ("Radicular symptoms: No", "Radicular symptoms", False),             # template answered no
        ("Mother had facet injections.", "facet injections", False),        # family
    ],
)
def test_mention_status(view_of, text, phrase, performed):
    view = view_of(text)
    start = text.index(phrase)
    mention = next(m for m in view.mentions if m.start == start)
    assert mention.performed is performed


def test_section_header_word_is_not_a_mention(view_of):
    text = "SEDATION: None.\nTECHNIQUE: needle placed."
    view = view_of(text)
    assert not [m for m in view.mentions if m.label.startswith("SED_")]


def test_view_offsets_point_into_original_text(view_of):
    view = view_of(NOTE)
    for m in view.mentions:
        assert NOTE[m.start : m.end] == m.text
    for s in view.sentences:
        assert NOTE[s.start : s.end] == s.text
