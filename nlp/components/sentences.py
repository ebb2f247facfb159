"""Fast rule-based sentence splitter for procedure notes (replaces PyRuSH, ~40x faster).

Breaks at blank lines, at line starts that look like headers or bullets, after a line ending
in sentence punctuation or a colon, and after `. ` followed by an upper-case letter or digit
(common abbreviations excepted). Hard-wrapped dictation lines are kept together; in a paragraph that
was not wrapped (a line ends well short of the longest one, though its next word would have fitted:
one statement a line) and written without sentence punctuation, every line starts a sentence.
"""


import re
from functools import lru_cache

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp.components.tokenizer import TEXT_KEY  # doc.user_data key holding doc.text, read by nlp.extract.view
from nlp.normalize import next_word_fits

_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "vs", "approx", "e.g", "i.e", "no", "st", "pt", "fig", "etc", "inc",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "lt", "rt", "bil", "bilat",
    "a.m", "p.m", "u.s", "jr", "sr", "dept", "ext", "inj", "approx", "abd",
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_NEWLINE = re.compile(r"\n[ \t]*")
# A header alone on its line, in square brackets ("[PROCEDURE]") or a label of one to three Title-case words
# ("Imaging", "Pain scores"): it starts a sentence, and so does the line after it.
_LABEL = r"\[[A-Za-z][A-Za-z0-9 /&'-]{1,40}\]|[A-Z][a-z]+(?:[ \t][A-Za-z][a-z]+){0,2}"
_LABEL_LINE = re.compile(_LABEL)
_LINE_START_BREAK = re.compile(r"(?:[-*\u2022>]\s|\d{1,2}[.)]\s|[A-Z][A-Za-z /&()'-]{1,60}:|[A-Z][A-Z0-9 /&(),'-]{3,}$"
                               rf"|(?:{_LABEL})[ \t]*$)")
# A line that ends a sentence and then adds a parenthesised aside ("... at each site. (bupi 0.75%, 1 mL/site)").
_ENDS_WITH_ASIDE = re.compile(r"[.!?][ \t]*\([^()\n]{0,100}\)[ \t]*$")
_SENT_END = re.compile(r"[.!?]+[\"')\]]*\s+(?=[A-Z0-9(\"'])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def _previous_line_tail(text: str, newline: int) -> str:
    """The last few characters before a newline, trailing blanks removed (no full-prefix copy)."""
    return text[max(0, newline - 16) : newline].rstrip(" \t") if newline > 0 else ""


@lru_cache(maxsize=1)
def _inline_field() -> re.Pattern[str]:
    """A section label after a field separator ("... local only - Guidance: fluoroscopy | Side: left"): in text
    run together from a template or a one-paragraph paste, each field is its own statement, so a negation in
    one field does not reach the next."""
    from nlp.pipeline import SECTION_RULES  # the sectionizer's own rules (imported late: the pipeline imports us)
    from nlp.resources import read_json

    labels = sorted({r["literal"] for r in read_json(SECTION_RULES)["section_rules"] if r["literal"].endswith(":")},
                    key=len, reverse=True)
    return re.compile(r"(?:(?<=\s[-|;\u2022]\s)|(?<=[|;]))(?=\s?(?:" + "|".join(map(re.escape, labels)) + "))", re.I)


def sentence_starts(text: str) -> list[int]:
    """Character offsets where a sentence starts (always includes the first non-space char)."""
    starts: set[int] = set()
    for m in _inline_field().finditer(text):
        pos = m.end() + (1 if text[m.end():m.end() + 1] == " " else 0)
        if pos < len(text):
            starts.add(pos)
    first = len(text) - len(text.lstrip())
    if first < len(text):
        starts.add(first)
    for m in _BLANK_LINE.finditer(text):
        starts.add(m.end())
    for m in _NEWLINE.finditer(text):
        pos = m.end()
        if pos >= len(text):
            continue
        prev_line_end = _previous_line_tail(text, m.start())
        line_end = text.find("\n", pos)
        line = text[pos : line_end if line_end != -1 else len(text)]
        if (prev_line_end.endswith((".", ":", "!", "?", ";")) or _LINE_START_BREAK.match(line)
                or line.count("|") >= 2  # a table row is its own statement
                or _ENDS_WITH_ASIDE.search(text, max(0, m.start() - 120), m.start()) is not None
                or not prev_line_end or prev_line_end.endswith("\n")
                or _LABEL_LINE.fullmatch(text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip()) is not None):
            starts.add(pos)
    starts.update(_statement_line_starts(text))
    for m in _SENT_END.finditer(text):
        head = text[max(0, m.start() - 12) : m.start() + 1]
        word = _WORD_BEFORE.search(head[:-1] if head.endswith(".") else head)
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        # "L4. 5" style or decimal numbers are not sentence ends; "1. " list items are handled as line starts
        if re.search(r"\d\.$", text[max(0, m.start() - 2) : m.start() + 1]) and m.end() < len(text) and text[m.end()].isdigit():
            continue
        starts.add(m.end())
    return _bounded(text, sorted(s for s in starts if s < len(text)))


_SENT_PUNCT = re.compile(r"[.!?;](?:\s|$)")


def _statement_line_starts(text: str) -> list[int]:
    """Every line start of each paragraph written without sentence punctuation and not hard-wrapped: some line
    is followed by a word that would have fitted on it (`next_word_fits`)."""
    out: list[int] = []
    pos = 0
    for para in _BLANK_LINE.split(text):
        lines = para.split("\n")
        width = max(len(line) for line in lines)
        if not any(_SENT_PUNCT.search(line) for line in lines) and any(
                not line.rstrip().endswith(":") and after.strip() and next_word_fits(line, after, width)
                for line, after in zip(lines, lines[1:])):
            at = pos
            for line, after in zip(lines, lines[1:]):
                at += len(line) + 1
                out.append(at + len(after) - len(after.lstrip(" \t")))
        pos += len(para)
        m = _BLANK_LINE.match(text, pos)
        pos = m.end() if m else pos
    return out


# The longest sentence kept whole (characters). Real run-on dictation paragraphs reach about 2,300; a text
# with no sentence break at all (a pasted export, a fax run together) would make ConText's pair checks and
# every per-sentence scan quadratic in the note length, so a longer stretch is split at a space.
MAX_SENTENCE_CHARS = 4000


def _bounded(text: str, starts: list[int]) -> list[int]:
    """`starts` plus a break at the first space after every MAX_SENTENCE_CHARS characters of a sentence."""
    out: list[int] = []
    for start, end in zip(starts, [*starts[1:], len(text)]):
        out.append(start)
        pos = start + MAX_SENTENCE_CHARS
        while pos < end:
            space = text.find(" ", pos, end)
            if space < 0 or space + 1 >= end:
                break
            out.append(space + 1)
            pos = space + 1 + MAX_SENTENCE_CHARS
    return out


class FacetSentenceSplitter:
    """Sets `token.is_sent_start` from `sentence_starts`."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        text = doc.user_data.get(TEXT_KEY)  # set by TextKeepingTokenizer
        if text is None:
            text = doc.text  # joins every token: build it once and keep it for later steps
            doc.user_data[TEXT_KEY] = text
        idx = doc.to_array(IDX)
        flags = numpy.where(numpy.isin(idx, sentence_starts(text)), 1, -1).astype("uint64")
        flags[0] = 1
        doc.from_array([SENT_START], flags.reshape(-1, 1))  # one vectorised write, not a Python loop
        return doc


@Language.factory("facet_sentences", assigns=["token.is_sent_start"])
def make_facet_sentences(nlp: Language, name: str) -> FacetSentenceSplitter:
    return FacetSentenceSplitter()
