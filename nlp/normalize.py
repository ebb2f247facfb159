"""Layout-neutral text for the pipeline, with a map back to the note as written.

Text pasted from PDFs, faxes and EHR exports differs from clean typing in ways that carry no meaning:
doubled spaces, tabs, non-breaking and other Unicode spaces, zero-width characters and soft hyphens,
CR/CRLF line ends, trailing blanks, en/em dashes and minus signs in `L4–L5`, curly quotes. spaCy
tokenises each of these differently (two spaces become a whitespace token, so the phrase
`joint  injection` no longer matches), and the answer must not change with them. `normalize()` rewrites
them to one canonical form and keeps, for every character of the new text, the offset of the character
it came from, so evidence is always reported against the original note (`restore_evidence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

from nlp.schema import Evidence

# Characters that carry nothing: zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Characters that stand for a plain space.
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
# One character for one character (same length: offsets do not move).
_ONE_FOR_ONE = str.maketrans({
    **{c: " " for c in _SPACES},
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
})
_NEEDS_WORK = re.compile("[" + re.escape(_INVISIBLE + _SPACES) + "\u2010-\u2015\u2212\u2018-\u201e\u2032\u2033"
                         "\u2028\u2029\x85\r]|  | \n| $")
# After the one-for-one pass, deleted: invisible characters; then CR before LF, blanks at line end and
# every space but the first of a run.
_LONE_CR = re.compile(r"\r(?!\n)")
_INVISIBLE_RUN = re.compile("[" + _INVISIBLE + "]+")
_DROP = re.compile(r"\r(?=\n)| +(?=\r?\n|$)|(?<= ) +")


@dataclass(frozen=True)
class NormalizedText:
    """`text` is what the pipeline reads; `origin[i]` is the original offset of `text[i]`."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: the text is unchanged (the common case, no map kept)

    @property
    def changed(self) -> bool:
        return self.origin is not None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of a normalized span (an empty span stays empty)."""
        if self.origin is None:
            return start, end
        n = len(self.text)
        o_start = self.origin[start] if start < n else len(self.original)
        if end <= start:
            return o_start, o_start
        o_end = self.origin[min(end, n) - 1] + 1
        return o_start, o_end


def normalize(text: str) -> NormalizedText:
    """Canonical layout for `text` (see the module docstring); identity when nothing needs changing."""
    if not _NEEDS_WORK.search(text):
        return NormalizedText(text, text, None)
    one = _LONE_CR.sub("\n", text.translate(_ONE_FOR_ONE))  # same length: one[i] came from text[i]
    visible, kept = _delete(one, _INVISIBLE_RUN)  # first, so blanks around an invisible character meet
    out, kept2 = _delete(visible, _DROP)
    return NormalizedText(text, out, tuple(kept[i] for i in kept2))


def _delete(text: str, pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """`text` without the matches of `pattern`, and the source offset of each kept character."""
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        pieces.append(text[pos:m.start()])
        kept.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(text[pos:])
    kept.extend(range(pos, len(text)))
    return "".join(pieces), kept


def restore_evidence(model: BaseModel, norm: NormalizedText) -> None:
    """Rewrite, in place, every Evidence inside `model` to offsets and text of the original note."""
    if not norm.changed:
        return
    _walk(model, norm)


def _walk(obj: object, norm: NormalizedText) -> None:
    if isinstance(obj, Evidence):
        start, end = norm.span(obj.start, obj.end)
        obj.start, obj.end, obj.text = start, end, norm.original[start:end]
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _walk(getattr(obj, name), norm)
    elif isinstance(obj, list):
        for item in obj:
            _walk(item, norm)
