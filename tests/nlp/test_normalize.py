"""Layout normalisation: the pipeline reads canonical text, evidence points into the note as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.api import Analyzer
from nlp.normalize import normalize

LAYOUT_CHARS = ["  ", "\t", "\u00a0", "\u200b", "\u00ad", "\r\n", "\r", " \n", "\u2013", "\u2019", "\u2009"]


@given(st.lists(st.one_of(st.sampled_from(LAYOUT_CHARS), st.text("abcL45-. \n:", min_size=1, max_size=6)),
                max_size=30))
def test_every_kept_character_maps_back_to_its_source(parts: list[str]) -> None:
    text = "".join(parts)
    norm = normalize(text)
    if not norm.changed:
        assert norm.text == text
        return
    assert len(norm.origin) == len(norm.text)
    assert list(norm.origin) == sorted(set(norm.origin))  # strictly increasing: order kept, nothing doubled
    for i, ch in enumerate(norm.text):
        src = text[norm.origin[i]]
        assert ch == src or (ch, src) in {(" ", "\t"), (" ", "\u00a0"), (" ", "\u2009"), ("-", "\u2013"),
                                          ("'", "\u2019"), ("\n", "\r")}


@given(st.text(st.sampled_from("ab \t\u00a0\n\r\u200b"), max_size=40))
def test_canonical_text_has_no_layout_noise(text: str) -> None:
    out = normalize(text).text
    assert "  " not in out and "\t" not in out and "\r" not in out and "\u00a0" not in out
    assert "\u200b" not in out and " \n" not in out and not out.endswith(" ")
    assert normalize(out).text == out  # idempotent


def test_clean_text_is_returned_as_is_without_a_map() -> None:
    norm = normalize("Bilateral L4-L5 medial branch block.\nFluoroscopy used.")
    assert not norm.changed and norm.text == norm.original


def test_span_of_a_word_after_deleted_characters() -> None:
    text = "left\u00a0\u00a0L4\u2013L5  fluoro\u200bscopy"
    norm = normalize(text)
    start = norm.text.index("fluoroscopy")
    o_start, o_end = norm.span(start, start + len("fluoroscopy"))
    assert text[o_start:o_end] == "fluoro\u200bscopy"


NOTE = ("PROCEDURE: Bilateral L4-L5 and L5-S1 facet joint injections under fluoroscopic guidance.\n"
        "INDICATION: Lumbar spondylosis. Pain 7/10 before.\n"
        "TECHNIQUE: Under fluoroscopy the needles were placed into the L4-L5 and L5-S1 facet joints on both sides. "
        "Each joint received 0.5 mL of 0.5% bupivacaine and 10 mg triamcinolone. Pain 2/10 after.\n")


@pytest.mark.parametrize("noise", [
    lambda t: t.replace(" ", "  "),
    lambda t: t.replace(" ", "\u00a0"),
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace("-", "\u2013"),
    lambda t: t.replace("fluoroscop", "fluoro\u200bscop").replace("joint", "jo\u00adint"),
    lambda t: t.replace(" ", "\t", 9).replace("\n", "   \n"),
], ids=["doubled_spaces", "nbsp", "crlf", "en_dash", "invisible", "tabs_trailing"])
def test_layout_noise_changes_no_fact_and_evidence_quotes_the_note(pipeline, noise) -> None:
    analyzer = Analyzer(nlp=pipeline)
    clean = analyzer.analyze(NOTE)
    text = noise(NOTE)
    noisy = analyzer.analyze(text)
    assert [(c.cpt, c.modifiers) for c in noisy.claim_lines] == [(c.cpt, c.modifiers) for c in clean.claim_lines]
    assert [(lv.joint, lv.side) for lv in noisy.levels] == [(lv.joint, lv.side) for lv in clean.levels]
    assert noisy.imaging.modality == clean.imaging.modality == "fluoroscopy"
    evidence = [ev for lv in noisy.levels for ev in lv.evidence] + noisy.imaging.evidence
    evidence += [ev for line in noisy.claim_lines for ev in line.evidence]
    assert evidence
    for ev in evidence:
        assert ev.text == text[ev.start:ev.end]
