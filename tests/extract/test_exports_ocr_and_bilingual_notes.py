"""JSON exports, fax OCR digits, bilingual notes, problem-oriented plans (classes seen on blind batch K).

Classes: a note exported as JSON keys; fax OCR that reads 1 and 0 as l and O ("L5-Sl", "2O25"); Spanish sides,
nerve and procedure names and doses in a bilingual clinic's note; a problem's "P:" that opens with today's
procedure; "Dx #1 <diagnosis>" numbers a diagnosis, not a block; a template's "Comments:" line that carries the real
values; an addendum that ends at a titled rule line, and prose that only mentions an addendum. Sentences are our own.
"""

from __future__ import annotations

import pytest

from nlp.extract.intent import _WORD
from nlp.extract.levels import parse_nerve_mentions, parse_side_phrases
from nlp.normalize import normalize


def lines(result) -> list[tuple[str, list[str]]]:
    return [(c.cpt, c.modifiers) for c in result.claim_lines]


def sides(result) -> list[tuple[str, str]]:
    return [(lv.joint, lv.side) for lv in result.levels]


JSON_NOTE = """{
  "record": {"id": "X-1", "kind": "procedure"},
  "dos": "2025-06-02",
  "payer": "Medicare",
  "history": "Neck pain for 2 years; physical therapy for 3 months failed.",
  "procedure": {
    "title": "Left C5-C6 facet joint intra-articular injection",
    "technique": "Under fluoroscopy a 25 gauge needle was placed into the left C5-C6 joint.",
    "injectate": "bupivacaine 0.5% 1 mL with triamcinolone 40 mg"
  },
  "priorProcedures": [{"date": "2024-10-01", "type": "MBB", "levels": "L4-L5, L5-S1", "side": "bilateral"}],
  "plan": "Follow up in 4 weeks; consider RFA if relief is short."
}
"""


def test_json_keys_read_as_field_labels_and_map_back() -> None:
    norm = normalize(JSON_NOTE)
    assert " Technique: Under fluoroscopy" in norm.text and " Prior procedures: [" in norm.text
    start = norm.text.index("Technique")
    assert JSON_NOTE[slice(*norm.span(start, start + 9))] == "technique"
    assert '"' not in norm.text


def test_json_export_codes_todays_procedure_not_its_history_or_plan(analyzer) -> None:
    result = analyzer.analyze(JSON_NOTE)
    assert result.procedure.family == "facet_joint_injection"
    assert sides(result) == [("C5-C6", "left")]
    assert lines(result) == [("64490", ["LT"])]


def test_fax_ocr_letters_among_digits_are_digits() -> None:
    text = "O3/l2/2O25 FAX pg l\nBilateral T9-TlO and L5-Sl; O.5 mL each; pain 8/1O -> 2/1O. SpO2 98%, Omnipaque, left."
    assert normalize(text).text == ("03/12/2025 FAX pg l\nBilateral T9-T10 and L5-S1; 0.5 mL each; pain 8/10 -> 2/10. "
                                    "SpO2 98%, Omnipaque, left.")


def test_lowercase_vertebrae_are_not_read_as_ocr_digits() -> None:
    text = "r l5-s1 and l4/5 jts, l3 mb; faxed 2O25 O4/O2 at 1O:3O"
    out = normalize(text).text
    assert "l5-s1" in out and "l4/5" in out and "l3 medial branch" in out and "2025 04/02 at 10:30" in out
    assert normalize("left L4-L5, lidocaine 1 mL, 2 levels").text == "left L4-L5, lidocaine 1 mL, 2 levels"


@pytest.mark.parametrize(("text", "side"), [
    ("lado derecho e izquierdo", "bilateral"),
    ("ambos lados", "bilateral"),
    ("del lado izquierdo", "left"),
    ("derecho", "right"),
])
def test_spanish_sides(text, side) -> None:
    assert [p.side for p in parse_side_phrases(text)] == [side]


def test_spanish_nerve_names() -> None:
    nerves = parse_nerve_mentions("ramas mediales L3 y L4 y ramo dorsal L5")
    assert [(n.vertebra, n.kind) for n in nerves] == [("L3", "medial_branch"), ("L4", "medial_branch"),
                                                     ("L5", "dorsal_ramus")]


PROBLEMS = ("1. Lumbar facet arthropathy (M47.816)\n"
            "   S: dolor lumbar x 1 ano, 6/10 hoy.\n"
            "   A: facet-mediated pain, L3-L4 a L4-L5, lado izquierdo.\n"
            "   P: PROCEDURE TODAY - bloqueo de rama medial, left L3-L4 and L4-L5.\n"
            "      Fluoroscopia AP/oblicua, agujas 22g a las ramas mediales L2, L3 y L4 izquierdas.\n"
            "      Bupivacaina 0.5% 0.5 mL por sitio. Sin complicaciones.\n"
            "2. HTN - continue lisinopril.\n")


def test_a_problems_plan_that_opens_with_todays_procedure_is_the_procedure(analyzer) -> None:
    result = analyzer.analyze(PROBLEMS)
    assert result.procedure.family == "medial_branch_block"
    assert sides(result) == [("L3-L4", "left"), ("L4-L5", "left")]
    assert lines(result) == [("64493", ["LT", "KX"]), ("64494", ["LT", "KX"])]
    plan = PROBLEMS.replace("PROCEDURE TODAY - bloqueo", "next visit: bloqueo")
    assert analyzer.analyze(plan).claim_lines == []  # a plan that does not say today stays a plan


@pytest.mark.parametrize(("text", "words"), [
    ("Dx #1 lumbar facet arthropathy", []),
    ("Dx #2: cervical spondylosis", []),
    ("Dx #1 block today", ["Dx #1"]),
    ("MBB #2 today", ["MBB #2"]),
])
def test_a_numbered_diagnosis_is_no_block_number(text, words) -> None:
    assert [m.group() for m in _WORD.finditer(text)] == words


def test_the_comments_line_of_a_defaults_template_is_read(analyzer) -> None:
    text = ("Procedure: N/A\nLevels: N/A\nGuidance: N/A\nF/u: 2 wk\n"
            "Comments: R L4-5 facet -> R L3 and L4 MB, fluoro AP/oblique, 22g x2, neg asp x2, bupi 0.5% 0.5 mL each "
            "site, no steroid. Tol well.\n")
    result = analyzer.analyze(text)
    assert sides(result) == [("L4-L5", "right")]
    assert lines(result) == [("64493", ["RT", "KX"])]


def test_an_addendum_ends_at_a_titled_rule_line(analyzer) -> None:
    text = ("PROCEDURE: Bilateral L4-L5 medial branch blocks under fluoroscopy; needles to the L3 and L4 medial "
            "branches on both sides, 0.5 mL bupivacaine each.\n"
            'ADDENDUM 05/02/2025: this was a diagnostic block.\n'
            "--- AUDITOR SUMMARY ---\nLevels: L3/4, L4/5, L5/S1 ?? per nerve count\n")
    result = analyzer.analyze(text)
    assert sides(result) == [("L4-L5", "bilateral")]
    assert result.intent.value == "diagnostic"


def test_a_device_named_beside_a_denied_modality_is_not_the_guidance(analyzer) -> None:
    text = ("Procedure: Right C5-C6 facet joint injection, ultrasound guided. Linear probe over the right C5-C6 joint, "
            "25 gauge needle in-plane into the joint, 1 mL bupivacaine with 40 mg triamcinolone injected. No fluoro "
            "used: the patient does not tolerate lying under the C-arm.")
    result = analyzer.analyze(text)
    assert result.imaging.modality == "ultrasound" and result.review.status == "auto"
    assert lines(result) == [("0213T", ["RT"])]
