"""Layout normalisation: the pipeline reads canonical text, evidence points into the note as written."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nlp.api import Analyzer
from nlp.normalize import normalize

LAYOUT_CHARS = ["  ", "\t", "\u00a0", "\u200b", "\u00ad", "\r\n", "\r", " \n", "\u2013", "\u2019", "\u2009"]


@given(st.lists(st.one_of(st.sampled_from(LAYOUT_CHARS), st.text("abcL45-. \n:", min_size=1, max_size=6)),
                max_size=30))
def test_every_kept_character_maps_back_to_its_source(parts: list[str]) -> None:
    text = "".join(parts)
    # the missing-space rule ("aL.La" -> "aL. La") adds a character: see test_a_missing_space_after_a_period
    assume(re.search(r"[a-z][A-Za-z]\.[A-Z][a-z]", re.sub("[\u200b\u00ad]", "", text)) is None)
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
    ("dx facet inj today", "diagnostic facet injection today"),
    ("LBP x 9 mo, PT x 6 wks", "LBP x 9 months, PT x 6 weeks"),
    ("BILAT FACET JT INJ", "BILATERAL FACET JOINT INJECTION"),
    ("no sed, no radic sx", "no sedation, no radicular symptoms"),
    ("r l1 mb and r l2 mb, t10 mbs", "r l1 medial branch and r l2 medial branch, t10 medial branches"),
])
def test_shorthand_is_written_out(short: str, expanded: str) -> None:
    assert normalize(short).text == expanded


@pytest.mark.parametrize("text", ["Dr. Dale saw her.", "Dx: M47.816", "DR. SMITH", "Mb of data", "Dexter", "inject",
                                  "a 4 mb image file", "mb", "dx facet syndrome, lumbar", "dx facet arthropathy"])
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("needle to the C6 medi-\nal branch", "needle to the C6 medial branch"),
        ("under fluoro-\n  scopy", "under fluoroscopy"),
        # a real compound split at its hyphen, and halves that are words of their own, keep the hyphen
        ("the post-\nprocedure pain", "the post-\nprocedure pain"),
        ("a medial-\nbranch target", "a medial-\nbranch target"),
        ("L4-\nL5", "L4-\nL5"),
    ],
)
def test_a_word_hyphenated_at_a_line_end_is_joined_when_the_lexicons_know_it(text: str, expected: str) -> None:
    norm = normalize(text)
    assert norm.text == expected
    if norm.origin is not None:
        assert [text[i] for i in norm.origin] == list(norm.text)


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


WRAPPED = textwrap.fill(
    "Bilateral L3-L4 and L4-L5 medial branch blocks were done under fluoroscopic guidance with half a millilitre "
    "of bupivacaine at every target and no complications were seen during the case.", 58)


def test_every_break_of_a_greedy_wrapped_paragraph_is_a_space() -> None:
    assert "\n" in WRAPPED
    assert normalize(WRAPPED).text == WRAPPED.replace("\n", " ")


@pytest.mark.parametrize("text", [
    # one statement a line, lowercase, no periods: the lines end short of the longest one
    "timeout done, consent signed, no sedation given for this one today\nprone, prepped\nfluoro used, ap view",
    "pt tolerated, no vasovagal episode or any other complication at all\nsteri strip\nd/c home",
])
def test_a_paragraph_of_lines_ended_by_the_author_keeps_its_breaks(text: str) -> None:
    assert normalize(text).text == text


def test_a_line_that_ends_short_keeps_no_from_negating_the_next_line(pipeline) -> None:
    text = ("right l4-l5 facet jt inj, ia, dx\n"
            "consent signed, risks reviewed, timeout done, no sedation requested by the pt\n"
            "prone, prepped\n"
            "fluoro ap and oblique views, 22g needle into the right l4-l5 joint, 1 ml bupivacaine 0.5%\n")
    result = Analyzer(nlp=pipeline, use_models=False).analyze(text)
    assert result.imaging.modality == "fluoroscopy", result.imaging.reason


@pytest.mark.parametrize("word", ["infection", "infected", "infections", "median", "needless", "menial"])
def test_a_real_english_word_is_never_corrected_to_a_domain_word(word: str) -> None:
    text = f"risks of {word} reviewed"
    assert normalize(text).text == text


@pytest.mark.parametrize("typo, right", [
    ("injeciton", "injection"), ("bilaterla", "bilateral"), ("lumber", "lumbar"), ("aesthetic", "anesthetic"),
])
def test_misspelt_domain_words_and_known_dictation_errors_are_corrected(typo: str, right: str) -> None:
    assert normalize(f"a {typo} note").text == f"a {right} note"


def test_a_missing_space_after_a_period_is_added_and_maps_to_the_period() -> None:
    text = "Tolerated well.Patient discharged."
    norm = normalize(text)
    assert norm.text == "Tolerated well. Patient discharged."
    i = norm.text.index(". P")
    assert norm.span(i, i + 2) == (text.index(".P"), text.index(".P") + 1)
    assert norm.span(i + 2, i + 9) == (text.index("Patient"), text.index("Patient") + 7)


def test_every_english_word_one_edit_from_a_domain_word_is_kept_or_listed_as_a_dictation_error() -> None:
    """`spelling.keep` and `spelling.real_word_errors` against pyspellchecker's bundled English dictionary: a new
    domain word must not start "correcting" a real word ("infection" -> "injection") unnoticed."""
    from spellchecker import SpellChecker

    from nlp.normalize import _corrections, _lexicon

    english = SpellChecker(language="en", distance=1).word_frequency.dictionary
    errors = {w.lower() for w in _lexicon().spelling.real_word_errors}
    corrected_real = sorted(t for t in _corrections() if t in english and t not in errors)
    assert corrected_real == [], f"add to spelling.keep (or real_word_errors): {corrected_real}"
    assert errors <= set(_corrections()), "a real_word_errors entry is no longer one edit from one domain word"
