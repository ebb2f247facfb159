"""The levels extractor skips sentences its one combined regex rules out; that test must agree
with the separate regexes it replaces on every sentence of the golden and corpus notes."""

from __future__ import annotations

from pathlib import Path

from nlp.extract.levels import _ATOM, _lexicon

ROOT = Path(__file__).resolve().parents[2]


def test_combined_prefilter_agrees_with_its_parts(view_of):
    lex = _lexicon()
    parts = (_ATOM, lex.third_occipital, lex.repeat, lex.other_side)
    paths = sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.txt")) + sorted((ROOT / "data" / "corpus" / "notes").glob("*.txt"))
    checked = hits = 0
    for path in paths:
        for sentence in view_of(path.read_text(encoding="utf-8")).sentences:
            want = any(p.search(sentence.text) for p in parts)
            assert bool(lex.worth_parsing.search(sentence.text)) == want, sentence.text
            checked += 1
            hits += want
    extra = ["l4-5", "L5S1", "c2/3", "third occipital nerve", "Repeated on the contralateral side.", "TON", "t12-l1"]
    for text in extra:
        assert bool(lex.worth_parsing.search(text)) == any(p.search(text) for p in parts), text
    assert checked > 3000 and 0 < hits < checked
