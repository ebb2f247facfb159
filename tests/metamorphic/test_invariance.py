"""Metamorphic tests: transform every golden and corpus note and check the claim lines.

Invariant relations (layout, case, headers, shorthand, typos, distractor sentences) must keep the
claim lines of at least 99% of the notes they apply to; must-change relations (side flip, imaging
negation, one-sided -> bilateral) must change them exactly as expected in at least 99%. Each original
note is analysed once per session. Assertion messages name note ids and claim lines, never text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlp.api import Analyzer
from nlp.schema import ClaimLine, NoteResult
from pipelines import metamorphic as mm
from pipelines.metamorphic import PASS_RATE, RELATIONS, TRANSFORMS, TransformReport

ROOT = Path(__file__).resolve().parents[2]
NOTES = mm.bundled_notes(ROOT)


@pytest.fixture(scope="session")
def analyzer(pipeline) -> Analyzer:
    return Analyzer(nlp=pipeline)


class _Originals(dict[str, NoteResult]):
    """The results on the original notes; a terse repr keeps evidence text out of pytest's tracebacks."""

    def __repr__(self) -> str:
        return f"<results of {len(self)} original notes>"


@pytest.fixture(scope="session")
def originals(analyzer: Analyzer) -> _Originals:
    return _Originals(mm.analyze_originals(analyzer, NOTES))


def _failure_message(report: TransformReport) -> str:
    head = (f"{report.name}: {report.held}/{report.notes} notes held ({report.rate:.1%} < {PASS_RATE:.0%}); "
            f"failing: {', '.join(f['note_id'] for f in report.failed)}")
    rows = [f"  {f['note_id']}: original {f['original']} -> transformed {f['transformed']}"
            + ("" if f["expected"] == f["original"] else f" (expected {f['expected']})") for f in report.failed[:25]]
    more = [f"  ... {len(report.failed) - 25} more"] if len(report.failed) > 25 else []
    return "\n".join([head, *rows, *more])


def test_corpus_is_complete():
    assert len(NOTES) == 206
    assert len({note_id for note_id, _ in NOTES}) == len(NOTES)


@pytest.mark.parametrize("name", list(RELATIONS))
def test_relation_holds(name: str, analyzer: Analyzer, originals: _Originals):
    report = mm.check_relation(analyzer, name, NOTES, originals)
    assert report.notes > 0, f"{name} applied to no note"
    assert report.notes + len(report.skipped) == len(NOTES)
    rate = report.rate
    assert rate >= PASS_RATE, _failure_message(report)


# ----------------------------------------------------------------------------- the transformations themselves

NOTE = ("PROCEDURE: Right L4-L5 lumbar medial branch block under fluoroscopic guidance.\n"
        "\n"
        "INDICATIONS: Low back pain. MRI shows facet hypertrophy at L4-5.\n"
        "\n"
        "TECHNIQUE: The patient was placed prone. Using fluoroscopy, a needle was advanced to the L3 and L4\n"
        "medial branches on the right. 0.5 mL of bupivacaine was injected.\n"
        "\n"
        "PLAN: Follow up in 2 weeks.\n")

HISTORY = ("History: two prior diagnostic medial branch blocks at T6-T7 in 2022 gave 40% relief, and a therapeutic "
           "intra-articular facet injection at T6-T7 in 2023 gave 50% relief for 2 months.")
UNIT_CASES: dict[str, tuple[str, str]] = {
    "doubled_spaces": ("a b  c\nd e", "a  b  c\nd  e"),
    "tabs_for_spaces": ("a b c d e", "a b c\td e"),
    "nbsp_for_spaces": ("a b", "a\u00a0b"),
    "trailing_blanks": ("a\n\nb\n", "a   \n   \nb   \n"),
    "crlf_line_endings": ("a\nb\n", "a\r\nb\r\n"),
    "drop_header_labels": ("PROCEDURE: Left L5-S1 MBB.\nTechnique\nProne.\nSedation: none\nHistory:\n- back pain",
                           "Left L5-S1 MBB.\nProne.\nSedation: none\n- back pain"),
    "rename_headers": ("PROCEDURE PERFORMED: x\nIndications\ny\nTechnique: z\n- Plan: w",
                       "OPERATION: x\nReason for procedure\ny\nDescription of procedure: z\n- Recommendations: w"),
    "one_paragraph": ("PROCEDURE: x\n\nPLAN:\ny  \n", "PROCEDURE: x PLAN: y\n"),
    "hard_wrap_60": ("word " * 20 + "L4-L5", "word " * 11 + "word\n" + "word " * 8 + "L4-L5"),
    "upper_case": ("Right L4-L5", "RIGHT L4-L5"),
    "lower_case": ("Right L4-L5", "right l4-l5"),
    "bullets": ("PROCEDURE: x\n\n- y\n  z\n", "- PROCEDURE: x\n\n- y\n  - z\n"),
    "en_dash_ranges": ("L4-L5, C5-6, L3-L4-L5, 4-6/10, T12 - L1",
                       "L4\u2013L5, C5\u20136, L3\u2013L4\u2013L5, 4-6/10, T12 \u2013 L1"),
    "append_history": ("Bilateral L4-L5 MBB.", f"Bilateral L4-L5 MBB.\n\n{HISTORY}\n"),
    "insert_localizer": ("TECHNIQUE: The patient was placed prone. Sterile prep.",
                         f"TECHNIQUE: {mm.LOCALIZER} The patient was placed prone. Sterile prep."),
    "shorthand": ("Bilateral medial branch blocks with fluoroscopy, without sedation; bupivacaine and lidocaine. "
                  + "Failed physical therapy. Right L5-S1 and left L4-L5, on the right; right and left C5-6.",
                  "Bilat MBBs w/ fluoro, w/o sedation; bupi and lido. Failed PT. Rt L5-S1 and Lt L4-L5, on the right; "
                  + "Rt and Lt C5-6."),
    "typos": ("Bilateral lumbar medial branch blocks under fluoroscopic guidance; facet injection.",
              "Bilatral lumber medial brnach blocks under fluroscopic guidance; facet injeciton."),
    "reorder_sections": ("PROCEDURE: a\n\nINDICATIONS: b\n\nTECHNIQUE: c\n\nPLAN: d\n",
                         "PROCEDURE: a\n\nTECHNIQUE: c\n\nINDICATIONS: b\n\nPLAN: d\n"),
    "append_addendum": ("PLAN: none.\n", f"PLAN: none.\n\n{mm.ADDENDUM}\n"),
    "flip_side": ("Right L4-L5 and LEFT L5-S1 on the left; bilateral C5-C6.",
                  "Left L4-L5 and RIGHT L5-S1 on the right; bilateral C5-C6."),
    "negate_imaging": ("PROCEDURE: Right L4-L5 MBB under fluoroscopic guidance.\n"
                       + "TECHNIQUE: Using fluoroscopy, a needle was advanced to L4. Representative images were saved.",
                       f"PROCEDURE: Right L4-L5 MBB. {mm.NO_IMAGING}\nTECHNIQUE: a needle was advanced to L4."),
    "make_bilateral": ("Right L4-L5 MBB. Needles on the right; right-sided pain. Slightly left of midline.",
                       "Bilateral L4-L5 MBB. Needles on both sides; bilateral pain. Slightly left of midline."),
}


def test_every_transformation_has_a_unit_case_and_a_one_line_docstring():
    assert set(UNIT_CASES) == set(TRANSFORMS)
    for name, fn in TRANSFORMS.items():
        doc = (fn.__doc__ or "").strip()
        assert doc and "\n" not in doc, name


@pytest.mark.parametrize("name", list(UNIT_CASES))
def test_transformation_unit(name: str):
    source, expected = UNIT_CASES[name]
    assert TRANSFORMS[name](source) == expected


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transformation_is_deterministic_and_pure(name: str):
    fn = TRANSFORMS[name]
    assert fn(NOTE) == fn(NOTE)
    assert isinstance(fn(NOTE), str)


def test_hard_wrap_never_exceeds_60_columns_except_single_words():
    wrapped = mm.hard_wrap_60(NOTES[0][1])
    assert all(len(line) <= 60 or " " not in line.strip() for line in wrapped.split("\n"))
    assert wrapped.split() == NOTES[0][1].split()


def test_flip_side_twice_is_the_identity():
    assert mm.flip_side(mm.flip_side(NOTE)) == NOTE


def test_append_history_names_a_region_the_note_does_not():
    assert "T6-T7" in mm.append_history("Bilateral L4-L5 lumbar MBB.")
    assert "C3-C4" in mm.append_history("Bilateral T6-T7 thoracic and L4-L5 lumbar MBB.")
    assert "L2-L3" in mm.append_history("Right C5-C6 cervical and T4-T5 thoracic facet injections.")
    text = "C5-C6 cervical, T4-T5 thoracic and L4-L5 lumbar."
    assert mm.append_history(text) == text  # every region named: left alone (the relation then skips the note)


def test_reorder_sections_needs_both_headers():
    text = "PROCEDURE: a\n\nTECHNIQUE: c\n\nINDICATIONS: b\n"
    assert mm.reorder_sections(text) == text
    assert mm.reorder_sections("no headers at all, one paragraph") == "no headers at all, one paragraph"


def test_negate_imaging_leaves_levels_and_sides():
    out = mm.negate_imaging(NOTE)
    assert not re.search(r"(?i)fluoroscop(?!y or other imaging guidance was used)", out)
    assert out.count(mm.NO_IMAGING) == 1
    assert "Right L4-L5" in out and "L3 and L4\nmedial branches on the right" in out


def test_negate_imaging_in_a_run_on_note_keeps_the_clause_style():
    text = "procedure today is left L5S1 facet joint injection, Under fluoroscopic guidance, a needle was advanced"
    out = mm.negate_imaging(text)
    assert "fluoroscopic" not in out and ", no fluoroscopy or other imaging guidance was used, " in out


# ----------------------------------------------------------------------------- expectations and bookkeeping

def test_expectations():
    lines = (("64493", ("50", "KX"), 1), ("64494", ("RT", "KX"), 1), ("99999", (), 1))
    assert mm.expect_flipped(lines) == (("64493", ("50", "KX"), 1), ("64494", ("LT", "KX"), 1), ("99999", (), 1))
    assert mm.expect_bilateral(lines) == (("64493", ("50", "KX"), 1), ("64494", ("50", "KX"), 1), ("99999", (), 1))
    assert mm.expect_no_facet_lines(lines) == (("99999", (), 1),)


class _StubAnalyzer:
    """Codes 'RT' in a note as one 64493-RT line and 'LT' as 64493-LT; nothing else."""

    def analyze_many(self, items):
        for note_id, text in items:
            mods = ["RT"] if "RT" in text else ["LT"] if "LT" in text else None
            lines = [ClaimLine(cpt="64493", modifiers=mods)] if mods else []
            yield NoteResult(note_id=note_id, claim_lines=lines)


def test_check_relation_counts_skips_and_failures(monkeypatch: pytest.MonkeyPatch):
    stub = _StubAnalyzer()
    notes = [("a", "RT right"), ("b", "no side"), ("c", "RT rt")]
    originals = mm.analyze_originals(stub, notes)  # type: ignore[arg-type]
    # The stub reads the modifier, not the word, so flipping 'right' leaves the lines: a must-change failure.
    report = mm.check_relation(stub, "flip_side", notes, originals)  # type: ignore[arg-type]
    assert (report.notes, report.held, report.changed) == (1, 0, 1)
    assert report.failed == [{"note_id": "a", "original": [["64493", ["RT"], 1]],
                              "transformed": [["64493", ["RT"], 1]], "expected": [["64493", ["LT"], 1]]}]
    assert {s["note_id"]: s["reason"] for s in report.skipped} == {
        "b": "transformation leaves the text unchanged", "c": "transformation leaves the text unchanged"}
    upper = mm.check_relation(stub, "upper_case", notes, originals)  # type: ignore[arg-type]
    assert (upper.notes, upper.held) == (3, 3) and upper.rate == 1.0
    assert set(upper.to_dict()) == {"name", "kind", "notes", "held", "changed", "rate", "failed", "skipped"}
