"""Spoken punctuation, theatre shorthand, table and CSV exports, bracketed headers (classes seen on blind batch J).

Classes: a dictation app that leaves "full stop", "comma", "colon" as words (the sentence and the ConText scope of
"no" end where the author meant); "II" for the image intensifier; a side written only in its own table cell; "R
then L"; a side written right after one level of a list whose side is in front; the C8 medial branch between
C7-T1 and T1-T2; a note exported as "field,value" lines; headers in square brackets, capital headers with a date,
a line that introduces today's op note quoted below it; "CT fluoro" is CT guidance; a booked or re-booked procedure
is planned; a facet procedure with levels but no guidance read anywhere is a doubt. Sentences are our own.
"""

from __future__ import annotations

import pytest

from nlp.extract.levels import nerves_to_joints, parse_nerve_mentions, parse_side_phrases
from nlp.normalize import normalize


def lines(result) -> list[tuple[str, list[str]]]:
    return [(c.cpt, c.modifiers) for c in result.claim_lines]


def sides(result) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in result.levels]


# --------------------------------------------------------------------------- spoken punctuation

SPOKEN = ("Procedure colon right L3-L4 facet joint injection full stop the patient was prone comma no sedation "
          "full stop under fluoroscopy comma a 22 gauge needle was placed into the right L3-L4 joint full stop "
          "1 mL of bupivacaine 0.5% with 40 mg triamcinolone was injected full stop\nPain 7/10 before comma 3/10 "
          "after full stop")


def test_spoken_marks_are_written_as_marks_and_map_back_to_the_words() -> None:
    norm = normalize(SPOKEN)
    assert norm.text.startswith("Procedure: right L3-L4 facet joint injection. The patient was prone, no sedation. "
                                "Under fluoroscopy, a 22 gauge needle")
    start = norm.text.index("Under")
    assert SPOKEN[slice(*norm.span(start, start + 5))] == "under"
    dot = norm.text.index(". The")  # the mark and the capital it gave the next word quote what was said
    assert SPOKEN[slice(*norm.span(dot, dot + 3))] == " full stop t"


def test_no_ends_at_a_spoken_full_stop(analyzer) -> None:
    result = analyzer.analyze(SPOKEN)
    assert result.imaging.modality == "fluoroscopy"
    assert lines(result) == [("64493", ["RT"])]
    assert [(s.timing, s.value) for s in result.pain_scores] == [("pre", 7.0), ("post", 3.0)]


@pytest.mark.parametrize("text", [
    "The sigmoid colon was normal on the CT. A period of 6 weeks of therapy failed. Comma-shaped artefact.",
    "Procedure: right L3-L4 injection, colon and period are words here.",
])
def test_a_note_that_does_not_dictate_its_marks_keeps_its_words(text) -> None:
    assert normalize(text).text == text


def test_in_a_dictated_note_colon_and_period_stay_words_after_an_article() -> None:
    text = ("He had a scope of the colon full stop pain for a period of 3 months comma no relief full stop "
            "Plan colon RFA")
    assert normalize(text).text == ("He had a scope of the colon. Pain for a period of 3 months, no relief. "
                                    "Plan: RFA")


# --------------------------------------------------------------------------- theatre shorthand, sides


@pytest.mark.parametrize(("text", "expected"), [
    ("II AP and lat, needle tips at the joints", "image intensifier AP and lat"),
    ("confirmed under II guidance", "under image intensifier guidance"),
    ("fluoro (II) screening", "fluoro (image intensifier) screening"),
    ("type II diabetes, MBB II today", "type II diabetes, MBB II today"),
])
def test_ii_is_the_image_intensifier_only_beside_a_view_or_guidance_word(text, expected) -> None:
    assert expected in normalize(text).text


def test_image_intensifier_shorthand_guides_the_needle(analyzer) -> None:
    text = ("Procedure: Left L4-L5 facet joint injection. Prone. 22 gauge needle into the left L4-L5 joint, "
            "II oblique confirms intra-articular spread. Bupivacaine 0.5% 1 mL with 40 mg triamcinolone injected.")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy" and [e.text for e in result.imaging.evidence] == ["II"]
    assert lines(result) == [("64493", ["LT"])]


def test_a_side_alone_in_its_table_cell_belongs_to_its_row(analyzer) -> None:
    text = ("Therapeutic medial branch blocks under fluoroscopy, 0.5 mL bupivacaine with 4 mg dexamethasone per site.\n"
            "| Joint | Side | Nerves |\n|---|---|---|\n"
            "| L3-4 | R | L2 MB + L3 MB |\n| L4-5 | R | L3 MB + L4 MB |\n| L4-5 | L | L3 MB + L4 MB |\n")
    assert [p.side for p in parse_side_phrases("| L3-4 | R | x |")] == ["right"]
    result = analyzer.analyze(text)
    assert sides(result) == [("L3-L4", "right"), ("L4-L5", "bilateral")]


def test_a_table_row_marked_not_done_is_not_treated(analyzer) -> None:
    text = ("Therapeutic intra-articular facet joint injections under fluoroscopy, 0.5 mL bupivacaine with "
            "6 mg betamethasone per joint.\n"
            "  Joint | Side | Needle\n  C5-C6 | R | 25g\n  C5-C6 | L | 25g\n  C6-C7 | L | 25g\n"
            "  C6-C7 | R | skipped, patient moved\n")
    assert sides(analyzer.analyze(text)) == [("C5-C6", "bilateral"), ("C6-C7", "left")]


@pytest.mark.parametrize(("text", "side"), [
    ("needle into the R then L C5-6 joint", "bilateral"),
    ("advanced to the L, then R L5-S1 joint", "bilateral"),
    ("site marked L lumbar", "left"),
])
def test_abbreviated_sides(text, side) -> None:
    assert [p.side for p in parse_side_phrases(text)] == [side]


def test_a_side_after_one_level_beats_the_side_in_front_of_the_list(analyzer) -> None:
    text = ("Thoracic facet joint injections. Under fluoroscopy we injected both the right and left T10-T11 joints, "
            "and at T11-T12 on the left only, with 0.5 mL of lidocaine and 40 mg of triamcinolone in each joint.")
    assert sides(analyzer.analyze(text)) == [("T10-T11", "bilateral"), ("T11-T12", "left")]


@pytest.mark.parametrize(("nerves", "joints"), [
    ("C7 and C8 medial branches", ["C7-T1"]),
    ("C8, T1 and T2 medial branches", ["T1-T2", "T2-T3"]),
    ("C7, C8 and T1 medial branches", ["C7-T1", "T1-T2"]),
    ("C6, C7 and C8 medial branches", ["C6-C7", "C7-T1"]),
    ("T3 and T4 medial branches", ["T4-T5"]),
])
def test_the_c8_medial_branch_pairs_with_c7_and_with_t1(nerves, joints) -> None:
    assert [j.joint for j in nerves_to_joints(parse_nerve_mentions(nerves))] == joints


# --------------------------------------------------------------------------- exports and headers

CSV = ('field,value\n'
       'patient,"Doe, Jane"\n'
       'dos,2025-02-03\n'
       'payer,Medicare\n'
       'procedure_title,"Left C4-C5 and C5-C6 facet joint medial branch blocks, diagnostic"\n'
       'history,"neck pain for 2 years, failed physical therapy for 3 months"\n'
       'technique,"under fluoroscopy the left C4 and C5 medial branches were blocked with 0.5 mL bupivacaine each"\n'
       'guidance,fluoroscopy\n'
       'complications,none\n')


def test_csv_field_value_lines_read_as_field_labels() -> None:
    norm = normalize(CSV)
    assert "\nProcedure title: Left C4-C5 and C5-C6 facet joint medial branch blocks, diagnostic\n" in norm.text
    start = norm.text.index("Procedure title")
    assert CSV[slice(*norm.span(start, start + 15))] == "procedure_title"
    assert ":" not in normalize("a,b\nc,d\n").text  # two rows are no export


def test_csv_export_title_against_its_technique(analyzer) -> None:
    result = analyzer.analyze(CSV)
    assert sides(result) == [("C4-C5", "left")]
    assert [r.id for r in result.review.reasons] == ["LEVELS_CONFLICT"]


BRACKETS = ("[BOOKING]\nBooked: bilateral L3/4, L4/5 facet injections\n"
            "[HISTORY]\nAxial low back pain for 1 year.\nDx: lumbar spondylosis (M47.816)\n"
            "[PROCEDURE 2]\nBilateral L3-L4, L4-L5 facet joint intra-articular injections\nFluoroscopy AP and oblique\n"
            "Bupivacaine 0.5% 0.5 mL per joint, first diagnostic block\n[PLAN]\nPain diary\n")


def test_a_bracketed_header_opens_its_section_and_its_line_a_sentence(analyzer) -> None:
    result = analyzer.analyze(BRACKETS)
    assert sides(result) == [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]
    assert lines(result) == [("64493", ["50", "KX"]), ("64494", ["50", "KX"])]


def test_a_dated_capital_header_ends_the_plan_above_it(analyzer) -> None:
    text = ("Plan today: diagnostic MBB bilateral C4-5.\nNeedles to the C4 and C5 medial branches on both sides, "
            "bupivacaine 0.5% 0.5 mL each.\nPlan: diary.\n"
            "ADDENDUM 03/02/2025 16:10 - Dr Roe\nImages reviewed: fluoroscopy confirmed each needle tip.\n")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "fluoroscopy"


def test_a_line_introducing_todays_op_note_opens_a_procedure_section(analyzer) -> None:
    text = ("History: neck pain for 3 years.\nNo prior injections.\n"
            "Per my op note of 03/04/2025:\n"
            '  "Left C5-C6 and C6-C7 facet joint medial branch blocks. Fluoroscopy, lateral view, needles to the '
            'left C5, C6 and C7 medial branches. Bupivacaine 0.5% 0.5 mL per site. Diagnostic."\n')
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert sides(result) == [("C5-C6", "left"), ("C6-C7", "left")]


# --------------------------------------------------------------------------- guidance, plans


def test_ct_fluoroscopy_is_ct_guidance(analyzer) -> None:
    text = ("Procedure: Right C5-C6 facet joint injection. Using intermittent CT fluoro mode a 22 gauge needle was "
            "placed into the right C5-C6 joint; 1 mL bupivacaine with 40 mg triamcinolone injected.")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "ct" and result.review.status == "auto"


def test_a_booked_procedure_changed_on_the_day_is_not_the_one_done(analyzer) -> None:
    text = ("Procedure booked: right L4-L5 medial branch RFA.\n"
            "RFA authorization expired; proceed today with medial branch blocks instead, RFA to be rebooked.\n"
            "Technique: under fluoroscopy 22 gauge needles to the right L3 and L4 medial branches, 0.5 mL bupivacaine "
            "with 4 mg dexamethasone at each.\n")
    result = analyzer.analyze(text)
    assert result.procedure.family == "medial_branch_block"
    assert sides(result) == [("L4-L5", "right")]


def test_levels_without_any_guidance_statement_route_to_review(analyzer) -> None:
    text = ("Procedure: right L4-L5 facet joint injection. The needle was placed into the right L4-L5 joint and "
            "1 mL of bupivacaine with 40 mg triamcinolone was injected.")
    result = analyzer.analyze(text)
    assert result.claim_lines == []
    assert [r.id for r in result.review.reasons] == ["IMAGING_NOT_READ"]
    landmark = text.replace("The needle", "By landmark technique, without imaging, the needle")
    assert analyzer.analyze(landmark).review.status == "auto"
