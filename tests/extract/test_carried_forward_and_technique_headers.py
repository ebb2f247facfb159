"""Two classes from notes that mix old and new text or two procedures.

A block marked as carried forward from an earlier visit is an earlier note: its RF lesioning or levels do not
describe today. A technique header that names its procedure after a dash ("TECHNIQUE - MBB:") opens a technique
section; when the procedure list names no facet procedure (its words broken by a flattened two-column layout),
such a section's facet procedure still counts beside the other one. Sentences are our own.
"""

from __future__ import annotations

import pytest

BLOCK_NOTE = (
    "PROCEDURE: Bilateral L4-L5 and L5-S1 facet medial branch blocks, fluoroscopic guidance\n"
    "Low back pain for a year. Prior RFA at the same levels with 70% relief for 9 months.\n\n"
    "{carried}"
    "PROCEDURE\nTime-out done. Prone, prepped, draped. Under fluoroscopy 22-gauge needles were placed at the L3 and "
    "L4 medial branches and the L5 dorsal ramus on each side. Bupivacaine 0.5%, 0.5 mL per site.\n"
)


@pytest.mark.parametrize("carried", [
    "*** carried forward from 01/2025 RFA visit - NOT today ***\nRF lesioning at 80 C for 90 seconds, bilateral "
    "L3-L4 and L4-L5. Tolerated.\n*** end carried forward ***\n\n",
    "--- copied forward from the RFA visit ---\nRFA: radiofrequency lesions 80 C x 90 s at L2-L3 bilaterally.\n\n",
])
def test_a_block_carried_forward_from_an_earlier_visit_does_not_describe_today(analyzer, carried) -> None:
    result = analyzer.analyze(BLOCK_NOTE.format(carried=carried))
    assert result.procedure.family == "medial_branch_block", result.procedure.reason
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]
    assert [(c.cpt, c.modifiers) for c in result.claim_lines] == [("64493", ["50", "KX"]), ("64494", ["50", "KX"])]


def test_without_the_marker_the_ablation_text_still_counts(analyzer) -> None:
    """The control: the same ablation sentence unmarked is today's (the rule above is the marker, not the words)."""
    text = BLOCK_NOTE.format(carried="RFA today: RF lesioning at 80 C for 90 seconds, bilateral L4-L5 and L5-S1.\n\n")
    assert analyzer.analyze(text).procedure.family == "radiofrequency_ablation"


TWO_COLUMN = (
    "SURGERY CENTER                                   PROCEDURE NOTE\n"
    "Procedures: 1. Bilateral lumbar medial          2. Right SI joint injection,\n"
    "branch blocks, fluoro guided (diagnostic)       fluoro guided\n"
    "Pain pre (NRS): 7/10          Pain post (NRS): 2/10\n\n"
    "TECHNIQUE - MBB:          Position: prone\n"
    "Time-out. Targets: bilateral L3 and L4 medial branches and the L5 dorsal ramus, 6 sites. 22-gauge needles "
    "under fluoroscopy, negative aspiration, bupivacaine 0.5% 0.5 mL each site.\n\n"
    "TECHNIQUE - R SIJ:          Needle: 22 gauge\n"
    "Needle into the inferior right SI joint under fluoroscopy, 2 mL bupivacaine with triamcinolone.\n"
)


def test_a_technique_header_names_its_procedure_after_a_dash(view_of) -> None:
    view = view_of(TWO_COLUMN)
    titles = [sp.title for sp in view.sections if sp.category == "technique"]
    assert titles == ["TECHNIQUE - MBB:", "TECHNIQUE - R SIJ:"]


def test_the_facet_procedure_of_a_flattened_two_procedure_list_is_coded(analyzer) -> None:
    result = analyzer.analyze(TWO_COLUMN)
    assert result.procedure.family == "medial_branch_block", result.procedure.reason
    assert "sacroiliac_joint" in result.procedure.other_families
    assert [(lv.joint, lv.side) for lv in result.levels] == [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]
