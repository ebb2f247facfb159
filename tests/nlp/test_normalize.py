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
                                          ("'", "\u2019"), ("\n", "\r"), (" ", "\n"), (" ", "\r")}


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


@pytest.mark.parametrize("short, expanded", [
    ("bilat L4-5 facet jt inj", "bilateral L4-5 facet joint injection"),
    ("22g ndl, neg asp, tol well", "22 gauge needle, negative aspiration, tolerated well"),
    ("L3 MB, L4 MB and L5 DR", "L3 medial branch, L4 medial branch and L5 dorsal ramus"),
    ("dx blk #2", "diagnostic block #2"),
    ("LBP x 9 mo, PT x 6 wks", "LBP x 9 months, PT x 6 weeks"),
    ("BILAT FACET JT INJ", "BILATERAL FACET JOINT INJECTION"),
    ("no sed, no radic sx", "no sedation, no radicular symptoms"),
])
def test_shorthand_is_written_out(short: str, expanded: str) -> None:
    assert normalize(short).text == expanded


@pytest.mark.parametrize("text", ["Dr. Dale saw her.", "Dx: M47.816", "DR. SMITH", "Mb of data", "Dexter", "inject"])
def test_look_alikes_stay_as_written(text: str) -> None:
    assert normalize(text).text == text


def test_an_expansion_maps_back_to_exactly_its_short_form() -> None:
    text = "Proc: R L4-5 facet jt inj under fluoro."
    norm = normalize(text)
    for word, short in (("joint", "jt"), ("injection", "inj")):
        i = norm.text.index(word)
        start, end = norm.span(i, i + len(word))
        assert text[start:end] == short
    i = norm.text.index("facet joint injection")
    start, end = norm.span(i, i + len("facet joint injection"))
    assert text[start:end] == "facet jt inj"


def test_a_hard_wrap_inside_a_phrase_is_a_space_but_headers_keep_their_line() -> None:
    assert normalize("thoracic facet joint intra-articular\ninjection at T5-T6").text == (
        "thoracic facet joint intra-articular injection at T5-T6")
    assert normalize("Dx: spondylosis\nsedation: none").text == "Dx: spondylosis\nsedation: none"
    assert normalize("Tolerated well.\nno complications").text == "Tolerated well.\nno complications"


def _all_evidence(model: object) -> list[str]:
    """Every evidence text in a result, in walk order, with whitespace runs folded."""
    from pydantic import BaseModel

    from nlp.schema import Evidence

    out: list[str] = []

    def walk(obj: object) -> None:
        if isinstance(obj, Evidence):
            out.append(" ".join(obj.text.split()))
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))
        elif isinstance(obj, list):
            for item in obj:
                walk(item)

    walk(model)
    return out


def test_evidence_covers_the_same_words_after_layout_noise_on_every_golden_note(pipeline) -> None:
    """Shared Evidence objects (an agent's span reused as intent evidence) are mapped back once, not twice."""
    from pathlib import Path

    golden = sorted((Path(__file__).parents[1] / "fixtures" / "golden").glob("*.txt"))
    analyzer = Analyzer(nlp=pipeline, use_models=False)
    texts = [p.read_text(encoding="utf-8") for p in golden]
    noisy = [t.replace(" ", "  ").replace("\n", " \r\n") for t in texts]
    clean_results = list(analyzer.analyze_many((str(i), t) for i, t in enumerate(texts)))
    noisy_results = list(analyzer.analyze_many((str(i), t) for i, t in enumerate(noisy)))
    for text, clean, dirty in zip(noisy, clean_results, noisy_results, strict=True):
        assert _all_evidence(dirty) == _all_evidence(clean)
        assert all(a.text == text[a.start:a.end] for a in (e for ag in dirty.agents for e in ag.evidence))
