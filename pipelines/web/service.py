"""The analysis service behind the web app: one Analyzer, payer checks, one note at a time.

The spaCy/medSpaCy pipeline is not documented as thread-safe, and analysis is CPU-bound
Python (the GIL serialises it anyway), so notes are analysed under a lock, one note per
acquisition: a 100-note batch does not hold the pipeline for its whole run.
"""

from __future__ import annotations

import threading
import traceback
from typing import Protocol

from nlp.errors import FacetcoderError
from nlp.schema import NoteResult
from nlp.text_input import MAX_NOTE_BYTES, validate_text
from pipelines.deadline import AnalysisTimeout, deadline

DEFAULT_PROFILES = ["medicare", "commercial"]
# Seconds one note may hold the pipeline; a slower one gets 422 analysis_timeout (a clinical note takes well under 1 s).
DEFAULT_NOTE_TIMEOUT_S = 10.0


class AnalyzerLike(Protocol):
    """What the web app needs from `nlp.api.Analyzer` (tests inject a fake)."""

    payer: object

    def analyze(self, text: str, note_id: str = "note", payer: str | None = None) -> NoteResult: ...


class UnknownPayer(FacetcoderError):
    """The request names a payer profile that is not packaged."""


class AnalysisFailed(Exception):
    """An unexpected pipeline error; the message names its type and place, never the note text."""


class NoteTimedOut(Exception):
    """The note took longer than the server's per-note limit."""


class TooManyNotes(Exception):
    """A batch has more notes than the server accepts."""


def available_profiles() -> list[str]:
    """Packaged payer profile names (the coding engine's list when it provides one)."""
    try:
        from nlp.coding import available_profiles as profiles
    except ImportError:
        return list(DEFAULT_PROFILES)
    return sorted(profiles())


def load_analyzer(payer: str = "medicare", use_models: bool = False) -> AnalyzerLike:
    """Build the real pipeline (~2-3 s); imported lazily so the app module stays light.

    `use_models=False` skips the installed scikit-learn refinements (rules only, faster).
    """
    from nlp.api import Analyzer

    try:
        return Analyzer(payer=payer, use_models=use_models)
    except TypeError:  # an Analyzer without model support
        return Analyzer(payer=payer)


class AnalysisService:
    """Holds the analyzer once it is loaded and runs notes through it."""

    def __init__(
        self, analyzer: AnalyzerLike | None = None, profiles: list[str] | None = None, max_bytes: int = MAX_NOTE_BYTES,
        note_timeout_s: float | None = DEFAULT_NOTE_TIMEOUT_S,
    ) -> None:
        self.analyzer = analyzer
        self.max_bytes = max_bytes
        self.note_timeout_s = note_timeout_s
        self.profiles = profiles if profiles is not None else available_profiles()
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self.analyzer is not None

    @property
    def models_applied(self) -> bool:
        return getattr(self.analyzer, "models", None) is not None

    @property
    def default_payer(self) -> str:
        return str(getattr(self.analyzer, "payer", "medicare"))

    def check_payer(self, payer: str | None) -> str | None:
        """Only packaged profile names: a request must never make the server read a file path."""
        if payer is None or payer in self.profiles:
            return payer
        raise UnknownPayer(f"unknown payer {payer!r}; expected one of: {', '.join(self.profiles)}")

    def analyze(self, text: str, note_id: str, payer: str | None) -> NoteResult:
        """Analyse one note (call from a worker thread, never from the event loop).

        Raises `InputError` (empty, binary, too_large) or `UnknownPayer` before any analysis, and
        `NoteTimedOut` when the note holds the pipeline longer than `note_timeout_s` (the lock is released).
        """
        if self.analyzer is None:
            raise RuntimeError("the analysis pipeline is not loaded yet")
        validate_text(text, max_bytes=self.max_bytes)
        payer = self.check_payer(payer)
        try:
            with self._lock, deadline(self.note_timeout_s):
                return self.analyzer.analyze(text, note_id=note_id, payer=payer)
        except AnalysisTimeout:
            raise NoteTimedOut(f"analysis took longer than the limit of {self.note_timeout_s:g} s; "
                               "check the text is a clinical note (not a data dump)") from None
        except FacetcoderError:
            raise
        except Exception as exc:  # re-raised without the original message or chain: it may quote the note
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "site-packages" not in f.filename] or frames
            where = f"{ours[-1].filename}:{ours[-1].lineno}" + (f" (in {frames[-1].name})" if ours[-1] is not frames[-1] else "")
            raise AnalysisFailed(f"{type(exc).__name__} at {where}") from None
