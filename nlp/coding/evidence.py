"""Small helpers for evidence span lists."""

from __future__ import annotations

from collections.abc import Iterable

from nlp.schema import Evidence


def merge_evidence(*groups: Iterable[Evidence]) -> list[Evidence]:
    """All spans of `groups`, without duplicates, in note order."""
    seen: dict[tuple[int, int], Evidence] = {}
    for group in groups:
        for ev in group:
            seen.setdefault((ev.start, ev.end), ev)
    return [seen[k] for k in sorted(seen)]


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without duplicates."""
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
