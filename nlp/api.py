"""Public entry point: analyse notes into NoteResult records (facts, claim lines, flags).

    from nlp.api import Analyzer
    analyzer = Analyzer()                       # builds the pipeline once (~2 s)
    result = analyzer.analyze(text, note_id="n1")
    for result in analyzer.analyze_many(pairs): ...   # batched nlp.pipe

Coding uses a payer profile (`"medicare"` default, `"commercial"`, or a YAML path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from spacy.language import Language

from nlp.coding import code_note, load_profile
from nlp.extract.facts import extract_facts
from nlp.extract.view import note_view
from nlp.models_runtime import apply_models_batch, load_models
from nlp.normalize import normalize, restore_evidence
from nlp.pipeline import get_pipeline
from nlp.schema import NoteResult
from nlp.text_input import validate_text


class Analyzer:
    """Holds one pipeline; cheap to call per note."""

    def __init__(self, payer: str | Path = "medicare", nlp: Language | None = None, use_models: bool = False) -> None:
        load_profile(payer)  # fail fast (FacetcoderError) on an unknown or malformed profile
        self.nlp = nlp if nlp is not None else get_pipeline()
        self.payer = payer
        # scikit-learn models (skops, no pickle), opt-in: they record a reading and route confident disagreement to
        # review, never change a fact. Off by default: on the fresh blind batch B they did not improve accuracy or
        # the share of wrong lines without review (paired bootstrap interval includes 0), and cost ~1 ms per note.
        self.models = load_models() if use_models else None

    def analyze(self, text: str, note_id: str = "note", payer: str | Path | None = None) -> NoteResult:
        """Analyse one note. Raises `nlp.errors.InputError` for empty/binary/oversized text."""
        validate_text(text)
        return next(run_notes(self.nlp, [(note_id, text, None)], self.models, payer or self.payer, batch_size=1))

    def analyze_many(
        self, items: Iterable[tuple[str, str] | tuple[str, str, str | None]], batch_size: int = 64,
        payer: str | Path | None = None,
    ) -> Iterator[NoteResult]:
        """Analyse (note_id, text[, payer]) tuples in input order with batched `nlp.pipe`.

        Texts must already be validated (`nlp.text_input.validate_text`); a per-item payer
        overrides `payer`, which overrides the Analyzer's default.
        """
        return run_notes(self.nlp, items, self.models, payer or self.payer, batch_size)


def run_notes(
    nlp: Language, items: Iterable[tuple[str, str] | tuple[str, str, str | None]], models: object,
    payer: str | Path, batch_size: int = 64,
) -> Iterator[NoteResult]:
    """The one batch path: normalise, pipe, view, extract, models (None: rules only), code, restore offsets."""
    normed = ((normalize(item[1]), item[0], item[2] if len(item) > 2 else None) for item in items)
    docs = nlp.pipe(((norm.text, (norm, nid, p)) for norm, nid, p in normed), as_tuples=True, batch_size=batch_size)
    while chunk := list(islice(docs, batch_size)):
        views = [note_view(doc) for doc, _ in chunk]
        facts = [extract_facts(view, nid) for view, (_, (_, nid, _)) in zip(views, chunk, strict=True)]
        facts = apply_models_batch(facts, [view.text for view in views], models)
        for result, (_, (norm, _, item_payer)) in zip(facts, chunk, strict=True):
            coded = code_note(result, item_payer or payer)
            restore_evidence(coded, norm)
            yield coded


def analyze(text: str, note_id: str = "note", payer: str | Path = "medicare") -> NoteResult:
    """One-off convenience wrapper around a process-wide Analyzer."""
    return Analyzer(payer).analyze(text, note_id)
