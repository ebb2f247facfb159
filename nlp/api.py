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
from nlp.models_runtime import apply_models, apply_models_batch, load_models
from nlp.pipeline import get_pipeline
from nlp.schema import NoteResult
from nlp.text_input import validate_text


class Analyzer:
    """Holds one pipeline; cheap to call per note."""

    def __init__(self, payer: str | Path = "medicare", nlp: Language | None = None, use_models: bool = True) -> None:
        load_profile(payer)  # fail fast (FacetcoderError) on an unknown or malformed profile
        self.nlp = nlp if nlp is not None else get_pipeline()
        self.payer = payer
        # scikit-learn models (skops, no pickle) refine family/intent confidence when installed.
        self.models = load_models() if use_models else None

    def analyze(self, text: str, note_id: str = "note", payer: str | Path | None = None) -> NoteResult:
        """Analyse one note. Raises `nlp.errors.InputError` for empty/binary/oversized text."""
        validate_text(text)
        return self._finish(self.nlp(text), note_id, payer)

    def analyze_many(
        self, items: Iterable[tuple[str, str] | tuple[str, str, str | None]], batch_size: int = 64,
        payer: str | Path | None = None,
    ) -> Iterator[NoteResult]:
        """Analyse (note_id, text[, payer]) tuples in input order with batched `nlp.pipe`.

        Texts must already be validated (`nlp.text_input.validate_text`); a per-item payer
        overrides `payer`, which overrides the Analyzer's default.
        """
        pairs = ((item[1], (item[0], item[2] if len(item) > 2 else None)) for item in items)
        docs = self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size)
        while chunk := list(islice(docs, batch_size)):
            views = [note_view(doc) for doc, _ in chunk]
            facts = [extract_facts(view, note_id) for view, (_, (note_id, _)) in zip(views, chunk, strict=True)]
            facts = apply_models_batch(facts, [view.text for view in views], self.models)
            for result, (_, (_, item_payer)) in zip(facts, chunk, strict=True):
                yield code_note(result, item_payer or payer or self.payer)

    def _finish(self, doc, note_id: str, payer: str | Path | None) -> NoteResult:
        view = note_view(doc)
        facts = apply_models(extract_facts(view, note_id), view.text, self.models)
        return code_note(facts, payer if payer is not None else self.payer)


def analyze(text: str, note_id: str = "note", payer: str | Path = "medicare") -> NoteResult:
    """One-off convenience wrapper around a process-wide Analyzer."""
    return Analyzer(payer).analyze(text, note_id)
