"""A corpus of pathological notes: the inputs that made the tool quadratic, hang or crash (issue 11).

Scanned faxes, templates and exports really contain long runs of one punctuation character
(`=====`, `______`, `......`), notes with no sentence break at all, huge single lines, long level and
nerve lists and invisible characters inside words. `corpus(size)` builds each kind at about `size`
bytes (UTF-8), deterministically, around a short real facet sentence so the note still codes.

Used by `benchmarks/bench_reliability.py` (seconds per note at the 200 KB limit) and by the fuzz
tests (no crash, evidence equals the original text at its offsets).
"""

from __future__ import annotations

import random
from collections.abc import Callable

FACET = ("Procedure: bilateral L4-L5 facet joint injections under fluoroscopic guidance. "
         "Injected 1 mL 0.5% bupivacaine with 10 mg triamcinolone at each joint. Pain 7/10 before, 2/10 after.\n")
_WORDS = ["facet", "injection", "L4-5", "right", "left", "medial", "branch", "block", "fluoroscopy", "no", "not",
          "prior", "10/10", "lidocaine", "0.5", "mL", ".", ",", "denies", "history", "planned", "C5-6", "bilateral"]


def _fill(unit: str, size: int) -> str:
    """`unit` repeated to about `size` bytes (never over)."""
    per = max(1, len(unit.encode()))
    return unit * max(1, (size - len(FACET)) // per)


def _words(size: int, seed: int) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size - len(FACET) - 16:
        word = rng.choice(_WORDS)
        out.append(word)
        total += len(word) + 1
    return " ".join(out)


def _levels(size: int) -> str:
    items = [f"L{i % 5 + 1}-L{i % 5 + 2}" if i % 2 else f"L{i % 5 + 1}" for i in range(size // 4)]
    text = "Medial branch blocks at " + ", ".join(items)
    return text[: size - len(FACET) - 2]


def _nerves(size: int) -> str:
    text = "Medial branch blocks: " + ", ".join(
        f"{'RL'[i % 2]} L{i % 5 + 1} medial branch" for i in range(size // 18))
    return text[: size - len(FACET) - 2]


KINDS: dict[str, Callable[[int], str]] = {
    "equals_run": lambda n: _fill("=", n),
    "underscore_run": lambda n: _fill("_", n),
    "dot_leaders": lambda n: _fill(".", n),
    "open_parens": lambda n: _fill("(", n),
    "dot_underscore": lambda n: _fill("._", n),
    "spaced_rule": lambda n: _fill("= ", n),
    "letter_run": lambda n: _fill("a", n),
    "digit_run": lambda n: _fill("1", n),
    "letter_dots": lambda n: _fill("a.", n),
    "dash_levels": lambda n: _fill("L4-", n),
    "slashes": lambda n: _fill("1/", n),
    "short_lines": lambda n: _fill("x\n", n),
    "no_break_words": lambda n: _words(n, 11),
    "level_list": _levels,
    "nerve_list": _nerves,
    "zero_width": lambda n: _fill("fluoro\u200bscopy facet inj\u00adection L4-5 ", n),
    "checkboxes": lambda n: _fill("[x] ", n),
    "headers": lambda n: _fill("HEADER:\nL4-5 facet\n", n),
    "emoji": lambda n: _fill("\U0001F600", n),
    "pipes": lambda n: _fill("|", n),
    "pipe_rule": lambda n: _fill("=|", n),
    "table_rows": lambda n: _fill("| L4-L5 | Left | 0.5 mL |\n|---|---|---|\n", n),
    "nbsp_tabs": lambda n: _fill("\u00a0\t ", n),
}


def corpus(size: int = 200_000) -> list[tuple[str, str]]:
    """(kind, note) for every kind, each at most `size` UTF-8 bytes: a facet sentence, then the filler."""
    out = []
    for name, make in KINDS.items():
        note = FACET + make(size)
        while len(note.encode()) > size:
            note = note[: len(note) - max(1, (len(note.encode()) - size))]
        out.append((name, note))
    return out
