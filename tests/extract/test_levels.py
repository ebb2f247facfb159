"""Spinal levels + laterality extractor: pure parsers first, then end to end on note snippets."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from nlp.extract.levels import (
    LevelLexicon,
    attach_sides,
    combine_sides,
    extract_levels,
    nerves_to_joints,
    parse_level_mentions,
    parse_nerve_mentions,
    parse_side_phrases,
)
from nlp.extract.view import Mention, NoteView, SectionSpan, Sentence
from nlp.resources import read_yaml

LEVEL_TEXT = re.compile(r"[CTLS]\d|\d\s*[-\u2013/]\s*\d|third occipital|TON", re.I)


def joints_of(text: str) -> list[str]:
    return [j for m in parse_level_mentions(text) for j in m.joints]


# --------------------------------------------------------------------------- notation parser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # short, full, slash, spaced, en dash, run-together
        ("C5-6", ["C5-C6"]),
        ("C5-C6", ["C5-C6"]),
        ("C5/6", ["C5-C6"]),
        ("C5 - C6", ["C5-C6"]),
        ("C5\u20136", ["C5-C6"]),
        ("L34, L45, L5S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("L4L5 and L5S1", ["L4-L5", "L5-S1"]),
        ("l4-5", ["L4-L5"]),
        # junctions and the sacrum
        ("L5-S1", ["L5-S1"]),
        ("L5/S1", ["L5-S1"]),
        ("C7-T1", ["C7-T1"]),
        ("T12-L1", ["T12-L1"]),
        ("T11-12", ["T11-T12"]),
        ("the L4-5 level", ["L4-L5"]),
        # ranges
        ("L3-4 through L5-S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("L3-4 thru L5-S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("L3 to S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("from L3-L4 to L5-S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("L2-L5", ["L2-L3", "L3-L4", "L4-L5"]),
        ("C4-6", ["C4-C5", "C5-C6"]),
        # lists; a bare pair inherits the region of the level before it
        ("C3-4, C4-5 and C5-6", ["C3-C4", "C4-C5", "C5-C6"]),
        ("L3-4, 4-5 and L5-S1", ["L3-L4", "L4-L5", "L5-S1"]),
        ("C5-6 and 6-7", ["C5-C6", "C6-C7"]),
        ("L4-5, 5-S1", ["L4-L5", "L5-S1"]),
        # not joints
        ("at the L4 and L5 levels", []),
        ("the S1 root and the L5 pedicle", []),
        ("T1-weighted images", []),
        ("M47.816 and M54.16", []),
        ("S13.4", []),
        ("C1-2 atlantoaxial", []),
        ("L3-L3", []),
        ("L5-L4", []),
        ("L4-5, 6-8 weeks ago", ["L4-L5"]),
        ("pain 4-5/10", []),
        # "L4-L5-S1" shorthand is the two joints
        ("L4-L5-S1", ["L4-L5", "L5-S1"]),
        # unticked template options are not mentions
        ("Levels: [x] L4-5 [ ] L5-S1 [X] L3-4", ["L4-L5", "L3-L4"]),
    ],
)
def test_parse_level_mentions(text: str, expected: list[str]) -> None:
    assert joints_of(text) == expected


def test_parse_level_mentions_offsets_point_at_the_text() -> None:
    note = "XXXXXXXXXX Bilateral L3-4 through L5-S1 and C5/6."
    body = note[11:]
    mentions = parse_level_mentions(body, offset=11)
    assert [note[m.start : m.end] for m in mentions] == ["L3-4 through L5-S1", "C5/6"]
    assert all(m.text == note[m.start : m.end] for m in mentions)


# --------------------------------------------------------------------------- nerve lists -> joints


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lumbar: L(n-1) + Ln medial branches -> Ln-L(n+1); L4 MB + L5 dorsal ramus -> L5-S1
        ("L3, L4 medial branches and L5 dorsal ramus", ["L4-L5", "L5-S1"]),
        ("L2, L3 and L4 medial branch nerves", ["L3-L4", "L4-L5"]),
        ("the L3 and L4 medial branches", ["L4-L5"]),
        ("the left L4 medial branch and the left L5 dorsal ramus", ["L5-S1"]),
        ("right and left L2, L3 and L4 medial branches and L5 dorsal rami", ["L3-L4", "L4-L5", "L5-S1"]),
        ("the medial branches of L2, L3 and L4 and L5 dorsal ramus", ["L3-L4", "L4-L5", "L5-S1"]),
        ("medial branches at L1, L2 and L3", ["L2-L3", "L3-L4"]),
        # L5 named both as medial branch and dorsal ramus: medial branches named by transverse process
        ("the L4 and L5 medial branches and L5 dorsal ramus", ["L4-L5", "L5-S1"]),
        # thoracic like lumbar; T11 + T12 -> T12-L1
        ("T11 and T12 medial branches", ["T12-L1"]),
        # cervical: Cn + C(n+1) -> Cn-C(n+1); third occipital nerve -> C2-C3
        ("C4, C5 and C6 medial branches", ["C4-C5", "C5-C6"]),
        ("the C3 medial branch at the C3 pillar and the C4 medial branch at the C4 pillar", ["C3-C4"]),
        ("third occipital nerve", ["C2-C3"]),
        ("left TON block", ["C2-C3"]),
        ("C7 and C8 medial branches", ["C7-T1"]),
        # one nerve, or nerves that are not consecutive: no joint
        ("Medial branch blocks at the right L3, L4 and L5 levels", ["L4-L5", "L5-S1"]),
        ("L4 MB and L5 DR", ["L5-S1"]),
        ("the L5 dorsal ramus", []),
        ("L3 and L5 medial branches", []),
        # a joint before the noun is a joint, not a nerve
        ("L4-5 medial branch block", []),
        ("the transverse processes of L3, L4 and L5", []),
    ],
)
def test_nerves_to_joints(text: str, expected: list[str]) -> None:
    assert sorted(nj.joint for nj in nerves_to_joints(parse_nerve_mentions(text))) == expected


def test_nerve_rule_ids_by_region() -> None:
    text = "third occipital nerve, C3 and C4 medial branches, L3 and L4 medial branches"
    rules = {nj.joint: nj.rule_ids for nj in nerves_to_joints(parse_nerve_mentions(text))}
    assert rules == {
        "C2-C3": ("R-LEVEL-3", "R-LEVEL-5"),
        "C3-C4": ("R-LEVEL-3",),
        "L4-L5": ("R-LEVEL-3", "R-LEVEL-4"),
    }


def test_nerve_mention_offsets() -> None:
    text = "Needles at the L3, L4 medial branches."
    nerves = parse_nerve_mentions(text, offset=100)
    assert [(n.vertebra, text[n.start - 100 : n.end - 100]) for n in nerves] == [("L3", "L3"), ("L4", "L4")]
    assert text[nerves[0].phrase_start - 100 : nerves[0].phrase_end - 100] == "L3, L4 medial branches"


# --------------------------------------------------------------------------- side words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("right L4-5", ["right"]),
        ("Left-sided L4-5", ["left"]),
        ("L4-5 bilaterally", ["bilateral"]),
        ("on the left at L4-5", ["left"]),
        ("R L4-5 and L L5-S1", ["right", "left"]),
        ("Rt. L4-5, Lt L5-S1", ["right", "left"]),
        ("the right and left L4-5 joints", ["bilateral"]),
        ("both the right and left L4-5 joints", ["bilateral"]),
        ("B/L L4-5", ["bilateral"]),
        ("bil. L4-5, bilat L5-S1", ["bilateral", "bilateral"]),
        ("at L4-5 on both sides", ["bilateral"]),
        ("L4-5 (R)", ["right"]),
        ("Laterality: [x] Right [ ] Left [ ] Bilateral", ["right"]),
        # not sides
        ("the needle was left in place", []),
        ("in the left lateral decubitus position, left side up", []),
        ("bilateral low back pain, right-sided neck pain, left leg symptoms", []),
        ("Roughly 2 mL", []),
        ("L4-5 right away", []),
    ],
)
def test_parse_side_phrases(text: str, expected: list[str]) -> None:
    assert [p.side for p in parse_side_phrases(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("right L4-5 and bilateral L5-S1", ["right", "bilateral"]),
        ("bilateral L4-5 and L5-S1", ["bilateral", "bilateral"]),
        ("L4-5 and L5-S1 facet joints bilaterally", ["bilateral", "bilateral"]),
        ("L4-5 on the left and L5-S1 on the right", ["left", "right"]),
        ("Right lumbar facet joint injections at L3-4, L4-5", ["right", "right"]),
        ("left L3-4 and right L4-5", ["left", "right"]),
        ("the L4-5 facet joint was injected on the right", ["right"]),
        ("L4-5 and L5-S1", ["unspecified", "unspecified"]),
    ],
)
def test_attach_sides_per_level(text: str, expected: list[str]) -> None:
    mentions = parse_level_mentions(text)
    attached = attach_sides(text, 0, mentions, parse_side_phrases(text))
    assert [combine_sides(p.side for p in ps) for ps in attached] == expected


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        (["left", "right"], "bilateral"),
        (["left", "unspecified"], "left"),
        (["bilateral", "right"], "bilateral"),
        (["right", "right"], "right"),
        ([], "unspecified"),
    ],
)
def test_combine_sides(sides: list[str], expected: str) -> None:
    assert combine_sides(sides) == expected


def test_lexicon_rejects_unknown_keys() -> None:
    data = read_yaml("lexicons/levels.yaml")
    LevelLexicon.model_validate(data)
    with pytest.raises(ValidationError):
        LevelLexicon.model_validate({**data, "sidez": []})
    bad_side = {**data["sides"][0], "pattern": "(("}
    with pytest.raises(ValidationError, match="invalid regex"):
        LevelLexicon.model_validate({**data, "sides": [bad_side]})


# --------------------------------------------------------------------------- end to end

CASES = [
    # --- notations in procedure headers
    ("PROCEDURE: Right C5 - C6 and C6/7 intra-articular facet joint injections under fluoroscopy.\n",
     [("C5-C6", "right"), ("C6-C7", "right")]),
    ("PROCEDURES:\n1. Bilateral L45 and L5S1 facet joint injections (intra-articular).\n2. Fluoroscopic guidance.\n",
     [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Left T12-L1 facet joint injection under fluoroscopy.\n", [("T12-L1", "left")]),
    ("PROCEDURE: Right C7-T1 intra-articular facet joint injection.\n", [("C7-T1", "right")]),
    ("PROCEDURE: Bilateral L3-4 through L5-S1 facet joint injections.\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Bilateral lumbar medial branch blocks, L3 to S1, under fluoroscopy.\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Right lumbar medial branch blocks at L3-4, 4-5 and L5-S1.\n",
     [("L3-L4", "right"), ("L4-L5", "right"), ("L5-S1", "right")]),
    ("PROCEDURE: Cervical facet injections C3-4, C4-5 and C5-6 on the left.\n",
     [("C3-C4", "left"), ("C4-C5", "left"), ("C5-C6", "left")]),
    # --- per-level sides
    ("PROCEDURE: Right L4-5 and bilateral L5-S1 lumbar medial branch blocks under fluoroscopy.\n",
     [("L4-L5", "right"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Bilateral L4-5 and L5-S1 facet joint injections.\n", [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Lumbar facet joint injections at L4-5 bilaterally.\n", [("L4-L5", "bilateral")]),
    ("PROCEDURE: Left-sided L5-S1 intra-articular facet injection.\n", [("L5-S1", "left")]),
    ("PROCEDURE: R L4-5 MBB under fluoroscopy.\n", [("L4-L5", "right")]),
    ("PROCEDURE: Lt L3-4 and Rt L4-5 facet joint injections.\n", [("L3-L4", "left"), ("L4-L5", "right")]),
    ("PROCEDURE: Lumbar facet injections, L4-5 on the left and L5-S1 on the right.\n",
     [("L4-L5", "left"), ("L5-S1", "right")]),
    ("TECHNIQUE: After sterile prep, on the left at L4-5 a 22-gauge spinal needle was advanced into the facet joint.\n",
     [("L4-L5", "left")]),
    # --- sides stated elsewhere
    ("PROCEDURE: Right lumbar medial branch blocks.\n\nTECHNIQUE: The patient was placed prone. Under fluoroscopy "
     "needles were placed on the L3, L4 and L5 medial branches and 0.5 mL bupivacaine was injected at each.\n",
     [("L4-L5", "right"), ("L5-S1", "right")]),
    ("PROCEDURE: Left lumbar facet joint injections.\n\nTECHNIQUE: Needles were advanced into the L4-5 and L5-S1 "
     "facet joints under fluoroscopy.\n", [("L4-L5", "left"), ("L5-S1", "left")]),
    ("PROCEDURE: Lumbar facet joint injection.\n\nTECHNIQUE: A 22-gauge needle was advanced into the right L4-5 facet "
     "joint. The same procedure was carried out on the other side.\n", [("L4-L5", "bilateral")]),
    ("PROCEDURE: Lumbar facet joint injection.\n\nTECHNIQUE: A 22-gauge needle was advanced into the right L4-5 facet "
     "joint. The identical procedure was then carried out on the contralateral side at L4-5.\n",
     [("L4-L5", "bilateral")]),
    ("PROCEDURE: Lumbar facet joint injection.\n\nTECHNIQUE: The left L5-S1 facet joint was injected with 1 mL. "
     "This was then performed on the opposite side.\n", [("L5-S1", "bilateral")]),
    ("PROCEDURE: Cervical medial branch block.\n\nTECHNIQUE: 25-gauge needles were walked onto the left C5, C6 and C7 "
     "medial branches and 0.3 mL bupivacaine was injected. This was repeated on the right.\n",
     [("C5-C6", "bilateral"), ("C6-C7", "bilateral")]),
    ("PROCEDURE: Lumbar facet joint injections.\n\nTECHNIQUE: A needle was placed into the right L4-5 facet joint and "
     "contrast confirmed placement. A second needle was placed into the left L4-5 facet joint.\n",
     [("L4-L5", "bilateral")]),
    ("Procedure: Lumbar medial branch block\nSide: Left\nLevels: L3-L4, L4-L5\n"
     "Sedation: [ ] IV [x] None\nFacility: ***\n",
     [("L3-L4", "left"), ("L4-L5", "left")]),
    ("PROCEDURE: Lumbar facet joint injections at L3-L4, L4-L5 and L5-S1.\nTECHNIQUE: The patient was positioned "
     "prone and the right L3-L4, L4-L5 and L5-S1 joints were injected, then the left side was done in the same "
     "fashion.\n", [("L3-L4", "bilateral"), ("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Lumbar facet injection.\nTECHNIQUE: The right L4-L5 facet joint was injected. Attention was then "
     "turned to the left side where the same was done.\n", [("L4-L5", "bilateral")]),
    ("PROCEDURE: Lumbar facet injection.\nTECHNIQUE: The right L4-5 facet joint was injected with 1 mL. Similarly, "
     "the left side was injected.\n", [("L4-L5", "bilateral")]),
    ("PROCEDURE: Right-sided facet joint injection under fluoroscopic guidance at L4-5 and L5-S1.\n",
     [("L4-L5", "right"), ("L5-S1", "right")]),
    ("PROCEDURE: Lumbar medial branch block.\nLEVELS: L3-L4, L4-L5\nSIDE: Bilateral\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]),
    ("Procedure: Facet injection\nLaterality: [x] Right [ ] Left [ ] Bilateral\nLevels: [x] L4-5 [ ] L5-S1\n",
     [("L4-L5", "right")]),
    # a header with two sides gives no single side to unsided levels
    ("PROCEDURE: Right L4-5 and left L5-S1 facet joint injections.\n\nTECHNIQUE: The L3-4 facet joint was also "
     "entered with a 22-gauge needle.\n", [("L3-L4", "unspecified"), ("L4-L5", "right"), ("L5-S1", "left")]),
    # not side or repeat cues: patient position, the other side of one joint
    ("PROCEDURE: Right L4-5 facet joint injection.\nTECHNIQUE: The patient was placed in the left lateral decubitus "
     "position. The needle was redirected to the other side of the right L4-5 joint.\n", [("L4-L5", "right")]),
    ("PROCEDURE: L4-5 and L5-S1 facet joint injections under fluoroscopy.\n",
     [("L4-L5", "unspecified"), ("L5-S1", "unspecified")]),
    ("PROCEDURE: L4-5 facet joint injection for bilateral low back pain.\n", [("L4-L5", "unspecified")]),
    ("PROCEDURE: Facet joint injection.\nTECHNIQUE: The right L4-5 facet joint was entered. Contrast flowed toward "
     "the opposite side without vascular uptake.\n", [("L4-L5", "right")]),
    # --- medial-branch nerve lists
    ("PROCEDURE: Left lumbar medial branch blocks: the L3, L4 medial branches and L5 dorsal ramus.\n",
     [("L4-L5", "left"), ("L5-S1", "left")]),
    ("PROCEDURE: Lumbar medial branch blocks.\nTECHNIQUE: The L2, L3 and L4 medial branch nerves were blocked "
     "bilaterally.\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral")]),
    ("PROCEDURE: Right third occipital nerve block under fluoroscopy.\n", [("C2-C3", "right")]),
    ("Procedure Note: Left Third Occipital Nerve and C3-4 Medial Branch Block\n",
     [("C2-C3", "left"), ("C3-C4", "left")]),
    ("PROCEDURE: Right cervical medial branch blocks of the C4, C5 and C6 medial branches.\n",
     [("C4-C5", "right"), ("C5-C6", "right")]),
    # N consecutive nerves on one side = N-1 joints, side by side
    ("PROCEDURE: Lumbar medial branch blocks.\nTECHNIQUE: Needles were placed on the right L3 and L4 medial branches, "
     "then on the left L4 medial branch and the left L5 dorsal ramus.\n", [("L4-L5", "right"), ("L5-S1", "left")]),
    ("PROCEDURE: Diagnostic medial branch nerve block, right L3, L4, L5.\n", [("L4-L5", "right"), ("L5-S1", "right")]),
    # "L5 medial branch" in the header and "L5 dorsal ramus" in the technique are one nerve
    ("PROCEDURE: Bilateral L3, L4, L5 medial branch block.\nDESCRIPTION: Needles were directed to the transverse "
     "processes of L4 and L5 and to the sacral ala for the L5 dorsal ramus.\n",
     [("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    # a named joint wins over the nerve map ("L4 and L5 medial branches" alone would be L5-S1)
    ("PROCEDURE: Right L4-5 medial branch block (L4 and L5 medial branches).\n", [("L4-L5", "right")]),
    ("PROCEDURE: Bilateral L4-5 lumbar medial branch nerve blocks (L3 and L4 medial branches bilaterally).\n",
     [("L4-L5", "bilateral")]),
    # --- headerless dictation, run-on paragraph, bullets
    ("The procedure is a right C3-C4 and C4-C5 cervical medial branch block, diagnostic, done under fluoroscopy. "
     "The posterior neck was prepped and draped.", [("C3-C4", "right"), ("C4-C5", "right")]),
    ("pt brought to the procedure room, procedure today is left L4-L5 lumbar medial branch block with fluoroscopic "
     "guidance, MRI shows facet hypertrophy at L4-5 and L5-S1, she had a prior L3-4 fusion, the area was prepped and "
     "draped, needles were placed for the medial branches supplying the L4-L5 facet joint on the left, tolerated well",
     [("L4-L5", "left")]),
    ("Thoracic MBB - procedure note\n- Imaging: MRI with facet hypertrophy T7-8, T8-9, T9-10\n"
     "- Procedure: bilateral T7-8 and T8-9 thoracic medial branch blocks\n- Plan: f/u 2 wks\n",
     [("T7-T8", "bilateral"), ("T8-T9", "bilateral")]),
    ("Cervical Medial Branch Block - Right C4-5, C5-6\n\nDate of Service: ***\n",
     [("C4-C5", "right"), ("C5-C6", "right")]),
]

EXCLUSIONS = [
    # history / indication / imaging / diagnosis / plan sections
    ("HISTORY: She is s/p L4-5 fusion. Prior RFA at L3-4.\n\nPROCEDURE: Right L5-S1 facet joint injection.\n",
     [("L5-S1", "right")]),
    ("INDICATIONS: MRI shows an L4-5 disc bulge and stenosis at L3-4.\n\nPROCEDURE: Left L5-S1 medial branch block.\n",
     [("L5-S1", "left")]),
    ("DIAGNOSIS: L4-5 facet arthropathy.\n\nPROCEDURE: Right L5-S1 facet joint injection.\n", [("L5-S1", "right")]),
    ("PREOPERATIVE DIAGNOSIS: Lumbar facet syndrome, L4-5 and L5-S1 (M47.816).\n\nPROCEDURE: Left L5-S1 medial branch "
     "block.\n", [("L5-S1", "left")]),
    # ... but a procedure list left under a diagnosis header (no PROCEDURE: label) still counts
    ("PREOPERATIVE DIAGNOSIS: Low back pain.\n\n1. Bilateral facet arthrogram at L34, L45, L5S1.\n"
     "2. Bilateral facet injections at L34, L45, L5S1.\n",
     [("L3-L4", "bilateral"), ("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
    ("PROCEDURE: Left L3-4 medial branch block.\n\nPLAN: Will schedule L5-S1 MBB. If relief is good, RFA at L4-5.\n",
     [("L3-L4", "left")]),
    ("PROCEDURE: Left L3-4 medial branch block.\n\nPOST-PROCEDURE: If relief is 80% we will proceed with RFA at L4-5 "
     "and L5-S1.\n", [("L3-L4", "left")]),
    # disc levels for other things in the technique
    ("PROCEDURE: Facet joint injection.\n\nTECHNIQUE: The L4-5 disc space was narrowed. The right L5-S1 facet joint "
     "was entered with a 22-gauge needle.\n", [("L5-S1", "right")]),
    # another procedure in the same header line
    ("PROCEDURES: Right L4-5 facet joint injection, and left L5-S1 transforaminal epidural steroid injection.\n",
     [("L4-L5", "right")]),
    # no level named
    ("PROCEDURE: Bilateral lumbar medial branch blocks.\n\nDESCRIPTION: Needles were placed at the affected levels "
     "and each level was injected with 0.5 mL bupivacaine.\n", []),
    ("Procedure: Lumbar medial branch block\nSide: ***\nLevels: ***\n", []),
    # consult notes that only mention past or planned procedures
    ("HPI: Had a right L4-5 facet injection last year with good relief.\nIMAGING: MRI L4-5 disc herniation.\n"
     "ASSESSMENT: L4-5 facet arthropathy.\nPLAN: We will consider L4-5 and L5-S1 medial branch blocks.\n", []),
    ("Patient returns for follow up of low back pain. She is s/p L4-5 fusion. We discussed L5-S1 facet injections "
     "and will schedule them next month.", []),
    # post-procedure remarks about a spot are not levels unless they name the joint
    ("PROCEDURE: Right L4-5 facet joint injection.\n\nPOST-PROCEDURE: Pain 2/10; residual ache around L3-4.\n",
     [("L4-L5", "right")]),
    ("Prior right L4-5 medial branch blocks gave 80% relief. Recommend radiofrequency ablation at L4-5.", []),
    ("Office visit. She had left C5-6 medial branch blocks on 1/8/22 with 100% relief for 6 hours. "
     "X-rays show facet arthropathy at C5-6. Schedule radiofrequency ablation at the same levels.", []),
    # a field line ("Vital signs:") does not turn the procedure paragraph after it into an exam
    ("Dictation. The procedure today was a lumbar facet joint injection.\n\nVital signs: BP 120/80, HR 60.\n\n"
     "Under fluoroscopy a spinal needle was advanced into the L3-4 facet joint on the left and 1 mL was injected.\n",
     [("L3-L4", "left")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES + EXCLUSIONS)
def test_extract_levels(view_of, text: str, expected: list[tuple[str, str]]) -> None:
    view = view_of(text)
    levels = extract_levels(view)
    assert [(lv.joint, lv.side) for lv in levels] == expected
    for lv in levels:
        assert lv.evidence, lv.joint
        for ev in lv.evidence + lv.side_evidence:
            assert view.text[ev.start : ev.end] == ev.text
        assert all(LEVEL_TEXT.search(ev.text) for ev in lv.evidence)


def test_evidence_and_rule_ids(view_of) -> None:
    text = "PROCEDURE: Right L4-5 and bilateral L5-S1 lumbar medial branch blocks.\n"
    view = view_of(text)
    l45, l5s1 = extract_levels(view)
    assert (l45.region, l45.source, l45.rule_ids) == ("lumbar", "joint", ["R-LEVEL-1"])
    assert [e.text for e in l45.evidence] == ["L4-5"] and [e.text for e in l45.side_evidence] == ["Right"]
    assert [e.text for e in l5s1.evidence] == ["L5-S1"] and [e.text for e in l5s1.side_evidence] == ["bilateral"]
    assert l45.evidence[0].start == text.index("L4-5")


def test_nerve_map_levels_carry_source_and_rules(view_of) -> None:
    text = "PROCEDURE: Left lumbar medial branch blocks: the L3, L4 medial branches and L5 dorsal ramus.\n"
    levels = extract_levels(view_of(text))
    assert [(lv.joint, lv.source, lv.rule_ids) for lv in levels] == [
        ("L4-L5", "nerve_map", ["R-LEVEL-3", "R-LEVEL-4"]),
        ("L5-S1", "nerve_map", ["R-LEVEL-3", "R-LEVEL-4"]),
    ]
    assert any("L5 dorsal ramus" in e.text for e in levels[1].evidence)
    assert [e.text for e in levels[0].side_evidence] == ["Left"]


def test_third_occipital_rule_ids(view_of) -> None:
    (level,) = extract_levels(view_of("PROCEDURE: Right third occipital nerve block.\n"))
    assert (level.joint, level.region, level.rule_ids) == ("C2-C3", "cervical", ["R-LEVEL-3", "R-LEVEL-5"])
    assert level.evidence[0].text.lower() == "third occipital nerve"


def test_one_level_per_joint_with_merged_evidence(view_of) -> None:
    text = (
        "PROCEDURE: Left L4-5 facet joint injection.\n\n"
        "TECHNIQUE: A 22-gauge needle was advanced into the left L4-5 facet joint and 1 mL was injected.\n"
    )
    (level,) = extract_levels(view_of(text))
    assert level.joint == "L4-L5" and level.side == "left"
    assert [e.start for e in level.evidence] == [m.start() for m in re.finditer("L4-5", text)]


def test_levels_are_sorted_cranial_to_caudal(view_of) -> None:
    text = (
        "PROCEDURES:\n1. Bilateral L4-5 intra-articular lumbar facet joint injections.\n"
        "2. Right T12-L1 and C5-6 facet joint injections.\n"
    )
    assert [(lv.joint, lv.region) for lv in extract_levels(view_of(text))] == [
        ("C5-C6", "cervical"), ("T12-L1", "thoracic"), ("L4-L5", "lumbar"),
    ]


def test_field_section_does_not_swallow_the_procedure_paragraph() -> None:
    """A hand-built view (no pipeline): an "exam" field line stretched over the next paragraph."""
    text = "Vital signs: BP 120/80.\n\nA spinal needle was advanced into the L3-4 facet joint on the left.\n"
    second = text.index("A spinal")
    cue = text.index("needle was advanced")
    sentences = [
        Sentence(0, second, text[:second], "exam"),
        Sentence(second, len(text), text[second:], "exam",
                 (Mention("PERFORMED_CUE", cue, cue + 19, "needle was advanced", section="exam"),)),
    ]
    view = NoteView(text, sentences, [SectionSpan("exam", 0, 13, len(text), "Vital signs:")])
    assert [(lv.joint, lv.side) for lv in extract_levels(view)] == [("L3-L4", "left")]
    same_paragraph = text.replace("\n\n", " ")
    view = NoteView(same_paragraph, [Sentence(0, len(same_paragraph), same_paragraph, "exam")],
                    [SectionSpan("exam", 0, 13, len(same_paragraph), "Vital signs:")])
    assert extract_levels(view) == []


def test_empty_view_has_no_levels() -> None:
    assert extract_levels(NoteView("", [], [])) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # named joint among the mapped ones: the nerve list adds the others (R-LEVEL-4)
        ("PROCEDURE: Bilateral L2, L3, L4 medial branch and L5 dorsal ramus block under fluoroscopy.\n"
         "TECHNIQUE: The needle was advanced. The target for the L5-S1 joint was the L4 medial branch.",
         [("L3-L4", "bilateral"), ("L4-L5", "bilateral"), ("L5-S1", "bilateral")]),
        # named joint disagrees with strict anatomy (clinician shorthand): the named joint wins
        ("PROCEDURE: Right L4-5 medial branch block (L4 and L5 medial branches) under fluoroscopy.\n"
         "The needle was advanced.",
         [("L4-L5", "right")]),
    ],
)
def test_named_joints_and_nerve_lists_combine(view_of, text, expected) -> None:
    assert [(lv.joint, lv.side) for lv in extract_levels(view_of(text))] == expected


@pytest.mark.parametrize(
    "text",
    [
        "DESCRIPTION OF PROCEDURE: The needles were placed at the affected levels that were previously mentioned. "
        "For C3 to C6, the medial branch is along the ventral aspect of the articular pillar. "
        "For a C7 medial branch block, the needle tip is positioned more superiorly.",
        "TECHNIQUE: The needle was advanced. Typically the L4-5 joint is approached obliquely.",
    ],
)
def test_generic_technique_text_names_no_treated_level(view_of, text) -> None:
    assert extract_levels(view_of(text)) == []


def test_generic_opener_does_not_hide_a_real_level(view_of) -> None:
    text = "TECHNIQUE: For this procedure the patient was prone. The right L4-5 facet joint was injected."
    assert [(lv.joint, lv.side) for lv in extract_levels(view_of(text))] == [("L4-L5", "right")]
